"""Day-by-day simulation over a demand trace: the cheapest schedule, the fixed strategies, the advice.

The recommendation is the cheapest *schedule* the rules allow (:mod:`configurator.billing.optimize`:
a tier or none for each period, mid-period upgrades, packs when they are needed), replayed here
through the rules (:func:`run_schedule`). Beside it, for comparison, the five fixed strategies of
issue 5: **PAYG only** (packs bought just in time), **each tier alone**, and **each tier + PAYG
overflow** (hybrid), each run through the rules in :mod:`configurator.billing.rules`.

Pack buying, where the issue leaves room: a pack is bought *just in time* — on the day the credits
held run out, never earlier. *Which* pack(s): the least-cost combination covering the overflow
expected over a pack's validity window (today's shortfall plus the demand above the allowance on the
next ``valid_days − 1`` days of the trace); from that combination only the packs needed today are
bought (best value per credit first), the rest when they are needed. With a single pack size — the
shipped catalog — this is simply "buy one more pack when the last one runs out".

Costs are what is paid during the horizon: every subscription period that starts in it is charged in
full and every pack bought in it too, even when the horizon ends first (the advice says so). Pack
credits still valid at the end are reported as ``left_at_end``, not refunded. Without waiting, demand
a strategy cannot serve is unmet that day (the strategy stops you). With ``wait``, it waits in a queue
for the next midnight and is served first the next day; how much waited and for how long is counted.
"""

from __future__ import annotations

import datetime as _dt
import math
import statistics
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate
from typing import Any, Literal

from configurator.billing.catalog import PERIOD_DAYS, Catalog, Figure, Pack, Tier
from configurator.billing.money import EPS, cents, credits_text, json_money, per_million, rate, usd
from configurator.billing.optimize import Schedule, optimize
from configurator.billing.rules import DayOutcome, PackWallet, Subscription, serve_day, upgrade_cost
from configurator.errors import ConfiguratorError

DEFAULT_HORIZON_DAYS = 90
_MAX_COVER_COMBINATIONS = 20_000


# --- strategies -----------------------------------------------------------------------------------

#: PAYG packs only, one subscription tier alone, a tier with PAYG packs for the overflow, or the
#: optimizer's schedule (any tier or none per period, upgrades, packs)
StrategyKind = Literal["payg", "subscription", "hybrid", "schedule"]
#: how a demand trace looks, in the article's terms (``light``: few days, each under the smallest allowance)
Shape = Literal["steady", "bursty", "light", "mixed", "idle"]


#: what the article advises for each shape
_EXPECTED_KIND: dict[Shape, StrategyKind] = {"steady": "subscription", "bursty": "payg", "light": "payg",
                                            "mixed": "hybrid", "idle": "payg"}


@dataclass(frozen=True)
class Strategy:
    key: str  # "payg", "starter", "starter+payg"
    label: str  # "PAYG only", "Starter alone", "Starter + PAYG"
    kind: StrategyKind
    tier: Tier | None = None

    @property
    def uses_packs(self) -> bool:
        return self.kind != "subscription"

    @property
    def fixed(self) -> bool:
        return self.kind != "schedule"


def strategies(catalog: Catalog) -> list[Strategy]:
    """PAYG only, each tier alone, each tier + PAYG overflow (those the catalog can offer)."""
    out: list[Strategy] = []
    if catalog.packs:
        out.append(Strategy("payg", "PAYG only", "payg"))
    for t in catalog.tiers:
        out.append(Strategy(t.id, f"{t.name} alone", "subscription", t))
    if catalog.packs:
        for t in catalog.tiers:
            out.append(Strategy(f"{t.id}+payg", f"{t.name} + PAYG", "hybrid", t))
    return out


# --- pack choice ----------------------------------------------------------------------------------

