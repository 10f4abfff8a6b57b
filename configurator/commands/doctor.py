"""`configurator doctor`: where each agent's files are, whether they exist, what is installed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from configurator import agents, paths
from configurator.render import Result
from configurator.tools import installed


@dataclass(frozen=True)
class DoctorOptions:
    #: the project folder whose project-level files are listed (default: the current folder)
    project: Path | None = None


def run(opts: DoctorOptions) -> Result:
    project = opts.project or Path.cwd()
    with ThreadPoolExecutor(max_workers=len(agents.AGENTS)) as pool:
        found = list(pool.map(installed, agents.AGENTS.values()))
    files = [
        {"tool": f.agent, "kind": f.name, "scope": f.scope, "path": str(f.path), "exists": f.path.exists()}
        for f in [*agents.user_files(), *agents.project_files(project)]
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
