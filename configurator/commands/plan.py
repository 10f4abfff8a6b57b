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
    verbose: bool = False


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
    notes = [core.TOOLS_NOTE] if any(n in given for n in core.DEPRECATED) else []
    begin = opts.start or _dt.date.today()
    days = opts.horizon or DEFAULT_HORIZON_DAYS
    trace = core.build_trace(answers, catalog, assumptions, start=begin, days=days)
    return report(answers, trace, catalog, start=begin, days=days, chart=opts.chart, verbose=opts.verbose,
                  extra_notes=notes)


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
    verbose: bool = False


def day_boundary(zone_name: str | None, on: _dt.date) -> tuple[str, _dt.tzinfo]:
    """The sentence that says where days begin and end, and the zone (``--timezone``, else this machine's).

    An unknown zone name is one sentence (exit 2)."""
    from configurator.usage.dates import resolve_zone

    spec = resolve_zone(zone_name)
    zone = spec.build()
    noon = _dt.datetime.combine(on, _dt.time(12), tzinfo=zone)
    offset = noon.utcoffset() or _dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hh, mm = divmod(abs(minutes), 60)
    where = spec.label if spec.label else "this machine's time zone"
    text = f"Days run midnight to midnight in {where} (UTC{sign}{hh:02d}:{mm:02d} on {on})"
    if zone_name is None:
        text += ", this machine's time zone (pass --timezone to use another)"
    return text + ".", zone


def _with_boundary(result: Result, sentence: str) -> Result:
    """``--from-logs`` results come from the usage package: add the day-boundary line here."""
    import dataclasses

    from configurator.billing.report import _wrap

    body = result.text
    data = {**result.data, "day_boundary": sentence}

    def text() -> str:
        shown = body() if callable(body) else body
        first, _, rest = shown.partition("\n")
        return "\n".join(x for x in (first, _wrap(sentence), rest) if x)

    return dataclasses.replace(result, data=data, text=text)


def run_simulate(opts: SimulateOptions) -> Result:
    from configurator.billing.catalog import load_catalog
    from configurator.billing.report import run_simulate as report

    _check_range(opts.start, opts.horizon)
    boundary, zone = day_boundary(opts.timezone, opts.start or _dt.date.today())
    catalog = load_catalog(opts.catalog)
    if opts.from_logs:
        if opts.usage_file is not None or opts.start is not None:
            raise ConfiguratorError("--from-logs simulates from the day after your history; drop --usage/--start.")
        from configurator.usage.trace import simulate_from_logs

        return _with_boundary(simulate_from_logs(
            catalog=catalog, horizon_days=opts.horizon, history_days=opts.history_days, tz=opts.timezone,
            accept_waiting=bool(opts.wait), chart=opts.chart, use_cache=opts.use_cache), boundary)
    if opts.usage_file is None:
        raise ConfiguratorError("plan simulate needs usage: pass --usage FILE.csv (columns date,credits or "
                                "date,model,input_tokens,output_tokens,...) or --from-logs.")
    from configurator.billing.usage_csv import load_usage_csv

    usage = load_usage_csv(opts.usage_file, catalog, zone)
    boundary, _ = day_boundary(opts.timezone, opts.start or usage.first)  # the offset on the first day
    if usage.converted:
        boundary = boundary[:-1] + f"; {usage.converted} timestamps with a UTC offset were moved to their day there."
    if usage.converted < usage.rows:
        boundary = boundary[:-1] + "; dates without a time are taken as given."
    return report(usage.demand, catalog, source_note=usage.describe(), horizon_days=opts.horizon, start=opts.start,
                  accept_waiting=bool(opts.wait), models_used=list(usage.credits_by_model), chart=opts.chart,
                  tokens=usage.tokens_by_day, day_boundary=boundary, verbose=opts.verbose,
                  why_no_tokens="the usage file gives credits per day, not tokens" if usage.kind == "credits" else None)


