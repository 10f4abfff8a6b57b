"""The kinds of file the linter knows, and how a path's kind is found from its name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from configurator.errors import ConfiguratorError


@dataclass(frozen=True)
class Kind:
    name: str
    tool: str  # Claude Code | Codex | OpenClaw
    fmt: str  # json | json5 | toml
    schema: str  # file name in templates/schemas/
    label: str


KINDS: dict[str, Kind] = {
    "claude-settings": Kind("claude-settings", "Claude Code", "json", "claude-settings.json", "Claude Code settings"),
    "claude-state": Kind("claude-state", "Claude Code", "json", "claude-state.json", "Claude Code state (~/.claude.json)"),
    "codex-config": Kind("codex-config", "Codex", "toml", "codex-config.json", "Codex config.toml"),
    "codex-auth": Kind("codex-auth", "Codex", "json", "codex-auth.json", "Codex auth.json"),
    "openclaw": Kind("openclaw", "OpenClaw", "json5", "openclaw.json", "OpenClaw openclaw.json"),
}

#: file names (and --kind aliases) -> kind
_NAMES = {
    "settings.json": "claude-settings",
    "settings.local.json": "claude-settings",
    "managed-settings.json": "claude-settings",
    ".claude.json": "claude-state",
    "config.toml": "codex-config",
    "auth.json": "codex-auth",
    "openclaw.json": "openclaw",
    "openclaw.json5": "openclaw",
}

KIND_CHOICES = tuple(KINDS) + tuple(_NAMES)


def kind_from_name(path: str | PurePath) -> str | None:
    name = PurePath(path).name.lower()
    if name in _NAMES:
        return _NAMES[name]
    if name.startswith("openclaw") and name.endswith((".json", ".json5")):
        return "openclaw"
    return None


def resolve_kind(path: str | PurePath, given: str | None = None) -> Kind:
    """The kind of ``path``: ``given`` (a kind or a file name such as ``settings.json``) or its name."""
    if given:
        key = given if given in KINDS else _NAMES.get(given.lower())
        if key is None:
            raise ConfiguratorError(
                f"--kind {given!r} is not a kind of file the linter knows; use one of: {', '.join(KINDS)}."
            )
        return KINDS[key]
    key = kind_from_name(path)
    if key is None:
        raise ConfiguratorError(
            f"Cannot tell which tool {path} belongs to from its name; pass --kind with one of: {', '.join(KINDS)}."
        )
    return KINDS[key]
