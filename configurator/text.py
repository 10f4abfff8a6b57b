"""Text positions and line endings: the one place that turns an offset into a line and column.

- :class:`LineIndex`: offset <-> 1-based (line, column), by ``bisect`` over the line starts.
  Lines end at ``\\n`` only (``str.splitlines`` also breaks at U+2028, ``\\x85`` ... that JSON and
  TOML strings may hold), so a CRLF file's ``\\r`` is the last character of its line.
- :func:`uses_crlf` / :func:`match_line_endings`: a file written with CRLF keeps CRLF on the lines
  we add (no mixed line endings).
"""

from __future__ import annotations

import re
from bisect import bisect_right

_BARE_LF = re.compile(r"(?<!\r)\n")


class LineIndex:
    """Offsets <-> 1-based line and column (in code points) of one text."""

    __slots__ = ("starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self.starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of ``text[offset]``; offsets are clamped to the text."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def offset(self, line: int, column: int) -> int:
        """The offset of 1-based ``line`` and ``column`` (clamped to the text)."""
        line = max(1, min(line, len(self.starts)))
        return min(self.starts[line - 1] + max(column, 1) - 1, len(self.text))


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of one offset, without building an index (for a single lookup)."""
    offset = max(0, min(offset, len(text)))
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def uses_crlf(text: str) -> bool:
    """True when every line of ``text`` ends in CRLF (and there is at least one)."""
    return "\r\n" in text and text.count("\n") == text.count("\r\n")


def match_line_endings(old: str, new: str) -> str:
    """``new`` with CRLF line endings when ``old`` has them throughout; otherwise ``new`` as it is."""
    if uses_crlf(old):
        return _BARE_LF.sub("\r\n", new)
    return new


def lines_lf(text: str) -> list[str]:
    """Lines ending at ``\\n`` only, each with its ending (the last one may have none)."""
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)
