"""From a scan to what a person (or the plan simulator) reads: daily rows with credits, and notes."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from configurator.agents import AGENTS
from configurator.errors import ConfiguratorError
from configurator.usage.dates import resolve_zone
from configurator.usage.discovery import CLAUDE, TOOL_NAMES, TOOLS
from configurator.usage.scanner import ScanResult, scan

if TYPE_CHECKING:
    from configurator.billing.catalog import Catalog
    from configurator.usage.costs import PlanChoice, Pricing

#: what ``usage --by`` groups the rows by
GROUPINGS = ("day", "project")

#: Claude Code deletes transcripts older than this many days unless ``cleanupPeriodDays`` says otherwise
CLAUDE_DEFAULT_CLEANUP_DAYS = 30

#: every name `usage --tool` takes: each agent's id and its aliases
_TOOL_ALIASES = {name: a.id for a in AGENTS.values() if a.usage is not None
                 for name in (a.id, *a.usage.aliases)}


def _one_of(ids: tuple[str, ...]) -> str:
    return ", ".join(ids[:-1]) + " or " + ids[-1] if len(ids) > 1 else ids[0]


def normalize_tools(tools: Iterable[str] | str | None) -> tuple[str, ...]:
    """``None`` -> all tools; names may be given as a list or comma-separated (``claude-code,codex``)."""
    if tools is None:
        return TOOLS
    if isinstance(tools, str):
        tools = [tools]
    chosen: list[str] = []
    for item in tools:
        for name in str(item).split(","):
            key = name.strip().lower()
            if not key:
                continue
            if key not in _TOOL_ALIASES:
                raise ConfiguratorError(f"unknown tool {name.strip()!r}: use {_one_of(TOOLS)}.")
            if _TOOL_ALIASES[key] not in chosen:
                chosen.append(_TOOL_ALIASES[key])
    return tuple(t for t in TOOLS if t in chosen) or TOOLS


@dataclass
class CatalogView:
    """Credits per row from the plan catalog (None for a model without a rate), computed once per row."""

    catalog: Catalog
    cache: dict[tuple[str, int, int, int, int], float | None] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return str(self.catalog.path)

    def credits(self, model: str, inp: int, cr: int, cw: int, out: int) -> float | None:
        key = (model, inp, cr, cw, out)
        if key not in self.cache:
            value = self.catalog.credits_for(model, input_tokens=inp, output_tokens=out, cache_read_tokens=cr,
                                             cache_write_tokens=cw)
            self.cache[key] = None if value is None else float(value)
        return self.cache[key]


def open_catalog(catalog: Catalog | str | Path | None) -> CatalogView:
    """``catalog``: None (the bundled catalog), a path, or an already loaded catalog."""
    from configurator.billing.catalog import Catalog, load_catalog

    return CatalogView(catalog if isinstance(catalog, Catalog) else load_catalog(catalog))


def claude_cleanup_days(env: Mapping[str, str] | None = None) -> tuple[int, bool, str | None]:
    """(days, set explicitly?, problem) from ``cleanupPeriodDays`` in Claude Code's user settings."""
    from configurator import paths, store
    from configurator.errors import ParseError

    path = paths.claude_settings(env)
    try:
        doc = store.read_document(path)
    except (ParseError, ConfiguratorError) as e:
        return CLAUDE_DEFAULT_CLEANUP_DAYS, False, f"{path} could not be read ({e}); assuming Claude Code's default"
    value = doc.data.get("cleanupPeriodDays") if isinstance(doc.data, dict) else None
    if type(value) is int and value >= 0:
        return value, True, None
    return CLAUDE_DEFAULT_CLEANUP_DAYS, False, None


@dataclass
class Report:
    timezone: str
    since: str | None
    until: str | None
    tools: tuple[str, ...]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    history: dict[str, Any]
    skipped: dict[str, int]
    files: dict[str, int]
    warnings: list[str]
    notes: list[str]
    scan: dict[str, Any]
    history_note: str
    unknown_models: dict[str, int]
    by: str = "day"
    #: the cost columns' labels and what they rest on (:meth:`configurator.usage.costs.Pricing.to_data`)
    costs: dict[str, Any] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone, "since": self.since, "until": self.until, "tools": list(self.tools),
            "by": self.by, "rows": self.rows, "totals": self.totals, "costs": self.costs, "history": self.history,
            "skipped": self.skipped, "files": self.files, "warnings": self.warnings, "scan": self.scan,
        }


