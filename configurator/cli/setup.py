"""`configurator setup`: parse options, call :func:`configurator.commands.setup.run`, render."""

from __future__ import annotations

import sys

import click

from configurator.agents import IDS
from configurator.cli._common import json_option


@click.command()
@click.option("--tool", "tools", multiple=True, type=click.Choice(IDS), help="Tool to configure (repeat; default: all).")
@click.option("--provider", default="atlascloud", show_default=True, help="Provider preset id, or 'custom'.")
@click.option("--base-url", help="Custom provider: https://host or https://host/v1 (both API roots are derived).")
@click.option("--anthropic-base-url", help="Custom provider: the Anthropic-compatible root (no /v1).")
@click.option("--openai-base-url", help="Custom provider: the OpenAI-compatible root (with /v1).")
@click.option("--api-key-env", metavar="VAR", help="Read the key from this environment variable (env storage: the variable the tools read).")
@click.option("--api-key-stdin", is_flag=True, help="Read the key from standard input (one line).")
@click.option("--key-storage", type=click.Choice(["file", "env", "keychain"]), default="file", show_default=True,
              help="file: write the key into the tools' configs (0600). env: the configs name a variable instead. "
                   "keychain: the key goes into the OS keychain; the configs name a command that reads it.")
@click.option("--model", help="Main model id (default: the preset's).")
@click.option("--fast-model", help="Fast model id for background tasks (default: the preset's).")
@click.option("--codex-wire-api", type=click.Choice(["responses", "chat"]), default="responses", show_default=True,
              help="'chat' only for Codex older than 0.95.")
@click.option("--keep-anthropic-api-key", is_flag=True, help="Do not remove a conflicting ANTHROPIC_API_KEY from Claude Code's env.")
@click.option("--claude-skip-login", is_flag=True,
              help="Set hasCompletedOnboarding in ~/.claude.json (that key only): skips Claude Code's first-start screens.")
@click.option("--statusline", "claude_statusline", is_flag=True,
              help="Show today's allowance, its reset time and the model in Claude Code's status line (only when "
                   "you have no statusLine of your own).")
@click.option("--profile", metavar="NAME", help="Save what is applied as this profile (default: the provider id).")
@click.option("--yes", "-y", is_flag=True, help="Never prompt; missing values are errors.")
@click.option("--dry-run", is_flag=True, help="Show the diffs; write nothing (no backup either).")
@click.option("--diff", is_flag=True,
              help="Show the full diffs (the wizard shows a summary per file and the diff on request).")
@click.option("--force", is_flag=True, help="Also change config files that are read-only (they stay read-only).")
@json_option
def setup(as_json: bool, tools: tuple[str, ...], **options: object) -> int:
    """Configure Claude Code, Codex, OpenClaw and opencode for a model provider.

    With no flags on a terminal this is a wizard. For scripts: --yes plus flags. The key is never
    taken on the command line: use --api-key-env VAR or --api-key-stdin (or --key-storage env).
    """
    from configurator.commands.setup import SetupOptions, run
    from configurator.render import emit

    ctx = click.get_current_context()
    given = frozenset(name for name in ("tools", *options)
                      if ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE)
    interactive = (not options["yes"] and not as_json and not options["api_key_stdin"]
                   and sys.stdin.isatty() and sys.stdout.isatty())
    opts = SetupOptions(tools=tools, given=given, interactive=interactive, **options)  # type: ignore[arg-type]
    return emit(run(opts), as_json=as_json)
