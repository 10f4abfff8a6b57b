"""The :class:`~configurator.render.Result` of each ``configurator plan`` command.

``run_simulate`` is the one entry for any demand source: ``--usage FILE.csv`` today, local agent logs
(``--from-logs``) next. Give it credits per local day and a sentence saying where they came from::

    from configurator.billing.report import run_simulate
    return emit(run_simulate(demand, catalog, source_note="local agent logs, 2026-04-01 … 2026-04-30",
                             models_used=["deepseek-v4-pro"]), as_json=as_json)
"""

from __future__ import annotations

import datetime as _dt
import shutil
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

from configurator.billing.catalog import Catalog, Figure
from configurator.billing.money import credits_text, json_money, usd
from configurator.billing.simulate import DEFAULT_HORIZON_DAYS, Advice, advise
from configurator.render import Result


def _width() -> int:
    return max(60, min(140, shutil.get_terminal_size((100, 24)).columns))


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=_width() - 2, initial_indent=indent, subsequent_indent=indent,
                         break_on_hyphens=False, break_long_words=False)


def edit_hint(catalog: Catalog, *, verbose: bool = False) -> str:
    """How to use other figures: a copy of the catalog, never the installed file."""
    if catalog.shipped:
        hint = ("to use your own figures, write a copy with `configurator plan catalog --export FILE`, edit it and "
                "pass it with --catalog FILE")
        return hint + (f" (the shipped catalog is {catalog.path})" if verbose else "")
    return f"edit {catalog.path} (the catalog passed with --catalog)"


def unverified_note(catalog: Catalog, figures: Sequence[Figure], *, verbose: bool = False) -> str | None:
    """The sentence every piece of advice built on unverified figures carries."""
    if not figures:
        return None
    who = catalog.provider or "the provider"
    items = ", ".join(f"{f.key} (line {f.line})" if f.line else f.key for f in figures)
    return (f"computed from catalog figures {who} has not confirmed: {items}. Check {who}'s current prices; "
            f"{edit_hint(catalog, verbose=verbose)}.")


def _figures_used(advice: Advice, models_used: Sequence[str]) -> list[Figure]:
    figs = advice.unverified()
    for mid in models_used:
        rate = advice.catalog.model(mid)
        if rate is not None:
            figs += [f for f in rate.rates.values() if not f.verified]
    return figs


# --- the strategy table ---------------------------------------------------------------------------

def _table(advice: Advice) -> list[str]:
    head = ("", "Strategy", "Total", "Per month", "$/M used", "Packs", "Wasted allow.", "Expired",
            "Left at end", "Days work waited" if advice.accept_waiting else "Unmet days")
    rows: list[tuple[str, ...]] = []
    for r in advice.results:
        packs = sum(r.packs_bought.values())
        eff = r.usd_per_million_used
        wasted = (f"{credits_text(r.wasted_allowance)} ({100 * r.wasted_share:.0f}%)"
                  if r.strategy.tier is not None else "—")
        if advice.accept_waiting:  # days that ended with work waiting for the next midnight, and the longest wait
            unmet = (f"{r.unmet_days} (from {r.first_unmet}, longest {_days(r.longest_wait)})" if r.unmet_days
                     else "0")
        else:
            unmet = (f"{r.unmet_days} (from {r.first_unmet})" if r.unmet_days else "0")
        rows.append(("→" if r is advice.recommended else "", r.label, usd(r.total_cost), usd(r.cost_per_month),
                     f"{eff:.3f}" if eff is not None else "—", str(packs) if r.strategy.uses_packs else "—", wasted,
                     credits_text(r.expired_credits) if r.strategy.uses_packs else "—",
                     credits_text(r.left_at_end) if r.strategy.uses_packs else "—", unmet))
    widths = [max(len(row[i]) for row in (head, *rows)) for i in range(len(head))]
    right = {2, 3, 4, 5}

    def fmt(row: tuple[str, ...]) -> str:
        cells = [c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(row)]
        return (cells[0] + " " + "  ".join(cells[1:])).rstrip()

    return [fmt(head), *(fmt(r) for r in rows)]


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _chart(advice: Advice) -> str:
    from configurator.billing.chart import can_encode, render_chart
    from configurator.render import use_color

    tier = advice.chart_tier()
    rec = advice.recommended
    label = f"{tier.name} allowance" if tier else "allowance"
    title = (f"Daily demand against {tier.name}'s {credits_text(tier.daily_credits)} daily allowance"
             if tier else "Daily demand (this catalog has no subscription tiers)")
    if tier is not None:
        over = sum(1 for v in advice.trace.values if v > tier.daily_credits)
        title += f": {over} of {advice.days} days go over"
        if rec.strategy.tier is None:
            title += f" (for comparison: {rec.label} has no daily allowance)"
        elif rec.strategy.uses_packs:
            title += " (packs cover the part above it)"
    body = render_chart(advice.trace.dates(), advice.trace.values,
                        allowance=tier.daily_credits if tier else None, unmet=rec.daily_unmet,
                        allowance_label=label, width=_width(), color=use_color(sys.stdout),
                        unicode=can_encode(sys.stdout))
    return title + ":\n" + body


