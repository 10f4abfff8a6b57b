"""`configurator profile`: parse options, call :mod:`configurator.commands.profile`, render."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from configurator.agents import IDS
from configurator.cli._common import json_option

#: the option names that become SetupOptions fields (the rest are the command's own)
_SETUP_FIELDS = ("tools", "provider", "base_url", "anthropic_base_url", "openai_base_url", "api_key_env",
                 "api_key_stdin", "key_storage", "model", "fast_model", "codex_wire_api")


def _provider_options(*, edit: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """setup's provider, key and model flags (for edit: no defaults, only what is given changes)."""
    keep = " (default: unchanged)" if edit else ""
    opts = [
        click.option("--tool", "tools", multiple=True, type=click.Choice(IDS),
                     help=("Tools the profile covers (repeat; replaces the list)." if edit else
                           "Tools the profile covers (repeat; default: all).")),
        click.option("--provider", default=None if edit else "atlascloud", show_default=not edit,
                     help="Provider preset id, or 'custom'." + keep),
        click.option("--base-url", help="Custom provider: https://host or https://host/v1 (both API roots are derived)."),
        click.option("--anthropic-base-url", help="Custom provider: the Anthropic-compatible root (no /v1)."),
        click.option("--openai-base-url", help="Custom provider: the OpenAI-compatible root (with /v1)."),
        click.option("--api-key-env", metavar="VAR",
                     help="Read the key from this environment variable (env storage: the variable the tools read)."),
        click.option("--api-key-stdin", is_flag=True, help="Read the key from standard input (one line)."),
        click.option("--key-storage", type=click.Choice(["file", "env"]), default=None if edit else "file",
                     show_default=not edit,
                     help="file: keep the key in the profiles file (0600). env: name a variable instead." + keep),
        click.option("--model", help="Main model id" + (keep or " (default: the preset's).")),
        click.option("--fast-model", help="Fast model id for background tasks" + (keep or " (default: the preset's).")),
        click.option("--codex-wire-api", type=click.Choice(["responses", "chat"]),
                     default=None if edit else "responses", show_default=not edit,
                     help="'chat' only for Codex older than 0.95." + keep),
        click.option("--claude-tier", "claude_tiers", multiple=True, metavar="TIER=MODEL",
                     help="Claude Code tier (opus, sonnet, haiku, fable, subagent) served by MODEL (repeat; "
                          "TIER= clears it)."),
    ]

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        for o in reversed(opts):
            f = o(f)
        return f

    return decorate


def _setup_options(options: dict[str, Any], *, interactive: bool) -> Any:
    """The SetupOptions for the flags, with the names the user gave."""
    from configurator.commands.profile import setup_options

    ctx = click.get_current_context()
    given = frozenset(n for n in _SETUP_FIELDS
                      if ctx.get_parameter_source(n) is click.core.ParameterSource.COMMANDLINE)
    values = {k: v for k, v in options.items() if k in _SETUP_FIELDS and v is not None}
    return setup_options(given, interactive, **values)


def _terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _write_flags(**kw: Any) -> Any:
    from configurator.commands.profile import WriteFlags

    return WriteFlags(**kw)


_yes = click.option("--yes", "-y", is_flag=True, help="Do not ask before changing the tools' files.")
_dry_run = click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
_diff = click.option("--diff", is_flag=True, help="Show the whole diff before asking (default: a line per file).")


@click.group()
def profile() -> None:
    """Saved provider profiles: list, show, add, edit, remove, rename.

    \b
      configurator profile list                  every profile, and which tools use it now
      configurator profile show NAME             its settings and the command lines for one session
      configurator profile add NAME [FLAGS]      save one (setup's flags, or its wizard) without switching
      configurator profile edit NAME [FLAGS]     change what the flags give; tools using it follow
      configurator profile remove NAME           remove it (not while a tool uses it)
      configurator profile rename OLD NEW
    """


@profile.command("list")
@json_option
def list_(as_json: bool) -> int:
    """Every saved profile: provider, base URL, model, key storage, tools, and which tools use it now."""
    from configurator.commands.profile import ListOptions, run_list
    from configurator.render import emit

    return emit(run_list(ListOptions()), as_json=as_json)


