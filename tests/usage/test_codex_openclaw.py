"""Codex rollouts (increase of cumulative totals, re-emitted totals, forks) and OpenClaw transcripts.

Expected numbers are worked out by hand from the fixtures described in ``conftest.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.usage.report import build

X = "codex"
OC = "openclaw"


def test_codex_counts_increases_of_the_cumulative_total(home: Path, install, rows_by_key) -> None:
    install(home, claude=False, openclaw=False)
    report = build(tz="America/Los_Angeles", tools="codex")
    # (input incl. cached, cached, output incl. reasoning) increases:
    #   (1000, 200, 100) first event; re-emission and the rate-limit-only event add nothing;
    #   (1500, 700, 130) - (1000, 200, 100) = (500, 500, 30); then gpt-5.1-codex:
    #   (2600, 700, 330) - (1500, 700, 130) = (1100, 0, 200) at 06:59:59Z = 23:59:59 PDT on 10-01.
    # The fork copies the first two totals (replays) and adds (3000,1500,200) - (1500,700,130) = (1500,800,70).
    # Reported input excludes cached input.
    assert rows_by_key(report.rows) == {
        ("2026-10-01", X, "gpt-5-codex"): (800 + 0, 200 + 500, 0, 100 + 30, 2),
        ("2026-10-01", X, "gpt-5.1-codex"): (1100, 0, 0, 200, 1),
        ("2026-10-02", X, "gpt-5-codex"): (1500 - 800, 800, 0, 70, 1),
    }
    assert report.skipped["malformed_lines"] == 1
    assert any("1 Codex session file is a copy" in n for n in report.notes)


def test_codex_tokyo_day_of_the_late_event(home: Path, install, rows_by_key) -> None:
    install(home, claude=False, openclaw=False)
    rows = rows_by_key(build(tz="Asia/Tokyo", tools="codex").rows)
    assert rows[("2026-10-02", X, "gpt-5.1-codex")] == (1100, 0, 0, 200, 1)
    assert rows[("2026-10-01", X, "gpt-5-codex")] == (800, 700, 0, 130, 2)


def _rollout(home: Path, name: str, lines: list[dict]) -> None:
    path = home / ".codex" / "sessions" / "2026" / "01" / "01" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))


def _tc(ts: str, total: tuple, last: tuple | None) -> dict:
    names = ("input_tokens", "cached_input_tokens", "output_tokens", "reasoning_output_tokens")
    info = {"total_token_usage": dict(zip(names, total, strict=True))}
    if last is not None:
        info["last_token_usage"] = dict(zip(names, last, strict=True))
    return {"timestamp": ts, "type": "event_msg", "payload": {"type": "token_count", "info": info}}


def test_codex_fork_that_only_references_its_parent(home: Path) -> None:
    """A fork whose totals start from the parent's without copied events counts its last usage."""
    meta = {"timestamp": "2026-01-01T10:00:00.000Z", "type": "session_meta",
            "payload": {"id": "c", "forked_from_id": "gone"}}
    _rollout(home, "rollout-2026-01-01T10-00-00-cccccccc-cccc-4ccc-8ccc-cccccccccccc.jsonl", [
        meta, {"timestamp": "2026-01-01T10:00:01.000Z", "type": "turn_context", "payload": {"model": "gpt-5"}},
        _tc("2026-01-01T10:00:09.000Z", (5000, 0, 500, 0), (100, 0, 10, 0)),
        _tc("2026-01-01T10:01:00.000Z", (5300, 100, 520, 0), (300, 100, 20, 0)),
    ])
    report = build(tz="UTC", tools="codex")
    assert report.totals["input_tokens"] == 100 + 200
    assert report.totals["cache_read_tokens"] == 100
    assert report.totals["output_tokens"] == 10 + 20


