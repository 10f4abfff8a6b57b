"""The store's own JSON5 parser against json-five: generated JSON5 documents (every spelling JSON5 allows) and
mutated ones give the same data, or both are refused. Where json-five departs from the JSON5 specification
the store follows the specification; those cases are tested on their own below."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from configurator.errors import ParseError
from configurator.store import parse_text
from configurator.store.formats import model_to_data, parse_json5_model, same_data

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))


def json_five(text: str) -> Any:
    """What json-five reads (the store's previous JSON5 reader), or ParseError."""
    model = parse_json5_model(text)
    return {} if model is None else model_to_data(model)


def ours(text: str) -> Any:
    return parse_text(text, "json5", "openclaw.json")


def outcome(read: Any, text: str) -> tuple[str, Any]:
    try:
        return "data", read(text)
    except ParseError as e:
        return "error", (e.line, e.column)
    except (ValueError, RecursionError) as e:  # json-five on odd input
        return "error", type(e).__name__


# --- spellings ------------------------------------------------------------------------------------------------

COMMENT = st.sampled_from(["", " ", "\n", "  // note\n", "/* c */", " /* a\n b */ ", "\t", "\r\n", "\u00a0", "\ufeff"])
IDENT = st.from_regex(r"[A-Za-z_$][A-Za-z0-9_$]{0,6}", fullmatch=True).filter(
    lambda k: k not in ("true", "false", "null", "Infinity", "NaN") and not re.match(r"[eE]\d", k))
KEY = st.one_of(IDENT, st.text(alphabet=st.sampled_from("ab $_-.é\"'\\/\n\t0🙂"), max_size=6))


@st.composite
def key_text(draw: st.DrawFn, key: str) -> str:
    styles = ["double", "single"]
    if re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", key) and key not in ("true", "false", "null", "Infinity", "NaN") \
            and not re.match(r"[eE]\d", key):
        styles.append("bare")
        if len(key) > 1:
            styles.append("escaped")
    style = draw(st.sampled_from(styles))
    if style == "bare":
        return key
    if style == "escaped":  # \uXXXX in an identifier key
        i = draw(st.integers(1, len(key) - 1))
        return key[:i] + f"\\u{ord(key[i]):04x}" + key[i + 1:]
    return string_text(draw, key, '"' if style == "double" else "'")


def string_text(draw: st.DrawFn, value: str, quote: str) -> str:
    out = [quote]
    for i, ch in enumerate(value):
        # JSON5: \0 must not be followed by a decimal digit (it would read as a legacy octal escape)
        nul = [] if value[i + 1:i + 2] in tuple("0123456789") else ["\\0"]
        if ch == quote or ch == "\\":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append(draw(st.sampled_from(["\\n", "\\u000a", "\\x0a", "\\u000A"])))
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) > 0xFFFF:
            hi, lo = divmod(ord(ch) - 0x10000, 0x400)
            out.append(draw(st.sampled_from([ch, f"\\u{0xD800 + hi:04x}\\u{0xDC00 + lo:04x}"])))
        else:
            out.append(draw(st.sampled_from([
                ch, ch, f"\\u{ord(ch):04x}",
                *([f"\\x{ord(ch):02x}"] if ord(ch) < 256 else []),
                *(["\\" + ch] if ch in "acdeghijklmopqswyz'\"" else []),  # NonEscapeCharacter: itself
                *({"\t": ["\\t"], "\b": ["\\b"], "\f": ["\\f"], "\v": ["\\v"], "\0": nul}.get(ch, [])),
            ])))
        if draw(st.integers(0, 9)) == 0:
            out.append(draw(st.sampled_from(["\\\n", "\\\r\n"])))  # line continuation: nothing
    out.append(quote)
    return "".join(out)


def number_text(draw: st.DrawFn, value: int | float) -> str:
    if isinstance(value, float) and math.isnan(value):
        return draw(st.sampled_from(["NaN", "+NaN", "-NaN"]))
    if isinstance(value, float) and math.isinf(value):
        return ("-" if value < 0 else draw(st.sampled_from(["", "+"]))) + "Infinity"
    if isinstance(value, int):
        sign = "-" if value < 0 else draw(st.sampled_from(["", "+"]))
        mag = abs(value)
        return sign + draw(st.sampled_from([str(mag), hex(mag), hex(mag).upper().replace("0X", "0x"), hex(mag).replace("0x", "0X")]))
    text = repr(value)
    if value == 0 and math.copysign(1, value) < 0:
        return "-0.0"
    if text.endswith(".0") and draw(st.booleans()):
        text = text[:-1]  # trailing decimal point: 5.
    if text.startswith("0.") and text != "0." and draw(st.booleans()):
        text = text[1:]  # leading decimal point: .5 (not "." alone: 0.0 may already be "0.")
    elif text.startswith("-0.") and draw(st.booleans()):
        text = "-" + text[2:]
    if not text.startswith("-") and draw(st.booleans()):
        text = "+" + text
    return text


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(),
                    st.text(alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x1F642), max_size=8))
