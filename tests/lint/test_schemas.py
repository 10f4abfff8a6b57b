"""Our schemas are valid JSON Schema 2020-12, use only what the fast validator implements, and the fast
validator agrees with jsonschema (which produces the error details) on generated documents."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.lint.kinds import KINDS
from configurator.lint.schema import SUPPORTED, is_valid, load_schema

NAMES = sorted({k.schema for k in KINDS.values()})


def keywords(node: Any, parent_is_map: bool = False) -> set[str]:
    out: set[str] = set()
    if isinstance(node, dict):
        for k, v in node.items():
            if not parent_is_map:
                out.add(k)
            out |= keywords(v, parent_is_map=k in ("properties", "$defs", "patternProperties") and not parent_is_map)
    elif isinstance(node, list):
        for v in node:
            out |= keywords(v)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_schema_is_valid_and_uses_supported_keywords(name: str) -> None:
    from jsonschema import Draft202012Validator

    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    unknown = {k for k in keywords(schema) if k not in SUPPORTED and not k.startswith("x-")}
    assert unknown == set()


def _doc(r: random.Random, schema: dict[str, Any], depth: int = 0) -> Any:
    """Mostly-valid documents shaped by the schema, with random breakage."""
    props = schema.get("properties", {})
    out: dict[str, Any] = {}
    for key in r.sample(sorted(props), min(len(props), r.randrange(5))):
        out[key] = _value(r, props[key], depth + 1)
    if r.random() < 0.3:
        out[r.choice(["bogus", "x", "model", "env"])] = _value(r, {}, depth + 1)
    return out


def _value(r: random.Random, schema: Any, depth: int) -> Any:
    if not isinstance(schema, dict) or depth > 4 or r.random() < 0.15:
        return r.choice([None, True, 1, -1, 0.5, "s", "", [], {}, ["a"], {"k": "v"}, 2**40])
    if "enum" in schema:
        return r.choice(schema["enum"] + ["not-in-enum"])
    t = schema.get("type")
    t = r.choice(t) if isinstance(t, list) else t
    if t == "object" or "properties" in schema:
        return _doc(r, schema, depth)
    if t == "array":
        return [_value(r, schema.get("items", {}), depth + 1) for _ in range(r.randrange(3))]
    return {"string": "text", "integer": 7, "number": 1.5, "boolean": False, "null": None}.get(t, "x")


@settings(max_examples=300, deadline=None, database=None)
@given(name=st.sampled_from(NAMES), seed=st.integers(0, 2**32 - 1))
def test_fast_validator_agrees_with_jsonschema(name: str, seed: int) -> None:
    from jsonschema import Draft202012Validator

    schema = load_schema(name)
    doc = _doc(random.Random(seed), schema)
    json.dumps(doc)
    assert is_valid(schema, doc, schema) == Draft202012Validator(schema).is_valid(doc), doc
