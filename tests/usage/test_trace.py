"""The demand trace handed to ``plan simulate --from-logs`` and repeating observed weeks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.errors import ConfiguratorError
from configurator.usage.trace import demand_trace, repeat_weeks, repeat_weeks_note

CATALOG = str(Path(__file__).parent / "fixtures" / "catalog.toml")
D = dt.date


def test_demand_trace_credits_per_local_day(logs: Path) -> None:
    trace, note = demand_trace(tz="America/Los_Angeles", catalog=CATALOG)
    # test catalog: deepseek-v4-pro 2/4/0.5/3 and gpt-5-codex 1/8/0.25/1 credits per input/output/read/write token
    assert trace == [
        (D(2026, 9, 30), 0.0),  # only deepseek-v4-flash, which has no rate: a day with usage but no credits
        # Codex gpt-5-codex 800 in, 130 out, 700 read; OpenClaw deepseek-v4-pro 103 in, 63 out, 1000 read
        (D(2026, 10, 1), (800 + 130 * 8 + 700 * 0.25) + (103 * 2 + 63 * 4 + 1000 * 0.5)),
        # Claude Code deepseek-v4-pro 2 in, 4 out, 10 read; Codex gpt-5-codex 700 in, 70 out, 800 read
        (D(2026, 10, 2), (2 * 2 + 4 * 4 + 10 * 0.5) + (700 + 70 * 8 + 800 * 0.25)),
    ]
    assert note == ("3 days of history from 2026-09-30 to 2026-10-02 (Claude Code keeps 30 days by default); "
                    "4 lines skipped; 8 requests of models without a credit rate left out (claude-haiku-4-5-20251001, "
                    "claude-sonnet-4-5-20250929, deepseek-v4-flash, gpt-5.1-codex)")


def test_demand_trace_last_days_and_tools(logs: Path) -> None:
    trace, note = demand_trace(days=1, tz="America/Los_Angeles", tools=["codex"], catalog=CATALOG)
    assert trace == [(D(2026, 10, 2), 700 + 70 * 8 + 800 * 0.25)]
    assert note.startswith("2 days of history from 2026-10-01 to 2026-10-02; 1 line skipped; using the last 1 day")


def test_demand_trace_fills_days_without_usage(home: Path, install) -> None:
    install(home, codex=False, openclaw=False)
    trace, _ = demand_trace(tz="UTC", catalog=CATALOG)
    # deepseek-v4-pro on 10-03 only; the other Claude models have no rate but their days are kept
    assert trace == [(D(2026, 10, 1), 0.0), (D(2026, 10, 2), 0.0), (D(2026, 10, 3), 25.0)]


def test_demand_trace_without_usage_or_rates_is_a_clear_error(home: Path, install) -> None:
    with pytest.raises(ConfiguratorError, match="no usage found in local agent logs"):
        demand_trace(catalog=CATALOG)
    install(home, claude=False, codex=False)
    with pytest.raises(ConfiguratorError, match="cannot turn the logs into credits"):
        demand_trace(tools="openclaw", catalog=Path(__file__).parent / "fixtures" / "catalog-empty.toml")
    with pytest.raises(ConfiguratorError, match="--days must be at least 1"):
        demand_trace(days=0)


def test_repeat_weeks_keeps_weekdays() -> None:
    # 10 observed days from Thursday 2026-10-01: the pattern is the last 7 (Sun 10-04 .. Sat 10-10)
    trace = [(D(2026, 10, 1) + dt.timedelta(days=i), float(i)) for i in range(10)]
    out = repeat_weeks(trace, 9)
    assert [d for d, _ in out] == [D(2026, 10, 11) + dt.timedelta(days=i) for i in range(9)]
    assert [v for _, v in out] == [3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 3.0, 4.0]
    assert repeat_weeks_note(trace, 9) == ("the last 1 observed week (2026-10-04 to 2026-10-10) repeated over 9 days, "
                                           "weekday by weekday")


def test_repeat_weeks_short_history_and_gaps() -> None:
    trace = [(D(2026, 10, 1), 5.0), (D(2026, 10, 3), 7.0)]  # 10-02 missing: 0
    assert repeat_weeks(trace, 4, start=D(2026, 10, 1)) == [
        (D(2026, 10, 1), 5.0), (D(2026, 10, 2), 0.0), (D(2026, 10, 3), 7.0), (D(2026, 10, 4), 5.0)]
    assert "less than a week of history" in repeat_weeks_note(trace, 4)
    with pytest.raises(ValueError):
        repeat_weeks([], 3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e9, allow_nan=False), min_size=7, max_size=60),
       st.integers(min_value=0, max_value=400), st.integers(min_value=-30, max_value=30))
def test_repeat_weeks_invariants(values: list[float], horizon: int, offset: int) -> None:
    first = D(2026, 1, 5)
    trace = [(first + dt.timedelta(days=i), v) for i, v in enumerate(values)]
    start = trace[-1][0] + dt.timedelta(days=1 + offset)
    out = repeat_weeks(trace, horizon, start=start)
    assert len(out) == horizon
    weeks = len(values) // 7 * 7
    pattern = trace[-weeks:]
    by_weekday: dict[int, set[float]] = {}
    for day, value in pattern:
        by_weekday.setdefault(day.weekday(), set()).add(value)
    for i, (day, value) in enumerate(out):
        assert day == start + dt.timedelta(days=i)
        assert value in by_weekday[day.weekday()]  # a Monday is filled from an observed Monday
    if horizon >= weeks:  # a whole cycle repeats the pattern's total exactly
        assert sum(v for _, v in out[:weeks]) == pytest.approx(sum(v for _, v in pattern))


def test_trace_feeds_the_plan_simulator(logs: Path) -> None:
    """The contract with ``plan simulate --from-logs``: the trace, repeated weekday by weekday, is a demand."""
    from configurator.billing.catalog import load_catalog
    from configurator.billing.simulate import advise

    trace, _ = demand_trace(tz="America/Los_Angeles", catalog=CATALOG)
    demand = repeat_weeks(trace, 30, start=trace[0][0])
    assert len(demand) == 30 and demand[0][0] == trace[0][0]
    advice = advise(demand, load_catalog(CATALOG))
    assert advice is not None
