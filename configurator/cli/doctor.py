from __future__ import annotations

import click

from configurator.cli._common import json_option


@click.command()
@json_option
def doctor(as_json: bool) -> int:
    """Show where each tool's config lives, whether it exists, and installed tool versions."""
    from configurator import doctor as core
    from configurator.render import emit

    return emit(core.run(), as_json=as_json)
