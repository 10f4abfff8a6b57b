"""`configurator lint`: which files, which rules, --fix, and the report in the chosen format, as a Result."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from configurator import exitcodes
from configurator.errors import ConfiguratorError
from configurator.render import Result

if TYPE_CHECKING:  # pragma: no cover
    from configurator.lint.findings import LintReport, Severity
    from configurator.lint.reporters import ReporterName



@dataclass(frozen=True)
class LintOptions:
    """What `configurator lint` is asked to do (no PATH: the user's and this folder's config files)."""

    paths: tuple[str, ...] = ()
    format: ReporterName = "text"
    fix: bool = False
    #: with --fix: change read-only files too (they stay read-only)
    force: bool = False
    codex_version: str | None = None
    fail_on: Severity = "error"
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    kind: str | None = None
    explain: str | None = None
    list_rules: bool = False


def _explain(rule_id: str) -> Result:
    from configurator.lint.selection import get_rule

    r = get_rule(rule_id)
    data = {"rule": {"id": r.id, "severity": r.severity, "kinds": list(r.kinds), "summary": r.summary,
                     "rationale": r.rationale, "example": r.example, "fix": r.fix, "autofix": r.autofix}}
    return Result("lint", data, r.explain())


def _list_rules() -> Result:
    from configurator.lint.rules import load_rules

    rules = load_rules()
    width = max(len(r) for r in rules)
    lines = [f"{r.id:{width}}  {r.severity:7}  {'fix ' if r.autofix else '    '} {r.summary}" for r in rules.values()]
    data = {"rules": [{"id": r.id, "severity": r.severity, "kinds": list(r.kinds), "summary": r.summary,
                       "autofix": r.autofix} for r in rules.values()]}
    return Result("lint", data, "\n".join(lines))


def lint_once(targets: list[Path], kinds: str | list[str | None] | None, shown: list[str], cwd: Path,
              options: LintOptions) -> LintReport:
    from configurator.lint.engine import lint_paths

    return lint_paths(targets, kinds=kinds, select=options.select or None, ignore=options.ignore or None,
                      codex_version=options.codex_version, cwd=cwd, display=shown)


def run(options: LintOptions) -> Result:
    """Lint, fix when asked, and return the report rendered by the reporter named ``options.format``."""
    from configurator.lint.reporters import REPORTERS
    from configurator.lint.selection import resolve_selection
    from configurator.versions import parse_version

    if options.explain:
        return _explain(options.explain)
    if options.list_rules:
        return _list_rules()
    if options.codex_version is not None and parse_version(options.codex_version) is None:
        raise ConfiguratorError(f"--codex-version {options.codex_version!r} is not a version; use X.Y.Z, e.g. 0.94.0.")
    resolve_selection(options.select, options.ignore)  # unknown rule names are a usage error before any file is read
    cwd = Path.cwd()
    kinds: str | list[str | None] | None
    if options.paths:
        targets = [Path(p) for p in options.paths]
        shown = list(options.paths)
        kinds = options.kind
    else:
        from configurator.lint.targets import default_targets, display_path

        if options.kind:
            raise ConfiguratorError("--kind needs PATHs: it says which kind of file they are.")
        found = default_targets(cwd)
        targets = [p for p, _ in found]
        shown = [display_path(p, cwd) for p in targets]
        kinds = [k for _, k in found]

    report = lint_once(targets, kinds, shown, cwd, options)
    if options.fix:
        from configurator.lint.fixer import apply_fixes

        fixes = apply_fixes(report.files, force=options.force)
        if fixes:
            report = lint_once(targets, kinds, shown, cwd, options)
        report.fixes = fixes
    exit_code = exitcodes.FINDINGS if report.fails(options.fail_on) else exitcodes.OK
    reporter = REPORTERS[options.format](cwd=cwd)
    if not targets and options.format == "text":
        from configurator.agents import names

        no_files = f"No {names(last='or')} config files found for this user or under this folder."
        return Result("lint", report.to_dict(), no_files, [], exit_code)
    # github and sarif stay machine-readable with no file (an empty annotation list, an empty SARIF run)
    return Result("lint", reporter.data(report), "" if reporter.envelope else reporter.render(report), [], exit_code)
