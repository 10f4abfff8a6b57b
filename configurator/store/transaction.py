"""Writing user files: :class:`Transaction` (lock, verify by re-parse, backup, atomic write) and restore."""

from __future__ import annotations

import contextlib
import difflib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from configurator import paths
from configurator.errors import ConcurrentChange, ConfiguratorError, ParseError
from configurator.secrets import redact
from configurator.store.atomic import SECRET_MODE, atomic_write, file_lock, real_target
from configurator.store.backup import Backup, BackupWriter, get_backup
from configurator.store.documents import Document, read_document
from configurator.store.formats import parse_text, same_data
from configurator.text import lines_lf, match_line_endings

#: what a write did to one file (the ``action`` of ``--json`` output)
WriteAction = Literal["created", "updated", "unchanged", "deleted"]


@dataclass
class WriteResult:
    path: Path
    action: WriteAction
    backup: str | None = None
    diff: str = ""
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "action": self.action, "backup": self.backup}


def masked_diff(old: str, new: str, path: Path) -> str:
    lines = difflib.unified_diff(
        lines_lf(old), lines_lf(new), fromfile=f"{path} (now)", tofile=f"{path} (new)"
    )
    out = "".join(ln if ln.endswith("\n") else ln + "\n" for ln in lines)
    return redact(out)


class Transaction:
    """Read-modify-write of one or more user files, with locks, verification, backups.

    ``dry_run`` computes results and diffs but writes nothing (no backup either).
    """

    def __init__(self, command: str, *, dry_run: bool = False, backup_root: Path | None = None) -> None:
        self.command = command
        self.dry_run = dry_run
        self._stack = contextlib.ExitStack()
        self._locked: set[Path] = set()
        self._backup = BackupWriter(command, backup_root)
        self.results: list[WriteResult] = []

    def __enter__(self) -> Transaction:
        self._stack.__enter__()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stack.__exit__(exc_type, exc, tb)

    @property
    def backup_id(self) -> str | None:
        return self._backup.id

    def _lock(self, path: Path) -> None:
        if self.dry_run:
            return  # a dry run writes nothing, not even a lock file
        target = real_target(path)
        if target not in self._locked:
            with _os_errors(path, "lock"):
                self._stack.enter_context(file_lock(target, paths.state_dir() / "locks"))
            self._locked.add(target)

    def open(self, path: Path, fmt: str | None = None) -> Document:
        """Lock ``path`` for this transaction and read it."""
        self._lock(Path(path))
        return read_document(Path(path), fmt)

    def write(self, doc: Document, new_text: str, *, expected: Any, secret: bool = False) -> WriteResult:
        """Write ``new_text`` to ``doc.path`` after proving it parses to ``expected``."""
        new_text = match_line_endings(doc.text, new_text)  # a CRLF file stays CRLF (tomlkit adds bare \n)
        try:
            got = parse_text(new_text, doc.fmt, doc.path)
        except ParseError as e:
            raise ConfiguratorError(
                f"Refusing to write {doc.path}: the text we rendered does not parse ({e.detail}). "
                "This is a bug in configurator; the file was left as it was."
            ) from None
        if not same_data(got, expected):
            raise ConfiguratorError(
                f"Refusing to write {doc.path}: after rendering, the file would not hold exactly the data we meant "
                "(this happens with TOML files that mix dotted keys and tables). The file was left as it was; "
                "make the change by hand or move the dotted keys into [tables]."
            )
        return self._put(doc.path, doc.raw, new_text.encode("utf-8"), secret=secret, fmt_text=(doc.text, new_text))

    def write_bytes(self, path: Path, data: bytes, *, mode: int | None = None) -> WriteResult:
        """Raw write used by restore (no parsing: the bytes are put back exactly)."""
        self._lock(path)
        old = _read_or_none(Path(path))
        res = self._put(path, old, data, secret=False)
        if mode is not None and not self.dry_run and res.action != "unchanged":
            with _os_errors(path, "set the mode of"):
                os.chmod(real_target(path), mode)
        return res

    def delete(self, path: Path) -> WriteResult:
        self._lock(path)
        old = _read_or_none(Path(path))
        if old is None:
            return self._record(WriteResult(Path(path), "unchanged"))
        if self.dry_run:
            return self._record(WriteResult(Path(path), "deleted"))
        with _os_errors(path, "remove"):
            bid = self._backup.add(real_target(path), old, _mode_of(path))
            os.unlink(real_target(path))
        return self._record(WriteResult(Path(path), "deleted", bid))

    def _put(
        self, path: Path, old: bytes | None, new: bytes, *, secret: bool, fmt_text: tuple[str, str] | None = None
    ) -> WriteResult:
        path = Path(path)
        old_text, new_text = fmt_text or (
            (old or b"").decode("utf-8", "replace"),
            new.decode("utf-8", "replace"),
        )
        diff = masked_diff(old_text, new_text, path)
        if old == new:
            res = WriteResult(path, "unchanged")
            mode = _mode_of(path)
            if secret and mode is not None and mode & 0o077:
                res.notes.append(f"{path} holds a secret and was mode {mode:o}; set it to 600")
                if not self.dry_run:
                    os.chmod(real_target(path), SECRET_MODE)
            return self._record(res)
        action: WriteAction = "created" if old is None else "updated"
        if self.dry_run:
            return self._record(WriteResult(path, action, None, diff))
        try:
            on_disk: bytes | None = path.read_bytes()
        except FileNotFoundError:
            on_disk = None
        if on_disk != old:
            raise ConcurrentChange(str(path))
        with _os_errors(path, "write"):
            bid = self._backup.add(real_target(path), old, _mode_of(path))
            atomic_write(path, new, secret=secret)
        return self._record(WriteResult(path, action, bid, diff))

    def _record(self, res: WriteResult) -> WriteResult:
        self.results.append(res)
        return res


@contextlib.contextmanager
def _os_errors(path: Path, doing: str) -> Iterator[None]:
    """A disk, permission or lock problem is one clear sentence (exit 2), not an internal error."""
    try:
        yield
    except OSError as e:
        where = f" ({e.filename})" if e.filename and str(e.filename) != str(path) else ""
        raise ConfiguratorError(
            f"Could not {doing} {path}: {e.strerror or e}{where}. The file was left as it was; "
            "fix the problem (disk space, permissions) and run the command again."
        ) from None


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ConfiguratorError(f"Could not read {path}: {e.strerror or e}; nothing was changed.") from None


def _mode_of(path: Path) -> int | None:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None


def restore_backup(backup_id: str, *, root: Path | None = None, dry_run: bool = False) -> tuple[Backup, list[WriteResult], str | None]:
    """Put back the files of backup ``backup_id``. The current files are backed up first."""
    backup = get_backup(backup_id, root)
    with Transaction(f"restore {backup_id}", dry_run=dry_run, backup_root=root) as tx:
        for entry in backup.entries:
            target = Path(entry.original)
            if entry.stored is None:
                tx.delete(target)
            else:
                data = (backup.folder / entry.stored).read_bytes()
                tx.write_bytes(target, data, mode=entry.mode)
        return backup, tx.results, tx.backup_id
