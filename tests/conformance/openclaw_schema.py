"""Derive ``templates/schemas/openclaw.json`` from the real OpenClaw's own schema.

``openclaw config schema`` prints the JSON Schema (draft-07, ~1.9 MB) that ``openclaw config validate``
enforces. Our linter keeps a trimmed copy: every object down to ``DEPTH`` levels keeps its exact key set
(``additionalProperties: false`` stays), the subtrees setup writes are kept whole, and anything deeper,
or using keywords our fast validator does not implement, becomes ``{}`` (allowed: OpenClaw itself will
still judge it). Titles and descriptions are dropped.

    openclaw config schema > s.json     # from an empty HOME: plugins found in a home add entries
    python tests/conformance/openclaw_schema.py s.json > templates/schemas/openclaw.json

``test_openclaw_schema_is_derived_from_the_real_one`` regenerates it from the installed OpenClaw and
fails on any drift.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

DEPTH = 3
#: subtrees kept whole (the ones setup writes and lint rules reason about)
KEEP_WHOLE = (("models",), ("agents", "defaults", "model"))
SUPPORTED = {
    "type", "properties", "additionalProperties", "patternProperties", "required", "enum", "const", "items",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems",
    "maxItems", "pattern", "anyOf", "propertyNames",
}
DROP = {"title", "description", "default", "examples", "deprecated", "$comment", "$schema"}


def _python_pattern(p: str) -> bool:
    try:
        re.compile(p)
    except re.error:
        return False
    return "\\p{" not in p and "(?<" not in p.replace("(?<=", "").replace("(?<!", "")


def trim(node: Any, path: tuple[str, ...] = ()) -> Any:
    if not isinstance(node, dict):
        return node
    whole = any(path[: len(k)] == k for k in KEEP_WHOLE)
    if len(path) > DEPTH and not whole and not any(k[: len(path)] == path for k in KEEP_WHOLE):
        return {}
    keys = set(node) - DROP
    if keys - SUPPORTED:
        return {}  # oneOf, format, allOf...: leave it to OpenClaw
    out: dict[str, Any] = {}
    for k in sorted(keys):
        v = node[k]
        if k == "properties":
            out[k] = {name: trim(sub, (*path, name)) for name, sub in v.items()}
        elif k == "patternProperties":
            out[k] = {pat: trim(sub, (*path, "*")) for pat, sub in v.items() if _python_pattern(pat)}
            if len(out[k]) != len(v):
                return {}
        elif k == "additionalProperties":
            out[k] = trim(v, (*path, "*")) if isinstance(v, dict) else v
        elif k == "items":
            out[k] = [trim(x, path) for x in v] if isinstance(v, list) else trim(v, path)
        elif k == "anyOf":
            out[k] = [trim(x, path) for x in v]
            if any(x == {} for x in out[k]):
                return {}
        elif k == "propertyNames":
            out[k] = trim(v, path)
        elif k == "required":
            # zod exports fields that have a default as required; the input OpenClaw validates may omit them
            props = node.get("properties", {})
            out[k] = [r for r in v if not (isinstance(props.get(r), dict) and "default" in props[r])]
            if not out[k]:
                del out[k]
        elif k == "pattern":
            if not _python_pattern(v):
                continue
            out[k] = v
        else:
            out[k] = v
    return out


#: keys the exported schema does not list but ``openclaw config validate`` accepts, migrating them with a
#: warning (seen with OpenClaw 2026.9.6: provider-level contextWindow moves to models[].contextWindow)
LEGACY = {("models", "providers", "*"): {"contextWindow": {"type": "integer"}}}


def _node(schema: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    for part in path:
        schema = schema["additionalProperties"] if part == "*" else schema["properties"][part]
    return schema


def derive(real: dict[str, Any]) -> dict[str, Any]:
    schema = trim(real)
    for path, props in LEGACY.items():
        _node(schema, path).setdefault("properties", {}).update(props)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": "Derived from `openclaw config schema` (OpenClaw 2026.9.6) by tests/conformance/openclaw_schema.py; "
                    "do not edit by hand.",
        **schema,
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        sys.stdout.write(render(derive(json.load(fh))))
