"""Backups of every file we change, and reading them back safely for a restore.

A backup is a folder (0700) named by its id, holding the old bytes of each file (0600) and a ``manifest.json``
that lists them with their sha256. The stored files are written (and fsynced) as a change is prepared; the
manifest is written, atomically, just before the first file is replaced, so a backup that is listed is complete.
A folder without a manifest is a change that never started (or a run killed before it did): it is removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from configurator import paths
from configurator.errors import ConfiguratorError
from configurator.store import atomic
from configurator.store.atomic import make_private_dirs

_ID = re.compile(r"\A\d{8}T\d{6}-\d{6}Z\Z")
_SHA = re.compile(r"\A[0-9a-f]{64}\Z")


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

    def stored_bytes(self, entry: BackupEntry) -> bytes | None:
        """The old bytes of ``entry``, checked against the manifest's sha256 (None: the file did not exist).
        A stored file that is missing, outside the backup folder or altered is a ConfiguratorError."""
        if entry.stored is None:
            return None
        where = self.folder / entry.stored
        try:
            st = os.lstat(where)
            if not stat.S_ISREG(st.st_mode):
                raise ConfiguratorError(f"Backup {self.id} is damaged: {where} is not a regular file; "
                                        "nothing was changed.")
            data = where.read_bytes()
        except OSError as e:
            raise ConfiguratorError(f"Backup {self.id} is damaged: its copy of {entry.original} ({where}) cannot "
                                    f"be read ({e.strerror or e}); nothing was changed.") from None
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            raise ConfiguratorError(
                f"Backup {self.id} is damaged: its copy of {entry.original} does not match the checksum recorded "
                "when it was made (it was changed since); nothing was changed. Pick another backup with "
                "`configurator restore --list`.")
        return data


def _new_id() -> str:
    t = time.time()
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime(t)) + f"-{int((t % 1) * 1e6):06d}Z"


class BackupWriter:
    """One backup folder per command run; created lazily on the first file, listed once :meth:`finish`ed."""

    def __init__(self, command: str, root: Path | None = None) -> None:
        self.command = command
        self.root = root or paths.backups_dir()
        self.id: str | None = None
        self.folder: Path | None = None
        self.entries: list[BackupEntry] = []
        self.finished = False

    def add(self, original: Path, old: bytes | None, mode: int | None) -> str:
        """Store ``old`` (the bytes of ``original`` now; None: it does not exist). Returns the backup id."""
        if self.folder is None:
            make_private_dirs(self.root)
            remove_incomplete(self.root)
            while True:
                self.id = _new_id()
                self.folder = self.root / self.id
                try:
                    self.folder.mkdir(mode=0o700)
                    break
                except FileExistsError:
                    time.sleep(0.001)
            os.chmod(self.folder, 0o700)
        assert self.folder is not None and self.id is not None
        stored = None
        digest = None
        if old is not None:
            stored = f"{len(self.entries)}-{original.name}"
            fd = os.open(self.folder / stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(old)
                fh.flush()
                os.fsync(fh.fileno())
            digest = hashlib.sha256(old).hexdigest()
        self.entries.append(BackupEntry(str(original), stored, mode, digest))
        if self.finished:  # a file added after the manifest was written (should not happen): keep it listed
            self._write_manifest()
        return self.id

    def finish(self) -> None:
        """Write the manifest: from now on the backup is listed and can be restored."""
        if self.folder is not None and not self.finished:
            self._write_manifest()
            self.finished = True

    def discard(self) -> None:
        """Remove the backup of a change that was given up before any file was replaced."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
            self.id = None
            self.entries = []
            self.finished = False

    def _write_manifest(self) -> None:
        assert self.folder is not None
        manifest = {
            "id": self.id,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "command": self.command,
            "entries": [e.__dict__ for e in self.entries],
        }
        tmp = self.folder / "manifest.json.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.folder / "manifest.json")
        with contextlib.suppress(OSError):
            dfd = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)


