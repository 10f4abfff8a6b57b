"""The catalog: the shipped figures, look-ups, provenance, and one clear error for a bad file."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from configurator.billing.catalog import load_catalog
from configurator.errors import ConfiguratorError


def test_shipped_catalog_has_the_known_and_the_example_figures() -> None:
    cat = load_catalog()
    assert cat.path.name == "atlascloud.toml" and cat.path.is_file()
    starter, lite = cat.tier("starter"), cat.tier("Lite")
    assert (starter.price_usd, lite.price_usd) == (Decimal("10.0"), Decimal("20.0"))
    assert starter.price.verified and lite.price.verified
    assert (starter.daily_credits, lite.daily_credits) == (800_000, 1_800_000)
    assert not starter.allowance.verified and starter.allowance.date == "2026-05"
    (p,) = cat.packs
    assert (p.price_usd, p.credits, p.valid_days) == (Decimal("99.0"), 280_000_000, 90)
    pro, flash = cat.model("deepseek-v4-pro"), cat.model("deepseek-ai/deepseek-v4-flash")
    assert [pro.rate(k) for k in ("input", "output", "cache_read")] == [2.18, 6.53, 0.22]
    assert [flash.rate(k) for k in ("input", "output", "cache_read")] == [0.73, 2.18, 0.07]
    assert float(pro.reference["input"].value) == 1.68 and float(flash.reference["output"].value) == 0.28
    unverified = cat.unverified_figures()
    assert "tiers.starter.daily_credits" in unverified and "packs.payg-280m.price_usd" in unverified
    assert "tiers.starter.price_usd" not in unverified
    assert all(f.source and f.line > 0 for f in cat.figures())


def test_unknown_tier_names_the_choices() -> None:
    with pytest.raises(ConfiguratorError, match="has: starter, lite"):
        load_catalog().tier("enterprise")


def test_bare_numbers_count_as_unverified_and_tiers_sort_by_price(tmp_path) -> None:
    f = tmp_path / "mine.toml"
    f.write_text('[tiers.big]\nprice_usd = "30"\ndaily_credits = 5e6\n'
                 '[tiers.small]\nprice_usd = 9.99\nmonthly_credits = 30_000_000\n', encoding="utf-8")
    cat = load_catalog(f)
    assert [t.id for t in cat.tiers] == ["small", "big"] and cat.packs == ()
    assert cat.tiers[0].price_usd == Decimal("9.99") and cat.tiers[0].daily_credits == 1_000_000
    assert set(cat.unverified_figures()) == {"tiers.big.price_usd", "tiers.big.daily_credits",
                                             "tiers.small.price_usd", "tiers.small.monthly_credits"}


BAD = [
    ("[tiers.a]\nprice_usd = 10\ndaily_credits = \n", 3, "cannot parse"),
    ("[tiers.a]\nprice_usd = -1\ndaily_credits = 5\n", 2, "price cannot be negative"),
    ("[tiers.a]\nprice_usd = 10\n", 1, "exactly one of daily_credits or monthly_credits"),
    ("[tiers.a]\nprice_usd = 10\ndaily_credits = 5\nmonthly_credits = 150\n", 1, "exactly one"),
    ("[packs.p]\nprice_usd = 5\ncredits = 0\n", 3, "more than 0 credits"),
    ("[packs.p]\nprice_usd = 5\ncredits = 10\nvalid_days = 1.5\n", 4, "whole number of days"),
    ('[packs.p]\nprice_usd = { value = 5, verifed = true }\ncredits = 10\n', 2, "unknown field 'verifed'"),
    ('[packs.p]\nprice_usd = { value = 5, verified = "yes" }\ncredits = 10\n', 2, "verified must be true or false"),
    ("[tiers.a]\nprice_usd = 10\ndaily_credits = 5\ncolour = 1\n", 4, "unknown field"),
    ("[models.m]\ncredits_per_token.input = 1\ncredits_per_token.output = 2\ncredits_per_token.video = 3\n"
     "[packs.p]\nprice_usd = 1\ncredits = 1\n", 4, "unknown token kind"),
    ("[models.m]\ncredits_per_token.input = 1\n[packs.p]\nprice_usd = 1\ncredits = 1\n", 2,
     "needs at least input and output"),
    ("schema = 2\n[packs.p]\nprice_usd = 1\ncredits = 1\n", 1, "schema 1"),
    ("currency = \"EUR\"\n[packs.p]\nprice_usd = 1\ncredits = 1\n", 1, "only USD"),
    ("[tier.a]\nprice_usd = 1\n", 1, "unknown section"),
    ("provider = \"x\"\n", 1, "nothing to compare"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD, ids=[b[2] for b in BAD])
def test_a_bad_catalog_is_one_error_with_line_and_column(tmp_path, cli, text, line, message) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfiguratorError) as err:
        load_catalog(f)
    assert str(err.value).startswith(f"{f}:{line}:") and message in str(err.value)
    code, out, stderr = cli("plan", "catalog", "--catalog", str(f))
    assert code == 2 and out == "" and stderr.count("\n") == 1 and f"{f}:{line}:" in stderr


def test_missing_or_non_utf8_catalog(tmp_path) -> None:
    with pytest.raises(ConfiguratorError, match="does not exist"):
        load_catalog(tmp_path / "nope.toml")
    f = tmp_path / "latin1.toml"
    f.write_bytes(b'provider = "caf\xe9"\n')
    with pytest.raises(ConfiguratorError, match=r"latin1.toml:1:16: .*UTF-8"):
        load_catalog(f)


def test_plan_catalog_shows_every_figure_with_source_verified_flag_and_date(cli) -> None:
    code, out, _ = cli("plan", "catalog")
    assert code == 0
    assert "tier Starter" in out and "$10.00/month" in out and "800K credits" in out
    assert "pack PAYG 280M" in out and "$99.00" in out and "90 days" in out
    assert "model deepseek-v4-pro" in out and "2.18" in out and "$1.68" in out
    assert "NO" in out and "yes" in out and "2026-05" in out and "third-party figure" in out
    assert "unverified" in out and "atlascloud.toml" in out
    code, out, _ = cli("plan", "catalog", "--json")
    data = json.loads(out)
    assert data["command"] == "plan catalog" and data["version"] == 1
    tiers = {t["id"]: t for t in data["catalog"]["tiers"]}
    assert tiers["lite"]["price_usd"] == 20.0 and tiers["lite"]["daily_credits"] == 1_800_000
    fig = {f["key"]: f for t in data["catalog"]["tiers"] for f in t["figures"]}
    assert fig["tiers.lite.daily_credits"] == {**fig["tiers.lite.daily_credits"], "verified": False, "date": "2026-05"}
    assert fig["tiers.lite.price_usd"]["verified"] is True and fig["tiers.lite.price_usd"]["source"]
    models = {m["id"]: m for m in data["catalog"]["models"]}
    assert models["deepseek-v4-flash"]["credits_per_token"]["cache_read"] == 0.07
