"""`configurator use`: parse options, call :func:`configurator.commands.use.run`, render."""

from __future__ import annotations

import sys

import click

from configurator.agents import IDS
from configurator.cli._common import json_option


@click.command()
@click.argument("name")
@click.option("--tool", "tools", multiple=True, type=click.Choice(IDS), help="Only this tool (repeat; default: all "
              "the profile covers).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before writing.")
@click.option("--dry-run", is_flag=True, help="Show the diffs; write nothing.")
@click.option("--diff", is_flag=True, help="Show the whole diff before asking (default: a line per file).")
@click.option("--force", is_flag=True, help="Overwrite keys edited by hand since configurator set them, and change "
              "read-only files (they stay read-only).")
@json_option
def use(name: str, tools: tuple[str, ...], yes: bool, dry_run: bool, diff: bool, force: bool, as_json: bool) -> int:
    """Make profile NAME the provider of each tool it covers, or `official` to go back to each tool's own login.

    Only the keys configurator set are changed; everything else in the files stays as it is. `official` puts
    back, for every key setup changed, the value it had before the first setup.
    """
    from configurator.commands.use import UseOptions, run
    from configurator.render import emit

    interactive = not yes and not as_json and sys.stdin.isatty() and sys.stdout.isatty()
    opts = UseOptions(name=name, tools=tools, yes=yes, dry_run=dry_run, force=force, diff=diff,
                      interactive=interactive)
    return emit(run(opts), as_json=as_json)
