"""Parsing JSON, JSON5 and TOML into plain Python data, with 1-based line:column errors."""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import PurePath
from typing import Any, Literal, get_args

from configurator.errors import ParseError
from configurator.text import position

#: the file formats the store reads and writes
Format = Literal["json", "json5", "toml"]
FORMATS: tuple[Format, ...] = get_args(Format)
_LINECOL = re.compile(r"line (\d+),? column (\d+)")
_AT_INDEX = re.compile(r"at index (\d+)")
_LONG_NUMBER = re.compile(r"[0-9a-fA-F_]{4000,}")


def _number_error(text: str, path: str | PurePath, fmt: str, e: ValueError) -> ParseError:
    """Python refuses integers with more than ~4300 digits: report it as a parse error at the number."""
    m = _LONG_NUMBER.search(text)
    line, col = position(text, m.start()) if m else (1, 1)
    return ParseError(str(path), fmt, line, col, f"a number is too long to read ({str(e).split(':')[0]})")


def as_format(value: str) -> Format:
    """``value`` as a :data:`Format` (ValueError for a format the store does not know)."""
    for fmt in FORMATS:
        if fmt == value:
            return fmt
    raise ValueError(f"unknown format {value!r}")


def detect_format(path: str | PurePath) -> Format:
    """The format a file's extension says (``.toml``, ``.json5``, else JSON). Callers that know the kind of file
    (the agent registry does) pass its format instead: OpenClaw's ``openclaw.json`` is JSON5."""
    name = PurePath(path).name.lower()
    if name.endswith(".toml"):
        return "toml"
    if name.endswith(".json5"):
        return "json5"
    return "json"


def _tomllib() -> Any:
    """``tomllib`` (3.11+) or its backport ``tomli`` (3.10)."""
    import importlib

    return importlib.import_module("tomllib" if sys.version_info >= (3, 11) else "tomli")


def parse_text(text: str, fmt: str, path: str | PurePath = "<text>") -> Any:
    """Return the data in ``text``; raise :class:`ParseError` with line and column otherwise."""
    if fmt == "json":
        try:
            return _check_depth(json.loads(text), fmt, path, text) if text.strip() else {}
        except json.JSONDecodeError as e:
            raise ParseError(str(path), fmt, e.lineno, e.colno, e.msg) from None
        except RecursionError:
            raise ParseError(str(path), fmt, 1, 1, "nested too deeply") from None
        except ValueError as e:  # e.g. an integer longer than sys.get_int_max_str_digits()
            raise _number_error(text, path, fmt, e) from None
    if fmt == "json5":
        return _check_depth(parse_json5(text, path), fmt, path)
    if fmt == "toml":
        tomllib = _tomllib()
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            line = getattr(e, "lineno", None)
            col = getattr(e, "colno", None)
            msg = getattr(e, "msg", None) or str(e)
            if line is None:
                m = _LINECOL.search(str(e))
                if m:
                    line, col = int(m.group(1)), int(m.group(2))
                elif "end of document" in str(e):
                    line, col = position(text, len(text))
                else:
                    line, col = 1, 1
            msg = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(msg))
            raise ParseError(str(path), fmt, line, col or 1, msg) from None
        except RecursionError:
            raise ParseError(str(path), fmt, 1, 1, "nested too deeply") from None
        except ValueError as e:  # e.g. an integer longer than sys.get_int_max_str_digits()
            raise _number_error(text, path, fmt, e) from None
        return _check_depth(data, fmt, path)
    raise ValueError(f"unknown format {fmt!r}")


def parse_json5(text: str, path: str | PurePath = "<text>") -> Any:
    """The data in JSON5 ``text`` (a blank text is ``{}``), read by the store's own strict parser."""
    if not text.strip():
        return {}
    # JSON is a subset of JSON5 with the same data model, and most openclaw.json files are plain JSON:
    # the standard library's C parser reads them fastest.
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        pass
    from configurator.store.positions import Json5Error, loads

    try:
        return loads(text)
    except Json5Error as e:
        line, col = position(text, e.offset) if e.offset >= 0 else (1, 1)
        raise ParseError(str(path), "json5", line, col, e.message) from None
    except RecursionError:
        raise ParseError(str(path), "json5", 1, 1, "nested too deeply") from None
    except ValueError as e:  # e.g. an integer longer than sys.get_int_max_str_digits()
        raise _number_error(text, path, "json5", e) from None