def _days_between(first: str, last: str) -> int:
    return (_dt.date.fromisoformat(last) - _dt.date.fromisoformat(first)).days + 1


def history_note(result: ScanResult, tools: tuple[str, ...], cleanup: tuple[int, bool, str | None]) -> str:
    """One line: how much history was found, and how long Claude Code keeps it."""
    spans = [span for tool, span in result.span.items() if tool in tools]
    days, explicit, _ = cleanup
    keeps = (f"Claude Code keeps {days} days: cleanupPeriodDays in its settings.json" if explicit
             else f"Claude Code keeps {days} days by default")
    if not spans:
        text = "no usage found in local agent logs"
        return text + (f" ({keeps})" if CLAUDE in tools else "")
    first = min(s[0] for s in spans)
    last = max(s[1] for s in spans)
    n = _days_between(first, last)
    text = f"{n} day{'s' if n != 1 else ''} of history from {first} to {last}"
    if CLAUDE in tools:
        text += f" ({keeps})"
    return text


def build(*, since: _dt.date | None = None, until: _dt.date | None = None, tz: str | None = None,
          tools: Iterable[str] | str | None = None, catalog: Any = None, env: Mapping[str, str] | None = None,
          progress: bool | None = None, workers: int | None = None, use_cache: bool = False, by: str = "day",
          plan: PlanChoice | None = None) -> Report:
    """``by``: ``day`` (rows per day, tool and model) or ``project`` (rows per project, all days and
    models together). ``plan``: the plan whose price per credit gives the ``plan $`` figures (None: no
    plan $ figures, and a note saying how to set one)."""
    from configurator.usage.costs import Pricing

    if by not in GROUPINGS:
        raise ConfiguratorError(f"--by {str(by)[:40]!r} is not a grouping: use day or project.")
    chosen = normalize_tools(tools)
    zone = resolve_zone(tz)
    if since and until and since > until:
        raise ConfiguratorError(f"--since {since} is after --until {until}: swap them.")
    if isinstance(catalog, (str, Path)) and not Path(catalog).expanduser().is_file():
        open_catalog(catalog)  # the catalog's own one-line error, before a long scan
    side: dict[str, Any] = {}
    if plan is not None and plan.source == "--plan":  # a tier the catalog does not have: say so before the scan
        side["view"] = open_catalog(catalog)
        side["pricing"] = Pricing.of(side["view"].catalog, plan)

    def meanwhile() -> None:
        # runs in this process while the workers read the logs
        if "view" not in side:
            side["view"] = open_catalog(catalog)
        side["cleanup"] = (claude_cleanup_days(env) if CLAUDE in chosen
                           else (CLAUDE_DEFAULT_CLEANUP_DAYS, False, None))

    result = scan(zone=zone, tools=chosen, env=env, progress=progress, workers=workers, meanwhile=meanwhile,
                  use_cache=use_cache, by_project=by == "project")
    if "cleanup" not in side:
        meanwhile()
    view: CatalogView = side["view"]
    cleanup = side["cleanup"]
    pricing: Pricing = side.get("pricing") or _pricing(view, plan, side)

    lo = since.isoformat() if since else None
    hi = until.isoformat() if until else None
    unknown: dict[str, int] = {}
    if by == "project":
        rows, totals = _project_rows(result, view, pricing, lo, hi, unknown)
    else:
        rows, totals = _day_rows(result, view, pricing, lo, hi, unknown)

    warnings: list[str] = []
    for model, n in sorted(unknown.items()):
        warnings.append(f"no credit rate for model {model!r} ({n:,} request{'s' if n != 1 else ''}): its credits are "
                        f"null. Add its rates to {view.source} or pass --catalog FILE.")

    notes: list[str] = []
    note = history_note(result, chosen, cleanup)
    notes.append(note)
    if "plan_note" in side:
        notes.append(side["plan_note"])
    elif pricing.plan is None:
        notes.append("no plan $ column: pass --plan TIER (a tier of the catalog, or none for packs only), or save "
                     "your plan on the active Claude Code profile.")
    notes.extend(pricing.notes())
    if cleanup[2]:
        notes.append(cleanup[2] + ".")
    if CLAUDE in chosen and CLAUDE in result.span:
        first, last = result.span[CLAUDE]
        if _days_between(first, last) >= cleanup[0] - 1 and cleanup[0] > 0:
            notes.append(f"Claude Code deletes transcripts older than {cleanup[0]} days, so older usage is gone; "
                         "raise cleanupPeriodDays in ~/.claude/settings.json to keep more history.")
    if result.skipped_lines:
        n = result.skipped_lines
        notes.append(f"{n:,} line{'s' if n != 1 else ''} skipped in {result.files_with_skips:,} "
                     f"file{'s' if result.files_with_skips != 1 else ''} (not valid JSON, or a usage record with "
                     "missing or malformed fields).")
    if result.unreadable_files:
        n = result.unreadable_files
        were = "files were" if n != 1 else "file was"
        notes.append(f"{n:,} {were} left out: not readable (permission denied, removed while reading, or not a "
                     "regular file).")
    notes.extend(result.notes)
    if not any(result.files.values()):
        looked = [p for tool in chosen for p in result.roots.get(tool, [])]
        notes.append("no transcripts found" + (f" in {', '.join(looked)}" if looked else
                                                " (looked in ~/.claude, ~/.config/claude, ~/.codex, ~/.openclaw, "
                                                "~/.local/share/opencode)"))

    history: dict[str, Any] = {"note": note, "first_date": None, "last_date": None, "days": 0, "active_days": 0,
                               "by_tool": {t: {"first_date": a, "last_date": b} for t, (a, b) in
                                           sorted(result.span.items())}}
    if result.span:
        first = min(a for a, _ in result.span.values())
        last = max(b for _, b in result.span.values())
        history.update(first_date=first, last_date=last, days=_days_between(first, last),
                       active_days=len({d for d, _, _ in result.rows}))
    if CLAUDE in chosen:
        history["claude_cleanup_period_days"] = cleanup[0]
        history["claude_cleanup_period_days_set"] = cleanup[1]

    return Report(
        timezone=result.zone.label, since=lo, until=hi, tools=chosen, rows=rows, totals=totals, history=history,
        skipped={"lines": result.skipped_lines, "files": result.files_with_skips,
                 "malformed_lines": result.malformed_lines, "invalid_records": result.invalid_records,
                 "unreadable_files": result.unreadable_files},
        files=dict(result.files), warnings=warnings, notes=notes,
        scan={"files": sum(result.files.values()), "bytes": sum(result.bytes.values()),
              "seconds": round(result.seconds, 3), "workers": result.workers, "peak_rss_mb": result.peak_rss_mb,
              "cached_files": result.cached_files,
              "roots": result.roots},
        history_note=note + _skips_summary(result), unknown_models=unknown, by=by, costs=pricing.to_data(),
    )


