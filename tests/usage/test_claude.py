"""Claude Code transcripts: de-duplication, skipped lines, local days around midnight.

Expected numbers are worked out by hand from the fixture described in ``conftest.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.usage.report import build

SONNET = "claude-sonnet-4-5-20250929"
HAIKU = "claude-haiku-4-5-20251001"
PRO = "deepseek-v4-pro"
C = "claude-code"


@pytest.fixture
def claude_rows(home: Path, install, rows_by_key):
    install(home, codex=False, openclaw=False)

    def rows(tz: str) -> dict:
        return rows_by_key(build(tz=tz, tools="claude-code").rows)

    return rows


def test_los_angeles_days(claude_rows) -> None:
    # msg_01AAA's larger copy is at 07:00:01Z = 00:00:01 PDT on 2026-10-01 (its first copy, 23:59:59 the
    # day before, loses); msg_01CCC at 06:59Z on 10-02 is still 2026-10-01 in Los Angeles.
    assert claude_rows("America/Los_Angeles") == {
        # AAA (3, 2000, 1000, 50) + BBB (5, 3000, 0, 20) + CCC once (7, 0, 0, 70)
        ("2026-10-01", C, SONNET): (3 + 5 + 7, 2000 + 3000, 1000, 50 + 20 + 70, 3),
        ("2026-10-01", C, HAIKU): (11, 33, 44, 22, 1),
        ("2026-10-02", C, SONNET): (1, 0, 300, 2, 1),
        ("2026-10-02", C, PRO): (2, 10, 0, 4, 1),
    }


def test_tokyo_days(claude_rows) -> None:
    # +09:00: BBB (15:30Z) and EEE (20:00Z) fall on 2026-10-02, FFF (03:00Z on 10-03) on 10-03.
    assert claude_rows("Asia/Tokyo") == {
        ("2026-10-01", C, SONNET): (3, 2000, 1000, 50, 1),
        ("2026-10-02", C, SONNET): (5 + 7 + 1, 3000, 300, 20 + 70 + 2, 3),
        ("2026-10-02", C, HAIKU): (11, 33, 44, 22, 1),
        ("2026-10-03", C, PRO): (2, 10, 0, 4, 1),
    }


def test_utc_days(claude_rows) -> None:
    assert claude_rows("UTC") == {
        ("2026-10-01", C, SONNET): (3 + 5, 5000, 1000, 70, 2),
        ("2026-10-01", C, HAIKU): (11, 33, 44, 22, 1),
        ("2026-10-02", C, SONNET): (7 + 1, 0, 300, 72, 2),
        ("2026-10-03", C, PRO): (2, 10, 0, 4, 1),
    }


def test_skipped_lines_are_counted_not_fatal(home: Path, install) -> None:
    install(home, codex=False, openclaw=False)
    report = build(tz="UTC", tools="claude-code")
    # the truncated line and the record with "requestId":null, both in session 1111…
    assert report.skipped == {"lines": 2, "files": 1, "malformed_lines": 1, "invalid_records": 1, "unreadable_files": 0}
    assert any(n.startswith("2 lines skipped in 1 file ") for n in report.notes)


def test_ccusage_20_0_24_compat_counts_each_block_without_request_id(home: Path, install) -> None:
    """ccusage 20.0.24 keys a response without requestId by (session, time): both CCC lines count."""
    from configurator.usage.dates import resolve_zone
    from configurator.usage.scanner import scan

    install(home, codex=False, openclaw=False)
    result = scan(zone=resolve_zone("America/Los_Angeles"), tools=("claude-code",), ccusage_compat=True)
    assert result.rows[("2026-10-01", C, SONNET)] == [3 + 5 + 7 + 7, 5000, 1000, 50 + 20 + 70 + 70, 4]


def _line(mid: str | None, rid: str | None, ts: str, usage: dict, *, side: bool = False, sid: str = "s1",
          model: str = "m", **extra) -> str:
    d = {"parentUuid": None, "isSidechain": side, "userType": "external", "cwd": "/p", "sessionId": sid,
         "version": "2.0.14", "message": {"id": mid, "type": "message", "role": "assistant", "model": model,
                                          "content": [{"type": "text", "text": "x"}], "stop_reason": None,
                                          "stop_sequence": None, "usage": usage},
         "type": "assistant", "uuid": "u", "timestamp": ts}
    if mid is None:
        del d["message"]["id"]
    if rid is not None:
        d["requestId"] = rid
    d.update(extra)
    return json.dumps(d, separators=(",", ":"))


def _write(home: Path, name: str, lines: list[str]) -> None:
    path = home / ".claude" / "projects" / "p" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def _inputs(home: Path) -> int:
    return build(tz="UTC", tools="claude-code").totals["input_tokens"]


@pytest.mark.parametrize(("lines", "expected"), [
    # same response twice in one file / across files: once
    ([_line("a", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": 10, "output_tokens": 1})] * 2, 10),
    # same message id, different request ids (a retry): both count
    ([_line("a", "r1", "2026-01-01T00:00:00.000Z", {"input_tokens": 10, "output_tokens": 1}),
      _line("a", "r2", "2026-01-01T00:00:00.000Z", {"input_tokens": 10, "output_tokens": 1})], 20),
    # no message id: never merged
    ([_line(None, "r", "2026-01-01T00:00:00.000Z", {"input_tokens": 10, "output_tokens": 1})] * 2, 20),
    # missing output_tokens, negative or fractional counts, empty ids, a bad version: skipped
    ([_line("a", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": 10})], 0),
    ([_line("a", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": -1, "output_tokens": 1})], 0),
    ([_line("a", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": 1.5, "output_tokens": 1})], 0),
    ([_line("", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": 10, "output_tokens": 1})], 0),
    ([_line("a", "", "2026-01-01T00:00:00.000Z", {"input_tokens": 10, "output_tokens": 1})], 0),
    ([_line("a", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": 10, "output_tokens": 1}, version="dev")], 0),
    # "field":null anywhere in the line for ccusage's list of fields: skipped, like ccusage
    ([_line("a", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": 10, "output_tokens": 1}, cwd=None)], 0),
    ([_line("a", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": 10, "output_tokens": 1, "speed": None})], 0),
    # nulls Claude Code writes in newer versions are fine; "id":null inside a tool input is not (ccusage's rule)
    ([_line("a", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": 10, "output_tokens": 1, "service_tier": None},
            context_management=None).replace('"stop_sequence":null', '"stop_sequence":null,"container":null,'
                                             '"stop_details":null')], 10),
    ([_line("a", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": 10, "output_tokens": 1}).replace(
        '{"type":"text","text":"x"}', '{"type":"tool_use","id":"t","name":"mcp","input":{"id":null}}')], 0),
    ([_line("a", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": 10, "output_tokens": 1}, requestId=None)], 0),
    # a sidechain replay of a parent message under a new request id is the same response
    ([_line("a", "r1", "2026-01-01T00:00:00.000Z", {"input_tokens": 10, "output_tokens": 1}),
      _line("a", "r2", "2026-01-01T00:00:00.000Z", {"input_tokens": 99, "output_tokens": 1}, side=True)], 10),
    # ... and the parent's copy replaces a sidechain copy read first
    ([_line("a", "r2", "2026-01-01T00:00:00.000Z", {"input_tokens": 99, "output_tokens": 1}, side=True),
      _line("a", "r1", "2026-01-01T00:00:00.000Z", {"input_tokens": 10, "output_tokens": 1})], 10),
    # same key: the larger total wins, whatever the order
    ([_line("a", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": 10, "output_tokens": 1}),
      _line("a", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": 30, "output_tokens": 1})], 30),
    ([_line("a", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": 30, "output_tokens": 1}),
      _line("a", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": 10, "output_tokens": 1})], 30),
    # subagent progress records nested in the parent transcript count
    (['{"type":"progress","data":{"message":{"type":"assistant","timestamp":"2026-01-01T00:00:00.000Z",'
      '"requestId":"r8","message":{"id":"m8","model":"m","usage":{"input_tokens":8,"output_tokens":0}}}},'
      '"timestamp":"2026-01-01T00:00:00.000Z"}'], 8),
])
def test_record_rules(home: Path, lines: list[str], expected: int) -> None:
    _write(home, "a.jsonl", lines)
    assert _inputs(home) == expected


def test_duplicates_across_files(home: Path) -> None:
    line = _line("a", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": 10, "output_tokens": 1})
    _write(home, "a.jsonl", [line])
    _write(home, "b.jsonl", [line.replace('"sessionId":"s1"', '"sessionId":"s2"')])
    gateway = _line("g", None, "2026-01-01T00:00:00.000Z", {"input_tokens": 100, "output_tokens": 1})
    _write(home, "c.jsonl", [gateway])
    _write(home, "d.jsonl", [gateway.replace("00:00:00.000Z", "00:00:09.000Z")])
    assert _inputs(home) == 10 + 100


def test_claude_config_dir_list_and_projects_folder(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one, two = home / "one", home / "two"
    for root, n in ((one, 1), (two, 20)):
        path = root / "projects" / "p" / "s.jsonl"
        path.parent.mkdir(parents=True)
        path.write_text(_line(f"m{n}", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": n, "output_tokens": 0}) + "\n")
    # a path may name the projects/ folder itself; a missing one is ignored
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", f"{one}, {two / 'projects'},{home / 'missing'}")
    report = build(tz="UTC", tools="claude-code")
    assert report.totals["input_tokens"] == 21
    assert report.scan["roots"]["claude-code"] == [str(one), str(two)]


def test_claude_config_dir_without_projects_is_a_note(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(home / "nothing"))
    report = build(tz="UTC", tools="claude-code")
    assert report.rows == []
    assert any("CLAUDE_CONFIG_DIR=" in n and "no Claude Code transcripts" in n for n in report.notes)


def test_xdg_config_location(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = home / "xdg" / "claude" / "projects" / "p" / "s.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text(_line("m", "r", "2026-01-01T00:00:00.000Z", {"input_tokens": 5, "output_tokens": 0}) + "\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg"))
    assert _inputs(home) == 5


_KEYS = ["id", "cwd", "model", "speed", "costUSD", "version", "sessionId", "requestId", "isApiErrorMessage",
         "cache_read_input_tokens", "cache_creation_input_tokens", "stop_reason", "xid", "Id", "container", 'a"id',
         "id:", ""]
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5),
                     st.text(alphabet='ab:"\\{}nul id', max_size=12), st.sampled_from(['"id":null', ':null', 'x":null']))
_JSON = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.sampled_from(_KEYS), inner, max_size=5)),
                     max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(_KEYS), _JSON, max_size=6))
def test_null_rule_matches_ccusage_literal_port(doc: dict) -> None:
    from configurator.usage.claude import ccusage_null_rule, has_unsupported_null

    line = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
    assert has_unsupported_null(line) == ccusage_null_rule(line)
    assert has_unsupported_null(bytearray(line)) == ccusage_null_rule(line)