def test_codex_totals_without_last_usage_and_a_reset(home: Path) -> None:
    _rollout(home, "rollout-2026-01-01T10-00-00-dddddddd-dddd-4ddd-8ddd-dddddddddddd.jsonl", [
        {"timestamp": "2026-01-01T10:00:00.000Z", "type": "turn_context", "payload": {"model": "gpt-5"}},
        _tc("2026-01-01T10:00:09.000Z", (100, 0, 10, 0), None),
        _tc("2026-01-01T10:00:19.000Z", (50, 0, 5, 0), None),    # went down: nothing, new base
        _tc("2026-01-01T10:00:29.000Z", (80, 0, 9, 0), None),    # +30, +4
    ])
    report = build(tz="UTC", tools="codex")
    assert (report.totals["input_tokens"], report.totals["output_tokens"], report.totals["requests"]) == (130, 14, 2)


def test_codex_home_is_respected(home: Path, install, monkeypatch: pytest.MonkeyPatch) -> None:
    install(home, claude=False, openclaw=False)
    (home / ".codex").rename(home / "elsewhere")
    monkeypatch.setenv("CODEX_HOME", str(home / "elsewhere"))
    assert build(tz="UTC", tools="codex").totals["requests"] == 4


def test_openclaw_usage_per_message(home: Path, install, rows_by_key) -> None:
    install(home, claude=False, codex=False)
    report = build(tz="America/Los_Angeles", tools="openclaw")
    assert rows_by_key(report.rows) == {
        # the reset archive: 20:00Z on 09-30 = 13:00 PDT
        ("2026-09-30", OC, "deepseek-v4-flash"): (1, 0, 0, 1, 1),
        # the model from model_change (100 in, 1000 cache read, 20 out), a total-only record (40, as output),
        # and the legacy ~/.clawdbot session (3 in, 3 out)
        ("2026-10-01", OC, "deepseek-v4-pro"): (100 + 3, 1000, 0, 20 + 40 + 3, 3),
        # the message's own model; the line written twice counts once; 07:30Z = 00:30 PDT on 10-02
        ("2026-10-02", OC, "deepseek-v4-flash"): (10, 0, 50, 5, 1),
    }
    assert report.skipped["malformed_lines"] == 1


def test_openclaw_state_dir_is_respected(home: Path, install, monkeypatch: pytest.MonkeyPatch, rows_by_key) -> None:
    install(home, claude=False, codex=False)
    (home / ".openclaw").rename(home / "state")
    monkeypatch.setenv("OPENCLAW_STATE_DIR", str(home / "state"))
    rows = rows_by_key(build(tz="UTC", tools="openclaw").rows)
    assert rows[("2026-10-02", OC, "deepseek-v4-flash")] == (10, 0, 50, 5, 1)


def test_openclaw_alternate_usage_names(home: Path) -> None:
    path = home / ".openclaw" / "agents" / "work" / "sessions" / "s.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"type": "message", "id": "a1", "timestamp": "2026-01-01T00:00:00.000Z", "message": {
        "role": "assistant", "model": "kimi-k2", "usage": {"prompt_tokens": 70, "completion_tokens": 7,
                                                         "prompt_tokens_details": {"cached_tokens": 30}}}}) + "\n")
    rows = build(tz="UTC", tools="openclaw").rows
    assert [(r["model"], r["input_tokens"], r["cache_read_tokens"], r["output_tokens"]) for r in rows] == [
        ("kimi-k2", 70, 30, 7)]


def _openclaw_db(path: Path, rows: list[tuple[str, int, str | None]]) -> None:
    """The transcript store of OpenClaw 2026.9 (schema as the real openclaw 2026.9.6 creates it)."""
    import sqlite3

    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE transcript_events (session_id TEXT, seq INTEGER, event_json TEXT, created_at INTEGER, "
                 "event_zstd BLOB, event_utf8_bytes INTEGER, navigation_json TEXT)")
    conn.executemany("INSERT INTO transcript_events (session_id, seq, event_json) VALUES (?, ?, ?)", rows)
    conn.commit()
    conn.close()


