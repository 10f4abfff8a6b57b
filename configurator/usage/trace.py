"""Real usage as a demand trace for the plan simulator, and repeating it over a horizon."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from configurator.errors import ConfiguratorError

if TYPE_CHECKING:
    from configurator.usage.report import Report

#: credits per local day, oldest first
DailyCredits = list[tuple[_dt.date, float]]


def demand_trace(*, days: int | None = None, tz: str | None = None, tools: Iterable[str] | str | None = None,
                 catalog: Any = None, env: Mapping[str, str] | None = None,
                 progress: bool | None = None) -> tuple[DailyCredits, str]:
    """Daily credits from the local agent logs, and a one-line note on the history they come from.

    The trace runs from the first to the last day with usage (days without usage are 0.0), in the
    time zone ``tz`` (default: the system zone); ``days=N`` keeps the last N days of it. Credits come
    from the plan catalog (``catalog``: None for the bundled one, a path, or a loaded catalog);
    requests of models without a rate are left out and named in the note.

    Raises ConfiguratorError (exit 2, one clear sentence) when there is no usage, or when no model
    in the logs has a credit rate.
    """
    from configurator.usage.report import build

    if days is not None and days < 1:
        raise ConfiguratorError(f"--days must be at least 1 (got {days}).")
    report = build(tz=tz, tools=tools, catalog=catalog, env=env, progress=progress)
    trace, note, _ = trace_from_report(report, days)
    return trace, note


def trace_from_report(report: Report, days: int | None = None) -> tuple[DailyCredits, str, list[str]]:
    """(daily credits, note, models that were priced) from a usage report; see :func:`demand_trace`."""
    if not report.rows:
        looked = ", ".join(p for roots in report.scan["roots"].values() for p in roots) or \
            "~/.claude, ~/.config/claude, ~/.codex, ~/.openclaw and ~/.local/share/opencode"
        raise ConfiguratorError(f"no usage found in local agent logs (looked in {looked}): use the agents first, "
                                "or simulate from a file with --usage FILE.csv.")
    per_day: dict[str, float] = {}
    priced = 0
    models: set[str] = set()
    for row in report.rows:
        per_day.setdefault(row["date"], 0.0)
        if row["credits"] is not None:
            per_day[row["date"]] += row["credits"]
            priced += 1
            models.add(row["model"])
    if priced == 0:
        names = ", ".join(sorted(report.unknown_models))
        raise ConfiguratorError(f"cannot turn the logs into credits: no model in the logs ({names}) has a credit "
                                "rate in the plan catalog. Add the models' rates to the catalog (--catalog FILE).")
    first = _dt.date.fromisoformat(min(per_day))
    last = _dt.date.fromisoformat(max(per_day))
    if days is not None:
        first = max(first, last - _dt.timedelta(days=days - 1))
    trace: DailyCredits = []
    day = first
    while day <= last:
        trace.append((day, round(per_day.get(day.isoformat(), 0.0), 6)))
        day += _dt.timedelta(days=1)
    note = report.history_note
    if days is not None:
        note += f"; using the last {len(trace)} day{'s' if len(trace) != 1 else ''} ({first} to {last})"
    if report.unknown_models:
        n = sum(report.unknown_models.values())
        note += (f"; {n:,} request{'s' if n != 1 else ''} of models without a credit rate left out "
                 f"({', '.join(sorted(report.unknown_models))})")
    return trace, note, sorted(models)


def simulate_from_logs(*, catalog: Any, horizon_days: int | None = None, history_days: int | None = None,
                       tz: str | None = None, tools: Any = None, accept_waiting: bool = False,
                       chart: bool = True, progress: bool | None = None, use_cache: bool = False) -> Any:
    """`plan simulate --from-logs`: the real history, its observed weeks repeated over the horizon,
    through the same advice as every other plan command."""
    from configurator.billing.report import run_simulate
    from configurator.usage.report import build

    if history_days is not None and history_days < 1:
        raise ConfiguratorError(f"--history-days must be at least 1 (got {history_days}).")
    report = build(tz=tz, tools=tools, catalog=catalog, progress=progress, use_cache=use_cache)
    trace, note, models = trace_from_report(report, history_days)
    horizon = horizon_days or 90
    start = trace[-1][0] + _dt.timedelta(days=1)
    demand = repeat_weeks(trace, horizon, start=start)
    source = f"your agent logs: {note}; {repeat_weeks_note(trace, horizon)}"
    return run_simulate(demand, catalog, source_note=source, horizon_days=horizon, start=start,
                        accept_waiting=accept_waiting, models_used=models, chart=chart,
                        extra={"history": [{"date": d.isoformat(), "credits": c} for d, c in trace]})


def _filled(trace: Iterable[tuple[_dt.date, float]]) -> DailyCredits:
    values: dict[_dt.date, float] = {}
    for day, credits in trace:
        values[day] = values.get(day, 0.0) + float(credits)
    if not values:
        raise ValueError("the trace is empty")
    first, last = min(values), max(values)
    out: DailyCredits = []
    day = first
    while day <= last:
        out.append((day, values.get(day, 0.0)))
        day += _dt.timedelta(days=1)
    return out


def _pattern(trace: DailyCredits) -> DailyCredits:
    whole = len(trace) // 7 * 7
    return trace[-whole:] if whole else trace


def repeat_weeks(trace: Iterable[tuple[_dt.date, float]], horizon_days: int, *,
                 start: _dt.date | None = None) -> DailyCredits:
    """``horizon_days`` days of demand from ``start`` (default: the day after the trace), repeating
    the last whole weeks observed (all of the trace if it is shorter than a week).

    Each day takes the value of the observed day a whole number of pattern lengths away, so a
    Monday is always filled from an observed Monday. Missing days inside the trace count as 0.
    """
    if horizon_days < 0:
        raise ValueError("horizon_days must be >= 0")
    filled = _filled(trace)
    pattern = _pattern(filled)
    origin = pattern[0][0]
    begin = start or filled[-1][0] + _dt.timedelta(days=1)
    n = len(pattern)
    return [(begin + _dt.timedelta(days=i), pattern[((begin - origin).days + i) % n][1]) for i in range(horizon_days)]


def repeat_weeks_note(trace: Iterable[tuple[_dt.date, float]], horizon_days: int) -> str:
    """How :func:`repeat_weeks` filled the horizon, in one line (for the simulator's output)."""
    filled = _filled(trace)
    pattern = _pattern(filled)
    first, last = pattern[0][0], pattern[-1][0]
    if len(pattern) % 7:
        return (f"the {len(pattern)} observed day{'s' if len(pattern) != 1 else ''} ({first} to {last}) repeated "
                f"over {horizon_days} days (less than a week of history: weekdays are not aligned)")
    weeks = len(pattern) // 7
    return (f"the last {weeks} observed week{'s' if weeks != 1 else ''} ({first} to {last}) repeated over "
            f"{horizon_days} days, weekday by weekday")
