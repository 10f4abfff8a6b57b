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
from typing import Any

from configurator.store.formats import key_name, model_to_data, parse_json5_model, same_data
from configurator.text import LineIndex, match_line_endings

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


class _Text(LineIndex):
    """The text being edited: line starts and ends, and the offsets of json-five model nodes."""

    __slots__ = ()

    def span(self, node: Any) -> tuple[int, int]:
        """Offsets of a node (json-five gives 1-based lines and 0-based columns)."""
        return (self.offset(node.lineno, node.col_offset + 1),
                self.offset(node.end_lineno, node.end_col_offset + 1))

    def indent_of(self, offset: int) -> str:
        start = self.line_start(offset)
        m = re.match(r"[ \t]*", self.text[start:offset])
        return m.group(0) if m else ""


def detect_indent(text: str) -> str:
    for line in text.split("\n")[1:]:
        m = re.match(r"^([ \t]+)\S", line)
        if m:
            return m.group(1)
    return "  "


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


def _holds(node: Any, value: Any) -> bool:
    try:
        return same_data(model_to_data(node), value)
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


def _uses_bare_keys(obj: Any) -> bool:
    from json5 import model as m

    return any(isinstance(kv.key, m.Identifier) for kv in obj.key_value_pairs)


def _find(obj: Any, key: str) -> tuple[int, Any] | None:
    found = None
    for i, kv in enumerate(obj.key_value_pairs):
        if key_name(kv.key) == key:
            found = (i, kv)  # last one wins, as in the parsed data
    return found


def apply_change(text: str, change: Change, *, fmt: str) -> str:
    """Return ``text`` with ``change`` applied. The caller verifies the result by parsing it."""
    new = _apply_change(text, change, fmt=fmt)
    return match_line_endings(text, new) if new != text else new  # a CRLF file stays CRLF


def _apply_change(text: str, change: Change, *, fmt: str) -> str:
    from json5 import model as m

    root = parse_json5_model(text)
    unit = detect_indent(text)
    if root is None:
        if change.value is DELETE:
            return text
        data: Any = change.value
        for key in reversed(change.path):
            data = {key: data}
        return render_document(data, fmt=fmt, indent=unit)
    t = _Text(text)
    node = root
    path = list(change.path)
    for depth, key in enumerate(path):
        if not isinstance(node, m.JSONObject):
            if change.value is DELETE:
                return text
            # Replace a non-object in the way with the nested object we need.
            nested: Any = change.value
            for k in reversed(path[depth:]):
                nested = {k: nested}
            a, b = t.span(node)
            return text[:a] + render_value(nested, unit, t.indent_of(a), json5_keys=fmt == "json5") + text[b:]
        hit = _find(node, key)
        if hit is None:
            if change.value is DELETE:
                return text
            nested = change.value
            for k in reversed(path[depth + 1 :]):
                nested = {k: nested}
            return _insert_member(t, node, key, nested, unit, fmt)
        idx, kv = hit
        if depth == len(path) - 1:
            if change.value is DELETE:
                new = _delete_member(t, node, idx)
                # a duplicated key: remove every copy, or the parsed data would still hold one
                return _apply_change(new, change, fmt=fmt) if new != text else new
            a, b = t.span(kv.value)
            if _holds(kv.value, change.value):
                return text  # already that value: keep the user's spelling (escapes, number format, layout)
            rendered = render_value(
                change.value, unit, t.indent_of(t.span(kv.key)[0]), json5_keys=fmt == "json5" and _uses_bare_keys(node)
            )
            if text[a:b] == rendered:
                return text
            return text[:a] + rendered + text[b:]
        node = kv.value
    return text


