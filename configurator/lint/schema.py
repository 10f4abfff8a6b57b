"""JSON Schema checks for the ``schema`` rule.

Validity is decided by a small validator for the subset of JSON Schema our schemas use (it costs no
import); only when a document is invalid is ``jsonschema`` imported to produce the detailed errors.
``tests/lint`` proves the two agree on generated documents, and that our schemas use nothing else.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache, lru_cache
from typing import Any

#: keywords the fast validator understands; annotation-only keywords are listed as well
SUPPORTED = frozenset({
    "type", "properties", "additionalProperties", "patternProperties", "required", "enum", "const", "items",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems",
    "maxItems", "pattern", "anyOf", "$ref", "$defs", "propertyNames",
    # annotations
    "$schema", "$id", "$comment", "title", "description", "default", "examples", "deprecated",
})


class Unsupported(Exception):
    pass


@cache
def load_schema(name: str) -> dict[str, Any]:
    from configurator.resources import template_path

    with open(template_path("schemas", name), encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


def _is_type(value: Any, t: str) -> bool:
    if t == "object":
        return isinstance(value, dict)
    if t == "array":
        return isinstance(value, list)
    if t == "string":
        return isinstance(value, str)
    if t == "boolean":
        return isinstance(value, bool)
    if t == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if t == "number":
        return isinstance(value, (int, float))
    if t == "integer":
        return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value) and value.is_integer())
    raise Unsupported(f"type {t!r}")


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@lru_cache(maxsize=4096)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _resolve(ref: str, root: dict[str, Any]) -> Any:
    if not ref.startswith("#/"):
        raise Unsupported(f"$ref {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _type_only(schema: Any) -> str | None:
    """``t`` when ``schema`` is exactly ``{"type": t}`` with ``t`` one type name, else None."""
    if isinstance(schema, dict) and len(schema) == 1:
        t = schema.get("type")
        if isinstance(t, str):
            return t
    return None


def is_valid(schema: Any, value: Any, root: dict[str, Any]) -> bool:
    """True when ``value`` satisfies ``schema``; raises :class:`Unsupported` for keywords we do not implement."""
    if schema is True or schema == {}:
        return True
    if schema is False:
        return False
    for key in schema:
        if key not in SUPPORTED and not key.startswith("x-"):
            raise Unsupported(key)
    if "$ref" in schema and not is_valid(_resolve(schema["$ref"], root), value, root):
        return False
    t = schema.get("type")
    if t is not None:
        types = t if isinstance(t, list) else [t]
        if not any(_is_type(value, x) for x in types):
            return False
    if "enum" in schema and not any(_equal(value, e) for e in schema["enum"]):
        return False
    if "const" in schema and not _equal(value, schema["const"]):
        return False
    if "anyOf" in schema and not any(is_valid(s, value, root) for s in schema["anyOf"]):
        return False
    if isinstance(value, dict):
        props = schema.get("properties", {})
        pattern_props = schema.get("patternProperties", {})
        additional = schema.get("additionalProperties", True)
        for name in schema.get("required", ()):
            if name not in value:
                return False
        names = schema.get("propertyNames")
        for key, item in value.items():
            if names is not None and not is_valid(names, key, root):
                return False
            matched = False
            if key in props:
                matched = True
                if not is_valid(props[key], item, root):
                    return False
            for pat, sub in pattern_props.items():
                if _regex(pat).search(key):
                    matched = True
                    if not is_valid(sub, item, root):
                        return False
            if not matched and not is_valid(additional, item, root):
                return False
    elif isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            return False
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return False
        items = schema.get("items")
        if items is not None:
            only = _type_only(items)
            if only is not None:  # {"type": "string"}: no call per item of a long list
                if only == "string":
                    if not all(isinstance(v, str) for v in value):
                        return False
                elif not all(_is_type(v, only) for v in value):
                    return False
            elif not all(is_valid(items, v, root) for v in value):
                return False
    elif isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            return False
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return False
        if "pattern" in schema and not _regex(schema["pattern"]).search(value):
            return False
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return False
        if "maximum" in schema and value > schema["maximum"]:
            return False
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return False
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            return False
    return True


@cache
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(name))


def schema_errors(name: str, data: Any) -> list[Any]:
    """Every ``jsonschema`` error for ``data`` (empty when valid). jsonschema is imported only when needed."""
    schema = load_schema(name)
    try:
        if is_valid(schema, data, schema):
            return []
    except Unsupported:
        pass
    return list(_validator(name).iter_errors(data))
