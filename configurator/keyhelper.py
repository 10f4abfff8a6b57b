"""The fast path of ``configurator key get``: the tools run it on every start (Claude Code's ``apiKeyHelper``, a
Codex provider's ``auth.command``, OpenClaw's ``exec`` secret provider), so it answers without click or any module
it does not need (``benchmarks/key_helper.py`` compares it with a bare ``keyring.get_password``).

:func:`run` takes the arguments after ``key get``; anything it does not know (``--help``, a typo) is left to the
full CLI, which reports it the usual way. An error is one line on stderr, ``configurator: ...``, and a non-zero
exit: the tool shows it (Claude Code prints a failing helper's output).
"""

from __future__ import annotations

import sys
from typing import NoReturn


def fail(message: str, code: int) -> NoReturn:
    """One line on stderr (redacted: never a key) and exit ``code``."""
    from configurator.secrets import redact

    sys.stderr.write("configurator: " + redact(" ".join(message.split())) + "\n")
    sys.stderr.flush()
    sys.exit(code)


def answer(name: str | None, *, reveal: bool, openclaw: bool) -> NoReturn:
    """Print the key of profile ``name`` (or OpenClaw's exec response) and exit 0; an error exits non-zero."""
    from configurator.errors import ConfiguratorError

    try:
        from configurator.commands.key import KeyGetOptions, run_get, run_openclaw

        if openclaw:
            if name is not None:
                raise ConfiguratorError("`key get --openclaw` takes the profile names from the request on stdin, "
                                        "not as an argument.")
            value = run_openclaw(sys.stdin.read(1024 * 1024))
        else:
            if not name:
                raise ConfiguratorError("`key get` needs a profile name: configurator key get NAME.")
            value = run_get(KeyGetOptions(name=name, reveal=reveal, to_terminal=sys.stdout.isatty()))
        sys.stdout.write(value + "\n")
        sys.stdout.flush()
    except ConfiguratorError as e:
        fail(str(e), e.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as e:  # noqa: BLE001 - one line, never a traceback that might show a key
        from configurator import exitcodes

        fail(f"unexpected internal error ({type(e).__name__}) while reading the key; run `configurator key get` "
             "in a terminal with --reveal to see it again, and please report it.", exitcodes.INTERNAL)
    sys.exit(0)


def run(args: list[str]) -> None:
    """``args`` after ``key get``: answer and exit, or return when they are not the helper's (the CLI decides)."""
    import os

    home = os.environ.get("HOME")
    if home is not None and not os.path.isabs(home.strip()):
        return  # the CLI's own check says what is wrong with HOME
    name: str | None = None
    reveal = openclaw = False
    for arg in args:
        if arg == "--reveal":
            reveal = True
        elif arg == "--openclaw":
            openclaw = True
        elif arg.startswith("-") or name is not None:
            return
        else:
            name = arg
    answer(name, reveal=reveal, openclaw=openclaw)
