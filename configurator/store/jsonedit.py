"""Surgical edits of JSON and JSON5 text.

Only the bytes of the value we set (or the member we add or remove) change; key order, indentation,
comments and quoting style elsewhere stay exactly as the user wrote them. Positions come from the
json-five round-trip model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from configurator.errors import ParseError
from configurator.store.formats import same_data
from configurator.store.positions import _WS, Json5Error, _Parser
from configurator.text import match_line_endings, position

DELETE = object()
_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")  # \Z: "$" would accept a trailing newline
#: valid bare keys in JSON5 that json-five (our parser) cannot read back: always quote these
_LITERAL_WORDS = frozenset({"true", "false", "null", "NaN", "Infinity"})
_EXPONENT_LIKE = re.compile(r"^[eE]\d")  # json-five lexes `e1x` as an exponent


def _bare_ok(key: str) -> bool:
    return bool(_IDENT.match(key)) and key not in _LITERAL_WORDS and not _EXPONENT_LIKE.match(key)


@dataclass(frozen=True)
class Change:
    path: tuple[str, ...]
    value: Any  # DELETE removes the member


class _Member(NamedTuple):
    """One ``key: value`` of an object: the key's and the value's offsets (end exclusive)."""

    key: str
    kstart: int
    kend: int
    vstart: int
    vend: int
    bare: bool  # an unquoted (identifier) key


class _Object(NamedTuple):
    start: int  # the ``{``
    end: int  # after the ``}``
    members: list[_Member]


_DECODER = json.JSONDecoder()
_FOLLOW = frozenset(",}]")


class _Text:
    """The text being edited: line starts and ends, and where its objects, keys and values are.

    One pass of the store's own JSON5 grammar (:mod:`configurator.store.positions`) over the objects on the
    way to the edited key; the values beside them are skipped by the standard library's C decoder whenever
    they are plain JSON, so a 1.5 MB ``~/.claude.json`` costs about what ``json.loads`` does. ``ends`` remembers
    where values end (start offset -> end offset), carried from one change of a file to the next."""

    __slots__ = ("ends", "splices", "text")

    def __init__(self, text: str, ends: dict[int, int] | None = None) -> None:
        self.text = text
        self.ends = ends if ends is not None else {}
        #: the edits made to the text: (start, end, length of what replaced text[start:end])
        self.splices: list[tuple[int, int, int]] = []

    def splice(self, a: int, b: int, middle: str) -> str:
        """``text`` with ``text[a:b]`` replaced by ``middle`` (recorded, so value ends can be moved)."""
        self.splices.append((a, b, len(middle)))
        return self.text[:a] + middle + self.text[b:]

    def line_start(self, offset: int) -> int:
        """Offset of the first character of the line holding ``offset`` (lines end at ``\\n`` only)."""
        return self.text.rfind("\n", 0, max(0, min(offset, len(self.text)))) + 1

    def line_end(self, offset: int) -> int:
        """Offset of the ``\\n`` that ends the line holding ``offset`` (or the end of the text)."""
        end = self.text.find("\n", offset)
        return len(self.text) if end < 0 else end

    def ws(self, i: int) -> int:
        m = _WS.match(self.text, i)
        return m.end() if m else i

    def value_end(self, i: int) -> int:
        """The offset after the value that starts at ``i``."""
        known = self.ends.get(i)
        if known is None:
            known = self.ends[i] = self._value_end(i)
        return known

    def _value_end(self, i: int) -> int:
        text = self.text
        try:
            _, end = _DECODER.raw_decode(text, i)
        except (ValueError, RecursionError):
            pass
        else:  # plain JSON (a JSON5 value such as ``1.`` or ``0x1F`` only starts like it: look at what follows)
            after = self.ws(end)
            if after >= len(text) or text[after] in _FOLLOW:
                return int(end)
        p = _Parser(text)
        p.i = i
        try:
            p.value((), 0)
        except Json5Error as e:
            raise _parse_error(text, e) from None
        return p.i

    def obj(self, start: int) -> _Object:
        """The members of the object whose ``{`` is at ``start``."""
        text, n = self.text, len(self.text)
        p = _Parser(text)
        members: list[_Member] = []
        i = self.ws(start + 1)
        try:
            while i < n and text[i] != "}":
                p.i = i
                key = p.key()
                kend = p.i
                colon = self.ws(kend)
                if colon >= n or text[colon] != ":":
                    raise Json5Error(colon, "Was expecting COLON")
                vstart = self.ws(colon + 1)
                vend = self.value_end(vstart)
                members.append(_Member(key, i, kend, vstart, vend, text[i] not in "\"'"))
                i = self.ws(vend)
                if i < n and text[i] == ",":
                    i = self.ws(i + 1)
        except Json5Error as e:
            raise _parse_error(text, e) from None
        if i >= n:
            raise _parse_error(text, Json5Error(n, "Expecting RBRACE or key. Unexpected EOF"))
        return _Object(start, i + 1, members)

    def indent_of(self, offset: int) -> str:
        start = self.line_start(offset)
        m = re.match(r"[ \t]*", self.text[start:offset])
        return m.group(0) if m else ""


def _parse_error(text: str, e: Json5Error) -> ParseError:
    line, col = position(text, e.offset) if e.offset >= 0 else (1, 1)
    return ParseError("<text>", "json5", line, col, e.message)


_INDENTED_LINE = re.compile(r"\n([ \t]+)\S")


def detect_indent(text: str) -> str:
    """The indentation of the first indented line after the first (two spaces when there is none)."""
    m = _INDENTED_LINE.search(text)
    return m.group(1) if m else "  "


def render_value(value: Any, unit: str, base: str, *, json5_keys: bool = False) -> str:
    """Render ``value`` as JSON, indented with ``unit`` per level, continuation lines prefixed by ``base``."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = base + unit
        items = [
            f"{inner}{render_key(k, json5_keys)}: {render_value(v, unit, inner, json5_keys=json5_keys)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + base + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        inner = base + unit
        items = [inner + render_value(v, unit, inner, json5_keys=json5_keys) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + base + "]"
    return _dumps_scalar(value)


def _dumps_scalar(value: Any) -> str:
    # U+2028/U+2029 are fine in JSON strings but json-five rejects them raw: always escape them
    out = json.dumps(value, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    try:
        out.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate cannot be written as UTF-8: keep it escaped
        out = json.dumps(value)
    return out


def _holds(source: str, value: Any) -> bool:
    """Whether the value text ``source`` already holds ``value``."""
    from configurator.store.positions import loads

    try:
        try:
            data = json.loads(source)
        except ValueError:
            data = loads(source)
        return same_data(data, value)
    except (ValueError, RecursionError):
        return False


def render_key(key: str, json5_keys: bool) -> str:
    if json5_keys and _bare_ok(key):
        return key
    return _dumps_scalar(key)


def render_document(data: Any, *, fmt: str = "json", indent: str = "  ") -> str:
    """A new file. JSON5 files are created as plain JSON (valid JSON5, what OpenClaw itself writes), so
    every reader, and the fast standard parser, can read them; edits later follow the file's own style."""
    return render_value(data, indent, "", json5_keys=False) + "\n"


def _uses_bare_keys(obj: _Object) -> bool:
    return any(m.bare for m in obj.members)


def _find(obj: _Object, key: str) -> tuple[int, _Member] | None:
    found = None
    for i, member in enumerate(obj.members):
        if member.key == key:
            found = (i, member)  # last one wins, as in the parsed data
    return found


def apply_change(text: str, change: Change, *, fmt: str, ends: dict[int, int] | None = None,
                 has_cr: bool = True) -> str:
    """Return ``text`` with ``change`` applied. The caller verifies the result by parsing it. ``ends`` (where
    the values of ``text`` end, filled in as they are found) is updated for the returned text. ``has_cr=False``
    tells that ``text`` has no carriage return (so no CRLF line ending to keep: not searched for again)."""
    t = _Text(text, ends)
    new = _apply_change(t, change, fmt=fmt)
    if new == text:
        return text
    crlf = match_line_endings(text, new) if has_cr else new  # a CRLF file stays CRLF
    if ends is not None:
        if crlf == new and len(t.splices) == 1:
            _moved(ends, *t.splices[0])
        else:
            ends.clear()
    return crlf


def _moved(ends: dict[int, int], a: int, b: int, length: int) -> None:
    """Keep the value ends that the edit of ``[a, b)`` did not touch, moved to their offsets after it."""
    delta = length - (b - a)
    kept = {}
    for start, end in ends.items():
        if end < a:  # strictly before (a value right next to the edit might have grown: look again)
            kept[start] = end
        elif start > b:
            kept[start + delta] = end + delta
    ends.clear()
    ends.update(kept)


def _apply_change(t: _Text, change: Change, *, fmt: str) -> str:
    text = t.text
    if not text.strip():  # a blank file
        if change.value is DELETE:
            return text
        data: Any = change.value
        for key in reversed(change.path):
            data = {key: data}
        return render_document(data, fmt=fmt, indent=detect_indent(text))
    at = t.ws(0)
    if at >= len(text):
        raise _parse_error(text, Json5Error(len(text), "Expecting value. Unexpected EOF"))
    unit = detect_indent(text)
    path = list(change.path)
    for depth, key in enumerate(path):
        if text[at] != "{":
            if change.value is DELETE:
                return text
            # Replace a non-object in the way with the nested object we need.
            nested: Any = change.value
            for k in reversed(path[depth:]):
                nested = {k: nested}
            b = t.value_end(at)
            return t.splice(at, b, render_value(nested, unit, t.indent_of(at), json5_keys=fmt == "json5"))
        obj = t.obj(at)
        hit = _find(obj, key)
        if hit is None:
            if change.value is DELETE:
                return text
            nested = change.value
            for k in reversed(path[depth + 1 :]):
                nested = {k: nested}
            return _insert_member(t, obj, key, nested, unit, fmt)
        idx, member = hit
        if depth == len(path) - 1:
            if change.value is DELETE:
                new = _delete_member(t, obj, idx)
                # a duplicated key: remove every copy, or the parsed data would still hold one
                if new == text:
                    return new
                again = _Text(new)
                new = _apply_change(again, change, fmt=fmt)
                t.splices += again.splices  # more than one edit: the value ends are found afresh
                return new
            a, b = member.vstart, member.vend
            if _holds(text[a:b], change.value):
                return text  # already that value: keep the user's spelling (escapes, number format, layout)
            rendered = render_value(
                change.value, unit, t.indent_of(member.kstart), json5_keys=fmt == "json5" and _uses_bare_keys(obj)
            )
            if text[a:b] == rendered:
                return text
            return t.splice(a, b, rendered)
        at = member.vstart
    return text


def _insert_member(t: _Text, obj: _Object, key: str, value: Any, unit: str, fmt: str) -> str:
    text = t.text
    start, end = obj.start, obj.end
    bare = fmt == "json5" and _uses_bare_keys(obj)
    if obj.members:
        last = obj.members[-1]
        k_start = last.kstart
        v_end = last.vend
        indent = t.indent_of(k_start)
        member = f"{render_key(key, bare)}: {render_value(value, unit, indent, json5_keys=bare)}"
        close_line = t.line_start(end - 1)
        if close_line > v_end:  # multi-line object: new member on its own line after the last one
            eol = t.line_end(v_end)
            rest = text[v_end:eol]
            if rest.lstrip().startswith(","):
                return t.splice(eol, eol, f"\n{indent}{member},")
            return t.splice(v_end, eol, "," + text[v_end:eol] + f"\n{indent}{member}")
        return t.splice(v_end, v_end, f", {member}")
    # empty object
    interior = text[start + 1 : end - 1]
    obj_indent = t.indent_of(t.line_start(start) + len(t.indent_of(start)))
    obj_indent = t.indent_of(start) if t.line_start(start) == start - len(t.indent_of(start)) else obj_indent
    inner = obj_indent + unit
    member = f"{render_key(key, bare)}: {render_value(value, unit, inner, json5_keys=bare)}"
    if interior.strip() == "":
        return t.splice(start, end, "{\n" + inner + member + "\n" + obj_indent + "}")
    # only comments inside: keep them, add the member first
    return t.splice(start + 1, start + 1, "\n" + inner + member + ",")


def _delete_member(t: _Text, obj: _Object, idx: int) -> str:
    text = t.text
    members = obj.members
    kv = members[idx]
    k_start = kv.kstart
    v_end = kv.vend
    if idx + 1 < len(members):
        nxt = members[idx + 1].kstart
        ls = t.line_start(k_start)
        if text[ls:k_start].strip() == "" and t.line_start(nxt) > k_start:
            a, b = ls, t.line_start(nxt)
            # keep comment lines that sit between the two members
            between = text[t.line_end(v_end) + 1 : b]
            keep = between if between.strip() else ""
            return t.splice(a, b, keep)
        return t.splice(k_start, nxt, "")
    if idx > 0:
        prev_end = members[idx - 1].vend
        after = text[v_end:]
        m_ = re.match(r"[ \t]*,", after)
        had_trailing = m_ is not None
        ls = t.line_start(k_start)
        rest = re.match(r"[ \t]*,?[ \t]*(//[^\n]*)?\r?(\n|$)", after)
        if text[ls:k_start].strip() == "" and ls > prev_end and rest is not None:
            # the last member has its own line(s): remove them whole (its trailing comment goes with it)
            # and drop the comma after the member before unless the object uses trailing commas
            cut = v_end + rest.end()
            if not had_trailing:
                pc = re.match(r"[ \t]*,", text[prev_end:ls])
                if pc is not None:
                    return t.splice(prev_end, cut, text[prev_end + pc.end() : ls])
            return t.splice(ls, cut, "")
        cut_end = v_end
        # remove from the previous value's end (its comma included) up to our value's end
        return t.splice(prev_end, cut_end + (m_.end() if m_ else 0), "," if had_trailing else "")
    return t.splice(obj.start, obj.end, "{}")


def apply_changes(text: str, changes: Sequence[Change], *, fmt: str) -> str:
    """``text`` with every change applied in order; each value beside the edits is scanned once."""
    ends: dict[int, int] = {}
    # a text without any carriage return has no CRLF endings to keep, and our edits add none (json.dumps escapes
    # \r in keys and strings; indentation and line breaks are copied from the text or are \n): search a big file
    # for one once, not once per change
    has_cr = "\r" in text
    for change in changes:
        text = apply_change(text, change, fmt=fmt, ends=ends, has_cr=has_cr)
    return text


def apply_to_data(data: Any, changes: Sequence[Change]) -> Any:
    """The data we mean to have after ``changes``: used to verify the edited text.

    ``data`` is not changed; only the objects on the changed paths are copied (the rest is shared with
    ``data``), so a large file costs no deep copy."""
    import copy

    out: dict[str, Any] = dict(data) if isinstance(data, dict) else {}
    copied: set[int] = {id(out)}
    for ch in changes:
        node = out
        for key in ch.path[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                if ch.value is DELETE:
                    break  # nothing there to delete
                child = {}
            elif id(child) not in copied:
                child = dict(child)
            copied.add(id(child))
            node[key] = child
            node = child
        else:
            if ch.value is DELETE:
                node.pop(ch.path[-1], None)
            else:
                node[ch.path[-1]] = copy.deepcopy(ch.value)
    return out