def advice_text(advice: Advice, header: Sequence[str], *, chart: bool = True,
                figures: Sequence[Figure] = (), comparison: str | None = None) -> str:
    rec = advice.recommended
    p = advice.profile
    lines = list(header)
    lines += [f"  {n}" for n in advice.notes]
    lines.append(f"Demand: {credits_text(p.total)} credits over {advice.days} days from {advice.start}; active on "
                 f"{p.active_days} days; typical active day {credits_text(p.typical)}, busiest "
                 f"{credits_text(p.peak)} ({p.describe}).")
    lines.append("")
    lines += _table(advice)
    lines.append(_wrap("($/M used: the total cost per million credits actually used. Allowance not used on its "
                       "day is wasted; pack credits not used before the pack's validity ends expire.)"))
    lines.append("")
    sched = advice.schedule
    if sched is not None:
        steps = " · ".join(f"{d:%m-%d} {w}" + (f" {usd(p)}" if p else "") for d, w, p in sched.purchases)
        if advice.exact:
            how = "proved"
        elif advice.lower_bound is not None:
            how = f"best found; none costs less than {usd(advice.lower_bound)}"
        else:
            how = "best found"
        lines.append(_wrap(f"Cheapest schedule ({how}): "
                           f"{steps or 'nothing to buy'} = {usd(sched.total_cost)}", indent=""))
        lines.append(_wrap("Every period and pack is charged in full on the day it is bought, even when the "
                           f"{advice.days}-day horizon ends before it does; per month = total x 30 / {advice.days}.",
                           indent="  "))
    lines.append(f"Recommendation: {rec.label} — {usd(rec.total_cost)} over {advice.days} days "
                 f"({usd(rec.cost_per_month)}/month)" + (" [from unverified figures]" if figures else ""))
    for reason in advice.reasons:
        lines.append(_wrap(reason))
    if comparison:
        lines.append(_wrap(comparison, indent=""))
    if chart:
        lines.append("")
        lines.append(_chart(advice))
    lines.append("")
    lines.append(_wrap(f"Payment: {advice.catalog.payment_note}", indent=""))
    return "\n".join(lines)


def _advice_data(advice: Advice, figures: Sequence[Figure]) -> dict[str, Any]:
    data = advice.to_dict()
    data["catalog"]["unverified_figures"] = [f.key for f in figures]
    data["catalog"]["verified"] = not figures
    return data


def default_horizon(demand: Sequence[tuple[_dt.date, float]]) -> int:
    """90 days, or the trace's own span when it is longer."""
    if not demand:
        return DEFAULT_HORIZON_DAYS
    days = [d for d, _ in demand]
    return max(DEFAULT_HORIZON_DAYS, (max(days) - min(days)).days + 1)


def _comparison(catalog: Catalog, tokens: Any, advice: Advice, *, why_not: str | None
                ) -> tuple[str | None, dict[str, Any] | None]:
    """The reference-price sentence and its JSON (None, None: the catalog has no reference prices)."""
    from configurator.billing.baseline import baseline, has_reference_prices

    if not has_reference_prices(catalog):
        return None, None
    if tokens:
        b = baseline(tokens, catalog, horizon_days=advice.days, start=advice.start)
        if b is not None:
            return b.sentence(), b.to_dict()
    reason = why_not or "this usage source passes credits per day, not the tokens behind them"
    return (f"No comparison with {catalog.provider or 'the catalog'}'s reference token prices: {reason}.",
            {"usd": None, "is_a_plan": False, "why_not": reason})


