"""Placeholder for commands that later issues fill in."""

from __future__ import annotations

import click

from configurator import exitcodes
from configurator.errors import ConfiguratorError


def not_built(name: str) -> click.Command:
    @click.command(name=name, context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    def _cmd() -> None:
        raise ConfiguratorError(f"`configurator {name}` is not built yet in this version.", exit_code=exitcodes.USAGE)

    _cmd.help = f"(not built yet) {name}"
    return _cmd