@dataclass(frozen=True)
class UpgradeOptions:
    from_tier: str
    to_tier: str
    purchased: _dt.date
    on: _dt.date
    catalog: str | None = None
    verbose: bool = False


def run_upgrade_cost(opts: UpgradeOptions) -> Result:
    from configurator.billing.catalog import load_catalog
    from configurator.billing.report import run_upgrade_cost as report

    return report(load_catalog(opts.catalog), opts.from_tier, opts.to_tier, opts.purchased, opts.on,
                  verbose=opts.verbose)


@dataclass(frozen=True)
class CatalogOptions:
    catalog: str | None = None
    verbose: bool = False
    export: str | None = None
    force: bool = False


def run_catalog(opts: CatalogOptions) -> Result:
    from configurator.billing.catalog import export_catalog, load_catalog
    from configurator.billing.report import run_catalog as report

    if opts.export is not None:
        if opts.catalog is not None:
            raise ConfiguratorError("--export writes the shipped catalog; drop --catalog (copy your own file instead).")
        written = export_catalog(opts.export, force=opts.force)
        return Result("plan catalog", {"exported": str(written)},
                      f"Wrote the shipped catalog to {written}; edit it and pass it with --catalog {written}.")
    return report(load_catalog(opts.catalog), verbose=opts.verbose)


@dataclass(frozen=True)
class SetOptions:
    """``plan set TIER|none [--since DATE] [--profile NAME]``: the plan the user is on, saved on a profile."""

    tier: str
    since: _dt.date | None = None
    profile: str | None = None


def _plan_profile(name: str | None) -> str:
    """The profile the plan goes on: the one named, else the active Claude Code profile (the status line's), else
    the only saved one."""
    from configurator import agents, ownership, paths, profiles
    from configurator.store import read_document

    saved = profiles.load()
    if name is not None:
        profiles.get(name)
        return name
    owned = ownership.from_data(read_document(paths.owned_file(), "json").data, str(paths.owned_file()))
    active = [st.profile for aid, st in owned.agents.items() if st.profile in saved]
    first = next((st.profile for aid, st in owned.agents.items() if aid == agents.IDS[0] and st.profile in saved),
                 None)
    if first is not None:
        return first
    if len(set(active)) == 1:
        return str(active[0])
    if len(saved) == 1:
        return next(iter(saved))
    if not saved:
        raise ConfiguratorError("No profile to save the plan on yet: run `configurator setup` first (it saves one).")
    raise ConfiguratorError(f"Which profile is the plan for? Pass --profile NAME (one of: {', '.join(sorted(saved))}).")


def run_set(opts: SetOptions) -> Result:
    """Save the plan on a profile (one write of profiles.toml through the store); the status line and `status`
    read it."""
    import dataclasses

    from configurator import profiles, switching
    from configurator.billing.catalog import load_catalog

    tier = opts.tier.strip().lower()
    catalog = load_catalog()
    names = {t.id: t for t in catalog.tiers}
    if tier != "none" and tier not in names:
        raise ConfiguratorError(f"{opts.tier!r} is not a plan tier; use one of: {', '.join(names)} (or none: packs "
                                "only).")
    if tier == "none" and opts.since is not None:
        raise ConfiguratorError("--since is the day a subscription period started; `plan set none` has none.")
    if opts.since is not None:
        _check_range(opts.since, 1)
    since = None if tier == "none" else (opts.since or _dt.date.today())
    name = _plan_profile(opts.profile)
    saved = profiles.get(name)
    new = dataclasses.replace(saved, plan=tier, plan_since=since.isoformat() if since else None)
    written = switching.execute(None, [], dry_run=False, save=new)
    what = "packs only (no subscription)" if tier == "none" else f"{names[tier].name} since {since}"
    hint = "" if opts.since is not None or tier == "none" else (
        " (--since was not given: today is taken as the day the period started)")
    return Result("plan set", {"profile": name, "plan": tier, "since": since.isoformat() if since else None,
                               "backup": written.backup},
                  f"Profile {name!r} is on {what}{hint}. `configurator status` and the status line use it.")
