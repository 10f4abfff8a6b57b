"""The cheapest schedule the billing rules allow, found by a dynamic program over days.

A *schedule* says, for each day of the horizon: whether a subscription period starts (a tier, or a
renewal into any tier, or none after a lapse), whether the current period is upgraded (pro-rated,
rule 4; the expiry stays), and which PAYG packs are bought. Demand is always served in the rules'
order (today's allowance, then packs soonest-expiry first, rule 7). Without ``wait`` every credit of
demand must be served on its day; with ``wait`` work that does not fit waits for the next midnight
(a queue), and must be served then (it never waits two midnights).

The dynamic program keeps, after each day, every state that is not *dominated*:

- state = (tier and expiry of the current period, the packs held as (last usable day, credits left)
  lots, work waiting for tomorrow) and the money paid so far;
- a state dominates another with the same tier and expiry when it paid no more, has no more work
  waiting, and holds at least as many pack credits usable on or after every future day (its
  "tail sums" are larger). Serving the same demand keeps that order (draining soonest-expiry first
  only lowers the tail sums to ``min(tail, total − demand)``), so whatever the dominated state can
  still do, the dominating one can do for no more money;
- packs are bought only on a day they are drawn from: a pack bought on a day it is not touched can be
  bought the next day instead, expiring one day later, which dominates. With one pack kind, or
  kinds of the same validity, that is exactly "just in time" (buy when the credits held run out);
  with kinds of different validity, a short-lived pack bought while longer-lived credits still cover
  the day can be cheaper, so the program considers it (``tests/billing/test_optimize.py`` proves both
  against a brute-force search over every schedule).

Money is counted in integer units (cents, or finer if a catalog price has more decimals), so the
search compares exact totals; every period and pack bought inside the horizon is charged in full.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from configurator.billing.catalog import PERIOD_DAYS, Catalog
from configurator.billing.money import EPS
from configurator.billing.rules import upgrade_cost

#: undominated states kept after a day before the search is cut (heavier demand than the
#: allowances can hold needs more: then the result is the cheapest found, with a proved lower bound)
MAX_STATES = 600
#: states kept per day by the quick search that finds an upper bound first
QUICK_STATES = 24
#: a wallet: (last usable day index, credits left) lots, soonest expiry first
Wallet = tuple[tuple[int, float], ...]


@dataclass(frozen=True)
class DayAction:
    """What the schedule does on day ``day`` (an index into the horizon)."""

    day: int
    start: int | None = None  # tier index of a period that starts (or renews) today
    upgrade: int | None = None  # tier index the current period is upgraded to today
    packs: tuple[tuple[int, int], ...] = ()  # (pack index, count) bought today

    @property
    def empty(self) -> bool:
        return self.start is None and self.upgrade is None and not self.packs


@dataclass(frozen=True)
class Schedule:
    """The optimizer's answer: one action per day that does something, and the exact total."""

    actions: tuple[DayAction, ...]
    total: Decimal
    states_kept: int  # the largest number of undominated states after a day (for the benchmark)
    exact: bool = True  # False: the state budget was hit on some day, so this is the cheapest found
    #: no schedule costs less than this (the total when exact; None: not known, packs were not all tried)
    lower_bound: Decimal | None = None


def _unit(catalog: Catalog) -> int:
    """Money unit: 100 per dollar (cents), or finer if a price has more than two decimals."""
    places = 2
    for price in [t.price_usd for t in catalog.tiers] + [p.price_usd for p in catalog.packs]:
        exp = price.normalize().as_tuple().exponent
        if isinstance(exp, int):
            places = max(places, -exp)
    return 10 ** places


def can_upgrade(old_price: Decimal, old_daily: float, new_price: Decimal, new_daily: float) -> bool:
    """Rule 5 read as in :func:`configurator.billing.rules.plan_upgrade`: a dearer tier, or the same
    price with a larger allowance (a same-price, same-allowance switch changes nothing)."""
    return new_price > old_price or (new_price == old_price and new_daily > old_daily)


def _tail_dominates(a: Wallet, b: Wallet) -> bool:
    """For every day, ``a`` holds at least as many credits usable on or after it as ``b``."""
    if not b or a == b:
        return True
    ia = len(a) - 1
    tail_a = tail_b = 0.0
    for j in range(len(b) - 1, -1, -1):
        x, r = b[j]
        tail_b += r
        while ia >= 0 and a[ia][0] >= x:
            tail_a += a[ia][1]
            ia -= 1
        if tail_a < tail_b - EPS:
            return False
    return True