def test_openclaw_sqlite_transcripts(home: Path, rows_by_key) -> None:
    db = home / ".openclaw" / "agents" / "main" / "agent" / "openclaw-agent.sqlite"
    msg = {"type": "message", "id": "m1", "parentId": "p", "timestamp": "2026-10-05T23:30:00.000Z",
           "message": {"role": "assistant", "api": "openai-completions", "provider": "atlascloud",
                       "model": "deepseek-ai/deepseek-v4-pro",
                       "usage": {"input": 10, "output": 3, "cacheRead": 4, "cacheWrite": 0, "totalTokens": 17,
                                 "cost": {"total": 0}}, "stopReason": "stop"}}
    user = {"type": "message", "id": "u1", "timestamp": "2026-10-05T23:29:00.000Z",
            "message": {"role": "user", "content": [{"type": "text", "text": "ping"}]}}
    second = {**msg, "id": "m2", "timestamp": "2026-10-06T00:10:00.000Z"}
    _openclaw_db(db, [
        ("s1", 1, json.dumps({"type": "session", "id": "s1"})),
        ("s1", 2, json.dumps(user)),
        ("s1", 3, json.dumps(msg)),
        ("s1", 4, json.dumps(msg)),       # the same event stored twice counts once
        ("s1", 5, json.dumps(second)),
        ("s1", 6, None),                  # compressed only: skipped, reported
        ("s1", 7, "{\"usage\": not json"),
    ])
    report = build(tz="UTC", tools="openclaw")
    assert rows_by_key(report.rows) == {
        ("2026-10-05", OC, "deepseek-ai/deepseek-v4-pro"): (10, 4, 0, 3, 1),
        ("2026-10-06", OC, "deepseek-ai/deepseek-v4-pro"): (10, 4, 0, 3, 1),
    }
    assert report.skipped["malformed_lines"] == 2
    # Tokyo: both messages fall on 10-06 local time
    tokyo = rows_by_key(build(tz="Asia/Tokyo", tools="openclaw").rows)
    assert tokyo == {("2026-10-06", OC, "deepseek-ai/deepseek-v4-pro"): (20, 8, 0, 6, 2)}


# --- OpenClaw 2026.9: compressed events, reset/deleted archives, cold storage, .zst archives -------

_PRO = "deepseek-ai/deepseek-v4-pro"


def _oc_msg(mid: str, ts: str, inp: int, big: bool = False) -> dict:
    content = [{"type": "text", "text": "x" * (300_000 if big else 5)}]
    return {"type": "message", "id": mid, "timestamp": ts,
            "message": {"role": "assistant", "model": _PRO, "content": content,
                        "usage": {"input": inp, "output": 1, "cacheRead": 0, "cacheWrite": 0}}}


