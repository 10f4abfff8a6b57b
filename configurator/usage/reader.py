"""Streaming over a transcript: fixed-size blocks into one reused buffer, never the whole file.

A transcript is read in blocks of up to :data:`BLOCK` bytes into a buffer that each process keeps
for all the files it reads (no allocation, no page faults per file). A block is cut after its last
newline; the tail moves to the front of the buffer and the next read continues after it. The parsers
search a block with ``find`` for a marker that every interesting line contains (``"usage":{`` for
Claude Code, ``"token_count"`` for Codex, ...) and only then cut out that one line and hand it to
``msgspec``. Tool results, file contents and prompts — most of the bytes of a history — are never
parsed. A single line longer than a block grows the buffer for that file only.
"""

from __future__ import annotations

from collections.abc import Iterator

BLOCK = 1 << 22  # 4 MiB

_buffer: bytearray | None = None


def blocks(path: str, start: int = 0, end: int | None = None) -> Iterator[tuple[bytearray, int]]:
    """Yield ``(buffer, end)``: the lines of ``buffer[:end]`` are complete (``end`` is a newline or EOF).

    ``start``/``end`` read a byte range of the file (both on line boundaries: see :func:`line_cuts`).
    The buffer is reused: the consumer must be done with it before asking for the next block.
    """
    global _buffer
    buf = _buffer if _buffer is not None else bytearray(BLOCK)
    _buffer = buf
    with open(path, "rb", buffering=0) as fh:
        if start:
            fh.seek(start)
        left = -1 if end is None else end - start
        readinto = fh.readinto
        view = memoryview(buf)
        filled = 0
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
                    if filled:
                        yield buf, filled
                    return
                filled += n
                end = buf.rfind(b"\n", 0, filled)
                if end < 0:
                    if filled == len(buf):  # one line longer than the buffer: grow it for this file
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


def line_cuts(path: str, size: int, parts: int) -> list[int]:
    """Offsets that split a file into ``parts`` ranges of about equal size, each starting a line."""
    cuts = [0]
    with open(path, "rb") as fh:
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