class _Node:
    __slots__ = ("cost", "t", "e", "wallet", "q", "total", "parent", "act")

    def __init__(self, cost: int, t: int, e: int, wallet: Wallet, q: float, parent: _Node | None,
                 act: DayAction | None) -> None:
        self.cost = cost
        self.t = t
        self.e = e
        self.wallet = wallet
        self.q = q
        self.total = math.fsum(r for _, r in wallet)
        self.parent = parent
        self.act = act


def optimize(demand: Sequence[float], catalog: Catalog, *, wait: bool = False,
             period_days: int = PERIOD_DAYS, upper_bound: Decimal | None = None,
             max_states: int = MAX_STATES) -> Schedule | None:
    """The cheapest schedule for ``demand`` (credits per day from day 0), or None if none serves it.

    ``period_days`` is the subscription period (30 by the rules; tests use shorter ones so that a
    brute-force search can cover renewals and expiries). ``upper_bound``: the total of a schedule
    known to serve the demand (a fixed strategy); states that cannot end below it are dropped: a
    state's money plus the cheapest price per credit anything in the catalog sells (a tier's full
    allowance, a pack, or an upgrade's extra allowance, each as actually charged) times the demand
    its period and packs cannot serve is a lower bound of what it ends at. ``max_states``: when more
    undominated states than this survive a day (catalogs with several pack kinds of different
    validity), only the most promising are kept and the result says it is not proved optimal.
    """
    unit = _unit(catalog)
    tiers = catalog.tiers
    packs = catalog.packs
    t_price = [int(t.price_usd * unit) for t in tiers]
    t_daily = [t.daily_credits for t in tiers]
    ups: list[list[int]] = [[k for k, b in enumerate(tiers) if can_upgrade(a.price_usd, a.daily_credits,
                                                                              b.price_usd, b.daily_credits)]
                            for a in tiers]
    up_cost = {(a, b, rem): int(upgrade_cost(tiers[a].price_usd, tiers[b].price_usd, rem,
                                             period_days=period_days) * unit)
               for a in range(len(tiers)) for b in ups[a] for rem in range(1, period_days + 1)}
    p_price = [int(p.price_usd * unit) for p in packs]
    p_credits = [p.credits for p in packs]
    p_valid = [p.valid_days for p in packs]

    n = len(demand)
    # the cheapest money per credit of service anything sells (exact: upgrade charges as rounded)
    rates = [t_price[k] / (period_days * t_daily[k]) for k in range(len(tiers))]
    rates += [p_price[k] / p_credits[k] for k in range(len(packs))]
    rates += [c / ((t_daily[b] - t_daily[a]) * rem) for (a, b, rem), c in up_cost.items() if t_daily[b] > t_daily[a]]
    rate_min = min(rates) * (1 - 1e-9) if rates else 0.0
    suffix = [0.0] * (n + 1)
    for j in range(n - 1, -1, -1):
        suffix[j] = suffix[j + 1] + demand[j]
    if wait and n:  # the last day's work may wait past the horizon
        suffix = [x - demand[-1] for x in suffix]  # (with the work waiting, never below 0)
    # allowance of tier k that demand can use on days j … n-1
    usable = []
    for k in range(len(tiers)):
        acc = [0.0] * (n + 1)
        for j in range(n - 1, -1, -1):
            acc[j] = acc[j + 1] + min(demand[j], t_daily[k])
        usable.append(acc)
    # cumulative demand, and cumulative demand above each tier's allowance (wallet caps, below)
    cum = [0.0] * (n + 1)
    for j in range(n):
        cum[j + 1] = cum[j] + demand[j]
    above = []
    for k in range(len(tiers)):
        acc = [0.0] * (n + 1)
        for j in range(n):
            acc[j + 1] = acc[j] + max(0.0, demand[j] - t_daily[k])
        above.append(acc)

    # demand above the largest allowance must come from packs: without waiting, from day j through day x
    # at least forced[x + 1] - forced[j] credits are drawn from the wallet, soonest expiry first
    top = max(t_daily, default=0.0)
    forced = [0.0] * (n + 1)
    for j in range(n):
        forced[j + 1] = forced[j] + max(0.0, demand[j] - top)
    # with one pack validity, a pack bought later expires later, so held credits are drawn before it
    collapse = not wait and len(set(p_valid)) == 1

    def normalize(wallet: Wallet, j: int, t: int, e: int, q: float) -> Wallet:
        w = _cap(wallet, j, t, e, q)
        if collapse and len(w) > 1:
            return _forced(w, j)
        return w

    def _forced(wallet: Wallet, j: int) -> Wallet:
        """When every held credit is drawn before it expires whatever happens (the demand above the
        largest allowance takes it out in time), only the total matters: one lot, expiring on the day
        the forced draws reach it (no later than the last lot did, so still before any pack bought later)."""
        prefix = 0.0
        base = forced[j]
        for x, r in wallet:
            prefix += r
            if x >= n or forced[x + 1] - base < prefix - EPS:
                return wallet
        lo = bisect.bisect_left(forced, base + prefix - EPS, j + 1, n + 1)
        return ((lo - 1, prefix),)

    def _cap(wallet: Wallet, j: int, t: int, e: int, q: float) -> Wallet:
        """Credits no demand can reach before they expire are as good as gone: from day ``j`` the
        lots up to expiry x can serve at most the work waiting plus the demand of days j … x (above
        the current period's allowance while it lasts). Capping the wallet's prefix sums there
        changes no future draw, and makes wallets that differ only in unreachable credits equal."""
        out: list[tuple[int, float]] = []
        capped = 0.0
        for x, r in wallet:
            last = min(x, n - 1)
            if t >= 0:
                mid = min(last + 1, max(j, e))
                cap = q + above[t][mid] - above[t][j] + (cum[last + 1] - cum[mid] if last + 1 > mid else 0.0)
            else:
                cap = q + cum[last + 1] - cum[j]
            new = min(capped + r, cap)  # what earlier lots lose to expiry is not carried on
            if new < capped:
                new = capped
            if new - capped > EPS:
                out.append((x, new - capped))
            capped = new
        return tuple(out)

    # A sharper lower bound without waiting (per (tier, expiry) group, then per wallet): each credit of
    # demand from day j on is served by the current period's allowance (paid), by an upgrade of the
    # current period (at least the cheapest upgrade rate from its tier, only up to the largest allowance),
    # by a later period's allowance (at least the cheapest rate of a tier or an upgrade, up to the
    # largest allowance a day), or by pack credits (at least the cheapest pack rate; the only source for
    # demand above the largest allowance). The wallet's credits replace the dearest of these first.
    rho_p = min((p_price[k] / p_credits[k] for k in range(len(packs))), default=math.inf)
    rho_s = _period_rate(t_price, t_daily, ups, up_cost, period_days)
    if rho_s is None:  # too many tiers to list every period: each charge at its own cheapest rate
        rho_s = min(rates[:len(tiers)] + rates[len(tiers) + len(packs):], default=math.inf)
    rho_up = [min((c / ((t_daily[b] - t_daily[a0]) * rem) for (a0, b, rem), c in up_cost.items()
                   if a0 == a and t_daily[b] > t_daily[a]), default=math.inf) for a in range(len(tiers))]
    low_all = [0.0] * (n + 1)  # demand up to the largest allowance, from day j on
    for j in range(n - 1, -1, -1):
        low_all[j] = low_all[j + 1] + min(demand[j], top)
    mid = []  # demand between tier k's allowance and the largest, cumulative
    for k in range(len(tiers)):
        acc = [0.0] * (n + 1)
        for j in range(n):
            acc[j + 1] = acc[j] + min(max(0.0, demand[j] - t_daily[k]), top - t_daily[k])
        mid.append(acc)
    layer_cache: dict[tuple[int, int, int], tuple[tuple[float, float], ...]] = {}

    def layers(j: int, t: int, e: int) -> tuple[tuple[float, float], ...]:
        """(rate, credits) the demand from day j on needs bought, dearest first, for a state (t, e)."""
        key = (j, t, e)
        got = layer_cache.get(key)
        if got is None:
            out = [(rho_p, forced[n] - forced[j])]
            end = j
            if t >= 0:
                end = min(max(e, j), n)
                out.append((min(rho_up[t], rho_p), mid[t][end] - mid[t][j]))
            out.append((min(rho_s, rho_p), low_all[end]))
            got = tuple(sorted((x for x in out if x[1] > EPS), reverse=True))
            layer_cache[key] = got
        return got

    if max_states > QUICK_STATES and n > 1:  # a quick narrow search first: a tight bound to prune with
        quick = optimize(demand, catalog, wait=wait, period_days=period_days, upper_bound=upper_bound,
                         max_states=QUICK_STATES)
        if quick is not None and (upper_bound is None or quick.total < upper_bound):
            upper_bound = quick.total
    bound = math.inf if upper_bound is None else float(upper_bound * unit) + 1e-6

    states: list[_Node] = [_Node(0, -1, 0, (), 0.0, None, None)]
    widest = 1
    exact = True
    floor = math.inf  # the least lower bound of any state dropped by the budget
    partial = True  # False: some day's pack combinations were not all tried (no lower bound known)
    for i, d in enumerate(demand):
        nxt: dict[tuple[int, int], list[_Node]] = {}

        def emit(node: _Node, bucket: dict[tuple[int, int], list[_Node]] = nxt) -> None:
            bucket.setdefault((node.t, node.e), []).append(node)

        for s in states:
            wallet = s.wallet
            if wallet and wallet[0][0] < i:
                wallet = tuple(lot for lot in wallet if lot[0] >= i)
            options: list[tuple[int, int, int, DayAction | None]] = []
            if s.t < 0 or s.e <= i:
                options.append((-1, 0, 0, None))
                options += [(k, i + period_days, t_price[k], DayAction(i, start=k)) for k in range(len(tiers))]
            else:
                options.append((s.t, s.e, 0, None))
                rem = s.e - i
                options += [(k, s.e, up_cost[(s.t, k, rem)], DayAction(i, upgrade=k)) for k in ups[s.t]]
            held = math.fsum(r for _, r in wallet)
            for t, e, add, act in options:
                allow = t_daily[t] if t >= 0 else 0.0
                work = s.q + d
                need = work - allow
                cost = s.cost + add
                e_next = e if t >= 0 and e > i + 1 else 0
                t_next = t if e_next else -1
                if need <= EPS:
                    emit(_Node(cost, t_next, e_next, normalize(wallet, i + 1, t_next, e_next, 0.0) if wallet else (),
                               0.0, s, act))
                    continue
                combos, complete = _combos(need, p_credits)
                if not complete:
                    exact = partial = False
                for combo in combos:
                    new_credits = math.fsum(c * p_credits[k] for k, c in enumerate(combo))
                    capacity = held + new_credits
                    left = need - capacity
                    if left > EPS:
                        if not wait or left > d + EPS:
                            continue
                    else:
                        left = 0.0
                    lots = [(x, r, 0) for x, r in wallet]
                    lots += [(i + p_valid[k] - 1, c * p_credits[k], 1 + k) for k, c in enumerate(combo) if c]
                    lots.sort()
                    if not _all_drawn(lots, combo, p_credits, need):
                        continue
                    w = normalize(_draw(lots, need, i + 1), i + 1, t_next, e_next, left)
                    price = sum(c * p_price[k] for k, c in enumerate(combo))
                    pact = tuple((k, c) for k, c in enumerate(combo) if c)
                    a2 = act
                    if pact:
                        a2 = DayAction(i, act.start if act else None, act.upgrade if act else None, pact)
                    emit(_Node(cost + price, t_next, e_next, w, left, s, a2))
        states = []
        scored: list[tuple[float, _Node]] = []
        j = i + 1
        for (gt, ge), group in nxt.items():
            parts = layers(j, gt, ge) if not wait else ()
            for node in _pareto(group):
                covered = node.total - node.q
                if node.t >= 0:
                    end = min(node.e, n)
                    covered += (usable[node.t][j] - usable[node.t][end] if not wait else
                                t_daily[node.t] * max(0, end - j))  # waiting work may use all of it
                low = node.cost + rate_min * max(0.0, suffix[j] - covered)
                if parts:
                    low = max(low, node.cost + _layered(parts, node.total))
                if low > bound:
                    continue
                states.append(node)
                scored.append((low, node))
        widest = max(widest, len(states))
        if len(states) > max_states:
            exact = False
            scored.sort(key=lambda x: (x[0], x[1].cost))
            states = [node for _, node in scored[:max_states]]
            floor = min(floor, scored[max_states][0])  # no schedule through a dropped state costs less
        if not states:
            return None

    best = min(states, key=lambda n: (n.cost, n.q))
    actions: list[DayAction] = []
    walk: _Node | None = best
    while walk is not None:
        if walk.act is not None:
            actions.append(walk.act)
        walk = walk.parent
    actions.reverse()
    paid = Decimal(best.cost) / unit
    bottom: Decimal = paid
    if floor < best.cost:  # whole units: the cheapest any dropped state could end at
        bottom = min(paid, Decimal(math.ceil(floor - 1e-6)) / unit)
    return Schedule(tuple(actions), paid, widest, exact, bottom if partial else None)


