"""Backups of every file we change, and restoring them."""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from configurator import paths
from configurator.errors import ConfiguratorError


@dataclass
class BackupEntry:
    original: str
    stored: str | None  # file name inside the backup folder, None when the file did not exist
    mode: int | None
    sha256: str | None


@dataclass
class Backup:
    id: str
    created: str
    command: str
    entries: list[BackupEntry]
    folder: Path

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created": self.created,
            "command": self.command,
            "files": [e.original for e in self.entries],
            "folder": str(self.folder),
        }


def _new_id() -> str:
    t = time.time()
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime(t)) + f"-{int((t % 1) * 1e6):06d}Z"


class BackupWriter:
    """One backup folder per command run; created lazily on the first file."""

    def __init__(self, command: str, root: Path | None = None) -> None:
        self.command = command
        self.root = root or paths.backups_dir()
        self.id: str | None = None
        self.folder: Path | None = None
        self.entries: list[BackupEntry] = []

    def add(self, original: Path, old: bytes | None, mode: int | None) -> str:
        if self.folder is None:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            while True:
                self.id = _new_id()
                self.folder = self.root / self.id
                try:
                    self.folder.mkdir(mode=0o700)
                    break
                except FileExistsError:
                    time.sleep(0.001)
        assert self.folder is not None and self.id is not None
        stored = None
        digest = None
        if old is not None:
            stored = f"{len(self.entries)}-{original.name}"
            fd = os.open(self.folder / stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(old)
                fh.flush()
                os.fsync(fh.fileno())
            digest = hashlib.sha256(old).hexdigest()
        self.entries.append(BackupEntry(str(original), stored, mode, digest))
        self._write_manifest()
        return self.id

    def _write_manifest(self) -> None:
        assert self.folder is not None
        manifest = {
            "id": self.id,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "command": self.command,
            "entries": [e.__dict__ for e in self.entries],
        }
        tmp = self.folder / "manifest.json.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.folder / "manifest.json")


def list_backups(root: Path | None = None) -> list[Backup]:
    root = root or paths.backups_dir()
    out: list[Backup] = []
    if not root.is_dir():
        return out
    for folder in sorted(root.iterdir()):
        manifest = folder / "manifest.json"
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            entries = [BackupEntry(**e) for e in data["entries"]]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        out.append(Backup(data["id"], data.get("created", ""), data.get("command", ""), entries, folder))
    return out


def get_backup(backup_id: str, root: Path | None = None) -> Backup:
    for b in list_backups(root):
        if b.id == backup_id:
            return b
    raise ConfiguratorError(
        f"There is no backup with id {backup_id!r}; run `configurator restore --list` to see the ids."
    )
