"""`configurator doctor`: call :func:`configurator.commands.doctor.run`, render."""

from __future__ import annotations

import click

from configurator.cli._common import json_option


@click.command()
@json_option
def doctor(as_json: bool) -> int:
    """Show where each tool's config lives, whether it exists, and installed tool versions."""
    from configurator.commands.doctor import DoctorOptions, run
    from configurator.render import emit

    return emit(run(DoctorOptions()), as_json=as_json)