#: pack-count combinations tried on one day before the search falls back to one kind at a time
MAX_COMBOS = 256


def _combos(need: float, credits: Sequence[float]) -> tuple[list[tuple[int, ...]], bool]:
    """Counts per pack kind worth trying when ``need`` credits are missing after the allowance:
    every copy must be drawn from today, so at most ceil(need / credits) copies of a kind. Returns
    the combinations and whether they are all of them (tiny packs against a big day would be too
    many: then each kind alone, as few as cover the day and one fewer)."""
    if not credits:
        return [()], True
    tops = [max(1, math.ceil((need - EPS) / c)) for c in credits]
    if math.prod(t + 1 for t in tops) <= MAX_COMBOS:
        return list(itertools.product(*(range(t + 1) for t in tops))), True
    out: list[tuple[int, ...]] = [tuple(0 for _ in credits)]
    for k, top in enumerate(tops):
        for c in {top, top - 1} - {0}:
            out.append(tuple(c if j == k else 0 for j in range(len(credits))))
    return out, False


def _all_drawn(lots: list[tuple[int, float, int]], combo: tuple[int, ...], credits: Sequence[float],
               need: float) -> bool:
    """Is every pack bought today drawn from today (its first credit comes before ``need`` runs out)?"""
    before = 0.0
    for _, r, kind in lots:
        if kind:
            c = combo[kind - 1]
            if before + (c - 1) * credits[kind - 1] >= need - EPS:
                return False
        before += r
    return True


