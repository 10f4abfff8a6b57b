"""Writing user files: :class:`Transaction` (lock, verify by re-parse, backup, all-or-nothing atomic write) and
restore.

A transaction changes its files together or not at all. Each ``write``/``delete`` checks its target (a regular
file or nothing, not read-only, writable), backs up the old bytes and stages the new ones in a temp file next to
the target; nothing the user sees changes until the ``with`` block ends without an error. Then the backup's
manifest is written and the temp files are renamed over their targets one by one; if a rename fails, the files
already replaced are put back and the error says so (with the backup id). An error inside the block, or a dry
run, removes the temp files and the unused backup: no file was changed.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from configurator import paths
from configurator.errors import ConcurrentChange, ConfiguratorError, ParseError
from configurator.secrets import redact
from configurator.store import atomic
from configurator.store.atomic import SECRET_MODE, file_lock, real_target
from configurator.store.backup import Backup, BackupWriter, get_backup
from configurator.store.documents import Document, _decode, inspect, path_error, read_bytes
from configurator.store.formats import mark_shallow, parse_text, same_data
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
    """A unified diff (3 lines of context), secrets masked. The lines both texts share at the start and at the end
    are left out before difflib compares them, so a small change in a 1.5 MB file costs little."""
    if old == new:
        return ""
    a, b = lines_lf(old), lines_lf(new)
    head = _common(a, b)
    tail = _common(a[head:][::-1], b[head:][::-1])
    skip = max(0, head - 3)
    keep = max(0, tail - 3)
    lines = difflib.unified_diff(
        a[skip:len(a) - keep], b[skip:len(b) - keep], fromfile=f"{path} (now)", tofile=f"{path} (new)"
    )
    out = "".join(_shift(ln, skip) if ln.startswith("@@") else ln if ln.endswith("\n") else ln + "\n"
                  for ln in lines)
    return redact(out)


def _common(a: list[str], b: list[str]) -> int:
    """How many lines ``a`` and ``b`` share at their start (chunks compared at C speed, then the differing chunk
    line by line: each line is compared at most twice)."""
    n = min(len(a), len(b))
    i = 0
    while i < n:
        j = min(n, i + 4096)
        if a[i:j] != b[i:j]:
            while a[i] == b[i]:
                i += 1
            return i
        i = j
    return n


_HUNK = re.compile(r"@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


def _shift(header: str, by: int) -> str:
    """A hunk header of a diff of lines ``by``.. moved back to the whole file's line numbers."""
    m = _HUNK.match(header)
    if m is None or not by:
        return header
    return (f"@@ -{int(m.group(1)) + by}{m.group(2) or ''} +{int(m.group(3)) + by}{m.group(4) or ''} @@"
            + header[m.end():])


@dataclass
class _Step:
    """One file's pending change: replace it with ``tmp``, delete it, or only change its mode."""

    path: Path  # as the caller named it
    target: Path  # the real file (links followed)
    old: bytes | None  # the bytes on disk when the change was prepared (None: no file)
    old_mode: int | None
    new: bytes | None  # None: delete (or a mode change only, see ``chmod``)
    tmp: Path | None = None
    chmod: int | None = None
    made_dirs: list[Path] = field(default_factory=list)
    done: bool = False


def read_only_message(path: Path, mode: int) -> str:
    return (f"{path} is read-only (mode {mode:03o}), so configurator left it as it was and changed no file. Make "
            f"it writable (chmod u+w {path}) and run the command again, or pass --force to change it and keep it "
            "read-only.")


