"""Small builders shared by the billing tests (tests/billing is put on sys.path by its conftest)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from configurator.billing.catalog import Catalog, Figure, Pack, Tier

D = dt.date


def fig(key: str, value: object, verified: bool = True) -> Figure:
    return Figure(tuple(key.split(".")), value, "test", verified, "2026-05")


def tier(tid: str, price: str, daily: float) -> Tier:
    return Tier(tid, tid.title(), fig(f"tiers.{tid}.price_usd", Decimal(price)),
                fig(f"tiers.{tid}.daily_credits", daily))


def pack(pid: str, price: str, credits: float, valid_days: int = 90) -> Pack:
    return Pack(pid, pid, fig(f"packs.{pid}.price_usd", Decimal(price)), fig(f"packs.{pid}.credits", credits),
                fig(f"packs.{pid}.valid_days", valid_days))


def catalog(tiers: list[Tier], packs: list[Pack]) -> Catalog:
    return Catalog(Path("test.toml"), "Test", tuple(tiers), tuple(packs), ())


def trace(values: list[float], start: dt.date | None = None) -> list[tuple[dt.date, float]]:
    first = start or D(2026, 5, 1)
    return [(first + dt.timedelta(days=i), v) for i, v in enumerate(values)]


#: a catalog shaped like the source document's premise: subscriptions are cheaper per credit, packs
#: are small and dearer per credit but have no daily cap
SEED_LIKE_TOML = """
schema = 1
provider = "Seedlike"
[tiers.starter]
name = "Starter"
price_usd = { value = 10, verified = true, date = "2026-05", source = "test" }
daily_credits = { value = 1_000_000, verified = true, date = "2026-05", source = "test" }
[tiers.pro]
name = "Pro"
price_usd = { value = 30, verified = true, date = "2026-05", source = "test" }
daily_credits = { value = 4_000_000, verified = true, date = "2026-05", source = "test" }
[packs.small]
name = "Small pack"
price_usd = { value = 6, verified = true, date = "2026-05", source = "test" }
credits = { value = 10_000_000, verified = true, date = "2026-05", source = "test" }
valid_days = { value = 90, verified = true, date = "2026-05", source = "test" }
[models.m]
credits_per_token = { input = { value = 1.0, verified = true }, output = { value = 4.0, verified = true } }
"""
