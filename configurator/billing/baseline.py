"""A comparison, not a plan: what the same tokens would cost at the catalog's reference token prices.

The catalog may give, per model, ``usd_per_million_tokens`` by token kind (Atlas Cloud's pay-per-token
reference prices). Given the tokens behind a demand trace (per day, model and kind), this prices them
day by day; the days are then laid out over the simulated horizon exactly as the credits are
(:func:`configurator.billing.simulate.fit_trace`: repeated or cut the same way), so the figure is for
the same work as the plans it is shown beside. Token kinds without a reference price are left out and
counted, so the text can say what the figure does not include.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from configurator.billing.catalog import TOKEN_KINDS, Catalog
from configurator.billing.money import cents, credits_text, json_money, usd

#: tokens per day, model id and token kind
TokensByDay = Mapping[_dt.date, Mapping[str, Mapping[str, float]]]

_KIND_WORDS = {"input": "input", "output": "output", "cache_read": "cache-read", "cache_write": "cache-write"}


@dataclass(frozen=True)
class Baseline:
    usd: Decimal  # the priced tokens at the reference prices, half-up to cents
    days: int
    provider: str
    priced_tokens: float
    #: tokens of a kind (or of a model) the catalog gives no reference price for, left out of ``usd``
    unpriced: dict[str, float] = field(default_factory=dict)

    def sentence(self) -> str:
        who = f"{self.provider}'s" if self.provider else "the catalog's"
        text = (f"For comparison: the same tokens at {who} reference token prices would cost {usd(self.usd)} over "
                f"{self.days} days (not a plan you can buy here).")
        if self.unpriced:
            left = ", ".join(f"{credits_text(v)} {_KIND_WORDS.get(k, k)} tokens" for k, v in self.unpriced.items())
            text += (f" The catalog gives no reference price for {left}; they are left out of that "
                     "figure.")
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"usd": json_money(self.usd), "days": self.days, "is_a_plan": False,
                "what": "the same tokens at the catalog's reference token prices (a comparison, not a plan)",
                "priced_tokens": self.priced_tokens, "unpriced_tokens": dict(self.unpriced)}


def has_reference_prices(catalog: Catalog) -> bool:
    return any(m.reference for m in catalog.models)


def baseline(tokens: TokensByDay, catalog: Catalog, *, horizon_days: int, start: _dt.date | None) -> Baseline | None:
    """The reference-price cost of ``tokens`` laid out like the demand (None: the catalog has no prices)."""
    from configurator.billing.simulate import fit_trace

    if not has_reference_prices(catalog) or not tokens:
        return None
    money: list[tuple[_dt.date, float]] = []
    priced: list[tuple[_dt.date, float]] = []
    unpriced: dict[str, list[tuple[_dt.date, float]]] = {}
    for day, models in tokens.items():
        dollars = counted = 0.0
        missing: dict[str, float] = {}
        for model, kinds in models.items():
            rate = catalog.model(model)
            for kind in TOKEN_KINDS:
                n = float(kinds.get(kind, 0.0))
                if n <= 0:
                    continue
                fig = rate.reference.get(kind) if rate is not None else None
                if fig is None:
                    missing[kind] = missing.get(kind, 0.0) + n
                else:
                    dollars += n * float(fig.value) / 1e6
                    counted += n
        money.append((day, dollars))
        priced.append((day, counted))
        for kind in TOKEN_KINDS:
            unpriced.setdefault(kind, []).append((day, missing.get(kind, 0.0)))

    def laid_out(series: list[tuple[_dt.date, float]]) -> float:
        return math.fsum(fit_trace(series, horizon_days=horizon_days, start=start).values)

    left = {k: laid_out(v) for k, v in unpriced.items()}
    return Baseline(cents(Decimal(repr(laid_out(money)))), horizon_days, catalog.provider, laid_out(priced),
                    {k: v for k, v in left.items() if v > 0.5})
