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
    # verified = read on Atlas Cloud's own pages (the header's definition); the prices come from an article
    assert not starter.price.verified and "as quoted by a third-party article" in starter.price.source
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
    assert all(f.source and f.line > 0 for f in cat.figures())


def test_every_verified_flag_matches_the_catalog_header_definition() -> None:
    """The header defines verified in one sentence: read on Atlas Cloud's own pages. A source that is an
    article's quote, a third-party figure or an assumption is never verified; nothing says "source document"."""
    cat = load_catalog()
    text = cat.path.read_text(encoding="utf-8")
    assert "Verified means: someone read this exact figure on Atlas Cloud's own pricing or documentation" in text
    assert "source document" not in text
    for f in cat.figures():
        second_hand = any(w in f.source for w in ("quoted", "third-party", "assumed", "not published"))
        assert not (f.verified and second_hand), f.key


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
    assert "NO" in out and " yes " not in out and "2026-05" in out and "third-party figure" in out
    assert "unverified" in out and "atlascloud.toml" not in out and "shipped with configurator" in out
    assert "--export FILE" in out and "Verified: the figure was read on Atlas Cloud's own pricing" in out
    code, out, _ = cli("plan", "catalog", "--verbose")
    assert code == 0 and "atlascloud.toml" in out
    code, out, _ = cli("plan", "catalog", "--json")
    data = json.loads(out)
    assert data["command"] == "plan catalog" and data["version"] == 1
    tiers = {t["id"]: t for t in data["catalog"]["tiers"]}
    assert tiers["lite"]["price_usd"] == 20.0 and tiers["lite"]["daily_credits"] == 1_800_000
    fig = {f["key"]: f for t in data["catalog"]["tiers"] for f in t["figures"]}
    assert fig["tiers.lite.daily_credits"] == {**fig["tiers.lite.daily_credits"], "verified": False, "date": "2026-05"}
    assert fig["tiers.lite.price_usd"]["verified"] is False and "third-party article" in fig["tiers.lite.price_usd"]["source"]
    models = {m["id"]: m for m in data["catalog"]["models"]}
    assert models["deepseek-v4-flash"]["credits_per_token"]["cache_read"] == 0.07


def test_export_writes_the_shipped_catalog_and_never_overwrites_without_force(cli, tmp_path) -> None:
    import os
    import stat

    dest = tmp_path / "my-plans.toml"
    code, out, err = cli("plan", "catalog", "--export", str(dest))
    assert code == 0 and err == "" and f"--catalog {dest}" in out
    assert dest.read_bytes() == load_catalog().path.read_bytes()
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o644 & ~_umask() | 0o600
    dest.write_text("# mine\n")
    code, out, err = cli("plan", "catalog", "--export", str(dest))
    assert code == 2 and out == "" and err.count("\n") == 1 and "already exists" in err and "--force" in err
    assert dest.read_text() == "# mine\n"
    code, out, err = cli("plan", "catalog", "--export", str(dest), "--force")
    assert code == 0 and dest.read_bytes() == load_catalog().path.read_bytes()
    # the copy is a catalog the other commands take
    code, out, err = cli("plan", "upgrade-cost", "--from", "starter", "--to", "lite", "--purchased", "2026-04-28",
                         "--on", "2026-05-14", "--catalog", str(dest))
    assert code == 0 and "$4.67" in out
    for args, says in ((["--export", str(tmp_path)], "is a folder"),
                       (["--export", str(tmp_path / "no" / "x.toml")], "does not exist")):
        code, out, err = cli("plan", "catalog", *args)
        assert code == 2 and out == "" and err.count("\n") == 1 and says in err


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask
