"""The billing rules of issue 5, one function or class per rule. Everything else builds on these.

1. A subscription period is 30 days: bought on day d it covers d … d+29 and expires at the start of
   day d+30; the monthly pool is split into a daily allowance = pool / 30 (:func:`period_expiry`,
   :attr:`Tier.daily_credits <configurator.billing.catalog.Tier.daily_credits>`).
2. The allowance resets at local midnight; unused allowance is lost at the end of the day
   (:func:`billing_day`, :func:`serve_day`).
3. One subscription at a time; it renews at expiry at the tier's price unless stopped (:class:`Subscription`).
4. Upgrade on day u costs (new − old) × (expiry − u) / 30, half-up to cents; the expiry stays and the
   new allowance applies from day u (:func:`upgrade_cost`, :meth:`Subscription.upgrade`).
5. A downgrade mid-period is refused; it can be scheduled for the renewal (:meth:`Subscription.downgrade`).
6. A pack is valid 90 days from purchase (day p … p+89), has no daily cap, any number can be held,
   credits left at expiry are lost (:class:`PackWallet`).
7. Each day's demand is served from the allowance first, then from packs by soonest expiry (ties: oldest
   purchase); the rest is unmet (:func:`serve_day`).
8. Credits = Σ tokens × the model's rate per token kind, the same under every plan
   (:meth:`Catalog.credits_for <configurator.billing.catalog.Catalog.credits_for>`).
9. Plans are bought by card (Stripe); balance or gift credits cannot buy plans (:data:`PAYMENT_NOTE`,
   shown with every piece of advice; it does not change the arithmetic).

Days inside the engine are ``int`` day numbers (``date.toordinal()``), so the simulation loop does no
date arithmetic; the public helpers here accept and return :class:`datetime.date` where people see them.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from configurator.billing.catalog import DEFAULT_PAYMENT_NOTE, PERIOD_DAYS, Pack, Tier
from configurator.billing.money import EPS, cents, usd
from configurator.errors import ConfiguratorError
from configurator.usage.dates import FIRST_YEAR, LAST_YEAR

PAYMENT_NOTE = DEFAULT_PAYMENT_NOTE  # rule 9 (a catalog may word it differently: Catalog.payment_note)


# --- rule 1: periods ------------------------------------------------------------------------------

def period_expiry(purchased: _dt.date) -> _dt.date:
    """Rule 1: bought on day d, a period covers d … d+29 and expires at the start of day d+30."""
    return purchased + _dt.timedelta(days=PERIOD_DAYS)


# --- rule 2: local days ---------------------------------------------------------------------------

def billing_day(moment: _dt.datetime, tz: _dt.tzinfo | None = None) -> _dt.date:
    """Rule 2: the local date whose allowance a request at ``moment`` draws on.

    ``tz`` is the user's time zone (None = this machine's local zone). A naive ``moment`` is taken
    as already local.
    """
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(tz).date() if tz is not None else moment.astimezone().date()


def daily_demand(events: Iterable[tuple[_dt.datetime, float]], tz: _dt.tzinfo | None = None
                 ) -> list[tuple[_dt.date, float]]:
    """Sum ``(timestamp, credits)`` events into ``(local date, credits)`` per day, sorted by date."""
    totals: dict[_dt.date, float] = {}
    for moment, credits in events:
        day = billing_day(moment, tz)
        totals[day] = totals.get(day, 0.0) + float(credits)
    return sorted(totals.items())


# --- rules 4 and 5: upgrades and downgrades -------------------------------------------------------

def upgrade_cost(old_price: Decimal, new_price: Decimal, remaining_days: int, *,
                 period_days: int = PERIOD_DAYS) -> Decimal:
    """Rule 4: (new − old) × (remaining days / 30), rounded half-up to cents.

    ``period_days`` is only for tests that search every schedule over short periods.
    """
    return cents((new_price - old_price) * Decimal(remaining_days) / Decimal(period_days))


@dataclass(frozen=True)
class Upgrade:
    from_tier: Tier
    to_tier: Tier
    purchased: _dt.date
    on: _dt.date
    expires: _dt.date
    remaining_days: int
    cost: Decimal

    @property
    def formula(self) -> str:
        return (f"({usd(self.to_tier.price_usd)} - {usd(self.from_tier.price_usd)}) x "
                f"{self.remaining_days}/{PERIOD_DAYS} = {usd(self.cost)}")


class DowngradeRefused(ConfiguratorError):
    """Rule 5."""


class OutsidePeriod(ConfiguratorError):
    """The day is not inside the period that started on the purchase date."""


def plan_upgrade(from_tier: Tier, to_tier: Tier, purchased: _dt.date, on: _dt.date) -> Upgrade:
    """Rules 4 and 5 on calendar dates: what switching ``from_tier`` → ``to_tier`` on ``on`` costs.

    Both dates must lie in ``FIRST_YEAR``-01-01 … ``LAST_YEAR``-12-31 (:mod:`configurator.usage.dates`).
    """
    for flag, day in (("--purchased", purchased), ("--on", on)):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ConfiguratorError(f"{flag} {day} is outside {FIRST_YEAR}-01-01 … {LAST_YEAR}-12-31; "
                                    "pass a date within that range.")
    expires = period_expiry(purchased)
    if on < purchased:
        raise OutsidePeriod(
            f"{on} is before the period starts ({purchased}); the upgrade day must be within "
            f"{purchased} … {expires - _dt.timedelta(days=1)}."
        )
    if on >= expires:
        periods = (on - purchased).days // PERIOD_DAYS
        current = purchased + _dt.timedelta(days=PERIOD_DAYS * periods)
        raise OutsidePeriod(
            f"the period bought on {purchased} ended at the start of {expires}, so {on} is outside it; if the "
            f"subscription renewed, the period containing {on} started on {current} (pass --purchased {current})."
        )
    if from_tier.id == to_tier.id:
        raise ConfiguratorError(f"you are already on {from_tier.name}; pick a different tier to upgrade to.")
    if to_tier.price_usd < from_tier.price_usd or (
        to_tier.price_usd == from_tier.price_usd and to_tier.daily_credits < from_tier.daily_credits
    ):
        raise DowngradeRefused(
            f"downgrading from {from_tier.name} to {to_tier.name} mid-period is not allowed; it can take effect "
            f"at the renewal on {expires} (stop or change the plan before then)."
        )
    remaining = (expires - on).days
    return Upgrade(from_tier, to_tier, purchased, on, expires, remaining,
                   upgrade_cost(from_tier.price_usd, to_tier.price_usd, remaining))


# --- rules 1, 3, 4, 5: one subscription over time -------------------------------------------------

@dataclass
class Charge:
    day: int
    amount: Decimal
    what: str


class Subscription:
    """One subscription (rule 3) as it moves through days. Days are ``int`` day numbers.

    Call :meth:`allowance` once per day, in order: it renews the period when it expires (at the tier's
    price, or the tier scheduled with :meth:`downgrade`), or ends the subscription if stopped.
    """

    __slots__ = ("tier", "start", "expires", "charges", "_next_tier", "_stopped", "active")

    def __init__(self, tier: Tier, day: int) -> None:
        self.tier = tier
        self.start = day
        self.expires = day + PERIOD_DAYS
        self.charges: list[Charge] = [Charge(day, tier.price_usd, f"{tier.name} period")]
        self._next_tier: Tier | None = None
        self._stopped = False
        self.active = True

    def allowance(self, day: int) -> float:
        """The daily allowance on ``day`` (0 when no subscription is active)."""
        while self.active and day >= self.expires:
            if self._stopped:
                self.active = False
                break
            if self._next_tier is not None:
                self.tier, self._next_tier = self._next_tier, None
            self.start = self.expires
            self.expires = self.start + PERIOD_DAYS
            self.charges.append(Charge(self.start, self.tier.price_usd, f"{self.tier.name} renewal"))
        return self.tier.daily_credits if self.active else 0.0

    def upgrade(self, tier: Tier, day: int) -> Decimal:
        """Rule 4: charge the pro-rated difference; the new allowance applies from ``day``."""
        if not (self.start <= day < self.expires):
            raise OutsidePeriod(f"day {day} is outside the current period")
        if tier.price_usd < self.tier.price_usd:
            raise DowngradeRefused(f"downgrading from {self.tier.name} to {tier.name} mid-period is not allowed")
        cost = upgrade_cost(self.tier.price_usd, tier.price_usd, self.expires - day)
        self.charges.append(Charge(day, cost, f"upgrade {self.tier.name} -> {tier.name}"))
        self.tier = tier
        return cost

    def downgrade(self, tier: Tier, day: int, *, at_renewal: bool = False) -> None:
        """Rule 5: refused mid-period; with ``at_renewal`` it is scheduled for the next period."""
        if not at_renewal:
            raise DowngradeRefused(
                f"downgrading from {self.tier.name} to {tier.name} mid-period is not allowed; "
                "schedule it for the renewal"
            )
        self._next_tier = tier

    def stop(self) -> None:
        """Do not renew: the subscription ends when the current period expires."""
        self._stopped = True

    @property
    def total(self) -> Decimal:
        return sum((c.amount for c in self.charges), Decimal(0))


# --- rules 6 and 7: packs and serving a day -------------------------------------------------------

@dataclass
class Lot:
    """``count`` packs of one kind bought on one day: they expire together, so they drain as one."""

    pack: Pack
    bought: int
    seq: int
    remaining: float
    count: int = 1
    last_day: int = field(init=False)

    def __post_init__(self) -> None:
        self.last_day = self.bought + self.pack.valid_days - 1  # usable through p+89 (rule 6)


class PackWallet:
    """Every pack held (rule 6), drained soonest-expiry first, ties oldest purchase first (rule 7)."""

    __slots__ = ("lots", "_keys", "_seq", "bought_credits", "expired_credits", "cost", "purchases")

    def __init__(self) -> None:
        self.lots: list[Lot] = []
        self._keys: list[tuple[int, int]] = []
        self._seq = itertools.count()
        self.bought_credits = 0.0
        self.expired_credits = 0.0
        self.cost = Decimal(0)
        self.purchases: list[tuple[int, Pack, int]] = []

    def buy(self, pack: Pack, day: int, count: int = 1) -> Lot:
        """Buy ``count`` packs of ``pack`` on ``day``."""
        if count < 1:
            raise ValueError("count must be at least 1")
        lot = Lot(pack, day, next(self._seq), pack.credits * count, count)
        key = (lot.last_day, lot.seq)
        i = bisect.bisect(self._keys, key)
        self._keys.insert(i, key)
        self.lots.insert(i, lot)
        self.bought_credits += pack.credits * count
        self.cost += pack.price_usd * count
        self.purchases.append((day, pack, count))
        return lot

    def expire(self, day: int) -> float:
        """Drop the packs no longer usable on ``day``; return the credits lost with them."""
        lost = 0.0
        while self.lots and self.lots[0].last_day < day:
            lost += self.lots[0].remaining
            del self.lots[0]
            del self._keys[0]
        self.expired_credits += lost
        return lost

    def draw(self, amount: float) -> float:
        """Take up to ``amount`` credits, soonest-expiring pack first; return what was taken."""
        taken = 0.0
        lots = self.lots
        while amount > EPS and lots:
            lot = lots[0]
            if lot.remaining > amount:
                lot.remaining -= amount
                taken += amount
                amount = 0.0
                break
            taken += lot.remaining
            amount -= lot.remaining
            lot.remaining = 0.0
            del lots[0]
            del self._keys[0]
        return taken

    @property
    def balance(self) -> float:
        return sum(lot.remaining for lot in self.lots)


class DayOutcome(NamedTuple):
    """Where one day's demand went (rule 7). ``wasted`` is allowance left unused (rule 2)."""

    demand: float
    allowance: float
    from_subscription: float
    wasted: float
    from_packs: float
    unmet: float


def serve_day(demand: float, allowance: float, wallet: PackWallet | None, day: int, *,
              expired: bool = False) -> DayOutcome:
    """Rules 2, 6, 7 for one day: allowance first, then packs by soonest expiry; the rest is unmet.

    Packs that expired before ``day`` are dropped first (``expired=True``: the caller already did);
    allowance not used today is wasted (no carry-over).
    """
    if wallet is not None and not expired:
        wallet.expire(day)
    from_sub = demand if demand <= allowance else allowance
    rest = demand - from_sub
    from_packs = wallet.draw(rest) if (wallet is not None and rest > EPS) else 0.0
    unmet = rest - from_packs
    if unmet <= EPS:  # float noise from draining several packs, not demand left over
        unmet = 0.0
    return DayOutcome(demand, allowance, from_sub, allowance - from_sub, from_packs, unmet)
