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
    "setup": ("configurator.cli.setup", "setup", "Configure Claude Code, Codex, OpenClaw and opencode for a provider."),
    "use": ("configurator.cli.use", "use", "Switch every tool to a saved profile, or `use official` to go back."),
    "status": ("configurator.cli.status", "status", "What each tool uses now: profile, provider, models, key."),
    "profile": ("configurator.cli.profile", "profile", "Saved profiles: list, show, add, edit, remove, rename."),
    "key": ("configurator.cli.key", "key", "The key of a saved profile, for the tools' key helpers."),
    "lint": ("configurator.cli.lint", "lint", "Check agent configs (text, JSON, GitHub, SARIF; --fix)."),
    "plan": ("configurator.cli.plan", "plan", "Which billing plan is cheapest: quiz, simulate, upgrade-cost."),
    "usage": ("configurator.cli.usage", "usage", "Daily token usage read from local agent logs."),
    "statusline": ("configurator.cli.statusline", "statusline",
                   "One line for Claude Code's status bar: today's allowance, reset time, model."),
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


#: a variable name as people write them (upper case): any other --api-key-env value may be a pasted key
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


def logged_argv(argv: list[str]) -> str:
    """``argv`` as the error log records it: through the same redaction as every output, and the value of
    ``--api-key-env`` masked unless it is an upper-case variable name (a key pasted there must not reach the
    log, whatever its shape)."""
    from configurator.secrets import mask, redact

    shown: list[str] = []
    after_flag = False
    for arg in argv:
        if after_flag and not _ENV_NAME.fullmatch(arg):
            arg = mask(arg)
        elif arg.startswith("--api-key-env=") and not _ENV_NAME.fullmatch(arg.partition("=")[2]):
            arg = "--api-key-env=" + mask(arg.partition("=")[2])
        after_flag = arg == "--api-key-env"
        shown.append(arg)
    return redact(repr(shown))


