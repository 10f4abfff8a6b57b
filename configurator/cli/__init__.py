"""The ``configurator`` command. Subcommands are imported only when they run, so ``--help`` stays fast."""

from __future__ import annotations

import importlib
import os
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


def main(argv: list[str] | None = None, prog_name: str = "configurator") -> Any:
    """Console entry point: user errors are one line; anything unexpected is logged, never dumped."""
    from configurator.errors import ConfiguratorError
    from configurator.render import error_line

    try:
        rv = cli.main(args=argv, prog_name=prog_name, standalone_mode=False)
    except ConfiguratorError as e:
        error_line(str(e))
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        error_line("Aborted. Nothing was written.")
        sys.exit(exitcodes.USAGE)
    except click.ClickException as e:
        e.show()
        sys.exit(exitcodes.USAGE if e.exit_code == 2 else e.exit_code)
    except (KeyboardInterrupt, EOFError):
        error_line("Interrupted. Nothing was written.")
        sys.exit(exitcodes.USAGE)
    except BrokenPipeError:
        sys.exit(exitcodes.OK)
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001 - the one place that turns bugs into a one-line message
        where = _log_unexpected(e)
        error_line(f"unexpected internal error ({type(e).__name__}); details are in {where}. Please report it.")
        sys.exit(exitcodes.INTERNAL)
    sys.exit(rv if isinstance(rv, int) else exitcodes.OK)
