"""Reporters, registered by name in :data:`REPORTERS`: ``text``, ``json``, ``github`` (workflow commands)
and ``sarif`` (SARIF 2.1.0). ``--format`` offers exactly these names."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, ClassVar, Literal

from configurator import __version__
from configurator.lint.findings import FileResult, Finding, FixResult, LintReport
from configurator.text import LineIndex

ReporterName = Literal["text", "json", "github", "sarif"]
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


class Reporter:
    """Turns a :class:`LintReport` into what ``configurator lint --format NAME`` prints."""

    name: ClassVar[ReporterName]
    #: True: the report goes out as the versioned JSON envelope (:meth:`data`), not as text
    envelope: ClassVar[bool] = False

    def __init__(self, *, color: bool | None = None, cwd: Path | None = None) -> None:
        self.color = color
        self.cwd = cwd

    def data(self, report: LintReport) -> dict[str, Any]:
        """What the JSON envelope carries (only the json reporter carries the report)."""
        return {}

    def render(self, report: LintReport) -> str:
        raise NotImplementedError


def _home_short(path: str) -> str:
    """``$HOME/.codex/config.toml`` -> ``~/.codex/config.toml`` (other paths as they are)."""
    home = os.path.expanduser("~").rstrip(os.sep)
    if home and home != "~" and path.startswith(home + os.sep):
        return "~" + path[len(home):]
    return path


def checked_line(report: LintReport) -> str:
    """``Checked 3 files: ~/.claude/settings.json, ...``: the files the run read, in the order given."""
    names = ", ".join(_home_short(fr.path) for fr in report.files)
    return f"Checked {_plural(len(report.files), 'file')}: {names}" if report.files else ""


class TextReporter(Reporter):
    name = "text"

    def render(self, report: LintReport) -> str:
        from configurator.render import use_color

        color = self.color
        if color is None:
            import sys

            color = use_color(sys.stdout)
        return text(report, color=color)


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
    checked = checked_line(report)
    if checked:
        lines.append(checked)
    if not findings:
        lines.append(f"No problems found in {_plural(n_files, 'file')}.")
    else:
        counts = [_plural(report.count(s), s) for s in ("error", "warning", "info") if report.count(s)]
        fixable = sum(1 for f in findings if f.fix is not None and f.fix.safe)
        tail = f"; {fixable} fixable with --fix" if fixable else ""
        lines.append(f"Found {', '.join(counts)} in {_plural(n_files, 'file')}{tail}.")
    return "\n".join(lines)


class JsonReporter(Reporter):
    name = "json"
    envelope = True

    def data(self, report: LintReport) -> dict[str, Any]:
        return report.to_dict()

    def render(self, report: LintReport) -> str:
        return json.dumps(self.data(report), indent=2, ensure_ascii=False)


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


class GithubReporter(Reporter):
    name = "github"

    def render(self, report: LintReport) -> str:
        return github(report)


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


def _sarif_fix(finding: Finding, fr: FileResult | None, cwd: Path) -> dict[str, Any] | None:
    """The finding's safe fix as a SARIF ``fix``: one replacement in the linted text (what --fix writes)."""
    if finding.fix is None or fr is None or fr.text is None:
        return None
    from configurator.lint.fixer import replacement
    from configurator.lint.kinds import KINDS
    from configurator.store.formats import as_format

    change = replacement(fr.text, as_format(KINDS[fr.kind].fmt), finding.fix)
    if change is None:
        return None
    start, end, inserted = change
    index = LineIndex(fr.text)  # columns in code points: SARIF's ``unicodeCodePoints``
    (l1, c1), (l2, c2) = index.position(start), index.position(end)
    return {"description": {"text": finding.fix.description},
            "artifactChanges": [{"artifactLocation": _artifact(finding.file, cwd), "replacements": [{
                "deletedRegion": {"startLine": l1, "startColumn": c1, "endLine": l2, "endColumn": c2},
                "insertedContent": {"text": inserted}}]}]}


def sarif_data(report: LintReport, *, cwd: Path | None = None) -> dict[str, Any]:
    from configurator.lint.rules import load_rules

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


def sarif(report: LintReport, *, cwd: Path | None = None) -> str:
    return json.dumps(sarif_data(report, cwd=cwd), indent=2, ensure_ascii=False)


class SarifReporter(Reporter):
    name = "sarif"

    def render(self, report: LintReport) -> str:
        return sarif(report, cwd=self.cwd)


#: every reporter by name; ``--format`` offers these names, in this order
REPORTERS: dict[str, type[Reporter]] = {r.name: r for r in (TextReporter, JsonReporter, GithubReporter, SarifReporter)}
FORMATS: tuple[str, ...] = tuple(REPORTERS)


def reporter_name(value: str) -> ReporterName:
    """``value`` as a reporter name (ValueError when no reporter has it)."""
    reporter = REPORTERS.get(value)
    if reporter is None:
        raise ValueError(f"no reporter is called {value!r}; use one of: {', '.join(REPORTERS)}")
    return reporter.name
