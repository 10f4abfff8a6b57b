"""Find the 1-based line and column of a key path in JSON, JSON5 or TOML text (for lint findings)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from configurator.store.positions import JsonPositions, json_positions

Path_ = Sequence[str | int]

_BARE = r"[A-Za-z0-9_-]+"
_KEYPART = rf'(?:{_BARE}|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = re.compile(rf"\s*({_KEYPART}(?:\s*\.\s*{_KEYPART})*)\s*")
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_KEYPART}(?:\s*\.\s*{_KEYPART})*)\s*\]\]?")


def _split_dotted(s: str) -> list[str]:
    parts = re.findall(_KEYPART, s)
    out = []
    for p in parts:
        if p[0] in "\"'":
            p = p[1:-1]
        out.append(p)
    return out


def toml_positions(text: str) -> dict[tuple[str, ...], tuple[int, int, int]]:
    """Map each key path to (line, key column, value column). Arrays of tables get index keys."""
    positions: dict[tuple[str, ...], tuple[int, int, int]] = {}
    table: tuple[str, ...] = ()
    aot_counts: dict[tuple[str, ...], int] = {}
    in_multiline: str | None = None
    # split on \n only: str.splitlines() also breaks at U+2028, \x85, \x0c ... that TOML strings may hold
    for lineno, line in enumerate(text.split("\n"), start=1):
        if in_multiline:
            if in_multiline in line:
                in_multiline = None
            continue
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        h = _HEADER.match(line)
        if h:
            keys = tuple(_split_dotted(h.group(2)))
            if h.group(1) == "[[":
                n = aot_counts.get(keys, -1) + 1
                aot_counts[keys] = n
                positions.setdefault(keys, (lineno, line.index("[") + 1, line.index("[") + 1))
                keys = keys + (str(n),)
            table = keys
            col = h.start(2) + 1
            positions.setdefault(table, (lineno, col, col))
            continue
        eq = _DOTTED.match(line)
        if eq and line[eq.end() : eq.end() + 1] == "=":
            keys = tuple(_split_dotted(eq.group(1)))
            key_col = eq.start(1) + 1
            rest = line[eq.end() + 1 :]
            val_col = eq.end() + 1 + (len(rest) - len(rest.lstrip())) + 1
            for i in range(1, len(keys) + 1):
                positions.setdefault(table + keys[:i], (lineno, key_col, val_col if i == len(keys) else key_col))
            for q in ('"""', "'''"):
                if rest.count(q) == 1:
                    in_multiline = q
    return positions


class Positions:
    """Where keys and values sit in one text, computed once and asked many times (lint findings)."""

    def __init__(self, text: str, fmt: str) -> None:
        self.text = text
        self.fmt = fmt
        self._toml: dict[tuple[str, ...], tuple[int, int, int]] | None = None
        self._json: JsonPositions | None = None
        self._json_done = False

    def locate(self, path: Path_, *, value: bool = False) -> tuple[int, int]:
        """Line and column of the key at ``path`` (or of its value); else of the deepest parent found.
        A text that does not parse has no key positions: (1, 1)."""
        if self.fmt == "toml":
            if self._toml is None:
                self._toml = toml_positions(self.text)
            keys = tuple(str(p) for p in path)
            while keys:
                if keys in self._toml:
                    line, kcol, vcol = self._toml[keys]
                    return line, (vcol if value else kcol)
                keys = keys[:-1]
            return 1, 1
        if not self._json_done:
            self._json = json_positions(self.text)
            self._json_done = True
        if self._json is None:
            return 1, 1
        return self._json.locate(path, value=value)


def locate(text: str, fmt: str, path: Path_, *, value: bool = False) -> tuple[int, int]:
    """Line and column of the key at ``path`` (or of its value). Falls back to the deepest found parent."""
    return Positions(text, fmt).locate(path, value=value)
