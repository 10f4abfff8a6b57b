"""``python -m configurator`` and the ``configurator`` console script."""

import sys


def main() -> None:
    """``configurator key get`` (what the tools run on every start) and ``configurator statusline`` (what Claude
    Code runs every few seconds) answer before click and the command registry load; everything else goes to the
    CLI."""
    if sys.argv[1:3] == ["key", "get"]:
        from configurator.keyhelper import run

        run(sys.argv[3:])  # returns only for arguments it leaves to the CLI (--help, a typo)
    if sys.argv[1:2] == ["statusline"]:
        from configurator.commands.statusline import main as statusline

        code = statusline(sys.argv[2:])  # None for arguments it leaves to the CLI (--help, a typo)
        if code is not None:
            sys.exit(code)
    from configurator.cli import main as cli_main

    cli_main(prog_name="configurator")


if __name__ == "__main__":  # pragma: no cover
    main()
