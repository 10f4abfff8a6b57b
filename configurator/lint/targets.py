"""What ``configurator lint`` checks when given no PATH: the user's and this project's config files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from configurator.lint.kinds import KINDS


def default_targets(cwd: Path, env: Mapping[str, str] | None = None) -> list[tuple[Path, str]]:
    """Every existing config of the three tools for this user, plus the project files under ``cwd``,
    as (path, kind) in that order. (The agent registry is to provide this list.)"""
    from configurator import paths

    shared, local = paths.claude_project_settings(cwd)
    candidates = [
        (paths.claude_settings(env), "claude-settings"),
        (paths.claude_state(env), "claude-state"),
        (paths.codex_config(env), "codex-config"),
        (paths.codex_auth(env), "codex-auth"),
        (paths.openclaw_config(env), "openclaw"),
        (shared, "claude-settings"),
        (local, "claude-settings"),
        (cwd / ".codex" / "config.toml", "codex-config"),
    ]
    out: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for path, kind in candidates:
        try:
            if not path.is_file():
                continue
            real = path.resolve()
        except OSError:
            continue
        if real in seen:
            continue
        seen.add(real)
        out.append((path, KINDS[kind].name))
    return out


def display_path(path: Path, cwd: Path) -> str:
    """``path`` relative to ``cwd`` when it is under it (how findings name project files), else as given."""
    try:
        return str(path.resolve().relative_to(cwd.resolve()))
    except (ValueError, OSError):
        return str(path)
