"""`configurator plan quiz|simulate|upgrade-cost|catalog`: which billing plan is cheapest.

Each subcommand is one ``run_*(options) -> Result``; the numbers come from :mod:`configurator.billing`.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from configurator.errors import ConfiguratorError
from configurator.render import Result
from configurator.usage.dates import FIRST_YEAR, LAST_YEAR

#: the longest simulation (``--days``), the same bound as a usage file's span
MAX_HORIZON_DAYS = 3650


def _check_range(start: _dt.date | None, horizon: int | None) -> None:
    """``--start`` within FIRST_YEAR … LAST_YEAR and ``--days`` within 1 … MAX_HORIZON_DAYS (callers besides the CLI)."""
    if start is not None and not FIRST_YEAR <= start.year <= LAST_YEAR:
        raise ConfiguratorError(f"--start {start} is outside {FIRST_YEAR}-01-01 … {LAST_YEAR}-12-31; "
                                "pass a date within that range.")
    if horizon is not None and not 1 <= horizon <= MAX_HORIZON_DAYS:
        raise ConfiguratorError(f"--days {horizon} is outside 1 … {MAX_HORIZON_DAYS}; pass a number of days "
                                "within that range.")


@dataclass(frozen=True)
class QuizOptions:
    tools: str | None = None
    models: str | None = None
    active_days: str | None = None
    hours: str | None = None
    style: str | None = None
    bursts: str | None = None
    wait: bool | None = None
    answers_file: str | None = None
    start: _dt.date | None = None
    horizon: int | None = None
    catalog: str | None = None
    chart: bool = True


def run_quiz(opts: QuizOptions) -> Result:
    from configurator.billing import quiz as core
    from configurator.billing.catalog import load_catalog
    from configurator.billing.report import run_quiz as report
    from configurator.billing.simulate import DEFAULT_HORIZON_DAYS

    _check_range(opts.start, opts.horizon)
    catalog = load_catalog(opts.catalog)
    assumptions = core.load_assumptions()
    given = core.answers_from_file(opts.answers_file, catalog, assumptions) if opts.answers_file else {}
    given.update(core.from_flags({"tools": opts.tools, "models": opts.models, "active_days": opts.active_days,
                                  "hours": opts.hours, "style": opts.style, "bursts": opts.bursts,
                                  "wait": opts.wait}, catalog, assumptions))
    if all(n in given for n in core.ANSWER_FIELDS) or not core.can_prompt():
        answers = core.finish(given, catalog, assumptions)
    else:
        answers = core.ask(given, core.default_prompter(), catalog, assumptions)
    begin = opts.start or _dt.date.today()
    days = opts.horizon or DEFAULT_HORIZON_DAYS
    trace = core.build_trace(answers, catalog, assumptions, start=begin, days=days)
    return report(answers, trace, catalog, start=begin, days=days, chart=opts.chart)


@dataclass(frozen=True)
class SimulateOptions:
    usage_file: str | None = None
    from_logs: bool = False
    history_days: int | None = None
    timezone: str | None = None
    use_cache: bool = True
    start: _dt.date | None = None
    horizon: int | None = None
    wait: bool | None = None
    catalog: str | None = None
    chart: bool = True


def run_simulate(opts: SimulateOptions) -> Result:
    from configurator.billing.catalog import load_catalog
    from configurator.billing.report import run_simulate as report

    _check_range(opts.start, opts.horizon)
    catalog = load_catalog(opts.catalog)
    if opts.from_logs:
        if opts.usage_file is not None or opts.start is not None:
            raise ConfiguratorError("--from-logs simulates from the day after your history; drop --usage/--start.")
        from configurator.usage.trace import simulate_from_logs

        return simulate_from_logs(catalog=catalog, horizon_days=opts.horizon, history_days=opts.history_days,
                                  tz=opts.timezone, accept_waiting=bool(opts.wait), chart=opts.chart,
                                  use_cache=opts.use_cache)
    if opts.usage_file is None:
        raise ConfiguratorError("plan simulate needs usage: pass --usage FILE.csv (columns date,credits or "
                                "date,model,input_tokens,output_tokens,...) or --from-logs.")
    from configurator.billing.usage_csv import load_usage_csv

    usage = load_usage_csv(opts.usage_file, catalog)
    return report(usage.demand, catalog, source_note=usage.describe(), horizon_days=opts.horizon, start=opts.start,
                  accept_waiting=bool(opts.wait), models_used=list(usage.credits_by_model), chart=opts.chart)


@dataclass(frozen=True)
class UpgradeOptions:
    from_tier: str
    to_tier: str
    purchased: _dt.date
    on: _dt.date
    catalog: str | None = None


def run_upgrade_cost(opts: UpgradeOptions) -> Result:
    from configurator.billing.catalog import load_catalog
    from configurator.billing.report import run_upgrade_cost as report

    return report(load_catalog(opts.catalog), opts.from_tier, opts.to_tier, opts.purchased, opts.on)


@dataclass(frozen=True)
class CatalogOptions:
    catalog: str | None = None


def run_catalog(opts: CatalogOptions) -> Result:
    from configurator.billing.catalog import load_catalog
    from configurator.billing.report import run_catalog as report

    return report(load_catalog(opts.catalog))
