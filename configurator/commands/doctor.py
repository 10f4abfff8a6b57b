"""`configurator doctor`: where each agent's files are, whether they exist, what is installed."""

from __future__ import annotations

import os
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
    stale = [str(p) for p in _stale_temp_files(files)]
    notes += [f"temporary file left by an interrupted configurator run (it may hold an API key): {p}; the next "
              "setup removes it, or delete it yourself" for p in stale]
    helpers = _key_helpers()
    notes += [f"key helper {h['setting']} in {h['file']} runs {h['command']}, which {h['problem']}: the tool cannot "
              f"get its key. Fix: {h['fix']}." for h in helpers if h["problem"]]

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
        if helpers:
            lines.append("Key helpers:")
            for h in helpers:
                lines.append(f"  {'missing' if h['problem'] else 'ok     '} {h['tool']:12} {h['command']}  "
                             f"({h['setting']} in {h['file']})")
        lines.append(f"Backups: {paths.backups_dir()}")
        return "\n".join(lines)

    return Result(
        "doctor",
        {"tools": [t.to_dict() for t in found], "files": files, "legacy_openclaw_dirs": legacy,
         "backups_dir": str(paths.backups_dir()), "stale_temp_files": stale, "key_helpers": helpers},
        text,
        notes,
    )


def _key_helpers() -> list[dict[str, str | None]]:
    """Every key helper command the user-level files name (keychain mode), and what is wrong with it: a command
    that no longer exists (a moved venv) is reported with the fix."""
    from configurator.errors import ConfiguratorError
    from configurator.lint.rules.common import helper_fix, helper_references, jsonpath, missing_helper
    from configurator.store import read_document

    kinds = agents.kinds()
    out: list[dict[str, str | None]] = []
    for f in agents.user_files():
        kind = kinds[f.kind]
        try:
            doc = read_document(f.path, kind.fmt)
        except ConfiguratorError:
            continue  # lint and status report a file that does not parse
        if not doc.exists:
            continue
        for kp, command, args in helper_references(f.kind, doc.data):
            out.append({"tool": f.agent, "file": str(f.path), "setting": jsonpath(kp).removeprefix("$."),
                        "command": command, "problem": missing_helper(command), "fix": helper_fix(args)})
    return out


def _stale_temp_files(files: list[dict[str, object]]) -> list[Path]:
    """Our temp files older than a minute next to the config files (a run killed while writing left them)."""
    from configurator.store.atomic import stale_temp_files

    folders: list[Path] = []
    for f in files:
        path = Path(str(f["path"]))
        folders += [path.parent, Path(os.path.realpath(path)).parent]  # a linked file's temp files sit by its target
    return stale_temp_files(folders)
