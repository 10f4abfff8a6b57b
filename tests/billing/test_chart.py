"""The terminal chart: demand against the allowance, overflow and unmet demand marked, colour only on a tty."""

from __future__ import annotations

import datetime as dt
import json

from configurator.billing.chart import render_chart

DAYS = [dt.date(2026, 5, 1) + dt.timedelta(days=i) for i in range(5)]


def test_overflow_and_unmet_are_marked_against_the_allowance() -> None:
    chart = render_chart(DAYS, [0, 50, 100, 150, 200], allowance=100, unmet=[0, 0, 0, 0, 30], width=60, height=4)
    assert chart.splitlines()[:5] == [
        "   200 │    ×",
        "       │   ▒▒",
        "   100 │──███",
        "       │ ████",
        "     0 └─────",
    ]
    assert "2026-05-01" in chart and "2026-05-05" in chart
    assert "▒ above it" in chart and "× unmet (waits for midnight)" in chart and "─ allowance (100/day)" in chart


def test_ascii_when_the_terminal_cannot_show_blocks_and_colour_only_when_asked() -> None:
    plain = render_chart(DAYS, [0, 50, 100, 150, 200], allowance=100, width=60, height=4, unicode=False)
    assert plain.splitlines()[2] == "   100 |--###" and "█" not in plain and "\x1b[" not in plain
    coloured = render_chart(DAYS, [0, 50, 100, 150, 200], allowance=100, width=60, height=4, color=True)
    assert "\x1b[33m▒\x1b[0m" in coloured and "\x1b[36m█\x1b[0m" in coloured


def test_long_horizons_group_days_into_columns() -> None:
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    demand = [1000.0 if i != 200 else 9000.0 for i in range(365)]
    chart = render_chart(days, demand, allowance=2000, width=100, height=6)
    lines = chart.splitlines()
    assert max(len(line) for line in lines[:7]) <= 100
    assert "one column = 5 days (the busiest shown)" in chart
    assert "▒" in lines[0]  # the one heavy day still shows


def _usage(tmp_path):
    f = tmp_path / "u.csv"
    f.write_text("date,credits\n2026-05-01,600000\n2026-05-02,2500000\n", encoding="utf-8")
    return f


def test_cli_chart_has_no_colour_off_a_terminal_or_with_no_color(cli, tmp_path, monkeypatch) -> None:
    usage = _usage(tmp_path)
    out = cli("plan", "simulate", "--usage", str(usage))[1]
    assert "Daily demand against Starter's 800K daily allowance" in out and "\x1b[" not in out
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[33m" in cli("plan", "simulate", "--usage", str(usage))[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in cli("plan", "simulate", "--usage", str(usage))[1]
    assert "Daily demand" not in cli("plan", "simulate", "--usage", str(usage), "--no-chart")[1]
    assert "\x1b[" not in cli("plan", "simulate", "--usage", str(usage), "--json")[1]
    json.loads(cli("plan", "simulate", "--usage", str(usage), "--json")[1])


def test_waiting_shows_unmet_demand_in_the_chart(cli, tmp_path) -> None:
    # work now waits in a queue (issue 15): 200K of the 1M day waits one night for the next allowance
    f = tmp_path / "w.csv"
    f.write_text("date,credits\n2026-05-01,600000\n2026-05-02,1000000\n", encoding="utf-8")
    out = cli("plan", "simulate", "--usage", str(f), "--wait")[1]
    assert "Recommendation: Starter alone" in out and "× unmet (waits for midnight)" in out
