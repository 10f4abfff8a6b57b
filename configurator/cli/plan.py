"""`configurator plan`: which billing plan is cheapest — quiz, simulate, upgrade-cost, catalog.

Options are parsed here; each subcommand calls one function of :mod:`configurator.commands.plan`.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import click

from configurator.cli._common import json_option


class _DateType(click.ParamType):
    """YYYY-MM-DD; a bad date is one clear line (exit 2), not a usage screen."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> _dt.date:
        if isinstance(value, _dt.date):
            return value
        from configurator.errors import ConfiguratorError
        from configurator.usage.dates import FIRST_YEAR, LAST_YEAR

        flag = param.opts[0] if param is not None and param.opts else "date"
        text = str(value).strip()
        try:
            day = _dt.date.fromisoformat(text)
        except ValueError:
            shown = repr(text) if len(text) <= 40 else f"{text[:20]!r}… ({len(text)} characters)"
            raise ConfiguratorError(f"{flag} {shown} is not a date; write it as YYYY-MM-DD (e.g. 2026-05-14).") from None
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ConfiguratorError(f"{flag} {day} is outside {FIRST_YEAR}-01-01 … {LAST_YEAR}-12-31; "
                                    "pass a date within that range.")
        return day


DATE = _DateType()

catalog_option = click.option(
    "--catalog", "catalog_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
    help="Plan catalog (TOML) to use instead of the shipped Atlas Cloud one.")


def start_option(default_text: str) -> Any:
    return click.option("--start", type=DATE, default=None, metavar="DATE",
                        help=f"First day of the simulation, YYYY-MM-DD (default: {default_text}).")


def days_option(extra: str) -> Any:
    return click.option("--days", "horizon", type=click.IntRange(1, 3650), default=None, metavar="N",
                        help=f"Days to simulate (default 90{extra}).")


wait_option = click.option("--wait/--no-wait", "wait", default=None,
                           help="OK to wait until midnight when a day's credits run out (default: no).")
chart_option = click.option("--chart/--no-chart", default=True, help="Show the demand chart (text output only).")
verbose_option = click.option("--verbose", "-v", is_flag=True,
                              help="Also show where the catalog and the quiz assumptions are read from.")


@click.group()
def plan() -> None:
    """Which billing plan is cheapest for the way you work: a subscription, PAYG packs, or both.

    \b
      configurator plan quiz                     answer a few questions
      configurator plan simulate --usage FILE    from a CSV of daily usage
      configurator plan upgrade-cost --from starter --to lite --purchased 2026-04-28 --on 2026-05-14
      configurator plan catalog                  the prices and rates used, with their sources
    """


@plan.command(short_help="A few questions about how you work -> the cheapest plan.")
@click.option("--tools", default=None, metavar="LIST", hidden=True,
              help="Deprecated and ignored: the tool does not change the credits a request costs.")
@click.option("--models", default=None, metavar="LIST",
              help="Models you use (catalog ids) and optionally each one's share of requests in %: "
                   "deepseek-v4-pro:70,deepseek-v4-flash:30 (default: an even split).")
@click.option("--active-days", default=None, metavar="N", help="Active days a week, 1-7.")
@click.option("--hours", default=None, metavar="H", help="Hours on an active day, all tools together.")
@click.option("--style", default=None, metavar="STYLE", help="chat, agentic (30-50 calls per command) or parallel.")
@click.option("--bursts", default=None, metavar="HOW", help="Burst weeks: never, sometimes or often.")
@wait_option
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Answers as JSON or TOML (keys: models, active_days, hours, style, bursts, wait).")
@start_option("today")
@days_option("")
@catalog_option
@chart_option
@verbose_option
@json_option
def quiz(tools: str | None, models: str | None, active_days: str | None, hours: str | None, style: str | None,
         bursts: str | None, wait: bool | None, answers_file: str | None, start: _dt.date | None,
         horizon: int | None, catalog_path: str | None, chart: bool, verbose: bool, as_json: bool) -> int:
    """A few questions about how you work -> the cheapest plan, with a chart.

    In a terminal, what the flags and --answers do not give is asked; in scripts give at least
    --active-days, --hours and --style (or --answers FILE).
    """
    from configurator.commands.plan import QuizOptions, run_quiz
    from configurator.render import emit

    opts = QuizOptions(tools=tools, models=models, active_days=active_days, hours=hours, style=style, bursts=bursts,
                       wait=wait, answers_file=answers_file, start=start, horizon=horizon, catalog=catalog_path,
                       chart=chart, verbose=verbose)
    return emit(run_quiz(opts), as_json=as_json)


@plan.command(short_help="Simulate every strategy over your usage (CSV or agent logs) -> the cheapest plan.")
@click.option("--usage", "usage_file", type=click.Path(dir_okay=False), default=None, metavar="FILE.csv",
              help="CSV with date,credits or date,model,input_tokens,output_tokens,cache_read_tokens,"
                   "cache_write_tokens.")
