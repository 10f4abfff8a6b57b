"""What usage cost, two ways, both from the plan catalog (``usage``'s ``plan $`` and ``ref $`` columns).

- **plan $** = credits × the plan's effective price per credit: the tier's monthly price ÷ its monthly
  credits (what a credit costs when the whole allowance is used), or for "packs only" the cheapest
  pack's price ÷ its credits. The plan is the one saved on the active Claude Code profile, or
  ``--plan TIER``.
- **ref $** = tokens × the catalog's reference pay-per-token prices (``usd_per_million_tokens``) of the
  model, kind by kind (input, output, cache read, cache write). A kind the catalog has no price for
  is left out of the figure (a lower bound then, marked ``≥``) and a note names it.

A figure computed from catalog figures that are not verified with the provider carries the mark
``[from unverified figures]``, the one ``plan`` uses (:func:`configurator.billing.report.unverified_note`
gives the sentence naming them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from configurator.billing.catalog import Catalog, Figure, ModelRate

#: the mark ``plan`` puts on advice computed from unverified figures
UNVERIFIED = "[from unverified figures]"
#: token kinds in the order the usage rows hold them: non-cached input, cache read, cache write, output
_KINDS = ("input", "cache_read", "cache_write", "output")


@dataclass(frozen=True)
class PlanChoice:
    """The plan to price credits at: a tier id of the catalog, or ``none`` (packs only), and who said so."""

    tier: str
    source: str  # "profile 'work'" or "--plan"


@dataclass
class Pricing:
    catalog: Catalog
    #: None: no plan known (no plan $ column)
    plan: PlanChoice | None
    plan_name: str | None = None
    usd_per_credit: Decimal | None = None
    plan_figures_used: list[Figure] = field(default_factory=list)
    #: every model a row priced: for the unverified credit rates behind plan $
    models: dict[str, ModelRate] = field(default_factory=dict)
    #: model -> token kinds with tokens but no reference price
    missing: dict[str, set[str]] = field(default_factory=dict)
    ref_figures_used: dict[str, Figure] = field(default_factory=dict)
    _ref: dict[tuple[str, int, int, int, int], tuple[float | None, bool]] = field(default_factory=dict)

    @classmethod
    def of(cls, catalog: Catalog, plan: PlanChoice | None) -> Pricing:
        """Raises ConfiguratorError for a tier the catalog does not have."""
        self = cls(catalog, plan)
        if plan is None:
            return self
        if plan.tier.strip().casefold() == "none":
            packs = [p for p in catalog.packs if p.credits > 0]
            if not packs:
                self.plan = None
                return self
            pack = min(packs, key=lambda p: p.usd_per_million_credits())
            self.plan_name = f"packs only: {pack.name}"
            self.usd_per_credit = pack.price_usd / Decimal(str(pack.credits))
            self.plan_figures_used = [f for f in (pack.price, pack.credits_figure) if not f.verified]
            return self
        tier = catalog.tier(plan.tier)
        self.plan_name = tier.name
        self.usd_per_credit = tier.usd_per_million_credits() / Decimal(1_000_000)
        self.plan_figures_used = [f for f in tier.figures if not f.verified]
        return self

    # --- per row ---------------------------------------------------------------------------------
    def plan_usd(self, model: str, credits: float | None) -> float | None:
        if self.usd_per_credit is None or credits is None:
            return None
        rate = self.catalog.model(model)
        if rate is not None:
            self.models.setdefault(rate.id, rate)
        return float(Decimal(repr(credits)) * self.usd_per_credit)

    def reference_usd(self, model: str, inp: int, cr: int, cw: int, out: int) -> tuple[float | None, bool]:
        """(dollars at the reference token prices, whether every kind of token had a price); None when the
        catalog has no reference price for this model."""
        key = (model, inp, cr, cw, out)
        known = self._ref.get(key)
        if known is not None:
            return known
        rate = self.catalog.model(model)
        value: float | None = None
        complete = True
        if rate is not None and rate.reference:
            total = Decimal(0)
            for kind, count in zip(_KINDS, (inp, cr, cw, out), strict=True):
                if not count:
                    continue
                fig = rate.reference.get(kind)
                if fig is None:
                    self.missing.setdefault(rate.id, set()).add(kind)
                    complete = False
                    continue
                if not fig.verified:
                    self.ref_figures_used.setdefault(fig.key, fig)
                total += Decimal(count) * Decimal(str(fig.value)) / Decimal(1_000_000)
            value = float(total)
        self._ref[key] = (value, complete)
        return value, complete

    # --- what the figures rest on -------------------------------------------------------------------
    def plan_unverified(self) -> list[Figure]:
        figs = list(self.plan_figures_used)
        for rate in self.models.values():
            figs += [f for f in rate.rates.values() if not f.verified]
        return figs

    def ref_unverified(self) -> list[Figure]:
        return list(self.ref_figures_used.values())

    def plan_label(self) -> str | None:
        if self.usd_per_credit is None:
            return None
        per_million = self.usd_per_credit * Decimal(1_000_000)
        label = f"plan $ ({self.plan_name}, {money(float(per_million))}/M credits)"
        return label + (f" {UNVERIFIED}" if self.plan_unverified() else "")

    def ref_label(self) -> str:
        who = self.catalog.provider or "the catalog"
        return f"ref $ ({who} reference token prices)" + (f" {UNVERIFIED}" if self.ref_unverified() else "")

    def notes(self) -> list[str]:
        from configurator.billing.report import unverified_note

        out: list[str] = []
        if self.plan is not None and self.usd_per_credit is not None:
            out.append(f"plan $ = credits × {self.plan_name}'s price per credit when the whole allowance is used "
                       f"(the plan from {self.plan.source}).")
        for model, kinds in sorted(self.missing.items()):
            names = ", ".join(k.replace("_", " ") for k in _KINDS if k in kinds)
            out.append(f"the catalog has no reference price for {names} tokens of {model}: ref $ leaves them out "
                       "(a lower bound, marked ≥).")
        figs = self.plan_unverified() + [f for f in self.ref_unverified() if f not in self.plan_unverified()]
        note = unverified_note(self.catalog, _unique(figs))
        if note and (self.plan_label() or self.ref_unverified()):
            out.append(note)
        return out

    def to_data(self) -> dict[str, Any]:
        plan = None
        if self.plan is not None and self.usd_per_credit is not None:
            figs = self.plan_unverified()
            plan = {"tier": self.plan.tier, "name": self.plan_name, "source": self.plan.source,
                    "usd_per_million_credits": float(self.usd_per_credit * Decimal(1_000_000)),
                    "label": self.plan_label(), "verified": not figs,
                    "unverified_figures": [f.key for f in _unique(figs)]}
        ref_figs = self.ref_unverified()
        return {"plan": plan,
                "reference": {"label": self.ref_label(), "verified": not ref_figs,
                              "unverified_figures": [f.key for f in ref_figs],
                              "missing_prices": {m: [k for k in _KINDS if k in kinds]
                                                 for m, kinds in sorted(self.missing.items())}}}


def _unique(figs: list[Figure]) -> list[Figure]:
    seen: set[str] = set()
    out = []
    for f in figs:
        if f.key not in seen:
            seen.add(f.key)
            out.append(f)
    return out


def money(value: float | None) -> str:
    """``$12.35``; below a dollar four decimals (``$0.0042``) so that small rows do not read $0.00."""
    if value is None:
        return "—"
    if value == 0 or abs(value) >= 1:
        return f"${value:,.2f}"
    return f"${value:.4f}"
