"""What `configurator lint` does between parsing its options and printing: targets, fixes, rendering."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from configurator import exitcodes
from configurator.errors import ConfiguratorError
from configurator.render import Result, emit


def _explain(rule_id: str, fmt: str) -> int:
    from configurator.lint.registry import get_rule

    r = get_rule(rule_id)
    data = {"rule": {"id": r.id, "severity": r.severity, "kinds": list(r.kinds), "summary": r.summary,
                     "rationale": r.rationale, "example": r.example, "fix": r.fix, "autofix": r.autofix}}
    return emit(Result("lint", data, r.explain()), as_json=fmt == "json")


def _list_rules(fmt: str) -> int:
    from configurator.lint.registry import load_rules

    rules = load_rules()
    width = max(len(r) for r in rules)
    lines = [f"{r.id:{width}}  {r.severity:7}  {'fix ' if r.autofix else '    '} {r.summary}" for r in rules.values()]
    data = {"rules": [{"id": r.id, "severity": r.severity, "kinds": list(r.kinds), "summary": r.summary,
                       "autofix": r.autofix} for r in rules.values()]}
    return emit(Result("lint", data, "\n".join(lines)), as_json=fmt == "json")


def run(*, paths: Sequence[str], fmt: str, fix: bool, codex_version: str | None, fail_on: str,
        select: list[str], ignore: list[str], kind: str | None, explain: str | None, list_rules: bool) -> int:
    from configurator.lint import engine, reporters
    from configurator.lint.registry import resolve_selection

    if explain:
        return _explain(explain, fmt)
    if list_rules:
        return _list_rules(fmt)
    if codex_version is not None and engine.parse_version(codex_version) is None:
        raise ConfiguratorError(f"--codex-version {codex_version!r} is not a version; use X.Y.Z, e.g. 0.94.0.")
    resolve_selection(select, ignore)  # unknown rule names are a usage error before any file is read
    cwd = Path.cwd()
    if paths:
        targets = [Path(p) for p in paths]
        shown = list(paths)
        kinds: str | list[str | None] | None = kind
    else:
        if kind:
            raise ConfiguratorError("--kind needs PATHs: it says which kind of file they are.")
        found = engine.default_targets(cwd)
        targets = [p for p, _ in found]
        shown = [engine.display_path(p, cwd) for p in targets]
        kinds = [k for _, k in found]

    def lint_once() -> object:
        return engine.lint_paths(targets, kinds=kinds, select=select or None, ignore=ignore or None,
                                 codex_version=codex_version, cwd=cwd, display=shown)

    report = lint_once()
    if fix:
        from configurator.lint.fixer import apply_fixes

        fixes = apply_fixes(report.files)  # type: ignore[attr-defined]
        if fixes:
            report = lint_once()
        report.fixes = fixes  # type: ignore[attr-defined]
    exit_code = exitcodes.FINDINGS if report.fails(fail_on) else exitcodes.OK  # type: ignore[attr-defined]
    notes: list[str] = []
    if not targets:
        text = "No Claude Code, Codex or OpenClaw config files found for this user or under this folder."
        result = Result("lint", reporters.json_data(report), text, notes, exit_code)  # type: ignore[arg-type]
        return emit(result, as_json=fmt == "json")
    if fmt == "json":
        return emit(Result("lint", reporters.json_data(report), "", notes, exit_code), as_json=True)  # type: ignore[arg-type]
    if fmt == "github":
        body = reporters.github(report)  # type: ignore[arg-type]
    elif fmt == "sarif":
        body = reporters.sarif(report)  # type: ignore[arg-type]
    else:
        from configurator.render import use_color

        body = reporters.text(report, color=use_color(sys.stdout))  # type: ignore[arg-type]
    return emit(Result("lint", {}, body, notes, exit_code))
