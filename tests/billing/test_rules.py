"""One test per billing rule of issue 5 (rules 1-9), named after the rule."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from billing_helpers import D, catalog, pack, tier

from configurator.billing.catalog import load_catalog
from configurator.billing.rules import (
    DowngradeRefused,
    PackWallet,
    Subscription,
    billing_day,
    daily_demand,
    period_expiry,
    plan_upgrade,
    serve_day,
    upgrade_cost,
)
from configurator.billing.simulate import Strategy, advise, run_strategy

STARTER = tier("starter", "10", 800_000)
LITE = tier("lite", "20", 1_800_000)


def test_rule_1_period_is_30_days_and_daily_allowance_is_pool_over_30(tmp_path) -> None:
    assert period_expiry(D(2026, 4, 28)) == D(2026, 5, 28)  # covers Apr 28 … May 27
    sub = Subscription(STARTER, D(2026, 4, 28).toordinal())
    assert sub.allowance(D(2026, 5, 27).toordinal()) == 800_000  # day d+29: same period
    assert [c.day for c in sub.charges] == [D(2026, 4, 28).toordinal()]
    sub.allowance(D(2026, 5, 28).toordinal())  # d+30: the period has expired, a new one starts
    assert [dt.date.fromordinal(c.day) for c in sub.charges] == [D(2026, 4, 28), D(2026, 5, 28)]
    # a catalog tier given as a monthly pool is split into pool / 30 per day
    f = tmp_path / "c.toml"
    f.write_text('[tiers.t]\nprice_usd = 10\nmonthly_credits = 24_000_000\n', encoding="utf-8")
    t = load_catalog(f).tiers[0]
    assert t.daily_credits == 800_000 and t.monthly_credits == 24_000_000


def test_rule_2_allowance_resets_at_local_midnight_and_unused_allowance_is_lost() -> None:
    # a request at 23:30 UTC is on the next local day in Berlin (UTC+2 in May), the same day in New York
    moment = dt.datetime(2026, 5, 14, 23, 30, tzinfo=dt.timezone.utc)
    assert billing_day(moment, ZoneInfo("Europe/Berlin")) == D(2026, 5, 15)
    assert billing_day(moment, ZoneInfo("America/New_York")) == D(2026, 5, 14)
    berlin = ZoneInfo("Europe/Berlin")
    events = [(dt.datetime(2026, 5, 14, 23, 59, tzinfo=berlin), 100.0),
              (dt.datetime(2026, 5, 15, 0, 1, tzinfo=berlin), 50.0)]
    assert daily_demand(events, berlin) == [(D(2026, 5, 14), 100.0), (D(2026, 5, 15), 50.0)]
    # no carry-over: an idle day's allowance does not help the next day
    r = run_strategy(Strategy("starter", "Starter alone", "subscription", STARTER), [0.0, 1_600_000.0],
                     D(2026, 5, 1), catalog([STARTER], []))
    assert r.wasted_allowance == 800_000 and r.daily_unmet == [0.0, 800_000.0]


def test_rule_3_one_subscription_renews_at_expiry_unless_stopped() -> None:
    d0 = D(2026, 1, 1).toordinal()
    sub = Subscription(STARTER, d0)
    for day in range(d0, d0 + 90):
        sub.allowance(day)
    assert [c.amount for c in sub.charges] == [Decimal(10)] * 3 and sub.total == Decimal(30)
    sub.stop()
    assert sub.allowance(d0 + 89) == 800_000  # the paid period runs out …
    assert sub.allowance(d0 + 90) == 0.0 and len(sub.charges) == 3  # … then nothing renews
    # one at a time: after an upgrade the allowance is the new tier's, not the sum of both
    one = Subscription(STARTER, d0)
    one.upgrade(LITE, d0 + 10)
    assert one.allowance(d0 + 10) == 1_800_000
    # in the simulator a tier strategy pays one period per 30 days
    r = run_strategy(Strategy("lite", "Lite alone", "subscription", LITE), [0.0] * 61, D(2026, 1, 1),
                     catalog([LITE], []))
    assert r.total_cost == Decimal(60) and [p[0] for p in r.purchases] == [D(2026, 1, 1), D(2026, 1, 31), D(2026, 3, 2)]


def test_rule_4_upgrade_is_prorated_half_up_keeps_expiry_and_applies_from_that_day(cli) -> None:
    up = plan_upgrade(STARTER, LITE, D(2026, 4, 28), D(2026, 5, 14))
    assert (up.cost, up.expires, up.remaining_days) == (Decimal("4.67"), D(2026, 5, 28), 14)
    assert upgrade_cost(Decimal(10), Decimal("10.75"), 1) == Decimal("0.03")  # 0.025: half-up, not half-even
    assert upgrade_cost(Decimal(10), Decimal(20), 30) == Decimal("10.00")  # on the purchase day: the full difference
    sub = Subscription(STARTER, D(2026, 4, 28).toordinal())
    assert sub.upgrade(LITE, D(2026, 5, 14).toordinal()) == Decimal("4.67")
    assert sub.allowance(D(2026, 5, 14).toordinal()) == 1_800_000
    assert sub.expires == D(2026, 5, 28).toordinal()
    code, out, err = cli("plan", "upgrade-cost", "--from", "starter", "--to", "lite", "--purchased", "2026-04-28",
                         "--on", "2026-05-14", "--json")
    data = json.loads(out)
    assert code == 0 and err == ""
    assert (data["cost_usd"], data["expires"], data["remaining_days"]) == (4.67, "2026-05-28", 14)
    assert data["version"] == 1 and data["command"] == "plan upgrade-cost"


def test_rule_5_downgrade_is_refused_mid_period_and_can_be_scheduled_for_renewal(cli) -> None:
    with pytest.raises(DowngradeRefused, match="renewal on 2026-05-28"):
        plan_upgrade(LITE, STARTER, D(2026, 4, 28), D(2026, 5, 14))
    d0 = D(2026, 4, 28).toordinal()
    sub = Subscription(LITE, d0)
    with pytest.raises(DowngradeRefused):
        sub.downgrade(STARTER, d0 + 5)
    sub.downgrade(STARTER, d0 + 5, at_renewal=True)
    assert sub.allowance(d0 + 29) == 1_800_000
    assert sub.allowance(d0 + 30) == 800_000 and sub.charges[-1].amount == Decimal(10)
    code, out, err = cli("plan", "upgrade-cost", "--from", "lite", "--to", "starter", "--purchased", "2026-04-28",
                         "--on", "2026-05-14")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "downgrading from Lite to Starter mid-period is not allowed" in err


def test_rule_6_pack_is_valid_90_days_without_cap_stackable_and_leftovers_expire() -> None:
    p = pack("p", "99", 1_000.0)
    w = PackWallet()
    d0 = D(2026, 1, 1).toordinal()
    w.buy(p, d0)
    w.buy(p, d0)  # any number can be held
    assert w.balance == 2_000
    o = serve_day(1_500.0, 0.0, w, d0)  # no daily cap: one day may use both packs
    assert (o.from_packs, o.unmet) == (1_500.0, 0.0)
    assert w.expire(d0 + 89) == 0.0 and w.balance == 500  # usable through p+89
    assert serve_day(0.0, 0.0, w, d0 + 90).from_packs == 0.0  # gone at the start of p+90 …
    assert w.balance == 0 and w.expired_credits == 500  # … and its credits are lost
    assert serve_day(10.0, 0.0, w, d0 + 90).unmet == 10.0


def test_rule_7_allowance_first_then_packs_by_soonest_expiry_ties_oldest_purchase_rest_unmet() -> None:
    long_, short = pack("long", "5", 100.0, valid_days=90), pack("short", "5", 100.0, valid_days=30)
    w = PackWallet()
    old_long = w.buy(long_, 0)  # usable through day 89
    new_short = w.buy(short, 10)  # through day 39: expires soonest, so it is drained first though bought later
    new_long = w.buy(long_, 20)  # through day 109
    o = serve_day(250.0, 100.0, w, 20)
    assert (o.from_subscription, o.wasted, o.from_packs, o.unmet) == (100.0, 0.0, 150.0, 0.0)
    assert (new_short.remaining, old_long.remaining, new_long.remaining) == (0.0, 50.0, 100.0)
    assert w.lots == [old_long, new_long]
    # ties on expiry: the older purchase first
    t = PackWallet()
    a, b = t.buy(short, 5), t.buy(short, 5)
    t.draw(40.0)
    assert (a.remaining, b.remaining) == (60.0, 100.0)
    # what the allowance and the packs cannot serve is unmet
    o = serve_day(1_000.0, 100.0, t, 6)
    assert (o.from_subscription, o.from_packs, o.unmet) == (100.0, 160.0, 740.0)


def test_rule_8_credits_are_tokens_times_model_rates_the_same_under_every_plan(tmp_path) -> None:
    cat = load_catalog()
    got = cat.credits_for("deepseek-v4-pro", input_tokens=1_000, output_tokens=100, cache_read_tokens=10_000,
                          cache_write_tokens=10)
    assert math.isclose(got, 1_000 * 2.18 + 100 * 6.53 + 10_000 * 0.22 + 10 * 2.18)
    for name in ("deepseek-ai/deepseek-v4-pro", "DeepSeek-V4-Pro", "DEEPSEEK-AI/DeepSeek-V4-PRO"):
        assert cat.credits_for(name, input_tokens=1_000, output_tokens=100, cache_read_tokens=10_000,
                               cache_write_tokens=10) == got
    assert cat.credits_for("gpt-unknown", input_tokens=1, output_tokens=1) is None
    assert cat.credits_for("deepseek-v4-flash", input_tokens=0, output_tokens=0) == 0.0
    # the same tokens cost the same credits whichever strategy serves them
    csv = tmp_path / "tokens.csv"
    csv.write_text("date,model,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens\n"
                   "2026-05-01,deepseek-ai/deepseek-v4-pro,1000,100,10000,10\n", encoding="utf-8")
    from configurator.billing.usage_csv import load_usage_csv

    usage = load_usage_csv(csv, cat)
    advice = advise(usage.demand, cat, horizon_days=30)
    assert {round(r.demand, 6) for r in advice.results} == {round(30 * got, 6)}


def test_rule_9_plans_are_bought_by_card_and_the_advice_says_so(cli, tmp_path) -> None:
    usage = tmp_path / "u.csv"
    usage.write_text("date,credits\n2026-05-01,500000\n", encoding="utf-8")
    outs = [cli("plan", "simulate", "--usage", str(usage))[1],
            cli("plan", "quiz", "--active-days", "5", "--hours", "2", "--style", "chat")[1],
            cli("plan", "upgrade-cost", "--from", "starter", "--to", "lite", "--purchased", "2026-04-28",
                "--on", "2026-05-14")[1],
            cli("plan", "catalog")[1]]
    for out in outs:
        assert "Stripe" in out and "gift credits cannot buy plans" in out
    data = json.loads(cli("plan", "simulate", "--usage", str(usage), "--json")[1])
    assert "Stripe" in data["payment"]
    # it is a statement, not arithmetic: a catalog without the note computes the same costs
    plain = tmp_path / "plain.toml"
    shipped = load_catalog()
    text = shipped.path.read_text(encoding="utf-8")
    plain.write_text(text.replace(text[text.index("[payment]"):text.index("# --- Subscription")], ""),
                     encoding="utf-8")
    other = json.loads(cli("plan", "simulate", "--usage", str(usage), "--json", "--catalog", str(plain))[1])
    assert [s["total_cost_usd"] for s in other["strategies"]] == [s["total_cost_usd"] for s in data["strategies"]]