class Transaction:
    """Read-modify-write of one or more user files, all or nothing, with locks, verification and one backup.

    ``dry_run`` computes results and diffs but writes nothing (no backup either). ``force`` changes files that
    are read-only (no write bit for their owner) and keeps them read-only; without it such a file is refused.
    """

    def __init__(self, command: str, *, dry_run: bool = False, backup_root: Path | None = None,
                 force: bool = False, scratch: bool = False) -> None:
        self.command = command
        #: a scratch run only learns what would be written (data_before/data_after): no check, no diff (a dry run)
        self.scratch = scratch
        self.dry_run = dry_run or scratch
        self.force = force
        self._stack = contextlib.ExitStack()
        self._locked: set[Path] = set()
        self._cleaned: set[Path] = set()
        self._backup = BackupWriter(command, backup_root)
        self._steps: dict[Path, _Step] = {}
        self.results: list[WriteResult] = []
        #: target -> (text, data) that :meth:`open` returns instead of the file's (see :meth:`overlay`)
        self._overlays: dict[Path, tuple[str, Any]] = {}
        #: target -> the data as first opened (after an overlay: the overlay's) and as last written
        self._before: dict[Path, Any] = {}
        #: target -> the document as read from disk (read once per transaction: its data is shared, never changed)
        self._opened: dict[Path, Document] = {}
        self._after: dict[Path, Any] = {}

    def __enter__(self) -> Transaction:
        self._stack.__enter__()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if exc_type is None and not self.dry_run:
                self._commit()
            else:
                self._abandon()
        finally:
            self._stack.__exit__(None, None, None)

    @property
    def backup_id(self) -> str | None:
        return self._backup.id

    # --- preparing ------------------------------------------------------------------------------------------

    def _lock(self, path: Path) -> None:
        if self.dry_run:
            return  # a dry run writes nothing, not even a lock file
        target = _target(path)
        if target not in self._locked:
            with _os_errors(path, "lock"):
                self._stack.enter_context(file_lock(target, paths.state_dir() / "locks"))
            self._locked.add(target)
        if target.parent not in self._cleaned:  # temp files a killed run left here (they may hold a key)
            self._cleaned.add(target.parent)
            atomic.remove_stale_temp_files([target.parent])

    def open(self, path: Path, fmt: str | None = None) -> Document:
        """Lock ``path`` for this transaction and read it (as this transaction will leave it)."""
        from configurator.store.documents import read_document
        from configurator.store.formats import detect_format

        self._lock(Path(path))
        target = _target(path)
        step = self._steps.get(target)
        if step is None:
            cached = self._opened.get(target)
            if cached is None or cached.path != Path(path) or (fmt is not None and cached.fmt != fmt):
                cached = self._opened[target] = read_document(Path(path), fmt)
            doc = cached
            if target in self._overlays:
                text, data = self._overlays[target]
                doc = Document(doc.path, doc.fmt, doc.raw, text, data)
            self._before.setdefault(target, doc.data)
            return doc
        fmt = fmt or detect_format(path)  # written earlier in this transaction: read what we will write
        if step.new is None:
            return Document(Path(path), fmt, None, "", {})
        text = _decode(step.new, Path(path), fmt)
        return Document(Path(path), fmt, step.new, text, parse_text(text, fmt, path))

    def overlay(self, doc: Document, text: str, data: Any) -> None:
        """From now on :meth:`open` returns ``text`` (which parses to ``data``) for ``doc.path`` instead of the
        file's own text, until something is written there; a :meth:`write` still diffs against (and backs up) the
        file on disk. ``use`` puts back the values a profile had set this way, then applies the next profile."""
        target = _target(doc.path)
        self._overlays[target] = (text, data)
        self._before[target] = data

    def data_before(self, path: Path) -> Any:
        """The data of ``path`` as this transaction first opened it (or as overlaid), None when never opened."""
        return self._before.get(_target(path))

    def data_after(self, path: Path) -> Any:
        """The data last written to ``path`` in this transaction (a dry run too), else :meth:`data_before`."""
        target = _target(path)
        return self._after[target] if target in self._after else self._before.get(target)

    def write(self, doc: Document, new_text: str, *, expected: Any, secret: bool = False) -> WriteResult:
        """Write ``new_text`` to ``doc.path`` after proving it parses to ``expected``."""
        if self.scratch:
            target = _target(doc.path)
            self._before.setdefault(target, doc.data)
            self._after[target] = expected
            return self._record(WriteResult(doc.path, "updated" if doc.exists else "created"))
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
        if doc.fmt == "json":
            mark_shallow(new_text)  # it holds exactly the data we meant: no need to measure it again
        target = _target(doc.path)
        old_text = doc.text
        if target in self._overlays and target not in self._steps:  # diff against the file, not the overlay
            old_text = _decode(doc.raw, doc.path, doc.fmt) if doc.raw is not None else ""
        self._before.setdefault(target, doc.data)
        self._after[target] = expected
        return self._put(doc.path, doc.raw, new_text.encode("utf-8"), secret=secret, fmt_text=(old_text, new_text))

    def write_bytes(self, path: Path, data: bytes, *, mode: int | None = None) -> WriteResult:
        """Raw write used by restore (no parsing: the bytes are put back exactly, with ``mode`` if given)."""
        self._lock(path)
        old = self._current(Path(path))
        return self._put(path, old, data, secret=False, mode=mode)

    def delete(self, path: Path) -> WriteResult:
        path = Path(path)
        self._lock(path)
        old = self._current(path)
        if old is None:
            return self._record(WriteResult(path, "unchanged"))
        st = inspect(path, "removed")
        self._check_writable(path, st)
        self._after[_target(path)] = None
        if self.dry_run:
            return self._record(WriteResult(path, "deleted"))
        step = self._step(path, old, st)
        step.new, step.chmod = None, None
        atomic.discard(step.tmp)
        step.tmp = None
        return self._record(WriteResult(path, "deleted", self._backup.id))

    def _current(self, path: Path) -> bytes | None:
        step = self._steps.get(_target(path))
        return step.new if step is not None else read_bytes(path)

    def _check_writable(self, path: Path, st: os.stat_result | None) -> None:
        if st is not None and not st.st_mode & stat.S_IWUSR and not self.force:
            raise ConfiguratorError(read_only_message(path, stat.S_IMODE(st.st_mode)))

    def _step(self, path: Path, old: bytes | None, st: os.stat_result | None) -> _Step:
        """The pending change of ``path`` (made, with its backup, on first use)."""
        target = _target(path)
        step = self._steps.get(target)
        if step is not None:
            return step
        on_disk = read_bytes(path)
        if on_disk != old:
            raise ConcurrentChange(str(path))
        if st is not None:
            _probe_writable(path, target)
        with _os_errors(path, "write"):
            self._backup.add(target, old, stat.S_IMODE(st.st_mode) if st is not None else None)
        step = _Step(path, target, old, stat.S_IMODE(st.st_mode) if st is not None else None, old)
        self._steps[target] = step
        return step

    def _put(
        self, path: Path, old: bytes | None, new: bytes, *, secret: bool, fmt_text: tuple[str, str] | None = None,
        mode: int | None = None,
    ) -> WriteResult:
        path = Path(path)
        st = inspect(path, "written")
        old_text, new_text = fmt_text or (
            (old or b"").decode("utf-8", "replace"),
            new.decode("utf-8", "replace"),
        )
        diff = masked_diff(old_text, new_text, path)
        cur_mode = stat.S_IMODE(st.st_mode) if st is not None else None
        if old == new:
            res = WriteResult(path, "unchanged")
            want = None
            if secret and cur_mode is not None and cur_mode & 0o077:
                want = SECRET_MODE if cur_mode & stat.S_IWUSR else 0o400
                res.notes.append(f"{path} holds a secret and was mode {cur_mode:o}; set it to {want:o}")
            elif mode is not None and cur_mode is not None and cur_mode != mode:
                want = mode
            if want is not None and not self.dry_run:
                step = self._step(path, old, st)
                step.chmod = want
                res.backup = self._backup.id
            return self._record(res)
        self._check_writable(path, st)
        action: WriteAction = "created" if old is None else "updated"
        prior = self._steps.get(_target(path))
        if prior is not None and prior.old is None:
            action = "created"
        if self.dry_run:
            return self._record(WriteResult(path, action, None, diff))
        step = self._step(path, old, st)
        if mode is None:
            if cur_mode is not None:
                mode = cur_mode
                if secret:
                    mode = SECRET_MODE if cur_mode & stat.S_IWUSR else 0o400
            else:
                mode = None  # decided once the folder exists
        target = step.target
        with _os_errors(path, "write"):
            if not target.parent.is_dir():
                step.made_dirs += atomic.make_private_dirs(target.parent)
            if mode is None:
                mode = atomic.new_file_mode(target.parent, secret=secret)
            owner = (st.st_uid, st.st_gid) if st is not None else None
            tmp = atomic.stage(target, new, mode, owner)
        atomic.discard(step.tmp)
        step.tmp, step.new, step.chmod = tmp, new, None
        return self._record(WriteResult(path, action, self._backup.id, diff))

    def _record(self, res: WriteResult) -> WriteResult:
        self.results.append(res)
        return res

    # --- committing -----------------------------------------------------------------------------------------

    def _abandon(self) -> None:
        """Nothing is replaced: remove the temp files, the folders made for them and the unused backup."""
        for step in self._steps.values():
            atomic.discard(step.tmp)
            for d in reversed(step.made_dirs):
                with contextlib.suppress(OSError):
                    os.rmdir(d)
        self._steps.clear()
        if not self._backup.finished:
            self._backup.discard()

    def _commit(self) -> None:
        steps = [s for s in self._steps.values() if s.tmp is not None or s.new is None or s.chmod is not None]
        if not steps:
            self._abandon()
            return
        try:
            for s in steps:  # the files must still be what we read (another program may have written them)
                if read_bytes(s.path) != s.old:
                    raise ConcurrentChange(str(s.path))
            with _os_errors(steps[0].path, "write the backup for"):
                self._backup.finish()
        except BaseException:
            self._abandon()
            raise
        failed: _Step | None = None
        try:
            for failed in steps:
                if failed.tmp is not None:
                    atomic.replace(failed.tmp, failed.target)
                    failed.tmp = None
                elif failed.new is None and failed.chmod is None:
                    os.unlink(failed.target)
                    atomic.fsync_dir(failed.target.parent)
                if failed.chmod is not None:
                    os.chmod(failed.target, failed.chmod)
                failed.done = True
        except BaseException as e:
            assert failed is not None
            self._roll_back(steps, failed, e)
        self._steps.clear()

    def _roll_back(self, steps: list[_Step], failed: _Step, error: BaseException) -> None:
        """``failed`` could not be replaced: put back every file already replaced, then raise one sentence."""
        not_restored: list[Path] = []
        restored: list[Path] = []
        for s in steps:
            atomic.discard(s.tmp)
            s.tmp = None
        for s in reversed([s for s in steps if s.done]):
            try:
                if s.old is None:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(s.target)
                else:
                    tmp = atomic.stage(s.target, s.old, s.old_mode if s.old_mode is not None else SECRET_MODE)
                    try:
                        os.replace(tmp, s.target)
                    except BaseException:
                        atomic.discard(tmp)
                        raise
                    if s.old_mode is not None:
                        os.chmod(s.target, s.old_mode)
                    atomic.fsync_dir(s.target.parent)
                restored.append(s.path)
            except BaseException:  # noqa: BLE001 - keep putting back the others; the message names this one
                not_restored.append(s.path)
        for s in steps:  # the folders made for files that are not there now (deepest first; only when empty)
            if s.old is None and (s.done is False or s.path in restored):
                for d in reversed(s.made_dirs):
                    with contextlib.suppress(OSError):
                        os.rmdir(d)
        bid = self._backup.id
        if not isinstance(error, OSError):
            raise error
        why = error.strerror or str(error)
        if failed.tmp is None and failed.new is not None and not failed.done:
            why = path_error(failed.path, error, "written").args[0] if error.errno in (
                errno.ELOOP, errno.ENOTDIR) else why
        if not_restored:
            raise ConfiguratorError(
                f"Could not write {failed.path}: {why}. {_names(not_restored)} were changed and could not be put "
                f"back; {_names(restored) + ' were put back; ' if restored else ''}the files that were not "
                f"changed were left as they were. Undo the rest with `configurator restore {bid}`.")
        done = f" The files already replaced ({_names(restored)}) were put back as they were" if restored else ""
        raise ConfiguratorError(
            f"Could not write {failed.path}: {why}.{done}{';' if done else ''} no file was changed (their previous "
            f"contents are also in backup {bid}); fix the problem (permissions, disk space) and run the command "
            "again.") from None


