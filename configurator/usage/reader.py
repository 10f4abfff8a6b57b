"""Streaming over a transcript: fixed-size blocks, never the whole file.

A transcript is read in blocks of :data:`BLOCK` bytes. Each block is cut after its last newline;
the tail is carried into the next block. The parsers search a block with ``bytes.find`` for a
marker that every interesting line contains (``"usage":{`` for Claude Code, ``"token_count"`` for
Codex, ...) and only then cut out that one line and hand it to ``orjson``. Tool results, file
contents and prompts — most of the bytes of a history — are never parsed.
"""

from __future__ import annotations

from collections.abc import Iterator

BLOCK = 1 << 22  # 4 MiB


def blocks(path: str) -> Iterator[tuple[bytes | bytearray, int]]:
    """Yield ``(buffer, end)``: the lines of ``buffer[:end]`` are complete (``end`` is a newline or the end)."""
    with open(path, "rb", buffering=0) as fh:
        read = fh.read
        carry: bytes | bytearray = b""
        while True:
            chunk = read(BLOCK)
            if not chunk:
                if carry:
                    yield carry, len(carry)
                return
            if carry:
                if type(carry) is bytearray:
                    carry += chunk
                    buf: bytes | bytearray = carry
                else:
                    buf = carry + chunk
            else:
                buf = chunk
            end = buf.rfind(b"\n")
            if end < 0:
                # one line longer than a block: grow it in place instead of copying it again and again
                carry = buf if type(buf) is bytearray else bytearray(buf)
                continue
            yield buf, end
            carry = buf[end + 1:]