DATA = st.recursive(SCALARS, lambda c: st.one_of(st.lists(c, max_size=4), st.dictionaries(KEY, c, max_size=4)),
                    max_leaves=16)


@st.composite
def spelled(draw: st.DrawFn, value: Any) -> str:
    def sp() -> str:
        return draw(COMMENT)

    if isinstance(value, dict):
        members = [f"{sp()}{draw(key_text(k))}{sp()}:{sp()}{draw(spelled(v))}{sp()}" for k, v in value.items()]
        tail = "," + sp() if members and draw(st.booleans()) else ""
        return "{" + ",".join(members) + tail + "}"
    if isinstance(value, list):
        items = [f"{sp()}{draw(spelled(v))}{sp()}" for v in value]
        tail = "," + sp() if items and draw(st.booleans()) else ""
        return "[" + ",".join(items) + tail + "]"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return number_text(draw, value)
    return string_text(draw, value, draw(st.sampled_from(['"', "'"])))


def equal(a: Any, b: Any) -> bool:
    """same_data, plus -0.0 and 0.0 told apart (a sign is data too)."""
    if isinstance(a, float) and isinstance(b, float) and a == 0 and b == 0:
        return math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    return same_data(a, b) and type(a) is type(b)


@FUZZ
@given(data=st.dictionaries(KEY, DATA, max_size=5), lead=COMMENT, trail=COMMENT, st_data=st.data())
def test_generated_documents_read_the_same_as_json_five(data: dict[str, Any], lead: str, trail: str,
                                                       st_data: st.DataObject) -> None:
    text = lead + st_data.draw(spelled(data)) + trail
    kind, got = outcome(ours, text)
    assert kind == "data", (text, got)
    assert equal(got, data), text
    their_kind, theirs = outcome(json_five, text)
    assert their_kind == "data", (text, theirs)
    assert equal(got, theirs), text


# --- mutated documents ----------------------------------------------------------------------------------------

PIECES = ['"', "'", "{", "}", "[", "]", ",", ":", "\n", "//", "/*", "*/", "\\", "\\x", "\\u00", "0", "01", ".", "e",
          "x", "-", "+", " ", "true", "null", "Infinity", "NaN", "0x", "é", "1e5", "\t", "#", "a", "$", "\\n"]

#: where json-five departs from the JSON5 specification (https://spec.json5.org/); the store follows the spec
_RESERVED_KEY = re.compile(r"[{,]\s*(?:(?://[^\n]*\n|/\*.*?\*/)\s*)*(?:null|true|false|Infinity|NaN|[eE][0-9])", re.S)
_JSON_FIVE_ACCEPTS = ("is not an escape JSON5 allows", "MUST be followed by four hexadecimal digits",
                      "is not a character a key may hold")


#: an escaped backslash right before a raw line break: a line terminator in a string, which the spec refuses and
#: json-five reads as a line continuation
_ESCAPED_BACKSLASH_LINE_BREAK = re.compile("(?<!\\\\)(?:\\\\\\\\)+(?:\r\n|[\r\n\u2028\u2029])")


def known_difference(text: str, ours_: tuple[str, Any], theirs: tuple[str, Any]) -> bool:
    if ours_[0] == "error" and theirs[0] == "data":
        try:
            ours(text)
        except ParseError as e:
            if "Illegal line terminator" in e.detail and _ESCAPED_BACKSLASH_LINE_BREAK.search(text):
                return True
            return any(m in e.detail for m in _JSON_FIVE_ACCEPTS)
    if ours_[0] == "data" and theirs[0] == "error":
        return bool(_RESERVED_KEY.search(text)) or any(c in text for c in "\r\u2028\u2029")
    return False


def mutate(text: str, draw: st.DrawFn) -> str:
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 4)))
        op = draw(st.integers(0, 2))
        piece = draw(st.sampled_from(PIECES))
        text = text[:i] + (piece if op else "") + (text[j:] if op != 1 else text[i:])
    return text


