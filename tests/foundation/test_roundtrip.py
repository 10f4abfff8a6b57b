"""Round-trip properties of the store: no change -> same bytes; one change -> only that value's lines move."""

from __future__ import annotations

import difflib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from configurator import store
from configurator.errors import ConfiguratorError
from configurator.store import (
    DELETE,
    Change,
    Transaction,
    apply_changes,
    apply_to_data,
    parse_text,
    same_data,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: FOUNDATION_EXAMPLES=500 for a deep run; the default keeps the suite fast.
EXAMPLES = int(os.environ.get("FOUNDATION_EXAMPLES", "15"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Keys with the characters that break naive editors: quotes, backslashes, unicode, spaces, dots, '=' ...
KEY_CHARS = st.sampled_from(list("abcXYZ_$-09 .\"'\\/=:#[]{},é日🙂\t"))
keys = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True),  # plain identifiers (bare in JSON5)
    st.text(KEY_CHARS, min_size=1, max_size=8),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=6),
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
)


def objects(values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(keys, values, max_size=5)


json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4) | objects(inner), max_leaves=12)
json_docs = st.dictionaries(keys, json_values, min_size=1, max_size=6)


def leaf_paths(data: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Paths (through objects only) to every member whose value is a scalar."""
    out: list[tuple[str, ...]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            if isinstance(v, dict):
                out += leaf_paths(v, prefix + (k,))
            elif not isinstance(v, list):
                out.append(prefix + (k,))
    return out


def member_paths(data: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            out.append(prefix + (k,))
            out += member_paths(v, prefix + (k,))
    return out


# ---------------------------------------------------------------- renderers (the "styles" users write)

IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")
LITERALS = {"true", "false", "null", "NaN", "Infinity"}  # json-five cannot read these as bare keys
EXPONENT_LIKE = re.compile(r"^[eE]\d")  # nor these (it lexes `e1` as an exponent)


def render_json(data: Any, style: str) -> str:
    indent: Any = {"indent2": 2, "indent4": 4, "tab": "\t", "ascii": 2, "crlf": 2}[style]
    text = json.dumps(data, indent=indent, ensure_ascii=(style == "ascii")) + "\n"
    return text.replace("\n", "\r\n") if style == "crlf" else text


def _json5_str(s: str, quote: str) -> str:
    body = json.dumps(s, ensure_ascii=False)[1:-1]
    if quote == "'":
        body = body.replace('\\"', '"').replace("'", "\\'")
    # JSON5 strings may not hold raw U+2028/U+2029 in some parsers: escape them
    body = body.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return quote + body + quote


def render_json5(value: Any, style: str, level: int = 0) -> str:
    """A hand-written JSON5 look: comments, trailing commas, bare keys, single quotes."""
    unit = "  " if style != "tab" else "\t"
    pad, inner = unit * level, unit * (level + 1)
    quote = "'" if style == "single" else '"'
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = ["{"]
        for i, (k, v) in enumerate(value.items()):
            key = k if IDENT.match(k) and k not in LITERALS and not EXPONENT_LIKE.match(k) else _json5_str(k, quote)
            if style == "comments" and i % 2 == 0:
                lines.append(f"{inner}// about {key.replace(chr(10), ' ')[:10]!s}")
            lines.append(f"{inner}{key}: {render_json5(v, style, level + 1)},")
        lines.append(pad + "}")
        return "\n".join(lines)
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [f"{inner}{render_json5(v, style, level + 1)}," for v in value]
        return "[\n" + "\n".join(items) + "\n" + pad + "]"
    if isinstance(value, str):
        return _json5_str(value, quote)
    return json.dumps(value)


def render(data: Any, fmt: str, style: str) -> str:
    if fmt == "json":
        return render_json(data, style)
    text = render_json5(data, style) + "\n"
    if style == "comments":
        text = "// written by hand\n/* block\n   comment */\n" + text
    return text


JSON_STYLES = [("json", s) for s in ("indent2", "indent4", "tab", "ascii", "crlf")] + [
    ("json5", s) for s in ("comments", "single", "tab")
]


def changed_line_numbers(old: str, new: str) -> tuple[list[int], list[int]]:
    """Indexes of old lines removed and new lines added by the smallest line diff."""
    sm = difflib.SequenceMatcher(a=old.split("\n"), b=new.split("\n"), autojunk=False)
    gone, added = [], []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "equal":
            gone += list(range(i1, i2))
            added += list(range(j1, j2))
    return gone, added


def write_through_store(path: Path, text: str, expected: Any, fmt: str) -> store.WriteResult:
    with Transaction("test") as tx:
        doc = tx.open(path, fmt)
        return tx.write(doc, text, expected=expected)


# ---------------------------------------------------------------- JSON and JSON5


@pytest.mark.parametrize(("fmt", "style"), JSON_STYLES)
@SETTINGS
@given(data=json_docs)
def test_json_no_change_is_byte_identical(tmp_path: Path, fmt: str, style: str, data: dict[str, Any]) -> None:
    text = render(data, fmt, style)
    path = tmp_path / f"cfg.{fmt}"
    path.write_bytes(text.encode())
    doc = store.read_document(path, fmt)
    assert same_data(doc.data, data)
    res = write_through_store(path, doc.text, doc.data, fmt)
    assert res.action == "unchanged" and res.backup is None
    assert path.read_bytes() == text.encode()
    # an edit that sets a value to what it already is changes nothing either
    for p in leaf_paths(data)[:3]:
        node: Any = data
        for k in p:
            node = node[k]
        assert apply_changes(text, [Change(p, node)], fmt=fmt) == text


@pytest.mark.parametrize(("fmt", "style"), JSON_STYLES)
@SETTINGS
@given(data=json_docs, new_value=json_scalars, pick=st.integers(min_value=0))
def test_json_one_leaf_change_touches_only_its_line(
    tmp_path: Path, fmt: str, style: str, data: dict[str, Any], new_value: Any, pick: int
) -> None:
    paths = leaf_paths(data)
    assume(paths)
    path_ = paths[pick % len(paths)]
    text = render(data, fmt, style)
    change = Change(path_, new_value)
    new_text = apply_changes(text, [change], fmt=fmt)
    intended = apply_to_data(data, [change])
    assert same_data(parse_text(new_text, fmt), intended)
    gone, added = changed_line_numbers(text, new_text)
    assert len(gone) <= 1 and len(added) <= 1, (text, new_text)
    assert text.count("\n") == new_text.count("\n")
    if gone:  # the line that changed is the member's line: same start up to the value
        old_line, new_line = text.split("\n")[gone[0]], new_text.split("\n")[added[0]]
        prefix = len(_common_prefix(old_line, new_line))
        assert ":" in old_line[:prefix] or old_line.lstrip().startswith(("{", "["))
    # and the store writes it: result "updated", bytes exactly the edited text
    f = tmp_path / f"cfg.{fmt}"
    f.write_text(text, encoding="utf-8")
    res = write_through_store(f, new_text, intended, fmt)
    assert res.action == ("unchanged" if new_text == text else "updated")
    assert f.read_bytes() == new_text.encode()


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


@pytest.mark.parametrize(("fmt", "style"), JSON_STYLES)
@SETTINGS
@given(data=json_docs, key=keys, value=json_values, pick=st.integers(min_value=0))
def test_json_add_member_keeps_every_old_line(
    fmt: str, style: str, data: dict[str, Any], key: str, value: Any, pick: int
) -> None:
    objs = [()] + [p for p in member_paths(data) if isinstance(_get(data, p), dict)]
    parent = objs[pick % len(objs)]
    assume(key not in _get(data, parent))
    text = render(data, fmt, style)
    change = Change(parent + (key,), value)
    new_text = apply_changes(text, [change], fmt=fmt)
    assert same_data(parse_text(new_text, fmt), apply_to_data(data, [change]))
    gone, _ = changed_line_numbers(text, new_text)
    # at most the previous last member's line gets a comma (JSON) or an empty {} opens up
    assert len(gone) <= 1, (text, new_text)


@pytest.mark.parametrize(("fmt", "style"), JSON_STYLES)
@SETTINGS
@given(data=json_docs, pick=st.integers(min_value=0))
def test_json_delete_member_removes_only_its_lines(fmt: str, style: str, data: dict[str, Any], pick: int) -> None:
    members = member_paths(data)
    target = members[pick % len(members)]
    text = render(data, fmt, style)
    change = Change(target, DELETE)
    new_text = apply_changes(text, [change], fmt=fmt)
    assert same_data(parse_text(new_text, fmt), apply_to_data(data, [change]))
    parent = _get(data, target[:-1])
    if len(parent) == 1:  # the last member goes: the object collapses to {}
        member_lines = render(parent, fmt, style).rstrip("\n").count("\n") + 1
    else:
        member_lines = render(_get(data, target), fmt, style).rstrip("\n").count("\n") + 1
    comments = 1 if fmt == "json5" and style == "comments" else 0
    gone, added = changed_line_numbers(text, new_text)
    # the member's own lines, maybe its comment, maybe the comma of the member before it
    assert len(gone) <= member_lines + comments + 1, (text, new_text)
    assert len(added) <= 1


EDIT_EXAMPLES = [
    # (format, before, change, after): what the user's file looks like after one edit
    ("json", '{"a":1,"b":2}', Change(("c",), 3), '{"a":1,"b":2, "c": 3}'),
    ("json", '{\n  "a": 1,\n  "b": 2\n}\n', Change(("b",), DELETE), '{\n  "a": 1\n}\n'),
    ("json", '{\n  "a": 1,\n  "a": 2\n}\n', Change(("a",), DELETE), "{}\n"),
    ("json", '{\r\n  "a": 1\r\n}\r\n', Change(("b",), {"x": 1}), '{\r\n  "a": 1,\r\n  "b": {\r\n    "x": 1\r\n  }\r\n}\r\n'),
    ("json", '{\n  "env": {}\n}\n', Change(("env", "K"), "v"), '{\n  "env": {\n    "K": "v"\n  }\n}\n'),
    ("json", '{\n  "a": "\\u00e9"\n}\n', Change(("a",), "é"), '{\n  "a": "\\u00e9"\n}\n'),
    ("json", "", Change(("env", "K"), "v"), '{\n  "env": {\n    "K": "v"\n  }\n}\n'),
    ("json5", "{\n  a: 1, // one\n  b: 2 // two\n}\n", Change(("b",), DELETE), "{\n  a: 1 // one\n}\n"),
    ("json5", "{\n  a: 1, // one\n  b: 2, // two\n}\n", Change(("b",), DELETE), "{\n  a: 1, // one\n}\n"),
    ("json5", "{\n  a: 1, // one\n  b: 2, // two\n}\n", Change(("c",), 3), "{\n  a: 1, // one\n  b: 2, // two\n  c: 3,\n}\n"),
    ("json5", "{\n  a: 1, // one\n  b: 2 // two\n}\n", Change(("a",), 5), "{\n  a: 5, // one\n  b: 2 // two\n}\n"),
    ("json5", "{\n  a: 1\n}\n", Change(("null",), 1), '{\n  a: 1,\n  "null": 1\n}\n'),
    ("json5", "{\n  a: 1\n}\n", Change(("e2e",), True), '{\n  a: 1,\n  "e2e": true\n}\n'),
    ("json5", "{\n  a: 1\n}\n", Change(("s",), "a\u2028b"), '{\n  a: 1,\n  s: "a\\u2028b"\n}\n'),
    ("json5", "{\n  a: 1\n}\n", Change(("b\n",), 1), '{\n  a: 1,\n  "b\\n": 1\n}\n'),
    ("json5", '{\n  p: "C:\\\\Users\\\\xavier"\n}\n', Change(("q",), 1), '{\n  p: "C:\\\\Users\\\\xavier",\n  q: 1\n}\n'),
]


@pytest.mark.parametrize(("fmt", "before", "change", "after"), EDIT_EXAMPLES)
def test_json_edit_examples(fmt: str, before: str, change: Change, after: str) -> None:
    assert apply_changes(before, [change], fmt=fmt) == after
    assert same_data(parse_text(after, fmt), apply_to_data(parse_text(before, fmt), [change]))


@pytest.mark.parametrize(
    "value", ["\\x", "\\x41", "C:\\Users\\xavier", "\\\\u0041", "\\u0041", "🙂", "\x00", "'\""]
)
@pytest.mark.parametrize("ascii_only", [True, False])
def test_json5_reads_strings_exactly_like_json(value: str, ascii_only: bool) -> None:
    """json-five mis-decodes an escaped backslash before x/u and leaves surrogate pairs split; we don't."""
    encoded = json.dumps(value, ensure_ascii=ascii_only)
    text = f"{{{encoded}: {encoded}}}"
    assert parse_text(text, "json5") == {value: value} == parse_text(text, "json")


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for k in path:
        data = data[k]
    return data


# ---------------------------------------------------------------- TOML

toml_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
)
toml_values = st.recursive(toml_scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
toml_tables = st.dictionaries(keys, toml_values, max_size=4)
toml_docs = st.dictionaries(keys, toml_values | toml_tables | st.dictionaries(keys, toml_tables, max_size=2),
                            min_size=1, max_size=5)


def toml_styles(data: dict[str, Any], style: str) -> str:
    text = tomlkit.dumps(data)
    if style == "comments":
        text = "# written by hand\n\n" + text.replace("\n[", "\n# a table follows\n[")
    return text


@pytest.mark.parametrize("style", ["plain", "comments"])
@SETTINGS
@given(data=toml_docs)
def test_toml_parse_dump_is_identity_and_no_change_is_byte_identical(tmp_path: Path, style: str, data: Any) -> None:
    text = toml_styles(data, style)
    assert tomlkit.dumps(tomlkit.parse(text)) == text
    assert same_data(tomllib.loads(text), data)
    path = tmp_path / "config.toml"
    path.write_bytes(text.encode())
    doc = store.read_document(path)
    assert doc.fmt == "toml"
    res = write_through_store(path, tomlkit.dumps(tomlkit.parse(doc.text)), doc.data, "toml")
    assert res.action == "unchanged"
    assert path.read_bytes() == text.encode()


@pytest.mark.parametrize("style", ["plain", "comments"])
@SETTINGS
@given(data=toml_docs, new_value=toml_scalars, pick=st.integers(min_value=0))
def test_toml_one_leaf_change_touches_only_its_line(
    tmp_path: Path, style: str, data: Any, new_value: Any, pick: int
) -> None:
    paths = leaf_paths(data)
    assume(paths)
    target = paths[pick % len(paths)]
    text = toml_styles(data, style)
    doc = tomlkit.parse(text)
    node: Any = doc
    for k in target[:-1]:
        node = node[k]
    node[target[-1]] = new_value
    new_text = tomlkit.dumps(doc)
    intended = apply_to_data(data, [Change(target, new_value)])
    assert same_data(tomllib.loads(new_text), intended)
    gone, added = changed_line_numbers(text, new_text)
    assert len(gone) <= 1 and len(added) <= 1, (text, new_text)
    f = tmp_path / "config.toml"
    f.write_text(text, encoding="utf-8")
    res = write_through_store(f, new_text, intended, "toml")
    assert f.read_bytes() == new_text.encode()
    assert res.action in ("updated", "unchanged")


def test_toml_write_refuses_text_that_does_not_hold_the_intended_data(tmp_path: Path) -> None:
    """The guard against tomlkit moving a dotted key into a table: a mismatch is never written."""
    text = 'model = "a"\nprofile.x = 1\n\n[other]\ny = 2\n'
    f = tmp_path / "config.toml"
    f.write_text(text)
    wrong = 'model = "a"\n\n[other]\ny = 2\nprofile.x = 1\n'  # profile moved under [other]
    with pytest.raises(ConfiguratorError, match="Refusing to write"), Transaction("t") as tx:
        doc = tx.open(f)
        tx.write(doc, wrong, expected=doc.data)
    assert f.read_text() == text


def test_crlf_toml_file_stays_crlf(tmp_path: Path) -> None:
    f = tmp_path / "config.toml"
    f.write_bytes(b'model = "a"\r\n\r\n[profiles.x]\r\nnote = """\r\ntwo\r\nlines"""\r\n')
    with Transaction("t") as tx:
        doc = tx.open(f)
        t = tomlkit.parse(doc.text)
        t["profiles"]["x"]["model"] = "b"
        t["provider"] = "atlas"
        expected = apply_to_data(doc.data, [Change(("profiles", "x", "model"), "b"), Change(("provider",), "atlas")])
        assert tx.write(doc, tomlkit.dumps(t), expected=expected).action == "updated"
    raw = f.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n") and b'model = "b"\r\n' in raw
    assert tomllib.loads(raw.decode()) == expected
