"""`configurator restore`: list backups, or put one back (the files as they are now are backed up first)."""

from __future__ import annotations

from dataclasses import dataclass

from configurator import paths, store
from configurator.errors import ConfiguratorError
from configurator.render import Result


@dataclass(frozen=True)
class RestoreOptions:
    backup_id: str | None = None
    list: bool = False
    latest: bool = False
    dry_run: bool = False
    #: also put back files that are read-only now (they stay read-only)
    force: bool = False


def run(opts: RestoreOptions) -> Result:
    if opts.latest and (opts.backup_id is not None or opts.list):
        raise ConfiguratorError("Give --latest alone (it picks the newest backup), not with a backup id or --list.")
    if opts.latest:
        backups = store.list_backups()
        if not backups:
            raise ConfiguratorError(f"There is no backup to restore yet (backups are kept in {paths.backups_dir()}).")
        return _restore(backups[-1].id, dry_run=opts.dry_run, force=opts.force)
    if opts.list or opts.backup_id is None:
        if opts.backup_id is not None:
            raise ConfiguratorError("Give either --list or a backup id, not both.")
        return _list()
    return _restore(opts.backup_id, dry_run=opts.dry_run, force=opts.force)


def _list() -> Result:
    backups = store.list_backups()

    def text() -> str:
        if not backups:
            return f"No backups yet (they are kept in {paths.backups_dir()})."
        lines = []
        for b in backups:
            lines.append(f"{b.id}  {b.command}")
            for e in b.entries:
                lines.append(f"    {e.original}" + ("" if e.stored else "  (did not exist: restore removes it)"))
        lines.append("Put one back with: configurator restore <id> (or --latest for the newest)")
        return "\n".join(lines)

    return Result("restore", {"backups": [b.to_dict() for b in backups]}, text)


def _restore(backup_id: str, *, dry_run: bool, force: bool = False) -> Result:
    """All or nothing: a damaged backup (checksum, stored names) or a target that cannot be written changes no
    file; the error says so."""
    backup, results, new_id = store.restore_backup(backup_id, dry_run=dry_run, force=force)

    def text() -> str:
        verb = "Would put back" if dry_run else "Put back"
        lines = [f"{verb} backup {backup.id}:"]
        lines += [f"  {r.action:9} {r.path}" for r in results]
        if new_id:
            lines.append(f"The files as they were before this restore are in backup {new_id}.")
        return "\n".join(lines)

    return Result(
        "restore",
        {"restored": backup.id, "dry_run": dry_run, "files": [r.to_dict() for r in results], "backup": new_id},
        text,
    )
