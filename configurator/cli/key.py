"""`configurator key`: parse options, call :mod:`configurator.commands.key`, print."""

from __future__ import annotations

import sys

import click


@click.group()
def key() -> None:
    """The key of a saved profile, for the tools' key helpers."""


@key.command("get")
@click.argument("name")
@click.option("--reveal", is_flag=True, help="Print the key even when the output is a terminal.")
def get(name: str, reveal: bool) -> int:
    """Print the key of profile NAME (what Claude Code's apiKeyHelper and Codex's auth command run)."""
    from configurator.commands.key import KeyGetOptions, run_get

    value, _ = run_get(KeyGetOptions(name=name, reveal=reveal, to_terminal=sys.stdout.isatty()))
    sys.stdout.write(value + "\n")
    sys.stdout.flush()
    return 0
