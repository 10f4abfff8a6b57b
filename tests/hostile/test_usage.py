"""Hostile agent logs through the real entry point (issue 17 item 11): no crash, no hang.

Every case is one line of :data:`CASES`: what is written under HOME (a log line nested 1,500 levels deep, a
timestamp at the edge of the calendar, a folder tree 1,200 deep, a log folder linked to ``/``, a FIFO or
``/dev/zero`` where a log is expected), the command, and a fragment of the output that says what was skipped.
For every case: exit 0, no traceback, the fragment in the output, the good records still counted, and a time
bound. Cases that used to hang (a FIFO, a crawl of the whole disk) run in a subprocess with a timeout; the rest
in-process through ``configurator.cli.main``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import run_cli

#: a valid JSON value nested deeper than Python's recursion limit (msgspec and json raise RecursionError)
DEEP = "[" * 1500 + "]" * 1500
DEEP_OBJECT = '{"a":' * 1500 + "1" + "}" * 1500
MODEL = "deepseek-ai/deepseek-v4-pro"  # has a credit rate in the shipped catalog: plan simulate can price it
TS = "2026-10-05T12:00:00.000Z"
#: how long one in-process case may take; a subprocess case gets SUBPROCESS_TIMEOUT
SECONDS = 5.0
SUBPROCESS_TIMEOUT = 20.0

Build = Callable[[Path], None]


# --- what a case writes under HOME -----------------------------------------------------------------


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _claude_line(ts: str = TS, rid: str = "req_1", extra: str = "") -> str:
    record = {"type": "assistant", "sessionId": "s-1", "version": "2.1.332", "timestamp": ts, "requestId": rid,
              "message": {"id": f"msg_{rid}", "model": MODEL,
                          "usage": {"input_tokens": 1000, "output_tokens": 10}}}
    text = json.dumps(record, separators=(",", ":"))
    return text[:-1] + extra + "}" if extra else text


def claude(*lines: str) -> Build:
    """A Claude Code transcript: one good response, then ``lines``."""
    return lambda home: _write(home / ".claude/projects/-home-dev-app/s-1.jsonl",
                               "\n".join([_claude_line(), *lines]) + "\n")


def _codex_event(ts: str, total: int, extra: str = "") -> str:
    usage = {"input_tokens": total, "cached_input_tokens": 0, "output_tokens": 1, "reasoning_output_tokens": 0,
             "total_tokens": total + 1}
    info = json.dumps({"total_token_usage": usage, "last_token_usage": usage}, separators=(",", ":"))
    return (f'{{"timestamp":"{ts}","type":"event_msg","payload":{{"type":"token_count","info":{info[:-1]}{extra}}},'
            '"rate_limits":null}}')


def codex(*lines: str) -> Build:
    """A Codex rollout: the model, one good token_count, then ``lines``."""
    context = json.dumps({"timestamp": TS, "type": "turn_context", "payload": {"model": "gpt-5-codex"}})
    return lambda home: _write(
        home / ".codex/sessions/2026/10/05/rollout-2026-10-05T12-00-00-aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa.jsonl",
        "\n".join([context, _codex_event(TS, 100), *lines]) + "\n")


def _openclaw_line(mid: str = "m1", ts: str = TS, extra: str = "") -> str:
    usage = '{"input":5,"output":1,"cacheRead":0,"cacheWrite":0}'
    return (f'{{"type":"message","id":"{mid}","timestamp":"{ts}","message":{{"role":"assistant",'
            f'"model":"{MODEL}","usage":{usage}{extra}}}}}')


def openclaw(*lines: str) -> Build:
    return lambda home: _write(home / ".openclaw/agents/main/sessions/s1.jsonl",
                               "\n".join([_openclaw_line(), *lines]) + "\n")


def openclaw_cold(target: Callable[[Path], None]) -> Build:
    """An OpenClaw 2026.9 store whose cold-storage row names the file ``cold/s2.jsonl``, made by ``target``."""

    def build(home: Path) -> None:
        openclaw()(home)
        state = home / ".openclaw"
        db = state / "agents/main/agent/openclaw-agent.sqlite"
        db.parent.mkdir(parents=True)
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE session_transcript_cold_archives (session_id TEXT NOT NULL PRIMARY KEY, "
                     "generation TEXT, archive_name TEXT, storage TEXT, archive_blob BLOB)")
        conn.execute("INSERT INTO session_transcript_cold_archives VALUES ('s2', 'g', 's2.jsonl', 'file', NULL)")
        conn.commit()
        conn.close()
        (state / "cold").mkdir()
        target(state / "cold" / "s2.jsonl")

    return build


def _opencode_db(path: Path, *data: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT, time_created INTEGER, "
                 "time_updated INTEGER, data TEXT)")
    conn.executemany("INSERT INTO message VALUES (?, 's', 0, 0, ?)", [(f"m{i}", d) for i, d in enumerate(data)])
    conn.commit()
    conn.close()


OPENCODE_DIR = ".local/share/opencode"
_OPENCODE_MESSAGE = json.dumps({"role": "assistant", "modelID": "deepseek-v4-pro", "providerID": "atlas",
                                "time": {"created": 1_791_201_600_000}, "tokens": {"input": 7, "output": 3}})


def opencode(*rows: str) -> Build:
    return lambda home: _opencode_db(home / OPENCODE_DIR / "opencode.db", _OPENCODE_MESSAGE, *rows)


def fifo(relative: str, then: Build | None = None) -> Build:
    def build(home: Path) -> None:
        if then is not None:
            then(home)
        path = home / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(path)

    return build


def link(relative: str, target: str, then: Build | None = None) -> Build:
    def build(home: Path) -> None:
        if then is not None:
            then(home)
        path = home / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)

    return build


DEPTH = 1200


def deep_tree(home: Path) -> None:
    """A transcript 1,200 folders below ``~/.claude/projects`` (made one level at a time: os.makedirs recurses)."""
    claude()(home)
    path = home / ".claude/projects/-home-dev-app"
    for _ in range(DEPTH):
        path = path / "d"
        os.mkdir(path)
    _write(path / "deep.jsonl", _claude_line(rid="req_deep") + "\n")


def remove_deep_tree(home: Path) -> None:
    """Removed here, bottom up: shutil.rmtree (pytest's clean-up) recurses once per level."""
    top = home / ".claude/projects/-home-dev-app"
    levels = [top / ("d/" * n).rstrip("/") for n in range(1, DEPTH + 1)]
    for folder in reversed(levels):
        if folder.is_dir():
            for child in folder.iterdir():
                if not child.is_dir():
                    child.unlink()
            folder.rmdir()


# --- the cases -------------------------------------------------------------------------------------

USAGE = ("usage", "--json")
SIMULATE = ("plan", "simulate", "--from-logs", "--json")
SKIPPED_LINE = "1 line skipped in 1 file"
NOT_READ = "1 file named like a log was not read: not a regular file"


@dataclass(frozen=True)
class Case:
    id: str
    build: Build
    args: tuple[str, ...]
    says: str  # a fragment of the output: what was skipped
    requests: int = 1  # the good records still counted (usage only)
    subprocess: bool = False  # used to hang: run in a subprocess with a timeout
    cleanup: Build | None = None


CASES = [
    # a valid line nested deeper than the recursion limit: that line skipped, the rest counted
    Case("claude-deep-array", claude(_claude_line(rid="r2", extra=f',"x":{DEEP}')), USAGE, SKIPPED_LINE),
    Case("claude-deep-object", claude(_claude_line(rid="r2", extra=f',"x":{DEEP_OBJECT}')), USAGE, SKIPPED_LINE),
    Case("claude-deep-simulate", claude(_claude_line(rid="r2", extra=f',"x":{DEEP}')), SIMULATE, "1 line skipped"),
    Case("codex-deep", codex(_codex_event("2026-10-05T12:01:00.000Z", 200, f',"x":{DEEP}')), USAGE, SKIPPED_LINE),
    Case("openclaw-deep", openclaw(_openclaw_line("m2", extra=f',"x":{DEEP}')), USAGE, SKIPPED_LINE),
    Case("opencode-deep", opencode('{"tokens":' + DEEP_OBJECT + "}"), USAGE, SKIPPED_LINE),
    # timestamps whose local date does not exist (past 9999-12-31, before 0001-01-01) or that would stretch
    # the history over millennia: an invalid record, skipped and counted
    Case("claude-9999-kiritimati", claude(_claude_line("9999-12-31T23:59:59.000Z", "r2")),
         (*USAGE, "--timezone", "Pacific/Kiritimati"), SKIPPED_LINE),
    Case("claude-0001-gmt+12", claude(_claude_line("0001-01-01T00:00:00.000Z", "r2")),
         (*USAGE, "--timezone", "Etc/GMT+12"), SKIPPED_LINE),
    Case("claude-9999-utc", claude(_claude_line("9999-12-31T12:00:00+00:00", "r2")),
         (*USAGE, "--timezone", "UTC"), SKIPPED_LINE),
    Case("codex-9999-kiritimati", codex(_codex_event("9999-12-31T23:59:59.000Z", 200)),
         (*USAGE, "--timezone", "Pacific/Kiritimati"), SKIPPED_LINE),
    Case("openclaw-0001-gmt+12", openclaw(_openclaw_line("m2", "0001-01-01T00:00:00Z")),
         (*USAGE, "--timezone", "Etc/GMT+12"), SKIPPED_LINE),
    Case("simulate-9999-kiritimati", claude(_claude_line("9999-12-31T23:59:59.000Z", "r2")),
         (*SIMULATE, "--timezone", "Pacific/Kiritimati"), "1 line skipped"),
    Case("simulate-0001-gmt+12", claude(_claude_line("0001-01-01T00:00:00.000Z", "r2")),
         (*SIMULATE, "--timezone", "Etc/GMT+12"), "1 line skipped"),
    Case("simulate-9999-utc", claude(_claude_line("9999-12-31T23:59:59.000Z", "r2")),
         (*SIMULATE, "--timezone", "UTC"), "1 line skipped"),
    # a folder tree 1,200 deep: walked without recursion, the transcript at its bottom counted
    Case("claude-tree-1200-deep", deep_tree, USAGE, "1 day of history", requests=2, cleanup=remove_deep_tree),
    # a log folder linked to / : not followed (it would crawl the whole disk), and said so
    Case("claude-projects-link-to-root", link(".claude/projects", "/"), USAGE, "is a link to /, outside",
         requests=0, subprocess=True),
    Case("codex-sessions-link-to-root", link(".codex/sessions", "/"), USAGE, "is a link to /, outside",
         requests=0, subprocess=True),
    Case("openclaw-sessions-link-to-root", link(".openclaw/agents/main/sessions", "/"), USAGE,
         "is a link to /, outside", requests=0, subprocess=True),
    Case("opencode-storage-link-to-root", link(f"{OPENCODE_DIR}/storage/message", "/", opencode()), USAGE,
         "is a link to /, outside", subprocess=True),
    # a FIFO (reading it blocks forever) or /dev/zero (never ends) where a log is expected: never opened
    Case("claude-transcript-fifo", fifo(".claude/projects/-home-dev-app/s-2.jsonl", claude()), USAGE, NOT_READ,
         subprocess=True),
    Case("claude-transcript-dev-zero", link(".claude/projects/-home-dev-app/s-2.jsonl", "/dev/zero", claude()),
         USAGE, NOT_READ, subprocess=True),
    Case("codex-rollout-fifo", fifo(".codex/sessions/rollout-2026-10-05T13-00-00-b.jsonl", codex()), USAGE, NOT_READ,
         subprocess=True),
    Case("codex-rollout-dev-zero", link(".codex/sessions/rollout-2026-10-05T13-00-00-b.jsonl", "/dev/zero", codex()),
         USAGE, NOT_READ, subprocess=True),
    Case("openclaw-cold-archive-fifo", openclaw_cold(os.mkfifo), USAGE, SKIPPED_LINE, subprocess=True),
    Case("openclaw-cold-archive-dev-zero", openclaw_cold(lambda p: os.symlink("/dev/zero", p)), USAGE, SKIPPED_LINE,
         subprocess=True),
    Case("openclaw-db-fifo", fifo(".openclaw/agents/main/agent/openclaw-agent.sqlite", openclaw()), USAGE, NOT_READ,
         subprocess=True),
    Case("opencode-db-fifo", fifo(f"{OPENCODE_DIR}/opencode.db"), USAGE, NOT_READ, requests=0, subprocess=True),
    Case("opencode-db-dev-zero", link(f"{OPENCODE_DIR}/opencode-dev.db", "/dev/zero", opencode()), USAGE, NOT_READ,
         subprocess=True),
    Case("opencode-wal-fifo", fifo(f"{OPENCODE_DIR}/opencode.db-wal", opencode()), USAGE, "1 file was left out",
         requests=0, subprocess=True),
]


@pytest.fixture(autouse=True)
def _no_outside_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every agent folder and the cache under the test's HOME."""
    for name in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "OPENCODE_DATA_DIR", "OPENCODE_DB", "OPENCLAW_STATE_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero are POSIX")
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_logs_are_skipped_and_counted(case: Case, cli, home: Path) -> None:
    case.build(home)
    try:
        started = time.monotonic()
        if case.subprocess:
            proc = run_cli(*case.args, timeout=SUBPROCESS_TIMEOUT)
            code, out, err = proc.returncode, proc.stdout, proc.stderr
        else:
            code, out, err = cli(*case.args)
            assert time.monotonic() - started < SECONDS
    finally:
        if case.cleanup is not None:
            case.cleanup(home)
    assert code == 0, err
    assert "Traceback" not in out + err and "internal error" not in out + err
    data = json.loads(out)
    if case.args[0] == "usage":
        assert case.says in " ".join(data["notes"]), data["notes"]
        assert data["totals"]["requests"] == case.requests, data["notes"]
    else:  # plan simulate: the history note names the skips; the history stays the days really used
        assert case.says in data["source"], data["source"]
        assert len(data["history"]) == 1, data["history"]  # one day of usage, not centuries


def test_text_output_says_how_many_lines_were_skipped(cli, home: Path) -> None:
    claude(_claude_line(rid="r2", extra=f',"x":{DEEP}'), _claude_line("9999-12-31T23:59:59.000Z", "r3"))(home)
    code, out, err = cli("usage", "--timezone", "Pacific/Kiritimati")
    assert code == 0, err
    assert "note: 2 lines skipped in 1 file (not valid JSON, or a usage record with missing or malformed fields)." \
        in out.splitlines()


def test_a_line_longer_than_the_cap_is_skipped(cli, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No line is read whole past reader.MAX_LINE (lowered here to 1 MiB: the buffer's first 4 MiB block is over it)."""
    from configurator.usage import reader

    monkeypatch.setattr(reader, "MAX_LINE", 1 << 20)
    claude('{"junk":"' + "x" * (6 << 20), _claude_line(rid="r2"))(home)
    code, out, err = cli("usage", "--json", "--no-cache")
    assert code == 0, err
    data = json.loads(out)
    assert data["totals"]["requests"] == 2 and data["skipped"]["malformed_lines"] == 1
