from __future__ import annotations

import click

from configurator.cli._common import json_option


@click.command()
@click.argument("backup_id", required=False)
@click.option("--list", "list_", is_flag=True, help="List the backups, newest last.")
@click.option("--dry-run", is_flag=True, help="Show what would be put back; change nothing.")
@json_option
def restore(backup_id: str | None, list_: bool, dry_run: bool, as_json: bool) -> int:
    """List backups (--list) or put the files of backup BACKUP_ID back (the current files are backed up first)."""
    from configurator import restore as core
    from configurator.errors import ConfiguratorError
    from configurator.render import emit

    if list_ or backup_id is None:
        if backup_id is not None:
            raise ConfiguratorError("Give either --list or a backup id, not both.")
        return emit(core.list_result(), as_json=as_json)
    return emit(core.restore(backup_id, dry_run=dry_run), as_json=as_json)
