"""The agent registry: one module per agent tool, one typed ``AGENTS`` dict (pre-commit's ``languages/all.py``).

Everything the rest of the code asks about a tool (its files, lint kinds, active provider, how to apply a
provider profile, its verify probe, usage reader and version facts) is on its :class:`Agent`. Adding an
agent is one module here plus its tests; no other module lists agent ids.
"""

from __future__ import annotations

from pathlib import Path

from configurator.agents import claude_code, codex, openclaw, opencode
from configurator.agents.base import Agent, ConfigFile, Env, FileKind
from configurator.errors import ConfiguratorError

AGENTS: dict[str, Agent] = {a.id: a for a in (claude_code.AGENT, codex.AGENT, openclaw.AGENT, opencode.AGENT)}
#: every agent id, in registry order (the order of `--tool` choices, setup and reports)
IDS: tuple[str, ...] = tuple(AGENTS)


def get(agent_id: str) -> Agent:
    try:
        return AGENTS[agent_id]
    except KeyError:
        raise ConfiguratorError(f"Unknown tool {agent_id!r}; use one of: {', '.join(IDS)}.") from None


def kinds() -> dict[str, FileKind]:
    """Every kind of config file, by name (``configurator lint --kind``)."""
    return {k.name: k for a in AGENTS.values() for k in a.kinds}


def user_files(env: Env | None = None) -> list[ConfigFile]:
    """Every user-level config file of every agent, whether it exists or not."""
    return [f for a in AGENTS.values() for f in a.user_files(env)]


def project_files(project: Path) -> list[ConfigFile]:
    """Every project-level config file of every agent under ``project``."""
    return [f for a in AGENTS.values() for f in a.project_files(project)]


def names(ids: tuple[str, ...] | list[str] | None = None, *, last: str = "and") -> str:
    """``Claude Code, Codex and OpenClaw``: the display names, for messages."""
    shown = [AGENTS[i].display for i in (IDS if ids is None else ids)]
    if not shown:
        return "no tool"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" {last} " + shown[-1]


__all__ = ["AGENTS", "IDS", "Agent", "ConfigFile", "FileKind", "get", "kinds", "names", "project_files", "user_files"]
