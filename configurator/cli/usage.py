"""``configurator usage``: daily token usage read from local agent logs."""

from __future__ import annotations

import click

from configurator.cli._common import json_option


@click.command(name="usage")
@click.option("--since", metavar="DATE", help="First day to show (YYYY-MM-DD), in --timezone.")
@click.option("--until", metavar="DATE", help="Last day to show (YYYY-MM-DD), in --timezone.")
@click.option("--timezone", "--tz", "timezone", metavar="TZ",
              help="IANA time zone that days are counted in (default: the system zone), e.g. Europe/Berlin.")
@click.option("--tool", "tools", multiple=True, metavar="TOOL",
              help="claude-code, codex or openclaw (repeat, or comma-separate; default: all).")
@click.option("--catalog", metavar="FILE", help="Plan catalog whose model rates give the credits.")
@click.option("--no-cache", is_flag=True,
              help="Read every log file again (by default unchanged files are taken from the last scan).")
@json_option
def usage(since: str | None, until: str | None, timezone: str | None, tools: tuple[str, ...],
          catalog: str | None, no_cache: bool, as_json: bool) -> int:
    """Daily token usage per tool and model, read from Claude Code, Codex and OpenClaw transcripts.

    Input tokens exclude cached input (shown as cache read). Credits use the plan catalog's rates.
    """
    from configurator.render import Result, emit
    from configurator.usage.dates import parse_day
    from configurator.usage.report import build, render_text

    report = build(
        since=parse_day(since, "--since") if since else None,
        until=parse_day(until, "--until") if until else None,
        tz=timezone, tools=tools or None, catalog=catalog, use_cache=not no_cache,
    )
    notes = list(report.notes)
    data = report.to_data()
    data["notes"] = notes
    result = Result("usage", data, text=lambda: render_text(report), notes=notes)
    return emit(result, as_json=as_json)
