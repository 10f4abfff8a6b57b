"""Derive ``templates/schemas/opencode.json`` from the real opencode's own config schema.

The ``opencode-ai`` npm package ships a native binary only (no ``config.json`` schema file); the schema
published at https://opencode.ai/config.json is generated from the same ``Config`` definition that the
binary's OpenAPI document carries. ``opencode generate`` prints that document (offline, ~1 MB):
``components.schemas.Config`` and the components it references are the schema ``opencode.json`` is
decoded with. Our linter keeps a copy: the referenced components become ``$defs``, nodes using keywords
our fast validator does not implement become ``{}`` (opencode itself still judges them), descriptions
are dropped. opencode drops unknown keys silently (a warning here) and refuses wrong types (an error).

    opencode generate > openapi.json      # from an empty HOME and XDG dirs
    python tests/conformance/opencode_schema.py openapi.json > templates/schemas/opencode.json

``test_opencode_schema_is_derived_from_the_real_one`` regenerates it from the installed opencode and
fails on any drift.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

SUPPORTED = {
    "type", "properties", "additionalProperties", "patternProperties", "required", "enum", "const", "items",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems",
    "maxItems", "pattern", "anyOf", "propertyNames", "$ref",
}
DROP = {"title", "description", "default", "examples", "deprecated", "$comment", "$schema", "$id"}
_PREFIX = "#/components/schemas/"
#: the name suffix of a ``$defs`` entry trimmed leniently (used inside an ``anyOf``)
_LENIENT = "-in-union"


def _python_pattern(p: str) -> bool:
    try:
        re.compile(p)
    except re.error:
        return False
    return "\\p{" not in p


def trim(node: Any, lenient: bool = False) -> Any:
    """Our copy of one node. ``lenient``: inside an ``anyOf``, where an unknown key would fail the whole union
    (an error) although opencode only drops it, unknown keys are allowed."""
    if not isinstance(node, dict):
        return node
    keys = set(node) - DROP
    if lenient and node.get("additionalProperties") is False:
        keys.discard("additionalProperties")
    if keys - SUPPORTED:
        return {}  # prefixItems, oneOf, allOf, format...: leave it to opencode
    out: dict[str, Any] = {}
    for k in sorted(keys):
        v = node[k]
        if k in ("properties", "patternProperties"):
            out[k] = {name: trim(sub, lenient) for name, sub in v.items()}
            if k == "patternProperties" and not all(map(_python_pattern, v)):
                return {}
        elif k in ("additionalProperties", "items", "propertyNames"):
            out[k] = trim(v, lenient) if isinstance(v, dict) else v
            if k == "items" and isinstance(v, list):
                return {}
        elif k == "anyOf":
            out[k] = [trim(x, True) for x in v]
            if any(x == {} for x in out[k]):
                return {}
        elif k == "$ref":
            out[k] = "#/$defs/" + v[len(_PREFIX):] + (_LENIENT if lenient else "")
        elif k == "pattern":
            if not _python_pattern(v):
                continue
            out[k] = v
        else:
            out[k] = v
    return out


def _refs(node: Any) -> set[str]:
    """The names of the ``$defs`` a trimmed node refers to."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        found = {ref.removeprefix("#/$defs/")} if isinstance(ref, str) and ref.startswith("#/$defs/") else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def derive(openapi: dict[str, Any], version: str) -> dict[str, Any]:
    components = openapi["components"]["schemas"]
    root = trim(components["Config"])
    defs: dict[str, Any] = {}
    todo = _refs(root)
    while todo:
        name = todo.pop()
        base = name.removesuffix(_LENIENT)
        defs[name] = trim(components[base], name != base)
        todo |= _refs(defs[name]) - set(defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": f"Derived from `opencode generate` (components.schemas.Config; opencode {version}) by "
                    "tests/conformance/opencode_schema.py; do not edit by hand.",
        "x-severity": {"additionalProperties": "warning"},
        "x-unknown-note": "drops this key without a word (often a typo, or a key of another version)",
        **root,
        **({"$defs": dict(sorted(defs.items()))} if defs else {}),
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        doc = json.load(fh)
    sys.stdout.write(render(derive(doc, sys.argv[2] if len(sys.argv) > 2 else "1.18.33")))
