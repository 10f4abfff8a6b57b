"""Atomic, symlink-preserving, mode-preserving writes, private folders, stale temp files, and an advisory lock.

A write is two steps so that a change of several files can be all-or-nothing: :func:`stage` writes the new
bytes to a temp file next to the target (same folder, fsynced, final mode set), :func:`replace` renames it over
the target. :func:`atomic_write` does both for one file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from configurator.errors import ConfiguratorError

#: Tests set this to a callable that raises at a given step to prove crash consistency.
#: Steps: "temp-written", "before-fsync", "after-fsync", "before-replace".
FAULT_HOOK: Callable[[str], None] | None = None

SECRET_MODE = 0o600
#: folders we create (config folders, our state and backups): owner only, whatever the umask
PRIVATE_DIR_MODE = 0o700
#: seconds to wait for another configurator run that is changing the same file
LOCK_TIMEOUT = 15.0
#: the suffix of our temp files; a temp file of ours older than this many seconds is left from a killed run
TEMP_SUFFIX = ".configurator-tmp"
STALE_SECONDS = 60.0
#: ".<name>.<8 random characters from mkstemp>.configurator-tmp"
_TEMP_NAME = re.compile(r"\A\..+\.[A-Za-z0-9_]{8}" + re.escape(TEMP_SUFFIX) + r"\Z", re.S)


def _fault(step: str) -> None:
    if FAULT_HOOK is not None:
        FAULT_HOOK(step)


def real_target(path: Path) -> Path:
    """The file a write must replace: symlinks are followed so the link itself stays a link."""
    return Path(os.path.realpath(path))


def default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def new_file_mode(parent: Path, *, secret: bool) -> int:
    """The mode of a file we create: 0600, or 0644 (less if the umask says so) for a file without a secret in a
    folder that is ours and that nobody else may write to. A umask of 000 never makes a world-writable file."""
    if secret:
        return SECRET_MODE
    try:
        st = os.stat(parent)
    except OSError:
        return SECRET_MODE
    if st.st_uid != os.geteuid() or st.st_mode & 0o022:
        return SECRET_MODE
    return 0o644 & default_mode() | 0o600


def make_private_dirs(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents, each 0700 whatever the umask. Returns the folders created,
    outermost first (so a change that is given up can remove them again)."""
    missing: list[Path] = []
    p = Path(folder)
    while not p.is_dir():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    made: list[Path] = []
    for d in reversed(missing):
        try:
            os.mkdir(d, PRIVATE_DIR_MODE)
        except FileExistsError:
            if not d.is_dir():
                raise
            continue
        os.chmod(d, PRIVATE_DIR_MODE)  # the umask may have taken bits away; it never adds any
        made.append(d)
    return made


def stage(target: Path, data: bytes, mode: int, owner: tuple[int, int] | None = None) -> Path:
    """Write ``data`` to a new temp file in ``target``'s folder (mode ``mode``, fsynced); return its path.
    On any failure nothing is left behind."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            if owner is not None and hasattr(os, "fchown"):
                with contextlib.suppress(OSError):
                    os.fchown(fh.fileno(), *owner)
            fh.write(data)
            fh.flush()
            _fault("temp-written")
            _fault("before-fsync")
            os.fsync(fh.fileno())
            _fault("after-fsync")
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Path(tmp)


def replace(tmp: Path, target: Path) -> None:
    """Rename the staged ``tmp`` over ``target`` and make the rename durable."""
    _fault("before-replace")
    os.replace(tmp, target)
    fsync_dir(target.parent)


def discard(tmp: Path | None) -> None:
    if tmp is not None:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def atomic_write(path: Path, data: bytes, *, secret: bool = False) -> Path:
    """Replace ``path`` with ``data`` atomically. Returns the real file written.

    Same-directory temp file, flush + fsync, ``os.replace``, then fsync of the directory. The old
    file's mode (and owner, where we may) is kept; a secret file ends up 0600; a new file is 0600 or 0644
    (:func:`new_file_mode`) in folders created 0700. On any failure the old file is untouched and the temp
    file is removed.
    """
    target = real_target(path)
    make_private_dirs(target.parent)
    try:
        st = os.stat(target)
        mode = stat.S_IMODE(st.st_mode)
        owner: tuple[int, int] | None = (st.st_uid, st.st_gid)
    except FileNotFoundError:
        mode = new_file_mode(target.parent, secret=secret)
        owner = None
    if secret:
        mode = SECRET_MODE
    tmp = stage(target, data, mode, owner)
    try:
        replace(tmp, target)
    except BaseException:
        discard(tmp)
        raise
    return target


def fsync_dir(directory: Path) -> None:
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


# --- temp files left by a killed run ---------------------------------------------------------------------------

def stale_temp_files(folders: Iterable[Path], *, older_than: float | None = None) -> list[Path]:
    """Our temp files (``.<name>.XXXXXXXX.configurator-tmp``, regular files owned by us) in ``folders`` whose
    last change is more than ``older_than`` seconds ago: left by a run that was killed while writing. They may
    hold an API key."""
    now = time.time()
    older_than = STALE_SECONDS if older_than is None else older_than
    found: list[Path] = []
    seen: set[Path] = set()
    for folder in folders:
        folder = Path(folder)
        if folder in seen:
            continue
        seen.add(folder)
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if not name.endswith(TEMP_SUFFIX) or not _TEMP_NAME.match(name):
                continue
            p = folder / name
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid() and now - st.st_mtime > older_than:
                found.append(p)
    return sorted(found)


def remove_stale_temp_files(folders: Iterable[Path]) -> list[Path]:
    """Remove what :func:`stale_temp_files` finds; returns the files removed."""
    removed = []
    for p in stale_temp_files(folders):
        with contextlib.suppress(OSError):
            os.unlink(p)
            removed.append(p)
    return removed


@contextlib.contextmanager
def file_lock(path: Path, lock_dir: Path) -> Iterator[None]:
    """Advisory exclusive lock for a read-modify-write of ``path`` (POSIX ``flock``).

    The lock file lives in our own state folder, named by a hash of the real path, so no stray
    files appear next to the user's configs.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock
        yield
        return
    make_private_dirs(lock_dir)
    digest = hashlib.sha256(str(real_target(path)).encode()).hexdigest()[:24]
    fd = os.open(lock_dir / f"{digest}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ConfiguratorError(
                        f"Another configurator run is changing {path} and has not finished after "
                        f"{LOCK_TIMEOUT:g}s; nothing was written. Let it finish, then run this again."
                    ) from None
                time.sleep(0.01)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