def _draw(lots: list[tuple[int, float, int]], need: float, tomorrow: int) -> Wallet:
    """Serve ``need`` soonest expiry first (held lots before today's at the same expiry); keep what is
    still usable ``tomorrow``, lots that expire on the same day merged (they drain as one)."""
    out: list[tuple[int, float]] = []
    for x, r, _ in lots:
        if need > EPS:
            take = r if r < need else need
            r -= take
            need -= take
        if r > EPS and x >= tomorrow:
            if out and out[-1][0] == x:
                out[-1] = (x, out[-1][1] + r)
            else:
                out.append((x, r))
    return tuple(out)


def _period_rate(price: Sequence[int], daily: Sequence[float], ups: Sequence[Sequence[int]],
                 up_cost: dict[tuple[int, int, int], int], period: int) -> float | None:
    """The least money per credit of allowance a whole period can give: its tier's price plus any
    chain of upgrades, over the allowance it grants (None: more than three tiers, too many chains)."""
    if len(price) > 3:
        return None
    best = math.inf

    def walk(t: int, rem: int, cost: int, granted: float) -> None:
        nonlocal best
        total = granted + daily[t] * rem  # the rest of the period on tier t
        if total > 0:
            best = min(best, cost / total)
        for r in range(rem - 1, 0, -1):  # or an upgrade with r days left
            for b in ups[t]:
                walk(b, r, cost + up_cost[(t, b, r)], granted + daily[t] * (rem - r))

    for a in range(len(price)):
        walk(a, period, price[a], 0.0)
    return best * (1 - 1e-9)


