"""store.locate: the line:column a finding points at (1-based), for JSON, JSON5 and TOML."""

from __future__ import annotations

import pytest

from configurator.store import locate

JSON = '{\n  "env": {\n    "A": "x",\n    "B": [1, {"c": 2}]\n  }\n}\n'
JSON5 = "// top\n{\n  env: {\n    A: 'x', // c\n    'B': [1, {c: 2,},],\n  },\n}\n"
TOML = (
    'model = "x"  # c\n'
    '"quoted.key" = 1\n'
    "a.b . c = 2\n"
    '[profiles."my p"]\n'
    'z = "\u2028 a line separator inside a string"\n'
    "q = 1\n"
    'ml = """\n'
    "[not_a_table]\n"
    '"""\n'
    "[[arr]]\n"
    "k = 1\n"
    "[[arr]]\n"
    "k = 2\n"
)

CASES = [
    ("json", JSON, ("env", "B"), False, (4, 5)),
    ("json", JSON, ("env", "B"), True, (4, 10)),
    ("json", JSON, ("env", "B", 1, "c"), False, (4, 15)),
    ("json", JSON, ("env", "missing"), False, (2, 3)),  # falls back to the deepest parent found
    ("json", JSON, ("nope",), False, (1, 1)),
    ("json5", JSON5, ("env", "A"), False, (4, 5)),
    ("json5", JSON5, ("env", "A"), True, (4, 8)),
    ("json5", JSON5, ("env", "B", 1, "c"), False, (5, 15)),
    ("json5", "{ broken", ("a",), False, (1, 1)),
    ("toml", TOML, ("model",), False, (1, 1)),
    ("toml", TOML, ("model",), True, (1, 9)),
    ("toml", TOML, ("quoted.key",), False, (2, 1)),
    ("toml", TOML, ("a", "b", "c"), True, (3, 11)),
    ("toml", TOML, ("profiles", "my p"), False, (4, 2)),  # the table header
    ("toml", TOML, ("profiles", "my p", "q"), False, (6, 1)),
    ("toml", TOML, ("not_a_table",), False, (1, 1)),
    ("toml", TOML, ("arr", "1", "k"), True, (13, 5)),
]


@pytest.mark.parametrize(("fmt", "text", "path", "value", "expected"), CASES)
def test_locate(fmt: str, text: str, path: tuple, value: bool, expected: tuple[int, int]) -> None:
    assert locate(text, fmt, path, value=value) == expected