@profile.command()
@click.argument("name")
@json_option
def show(name: str, as_json: bool) -> int:
    """Every setting of profile NAME (the key masked), and how to use it in one session without switching."""
    from configurator.commands.profile import ShowOptions, run_show
    from configurator.render import emit

    return emit(run_show(ShowOptions(name)), as_json=as_json)


@profile.command()
@click.argument("name")
@_provider_options(edit=False)
@click.option("--yes", "-y", is_flag=True, help="Never prompt; missing values are errors.")
@_dry_run
@json_option
def add(name: str, claude_tiers: tuple[str, ...], yes: bool, dry_run: bool, as_json: bool, **options: Any) -> int:
    """Save profile NAME without applying it to any tool (`configurator use NAME` switches to it later).

    Takes setup's flags; with none on a terminal, setup's wizard asks. The key is never taken on the
    command line: use --api-key-env VAR or --api-key-stdin (or --key-storage env).
    """
    from configurator.commands.profile import AddOptions, run_add
    from configurator.render import emit

    interactive = not yes and not as_json and not options["api_key_stdin"] and _terminal()
    opts = AddOptions(name=name, setup=_setup_options(options, interactive=interactive), claude_tiers=claude_tiers,
                      dry_run=dry_run)
    return emit(run_add(opts), as_json=as_json)


@profile.command()
@click.argument("name")
@_provider_options(edit=True)
@_yes
@_dry_run
@_diff
@click.option("--force", is_flag=True, help="Overwrite keys edited by hand since configurator set them, and change "
              "read-only files (they stay read-only).")
@json_option
def edit(name: str, claude_tiers: tuple[str, ...], yes: bool, dry_run: bool, diff: bool, force: bool, as_json: bool,
         **options: Any) -> int:
    """Change what the flags give in profile NAME; everything else (the stored key too) stays.

    Tools that use the profile now get the change in the same step (a preview first). A new key
    comes from --api-key-env VAR or --api-key-stdin, never the command line.
    """
    from configurator.commands.profile import EditOptions, run_edit
    from configurator.render import emit

    interactive = not yes and not as_json and not options["api_key_stdin"] and _terminal()
    opts = EditOptions(name=name, setup=_setup_options(options, interactive=False), claude_tiers=claude_tiers,
                       flags=_write_flags(yes=yes, dry_run=dry_run, force=force, diff=diff, interactive=interactive))
    return emit(run_edit(opts), as_json=as_json)


@profile.command()
@click.argument("name")
@_yes
@_dry_run
@_diff
@click.option("--force", is_flag=True, help="Remove it even when tools use it: they go back to their own login "
              "first (keys edited by hand are overwritten).")
@json_option
def remove(name: str, yes: bool, dry_run: bool, diff: bool, force: bool, as_json: bool) -> int:
    """Remove profile NAME and its session files (not while a tool uses it, unless --force)."""
    from configurator.commands.profile import RemoveOptions, run_remove
    from configurator.render import emit

    interactive = not yes and not as_json and _terminal()
    opts = RemoveOptions(name=name, flags=_write_flags(yes=yes, dry_run=dry_run, force=force, diff=diff,
                                                       interactive=interactive))
    return emit(run_remove(opts), as_json=as_json)


@profile.command()
@click.argument("old")
@click.argument("new")
@_yes
@_dry_run
@_diff
@click.option("--force", is_flag=True, help="Overwrite keys edited by hand since configurator set them, and change "
              "read-only files (they stay read-only).")
@json_option
def rename(old: str, new: str, yes: bool, dry_run: bool, diff: bool, force: bool, as_json: bool) -> int:
    """Rename profile OLD to NEW; tools that use it keep using it under the new name."""
    from configurator.commands.profile import RenameOptions, run_rename
    from configurator.render import emit

    interactive = not yes and not as_json and _terminal()
    opts = RenameOptions(old=old, new=new, flags=_write_flags(yes=yes, dry_run=dry_run, force=force, diff=diff,
                                                              interactive=interactive))
    return emit(run_rename(opts), as_json=as_json)
