"""`configurator restore`: parse options, call :func:`configurator.commands.restore.run`, render."""

from __future__ import annotations

import click

from configurator.cli._common import json_option


@click.command()
@click.argument("backup_id", required=False)
@click.option("--list", "list_", is_flag=True, help="List the backups, newest last.")
@click.option("--latest", is_flag=True, help="Put back the newest backup.")
@click.option("--dry-run", is_flag=True, help="Show what would be put back; change nothing.")
@click.option("--force", is_flag=True, help="Also put back files that are read-only now (they stay read-only).")
@json_option
def restore(backup_id: str | None, list_: bool, latest: bool, dry_run: bool, force: bool, as_json: bool) -> int:
    """List backups (--list) or put the files of backup BACKUP_ID (or the newest, --latest) back.

    The current files are backed up first, so a restore can be undone too.
    """
    from configurator.commands.restore import RestoreOptions, run
    from configurator.render import emit

    opts = RestoreOptions(backup_id=backup_id, list=list_, latest=latest, dry_run=dry_run, force=force)
    return emit(run(opts), as_json=as_json)