def _log_unexpected(exc: BaseException, argv: list[str]) -> str:
    from configurator import paths

    try:
        log_dir = paths.state_dir() / "logs"
        log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        log = log_dir / "error.log"
        import traceback

        from configurator.secrets import redact

        header = f"--- {time.strftime('%Y-%m-%dT%H:%M:%S')} configurator {__version__} argv={logged_argv(argv)}\n"
        body = redact("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with open(fd, "a", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(header + body)
        os.chmod(log, 0o600)
        return str(log)
    except OSError:
        return "(the error log could not be written)"


def _check_home() -> None:
    """HOME set but empty (or relative) would put every config, backup and log under / (or the current
    folder): refuse before any command reads or writes a file."""
    from configurator.errors import ConfiguratorError

    home = os.environ.get("HOME")
    if home is not None and not os.path.isabs(home.strip()):
        what = "empty" if not home.strip() else f"the relative path {home!r}"
        raise ConfiguratorError(
            f"HOME is {what}, so the tools' configs would be looked for in the wrong folder; set HOME to your home "
            "folder (an absolute path) and run the command again."
        )


def _wants_json(cmd: click.Command, args: list[str]) -> bool:
    """Whether ``args`` (the command's own arguments) ask for JSON: ``--json``, or ``--format json``. Read
    token by token with the command's options, so the value of another option (``--model --json``) is not
    taken for the flag, and an unknown option before it does not hide it."""
    takes_value: dict[str, str] = {}
    json_flags: set[str] = set()
    for p in cmd.params:
        if not isinstance(p, click.Option):
            continue
        if p.name == "as_json" and p.is_flag:
            json_flags.update(p.opts)
        elif not p.is_flag and not p.count:
            takes_value.update((o, p.name or "") for o in p.opts)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            break
        name, eq, value = arg.partition("=")
        if arg in json_flags:
            return True
        if eq and name in takes_value:
            if takes_value[name] == "fmt" and value == "json":
                return True
        elif arg in takes_value:
            if takes_value[arg] == "fmt" and args[i + 1: i + 2] == ["json"]:
                return True
            i += 1
        i += 1
    return False


def _invocation(argv: list[str], prog_name: str) -> tuple[str, bool]:
    """(the command path without the program name, e.g. ``plan quiz``; whether its output is JSON): what
    ``argv`` asks for, so that an error can be reported the way the command reports."""
    ctx = cli.make_context(prog_name, list(argv), resilient_parsing=True)
    words: list[str] = []
    cmd: click.Command = cli
    rest: list[str] = []
    while isinstance(cmd, click.Group):
        args = [*getattr(ctx, "_protected_args", ()), *ctx.args]
        if not args:
            return " ".join(words), False
        name, sub, rest = cmd.resolve_command(ctx, args)
        if sub is None or name is None:
            return " ".join(words), False
        words.append(name)
        ctx = sub.make_context(name, list(rest), parent=ctx, resilient_parsing=True)
        cmd = sub
    return " ".join(words), _wants_json(cmd, rest)


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


def _report(message: str, exit_code: int, argv: list[str], prog_name: str) -> None:
    """An error as one ``error:`` line on stderr; with ``--json`` (or ``--format json``) for the command that
    ran, also the error envelope on stdout. Then exit with ``exit_code``."""
    from configurator.render import error_envelope, error_line

    error_line(message)
    try:
        command, as_json = _invocation(argv, prog_name)
    except Exception:  # noqa: BLE001 - the lenient re-parse only decides whether to add the envelope
        command, as_json = "", False
    if as_json:
        error_envelope(command, message, exit_code)
    sys.exit(exit_code)


def _asks_for_help(argv: list[str], prog_name: str) -> bool:
    """Help, the version or shell completion: nothing is read or written, so HOME does not matter."""
    complete_var = f"_{prog_name.replace('-', '_').replace('.', '_').upper()}_COMPLETE"
    return not argv or complete_var in os.environ or any(a in ("-h", "--help", "--version") for a in argv)


def main(argv: list[str] | None = None, prog_name: str = "configurator") -> Any:
    """Console entry point: every error is one ``error: ...`` line (and, with ``--json``, an error envelope on
    stdout); a cancel is one line, exit 0 (the user said "No") or 130 (Ctrl-C, end of input); anything
    unexpected is logged (redacted like every output), never dumped."""
    from configurator.errors import CANCELLED, Aborted, ConfiguratorError

    args = sys.argv[1:] if argv is None else list(argv)
    try:
        if not _asks_for_help(args, prog_name):
            _check_home()
        rv = cli.main(args=args, prog_name=prog_name, standalone_mode=False)
    except Aborted as e:
        _say(str(e))
        sys.exit(e.exit_code)
    except ConfiguratorError as e:
        _report(str(e), e.exit_code, args, prog_name)
    except (_BareInterrupt, KeyboardInterrupt, EOFError, click.exceptions.Abort):
        if sys.stderr.isatty():  # end the line the terminal's ^C echo left open
            sys.stderr.write("\n")
        _say(CANCELLED)
        sys.exit(exitcodes.INTERRUPTED)
    except click.UsageError as e:
        no_args_help = getattr(click.exceptions, "NoArgsIsHelpError", None)
        if no_args_help is not None and isinstance(e, no_args_help):  # a bare group name: its help, as before
            e.show()
            sys.exit(exitcodes.USAGE)
        _report(usage_error_line(e, args, prog_name), exitcodes.USAGE, args, prog_name)
    except click.ClickException as e:
        _report(re.sub(r"\s*\n\s*", " ", e.format_message()).strip(), e.exit_code, args, prog_name)
    except BrokenPipeError:
        sys.exit(exitcodes.OK)
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001 - the one place that turns bugs into a one-line message
        where = _log_unexpected(e, args)
        _report(f"unexpected internal error ({type(e).__name__}); details are in {where}. Please report it.",
                exitcodes.INTERNAL, args, prog_name)
    sys.exit(rv if isinstance(rv, int) else exitcodes.OK)
