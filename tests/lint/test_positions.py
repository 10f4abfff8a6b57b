"""The store's JSON5 parser locates keys and values exactly like the json-five round-trip model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.store import parse_text
from configurator.store.positions import json_positions

HERE = Path(__file__).resolve().parent


def _locate_json(text: str, path: list, *, value: bool) -> tuple[int, int]:
    """The reference: walk json-five's model (what the store used before it had its own parser)."""
    from json5 import model as m

    from configurator.store.formats import key_name, parse_json5_model

    node: Any = parse_json5_model(text)
    best = (node.lineno, node.col_offset + 1)
    for part in path:
        if isinstance(node, m.JSONObject):
            hit = None
            for kv in node.key_value_pairs:
                if key_name(kv.key) == str(part):
                    hit = kv
            if hit is None:
                return best
            best = (hit.key.lineno, hit.key.col_offset + 1)
            node = hit.value
        elif isinstance(node, m.JSONArray) and isinstance(part, int) and 0 <= part < len(node.values):
            node = node.values[part]
            best = (node.lineno, node.col_offset + 1)
        else:
            return best
    if value:
        return node.lineno, node.col_offset + 1
    return best


def paths_of(data: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out += paths_of(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += paths_of(v, prefix + (i,))
    return out


def agree(text: str, fmt: str, limit: int | None = None) -> None:
    data = parse_text(text, fmt)
    pos = json_positions(text)
    assert pos is not None, text
    every = paths_of(data)
    if limit is not None and len(every) > limit:  # the json-five model costs ~10 ms a call: sample spread-out paths
        every = every[:: max(1, len(every) // limit)]
    for p in every + [("missing",), (*every[-1], "deeper", 3)]:
        for value in (False, True):
            assert pos.locate(p, value=value) == _locate_json(text, list(p), value=value), (p, value)


def test_case_files_agree() -> None:
    files = [f for f in (HERE / "cases").glob("*/*") if f.suffix in (".json", ".json5")]
    checked = 0
    for f in files:
        text = f.read_text(encoding="utf-8")
        fmt = "json5" if f.suffix == ".json5" else "json"
        try:
            parse_text(text, fmt)
        except Exception:  # noqa: BLE001 - the parse-error cases
            continue
        agree(text, fmt)
        checked += 1
    assert checked > 25


KEYS = st.text(alphabet=st.sampled_from('ab_$Z9é"\\ \n\t/'), min_size=0, max_size=6)
VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
              st.text(max_size=8)),
    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(KEYS, c, max_size=4)), max_leaves=12)


@settings(max_examples=120, deadline=None)
@given(doc=st.dictionaries(KEYS, VALUES, max_size=5), indent=st.sampled_from([None, 1, 2, "\t"]))
def test_generated_json_agrees(doc: dict[str, Any], indent: Any) -> None:
    agree(json.dumps(doc, indent=indent, ensure_ascii=False), "json", limit=4)


def test_json5_spellings_agree() -> None:
    text = """// leading comment
{
  bare: 1, 'single': 'q\\'s', "dq": [ +1, -2.5, .5, 0x1F, Infinity, -Infinity, NaN, ],
  /* block */ nested: { a: { b: [ { c: null } ] } }, $id: true,
  dup: 1, dup: { later: 2 },
}
"""
    agree(text, "json5")


def test_scanner_gives_up_on_what_it_cannot_read() -> None:
    assert json_positions("{ a: 1 ") is None
    assert json_positions("{ a: undefined }") is None


def test_unterminated_block_comment() -> None:
    from configurator.store.formats import unterminated_block_comment

    assert unterminated_block_comment('{ a: "/*", /* ok */ b: 1 // /* fine\n}') is None
    assert unterminated_block_comment("{ a: 'it\\'s', /* open\n b: 1 }") == 14


def test_unclosed_comment_does_not_hang(tmp_path: Path) -> None:
    import time

    from configurator.lint import lint_paths, lint_text

    text = '{\n  a: 1,\n  /* unterminated\n' + '  "k": "v",\n' * 200 + "}\n"
    t = time.monotonic()
    (f,) = lint_text(text, "openclaw", "openclaw.json")
    p = tmp_path / "openclaw.json"
    p.write_text(text)
    (g,) = lint_paths([p]).findings
    assert time.monotonic() - t < 5
    assert (f.rule, f.line, f.column) == (g.rule, g.line, g.column) == ("parse-error", 3, 3)