def _pricing(view: CatalogView, plan: PlanChoice | None, side: dict[str, Any]) -> Pricing:
    """The pricing of a plan saved on a profile: a tier the catalog does not have is a note, not an error."""
    from configurator.usage.costs import Pricing

    try:
        return Pricing.of(view.catalog, plan)
    except ConfiguratorError:
        assert plan is not None
        side["plan_note"] = (f"no plan $ column: the plan {plan.tier!r} of {plan.source} is not a tier of "
                             f"{view.source}; pass --plan TIER.")
        return Pricing.of(view.catalog, None)


def _new_totals() -> dict[str, Any]:
    return {"input_tokens": 0, "cache_read_tokens": 0, "cache_write_tokens": 0, "output_tokens": 0,
            "requests": 0, "credits": 0.0, "plan_usd": 0.0, "reference_usd": 0.0}


def _price(view: CatalogView, pricing: Pricing, model: str, inp: int, cr: int, cw: int, out: int
           ) -> tuple[float | None, float | None, float | None, bool]:
    """(credits, plan $, ref $, whether ref $ prices every token) of one row of one model."""
    credits = view.credits(model, inp, cr, cw, out)
    return (credits, pricing.plan_usd(model, credits), *pricing.reference_usd(model, inp, cr, cw, out))


