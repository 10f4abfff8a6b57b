"""Reading a user file: :class:`Document` and :func:`read_document` (what a lint needs, nothing more).

Only regular files are read: a path is looked at with ``os.stat`` first, so a FIFO is never opened (it would
block), a device (``/dev/zero``) is never read (it never ends), a loop of symbolic links or a file where a
folder should be is one clear sentence, and a file over :data:`MAX_FILE_SIZE` is refused before parsing.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from configurator.errors import ConfiguratorError, ParseError
from configurator.store.formats import detect_format, parse_text

#: config files larger than this are refused before they are parsed (the biggest real ones are a few MB)
MAX_FILE_SIZE = 20 * 1024 * 1024


@dataclass
class Document:
    path: Path
    fmt: str
    raw: bytes | None
    text: str
    data: Any

    @property
    def exists(self) -> bool:
        return self.raw is not None

    @property
    def mode(self) -> int | None:
        try:
            return stat.S_IMODE(os.stat(self.path).st_mode)
        except OSError:
            return None


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _blocking_parent(path: Path) -> str:
    """The first folder on ``path`` that exists but is not a folder (for ENOTDIR)."""
    for parent in reversed(path.parents):
        try:
            st = os.stat(parent)
        except OSError:
            return str(parent)
        if not stat.S_ISDIR(st.st_mode):
            return f"{parent} is {_kind(st.st_mode) if not stat.S_ISREG(st.st_mode) else 'a file'}, not a folder"
    return "a folder on the way is a file"


def path_error(path: Path, e: OSError, doing: str = "read") -> ConfiguratorError:
    """One sentence for an OSError met while looking at or opening ``path``."""
    if e.errno == errno.ELOOP:
        return ConfiguratorError(
            f"{path} is a symbolic link that points to itself or to a loop of links, so it cannot be {doing}; "
            "remove the link (or point it at a real file) and run the command again (nothing was written).")
    if e.errno == errno.ENOTDIR:
        return ConfiguratorError(
            f"{path} cannot be {doing}: {_blocking_parent(path)}. Check the path (and variables such as "
            "CLAUDE_CONFIG_DIR, CODEX_HOME or OPENCLAW_CONFIG_PATH) or move that file away (nothing was written).")
    if e.errno in (errno.EACCES, errno.EPERM):
        return ConfiguratorError(f"{path} cannot be {doing} (permission denied); check its owner and mode "
                                 "(nothing was written).")
    if e.errno == errno.ENAMETOOLONG:
        return ConfiguratorError(f"{path} cannot be {doing}: the path is too long (nothing was written).")
    return ConfiguratorError(f"Could not {'read' if doing == 'read' else 'write'} {path}: {e.strerror or e}; "
                             "nothing was written.")


def inspect(path: Path, doing: str = "read") -> os.stat_result | None:
    """``os.stat`` of ``path`` (links followed): None when there is no file, else a regular file's stat.
    Anything else (a folder, FIFO, device, link loop, a file as a parent folder) is a ConfiguratorError."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise path_error(Path(path), e, doing) from None
    if not stat.S_ISREG(st.st_mode):
        if stat.S_ISDIR(st.st_mode):
            raise ConfiguratorError(f"{path} is a folder, not a file; pass the config file itself "
                                    "(or move the folder away; nothing was written).")
        raise ConfiguratorError(
            f"{path} is {_kind(st.st_mode)}, not a regular file; configurator reads and writes only regular "
            "files. Replace it with a file (or remove it) and run the command again (nothing was written).")
    return st


def _too_big(path: Path, size: int) -> ConfiguratorError:
    return ConfiguratorError(
        f"{path} is {size / 1e6:.1f} MB; configurator does not read config files over "
        f"{MAX_FILE_SIZE // (1024 * 1024)} MB. Check that this is the right file (nothing was written).")


def read_bytes(path: Path) -> bytes | None:
    """The bytes of the regular file ``path`` (None when it does not exist), read without ever blocking."""
    st = inspect(path)
    if st is None:
        return None
    if st.st_size > MAX_FILE_SIZE:
        raise _too_big(path, st.st_size)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise path_error(Path(path), e) from None
    try:
        st2 = os.fstat(fd)
        if not stat.S_ISREG(st2.st_mode):  # swapped for something else since the stat: look again
            os.close(fd)
            fd = -1
            inspect(path)
            raise ConfiguratorError(f"{path} changed while it was being read; run the command again.")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > MAX_FILE_SIZE:
                raise _too_big(path, total)
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as e:
        raise path_error(Path(path), e) from None
    finally:
        if fd >= 0:
            os.close(fd)


def _decode(raw: bytes, path: Path, fmt: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        before = raw[: e.start]
        line = before.count(b"\n") + 1
        col = e.start - (before.rfind(b"\n") + 1) + 1
        raise ParseError(str(path), fmt, line, col, "the file is not valid UTF-8") from None


def read_document(path: Path, fmt: str | None = None) -> Document:
    """Read and parse ``path``. A missing file is an empty document; a bad one raises ParseError."""
    fmt = fmt or detect_format(path)
    raw = read_bytes(Path(path))
    if raw is None:
        return Document(Path(path), fmt, None, "", {})
    text = _decode(raw, Path(path), fmt)
    data = parse_text(text, fmt, path)
    if fmt in ("json", "json5") and not isinstance(data, dict):
        raise ParseError(str(path), fmt, 1, 1, "the top level must be an object ({ ... })")
    return Document(Path(path), fmt, raw, text, data)
