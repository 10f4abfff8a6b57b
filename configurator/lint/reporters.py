"""Reporters, by name: ``text``, ``json``, ``github`` (workflow commands) and ``sarif`` (SARIF 2.1.0)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from configurator import __version__
from configurator.lint.findings import FileResult, Finding, FixResult, LintReport

FORMATS = ("text", "json", "github", "sarif")
TOOL_NAME = "configurator-lint"
INFO_URI = "https://github.com/agent-configurator/agent-configurator#lint"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def fix_lines(fixes: list[FixResult]) -> list[str]:
    out = []
    for fx in fixes:
        if fx.action == "failed":
            out.append(f"{fx.path}: not fixed: {fx.error}")
            continue
        backup = f" (backup {fx.backup})" if fx.backup else ""
        out.append(f"{fx.path}: fixed: {'; '.join(fx.changes)}{backup}")
    return out


def text(report: LintReport, *, color: bool = False) -> str:
    from configurator.render import style

    colours = {"error": "red", "warning": "yellow", "info": "cyan"}
    lines = fix_lines(report.fixes)
    findings = report.findings
    for f in findings:
        loc = style(f"{f.file}:{f.line}:{f.column}:", "bold", enabled=color)
        sev = style(f.severity, colours[f.severity], enabled=color)
        rule = style(f.rule, "dim", enabled=color)
        lines.append(f"{loc} {sev} {rule} {f.message}")
    n_files = len(report.files)
    if not findings:
        lines.append(f"No problems found in {_plural(n_files, 'file')}.")
    else:
        counts = [_plural(report.count(s), s) for s in ("error", "warning", "info") if report.count(s)]
        fixable = sum(1 for f in findings if f.fix is not None and f.fix.safe)
        tail = f"; {fixable} fixable with --fix" if fixable else ""
        lines.append(f"Found {', '.join(counts)} in {_plural(n_files, 'file')}{tail}.")
    return "\n".join(lines)


def json_data(report: LintReport) -> dict[str, Any]:
    return report.to_dict()


# --- GitHub Actions workflow commands -------------------------------------------------------------------------

def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(report: LintReport) -> str:
    command = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for line in fix_lines(report.fixes):
        lines.append(f"::notice::{escape_data(line)}")
    for f in report.findings:
        props = ",".join([
            f"file={escape_property(f.file)}", f"line={f.line}", f"col={f.column}", f"title={escape_property(f.rule)}",
        ])
        lines.append(f"::{command[f.severity]} {props}::{escape_data(f.message)}")
    return "\n".join(lines)


# --- SARIF 2.1.0 ---------------------------------------------------------------------------------------------

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _artifact(file: str, cwd: Path) -> dict[str, Any]:
    p = Path(file)
    if not p.is_absolute():
        return {"uri": p.as_posix(), "uriBaseId": "%SRCROOT%"}
    try:
        return {"uri": p.resolve().relative_to(cwd.resolve()).as_posix(), "uriBaseId": "%SRCROOT%"}
    except (ValueError, OSError):
        return {"uri": p.as_uri()}


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in code points, SARIF's ``unicodeCodePoints``) of ``text[offset]``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _sarif_fix(finding: Finding, fr: FileResult | None, cwd: Path) -> dict[str, Any] | None:
    """The finding's safe fix as a SARIF ``fix``: one replacement in the linted text (what --fix writes)."""
    if finding.fix is None or fr is None or fr.text is None:
        return None
    from configurator.lint.fixer import replacement
    from configurator.lint.kinds import KINDS

    change = replacement(fr.text, KINDS[fr.kind].fmt, finding.fix)
    if change is None:
        return None
    start, end, inserted = change
    (l1, c1), (l2, c2) = _line_col(fr.text, start), _line_col(fr.text, end)
    return {"description": {"text": finding.fix.description},
            "artifactChanges": [{"artifactLocation": _artifact(finding.file, cwd), "replacements": [{
                "deletedRegion": {"startLine": l1, "startColumn": c1, "endLine": l2, "endColumn": c2},
                "insertedContent": {"text": inserted}}]}]}


def sarif_data(report: LintReport, *, cwd: Path | None = None) -> dict[str, Any]:
    from configurator.lint.registry import load_rules

    cwd = cwd or Path.cwd()
    rules = list(load_rules().values())
    index = {r.id: i for i, r in enumerate(rules)}
    descriptors = []
    for r in rules:
        descriptors.append({
            "id": r.id,
            "name": "".join(part.capitalize() for part in r.id.split("-")),
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": r.rationale},
            "help": {"text": f"{r.rationale}\n\nExample:\n{r.example}\n\nFix: {r.fix}",
                     "markdown": f"{r.rationale}\n\n**Example**\n\n```\n{r.example}\n```\n\n**Fix:** {r.fix}"},
            "helpUri": f"{INFO_URI}",
            "defaultConfiguration": {"level": _LEVEL[r.severity]},
            "properties": {"tags": [k for k in r.kinds], "autofix": r.autofix},
        })
    owner = {id(f): fr for fr in report.files for f in fr.findings}
    results = []
    for f in report.findings:
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": _artifact(f.file, cwd),
                "region": {"startLine": f.line, "startColumn": f.column},
            }}],
        }
        fix = _sarif_fix(f, owner.get(id(f)), cwd)
        if fix is not None:
            result["fixes"] = [fix]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": TOOL_NAME, "version": __version__, "semanticVersion": __version__,
                                "informationUri": INFO_URI, "rules": descriptors}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": cwd.resolve().as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def sarif(report: LintReport) -> str:
    return json.dumps(sarif_data(report), indent=2, ensure_ascii=False)


REPORTERS: dict[str, Callable[..., Any]] = {"text": text, "json": json_data, "github": github, "sarif": sarif}