def _names(files: list[Path]) -> str:
    return ", ".join(str(f) for f in files)


def _target(path: Path) -> Path:
    """The real file behind ``path`` (a link loop is one sentence here, not a bare OSError)."""
    try:
        os.stat(path)
    except FileNotFoundError:
        pass
    except OSError as e:
        raise path_error(Path(path), e, "written") from None
    return real_target(Path(path))


def _probe_writable(path: Path, target: Path) -> None:
    """Open the existing target for writing (no byte is written) so an immutable or otherwise unwritable file
    is found before any file of the change is replaced."""
    flags = os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    with _os_errors(path, "write"):
        os.close(os.open(target, flags))


@contextlib.contextmanager
def _os_errors(path: Path, doing: str) -> Iterator[None]:
    """A disk, permission or lock problem is one clear sentence (exit 2), not an internal error."""
    try:
        yield
    except OSError as e:
        where = f" ({e.filename})" if e.filename and str(e.filename) not in (str(path), str(real_target(path))) \
            else ""
        raise ConfiguratorError(
            f"Could not {doing} {path}: {e.strerror or e}{where}. No file was changed; "
            "fix the problem (disk space, permissions) and run the command again."
        ) from None


def restore_backup(backup_id: str, *, root: Path | None = None, dry_run: bool = False,
                   force: bool = False) -> tuple[Backup, list[WriteResult], str | None]:
    """Put back the files of backup ``backup_id``, all or nothing. The current files are backed up first.

    Every stored file is checked against the manifest's sha256 before anything is written; a damaged backup
    changes nothing."""
    backup = get_backup(backup_id, root)
    contents = [(Path(e.original), backup.stored_bytes(e), e.mode) for e in backup.entries]
    with Transaction(f"restore {backup_id}", dry_run=dry_run, backup_root=root, force=force) as tx:
        for target, data, mode in contents:
            if data is None:
                tx.delete(target)
            else:
                tx.write_bytes(target, data, mode=mode & 0o777 if mode is not None else None)
        return backup, tx.results, tx.backup_id