_ESCAPES_FIXED = False


def _fix_json5_escapes() -> None:
    """json-five 1.1 decodes ``\\x`` / ``\\u`` escapes without noticing that the backslash is itself
    escaped: ``"C:\\\\xavier"`` fails ("\\x must be followed by two hex digits") and ``"\\\\x41"``
    reads as ``\\A``. Its first decoding pass calls ``json5.parser.latin_unicode_escape_replace``; we
    wrap it so a match whose backslash is escaped (an odd run of backslashes before it) is left alone
    for the second pass, which pairs ``\\\\`` correctly.
    """
    global _ESCAPES_FIXED
    if _ESCAPES_FIXED:
        return
    _ESCAPES_FIXED = True
    try:
        from json5 import parser as p
    except ImportError:  # pragma: no cover
        return
    original = getattr(p, "latin_unicode_escape_replace", None)
    if original is None or getattr(original, "__name__", "") == "_configurator_escape_replace":
        return

    def _configurator_escape_replace(matchobj: Any) -> str:
        s, i = matchobj.string, matchobj.start()
        run = 0
        while i - run - 1 >= 0 and s[i - run - 1] == "\\":
            run += 1
        if run % 2 == 1:
            return str(matchobj.group(0))
        return str(original(matchobj))

    p.latin_unicode_escape_replace = _configurator_escape_replace


def parse_json5_model(text: str, path: str | PurePath = "<text>") -> Any:
    """The json-five round-trip model of ``text`` (None for a blank file)."""
    if not text.strip():
        return None
    at = unterminated_block_comment(text)
    if at is not None:
        line, col = position(text, at)
        raise ParseError(str(path), "json5", line, col, "this /* comment is never closed with */")
    import json5
    from json5.loader import ModelLoader

    _fix_json5_escapes()
    try:
        return json5.loads(text, loader=ModelLoader()).value
    except RecursionError:
        raise ParseError(str(path), "json5", 1, 1, "nested too deeply") from None
    except Exception as e:  # json-five raises JSON5DecodeError and, on odd input, other errors
        if type(e) is ValueError and "integer string conversion" in str(e):
            raise _number_error(text, path, "json5", e) from None
        msg = str(e)
        m = _LINECOL.search(msg)
        at_index = _AT_INDEX.search(msg)
        if m:
            line, col = int(m.group(1)), int(m.group(2))
        elif at_index:
            line, col = position(text, int(at_index.group(1)))
        else:
            pos = getattr(e, "pos", None)
            line, col = position(text, pos) if isinstance(pos, int) else (getattr(e, "lineno", 1) or 1, 1)
        first = msg.splitlines()[0] if msg else type(e).__name__
        if "multiple errors" in first:
            lines = [ln.strip() for ln in msg.splitlines() if ln.strip()]
            first = lines[2] if len(lines) > 2 else first
        first = re.sub(r"\s*at: line \d+ column \d+ \(char \d+\)", "", first)
        first = re.sub(r"^Syntax Error[.:]?\s*", "", first)
        first = _AT_INDEX.sub("", first).strip()
        raise ParseError(str(path), "json5", line, col, first or "syntax error") from None


def model_to_data(node: Any) -> Any:
    """Convert a json-five model node into plain Python data (last duplicate key wins, like JSON)."""
    from json5 import model as m

    if isinstance(node, m.JSONObject):
        out: dict[str, Any] = {}
        for kv in node.key_value_pairs:
            out[key_name(kv.key)] = model_to_data(kv.value)
        return out
    if isinstance(node, m.JSONArray):
        return [model_to_data(v) for v in node.values]
    if isinstance(node, (m.DoubleQuotedString, m.SingleQuotedString)):
        return join_surrogates(node.characters)
    if isinstance(node, m.BooleanLiteral):
        return node.value
    if isinstance(node, m.NullLiteral):
        return None
    if isinstance(node, m.UnaryOp):
        v = model_to_data(node.value)
        return -v if node.op == "-" else v
    if isinstance(node, m.Integer):
        return int(node.value) if not isinstance(node.value, int) else node.value
    if isinstance(node, m.Float):
        return float(node.value)
    if isinstance(node, m.Infinity):
        return float("inf")
    if isinstance(node, m.NaN):
        return float("nan")
    value = getattr(node, "value", None)
    if value is not None:
        return value
    raise ValueError(f"unsupported JSON5 node {type(node).__name__}")


