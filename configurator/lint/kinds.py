"""The kinds of file the linter knows (from the agent registry), and how a path's kind is found from its name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from configurator.agents import AGENTS
from configurator.errors import ConfiguratorError

if TYPE_CHECKING:  # pragma: no cover
    from configurator.store.formats import Format


@dataclass(frozen=True)
class Kind:
    name: str
    tool: str  # the agent's display name: Claude Code | Codex | OpenClaw
    fmt: Format
    schema: str  # file name in templates/schemas/
    label: str


KINDS: dict[str, Kind] = {
    k.name: Kind(k.name, agent.display, k.fmt, k.schema, k.label) for agent in AGENTS.values() for k in agent.kinds
}

#: file names (and --kind aliases) -> kind
_NAMES = {name: k.name for agent in AGENTS.values() for k in agent.kinds for name in k.file_names}
#: a file name starting with one of these and ending in .json/.json5 -> kind
_PREFIXES = {k.name_prefix: k.name for agent in AGENTS.values() for k in agent.kinds if k.name_prefix}
#: a file name ending in one of these -> kind
_SUFFIXES = {k.name_suffix: k.name for agent in AGENTS.values() for k in agent.kinds if k.name_suffix}

KIND_CHOICES = tuple(KINDS) + tuple(_NAMES)


def kind_from_name(path: str | PurePath) -> str | None:
    name = PurePath(path).name.lower()
    if name in _NAMES:
        return _NAMES[name]
    for prefix, kind in _PREFIXES.items():
        if name.startswith(prefix) and name.endswith((".json", ".json5")):
            return kind
    for suffix, kind in _SUFFIXES.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            return kind
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
