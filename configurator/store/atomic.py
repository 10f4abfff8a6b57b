"""Atomic, symlink-preserving, mode-preserving writes and an advisory lock."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from configurator.errors import ConfiguratorError

#: Tests set this to a callable that raises at a given step to prove crash consistency.
#: Steps: "temp-written", "before-fsync", "after-fsync", "before-replace".
FAULT_HOOK: Callable[[str], None] | None = None

SECRET_MODE = 0o600
#: seconds to wait for another configurator run that is changing the same file
LOCK_TIMEOUT = 15.0


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


def atomic_write(path: Path, data: bytes, *, secret: bool = False) -> Path:
    """Replace ``path`` with ``data`` atomically. Returns the real file written.

    Same-directory temp file, flush + fsync, ``os.replace``, then fsync of the directory. The old
    file's mode (and owner, where we may) is kept; a secret file ends up 0600. On any failure the
    old file is untouched and the temp file is removed.
    """
    target = real_target(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        st = os.stat(target)
        mode = stat.S_IMODE(st.st_mode)
        owner: tuple[int, int] | None = (st.st_uid, st.st_gid)
    except FileNotFoundError:
        mode = default_mode()
        owner = None
    if secret:
        mode = SECRET_MODE
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".configurator-tmp")
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
        _fault("before-replace")
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)
    return target


def _fsync_dir(directory: Path) -> None:
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
    lock_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = hashlib.sha256(str(real_target(path)).encode()).hexdigest()[:24]
    fd = os.open(lock_dir / f"{digest}.lock", os.O_RDWR | os.O_CREAT, 0o600)
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
