"""What every target (agent tool) module shares: the profile it configures for, and its outcome."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from configurator.errors import ConfiguratorError
from configurator.providers import ModelInfo
from configurator.store import Document, Transaction


@dataclass
class Profile:
    """Everything setup needs to know, resolved from flags or wizard answers."""

    provider_id: str
    provider_name: str
    anthropic_base_url: str
    openai_base_url: str
    model: ModelInfo
    fast_model: ModelInfo
    key_storage: str  # "file" | "env"
    key: str | None = None  # the secret itself (file mode)
    key_env: str | None = None  # variable holding the key (env mode)
    codex_wire_api: str = "responses"
    remove_anthropic_api_key: bool = True
    claude_skip_login: bool = False

    def api_key_value_for_openclaw(self) -> str:
        if self.key_storage == "env":
            return "${" + str(self.key_env) + "}"
        return str(self.key)


@dataclass
class Outcome:
    tool: str
    notes: list[str] = field(default_factory=list)


class Target(Protocol):
    TOOL: str
    DISPLAY: str
    EXECUTABLE: str
    LINT_KINDS: tuple[str, ...]

    def files(self) -> list[Path]: ...

    def apply(self, profile: Profile, tx: Transaction, outcome: Outcome) -> None: ...


#: member names whose string values are credentials (ANTHROPIC_API_KEY, apiKey, botToken, refresh_token, ...)
_SECRET_NAME = re.compile(r"key|token|secret|passw|credential|bearer|cookie", re.IGNORECASE)
#: member names that hold the *name* of a variable or a file, not the secret itself
_REFERENCE_NAME = re.compile(r"env_?key|env_?var|_file$|_path$|helper$", re.IGNORECASE)
_NOT_A_SECRET = re.compile(r"^(\$\{.*\}|[A-Z_][A-Z0-9_]*|[~/.].*|https?://\S*|\S*\s\S*)$")


def register_secrets(data: Any) -> None:
    """Register the credentials already in a user's file (other keys, OAuth tokens) so no diff, note or error
    prints them: setup shows context lines around its changes, and those lines are the user's, not ours."""
    from configurator.secrets import register

    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for name, value in node.items():
                if isinstance(value, (dict, list)):
                    stack.append(value)
                elif (isinstance(value, str) and len(value) >= 8 and _SECRET_NAME.search(str(name))
                      and not _REFERENCE_NAME.search(str(name)) and not _NOT_A_SECRET.match(value)):
                    register(value)
        elif isinstance(node, list):
            stack.extend(node)


def match_line_endings(old: str, new: str) -> str:
    """A file written with CRLF line endings keeps them on the lines we add (no mixed line endings)."""
    if "\r\n" in old and old.count("\n") == old.count("\r\n"):
        return new.replace("\r\n", "\n").replace("\n", "\r\n")
    return new


def require_object(doc: Document, key_path: tuple[str, ...]) -> None:
    """Refuse to merge when a key we must write into exists but is not an object (we never overwrite it)."""
    node: Any = doc.data
    for i, key in enumerate(key_path):
        if not isinstance(node, dict) or key not in node:
            return
        node = node[key]
        if not isinstance(node, dict):
            dotted = ".".join(key_path[: i + 1])
            raise ConfiguratorError(
                f"{doc.path}: `{dotted}` is a {type(node).__name__}, not an object, so setup cannot merge into it; "
                "fix it by hand (see `configurator lint`) and run setup again. Nothing was written."
            )