@click.option("--from-logs", is_flag=True, help="Use your real usage from local Claude Code, Codex and OpenClaw logs.")
@click.option("--history-days", type=click.IntRange(1, 3650), default=None, metavar="N", help="With --from-logs: only the last N days.")
@click.option("--timezone", "tz", default=None, metavar="TZ",
              help="IANA zone whose midnight starts a day (e.g. Asia/Shanghai; default: this machine's). CSV "
                   "timestamps with an offset are moved to their day there; dates without a time are taken as given.")
@click.option("--no-cache", is_flag=True, help="With --from-logs: read every log file again, not only the changed ones.")
@start_option("the file's first date")
@days_option(", or the file's whole span if longer; a shorter file is repeated to fill them")
@wait_option
@catalog_option
@chart_option
@verbose_option
@json_option
def simulate(usage_file: str | None, from_logs: bool, history_days: int | None, tz: str | None, no_cache: bool,
             start: _dt.date | None, horizon: int | None, wait: bool | None,
             catalog_path: str | None, chart: bool, verbose: bool, as_json: bool) -> int:
    """Simulate every strategy day by day over your usage and recommend the cheapest."""
    from configurator.commands.plan import SimulateOptions, run_simulate
    from configurator.render import emit

    opts = SimulateOptions(usage_file=usage_file, from_logs=from_logs, history_days=history_days, timezone=tz,
                           use_cache=not no_cache, start=start, horizon=horizon, wait=wait, catalog=catalog_path,
                           chart=chart, verbose=verbose)
    return emit(run_simulate(opts), as_json=as_json)


@plan.command("upgrade-cost", short_help="What a mid-period upgrade costs (pro-rated).")
@click.option("--from", "from_tier", required=True, metavar="TIER", help="The tier you have (e.g. starter).")
@click.option("--to", "to_tier", required=True, metavar="TIER", help="The tier to upgrade to (e.g. lite).")
@click.option("--purchased", type=DATE, required=True, metavar="DATE", help="Start of the current period.")
@click.option("--on", "on", type=DATE, required=True, metavar="DATE", help="Day of the upgrade.")
@catalog_option
@verbose_option
@json_option
def upgrade_cost(from_tier: str, to_tier: str, purchased: _dt.date, on: _dt.date, catalog_path: str | None,
                 verbose: bool, as_json: bool) -> int:
    """What upgrading mid-period costs: (new - old price) x remaining days / 30; the expiry stays."""
    from configurator.commands.plan import UpgradeOptions, run_upgrade_cost
    from configurator.render import emit

    opts = UpgradeOptions(from_tier=from_tier, to_tier=to_tier, purchased=purchased, on=on, catalog=catalog_path,
                          verbose=verbose)
    return emit(run_upgrade_cost(opts), as_json=as_json)


@plan.command("catalog", short_help="Prices and credit rates used, with sources; --export a copy to edit.")
@catalog_option
@click.option("--export", "export", default=None, metavar="FILE",
              help="Write the shipped catalog (TOML) to FILE, to edit and pass with --catalog FILE.")
@click.option("--force", is_flag=True, help="With --export: replace FILE if it exists.")
@verbose_option
@json_option
def catalog_cmd(catalog_path: str | None, export: str | None, force: bool, verbose: bool, as_json: bool) -> int:
    """Tiers, packs and model rates, each with its source, verified flag and date.

    To use other figures: `configurator plan catalog --export my-plans.toml`, edit the copy, then pass
    `--catalog my-plans.toml` to quiz, simulate or upgrade-cost.
    """
    from configurator.commands.plan import CatalogOptions, run_catalog
    from configurator.render import emit

    opts = CatalogOptions(catalog=catalog_path, verbose=verbose, export=export, force=force)
    return emit(run_catalog(opts), as_json=as_json)


@plan.command("set", short_help="Save the plan you are on (a tier, or none) on a profile.")
@click.argument("tier", metavar="TIER|none")
@click.option("--since", type=DATE, default=None, metavar="DATE",
              help="The day your current subscription period started (default: today).")
@click.option("--profile", "profile", default=None, metavar="NAME",
              help="The profile to save it on (default: the one Claude Code uses now).")
@json_option
def set_cmd(tier: str, since: _dt.date | None, profile: str | None, as_json: bool) -> int:
    """Save the plan you are on: a tier of the catalog (`configurator plan catalog`), or `none` for packs only.

    The status line (`configurator statusline`) shows today's allowance of that plan; `configurator status`
    shows it too.
    """
    from configurator.commands.plan import SetOptions, run_set
    from configurator.render import emit

    return emit(run_set(SetOptions(tier=tier, since=since, profile=profile)), as_json=as_json)
