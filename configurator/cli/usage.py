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
@click.option("--catalog", metavar="FILE", help="Plan catalog whose model rates give the credits.")
@click.option("--no-cache", is_flag=True,
              help="Read every log file again (by default unchanged files are taken from the last scan).")
@json_option
def usage(since: str | None, until: str | None, timezone: str | None, tools: tuple[str, ...],
          catalog: str | None, no_cache: bool, as_json: bool) -> int:
    """Daily token usage per tool and model, read from Claude Code, Codex, OpenClaw and opencode logs.

    Input tokens exclude cached input (shown as cache read). Credits use the plan catalog's rates.
    """
    from configurator.commands.usage import UsageOptions, run
    from configurator.render import emit

    opts = UsageOptions(since=since, until=until, timezone=timezone, tools=tools, catalog=catalog,
                        use_cache=not no_cache)
    return emit(run(opts), as_json=as_json)