def cheapest_cover(need: float, packs: Sequence[Pack]) -> list[tuple[Pack, int]]:
    """The least-cost packs holding at least ``need`` credits, as ``(pack, count)`` (best value first).

    Ties: more credits, then fewer packs. Exact search over pack counts for the catalog's few pack
    sizes; if that would be too many combinations (a catalog with many tiny packs), the best-value pack
    fills and the cheapest single pack that closes the gap tops up.
    """
    if need <= EPS or not packs:
        return []
    by_value = sorted(packs, key=lambda p: (p.usd_per_million_credits(), -p.credits))
    if len(by_value) == 1:
        p = by_value[0]
        return [(p, max(1, math.ceil((need - EPS) / p.credits)))]
    combos = 1
    for p in by_value[:-1]:
        combos *= math.ceil(need / p.credits) + 1
        if combos > _MAX_COVER_COMBINATIONS:
            best = by_value[0]
            n = int((need - EPS) // best.credits)
            gap = need - n * best.credits
            top = min((q for q in by_value if q.credits >= gap - EPS),
                      key=lambda q: (q.price_usd, -q.credits), default=best)
            out = [(best, n)] if n else []
            if gap > EPS:
                out = [(q, c + 1) for q, c in out] if top is best else out + [(top, 1)]
                if not out:
                    out = [(top, 1)]
            return out

    best_key: tuple[Decimal, float, int] | None = None
    best_counts: tuple[int, ...] = ()
    last = by_value[-1]

    def search(i: int, remaining: float, cost: Decimal, counts: tuple[int, ...]) -> None:
        nonlocal best_key, best_counts
        if best_key is not None and cost > best_key[0]:
            return
        if i == len(by_value) - 1:
            k = max(0, math.ceil((remaining - EPS) / last.credits)) if remaining > EPS else 0
            full = counts + (k,)
            total_cost = cost + last.price_usd * k
            credits = sum(c * p.credits for c, p in zip(full, by_value, strict=True))
            key = (total_cost, -credits, sum(full))
            if best_key is None or key < best_key:
                best_key, best_counts = key, full
            return
        p = by_value[i]
        top = math.ceil(max(remaining, 0.0) / p.credits)
        for k in range(top + 1):
            search(i + 1, remaining - k * p.credits, cost + p.price_usd * k, counts + (k,))

    search(0, need, Decimal(0), ())
    return [(p, c) for c, p in zip(best_counts, by_value, strict=True) if c]


def _packs_to_buy(need: float, forecast: float, packs: Sequence[Pack]) -> list[tuple[Pack, int]]:
    """From the least-cost cover of ``forecast``, the packs needed today (best value per credit first)."""
    out: list[tuple[Pack, int]] = []
    got = 0.0
    for p, count in cheapest_cover(max(need, forecast), packs):
        if got >= need - EPS:
            break
        k = min(count, max(1, math.ceil((need - got - EPS) / p.credits)))
        out.append((p, k))
        got += k * p.credits
    return out


# --- one strategy over a trace ---------------------------------------------------------------------

@dataclass
class StrategyResult:
    strategy: Strategy
    start: _dt.date
    days: int
    subscription_cost: Decimal
    packs_cost: Decimal
    packs_bought: dict[str, int]
    purchases: list[tuple[_dt.date, str, Decimal]]
    demand: float
    allowance_granted: float
    used_from_subscription: float
    wasted_allowance: float
    pack_credits_bought: float
    used_from_packs: float
    expired_credits: float
    left_at_end: float
    unmet: float
    unmet_days: int
    first_unmet: _dt.date | None
    daily_allowance: list[float] = field(repr=False, default_factory=list)
    daily_from_subscription: list[float] = field(repr=False, default_factory=list)
    daily_from_packs: list[float] = field(repr=False, default_factory=list)
    daily_unmet: list[float] = field(repr=False, default_factory=list)
    #: with waiting: credits of work that waited at least one midnight, the longest wait in days
    #: (work still waiting at the end counts until the day after the horizon), work left at the end
    waited: float = 0.0
    longest_wait: int = 0
    backlog_at_end: float = 0.0
    wait: bool = False

    @property
    def key(self) -> str:
        return self.strategy.key

    @property
    def label(self) -> str:
        return self.strategy.label

    @property
    def total_cost(self) -> Decimal:
        return self.subscription_cost + self.packs_cost

    @property
    def cost_per_month(self) -> Decimal:
        """Total × 30 / days, half-up to cents (a "month" is a 30-day period, rule 1)."""
        return cents(self.total_cost * PERIOD_DAYS / Decimal(self.days)) if self.days else Decimal(0)

    @property
    def served(self) -> float:
        return self.used_from_subscription + self.used_from_packs

    @property
    def usd_per_million_used(self) -> Decimal | None:
        """Effective price: total cost / credits actually used, per million credits."""
        if self.served <= EPS:
            return None
        return rate(per_million(self.total_cost, self.served))

    @property
    def wasted_share(self) -> float:
        return self.wasted_allowance / self.allowance_granted if self.allowance_granted > EPS else 0.0

    @property
    def acceptable(self) -> bool:
        """Serves every day (or, when waiting is fine, never makes work wait more than one midnight)."""
        return self.longest_wait <= 1 if self.wait else self.unmet_days == 0

    def to_dict(self, *, daily: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key, "label": self.label, "kind": self.strategy.kind,
            "tier": self.strategy.tier.id if self.strategy.tier else None,
            "total_cost_usd": json_money(self.total_cost), "cost_per_month_usd": json_money(self.cost_per_month),
            "subscription_cost_usd": json_money(self.subscription_cost), "packs_cost_usd": json_money(self.packs_cost),
            "usd_per_million_credits_used": float(self.usd_per_million_used) if self.usd_per_million_used is not None
            else None,
            "packs_bought": dict(self.packs_bought),
            "demand_credits": self.demand, "served_credits": self.served, "unmet_credits": self.unmet,
            "allowance_granted": self.allowance_granted, "used_from_subscription": self.used_from_subscription,
            "wasted_allowance": self.wasted_allowance, "pack_credits_bought": self.pack_credits_bought,
            "used_from_packs": self.used_from_packs, "expired_credits": self.expired_credits,
            "left_at_end": self.left_at_end, "unmet_days": self.unmet_days,
            "first_unmet_date": self.first_unmet.isoformat() if self.first_unmet else None,
            "purchases": [{"date": d.isoformat(), "what": w, "usd": json_money(p)} for d, w, p in self.purchases],
            "waited_credits": self.waited, "longest_wait_days": self.longest_wait,
            "backlog_at_end": self.backlog_at_end,
        }
        if daily:
            out["daily"] = [
                {"date": (self.start + _dt.timedelta(days=i)).isoformat(), "allowance": a, "from_subscription": s,
                 "from_packs": p, "unmet": u}
                for i, (a, s, p, u) in enumerate(zip(self.daily_allowance, self.daily_from_subscription,
                                                      self.daily_from_packs, self.daily_unmet, strict=True))
            ]
        return out


class _Ledger:
    """Where each day's demand went, the work waiting (with ``wait``), and the result at the end."""

    def __init__(self, demand: Sequence[float], wait: bool) -> None:
        n = len(demand)
        self.demand = demand
        self.wait = wait
        self.allowance = [0.0] * n
        self.from_sub = [0.0] * n
        self.from_packs = [0.0] * n
        self.unmet = [0.0] * n
        self.wasted = [0.0] * n
        self.queue: deque[list[float]] = deque()  # [day index, credits] waiting, oldest first
        self.waiting = 0.0
        self.waited = 0.0
        self.longest = 0

    def work(self, i: int) -> float:
        """Today's work: what waited from earlier days (served first), then today's demand."""
        return self.waiting + self.demand[i]

    def record(self, i: int, allowance: float, o: DayOutcome) -> None:
        self.allowance[i] = allowance
        self.from_sub[i] = o.from_subscription
        self.from_packs[i] = o.from_packs
        self.wasted[i] = o.wasted
        if not self.wait:
            self.unmet[i] = o.unmet
            return
        served = o.from_subscription + o.from_packs
        while self.queue and served > EPS:  # the oldest work first
            head = self.queue[0]
            take = min(head[1], served)
            head[1] -= take
            served -= take
            self.longest = max(self.longest, i - int(head[0]))
            if head[1] <= EPS:
                self.queue.popleft()
        left = self.demand[i] - served
        if left > EPS:
            self.queue.append([float(i), left])
            self.waited += left
        self.waiting = math.fsum(q[1] for q in self.queue)
        if self.waiting <= EPS:
            self.waiting = 0.0
            self.queue.clear()
        self.unmet[i] = self.waiting

    def result(self, strategy: Strategy, start: _dt.date, charges: list[tuple[_dt.date, str, Decimal]],
               sub_cost: Decimal, wallet: PackWallet | None) -> StrategyResult:
        n = len(self.demand)
        to_date = _dt.date.fromordinal
        d0 = start.toordinal()
        purchases = list(charges)
        packs_bought: dict[str, int] = {}
        bought = expired = left = 0.0
        pack_cost = Decimal(0)
        if wallet is not None:
            for day, p, count in wallet.purchases:
                packs_bought[p.id] = packs_bought.get(p.id, 0) + count
                unit = "" if p.name.lower().endswith("pack") else " pack"
                what = f"one {p.name}{unit}" if count == 1 else f"{count} x {p.name}{unit}s"
                purchases.append((to_date(day), what, p.price_usd * count))
            bought = math.fsum(p.credits * count for _, p, count in wallet.purchases)
            expired = wallet.expired_credits
            left = wallet.balance
            pack_cost = wallet.cost
        purchases.sort(key=lambda x: x[0])
        unmet_days = [i for i in range(n) if self.unmet[i] > EPS]
        longest = self.longest
        if self.queue:  # still waiting at the end: at least until the day after the horizon
            longest = max(longest, n - int(self.queue[0][0]))
        unmet = self.waiting if self.wait else math.fsum(self.unmet)
        return StrategyResult(
            strategy, start, n, sub_cost, pack_cost, packs_bought, purchases,
            demand=math.fsum(self.demand), allowance_granted=math.fsum(self.allowance),
            used_from_subscription=math.fsum(self.from_sub), wasted_allowance=math.fsum(self.wasted),
            pack_credits_bought=bought, used_from_packs=math.fsum(self.from_packs), expired_credits=expired,
            left_at_end=left, unmet=unmet, unmet_days=len(unmet_days),
            first_unmet=to_date(d0 + unmet_days[0]) if unmet_days else None,
            daily_allowance=self.allowance, daily_from_subscription=self.from_sub, daily_from_packs=self.from_packs,
            daily_unmet=self.unmet, waited=self.waited, longest_wait=longest,
            backlog_at_end=self.waiting if self.wait else 0.0, wait=self.wait,
        )


def run_strategy(strategy: Strategy, demand: Sequence[float], start: _dt.date, catalog: Catalog, *,
                 wait: bool = False) -> StrategyResult:
    """Simulate one fixed strategy day by day from ``start`` over ``demand`` (credits per day).

    ``wait``: work that does not fit waits for the next midnight instead of being unmet.
    """
    n = len(demand)
    d0 = start.toordinal()
    tier = strategy.tier
    sub = Subscription(tier, d0) if tier is not None else None
    packs = catalog.packs if strategy.uses_packs else ()
    wallet = PackWallet() if packs else None
    prefix: list[float] = []
    window = 0
    if wallet is not None:
        allow = tier.daily_credits if tier is not None else 0.0
        prefix = list(accumulate((x - allow if x > allow else 0.0 for x in demand), initial=0.0))
        window = min(p.valid_days for p in packs)

    ledger = _Ledger(demand, wait)
    for i in range(n):
        day = d0 + i
        work = ledger.work(i)
        a = sub.allowance(day) if sub is not None else 0.0
        if wallet is not None:
            wallet.expire(day)
            if work - a > EPS:
                need = work - a - wallet.balance
                if need > EPS:  # just in time: the credits held run out today
                    forecast = need + prefix[min(n, i + window)] - prefix[i + 1]
                    for p, count in _packs_to_buy(need, forecast, packs):
                        wallet.buy(p, day, count)
        ledger.record(i, a, serve_day(work, a, wallet, day, expired=True))

    charges: list[tuple[_dt.date, str, Decimal]] = []
    sub_cost = Decimal(0)
    if sub is not None:
        for c in sub.charges:  # renewals were charged as the loop reached them
            sub_cost += c.amount
            charges.append((_dt.date.fromordinal(c.day), c.what, c.amount))
    return ledger.result(strategy, start, charges, sub_cost, wallet)


#: the optimizer's answer, as a row beside the fixed strategies
SCHEDULE = Strategy("schedule", "Cheapest schedule", "schedule")


def run_schedule(schedule: Schedule, demand: Sequence[float], start: _dt.date, catalog: Catalog, *,
                 wait: bool = False) -> StrategyResult:
    """Replay the optimizer's ``schedule`` through the rules, day by day (every charge is re-derived)."""
    d0 = start.toordinal()
    tiers, packs = catalog.tiers, catalog.packs
    acts = {a.day: a for a in schedule.actions}
    wallet = PackWallet() if packs else None
    ledger = _Ledger(demand, wait)
    charges: list[tuple[_dt.date, str, Decimal]] = []
    sub_cost = Decimal(0)
    tier: Tier | None = None
    expires = 0
    to_date = _dt.date.fromordinal
    for i in range(len(demand)):
        day = d0 + i
        act = acts.get(i)
        lapsed = tier
        if tier is not None and expires <= i:
            tier = None
        if act is not None and act.start is not None:
            new = tiers[act.start]
            what = (f"renew {new.name}" if lapsed is new and expires == i else
                    f"renew as {new.name}" if lapsed is not None and expires == i else new.name)
            tier, expires = new, i + PERIOD_DAYS
            charges.append((to_date(day), what, new.price_usd))
            sub_cost += new.price_usd
        elif lapsed is not None and tier is None and expires == i:
            charges.append((to_date(day), f"{lapsed.name} not renewed", Decimal(0)))
        if act is not None and act.upgrade is not None and tier is not None:
            new = tiers[act.upgrade]
            cost = upgrade_cost(tier.price_usd, new.price_usd, expires - i)
            charges.append((to_date(day), f"upgrade to {new.name}", cost))
            sub_cost += cost
            tier = new
        a = tier.daily_credits if tier is not None else 0.0
        if wallet is not None:
            wallet.expire(day)
            if act is not None:
                for k, count in act.packs:
                    wallet.buy(packs[k], day, count)
        ledger.record(i, a, serve_day(ledger.work(i), a, wallet, day, expired=True))
    return ledger.result(SCHEDULE, start, charges, sub_cost, wallet)


# --- the demand trace -----------------------------------------------------------------------------

@dataclass
class Trace:
    start: _dt.date
    values: list[float]
    notes: list[str]

    @property
    def days(self) -> int:
        return len(self.values)

    def dates(self) -> list[_dt.date]:
        return [self.start + _dt.timedelta(days=i) for i in range(len(self.values))]


def fit_trace(demand: Sequence[tuple[_dt.date, float]], *, horizon_days: int | None = None,
              start: _dt.date | None = None) -> Trace:
    """Turn ``(date, credits)`` pairs into one value per day from ``start`` for ``horizon_days`` days.

    Same-day entries are summed and missing days count as 0. ``horizon_days`` None keeps the trace's
    own span. A shorter trace is repeated to fill the horizon; a longer one keeps its most recent days.
    ``start`` moves the trace to begin on that date (default: its first date). Each of these is noted.
    """
    if not demand:
        raise ConfiguratorError("there is no usage to simulate: the demand trace is empty.")
    totals: dict[_dt.date, float] = {}
    for day, credits in demand:
        c = float(credits)
        if not math.isfinite(c) or c < 0:
            raise ConfiguratorError(f"demand on {day} is {credits!r}; credits per day must be a number >= 0.")
        totals[day] = totals.get(day, 0.0) + c
    first, last = min(totals), max(totals)
    span = (last - first).days + 1
    values = [totals.get(first + _dt.timedelta(days=i), 0.0) for i in range(span)]
    notes: list[str] = []
    if horizon_days is not None:
        if horizon_days < 1:
            raise ConfiguratorError("the horizon must be at least 1 day (--days N).")
        if horizon_days < span:
            values = values[-horizon_days:]
            first = last - _dt.timedelta(days=horizon_days - 1)
            notes.append(f"used the most recent {horizon_days} of the trace's {span} days ({first} … {last}).")
        elif horizon_days > span:
            reps = horizon_days / span
            notes.append(f"the {span}-day trace ({first} … {last}) is repeated {reps:.3g} times to fill the "
                         f"{horizon_days}-day horizon.")
            values = [values[i % span] for i in range(horizon_days)]
    begin = start or first
    if start is not None and start != first:
        notes.append(f"the trace is laid out from {start} (the first day of the simulation).")
    return Trace(begin, values, notes)


# --- demand profile (the seed's vocabulary) --------------------------------------------------------

@dataclass(frozen=True)
class DemandProfile:
    """The shape of a trace in the article's terms.

    ``steady``: active on at least 60% of days with day-to-day variation (coefficient of variation of
    active days) at most 0.5. ``bursty`` ("a few heavy days"): active on at most 35% of days, or the busiest
    10% of days carry at least 45% of all credits. Anything else is ``mixed`` ("in between").
    """

    days: int
    active_days: int
    total: float
    typical: float  # median credits on an active day
    peak: float
    busiest_share: float  # share of all credits used on the busiest 10% of days
    variation: float  # coefficient of variation over active days
    shape: Shape

    @classmethod
    def of(cls, values: Sequence[float], *, smallest_allowance: float | None = None) -> DemandProfile:
        n = len(values)
        active = [v for v in values if v > EPS]
        total = math.fsum(values)
        if not active:
            return cls(n, 0, 0.0, 0.0, 0.0, 0.0, 0.0, "idle")
        typical = statistics.median(active)
        peak = max(active)
        top = sorted(values, reverse=True)[: max(1, math.ceil(n / 10))]
        busiest = math.fsum(top) / total if total > 0 else 0.0
        mean = total / len(active)
        variation = statistics.pstdev(active) / mean if len(active) > 1 and mean > 0 else 0.0
        share = len(active) / n
        shape: Shape
        if share >= 0.6 and variation <= 0.5:
            shape = "steady"
        elif (share <= 0.35 or busiest >= 0.45) and smallest_allowance is not None and peak <= smallest_allowance:
            shape = "light"
        elif share <= 0.35 or busiest >= 0.45:
            shape = "bursty"
        else:
            shape = "mixed"
        return cls(n, len(active), total, typical, peak, busiest, variation, shape)

    @property
    def describe(self) -> str:
        return {"steady": "steady daily use", "bursty": "a few heavy days", "mixed": "in between",
                "light": "light use on a few days", "idle": "no use"}[self.shape]

    @property
    def expected_kind(self) -> StrategyKind:
        """What the article advises for this shape."""
        return _EXPECTED_KIND[self.shape]

    def to_dict(self) -> dict[str, Any]:
        return {"days": self.days, "active_days": self.active_days, "total_credits": self.total,
                "typical_active_day": self.typical, "peak_day": self.peak,
                "busiest_10pct_share": round(self.busiest_share, 4), "variation": round(self.variation, 4),
                "shape": self.shape, "described_as": self.describe}


# --- advice ---------------------------------------------------------------------------------------

_KIND_TEXT: dict[StrategyKind, str] = {"subscription": "a subscription", "payg": "PAYG packs",
                                       "hybrid": "a subscription plus PAYG overflow",
                                       "schedule": "a schedule that changes the plan"}
_COMPLEXITY: dict[StrategyKind, int] = {"subscription": 0, "payg": 0, "hybrid": 1, "schedule": 2}


@dataclass
class Advice:
    trace: Trace
    results: list[StrategyResult]
    recommended: StrategyResult
    profile: DemandProfile
    reasons: list[str]
    accept_waiting: bool
    catalog: Catalog
    covered: bool  # False: no plan serves every day (the catalog has no packs)
    schedule: StrategyResult | None = None  # the optimizer's schedule, replayed
    best_fixed: StrategyResult | None = None  # the cheapest acceptable fixed strategy
    unservable: float = 0.0  # credits above the largest allowance with no packs to cover them
    exact: bool = True  # False: the optimizer's state budget was hit (cheapest found, not proved)
    lower_bound: Decimal | None = None  # no schedule costs less (when not exact and known)

    @property
    def start(self) -> _dt.date:
        return self.trace.start

    @property
    def days(self) -> int:
        return self.trace.days

    @property
    def notes(self) -> list[str]:
        return list(self.trace.notes)

    def result(self, key: str) -> StrategyResult:
        for r in self.results:
            if r.key == key:
                return r
        raise KeyError(key)

    def unverified(self) -> list[Figure]:
        """Unverified catalog figures this advice was computed from (tiers and packs)."""
        return [f for f in self.catalog.plan_figures() if not f.verified]

    def chart_tier(self) -> Tier | None:
        """The allowance to chart demand against: the recommended tier, else the best subscription's."""
        if self.recommended.strategy.tier is not None:
            return self.recommended.strategy.tier
        subs = [r for r in self.results if r.strategy.tier is not None]
        if not subs:
            return None
        return min(subs, key=_rank_key).strategy.tier

    def to_dict(self) -> dict[str, Any]:
        rec = self.recommended
        return {
            "start": self.start.isoformat(), "horizon_days": self.days, "accept_waiting": self.accept_waiting,
            "profile": self.profile.to_dict(),
            "strategies": [r.to_dict() for r in self.results],
            "schedule": self.schedule.to_dict() if self.schedule is not None else None,
            "search": "every schedule the rules allow: a tier or none for each period, upgrades on any day, "
                      "packs when needed", "proved_cheapest": self.exact,
            "proved_lower_bound_usd": json_money(self.lower_bound) if self.lower_bound is not None else None,
            "recommendation": {"strategy": rec.key, "label": rec.label, "kind": rec.strategy.kind,
                               "total_cost_usd": json_money(rec.total_cost),
                               "cost_per_month_usd": json_money(rec.cost_per_month),
                               "covers_every_day": rec.unmet_days == 0 if not self.accept_waiting
                               else rec.unmet_days == 0 or rec.longest_wait <= 1, "reason": " ".join(self.reasons),
                               "reasons": list(self.reasons)},
            "daily": [
                {"date": d.isoformat(), "demand": v, **{k: x for k, x in row.items() if k != "date"}}
                for d, v, row in zip(self.trace.dates(), self.trace.values, rec.to_dict(daily=True)["daily"], strict=True)
            ],
            "catalog": {"path": str(self.catalog.path),
                        "unverified_figures": [f.key for f in self.unverified()]},
            "payment": self.catalog.payment_note,
            "trace_notes": self.notes,
        }


def _rank_key(r: StrategyResult) -> tuple[Decimal, float, int, float]:
    return (r.total_cost, r.unmet, _COMPLEXITY[r.strategy.kind], r.wasted_allowance)


def _clip(values: Sequence[float], catalog: Catalog) -> tuple[list[float], list[float]]:
    """Without packs, a day above the largest allowance cannot be served by any plan: the part above it."""
    if catalog.packs or not catalog.tiers:
        return list(values), [0.0] * len(values)
    cap = max(t.daily_credits for t in catalog.tiers)
    return [min(v, cap) for v in values], [max(0.0, v - cap) for v in values]


def advise(demand: list[tuple[_dt.date, float]], catalog: Catalog, *, accept_waiting: bool = False,
           horizon_days: int | None = None, start: _dt.date | None = None) -> Advice:
    """Find the cheapest schedule over ``demand``, simulate the fixed strategies beside it, and explain.

    ``demand``: credits per local day. ``horizon_days`` None simulates the trace's own span; otherwise
    the trace is repeated (or cut to its most recent days) to fill the horizon (see :func:`fit_trace`).
    The recommendation is the cheapest schedule that serves every day or, with ``accept_waiting``,
    that never makes work wait more than one midnight; when a fixed strategy costs the same it is
    named instead (the same money, a simpler setup).
    """
    trace = fit_trace(demand, horizon_days=horizon_days, start=start)
    values = trace.values
    results = [run_strategy(s, values, trace.start, catalog, wait=accept_waiting) for s in strategies(catalog)]
    ok = [r for r in results if r.acceptable]
    upper = min((r.total_cost for r in ok), default=None)
    schedule = optimize(values, catalog, wait=accept_waiting, upper_bound=upper)
    served, excess = list(values), [0.0] * len(values)
    if schedule is None:  # no packs and days above the largest allowance: serve what any plan can
        served, excess = _clip(values, catalog)
        schedule = optimize(served, catalog, wait=accept_waiting)
    best: StrategyResult | None = None
    if schedule is not None:
        best = run_schedule(schedule, served, trace.start, catalog, wait=accept_waiting)
        if any(excess):
            _add_unserved(best, values, excess)
    covered = best is not None and not any(excess)
    same = [r for r in results if best is not None and r.total_cost == best.total_cost and r.acceptable
            and not any(excess)]
    cheapest_ok = min(ok, key=_rank_key) if ok else None
    if same:
        recommended = min(same, key=_rank_key)
    elif cheapest_ok is not None and (best is None or best.total_cost > cheapest_ok.total_cost):
        recommended = cheapest_ok  # only when the search was cut short (never for a proved schedule)
    elif best is not None:
        recommended = best
    else:  # cannot happen (a top tier every day serves the clipped demand); kept for safety
        recommended = min(results, key=lambda r: (r.unmet, *_rank_key(r)))
    smallest = min((t.daily_credits for t in catalog.tiers), default=None)
    profile = DemandProfile.of(values, smallest_allowance=smallest)
    advice = Advice(trace, results, recommended, profile, [], accept_waiting, catalog, covered,
                    schedule=best, best_fixed=min(ok, key=_rank_key) if ok else None,
                    unservable=math.fsum(excess), exact=schedule.exact if schedule is not None else True,
                    lower_bound=schedule.lower_bound if schedule is not None else None)
    advice.reasons = explain(advice)
    return advice


def _add_unserved(r: StrategyResult, values: Sequence[float], excess: Sequence[float]) -> None:
    r.demand = math.fsum(values)
    r.daily_unmet = [u + x for u, x in zip(r.daily_unmet, excess, strict=True)]
    r.unmet += math.fsum(excess)
    days = [i for i, u in enumerate(r.daily_unmet) if u > EPS]
    r.unmet_days = len(days)
    r.first_unmet = r.start + _dt.timedelta(days=days[0]) if days else None


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def explain(advice: Advice) -> list[str]:
    """Why the recommendation wins, in the article's terms, backed by the simulated numbers."""
    p = advice.profile
    rec = advice.recommended
    kind = rec.strategy.kind
    tier = rec.strategy.tier
    n = advice.days
    out: list[str] = []

    if p.shape == "idle":
        return [f"The trace has no usage in {n} days, so nothing needs buying: {rec.label} costs "
                f"{usd(rec.total_cost)}."]
    active = f"active on {p.active_days} of {n} days"
    if p.shape == "steady":
        out.append(f"Your use is steady daily use: {active}, a typical day needs {credits_text(p.typical)} credits "
                   f"(busiest {credits_text(p.peak)}).")
    elif p.shape == "light":
        out.append(f"Your use is light: {active}, and even the busiest day ({credits_text(p.peak)} credits) fits "
                   "under the smallest daily allowance.")
    elif p.shape == "bursty":
        out.append(f"Your use comes in a few heavy days: {active}; the busiest 10% of days carry "
                   f"{_pct(p.busiest_share)} of the credits (busiest day {credits_text(p.peak)}).")
    else:
        out.append(f"Your use is in between: {active}, a typical day needs {credits_text(p.typical)} credits "
                   f"but the busiest needs {credits_text(p.peak)}.")
    out.append("The usual advice: steady daily use → a subscription; a few heavy days → PAYG; in between → "
               "a subscription sized to typical days with PAYG packs as overflow.")

    if kind == "schedule":
        bf = advice.best_fixed
        if advice.exact:
            what = "The cheapest schedule the rules allow"
        elif advice.lower_bound is not None:
            what = (f"The cheapest schedule found (the search keeps the most promising schedules each day, so a "
                    f"cheaper one may exist, but none costs less than {usd(advice.lower_bound)})")
        else:
            what = ("The cheapest schedule found (this catalog has too many pack kinds to search every schedule, so "
                    "a cheaper one may exist)")
        out.append(f"{what} costs {usd(rec.total_cost)} over {n} days: it changes the plan as the usage changes "
                   "(the dated steps above).")
        if bf is not None:
            out.append(f"That is {usd(bf.total_cost - rec.total_cost)} less than the cheapest fixed strategy, "
                       f"{bf.label} at {usd(bf.total_cost)}.")
        else:
            out.append("No fixed strategy serves every day with this catalog.")
        if advice.unservable > EPS:
            out.append(f"{credits_text(advice.unservable)} credits are above the largest daily allowance and the "
                       "catalog has no PAYG packs: no plan serves them, so they stay unmet.")
    elif kind == "subscription" and tier is not None:
        if rec.unmet_days == 0:
            out.append(f"{rec.label} covers every day: its {credits_text(tier.daily_credits)}-credit daily allowance "
                       f"is above your busiest day; {usd(rec.total_cost)} over {n} days "
                       f"({usd(rec.cost_per_month)}/month), {_pct(rec.wasted_share)} of the allowance unused.")
        else:
            if advice.accept_waiting:
                out.append(f"{rec.label} is the cheapest ({usd(rec.total_cost)}) because you accept waiting for "
                           f"midnight: {credits_text(rec.waited)} credits ({_pct(rec.waited / rec.demand)} of your "
                           f"demand) wait for the next day's allowance, on {rec.unmet_days} days (first "
                           f"{rec.first_unmet}), none longer than {_n(rec.longest_wait, 'day')}.")
            else:
                out.append(f"{rec.label} ({usd(rec.total_cost)}) leaves the least demand unmet: on {rec.unmet_days} "
                           f"days (first {rec.first_unmet}) the allowance runs out and {credits_text(rec.unmet)} "
                           f"credits ({_pct(rec.unmet / rec.demand)} of your demand) are not served that day.")
    elif kind == "payg":
        bought = sum(rec.packs_bought.values())
        out.append(f"PAYG only: {_n(bought, 'pack')} ({usd(rec.total_cost)}, {usd(rec.cost_per_month)}/month) "
                   f"{'cover' if bought != 1 else 'covers'} all {credits_text(rec.served)} credits with no daily cap "
                   f"and nothing paid for idle days; {credits_text(rec.expired_credits)} credits expire unused and "
                   f"{credits_text(rec.left_at_end)} are left at the end.")
    elif tier is not None:
        over_days = sum(1 for v in advice.trace.values if v > tier.daily_credits + EPS)
        bought = sum(rec.packs_bought.values())
        if over_days >= p.active_days:
            out.append(f"{rec.label}: {tier.name}'s allowance covers the first {credits_text(tier.daily_credits)} "
                       f"credits of every active day and {_n(bought, 'pack')} {'cover' if bought != 1 else 'covers'} "
                       f"the rest without stopping; {usd(rec.total_cost)} over {n} days "
                       f"({usd(rec.cost_per_month)}/month).")
        else:
            out.append(f"{rec.label}: {tier.name}'s {credits_text(tier.daily_credits)}-credit allowance covers "
                       f"{p.active_days - over_days} of {p.active_days} active days in full and {_n(bought, 'pack')} "
                       f"{'cover' if bought != 1 else 'covers'} the rest of the {_n(over_days, 'heavier day')} "
                       f"without stopping; {usd(rec.total_cost)} over {n} days ({usd(rec.cost_per_month)}/month).")

    # a hybrid that never bought a pack is the same setup as its tier alone: not a real alternative
    others = sorted((r for r in advice.results if r is not rec and not (
        r.strategy.tier is rec.strategy.tier and not r.packs_bought and not rec.packs_bought)), key=_rank_key)
    covering = [r for r in others if r.acceptable]
    if covering:
        nxt = covering[0]
        diff = nxt.total_cost - rec.total_cost
        out.append(f"Next best: {nxt.label} at {usd(nxt.total_cost)} ({usd(diff)} more).")
    cheaper = [r for r in others if not r.acceptable and r.total_cost < rec.total_cost]
    if cheaper and not advice.accept_waiting:
        c = min(cheaper, key=_rank_key)
        out.append(f"{c.label} would cost less ({usd(c.total_cost)}) but stops you on {c.unmet_days} days "
                   f"(first {c.first_unmet}) until midnight; see --wait if waiting is fine.")
    elif cheaper:
        c = min(cheaper, key=_rank_key)
        out.append(f"{c.label} would cost less ({usd(c.total_cost)}) but is not counted as cheapest: "
                   f"{credits_text(c.waited)} credits ({_pct(c.waited / c.demand if c.demand else 0)} of your demand) "
                   f"wait, up to {_n(c.longest_wait, 'day')}"
                   + (f", and {credits_text(c.backlog_at_end)} are still waiting at the end" if c.backlog_at_end > EPS
                      else "") + ".")
    if not advice.covered and not advice.accept_waiting:
        out.append("No strategy in this catalog covers every day (it has no PAYG packs): this is the one that "
                   "leaves the least demand unmet.")

    offered = {r.strategy.kind for r in advice.results}
    if kind == "schedule":
        pass
    elif p.expected_kind not in offered:
        missing = "subscription tiers" if p.expected_kind in ("subscription", "hybrid") and not advice.catalog.tiers \
            else "PAYG packs"
        out.append(f"This catalog has no {missing}, so {_KIND_TEXT[p.expected_kind]} is not an option here.")
    elif kind != p.expected_kind:
        out.append(_why_not_usual(advice, p.expected_kind))
    return out


def _why_not_usual(advice: Advice, expected: StrategyKind) -> str:
    rec = advice.recommended
    kind = rec.strategy.kind
    tier = rec.strategy.tier
    pack = min(advice.catalog.packs, key=lambda x: x.usd_per_million_credits(), default=None)
    tiers = advice.catalog.tiers
    lead = f"That points to {_KIND_TEXT[expected]}, but with this catalog's figures {rec.label} is cheaper"
    hybrids = [r for r in advice.results if r.strategy.kind == "hybrid" and r.unmet_days == 0]
    if kind == "payg" and hybrids:
        h = min(hybrids, key=_rank_key)
        if sum(h.packs_bought.values()) >= sum(rec.packs_bought.values()):
            return (f"{lead}: your heavy days need a pack anyway, and the packs you buy hold enough to cover "
                    f"every day, so {h.strategy.tier.name if h.strategy.tier else 'a subscription'} on top would "
                    f"add {usd(h.total_cost - rec.total_cost)} without saving a pack.")
    if kind == "payg" and pack is not None and tiers:
        best_tier = min(tiers, key=lambda t: t.usd_per_million_credits())
        if pack.usd_per_million_credits() <= best_tier.usd_per_million_credits():
            return (f"{lead}: a pack's credits cost ${rate(pack.usd_per_million_credits())}/M against "
                    f"${rate(best_tier.usd_per_million_credits())}/M for {best_tier.name}'s allowance even when all "
                    "of it is used, and you use enough to empty packs before they expire.")
        return f"{lead}: the daily allowances would mostly go unused or be too small on your heavy days."
    if kind == "subscription" and tier is not None and expected == "hybrid":
        if rec.unmet_days == 0:
            return f"{lead}: even your heaviest day fits under {tier.name}'s allowance, so no pack is needed."
        return f"{lead}: you accept waiting for midnight on the heavy days, so no pack is bought."
    if kind in ("subscription", "hybrid") and pack is not None and expected == "payg":
        used_per_window = advice.profile.total / max(advice.days, 1) * pack.valid_days
        if used_per_window < pack.credits:
            return (f"{lead}: over a pack's {pack.valid_days} days you use about {credits_text(used_per_window)} "
                    f"credits, less than a {credits_text(pack.credits)}-credit pack holds, so much of a "
                    f"{usd(pack.price_usd)} pack would expire unused.")
        if tier is not None and tier.usd_per_million_credits() < pack.usd_per_million_credits():
            return (f"{lead}: {tier.name}'s allowance costs ${rate(tier.usd_per_million_credits())}/M credits "
                    f"against ${rate(pack.usd_per_million_credits())}/M in a pack, and you use most of it.")
    if kind == "hybrid" and tier is not None and expected == "subscription":
        biggest = max(tiers, key=lambda t: t.daily_credits)
        if advice.profile.typical > biggest.daily_credits:
            return (f"{lead}: a typical day ({credits_text(advice.profile.typical)}) is above every tier's daily "
                    f"allowance (largest: {biggest.name}, {credits_text(biggest.daily_credits)}), so no subscription "
                    f"alone covers it; {tier.name} takes the first {credits_text(tier.daily_credits)} of each day "
                    "and packs cover the rest.")
        return (f"{lead}: some days go over {tier.name}'s allowance, and packs cover them for less than a bigger "
                "tier would cost.")
    return f"{lead}; the totals in the table decide."