def run_simulate(demand: Sequence[tuple[_dt.date, float]], catalog: Catalog, *, source_note: str,
                 horizon_days: int | None = None, start: _dt.date | None = None, accept_waiting: bool = False,
                 models_used: Sequence[str] = (), chart: bool = True, command: str = "plan simulate",
                 extra: dict[str, Any] | None = None, tokens: Any = None, day_boundary: str | None = None,
                 verbose: bool = False, why_no_tokens: str | None = None) -> Result:
    """Simulate ``demand`` (credits per local day) and build the plan-advice result.

    ``source_note`` says where the demand came from (shown first, and as ``source`` in JSON);
    ``horizon_days`` None means 90 days or the trace's span if longer (a shorter trace is repeated, and
    the output says so); ``models_used`` names the models whose credit rates turned tokens into credits,
    so unverified rates are declared too.
    """
    horizon = horizon_days if horizon_days is not None else default_horizon(demand)
    advice = advise(list(demand), catalog, accept_waiting=accept_waiting, horizon_days=horizon, start=start)
    figures = _figures_used(advice, models_used)
    notes = [n for n in (unverified_note(catalog, figures, verbose=verbose),) if n]
    sentence, comparison = _comparison(catalog, tokens, advice, why_not=why_no_tokens)
    data = {"source": source_note, **(extra or {}), **_advice_data(advice, figures)}
    data["reference_price_comparison"] = comparison
    header = [f"Plan advice for {source_note}"]
    if day_boundary:
        data["day_boundary"] = day_boundary
        header.append(_wrap(day_boundary))
    return Result(command, data, lambda: advice_text(advice, header, chart=chart, figures=figures,
                                                     comparison=sentence), notes)


def run_quiz(answers: Any, trace: Any, catalog: Catalog, *, start: _dt.date, days: int,
             chart: bool = True, verbose: bool = False, extra_notes: Sequence[str] = ()) -> Result:
    """The quiz result: the answers, the assumptions used, then the same advice as ``plan simulate``."""
    advice = advise(trace.demand, catalog, accept_waiting=answers.wait, start=start)
    figures = _figures_used(advice, answers.models)
    notes = [*extra_notes, *(n for n in (unverified_note(catalog, figures, verbose=verbose),) if n)]
    sentence, comparison = _comparison(catalog, trace.tokens_by_day(), advice, why_not=None)
    a = trace.assumptions
    where = f" ({a['file']})" if verbose else ""
    style = a["style"]
    tokens = style["tokens_per_request"]
    header = [
        f"Plan advice from your quiz answers ({days} days from {start}):",
        f"  {answers.active_days} days a week ({', '.join(a['active_days'])}), {answers.hours:g} h a day, "
        f"{style['label'].split(':')[0].lower()}, burst weeks: {answers.bursts}, waiting for midnight "
        f"{'is' if answers.wait else 'is not'} OK; models: {a['blend']}",
        _wrap(f"Assumptions{where}: "
              f"{style['label']} — {style['requests_per_hour']:g} requests/hour of "
              f"{tokens['input']:,.0f} input + {tokens['cache_read']:,.0f} cache-read + {tokens['output']:,.0f} "
              f"output tokens ({style['why']}) = {credits_text(a['credits_per_hour'])} credits/hour "
              f"({a['blend']}); burst weeks "
              f"'{a['bursts']['id']}': {a['bursts']['burst_weeks']} in every {a['bursts']['cycle_weeks']} at "
              f"×{a['bursts']['factor']:g}.", indent="  "),
    ]
    data = {"answers": answers.to_dict(), "assumptions": a,
            "source": "quiz answers", **_advice_data(advice, figures), "reference_price_comparison": comparison}
    return Result("plan quiz", data, lambda: advice_text(advice, header, chart=chart, figures=figures,
                                                         comparison=sentence), notes)


# --- upgrade-cost ---------------------------------------------------------------------------------

