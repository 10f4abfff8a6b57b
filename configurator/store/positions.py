"""Positions of every key and value in JSON / JSON5 text, in one pass.

Re-parsing with json-five for every position asked (about 10 ms for a small file) made findings-heavy
files slow. This scanner computes all positions at once with the same answers (``tests/lint`` checks it
against the json-five model); on anything it does not understand it returns None and
:mod:`configurator.store.locate` falls back to the json-five model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

Pos = tuple[int, int]
KeyPath = tuple[str | int, ...]

_WS = re.compile(r"(?:[ \t\r\n\f\v\u00a0\u2028\u2029\ufeff]+|//[^\n]*|/\*.*?\*/)*", re.S)
_DQ = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SQ = re.compile(r"'(?:[^'\\]|\\.)*'", re.S)
_IDENT = re.compile(r"[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*")
_NUMBER = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F]+|Infinity|NaN|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_ESC = re.compile(r"\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|\r\n|(.))", re.S)
_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "0": "\0", "\n": "", "\r": "",
           "\u2028": "", "\u2029": ""}


class _Fail(Exception):
    pass


def _unescape(body: str) -> str:
    def sub(m: re.Match[str]) -> str:
        if m.group(1):
            return chr(int(m.group(1), 16))
        if m.group(2):
            return chr(int(m.group(2), 16))
        c = m.group(3)
        if c is None:
            return ""
        return _SIMPLE.get(c, c)

    return _ESC.sub(sub, body) if "\\" in body else body


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.out: dict[KeyPath, tuple[Pos, Pos]] = {}

    def pos(self, offset: int) -> Pos:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.starts[lo] + 1

    def ws(self) -> None:
        self.i = _WS.match(self.text, self.i).end()  # type: ignore[union-attr]

    def peek(self) -> str:
        return self.text[self.i : self.i + 1]

    def value(self, path: KeyPath, depth: int = 0) -> None:
        if depth > 200:
            raise _Fail
        c = self.peek()
        if c == "{":
            self.i += 1
            self.ws()
            while self.peek() != "}":
                kstart = self.i
                m = _DQ.match(self.text, self.i) or _SQ.match(self.text, self.i)
                if m:
                    key = _unescape(m.group(0)[1:-1])
                else:
                    m = _IDENT.match(self.text, self.i)
                    if not m:
                        raise _Fail
                    key = m.group(0)
                self.i = m.end()
                self.ws()
                if self.peek() != ":":
                    raise _Fail
                self.i += 1
                self.ws()
                vstart = self.i
                self.out[path + (key,)] = (self.pos(kstart), self.pos(vstart))
                self.value(path + (key,), depth + 1)
                self.ws()
                if self.peek() == ",":
                    self.i += 1
                    self.ws()
                elif self.peek() != "}":
                    raise _Fail
            self.i += 1
        elif c == "[":
            self.i += 1
            self.ws()
            n = 0
            while self.peek() != "]":
                p = self.pos(self.i)
                self.out[path + (n,)] = (p, p)
                self.value(path + (n,), depth + 1)
                n += 1
                self.ws()
                if self.peek() == ",":
                    self.i += 1
                    self.ws()
                elif self.peek() != "]":
                    raise _Fail
            self.i += 1
        else:
            m = (_DQ.match(self.text, self.i) or _SQ.match(self.text, self.i) or _NUMBER.match(self.text, self.i)
                 or _IDENT.match(self.text, self.i))
            if not m or (m.re is _IDENT and m.group(0) not in ("true", "false", "null")):
                raise _Fail
            self.i = m.end()


class JsonPositions:
    """All positions of one JSON/JSON5 text; ``locate`` answers like ``store.locate``."""

    def __init__(self, text: str) -> None:
        s = _Scanner(text)
        s.ws()
        self.root = s.pos(s.i)
        s.value(())
        s.ws()
        if s.i != len(text):
            raise _Fail
        self.map = s.out

    def locate(self, path: Sequence[str | int], *, value: bool = False) -> Pos:
        best = self.root
        prefix: KeyPath = ()
        for part in path:
            key: str | int = part if isinstance(part, int) else str(part)
            prefix = prefix + (key,)
            hit = self.map.get(prefix)
            if hit is None:
                return best
            best = hit[0]
        if value and prefix:
            return self.map[prefix][1]
        return best


def json_positions(text: str) -> JsonPositions | None:
    """Positions for ``text``, or None when the scanner cannot read it (the caller uses the json-five model)."""
    try:
        return JsonPositions(text)
    except (_Fail, RecursionError, IndexError, ValueError, AttributeError):
        return None
