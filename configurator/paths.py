"""Where each tool keeps its files. Pure functions of the environment; nothing here reads a file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

LEGACY_OPENCLAW_DIRS = (".clawdbot", ".moltbot", ".moldbot")


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def home(env: Mapping[str, str] | None = None) -> Path:
    e = _env(env)
    return Path(e.get("HOME") or os.path.expanduser("~"))


def _expand(value: str, env: Mapping[str, str]) -> Path:
    if value == "~" or value.startswith(("~/", "~" + os.sep)):
        value = str(home(env)) + value[1:]
    elif value.startswith("~"):  # ~otheruser/...
        value = os.path.expanduser(value)
    return Path(value)


def claude_config_dir(env: Mapping[str, str] | None = None) -> Path:
    e = _env(env)
    custom = e.get("CLAUDE_CONFIG_DIR", "").split(",")[0].strip()
    return _expand(custom, e) if custom else home(e) / ".claude"


def claude_settings(env: Mapping[str, str] | None = None) -> Path:
    return claude_config_dir(env) / "settings.json"


def claude_state(env: Mapping[str, str] | None = None) -> Path:
    """``~/.claude.json`` (owned by Claude Code; holds ``hasCompletedOnboarding``)."""
    e = _env(env)
    custom = e.get("CLAUDE_CONFIG_DIR", "").split(",")[0].strip()
    return _expand(custom, e) / ".claude.json" if custom else home(e) / ".claude.json"


def claude_project_settings(project: Path) -> tuple[Path, Path]:
    return project / ".claude" / "settings.json", project / ".claude" / "settings.local.json"


def codex_home(env: Mapping[str, str] | None = None) -> Path:
    e = _env(env)
    custom = e.get("CODEX_HOME", "").strip()
    return _expand(custom, e) if custom else home(e) / ".codex"


def codex_config(env: Mapping[str, str] | None = None) -> Path:
    return codex_home(env) / "config.toml"


def codex_auth(env: Mapping[str, str] | None = None) -> Path:
    return codex_home(env) / "auth.json"


def openclaw_home(env: Mapping[str, str] | None = None) -> Path:
    e = _env(env)
    custom = e.get("OPENCLAW_HOME", "").strip()
    return _expand(custom, e) if custom else home(e)


def openclaw_state_dir(env: Mapping[str, str] | None = None) -> Path:
    e = _env(env)
    custom = e.get("OPENCLAW_STATE_DIR", "").strip()
    return _expand(custom, e) if custom else openclaw_home(e) / ".openclaw"


def openclaw_config(env: Mapping[str, str] | None = None) -> Path:
    e = _env(env)
    custom = e.get("OPENCLAW_CONFIG_PATH", "").strip()
    if custom:
        return _expand(custom, e)
    return openclaw_state_dir(e) / "openclaw.json"


def openclaw_legacy_dirs(env: Mapping[str, str] | None = None) -> list[Path]:
    """Old OpenClaw state folders that exist. Reported, never written."""
    base = openclaw_home(env)
    return [base / name for name in LEGACY_OPENCLAW_DIRS if (base / name).is_dir()]


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    """Our own state (backups, locks, error log), XDG-aware."""
    e = _env(env)
    xdg = e.get("XDG_STATE_HOME", "").strip()
    base = _expand(xdg, e) if xdg else home(e) / ".local" / "state"
    return base / "agent-configurator"


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """Our own settings (the profiles), XDG-aware."""
    e = _env(env)
    xdg = e.get("XDG_CONFIG_HOME", "").strip()
    base = _expand(xdg, e) if xdg else home(e) / ".config"
    return base / "agent-configurator"


def profiles_file(env: Mapping[str, str] | None = None) -> Path:
    """The saved provider profiles (``configurator profile``), 0600: a profile may hold its key."""
    return config_dir(env) / "profiles.toml"


def owned_file(env: Mapping[str, str] | None = None) -> Path:
    """Which keys of which agent file configurator set, the value each had before, and the active profile."""
    return config_dir(env) / "owned.json"


def sessions_dir(env: Mapping[str, str] | None = None) -> Path:
    """Per-session settings files made from profiles (``claude --settings FILE``)."""
    return config_dir(env) / "sessions"


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Our caches (what each log file yielded to ``usage``), XDG-aware; safe to delete."""
    e = _env(env)
    xdg = e.get("XDG_CACHE_HOME", "").strip()
    base = _expand(xdg, e) if xdg else home(e) / ".cache"
    return base / "agent-configurator"


def backups_dir(env: Mapping[str, str] | None = None) -> Path:
    return state_dir(env) / "backups"
