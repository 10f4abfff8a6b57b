"""`configurator status`: parse options, call :func:`configurator.commands.status.run`, render."""

from __future__ import annotations

import click

from configurator.agents import IDS
from configurator.cli._common import json_option


@click.command()
@click.option("--tool", "tools", multiple=True, type=click.Choice(IDS), help="Only this tool (repeat; default: all).")
@json_option
def status(tools: tuple[str, ...], as_json: bool) -> int:
    """What each tool uses now: the active profile (or its own login), provider, base URL, models, the key
    (masked), the files, and what is wrong with them.

    Only reads; never runs a tool. Exit code 0 whatever it finds.
    """
    from configurator.commands.status import StatusOptions, run
    from configurator.render import emit

    return emit(run(StatusOptions(tools=tools)), as_json=as_json)
