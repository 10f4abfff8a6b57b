"""Parsing JSON, JSON5 and TOML into plain Python data, with 1-based line:column errors."""

from __future__ import annotations

import json
import re
import sys
from pathlib import PurePath
from typing import Any

from configurator.errors import ParseError

FORMATS = ("json", "json5", "toml")
_LINECOL = re.compile(r"line (\d+),? column (\d+)")


def detect_format(path: str | PurePath) -> str:
    name = PurePath(path).name.lower()
    if name.endswith(".toml"):
        return "toml"
    if name.endswith(".json5") or name == "openclaw.json" or name.startswith("openclaw"):
        return "json5"
    return "json"


def _tomllib() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib


def _pos_from_offset(text: str, offset: int) -> tuple[int, int]:
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def parse_text(text: str, fmt: str, path: str | PurePath = "<text>") -> Any:
    """Return the data in ``text``; raise :class:`ParseError` with line and column otherwise."""
    if fmt == "json":
        try:
            return json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as e:
            raise ParseError(str(path), fmt, e.lineno, e.colno, e.msg) from None
        except RecursionError:
            raise ParseError(str(path), fmt, 1, 1, "nested too deeply") from None
    if fmt == "json5":
        return parse_json5(text, path)
    if fmt == "toml":
        tomllib = _tomllib()
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            line = getattr(e, "lineno", None)
            col = getattr(e, "colno", None)
            msg = getattr(e, "msg", None) or str(e)
            if line is None:
                m = _LINECOL.search(str(e))
                line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
            msg = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(msg))
            raise ParseError(str(path), fmt, line, col or 1, msg) from None
        except RecursionError:
            raise ParseError(str(path), fmt, 1, 1, "nested too deeply") from None
    raise ValueError(f"unknown format {fmt!r}")


def parse_json5(text: str, path: str | PurePath = "<text>") -> Any:
    model = parse_json5_model(text, path)
    if model is None:
        return {}
    return model_to_data(model)


def parse_json5_model(text: str, path: str | PurePath = "<text>") -> Any:
    """The json-five round-trip model of ``text`` (None for a blank file)."""
    if not text.strip():
        return None
    import json5
    from json5.loader import ModelLoader

    try:
        return json5.loads(text, loader=ModelLoader()).value
    except RecursionError:
        raise ParseError(str(path), "json5", 1, 1, "nested too deeply") from None
    except Exception as e:  # json-five raises JSON5DecodeError and, on odd input, other errors
        msg = str(e)
        m = _LINECOL.search(msg)
        if m:
            line, col = int(m.group(1)), int(m.group(2))
        else:
            pos = getattr(e, "pos", None)
            line, col = _pos_from_offset(text, pos) if isinstance(pos, int) else (getattr(e, "lineno", 1) or 1, 1)
        first = msg.splitlines()[0] if msg else type(e).__name__
        if "multiple errors" in first:
            lines = [ln.strip() for ln in msg.splitlines() if ln.strip()]
            first = lines[2] if len(lines) > 2 else first
        first = re.sub(r"\s*at: line \d+ column \d+ \(char \d+\)", "", first)
        first = re.sub(r"^Syntax Error[.:]?\s*", "", first)
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
        return node.characters
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
    return str(getattr(key, "characters", key))
