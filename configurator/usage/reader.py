"""Streaming over a transcript: fixed-size blocks into one reused buffer, never the whole file.

A transcript is read in blocks of up to :data:`BLOCK` bytes into a buffer that each process keeps
for all the files it reads (no allocation, no page faults per file). A block is cut after its last
newline; the tail moves to the front of the buffer and the next read continues after it. The parsers
search a block with ``find`` for a marker that every interesting line contains (``"usage":{`` for
Claude Code, ``"token_count"`` for Codex, ...) and only then cut out that one line and hand it to
``msgspec``. Tool results, file contents and prompts — most of the bytes of a history — are never
parsed. A single line longer than a block grows the buffer for that file only, up to
:data:`MAX_LINE`; a longer line is skipped to its end and reported (the consumer counts it).

Only regular files are read: :func:`open_regular` opens without blocking and checks ``fstat``
before reading a byte, so a FIFO (which would block forever), a device (``/dev/zero`` never ends)
or a socket put where a log is expected raises :class:`NotRegularFile` (an ``OSError``: the scan
counts the file as not read).
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

BLOCK = 1 << 22  # 4 MiB
#: the longest line read; a longer one (no agent writes one) is skipped and counted
MAX_LINE = 64 << 20
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def _readv1(fd: int, into: memoryview) -> int:
    return os.readv(fd, (into,))


#: reads straight into the buffer without a file object (POSIX); elsewhere through io.FileIO
_readv: Callable[[int, memoryview], int] | None = _readv1 if hasattr(os, "readv") else None

_buffer: bytearray | None = None


class NotRegularFile(OSError):
    """A path that is not a regular file (a FIFO, device, socket or directory): never read."""


def _open_fd(path: str) -> int:
    """A descriptor of ``path`` for reading, only if it is a regular file (raises :class:`NotRegularFile`).

    Opened with ``O_NONBLOCK`` so that opening a FIFO returns at once instead of waiting for a
    writer; the check is on the open descriptor (``fstat``), so the file cannot be swapped after it.
    O_NONBLOCK then stays: it changes nothing for a regular file (reads never wait).
    """
    fd = os.open(path, _FLAGS | _NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(f"not a regular file: {path}")
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_regular(path: str, buffering: int = -1) -> io.FileIO | io.BufferedReader:
    """``path`` opened for binary reading, only if it is a regular file (see :func:`_open_fd`)."""
    fd = _open_fd(path)
    try:
        raw = io.FileIO(fd, "rb", closefd=True)
    except BaseException:
        os.close(fd)
        raise
    return raw if buffering == 0 else io.BufferedReader(raw, 1 << 16)


def check_regular(path: str) -> None:
    """Raise :class:`NotRegularFile` unless ``path`` and its SQLite side files (``-wal``, ``-shm``,
    ``-journal``, when present) are regular files: for a database that SQLite opens itself."""
    for name in (path, f"{path}-wal", f"{path}-shm", f"{path}-journal"):
        try:
            mode = os.stat(name).st_mode
        except FileNotFoundError:
            if name == path:
                raise
            continue
        if not stat.S_ISREG(mode):
            raise NotRegularFile(f"not a regular file: {name}")


def capped_lines(stream: Any) -> Iterator[bytes | None]:
    """The lines of a binary stream; ``None`` for a line longer than :data:`MAX_LINE` (read past, not kept)."""
    readline = stream.readline
    while True:
        line = readline(MAX_LINE)
        if not line:
            return
        if len(line) >= MAX_LINE and not line.endswith(b"\n"):
            while True:
                more = readline(1 << 20)
                if not more or more.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


def blocks(path: str, start: int = 0, end: int | None = None) -> Iterator[tuple[bytearray, int]]:
    """Yield ``(buffer, end)``: the lines of ``buffer[:end]`` are complete (``end`` is a newline or EOF).

    ``start``/``end`` read a byte range of the file (both on line boundaries: see :func:`line_cuts`).
    The buffer is reused: the consumer must be done with it before asking for the next block.
    ``end == -1`` reports one line longer than :data:`MAX_LINE`, skipped (the consumer counts it).
    """
    global _buffer
    buf = _buffer if _buffer is not None else bytearray(BLOCK)
    _buffer = buf
    fd = _open_fd(path)
    try:
        if start:
            os.lseek(fd, start, os.SEEK_SET)
        left = -1 if end is None else end - start
        readinto = partial(_readv, fd) if _readv is not None else io.FileIO(fd, "rb", closefd=False).readinto
        view = memoryview(buf)
        filled = 0
        skipping = False  # inside a line longer than MAX_LINE: drop bytes up to its newline
        try:
            while True:
                if left == 0:
                    n = 0
                elif left > 0:
                    n = readinto(view[filled:filled + left] if filled + left < len(buf) else view[filled:])
                    left -= n
                else:
                    n = readinto(view[filled:])
                if not n:
                    if filled and not skipping:
                        yield buf, filled
                    return
                if skipping:
                    nl = buf.find(b"\n", 0, n)
                    if nl < 0:
                        continue  # filled stays 0: the next read overwrites these bytes
                    skipping = False
                    rest = n - nl - 1
                    if rest:
                        buf[:rest] = view[nl + 1:n]
                    n = rest
                    if not n:
                        continue
                filled += n
                end = buf.rfind(b"\n", 0, filled)
                if end < 0:
                    if filled == len(buf):
                        if len(buf) >= MAX_LINE:  # a line longer than any agent writes: skip it
                            yield buf, -1
                            filled = 0
                            skipping = True
                            continue
                        # one line longer than the buffer: grow it for this file
                        view.release()
                        buf.extend(bytes(len(buf)))
                        view = memoryview(buf)
                    continue
                yield buf, end
                rest = filled - end - 1
                if rest:
                    buf[:rest] = view[end + 1:filled]
                filled = rest
        finally:
            view.release()
            if len(buf) > BLOCK:
                _buffer = bytearray(BLOCK)
    finally:
        os.close(fd)


def line_cuts(path: str, size: int, parts: int) -> list[int]:
    """Offsets that split a file into ``parts`` ranges of about equal size, each starting a line."""
    cuts = [0]
    with open_regular(path) as fh:
        for i in range(1, parts):
            at = size * i // parts
            if at <= cuts[-1]:
                continue
            fh.seek(at - 1)
            pos = at - 1
            while True:
                chunk = fh.read(1 << 16)
                if not chunk:
                    pos = size
                    break
                nl = chunk.find(b"\n")
                if nl >= 0:
                    pos += nl + 1
                    break
                pos += len(chunk)
            if pos >= size:
                break
            if pos > cuts[-1]:
                cuts.append(pos)
    cuts.append(size)
    return cuts
