"""`plan simulate`: usage CSVs, the horizon, the strategy table and the recommendation in the seed's terms."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from billing_helpers import SEED_LIKE_TOML, trace

from configurator.billing.catalog import load_catalog
from configurator.billing.report import run_simulate
from configurator.billing.simulate import advise, fit_trace
from configurator.errors import ConfiguratorError

SHAPES = {
    # the source document: steady daily use -> subscription; few heavy days -> PAYG; in between -> hybrid
    "steady": ([800_000 if i % 7 < 6 else 300_000 for i in range(28)], "starter", "steady daily use"),
    "few_heavy_days": ([8_000_000 if i % 14 == 3 else 0 for i in range(28)], "payg", "a few heavy days"),
    # issue 15: the optimizer's schedule ($44.67: a pack, Starter with a gap, an upgrade) beats Starter + PAYG ($48)
    "in_between": ([(900_000 if i % 7 < 5 else 0) * (3 if i % 7 == 2 else 1) for i in range(28)], "schedule",
                   "in between"),
}


@pytest.fixture
def seedlike(tmp_path):
    f = tmp_path / "seedlike.toml"
    f.write_text(SEED_LIKE_TOML, encoding="utf-8")
    return f


@pytest.mark.parametrize("shape", SHAPES)
def test_recommendation_follows_the_usage_shape_in_the_seeds_terms(seedlike, shape) -> None:
    values, expected, words = SHAPES[shape]
    advice = advise(trace(values), load_catalog(seedlike), horizon_days=90)
    assert advice.recommended.key == expected
    text = " ".join(advice.reasons)
    assert words in text
    assert "steady daily use → a subscription; a few heavy days → PAYG; in between → a subscription sized to " \
           "typical days with PAYG packs as overflow" in text
    # verified figures: nothing to warn about
    assert advice.unverified() == []


def test_every_strategy_is_reported_with_its_figures(cli, tmp_path) -> None:
    usage = tmp_path / "u.csv"
    usage.write_text("date,credits\n" + "".join(f"2026-05-{d:02d},{v}\n" for d, v in
                                                [(1, 600000), (2, 2500000), (3, 0), (4, 700000)]), encoding="utf-8")
    code, out, err = cli("plan", "simulate", "--usage", str(usage), "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["command"] == "plan simulate" and data["version"] == 1 and data["horizon_days"] == 90
    assert [s["key"] for s in data["strategies"]] == ["payg", "starter", "lite", "starter+payg", "lite+payg"]
    for s in data["strategies"]:
        for key in ("total_cost_usd", "cost_per_month_usd", "usd_per_million_credits_used", "wasted_allowance",
                    "expired_credits", "unmet_days", "first_unmet_date", "left_at_end", "packs_bought"):
            assert key in s
    starter = next(s for s in data["strategies"] if s["key"] == "starter")
    assert starter["unmet_days"] > 0 and starter["first_unmet_date"] == "2026-05-02"
    assert starter["total_cost_usd"] == 30.0 and starter["cost_per_month_usd"] == 10.0
    assert data["recommendation"]["covers_every_day"] is True
    assert "repeated 22.5 times to fill the 90-day horizon" in data["trace_notes"][0]
    assert len(data["daily"]) == 90 and data["daily"][1]["demand"] == 2_500_000
    # unverified figures are declared, and a copy to edit is offered (never the installed file)
    assert "tiers.starter.daily_credits" in data["catalog"]["unverified_figures"]
    assert any("--export FILE" in n and "not confirmed" in n and "atlascloud.toml" not in n for n in data["notes"])
    assert data["reference_price_comparison"] == {"usd": None, "is_a_plan": False,
                                                  "why_not": "the usage file gives credits per day, not tokens"}
    code, text, _ = cli("plan", "simulate", "--usage", str(usage))
    assert "Recommendation:" in text and "[from unverified figures]" in text
    assert "is repeated 22.5 times" in text and "atlascloud.toml" not in text
    assert "No comparison with Atlas Cloud's reference token prices: the usage file gives credits" in text
    assert "atlascloud.toml" in cli("plan", "simulate", "--usage", str(usage), "--verbose")[1]
    for label in ("PAYG only", "Starter alone", "Lite alone", "Starter + PAYG", "Lite + PAYG"):
        assert label in text


def test_verified_catalog_prints_no_unverified_warning(cli, tmp_path, seedlike) -> None:
    usage = tmp_path / "u.csv"
    usage.write_text("date,credits\n2026-05-01,900000\n", encoding="utf-8")
    code, out, _ = cli("plan", "simulate", "--usage", str(usage), "--catalog", str(seedlike))
    assert code == 0 and "unverified" not in out and "not confirmed" not in out


def test_wait_allows_a_cheaper_plan_that_stops_until_midnight(cli, tmp_path) -> None:
    usage = tmp_path / "u.csv"
    usage.write_text("date,credits\n2026-05-01,900000\n2026-05-02,700000\n", encoding="utf-8")
    strict = json.loads(cli("plan", "simulate", "--usage", str(usage), "--json")[1])
    relaxed = json.loads(cli("plan", "simulate", "--usage", str(usage), "--json", "--wait")[1])
    assert strict["recommendation"]["covers_every_day"] is True
    assert relaxed["accept_waiting"] is True and relaxed["recommendation"]["strategy"] == "starter"
    assert relaxed["recommendation"]["total_cost_usd"] < strict["recommendation"]["total_cost_usd"]
    assert "wait" in relaxed["recommendation"]["reason"]


def test_start_and_days_lay_the_trace_out(cli, tmp_path) -> None:
    usage = tmp_path / "u.csv"
    usage.write_text("date,credits\n2026-01-01,1000\n2026-01-03,3000\n", encoding="utf-8")
    data = json.loads(cli("plan", "simulate", "--usage", str(usage), "--json", "--start", "2026-06-01",
                          "--days", "7")[1])
    assert data["start"] == "2026-06-01" and data["horizon_days"] == 7
    assert [d["demand"] for d in data["daily"]] == [1000, 0, 3000, 1000, 0, 3000, 1000]
    assert [d["date"] for d in data["daily"]][:2] == ["2026-06-01", "2026-06-02"]
    # a trace longer than the horizon keeps its most recent days
    t = fit_trace(trace([1.0, 2.0, 3.0, 4.0]), horizon_days=2)
    assert t.values == [3.0, 4.0] and t.start == dt.date(2026, 5, 3) and "most recent 2" in t.notes[0]
    # and a longer trace without --days is simulated whole
    long = tmp_path / "long.csv"
    long.write_text("date,credits\n2026-01-01,5\n2026-12-31,5\n", encoding="utf-8")
    assert json.loads(cli("plan", "simulate", "--usage", str(long), "--json")[1])["horizon_days"] == 365


def test_token_csv_is_converted_with_the_catalogs_rates(cli, tmp_path) -> None:
    usage = tmp_path / "tokens.csv"
    usage.write_text(
        "Date,Model,Input_Tokens,Output_Tokens,Cache_Read_Tokens\n"
        "2026-05-01,deepseek-ai/deepseek-v4-pro,100000,10000,1000000\n"
        "2026-05-01,deepseek-v4-flash,100000,10000,\n"
        "# a comment line\n"
        "\n"
        "2026-05-02T23:30:00,DeepSeek-V4-Pro,1000,0,0\n", encoding="utf-8")
    data = json.loads(cli("plan", "simulate", "--usage", str(usage), "--json", "--days", "2")[1])
    day1 = 100000 * 2.18 + 10000 * 6.53 + 1000000 * 0.22 + 100000 * 0.73 + 10000 * 2.18
    assert data["daily"][0]["demand"] == pytest.approx(day1)
    assert data["daily"][1]["demand"] == pytest.approx(2180)
    assert "tokens per model" in data["source"]
    assert "models.deepseek-v4-pro.credits_per_token.input" in data["catalog"]["unverified_figures"]


MALFORMED = [
    ("", 1, "the file is empty"),
    ("date,credits\n", 1, "no data rows"),
    ("day,credits\n2026-05-01,5\n", 1, "unknown column 'day'"),
    ("date,credits,credits\n", 1, "appears twice"),
    ("date,model,input_tokens\n", 1, "the header must be"),
    ("date,credits\n2026-05-01,5\n14/05/2026,5\n", 3, "'14/05/2026' is not a date"),
    ("date,credits\n2026-05-01,5\n2026-05-02,lots\n", 3, "credits is 'lots', not a number"),
    ("date,credits\n2026-05-01,-5\n", 2, "must be a number >= 0"),
    ("date,credits\n2026-05-01,nan\n", 2, "must be a number >= 0"),
    ("date,credits\n2026-05-01,5,6\n", 2, "expected 2 fields"),
    ("date,credits\n\n\n2026-05-01\n", 4, "expected 2 fields"),
    ("date,model,input_tokens,output_tokens\n2026-05-01,gpt-9,1,1\n", 2, "unknown model 'gpt-9'"),
    ("date,model,input_tokens,output_tokens\n2026-05-01,deepseek-v4-pro,1.5,1\n", 2, "whole numbers"),
    ("date,model,input_tokens,output_tokens\n2026-05-01,deepseek-v4-pro,,1\n", 2, "input_tokens is empty"),
    ("date,model,input_tokens,output_tokens\n2026-05-01,,1,1\n", 2, "the model is empty"),
    ('date,credits\n2026-05-01,"5\n', 2, "not valid CSV"),
]


@pytest.mark.parametrize(("text", "line", "message"), MALFORMED, ids=[m[2] for m in MALFORMED])
def test_malformed_csv_is_one_line_with_the_line_number(cli, tmp_path, text, line, message) -> None:
    usage = tmp_path / "bad.csv"
    usage.write_text(text, encoding="utf-8")
    code, out, err = cli("plan", "simulate", "--usage", str(usage))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"error: {usage}:{line}: ") and message in err


def test_unreadable_inputs_are_one_line(cli, tmp_path) -> None:
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(b"date,credits\n2026-05-01,5 caf\xe9\n")
    for args, message in [
        (["--usage", str(bad)], f"{bad}:2: the file is not valid UTF-8"),
        (["--usage", str(tmp_path / "missing.csv")], "does not exist"),
        ([], "pass --usage FILE.csv"),
        (["--usage", str(bad), "--start", "2026-02-30"], "--start '2026-02-30' is not a date"),
    ]:
        code, out, err = cli("plan", "simulate", *args)
        assert code == 2 and out == "" and err.count("\n") == 1 and message in err, (args, err)


def test_run_simulate_is_the_entry_for_any_demand_source() -> None:
    demand = trace([400_000.0] * 10)
    result = run_simulate(demand, load_catalog(), source_note="local agent logs (10 days)", horizon_days=30)
    data = result.envelope()
    assert data["command"] == "plan simulate" and data["source"] == "local agent logs (10 days)"
    assert data["horizon_days"] == 30 and data["recommendation"]["strategy"] == "starter"
    assert "Plan advice for local agent logs (10 days)" in result.human()
    with pytest.raises(ConfiguratorError, match="empty"):
        run_simulate([], load_catalog(), source_note="nothing")


def test_money_is_exact_and_rounded_half_up_to_cents() -> None:
    advice = advise(trace([100.0] * 7), load_catalog(), horizon_days=7)
    starter = advice.result("starter")
    assert starter.total_cost == Decimal("10.0")
    assert starter.cost_per_month == Decimal("42.86")  # 10 × 30 / 7 = 42.857…
    assert isinstance(starter.usd_per_million_used, Decimal)


@pytest.mark.parametrize(("toml", "strategies", "says"), [
    ('[packs.p]\nprice_usd = 50\ncredits = 100_000_000\n', ["payg"], "no subscription tiers"),
    ('[tiers.t]\nprice_usd = 5\ndaily_credits = 2_000_000\n', ["t"], "No strategy in this catalog covers every day"),
])
def test_catalogs_with_only_tiers_or_only_packs(cli, tmp_path, toml, strategies, says) -> None:
    cat = tmp_path / "c.toml"
    cat.write_text(toml, encoding="utf-8")
    usage = tmp_path / "u.csv"
    usage.write_text("date,credits\n2026-05-01,1000000\n2026-05-02,3000000\n", encoding="utf-8")
    data = json.loads(cli("plan", "simulate", "--usage", str(usage), "--catalog", str(cat), "--json")[1])
    assert [s["key"] for s in data["strategies"]] == strategies and says in data["recommendation"]["reason"]
    code, text, _ = cli("plan", "simulate", "--usage", str(usage), "--catalog", str(cat))
    assert code == 0 and "Recommendation:" in text and str(cat) in text


TIMESTAMPS = ("date,model,input_tokens,output_tokens\n"
              "2026-05-01T20:30:00Z,deepseek-v4-pro,100000,10000\n"   # 04:30 on 05-02 in Shanghai
              "2026-05-01T10:00:00+00:00,deepseek-v4-pro,100000,10000\n"  # 18:00 on 05-01 in Shanghai
              "2026-05-03,deepseek-v4-pro,100000,10000\n")  # a date: taken as given


@pytest.mark.parametrize(("zone", "days", "offset"), [
    ("Asia/Shanghai", {"2026-05-01": 1, "2026-05-02": 1, "2026-05-03": 1}, "UTC+08:00"),
    ("UTC", {"2026-05-01": 2, "2026-05-03": 1}, "UTC+00:00"),
    ("America/Los_Angeles", {"2026-05-01": 2, "2026-05-03": 1}, "UTC-07:00"),
])
def test_timezone_moves_csv_timestamps_to_that_zones_days(cli, tmp_path, zone, days, offset) -> None:
    usage = tmp_path / "usage.csv"
    usage.write_text(TIMESTAMPS, encoding="utf-8")
    args = ("plan", "simulate", "--usage", str(usage), "--timezone", zone, "--days", "3")
    code, out, err = cli(*args, "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    one = 100000 * 2.18 + 10000 * 6.53  # credits of one row
    got = {d["date"]: round(d["demand"] / one) for d in data["daily"] if d["demand"]}
    assert got == days
    assert data["day_boundary"].startswith(f"Days run midnight to midnight in {zone} ({offset} on ")
    text = cli(*args, "--no-chart")[1]
    flat = " ".join(text.split())
    assert flat.count("Days run midnight to midnight") == 1  # printed once
    assert "2 timestamps with a UTC offset were moved to their day there" in flat
    assert "dates without a time are taken as given" in flat
    # tokens given: the reference-price comparison is there, and labelled as not a plan
    assert data["reference_price_comparison"]["is_a_plan"] is False and data["reference_price_comparison"]["usd"] > 0
    assert "(not a plan you can buy here)" in flat


@pytest.mark.parametrize("source", [("--usage", "{usage}"), ("--from-logs",)])
def test_an_unknown_timezone_is_one_sentence(cli, tmp_path, source) -> None:
    usage = tmp_path / "usage.csv"
    usage.write_text("date,credits\n2026-05-01,5\n", encoding="utf-8")
    args = [a.replace("{usage}", str(usage)) for a in source]
    code, out, err = cli("plan", "simulate", *args, "--timezone", "Mars/Olympus")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("error: unknown time zone 'Mars/Olympus': use an IANA name")


def test_waiting_table_says_how_long_work_waited(cli, tmp_path) -> None:
    """With --wait the last column counts the days that ended with work waiting, and the longest wait."""
    usage = tmp_path / "usage.csv"
    usage.write_text("date,credits\n" + "".join(f"2026-05-{d:02d},{1_200_000 if d % 2 else 0}\n"
                                                  for d in range(1, 31)), encoding="utf-8")
    code, out, err = cli("plan", "simulate", "--usage", str(usage), "--wait", "--days", "30", "--no-chart")
    assert code == 0, err
    head = next(line for line in out.splitlines() if "Strategy" in line)
    assert head.rstrip().endswith("Days work waited") and "Unmet days" not in out
    starter = next(line for line in out.splitlines() if "Starter alone" in line)
    assert starter.rstrip().endswith("15 (from 2026-05-01, longest 1 day)")


def test_from_logs_prints_the_day_boundary_once(cli, home) -> None:
    record = {"parentUuid": None, "isSidechain": False, "type": "assistant", "sessionId": "s-1",
              "version": "2.1.332", "timestamp": "2026-10-05T20:00:00.000Z", "requestId": "req_1",
              "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "deepseek-ai/deepseek-v4-pro",
                          "content": [{"type": "text", "text": "done"}],
                          "usage": {"input_tokens": 1000, "output_tokens": 0, "cache_creation_input_tokens": 0,
                                    "cache_read_input_tokens": 0}}}
    path = home / ".claude" / "projects" / "-home-dev-app" / "s-1.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(record, separators=(",", ":")) + "\n")
    args = ("plan", "simulate", "--from-logs", "--timezone", "Asia/Shanghai", "--days", "7")
    code, out, err = cli(*args, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["history"][0]["date"] == "2026-10-06"  # 20:00 UTC is 04:00 the next day in Shanghai
    assert data["day_boundary"].startswith("Days run midnight to midnight in Asia/Shanghai (UTC+08:00")
    text = cli(*args, "--no-chart")[1]
    assert text.splitlines()[0].startswith("Plan advice for your agent logs")
    assert " ".join(text.split()).count("Days run midnight to midnight in Asia/Shanghai") == 1
