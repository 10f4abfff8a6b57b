"""What ``configurator lint`` checks when given no PATH: the user's and this project's config files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from configurator import agents


def default_targets(cwd: Path, env: Mapping[str, str] | None = None) -> list[tuple[Path, str]]:
    """Every existing config of every agent for this user, plus the project files under ``cwd``, as
    (path, kind) in that order (the agent registry's order)."""
    out: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for f in [*agents.user_files(env), *agents.project_files(cwd)]:
        path, kind = f.path, f.kind
        try:
            if not path.is_file():
                continue
            real = path.resolve()
        except OSError:
            continue
        if real in seen:
            continue
        seen.add(real)
        out.append((path, kind))
    return out


def display_path(path: Path, cwd: Path) -> str:
    """``path`` relative to ``cwd`` when it is under it (how findings name project files), else as given."""
    try:
        return str(path.resolve().relative_to(cwd.resolve()))
    except (ValueError, OSError):
        return str(path)
