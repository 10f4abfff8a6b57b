"""One module per agent tool, all with the same small interface (see :mod:`configurator.targets.base`)."""

from __future__ import annotations

import importlib
from types import ModuleType

TARGET_MODULES = {
    "claude-code": "configurator.targets.claude_code",
    "codex": "configurator.targets.codex",
    "openclaw": "configurator.targets.openclaw",
}
TOOL_NAMES = tuple(TARGET_MODULES)


def get(tool: str) -> ModuleType:
    return importlib.import_module(TARGET_MODULES[tool])