def _finish_totals(totals: dict[str, Any], pricing: Pricing, credits_missing: bool, ref_missing: bool) -> None:
    totals["credits"] = round(totals["credits"], 6)
    totals["credits_complete"] = not credits_missing
    totals["plan_usd"] = round(totals["plan_usd"], 6) if pricing.usd_per_credit is not None else None
    totals["reference_usd"] = round(totals["reference_usd"], 6)
    totals["reference_usd_complete"] = not ref_missing


def _add(totals: dict[str, Any], inp: int, cr: int, cw: int, out: int, requests: int) -> None:
    totals["input_tokens"] += inp
    totals["cache_read_tokens"] += cr
    totals["cache_write_tokens"] += cw
    totals["output_tokens"] += out
    totals["requests"] += requests


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _day_rows(result: ScanResult, view: CatalogView, pricing: Pricing, lo: str | None, hi: str | None,
              unknown: dict[str, int]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One row per day, tool and model."""
    rows: list[dict[str, Any]] = []
    totals = _new_totals()
    credits_missing = ref_missing = False
    for (date, tool, model), (inp, cr, cw, out, requests) in sorted(result.rows.items()):
        if (lo and date < lo) or (hi and date > hi):
            continue
        credits, plan_usd, ref_usd, ref_complete = _price(view, pricing, model, inp, cr, cw, out)
        if credits is None:
            credits_missing = True
            unknown[model] = unknown.get(model, 0) + requests
        else:
            totals["credits"] += credits
        if plan_usd is not None:
            totals["plan_usd"] += plan_usd
        if ref_usd is None or not ref_complete:
            ref_missing = True
        if ref_usd is not None:
            totals["reference_usd"] += ref_usd
        rows.append({"date": date, "tool": tool, "model": model, "input_tokens": inp, "cache_read_tokens": cr,
                     "cache_write_tokens": cw, "output_tokens": out, "requests": requests,
                     "credits": _round(credits), "plan_usd": _round(plan_usd), "reference_usd": _round(ref_usd),
                     "reference_usd_complete": ref_usd is not None and ref_complete})
        _add(totals, inp, cr, cw, out, requests)
    _finish_totals(totals, pricing, credits_missing, ref_missing)
    return rows, totals


def _project_rows(result: ScanResult, view: CatalogView, pricing: Pricing, lo: str | None, hi: str | None,
                  unknown: dict[str, int]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One row per project (every day, tool and model of it together), the most credits first."""
    from configurator.usage import projects

    names = projects.labels(sorted({k[3] for k in result.project_rows}, key=lambda k: (k is None, k or "")))
    groups: dict[str, dict[str, Any]] = {}
    totals = _new_totals()
    credits_missing = ref_missing = False
    for (date, tool, model, key), (inp, cr, cw, out, requests) in sorted(
            result.project_rows.items(), key=lambda item: (item[0][:3], item[0][3] or "")):
        if (lo and date < lo) or (hi and date > hi):
            continue
        name = names[key]
        g = groups.get(name)
        if g is None:
            g = groups[name] = {"project": name, "tools": [], "models": [], **_new_totals(),
                                "credits_complete": True, "reference_usd_complete": True}
        if tool not in g["tools"]:
            g["tools"].append(tool)
        if model not in g["models"]:
            g["models"].append(model)
        credits, plan_usd, ref_usd, ref_complete = _price(view, pricing, model, inp, cr, cw, out)
        if credits is None:
            credits_missing = True
            g["credits_complete"] = False
            unknown[model] = unknown.get(model, 0) + requests
        else:
            totals["credits"] += credits
            g["credits"] += credits
        if plan_usd is not None:
            totals["plan_usd"] += plan_usd
            g["plan_usd"] += plan_usd
        if ref_usd is None or not ref_complete:
            ref_missing = True
            g["reference_usd_complete"] = False
        if ref_usd is not None:
            totals["reference_usd"] += ref_usd
            g["reference_usd"] += ref_usd
        _add(totals, inp, cr, cw, out, requests)
        _add(g, inp, cr, cw, out, requests)
    rows = []
    for g in groups.values():
        g["tools"] = [t for t in TOOLS if t in g["tools"]] + [t for t in g["tools"] if t not in TOOLS]
        g["models"].sort()
        g["credits"] = round(g["credits"], 6)
        g["plan_usd"] = round(g["plan_usd"], 6) if pricing.usd_per_credit is not None else None
        g["reference_usd"] = round(g["reference_usd"], 6)
        rows.append(g)
    rows.sort(key=lambda g: (-g["credits"], g["project"] == projects.UNKNOWN, g["project"]))
    _finish_totals(totals, pricing, credits_missing, ref_missing)
    return rows, totals


def _skips_summary(result: ScanResult) -> str:
    """``; N lines skipped, M files left out`` for the one-line history note (empty when nothing was)."""
    parts = []
    if result.skipped_lines:
        n = result.skipped_lines
        parts.append(f"{n:,} line{'s' if n != 1 else ''} skipped")
    if result.unreadable_files:
        n = result.unreadable_files
        parts.append(f"{n:,} file{'s' if n != 1 else ''} left out")
    return "".join(f"; {p}" for p in parts)


def _fmt(n: int) -> str:
    return f"{n:,}"


def _usd(value: float | None, complete: bool = True) -> str:
    from configurator.usage.costs import money

    return ("" if complete or value is None else "≥") + money(value)


def render_text(report: Report) -> str:
    """The table a person reads: one row per day, tool and model (or per project), with the costs."""
    if not report.rows:
        span = ""
        if report.since or report.until:
            span = f" between {report.since or 'the start'} and {report.until or 'today'}"
        return f"No usage found{span} ({report.timezone} dates)."
    plan = (report.costs.get("plan") or None) if report.costs else None
    ref = (report.costs.get("reference") or {}) if report.costs else {}
    by_project = report.by == "project"
    lead = ["project", "tools"] if by_project else ["date", "tool", "model"]
    head = [*lead, "input", "cache read", "cache write", "output", "requests", "credits"]
    if plan:
        head.append("plan $")
    head.append("ref $")
    body: list[list[str]] = []
    for r in report.rows:
        credits = "—" if r["credits"] is None else f"{r['credits']:,.0f}"
        if by_project:
            credits = ("" if r["credits_complete"] else "≥") + credits
            first = [r["project"], ", ".join(TOOL_NAMES.get(t, t) for t in r["tools"])]
        else:
            first = [r["date"], TOOL_NAMES.get(r["tool"], r["tool"]), r["model"]]
        row = [*first, _fmt(r["input_tokens"]), _fmt(r["cache_read_tokens"]), _fmt(r["cache_write_tokens"]),
               _fmt(r["output_tokens"]), _fmt(r["requests"]), credits]
        if plan:
            row.append(_usd(r["plan_usd"], r.get("credits_complete", r["credits"] is not None)))
        row.append(_usd(r["reference_usd"], r["reference_usd_complete"]))
        body.append(row)
    t = report.totals
    total_credits = ("" if t["credits_complete"] else "≥") + f"{t['credits']:,.0f}"
    foot = ["total", *[""] * (len(lead) - 1), _fmt(t["input_tokens"]), _fmt(t["cache_read_tokens"]),
            _fmt(t["cache_write_tokens"]), _fmt(t["output_tokens"]), _fmt(t["requests"]), total_credits]
    if plan:
        foot.append(_usd(t["plan_usd"], t["credits_complete"]))
    foot.append(_usd(t["reference_usd"], t["reference_usd_complete"]))
    widths = [max(len(row[i]) for row in [head, *body, foot]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            out.append(cell.ljust(widths[i]) if i < len(lead) else cell.rjust(widths[i]))
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    title = (f"Token usage per project ({report.timezone} dates"
             + (f" {report.since or '…'} to {report.until or 'today'}" if report.since or report.until else "")
             + "), the most credits first; input excludes cached input." if by_project else
             f"Token usage per day ({report.timezone}); input excludes cached input.")
    lines = [title, "", line(head), rule]
    lines += [line(row) for row in body]
    lines += [rule, line(foot)]
    if plan:
        lines.append(plan["label"])
    if ref:
        lines.append(ref["label"])
    for w in report.warnings:
        lines.append(f"warning: {w}")
    return "\n".join(lines)
