"""The typed fast path of the Claude Code reader decides every line exactly as the plain rules do.

``claude.read_file`` decodes a line straight into the msgspec shapes of ``configurator.usage.shapes``
and only falls back to a dict and ``parse_record`` when a line does not fit them. Here hypothesis
builds lines from real shapes with fields removed, nulled or given the wrong type, and each line's
outcome (record, not a record, invalid, malformed) must be what the reference gives: the standard
``json`` module, ``parse_record`` and the null rule — the reader as it was before the fast path.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.usage import claude
from configurator.usage.dates import Bucketer, resolve_zone

ASSISTANT = {
    "parentUuid": "p", "isSidechain": False, "userType": "external", "cwd": "/w", "sessionId": "s1",
    "version": "2.1.58", "gitBranch": "main", "type": "assistant",
    "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                "content": [{"type": "text", "text": "hi"}], "stop_reason": None, "stop_sequence": None,
                "usage": {"input_tokens": 3, "cache_creation_input_tokens": 40, "cache_read_input_tokens": 500,
                          "cache_creation": {"ephemeral_5m_input_tokens": 30, "ephemeral_1h_input_tokens": 10},
                          "output_tokens": 7, "service_tier": "standard"}},
    "requestId": "req_1", "uuid": "u1", "timestamp": "2026-10-01T06:59:59.500Z",
}
PROGRESS = {
    "type": "progress", "sessionId": "s1", "version": "2.0.14", "timestamp": "2026-10-01T07:00:00.000Z",
    "data": {"message": {"type": "assistant", "timestamp": "2026-10-01T08:00:00.000Z", "requestId": "req_2",
                         "message": {"id": "msg_2", "model": "claude-haiku-4-5",
                                     "usage": {"input_tokens": 8, "output_tokens": 2}}}},
}

MISSING = object()
# values a field may get instead of its own: every JSON type, and the edge values of the rules
ODD = st.sampled_from([MISSING, None, True, False, 0, -1, 1.5, 10**20, "", "x", "2.1.0", "fast", "standard",
                       "2026-10-01T23:30:00+02:00", "not a time", [], [1], {}, {"a": 1},
                       {"ephemeral_5m_input_tokens": 5}])
PATHS = [
    ("sessionId",), ("version",), ("requestId",), ("timestamp",), ("isSidechain",), ("isApiErrorMessage",),
    ("costUSD",), ("cwd",), ("data",), ("message",), ("message", "id"), ("message", "model"),
    ("message", "usage"), ("message", "usage", "input_tokens"), ("message", "usage", "output_tokens"),
    ("message", "usage", "cache_creation_input_tokens"), ("message", "usage", "cache_read_input_tokens"),
    ("message", "usage", "cache_creation"), ("message", "usage", "speed"),
    ("message", "usage", "cache_creation", "ephemeral_5m_input_tokens"),
    ("message", "content", 0, "id"),
    ("data", "message"), ("data", "message", "requestId"), ("data", "message", "timestamp"),
    ("data", "message", "isSidechain"), ("data", "message", "isApiErrorMessage"), ("data", "message", "message"),
    ("data", "message", "message", "id"), ("data", "message", "message", "usage", "input_tokens"),
]


def _set(doc: dict, path: tuple, value: object) -> None:
    node = doc
    for key in path[:-1]:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return
        if not isinstance(node, (dict, list)):
            return
    last = path[-1]
    if isinstance(node, dict):
        if value is MISSING:
            node.pop(last, None)
        else:
            node[last] = copy.deepcopy(value)
    elif isinstance(node, list) and isinstance(last, int) and last < len(node) and value is not MISSING:
        node[last] = copy.deepcopy(value)


@st.composite
def lines(draw) -> bytes:
    doc = copy.deepcopy(draw(st.sampled_from([ASSISTANT, PROGRESS])))
    for path, value in draw(st.lists(st.tuples(st.sampled_from(PATHS), ODD), max_size=4)):
        _set(doc, path, value)
    text = json.dumps(doc, separators=(",", ":"))
    if draw(st.integers(0, 9)) == 0:
        text = text[: draw(st.integers(0, len(text)))]  # a line cut off mid-write
    return text.encode()


def reference(line: bytes, bucket: Bucketer, path_session: str | None = None) -> object:
    """What the plain rules make of one line (only lines with ``"usage":{`` are looked at)."""
    if claude.MARKER not in line:
        return None
    try:
        d = json.loads(line)
    except ValueError:
        return "malformed"
    if type(d) is not dict:
        return "malformed"
    rec = claude.parse_record(d, bucket, path_session)
    if rec is None:
        return None
    if rec is False or claude.has_unsupported_null(line):
        return "invalid"
    return rec


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=lines(), compat=st.booleans())
def test_fast_path_decides_like_the_rules(tmp_path: Path, line: bytes, compat: bool) -> None:
    """Also in ccusage 20.0.24 mode, where a response without requestId is keyed by session and time."""
    bucket = Bucketer(resolve_zone("Europe/Berlin").build())
    path = tmp_path / "t.jsonl"
    path.write_bytes(line + b"\n")
    records, malformed, invalid = claude.read_file(str(path), bucket, compat)
    got = "malformed" if malformed else "invalid" if invalid else records[0] if records else None
    assert got == reference(line, bucket, claude.session_from_path(str(path)) if compat else None)


def test_the_shapes_take_the_common_lines(tmp_path: Path) -> None:
    """The usual assistant and progress lines take the fast path (no dict is built for them)."""
    import msgspec

    from configurator.usage.shapes import claude_line

    for doc in (ASSISTANT, PROGRESS):
        obj = claude_line.decode(json.dumps(doc, separators=(",", ":")).encode())
        assert isinstance(obj, msgspec.Struct)
    bucket = Bucketer(resolve_zone("UTC").build())
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps(doc, separators=(",", ":")) + "\n" for doc in (ASSISTANT, PROGRESS)))
    records, malformed, invalid = claude.read_file(str(path), bucket)
    assert (malformed, invalid) == (0, 0)
    assert [r[5:9] for r in records] == [(3, 7, 40, 500), (8, 2, 0, 0)]
    assert [r[3] for r in records] == ["2026-10-01", "2026-10-01"]