def _insert_member(t: _Text, obj: Any, key: str, value: Any, unit: str, fmt: str) -> str:
    text = t.text
    start, end = t.span(obj)
    bare = fmt == "json5" and _uses_bare_keys(obj)
    if obj.key_value_pairs:
        last = obj.key_value_pairs[-1]
        k_start = t.span(last.key)[0]
        v_end = t.span(last.value)[1]
        indent = t.indent_of(k_start)
        member = f"{render_key(key, bare)}: {render_value(value, unit, indent, json5_keys=bare)}"
        close_line = t.line_start(end - 1)
        if close_line > v_end:  # multi-line object: new member on its own line after the last one
            eol = t.line_end(v_end)
            rest = text[v_end:eol]
            if rest.lstrip().startswith(","):
                return text[:eol] + f"\n{indent}{member}," + text[eol:]
            return text[:v_end] + "," + text[v_end:eol] + f"\n{indent}{member}" + text[eol:]
        return text[:v_end] + f", {member}" + text[v_end:]
    # empty object
    interior = text[start + 1 : end - 1]
    obj_indent = t.indent_of(t.line_start(start) + len(t.indent_of(start)))
    obj_indent = t.indent_of(start) if t.line_start(start) == start - len(t.indent_of(start)) else obj_indent
    inner = obj_indent + unit
    member = f"{render_key(key, bare)}: {render_value(value, unit, inner, json5_keys=bare)}"
    if interior.strip() == "":
        return text[:start] + "{\n" + inner + member + "\n" + obj_indent + "}" + text[end:]
    # only comments inside: keep them, add the member first
    return text[: start + 1] + "\n" + inner + member + "," + text[start + 1 :]


def _delete_member(t: _Text, obj: Any, idx: int) -> str:
    text = t.text
    members = list(obj.key_value_pairs)
    kv = members[idx]
    k_start = t.span(kv.key)[0]
    v_end = t.span(kv.value)[1]
    if idx + 1 < len(members):
        nxt = t.span(members[idx + 1].key)[0]
        ls = t.line_start(k_start)
        if text[ls:k_start].strip() == "" and t.line_start(nxt) > k_start:
            a, b = ls, t.line_start(nxt)
            # keep comment lines that sit between the two members
            between = text[t.line_end(v_end) + 1 : b]
            keep = between if between.strip() else ""
            return text[:a] + keep + text[b:]
        return text[:k_start] + text[nxt:]
    if idx > 0:
        prev_end = t.span(members[idx - 1].value)[1]
        after = text[v_end:]
        m_ = re.match(r"[ \t]*,", after)
        had_trailing = m_ is not None
        ls = t.line_start(k_start)
        rest = re.match(r"[ \t]*,?[ \t]*(//[^\n]*)?\r?(\n|$)", after)
        if text[ls:k_start].strip() == "" and ls > prev_end and rest is not None:
            # the last member has its own line(s): remove them whole (its trailing comment goes with it)
            # and drop the comma after the member before unless the object uses trailing commas
            cut = v_end + rest.end()
            head = text[:ls]
            if not had_trailing:
                pc = re.match(r"[ \t]*,", text[prev_end:])
                if pc is not None:
                    head = text[:prev_end] + text[prev_end + pc.end() : ls]
            return head + text[cut:]
        cut_end = v_end
        # remove from the previous value's end (its comma included) up to our value's end
        new = text[:prev_end] + ("," if had_trailing else "") + text[cut_end + (m_.end() if m_ else 0) :]
        return new
    start, end = t.span(obj)
    return text[:start] + "{}" + text[end:]


def apply_changes(text: str, changes: Sequence[Change], *, fmt: str) -> str:
    for change in changes:
        text = apply_change(text, change, fmt=fmt)
    return text


def apply_to_data(data: Any, changes: Sequence[Change]) -> Any:
    """The data we mean to have after ``changes``: used to verify the edited text."""
    import copy

    out: dict[str, Any] = copy.deepcopy(data) if isinstance(data, dict) else {}
    for ch in changes:
        node = out
        for key in ch.path[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                if ch.value is DELETE:
                    break  # nothing there to delete
                child = node[key] = {}
            node = child
        else:
            if ch.value is DELETE:
                node.pop(ch.path[-1], None)
            else:
                node[ch.path[-1]] = copy.deepcopy(ch.value)
    return out
