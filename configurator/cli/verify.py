"""`configurator verify`: parse options, call :func:`configurator.commands.verify.run`, render."""

from __future__ import annotations

import click

from configurator.agents import IDS
from configurator.cli._common import json_option


@click.command()
@click.option("--tool", "tools", multiple=True, type=click.Choice(IDS),
              help="Only this tool (repeat). Default: every configured tool.")
@click.option("--timeout", type=click.FloatRange(0.1, 300), default=10.0, show_default=True, help="Seconds per request.")
@json_option
def verify(tools: tuple[str, ...], timeout: float, as_json: bool) -> int:
    """Send the smallest real request (1 output token) per configured tool to the exact URL it would call.

    Exit 1 if any tool fails; the message says why (doubled or missing /v1, rejected key, protocol not
    served, timeout, TLS or DNS). The key is never printed.
    """
    from configurator.commands.verify import VerifyOptions, run
    from configurator.render import emit

    return emit(run(VerifyOptions(tools=tools, timeout=timeout)), as_json=as_json)
