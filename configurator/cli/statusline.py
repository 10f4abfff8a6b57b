"""`configurator statusline`: the click form of the status-line command (the usual call takes the fast path in
``configurator/__main__.py`` and never loads click); both run :func:`configurator.commands.statusline.run`."""

from __future__ import annotations

import click


@click.command(name="statusline")
@click.option("--packs", is_flag=True,
              help="You hold credit packs: over the daily allowance, say that packs are drawn (else: work waits "
                   "for midnight).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour the line (auto: on a terminal or under Claude Code, unless NO_COLOR is set).")
def statusline(packs: bool, color: str) -> int:
    """One line for Claude Code's status bar: today's credits across every agent against the daily allowance of
    the active Claude Code profile's plan, the time to the reset (local midnight), and the model.

    Reads Claude Code's status-line JSON on stdin. Put it in ~/.claude/settings.json as
    {"statusLine": {"type": "command", "command": "configurator statusline"}}. An error prints one
    `configurator: ...` line and exits 0, so that the status bar shows it.
    """
    from configurator.commands.statusline import main

    code = main([*(["--packs"] if packs else []), "--color", color])
    return 0 if code is None else code
