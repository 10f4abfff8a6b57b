"""`configurator key`: parse options, call :mod:`configurator.commands.key`, print."""

from __future__ import annotations

import sys

import click

from configurator.cli._common import json_option


@click.group()
def key() -> None:
    """The key of a saved profile: for the tools' key helpers, and in the OS keychain."""


@key.command("get")
@click.argument("name", required=False)
@click.option("--reveal", is_flag=True, help="Print the key even when the output is a terminal.")
@click.option("--openclaw", is_flag=True,
              help="OpenClaw's exec secret provider protocol: a JSON request on stdin, JSON values out (ids are "
              "profile names).")
def get(name: str | None, reveal: bool, openclaw: bool) -> None:
    """Print the key of profile NAME (what Claude Code's apiKeyHelper, Codex's auth command and OpenClaw's exec
    secret provider run). Errors are one line on stderr, `configurator: ...`."""
    from configurator.keyhelper import answer

    answer(name, reveal=reveal, openclaw=openclaw)


def _read_key(name: str) -> str:
    """The key from standard input (one line), or a hidden prompt on a terminal (never from argv)."""
    if sys.stdin.isatty():
        import getpass

        try:
            return getpass.getpass(f"Key for profile {name} (input hidden): ")
        except EOFError:
            return ""
    return sys.stdin.readline()


@key.command("set")
@click.argument("name")
@json_option
def set_(name: str, as_json: bool) -> int:
    """Store the key of profile NAME in the OS keychain: read from standard input, or asked for without echo on a
    terminal (never from the command line)."""
    from configurator.commands.key import KeySetOptions, run_set
    from configurator.render import emit

    return emit(run_set(KeySetOptions(name=name, key=_read_key(name))), as_json=as_json)


@key.command("delete")
@click.argument("name")
@json_option
def delete(name: str, as_json: bool) -> int:
    """Remove the key of profile NAME from the OS keychain."""
    from configurator.commands.key import KeyDeleteOptions, run_delete
    from configurator.render import emit

    return emit(run_delete(KeyDeleteOptions(name=name)), as_json=as_json)