def key_name(key: Any) -> str:
    name = getattr(key, "name", None)
    if name is not None:
        return str(name)
    return join_surrogates(str(getattr(key, "characters", key)))


_SURROGATE = re.compile("[\ud800-\udfff]")


def join_surrogates(s: str) -> str:
    """json-five leaves an escaped pair like ``"\\ud83d\\ude42"`` as two surrogates; JSON means one character."""
    if not _SURROGATE.search(s):
        return s
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def same_data(a: Any, b: Any) -> bool:
    """Deep equality that also treats NaN as equal to NaN and keeps bool distinct from int (no recursion:
    a file nested hundreds of levels deep is compared like any other)."""
    if isinstance(a, dict) and isinstance(b, dict):
        # fast path for parsed JSON/TOML data (string keys): the same canonical JSON text is the same data
        # (true is not 1, NaN is NaN); a difference, or data json cannot write, takes the walk below
        try:
            if json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True):
                return True
        except (TypeError, ValueError, RecursionError):
            pass
    stack = [(a, b)]
    while stack:
        a, b = stack.pop()
        if isinstance(a, bool) or isinstance(b, bool):
            if not (type(a) is type(b) and a == b):
                return False
            continue
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            if a.keys() != b.keys():
                return False
            stack.extend((a[k], b[k]) for k in a)
            continue
        if isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                return False
            stack.extend(zip(a, b, strict=True))
            continue
        if hasattr(a, "unwrap"):
            a = a.unwrap()
        if hasattr(b, "unwrap"):
            b = b.unwrap()
        if not bool(a == b):
            return False
    return True


#: deepest nesting the store reads (JSON/JSON5; TOML: what tomlkit, which edits it, can take)
MAX_DEPTH = {"json": 400, "json5": 400, "toml": 100}


def too_deep(data: Any, limit: int) -> bool:
    """Whether ``data`` nests objects/arrays more than ``limit`` levels deep (iterative)."""
    if not isinstance(data, (dict, list)):
        return False
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        for child in (node.values() if isinstance(node, dict) else node):
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return False


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKETS = str.maketrans({c: None for c in map(chr, range(128)) if c not in "{}[]"})
_DEPTH_STEP = {"{": 1, "[": 1, "}": -1, "]": -1}


def json_text_depth(text: str) -> int:
    """How deep the objects and arrays of JSON ``text`` nest (strings left out), at C speed: the walk over the
    data would cost a Python step per value of a 1.5 MB file."""
    from itertools import accumulate

    brackets = _JSON_STRING.sub("", text).translate(_BRACKETS)
    steps = [_DEPTH_STEP.get(c, 0) for c in brackets] if not brackets.isascii() else list(
        map(_DEPTH_STEP.__getitem__, brackets))
    return max(accumulate(steps), default=0)


#: hash -> length of JSON texts already found shallow enough (the same file is read by the preview, by the
#: write and by the lint that follows it: its depth is measured once)
_SHALLOW: dict[int, int] = {}


def mark_shallow(text: str) -> None:
    if len(_SHALLOW) > 32:
        _SHALLOW.clear()
    _SHALLOW[hash(text)] = len(text)


def _check_depth(data: Any, fmt: str, path: str | PurePath, text: str | None = None) -> Any:
    limit = MAX_DEPTH.get(fmt, 400)
    if fmt == "json" and text is not None:
        if _SHALLOW.get(hash(text)) == len(text):
            return data
        deep = json_text_depth(text) > limit
        if not deep:
            mark_shallow(text)
    else:
        deep = too_deep(data, limit)
    if deep:
        raise ParseError(str(path), fmt, 1, 1, f"nested too deeply (more than {limit} levels)")
    return data


def unterminated_block_comment(text: str) -> int | None:
    """Offset of a ``/*`` that is never closed (outside strings), else None.

    json-five's lexer backtracks exponentially on such a comment (a 400-character file takes minutes), so
    the store reports it as a parse error itself instead of handing the text to the JSON5 parser.
    """
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                return i
            i = j + 2
        else:
            i += 1
    return None
