"""`configurator doctor`: where each file is, whether it exists, what is installed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from configurator import paths
from configurator.render import Result
from configurator.tools import TOOLS, installed


def run(project: Path | None = None) -> Result:
    project = project or Path.cwd()
    with ThreadPoolExecutor(max_workers=3) as pool:
        found = list(pool.map(installed, TOOLS))
    files = [
        {"tool": loc.tool, "kind": loc.kind, "scope": "user", "path": str(loc.path), "exists": loc.path.exists()}
        for loc in paths.user_locations()
    ]
    files += [
        {"tool": loc.tool, "kind": loc.kind, "scope": "project", "path": str(loc.path), "exists": loc.path.exists()}
        for loc in paths.project_locations(project)
    ]
    legacy = [str(p) for p in paths.openclaw_legacy_dirs()]
    notes = [f"legacy OpenClaw folder found (read-only for configurator): {p}" for p in legacy]

    def text() -> str:
        lines = ["Tools:"]
        for t in found:
            if t.executable is None:
                lines.append(f"  {t.tool:12} not installed")
            else:
                lines.append(f"  {t.tool:12} {t.version or '?':12} {t.executable}" + (f"  ({t.error})" if t.error else ""))
        lines.append("Config files:")
        for f in files:
            mark = "exists " if f["exists"] else "missing"
            lines.append(f"  {mark} {f['scope']:7} {f['tool']:12} {f['path']}")
        lines.append(f"Backups: {paths.backups_dir()}")
        return "\n".join(lines)

    return Result(
        "doctor",
        {"tools": [t.to_dict() for t in found], "files": files, "legacy_openclaw_dirs": legacy,
         "backups_dir": str(paths.backups_dir())},
        text,
        notes,
    )
