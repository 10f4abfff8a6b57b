"""Cut a TOML table (its ``[a.b]`` section and every ``[a.b.*]`` sub-table) out of a text, keeping every other byte.

Used by ``--fix`` to move a table into a file of its own: :func:`split_table` returns the text without the table
and the table's own text as a document of its own (its keys at the top level, sub-table headers shortened). Only
tables written as ``[header]`` sections can be cut; a table given by dotted keys or an inline table is left to the
caller (the result is verified by parsing it back, so a layout this module does not understand is refused, never
written wrong).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_BARE = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class _Item:
    """One statement of the text: ``blank``, ``comment``, ``header`` or ``keyval``, from ``start`` to ``end``
    (``end`` is just after its line break, or the end of the text)."""

    kind: str
    start: int
    end: int
    keys: tuple[str, ...] = ()
    #: for a header: where the key text ends (the offset of its closing bracket)
    key_end: int = 0
    #: for a header: ``[[`` (an array of tables) or ``[``
    bracket: str = ""


class TomlLayoutError(ValueError):
    """The text has a layout :func:`split_table` does not cut (say which, in words)."""


def _line_end(text: str, i: int) -> int:
    j = text.find("\n", i)
    return len(text) if j < 0 else j + 1


def _skip_string(text: str, i: int) -> int:
    """``text[i]`` opens a string: the offset just after it closes."""
    q = text[i]
    if text.startswith(q * 3, i):
        close = q * 3
        j = i + 3
        while True:
            k = text.find(close, j)
            if k < 0:
                raise TomlLayoutError("a multi-line string does not end")
            if q == '"':
                backslashes = 0
                m = k - 1
                while m >= j and text[m] == "\\":
                    backslashes += 1
                    m -= 1
                if backslashes % 2:
                    j = k + 1
                    continue
            k += 3
            extra = 0
            while extra < 2 and k < len(text) and text[k] == q:  # up to two quotes of the content may end it
                k += 1
                extra += 1
            return k
    j = i + 1
    while j < len(text):
        c = text[j]
        if c == "\\" and q == '"':
            j += 2
            continue
        if c == q:
            return j + 1
        if c == "\n":
            raise TomlLayoutError("a string does not end on its line")
        j += 1
    raise TomlLayoutError("a string does not end")


def _value_end(text: str, i: int) -> int:
    """The end of the key/value statement that starts at ``i`` (strings and brackets followed across lines)."""
    depth = 0
    j = i
    while j < len(text):
        c = text[j]
        if c in "\"'":
            j = _skip_string(text, j)
            continue
        if c == "#":
            j = text.find("\n", j)
            if j < 0:
                return len(text)
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        elif c == "\n" and depth <= 0:
            return j + 1
        j += 1
    return len(text)


def _parse_keys(text: str) -> tuple[str, ...]:
    """A dotted key (``a."b.c".'d'``) as its parts."""
    from configurator.store.formats import parse_text

    data = parse_text(f"{text} = 0\n", "toml")
    keys: list[str] = []
    node = data
    while isinstance(node, dict) and len(node) == 1:
        (k, node), = node.items()
        keys.append(k)
    if node != 0:
        raise TomlLayoutError(f"cannot read the table name {text!r}")
    return tuple(keys)


def _header(text: str, i: int) -> _Item:
    """``text[i]`` is the ``[`` of a header line."""
    bracket = "[[" if text.startswith("[[", i) else "["
    j = i + len(bracket)
    while j < len(text) and text[j] != "]":
        if text[j] in "\"'":
            j = _skip_string(text, j)
            continue
        if text[j] == "\n":
            raise TomlLayoutError("a table header does not end on its line")
        j += 1
    if j >= len(text):
        raise TomlLayoutError("a table header does not end")
    keys = _parse_keys(text[i + len(bracket):j])
    return _Item("header", i, _line_end(text, j), keys, j, bracket)


def scan(text: str) -> list[_Item]:
    """The statements of ``text``, in order, covering it from start to end."""
    items: list[_Item] = []
    i = 0
    n = len(text)
    while i < n:
        j = i
        while j < n and text[j] in " \t":
            j += 1
        if j >= n or text[j] in "\r\n":
            end = _line_end(text, j)
            items.append(_Item("blank", i, end))
        elif text[j] == "#":
            items.append(_Item("comment", i, _line_end(text, j)))
        elif text[j] == "[":
            h = _header(text, j)
            items.append(_Item("header", i, h.end, h.keys, h.key_end, h.bracket))
        else:
            items.append(_Item("keyval", i, _value_end(text, j)))
        i = items[-1].end
    return items


def _key_text(keys: tuple[str, ...]) -> str:
    out = []
    for k in keys:
        if _BARE.fullmatch(k):
            out.append(k)
        else:
            out.append(json.dumps(k).replace("\x7f", "\\u007f"))
    return ".".join(out)


@dataclass(frozen=True)
class Split:
    """What :func:`split_table` made: the text without the table, and the table as a document."""

    rest: str
    table: str


def split_table(text: str, keypath: tuple[str, ...]) -> Split:
    """Cut the table at ``keypath`` out of ``text``. Raises :class:`TomlLayoutError` when it has no ``[header]``
    section. Comments and blank lines after a section's last key stay where they are (they usually introduce the
    next section); those inside it move with it."""
    items = scan(text)
    # (index of the first item: the header or the comments right above it, index of the header, index after the
    # section's last key/value)
    sections: list[tuple[int, int, int]] = []
    for idx, item in enumerate(items):
        if item.kind != "header" or item.keys[: len(keypath)] != keypath:
            continue
        first = idx
        while first > 0 and items[first - 1].kind == "comment":
            first -= 1
        if first > 0 and items[first - 1].kind != "blank":
            first = idx  # comments that follow other statements closely stay with them
        last = idx + 1
        k = idx + 1
        while k < len(items) and items[k].kind != "header":
            if items[k].kind == "keyval":
                last = k + 1
            k += 1
        sections.append((first, idx, last))
    if not sections:
        raise TomlLayoutError(f"[{_key_text(keypath)}] is not written as a [table] section")
    if any(items[s[1]].keys == keypath and items[s[1]].bracket == "[[" for s in sections):
        raise TomlLayoutError(f"[[{_key_text(keypath)}]] is an array of tables, not one table")
    own = [s for s in sections if items[s[1]].keys == keypath]
    ordered = own + [s for s in sections if s not in own]

    # the table's own text: its keys first, then its sub-tables with shorter headers (in the text's line endings)
    eol = "\r\n" if "\r\n" in text else "\n"
    parts: list[str] = []
    for first, idx, last in ordered:
        head = items[idx]
        above = text[items[first].start:head.start]
        body = text[head.end: items[last - 1].end] if last > idx + 1 else ""
        after = text[head.key_end + len(head.bracket):head.end].strip()  # "# comment" after the header
        if head.keys == keypath and head.bracket == "[":
            chunk = above + (after + eol if after.startswith("#") else "") + body
        else:
            line = f"{head.bracket}{_key_text(head.keys[len(keypath):])}{']' * len(head.bracket)}"
            chunk = above + line + (" " + after if after else "") + eol + body
        if not chunk.endswith("\n"):
            chunk += eol
        if chunk.strip():
            parts.append(chunk)
    table = eol.join(parts)

    # the rest: each section's lines removed, with the blank lines that separated it from the next one
    cut: list[tuple[int, int]] = []
    for first, _idx, last in sections:
        start, end = items[first].start, items[last - 1].end
        before_blank = first == 0 or items[first - 1].kind == "blank" or any(start == e for _, e in cut)
        k = last
        if before_blank:
            while k < len(items) and items[k].kind == "blank":
                end = items[k].end
                k += 1
        cut.append((start, end))
    rest_parts: list[str] = []
    pos = 0
    for start, end in sorted(cut):
        rest_parts.append(text[pos:start])
        pos = end
    rest_parts.append(text[pos:])
    rest = "".join(rest_parts)
    if max(e for _, e in cut) == len(text) or all(it.kind == "blank" for it in items if it.start >= max(
            e for _, e in cut)):
        # the table was last: no blank lines left dangling at the end
        m = _TRAILING_BLANKS.search(rest)
        if m:
            rest = rest[:m.start()] + m.group(1)
        if not rest.strip():
            rest = ""
    return Split(rest, table)


_TRAILING_BLANKS = re.compile(r"(\r?\n)(?:[ \t]*\r?\n)*[ \t]*\Z")
