"""`configurator restore`: list backups and put one back."""

from __future__ import annotations

from configurator import paths, store
from configurator.render import Result


def list_result() -> Result:
    backups = store.list_backups()

    def text() -> str:
        if not backups:
            return f"No backups yet (they are kept in {paths.backups_dir()})."
        lines = []
        for b in backups:
            lines.append(f"{b.id}  {b.command}")
            for e in b.entries:
                lines.append(f"    {e.original}" + ("" if e.stored else "  (did not exist: restore removes it)"))
        lines.append("Put one back with: configurator restore <id>")
        return "\n".join(lines)

    return Result("restore", {"backups": [b.to_dict() for b in backups]}, text)


def restore(backup_id: str, *, dry_run: bool = False) -> Result:
    backup, results, new_id = store.restore_backup(backup_id, dry_run=dry_run)

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
