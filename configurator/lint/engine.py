"""Running the rules over files: parsing through the store, contexts, selection, de-duplication."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from configurator.errors import ConfiguratorError, ParseError
from configurator.lint.context import LintContext, RunState
from configurator.lint.findings import FileResult, Finding, KeyPath, LintReport
from configurator.lint.kinds import Kind, resolve_kind
from configurator.lint.registry import RULES
from configurator.lint.rules import load_rules
from configurator.lint.selection import resolve_selection

#: what ``kinds=`` of :func:`lint_paths` accepts: one kind for all, one per path, or a path -> kind map
KindsArg = str | Sequence[str | None] | Mapping[Any, str] | None


def _parse(text: str, kind: Kind, path: Path) -> Any:
    from configurator.store.formats import parse_text

    return parse_text(text, kind.fmt, path)


def _parse_error(ctx: LintContext, err: ParseError) -> None:
    ctx.report(
        "parse-error", (),
        f"cannot parse this {ctx.kind.fmt.upper()} file: {err.detail}. Fix the syntax here; no other check runs "
        "until the file parses.",
        at=(err.line, err.column),
    )


def _supersede(findings: list[Finding]) -> list[Finding]:
    """Drop schema findings at (or under) a key path that a semantic rule already reports."""
    semantic = {f.keypath for f in findings if RULES[f.rule].semantic}
    if not semantic:
        return findings

    def covered(kp: KeyPath) -> bool:
        return any(kp[: len(s)] == s for s in semantic)

    return [f for f in findings if f.rule != "schema" or not covered(f.keypath)]


def run_rules(state: RunState, path: Path, display: str, kind: Kind, text: str | None, selected: set[str], *,
              data: Any = None, error: ParseError | None = None, on_disk: bool = False) -> FileResult:
    rules = load_rules()
    ctx = LintContext(state, path, display, kind, text or "", data, selected, on_disk=on_disk)
    result = FileResult(display, kind.name, source=path, text=text)
    if error is None and text is not None and data is None:
        try:
            ctx.data = data = _parse(text, kind, path)
        except ParseError as e:
            error = e
    if error is None and kind.fmt != "toml" and not isinstance(data, dict):
        error = ParseError(str(path), kind.fmt, 1, 1, "the top level must be an object ({ ... })")
    if error is not None:
        result.parsed = False
        if "parse-error" in selected:
            _parse_error(ctx, error)
        result.findings = ctx.findings
        return result
    for rule_id, rule in rules.items():
        if rule.check is not None and rule_id in selected and kind.name in rule.kinds:
            rule.check(ctx)
    result.findings = _supersede(ctx.findings)
    return result


def _state(env: Mapping[str, str] | None, cwd: Path | None, codex_version: str | None) -> RunState:
    return RunState(env=dict(os.environ) if env is None else env, cwd=cwd or Path.cwd(),
                    codex_version_arg=codex_version)


def lint_text(text: str, kind: str, path: str | os.PathLike[str] = "<text>", *, select: Iterable[str] | None = None,
              ignore: Iterable[str] | None = None, codex_version: str | None = None,
              env: Mapping[str, str] | None = None, cwd: Path | None = None) -> list[Finding]:
    """Lint ``text`` as a file of ``kind`` named ``path``. Never raises for bad input: it becomes findings."""
    state = _state(env, cwd, codex_version)
    p = Path(path)
    k = resolve_kind(p, kind)
    res = run_rules(state, p, str(path), k, text, resolve_selection(select, ignore), on_disk=p.is_file())
    res.findings.sort(key=Finding.sort_key)
    return res.findings


def _kinds_for(paths: Sequence[Path], kinds: KindsArg) -> list[str | None]:
    if kinds is None:
        return [None] * len(paths)
    if isinstance(kinds, str):
        return [kinds] * len(paths)
    if isinstance(kinds, Mapping):
        return [kinds.get(p, kinds.get(str(p))) for p in paths]
    out = list(kinds)
    if len(out) != len(paths):
        raise ConfiguratorError("kinds must give one kind per path.")
    return out


def lint_paths(paths: Sequence[str | os.PathLike[str]], *, kinds: KindsArg = None,
               select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
               codex_version: str | None = None, env: Mapping[str, str] | None = None,
               cwd: Path | None = None, display: Sequence[str] | None = None) -> LintReport:
    """Lint files on disk. A path that does not exist, or whose kind cannot be told, is a ConfiguratorError."""
    from configurator.store import read_document

    state = _state(env, cwd, codex_version)
    selected = resolve_selection(select, ignore)
    ps = [Path(p) for p in paths]
    resolved: list[tuple[Path, Kind, str]] = []
    for i, (p, given) in enumerate(zip(ps, _kinds_for(ps, kinds), strict=True)):
        if not p.exists():
            raise ConfiguratorError(f"{p} does not exist; pass the path of an existing config file.")
        if p.is_dir():
            raise ConfiguratorError(f"{p} is a folder, not a file; pass the config file itself.")
        shown = display[i] if display is not None else str(p)
        resolved.append((p, resolve_kind(p, given), shown))
    report = LintReport()
    for p, kind, shown in resolved:
        text = None
        data = None
        error: ParseError | None = None
        try:
            doc = read_document(p, kind.fmt)
            text, data = doc.text, doc.data
        except ParseError as e:
            error = e
        report.files.append(run_rules(state, p, shown, kind, text, selected, data=data, error=error, on_disk=True))
    return report