def remove_incomplete(root: Path, *, older_than: float | None = None) -> None:
    """Remove backup folders without a manifest (a run killed before it changed anything) older than a minute."""
    now = time.time()
    older_than = atomic.STALE_SECONDS if older_than is None else older_than
    try:
        names = os.listdir(root)
    except OSError:
        return
    for name in names:
        folder = root / name
        if not _ID.match(name) or os.path.lexists(folder / "manifest.json"):
            continue
        with contextlib.suppress(OSError):
            st = os.lstat(folder)
            if stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid() and now - st.st_mtime > older_than:
                shutil.rmtree(folder, ignore_errors=True)


def _entry(raw: Any) -> BackupEntry:
    """One manifest entry, every field checked; ValueError says what is wrong."""
    if not isinstance(raw, dict):
        raise ValueError("an entry is not an object")
    original, stored, mode, digest = raw.get("original"), raw.get("stored"), raw.get("mode"), raw.get("sha256")
    if not isinstance(original, str) or not original or not os.path.isabs(original) or "\0" in original:
        raise ValueError(f"an entry's original path {original!r} is not an absolute path")
    if stored is not None:
        if (not isinstance(stored, str) or not stored or stored in (".", "..") or "/" in stored or "\\" in stored
                or "\0" in stored or stored.startswith("manifest.json")):
            raise ValueError(f"the stored file name {stored!r} of {original} is not a file inside the backup")
        if not isinstance(digest, str) or not _SHA.match(digest):
            raise ValueError(f"the checksum of {original} is missing or malformed")
    elif digest is not None and not isinstance(digest, str):
        raise ValueError(f"the checksum of {original} is malformed")
    if mode is not None and (isinstance(mode, bool) or not isinstance(mode, int) or not 0 <= mode <= 0o7777):
        raise ValueError(f"the mode {mode!r} of {original} is not a file mode")
    return BackupEntry(original, stored, mode, digest)


def read_manifest(folder: Path) -> Backup:
    """The backup in ``folder``; ValueError (what is wrong) for a missing, unreadable or malformed manifest."""
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except OSError as e:
        raise ValueError(f"its manifest cannot be read ({e.strerror or e})") from None
    except ValueError:
        raise ValueError("its manifest is not valid JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ValueError("its manifest has no list of entries")
    if data.get("id") != folder.name:
        raise ValueError("its manifest names another backup")
    entries = [_entry(e) for e in data["entries"]]
    created, command = data.get("created", ""), data.get("command", "")
    return Backup(folder.name, created if isinstance(created, str) else "",
                  command if isinstance(command, str) else "", entries, folder)


def list_backups(root: Path | None = None) -> list[Backup]:
    """Every complete, well-formed backup, oldest first (damaged ones are left out)."""
    root = root or paths.backups_dir()
    out: list[Backup] = []
    if not root.is_dir():
        return out
    for folder in sorted(root.iterdir()):
        try:
            out.append(read_manifest(folder))
        except ValueError:
            continue
    return out


def get_backup(backup_id: str, root: Path | None = None) -> Backup:
    root = root or paths.backups_dir()
    folder = root / backup_id
    if _ID.match(backup_id) and os.path.lexists(folder / "manifest.json"):
        try:
            return read_manifest(folder)
        except ValueError as e:
            raise ConfiguratorError(
                f"Backup {backup_id} is damaged: {e}; nothing was changed. Pick another backup with "
                "`configurator restore --list`.") from None
    for b in list_backups(root):  # a backup folder named otherwise (older versions)
        if b.id == backup_id:
            return b
    raise ConfiguratorError(
        f"There is no backup with id {backup_id!r}; run `configurator restore --list` to see the ids."
    )


def delete_backup(backup_id: str, root: Path | None = None) -> None:
    """Remove backup ``backup_id`` (its folder under the backups folder, nothing else): used when a key moved to the
    keychain and the user wants no plain-text copy left."""
    import shutil

    root = root or paths.backups_dir()
    folder = root / backup_id
    if not _ID.match(backup_id) or folder.is_symlink() or not folder.is_dir() or folder.parent != root:
        raise ConfiguratorError(f"There is no backup with id {backup_id!r}; run `configurator restore --list`.")
    try:
        shutil.rmtree(folder)
    except OSError as e:
        raise ConfiguratorError(f"Could not delete backup {backup_id}: {e.strerror or e}.") from None