def run_upgrade_cost(catalog: Catalog, from_name: str, to_name: str, purchased: _dt.date, on: _dt.date, *,
                     verbose: bool = False) -> Result:
    from configurator.billing.rules import plan_upgrade

    old, new = catalog.tier(from_name), catalog.tier(to_name)
    up = plan_upgrade(old, new, purchased, on)
    figures = [f for f in (*old.figures, *new.figures) if not f.verified]
    price_figs = [f for f in (old.price, new.price) if not f.verified]
    notes = []
    if price_figs:
        notes.append(unverified_note(catalog, price_figs, verbose=verbose) or "")
    elif figures:
        notes.append(f"the cost uses verified prices; the allowances shown are unverified ({', '.join(f.key for f in figures)}"
                     f" in {catalog.label}).")
    data = {
        "cost_usd": json_money(up.cost), "expires": up.expires.isoformat(), "remaining_days": up.remaining_days,
        "from": old.id, "to": new.id, "purchased": purchased.isoformat(), "on": on.isoformat(),
        "from_price_usd": json_money(old.price_usd), "to_price_usd": json_money(new.price_usd),
        "formula": up.formula, "rounding": "half-up to cents",
        "new_daily_credits": new.daily_credits, "new_allowance_from": on.isoformat(),
        "renews": {"on": up.expires.isoformat(), "tier": new.id, "price_usd": json_money(new.price_usd)},
        "payment": catalog.payment_note,
        "catalog": {"path": str(catalog.path), "unverified_figures": [f.key for f in figures]},
    }

    def text() -> str:
        return "\n".join([
            f"Upgrade {old.name} → {new.name} on {on}: {usd(up.cost)}",
            f"  {up.formula} (rounded half-up to cents)",
            _wrap(f"The period bought on {purchased} keeps its expiry, {up.expires} ({up.remaining_days} days "
                  f"left); {new.name}'s allowance ({credits_text(new.daily_credits)} credits a day) applies from "
                  f"{on}. On {up.expires} it renews as {new.name} at {usd(new.price_usd)} unless you stop it."),
            _wrap(f"Payment: {catalog.payment_note}", indent=""),
        ])

    return Result("plan upgrade-cost", data, text, notes)


# --- catalog --------------------------------------------------------------------------------------

def _fig_row(item: str, what: str, value: str, f: Figure) -> tuple[str, ...]:
    return (item, what, value, "yes" if f.verified else "NO", f.date or "—", f.source)


def run_catalog(catalog: Catalog, *, verbose: bool = False) -> Result:
    rows: list[tuple[str, ...]] = []
    for t in catalog.tiers:
        rows.append(_fig_row(f"tier {t.name}", "price", f"{usd(t.price_usd)}/month", t.price))
        kind = "daily allowance" if t.allowance.keypath[-1] == "daily_credits" else "monthly pool"
        rows.append(_fig_row("", kind, f"{credits_text(float(t.allowance.value))} credits", t.allowance))
    for p in catalog.packs:
        rows.append(_fig_row(f"pack {p.name}", "price", usd(p.price_usd), p.price))
        rows.append(_fig_row("", "credits", credits_text(p.credits), p.credits_figure))
        rows.append(_fig_row("", "valid", f"{p.valid_days} days", p.validity))
    for m in catalog.models:
        first = True
        for kind, f in m.rates.items():
            rows.append(_fig_row(f"model {m.id}" if first else "", f"{kind} credits/token", f"{float(f.value):g}", f))
            first = False
        for kind, f in m.reference.items():
            rows.append(_fig_row("", f"{kind} $/1M tokens", f"${float(f.value):g}", f))
    head = ("Item", "Figure", "Value", "Verified", "Date", "Source")

    def text() -> str:
        widths = [max(len(r[i]) for r in (head, *rows)) for i in range(5)]
        name = f"{catalog.provider} {catalog.plan}".strip() or "plans"
        where = str(catalog.path) if verbose or not catalog.shipped else "shipped with configurator"
        out = [f"Catalog: {name} ({where})"]
        for r in (head, *rows):
            out.append("  " + "  ".join(c.ljust(widths[i]) for i, c in enumerate(r[:5])) + "  " + r[5])
        derived = [f"{t.name}: {credits_text(t.monthly_credits)} credits per 30 days, "
                   f"${t.usd_per_million_credits():.4f} per 1M credits if all used" for t in catalog.tiers]
        derived += [f"{p.name}: ${p.usd_per_million_credits():.4f} per 1M credits if all used"
                    for p in catalog.packs]
        if derived:
            out.append("Derived: " + "; ".join(derived) + ".")
        out.append(_wrap(f"Verified: the figure was read on {catalog.provider or 'the provider'}'s own pricing or "
                         "documentation pages on the date shown; figures quoted by articles, third-party figures and "
                         "assumptions are not verified.", indent=""))
        out.append(_wrap(f"Payment: {catalog.payment_note}", indent=""))
        return "\n".join(out)

    notes = []
    unv = catalog.unverified_figures()
    if unv:
        notes.append(f"{len(unv)} figures are unverified (Verified: NO: not read on {catalog.provider or 'the provider'}"
                     f"'s own pages); advice computed from them says so. When you have the provider's figures, "
                     f"{edit_hint(catalog, verbose=verbose)}.")
    return Result("plan catalog", {"catalog": catalog.to_dict()}, text, notes)