@FUZZ
@given(data=st.dictionaries(KEY, DATA, max_size=4), st_data=st.data())
def test_mutated_documents_agree_with_json_five(data: dict[str, Any], st_data: st.DataObject) -> None:
    text = mutate(st_data.draw(spelled(data)), st_data.draw)
    a, b = outcome(ours, text), outcome(json_five, text)
    if a[0] == b[0] == "data":
        assert equal(a[1], b[1]), text
        return
    assume(not known_difference(text, a, b))
    assert a[0] == b[0], (text, a, b)
    if a[0] == "error":
        line, col = a[1]
        lines = text.split("\n")
        assert 1 <= line <= len(lines) and 1 <= col <= len(lines[line - 1]) + 1, (text, a)


# --- the specification where json-five departs from it ---------------------------------------------------------

SPEC = [
    ("{null: 1, true: 2, false: 3, Infinity: 4, NaN: 5}", {"null": 1, "true": 2, "false": 3, "Infinity": 4, "NaN": 5}),
    ("{e1x: 1}", {"e1x": 1}),
    ("{a: 'x\u2028y\u2029z'}", {"a": "x\u2028y\u2029z"}),
    ("{a:\u30001,\u2003b:\u16802}", {"a": 1, "b": 2}),
    ("{a: 1 // comment ended by CR\r}", {"a": 1}),
    ("{a: 1 // ended by LS\u2028}", {"a": 1}),
    ("{caf\\u00e9: 1, \\u0041b: 2}", {"café": 1, "Ab": 2}),
    ("{a\u0300\u203f: 1}", {"a\u0300\u203f": 1}),  # combining mark and connector punctuation may follow
]
REFUSED = [
    ('{a: "\\1"}', 1, 6, "not an escape"),
    ('{a: "\\u12"}', 1, 6, "four hexadecimal digits"),
    ('{a: "\\x4g"}', 1, 6, "two hexadecimal digits"),
    ('{a: "\\08"}', 1, 6, "decimal digit"),
    ("{\\u0031a: 1}", 1, 2, "key may hold"),
    ("{a: 01}", 1, 5, "Octals"),
    ("{a: 1a}", 1, 6, "COMMA or RBRACE"),
    ("{a: - 1}", 1, 6, "value"),
    ("{a: +null}", 1, 6, "value"),
    ("{a: 0x}", 1, 6, "NAME"),
    ("{a: .}", 1, 5, "Illegal character"),
    ("{a: 'x\ny'}", 1, 7, "line terminator"),
    ("{a: 'abc}", 1, 5, "never closed"),
    ("{a: undefined}", 1, 5, "value"),
    ("{a: 1,,}", 1, 6, "trailing commas"),
    ("{,}", 1, 2, "key"),
    ("{a: 1}\n{", 2, 1, "LBRACE"),
    ("{a: 1} /* open", 1, 8, "never closed with */"),
    ("// only a comment", 1, 18, "Unexpected EOF"),
]


@pytest.mark.parametrize(("text", "want"), SPEC)
def test_what_json5_allows(text: str, want: dict[str, Any]) -> None:
    assert ours(text) == want


@pytest.mark.parametrize(("text", "line", "col", "words"), REFUSED)
def test_what_json5_refuses(text: str, line: int, col: int, words: str) -> None:
    with pytest.raises(ParseError) as info:
        ours(text)
    assert (info.value.line, info.value.column) == (line, col), str(info.value)
    assert words in info.value.detail


def test_numbers_and_escapes() -> None:
    text = ("{a: [0x1F, -0XfF, +1, -0, .5, 5., +.5e1, 1E-2, -Infinity, +Infinity, 1e999, 123456789012345678901],"
            " s: '\\x41\\u0042\\0\\a\\'\\\"\\\\\\/\\b\\f\\n\\r\\t\\v\\\n!', d: \"\\ud83d\\ude42\"}")
    data = ours(text)
    assert data["a"] == [31, -255, 1, 0, 0.5, 5.0, 5.0, 0.01, -math.inf, math.inf, math.inf, 123456789012345678901]
    assert [type(v) for v in data["a"][:4]] == [int] * 4
    assert data["s"] == "AB\0a'\"\\/\b\f\n\r\t\v!" and data["d"] == "🙂"
    assert math.isnan(ours("{a: -NaN}")["a"]) and math.copysign(1, ours("{a: -0.0}")["a"]) < 0


def test_reading_json5_for_lint_does_not_import_json_five(tmp_path) -> None:
    f = tmp_path / "openclaw.json"
    f.write_text("// by hand\n{\n  models: { providers: { a: { baseUrl: 'https://h/v1', api: 'openai-completions',"
                 " models: [{ id: 'm', name: 'M', contextWindow: 0x20000, },], }, }, },\n}\n")
    code = ("import sys; from configurator.lint import lint_paths; r = lint_paths([sys.argv[1]]); "
            "print(len(r.findings), 'json5' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code, str(f)], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == ["0", "False"], proc.stdout + proc.stderr
