"""Streaming over a transcript: fixed-size blocks into one reused buffer, never the whole file.

A transcript is read in blocks of up to :data:`BLOCK` bytes into a buffer that each process keeps
for all the files it reads (no allocation, no page faults per file). A block is cut after its last
newline; the tail moves to the front of the buffer and the next read continues after it. The parsers
search a block with ``find`` for a marker that every interesting line contains (``"usage":{`` for
Claude Code, ``"token_count"`` for Codex, ...) and only then cut out that one line and hand it to
``orjson``. Tool results, file contents and prompts — most of the bytes of a history — are never
parsed. A single line longer than a block grows the buffer for that file only.
"""

from __future__ import annotations

from collections.abc import Iterator

BLOCK = 1 << 22  # 4 MiB

_buffer: bytearray | None = None


def blocks(path: str) -> Iterator[tuple[bytearray, int]]:
    """Yield ``(buffer, end)``: the lines of ``buffer[:end]`` are complete (``end`` is a newline or EOF).

    The buffer is reused: the consumer must be done with it before asking for the next block.
    """
    global _buffer
    buf = _buffer if _buffer is not None else bytearray(BLOCK)
    _buffer = buf
    with open(path, "rb", buffering=0) as fh:
        readinto = fh.readinto
        view = memoryview(buf)
        filled = 0
        try:
            while True:
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