def _zstd(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor().compress(data)


def _jsonl(*events: dict) -> bytes:
    return b"".join(json.dumps(e).encode() + b"\n" for e in events)


def _store_2026_9(path: Path) -> None:
    """The three transcript tables of openclaw 2026.9.6 (columns as it creates them)."""
    import sqlite3

    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE transcript_events (session_id TEXT NOT NULL, seq INTEGER NOT NULL, event_json TEXT,
            created_at INTEGER NOT NULL, event_zstd BLOB, event_utf8_bytes INTEGER, navigation_json TEXT,
            PRIMARY KEY (session_id, seq));
        CREATE TABLE session_transcript_archives (session_id TEXT NOT NULL, generation TEXT NOT NULL,
            session_key TEXT NOT NULL, reason TEXT NOT NULL, encoding TEXT NOT NULL, archive_blob BLOB NOT NULL,
            archive_sha256 TEXT NOT NULL, archive_name TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL,
            published_at INTEGER, publish_attempts INTEGER NOT NULL DEFAULT 0, last_publish_attempt_at INTEGER,
            last_publish_error TEXT, PRIMARY KEY (session_id, generation));
        CREATE TABLE session_transcript_cold_archives (session_id TEXT NOT NULL PRIMARY KEY,
            generation TEXT NOT NULL, archive_name TEXT NOT NULL UNIQUE, archive_sha256 TEXT NOT NULL,
            event_count INTEGER NOT NULL, raw_bytes INTEGER NOT NULL, archive_bytes INTEGER NOT NULL,
            last_seq INTEGER NOT NULL, archived_at INTEGER NOT NULL, storage TEXT NOT NULL, archive_blob BLOB);
    """)
    conn.commit()
    conn.close()


def test_openclaw_compressed_events_archives_and_cold_storage(home: Path, rows_by_key) -> None:
    import sqlite3

    state = home / ".openclaw"
    db = state / "agents" / "main" / "agent" / "openclaw-agent.sqlite"
    _store_2026_9(db)
    live = _oc_msg("m1", "2026-10-05T10:00:00.000Z", 1)
    big = json.dumps(_oc_msg("m2", "2026-10-05T11:00:00.000Z", 20, big=True)).encode()
    reset = _jsonl({"type": "session", "id": "r"}, _oc_msg("m3", "2026-10-03T09:00:00.000Z", 300),
                   live)  # an archive written while a row of it is still live: counted once
    deleted = _jsonl(_oc_msg("m4", "2026-10-02T09:00:00.000Z", 4000))
    cold_row = _jsonl(_oc_msg("m5", "2026-09-01T09:00:00.000Z", 50000))
    cold_file = _jsonl(_oc_msg("m6", "2026-09-02T09:00:00.000Z", 600000))
    (state / "cold").mkdir()
    (state / "cold" / "s6.jsonl.zst").write_bytes(_zstd(cold_file))
    conn = sqlite3.connect(db)
    conn.executemany("INSERT INTO transcript_events (session_id, seq, event_json, created_at, event_zstd, "
                     "event_utf8_bytes) VALUES (?, ?, ?, 0, ?, ?)", [
                         ("s1", 1, json.dumps(live), None, None),
                         ("s1", 2, None, _zstd(big), len(big)),                 # a large event, compressed
                         ("s1", 3, None, b"\x28\xb5\x2f\xfd damaged", 100),      # unreadable: reported
                     ])
    conn.executemany("INSERT INTO session_transcript_archives (session_id, generation, session_key, reason, encoding,"
                     " archive_blob, archive_sha256, archive_name, created_at) VALUES (?, 'g', ?, ?, ?, ?, ?, ?, 0)", [
                         ("s1", "agent:main:main", "reset", "zstd", _zstd(reset), "0" * 64, "s1.reset"),
                         ("s4", "agent:main:x", "deleted", "identity", deleted, "1" * 64, "s4.deleted"),
                     ])
    conn.executemany("INSERT INTO session_transcript_cold_archives (session_id, generation, archive_name, "
                     "archive_sha256, event_count, raw_bytes, archive_bytes, last_seq, archived_at, storage, "
                     "archive_blob) VALUES (?, 'g', ?, ?, 1, 0, 0, 1, 0, ?, ?)", [
                         ("s5", "s5.jsonl.zst", "2" * 64, "sqlite", _zstd(cold_row)),
                         ("s6", "s6.jsonl.zst", "3" * 64, "file", None),
                     ])
    conn.commit()
    conn.close()
    report = build(tz="UTC", tools="openclaw")
    assert rows_by_key(report.rows) == {
        ("2026-09-01", OC, _PRO): (50000, 0, 0, 1, 1),
        ("2026-09-02", OC, _PRO): (600000, 0, 0, 1, 1),
        ("2026-10-02", OC, _PRO): (4000, 0, 0, 1, 1),
        ("2026-10-03", OC, _PRO): (300, 0, 0, 1, 1),
        ("2026-10-05", OC, _PRO): (21, 0, 0, 2, 2),
    }
    assert report.skipped["malformed_lines"] == 1


def test_openclaw_zstd_session_archives(home: Path, rows_by_key) -> None:
    sessions = home / ".openclaw" / "agents" / "main" / "sessions"
    sessions.mkdir(parents=True)
    (sessions / "s7.jsonl.deleted.2026-10-01T00-00-00.000Z.zst").write_bytes(
        _zstd(_jsonl(_oc_msg("m7", "2026-09-30T12:00:00.000Z", 7))))
    (sessions / "s8.jsonl.reset.2026-10-01T00-00-00.000Z.zst").write_bytes(b"not zstd at all")
    report = build(tz="UTC", tools="openclaw")
    assert rows_by_key(report.rows) == {("2026-09-30", OC, _PRO): (7, 0, 0, 1, 1)}
    assert report.skipped["malformed_lines"] == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=200), zstd_head=st.booleans(), encoding=st.sampled_from(["zstd", "identity"]))
def test_openclaw_damaged_archives_never_stop_the_scan(tmp_path_factory, blob: bytes, zstd_head: bool,
                                                       encoding: str) -> None:
    """Whatever bytes an archive or compressed event holds: skipped lines at worst, never an error."""
    import sqlite3

    from configurator.usage import openclaw
    from configurator.usage.dates import Bucketer, resolve_zone

    data = (b"\x28\xb5\x2f\xfd" + blob) if zstd_head else blob
    db = tmp_path_factory.mktemp("oc") / "agents" / "main" / "agent" / "openclaw-agent.sqlite"
    _store_2026_9(db)
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO transcript_events VALUES ('s', 1, NULL, 0, ?, ?, NULL)", (data, len(blob) + 1))
    conn.execute("INSERT INTO session_transcript_archives (session_id, generation, session_key, reason, encoding, "
                 "archive_blob, archive_sha256, archive_name, created_at) VALUES ('s', 'g', 'k', 'reset', ?, ?, "
                 "'0', 'n', 0)", (encoding, data))
    conn.execute("INSERT INTO session_transcript_cold_archives VALUES ('s', 'g', 'c', '0', 1, 0, 0, 1, 0, 'sqlite', ?)",
                 (data,))
    conn.commit()
    conn.close()
    entries, malformed, invalid = openclaw.read_file(str(db), Bucketer(resolve_zone("UTC").build()))
    assert entries == [] and malformed >= 1 and invalid == 0


def test_codex_cache_writes_are_their_own_column(home: Path, rows_by_key) -> None:
    """Codex 0.171 also logs cache_write_input_tokens, part of input_tokens like the cached part."""
    names = ("input_tokens", "cached_input_tokens", "cache_write_input_tokens", "output_tokens",
             "reasoning_output_tokens")

    def tc(ts: str, total: tuple, last: tuple) -> dict:
        info = {"total_token_usage": dict(zip(names, total, strict=True)),
                "last_token_usage": dict(zip(names, last, strict=True)), "last_usage_includes_reasoning": True,
                "model_context_window": 272000}
        return {"timestamp": ts, "ordinal": 3, "type": "event_msg",
                "payload": {"type": "token_count", "info": info, "rate_limits": None}}

    _rollout(home, "rollout-2026-01-01T10-00-00-eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee.jsonl", [
        {"timestamp": "2026-01-01T10:00:00.000Z", "type": "turn_context", "payload": {"model": "gpt-5.1-codex"}},
        tc("2026-01-01T10:00:09.000Z", (1000, 0, 800, 50, 10), (1000, 0, 800, 50, 10)),
        tc("2026-01-01T10:01:00.000Z", (2500, 800, 900, 80, 10), (1500, 800, 100, 30, 0)),
    ])
    rows = rows_by_key(build(tz="UTC", tools="codex").rows)
    # first turn: 1000 in = 200 plain + 800 written; second: 1500 in = 800 read + 100 written + 600 plain
    assert rows == {("2026-01-01", "codex", "gpt-5.1-codex"): (200 + 600, 800, 800 + 100, 80, 2)}
