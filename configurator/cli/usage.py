"""`configurator usage`: parse options, call :func:`configurator.commands.usage.run`, render."""

from __future__ import annotations

import click

from configurator.agents import IDS
from configurator.cli._common import json_option


@click.command(name="usage")
@click.option("--since", metavar="DATE", help="First day to show (YYYY-MM-DD), in --timezone.")
@click.option("--until", metavar="DATE", help="Last day to show (YYYY-MM-DD), in --timezone.")
@click.option("--timezone", "--tz", "timezone", metavar="TZ",
              help="IANA time zone that days are counted in (default: the system zone), e.g. Europe/Berlin.")
@click.option("--tool", "tools", multiple=True, metavar="TOOL",
              help=f"{', '.join(IDS)} (repeat, or comma-separate; default: all).")
@click.option("--by", "by", default="day", show_default=True, metavar="day|project",
              help="One row per day, tool and model, or one row per project (all its days together).")
@click.option("--plan", "plan", metavar="TIER",
              help="The plan to price credits at (a catalog tier, e.g. starter; none: packs only). "
                   "Default: the plan saved on the active Claude Code profile.")
@click.option("--catalog", metavar="FILE", help="Plan catalog whose model rates give the credits and prices.")
@click.option("--no-cache", is_flag=True,
              help="Read every log file again (by default unchanged files are taken from the last scan).")
@json_option
def usage(since: str | None, until: str | None, timezone: str | None, tools: tuple[str, ...], by: str,
          plan: str | None, catalog: str | None, no_cache: bool, as_json: bool) -> int:
    """Token usage per day (or per project) with credits and costs, read from Claude Code, Codex, OpenClaw and
    opencode logs.

    Input tokens exclude cached input (shown as cache read). Credits use the plan catalog's rates.

    \b
    Costs, both from the catalog:
      plan $  credits x the plan's price per credit (the tier's monthly price / its monthly
              credits; for "none", the cheapest pack's). Shown only when a plan is known.
      ref $   tokens x the catalog's reference token prices of the model; a kind of token
              without a price is left out (the figure is then a lower bound, marked ≥).
    A figure computed from catalog figures the provider has not confirmed is labelled
    [from unverified figures], as in `configurator plan`.

    \b
    Projects (--by project):
      Claude Code  the folder under ~/.claude/projects/ (named after the working folder; shown as
                   that folder when a Codex or opencode session ran there)
      Codex        the session's working folder (cwd); "(unknown project)" when the log has none
      OpenClaw     the agent (agents/<id>/)
      opencode     the session's folder
    Every request is counted once, under the file its counted copy was read from, so the
    total equals the --by day total.

    --json carries credits, plan_usd and reference_usd per row and in the totals, with the
    labels and the unverified figures under "costs".
    """
    from configurator.commands.usage import UsageOptions, run
    from configurator.render import emit

    opts = UsageOptions(since=since, until=until, timezone=timezone, tools=tools, catalog=catalog,
                        use_cache=not no_cache, by=by, plan=plan)
    return emit(run(opts), as_json=as_json)
