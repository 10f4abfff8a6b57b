"""`plan upgrade-cost`: the source document's example, and one clear line for anything it cannot do."""

from __future__ import annotations

import json

import pytest

BASE = ["plan", "upgrade-cost", "--from", "starter", "--to", "lite", "--purchased", "2026-04-28"]


def test_the_documented_example_through_the_cli(cli) -> None:
    code, out, err = cli(*BASE, "--on", "2026-05-14", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert {k: data[k] for k in ("cost_usd", "expires", "remaining_days", "from", "to")} == {
        "cost_usd": 4.67, "expires": "2026-05-28", "remaining_days": 14, "from": "starter", "to": "lite"}
    assert '"cost_usd": 4.67,' in out  # a JSON number with exactly two decimals
    assert data["formula"] == "($20.00 - $10.00) x 14/30 = $4.67"
    assert data["renews"] == {"on": "2026-05-28", "tier": "lite", "price_usd": 20.0}
    code, text, _ = cli(*BASE, "--on", "2026-05-14")
    assert text.startswith("Upgrade Starter → Lite on 2026-05-14: $4.67")
    assert "keeps its expiry, 2026-05-28 (14 days left)" in text and "applies from 2026-05-14" in text
    assert "Stripe" in text


@pytest.mark.parametrize(("on", "cost", "days"), [("2026-04-28", 10.0, 30), ("2026-05-27", 0.33, 1),
                                                  ("2026-05-13", 5.0, 15)])
def test_cost_over_the_period(cli, on, cost, days) -> None:
    data = json.loads(cli(*BASE, "--on", on, "--json")[1])
    assert (data["cost_usd"], data["remaining_days"], data["expires"]) == (cost, days, "2026-05-28")


@pytest.mark.parametrize(("args", "message"), [
    (["--on", "2026-04-27"], "2026-04-27 is before the period starts (2026-04-28)"),
    (["--on", "2026-05-28"], "ended at the start of 2026-05-28"),
    (["--on", "2026-06-30"], "the period containing 2026-06-30 started on 2026-06-27 (pass --purchased 2026-06-27)"),
    (["--on", "2026-05-32"], "--on '2026-05-32' is not a date; write it as YYYY-MM-DD"),
    (["--on", "2026-05-14", "--to", "starter"], "you are already on Starter"),
    (["--on", "2026-05-14", "--to", "gold"], "unknown tier 'gold'"),
])
def test_outside_the_period_or_nonsense_is_one_line_exit_2(cli, args, message) -> None:
    code, out, err = cli(*BASE, *args)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


def test_downgrade_is_one_line_exit_2(cli) -> None:
    code, out, err = cli("plan", "upgrade-cost", "--from", "Lite", "--to", "STARTER", "--purchased", "2026-04-28",
                         "--on", "2026-05-14", "--json")
    assert code == 2 and json.loads(out)["error"]["exit_code"] == 2  # --json: the error envelope on stdout
    assert err == ("error: downgrading from Lite to Starter mid-period is not allowed; it can take effect at the "
                   "renewal on 2026-05-28 (stop or change the plan before then).\n")