def _layered(parts: Sequence[tuple[float, float]], wallet: float) -> float:
    """What ``parts`` (rate, credits; dearest first) cost at least once ``wallet`` credits replace the
    dearest of them (an inf rate: nothing in the catalog can serve them)."""
    total = 0.0
    for r, amount in parts:
        if wallet >= amount:
            wallet -= amount
            continue
        total += r * (amount - wallet)
        wallet = 0.0
    return total


def _pareto(group: list[_Node]) -> list[_Node]:
    """The states of one (tier, expiry) no other state of it dominates."""
    group.sort(key=lambda n: (n.cost, n.q, -n.total))
    if all(len(n.wallet) <= 1 for n in group) and all(n.q == 0.0 for n in group):
        # one lot or none each (the usual case): a state is dominated iff a cheaper one (or an equally
        # cheap one sorted before it) holds at least as many credits lasting at least as long
        kept: list[_Node] = []
        frontier: list[tuple[int, float]] = []  # (expiry, credits) of the kept, each not dominated
        for c in group:
            x, r = c.wallet[0] if c.wallet else (-1, 0.0)
            if c.wallet and any(fx >= x and fr >= r - EPS for fx, fr in frontier):
                continue
            if not c.wallet and kept:
                continue
            kept.append(c)
            frontier.append((x, r))
        return kept
    kept = []
    for c in group:
        for k in kept:
            if k.q <= c.q + EPS and k.total >= c.total - EPS and _tail_dominates(k.wallet, c.wallet):
                break
        else:
            kept.append(c)
    return kept
