"""The ``configurator`` command. Subcommands are imported only when they run, so ``--help`` stays fast."""

from __future__ import annotations

import importlib
import os
import re
import sys
import time
from typing import Any

import click

from configurator import __version__, exitcodes

#: name -> (module, attribute, one-line help). Help text lives here so --help imports nothing else.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "setup": ("configurator.cli.setup", "setup", "Configure Claude Code, Codex and OpenClaw for a provider."),
    "lint": ("configurator.cli.lint", "lint", "Check agent configs (text, JSON, GitHub, SARIF; --fix)."),
    "plan": ("configurator.cli.plan", "plan", "Which billing plan is cheapest: quiz, simulate, upgrade-cost."),
    "usage": ("configurator.cli.usage", "usage", "Daily token usage read from local agent logs."),
    "verify": ("configurator.cli.verify", "verify", "Send one tiny request per configured tool to its provider."),
    "restore": ("configurator.cli.restore", "restore", "List backups or put a backup back."),
    "doctor": ("configurator.cli.doctor", "doctor", "Show where each tool's config lives and what is installed."),
}


class _BareInterrupt(Exception):
    """Ctrl-C or end of input that no prompt caught (a KeyboardInterrupt or EOFError from a command)."""


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        module, attr, _ = spec
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, spec[2]) for name, spec in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        """Command names complete from :data:`COMMANDS` (no command module is imported), then our options."""
        from click.shell_completion import CompletionItem

        items = [CompletionItem(name, help=spec[2]) for name, spec in COMMANDS.items() if name.startswith(incomplete)]
        return items + click.Command.shell_complete(self, ctx, incomplete)

    def invoke(self, ctx: click.Context) -> Any:
        # caught here, before click turns it into Abort after writing a blank line of its own
        try:
            return super().invoke(ctx)
        except (KeyboardInterrupt, EOFError):
            raise _BareInterrupt from None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="configurator")
def cli() -> None:
    """Set up coding agents for a third-party model provider, lint their configs, and find the
    cheapest billing plan for the way you work.

    Secrets are never taken on the command line: use --api-key-env VAR or --api-key-stdin.
    """


def _log_unexpected(exc: BaseException) -> str:
    from configurator import paths

    try:
        log_dir = paths.state_dir() / "logs"
        log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        log = log_dir / "error.log"
        from configurator.secrets import redact

        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"--- {time.strftime('%Y-%m-%dT%H:%M:%S')} configurator {__version__} argv={sys.argv[1:]!r}\n")
            import traceback

            fh.write(redact("".join(traceback.format_exception(type(exc), exc, exc.__traceback__))))
        os.chmod(log, 0o600)
        return str(log)
    except OSError:
        return "(the error log could not be written)"


def _command_path(argv: list[str], prog_name: str) -> str:
    """``configurator plan quiz`` for ``["plan", "quiz", "--x"]``: the command a usage error is about, when click
    did not attach its context to the error."""
    words: list[str] = [prog_name]
    cmd: click.Command = cli
    ctx = click.Context(cli, info_name=prog_name, resilient_parsing=True)
    for arg in argv:
        sub = cmd.get_command(ctx, arg) if isinstance(cmd, click.Group) and not arg.startswith("-") else None
        if sub is None:
            break
        words.append(arg)
        cmd = sub
    return " ".join(words)


def usage_error_line(e: click.UsageError, argv: list[str], prog_name: str) -> str:
    """click's message on one line, pointing at the right ``--help``:
    ``No such option '--frob' (see `configurator setup --help`).``"""
    message = re.sub(r"\s*\n\s*", " ", e.format_message()).strip()
    if e.ctx is not None:
        if e.ctx.command.get_help_option(e.ctx) is None:
            return message
        path = e.ctx.command_path
    else:
        try:
            path = _command_path(argv, prog_name)
        except Exception:  # noqa: BLE001 - only a hint; the message itself is what matters
            return message
    return f"{message.removesuffix('.')} (see `{path} --help`)."


def _say(message: str) -> None:
    """A line on stderr that is not an error (a cancel): no ``error:`` prefix."""
    from configurator.secrets import redact

    sys.stderr.write(redact(message) + "\n")
    sys.stderr.flush()


def main(argv: list[str] | None = None, prog_name: str = "configurator") -> Any:
    """Console entry point: every error is one ``error: ...`` line; a cancel is one line, exit 0 (the user said
    "No") or 130 (Ctrl-C, end of input); anything unexpected is logged, never dumped."""
    from configurator.errors import CANCELLED, Aborted, ConfiguratorError
    from configurator.render import error_line

    args = sys.argv[1:] if argv is None else list(argv)
    try:
        rv = cli.main(args=args, prog_name=prog_name, standalone_mode=False)
    except Aborted as e:
        _say(str(e))
        sys.exit(e.exit_code)
    except ConfiguratorError as e:
        error_line(str(e))
        sys.exit(e.exit_code)
    except (_BareInterrupt, KeyboardInterrupt, EOFError, click.exceptions.Abort):
        if sys.stderr.isatty():  # end the line the terminal's ^C echo left open
            sys.stderr.write("\n")
        _say(CANCELLED)
        sys.exit(exitcodes.INTERRUPTED)
    except click.UsageError as e:
        no_args_help = getattr(click.exceptions, "NoArgsIsHelpError", None)
        if no_args_help is not None and isinstance(e, no_args_help):  # a bare group name: its help, as before
            e.show()
        else:
            error_line(usage_error_line(e, args, prog_name))
        sys.exit(exitcodes.USAGE)
    except click.ClickException as e:
        error_line(re.sub(r"\s*\n\s*", " ", e.format_message()).strip())
        sys.exit(e.exit_code)
    except BrokenPipeError:
        sys.exit(exitcodes.OK)
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001 - the one place that turns bugs into a one-line message
        where = _log_unexpected(e)
        error_line(f"unexpected internal error ({type(e).__name__}); details are in {where}. Please report it.")
        sys.exit(exitcodes.INTERNAL)
    sys.exit(rv if isinstance(rv, int) else exitcodes.OK)
