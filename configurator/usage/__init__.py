"""Real usage from local agent logs: Claude Code, Codex and OpenClaw transcripts, read fast.

Public API (imports stay light until a function is called):

- :func:`build_report` — daily rows per tool and model with credits (what ``configurator usage`` shows)
- :func:`demand_trace` — daily credits and a one-line history note, for ``plan simulate --from-logs``
- :func:`repeat_weeks` / :func:`repeat_weeks_note` — repeat the observed weeks over a horizon

Modules: ``discovery`` (where the files are), ``reader`` (streaming blocks), ``claude`` / ``codex`` /
``openclaw`` (line parsers, with the sources of every field in their docstrings), ``scanner`` (the
process pool and the merge), ``report`` (credits, notes, the text table), ``trace``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_report", "demand_trace", "render_text", "repeat_weeks", "repeat_weeks_note"]


def build_report(**kwargs: Any):
    from configurator.usage.report import build

    return build(**kwargs)


def render_text(report: Any) -> str:
    from configurator.usage.report import render_text as _render

    return _render(report)


def demand_trace(*, days: int | None = None, tz: str | None = None, tools: Any = None, catalog: Any = None):
    """Daily credits ``[(date, credits), ...]`` from the local logs and a one-line note (see ``trace``)."""
    from configurator.usage.trace import demand_trace as _trace

    return _trace(days=days, tz=tz, tools=tools, catalog=catalog)


def repeat_weeks(trace: Any, horizon_days: int, *, start: Any = None):
    """Repeat the last whole observed weeks over ``horizon_days`` days (see ``trace.repeat_weeks``)."""
    from configurator.usage.trace import repeat_weeks as _repeat

    return _repeat(trace, horizon_days, start=start)


def repeat_weeks_note(trace: Any, horizon_days: int) -> str:
    from configurator.usage.trace import repeat_weeks_note as _note

    return _note(trace, horizon_days)
