"""The shortcuts taken for big files (issue 17, item 10) give the same answers as the plain way."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.agents.base import register_secrets
from configurator.lint.schema import is_valid
from configurator.lint.secrets_scan import has_string, is_secret_key, iter_secrets, iter_strings
from configurator.store import Change
from configurator.store.jsonedit import apply_changes
from configurator.store.transaction import _common

KEYS = st.sampled_from(["apiKey", "env", "ANTHROPIC_AUTH_TOKEN", "history", "x", "tokens", "url", "password",
                        "helper", "display"])
VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.sampled_from(["", "sk-live-0123456789abcdef",
                                                                         "https://u:p@h/x", "a://b", "x@y"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=30)


def _secrets_recursive(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str]]:
    out: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and is_secret_key(key):
                out.append((path + (key,), value))
            elif isinstance(value, (dict, list)):
                out += _secrets_recursive(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            if isinstance(value, (dict, list)):
                out += _secrets_recursive(value, path + (i,))
    return out


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_iter_secrets_walks_in_document_order(data: Any) -> None:
    assert list(iter_secrets(data)) == _secrets_recursive(data)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_has_string_agrees_with_iter_strings(data: Any) -> None:
    for parts in (("://", "@"), ("@",), ("sk-",)):
        assert has_string(data, *parts) == any(all(p in s for p in parts) for _, s in iter_strings(data))


def test_common_prefix_of_lines() -> None:
    rng = random.Random(17)
    for _ in range(500):
        a = [str(rng.randint(0, 2)) for _ in range(rng.randint(0, 9000))]
        b = list(a)
        roll = rng.random()
        if roll < 0.3:
            b = b[: rng.randint(0, len(b))]
        elif a and roll < 0.8:
            b[rng.randint(0, len(a) - 1)] = "x"
        else:
            b.append("y")
        expected = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                        min(len(a), len(b)))
        assert _common(a, b) == expected
        assert _common(b, a) == expected


def test_schema_items_of_one_type() -> None:
    schema: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
    assert is_valid(schema, ["a"] * 1000, schema)
    assert not is_valid(schema, ["a"] * 1000 + [1], schema)
    ints: dict[str, Any] = {"type": "array", "items": {"type": "integer"}}
    assert is_valid(ints, [1, 2.0], ints) and not is_valid(ints, [True], ints)


def test_many_edits_keep_crlf_and_add_no_carriage_return() -> None:
    data = {"a": 1, "env": {"KEEP": "1"}, "list": [1, 2]}
    changes = [Change(("env", "K1"), "v\r1"), Change(("env", "K2"), {"x": "\r"}), Change(("b",), True)]
    lf = json.dumps(data, indent=2) + "\n"
    out = apply_changes(lf, changes, fmt="json")
    assert "\r" not in out and json.loads(out)["env"]["K1"] == "v\r1"
    crlf = lf.replace("\n", "\r\n")
    out = apply_changes(crlf, changes, fmt="json")
    assert out.count("\n") == out.count("\r\n") and json.loads(out)["env"]["K2"] == {"x": "\r"}


def test_register_secrets_finds_keys_in_lists_and_objects() -> None:
    from configurator import secrets

    key = "sk-fastpath-REGISTER-0123456789"
    register_secrets({"projects": [{"mcpServers": {"s": {"env": {"API_TOKEN": key, "TOKEN_FILE": "a" * 20}}}}]})
    assert key not in secrets.redact(f"x {key} y")
