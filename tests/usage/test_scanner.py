"""The fast scanner against simple, independent readings of the same data.

A seeded corpus from ``benchmarks/gen_corpus.py`` (all the line shapes, a few megabytes) is summed
by a deliberately naive reader written here — every line parsed with ``json``, the rules applied in
the plainest way — and must give the same totals as the scanner, in-process and with the pool.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.usage import pool, reader, scanner
from configurator.usage.dates import resolve_zone

ROOT = Path(__file__).resolve().parents[2]
TZ = "America/Los_Angeles"


def _gen_module():
    spec = importlib.util.spec_from_file_location("gen_corpus", ROOT / "benchmarks" / "gen_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    _gen_module().generate(root, size_mb=4, seed=11, days=9)
    return root


# --- naive reference readings ----------------------------------------------------------------


def _local(ts: str) -> str:
    moment = dt.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo(TZ)).date().isoformat()


def naive_claude(home: Path) -> dict[str, list[int]]:
    """ccusage's rules, plainly: every line, message id + request id (or none), sidechain replays."""
    files = sorted(str(p) for p in (home / ".claude" / "projects").rglob("*.jsonl"))
    kept: list[dict] = []
    for path in files:
        for raw in open(path, encoding="utf-8"):
            if '"usage":{' not in raw:
                continue
            try:
                d = json.loads(raw)
            except json.JSONDecodeError:
                continue
            m = d.get("message")
            if not isinstance(m, dict) or not isinstance(m.get("usage"), dict) or d.get("isApiErrorMessage"):
                continue
            u = m["usage"]
            cc = u.get("cache_creation")
            e = {"mid": m.get("id"), "rid": d.get("requestId"), "side": d.get("isSidechain") is True,
                 "date": _local(d["timestamp"]), "in": u["input_tokens"], "out": u["output_tokens"],
                 "cr": u.get("cache_read_input_tokens", 0),
                 "cw": cc["ephemeral_5m_input_tokens"] + cc["ephemeral_1h_input_tokens"] if cc
                 else u.get("cache_creation_input_tokens", 0)}
            e["total"] = e["in"] + e["out"] + e["cr"] + e["cw"]
            match = None
            if e["mid"] is not None:
                for k in kept:
                    if k["mid"] == e["mid"] and (k["rid"] == e["rid"] or e["side"] or k["side"]):
                        match = k
                        break
            if match is None:
                kept.append(e)
            elif (match["side"] and not e["side"]) or (match["side"] == e["side"] and e["total"] > match["total"]):
                match.update(e)
    days: dict[str, list[int]] = {}
    for k in kept:
        a = days.setdefault(k["date"], [0, 0, 0, 0])
        for i, f in enumerate(("in", "cr", "cw", "out")):
            a[i] += k[f]
    return {d: v for d, v in days.items() if any(v)}


def naive_codex(home: Path) -> dict[str, list[int]]:
    """Increase of the cumulative total per file; a total seen before (another file, or re-emitted) adds nothing."""
    seen: set = set()
    days: dict[str, list[int]] = {}
    files = sorted((home / ".codex" / "sessions").rglob("rollout-*.jsonl"), key=lambda p: p.name)
    for path in files:
        prev = None
        metas = 0
        copy_second = None
        for raw in open(path, encoding="utf-8"):
            d = json.loads(raw)
            if d["type"] == "session_meta":
                metas += 1
                if metas == 2:
                    copy_second = d["timestamp"][:19]
            if d["type"] != "event_msg" or d["payload"].get("type") != "token_count" or not d["payload"].get("info"):
                continue
            info = d["payload"]["info"]
            t = tuple(info["total_token_usage"][k] for k in ("input_tokens", "cached_input_tokens", "output_tokens",
                                                             "reasoning_output_tokens"))
            if t in seen or d["timestamp"][:19] == copy_second:
                prev = t
                continue
            seen.add(t)
            delta = [a - b for a, b in zip(t, prev or (0, 0, 0, 0), strict=True)]
            prev = t
            a = days.setdefault(_local(d["timestamp"]), [0, 0, 0, 0])
            a[0] += delta[0] - delta[1]
            a[1] += delta[1]
            a[3] += delta[2]
    return days


def naive_openclaw(home: Path) -> dict[str, list[int]]:
    days: dict[str, list[int]] = {}
    for path in sorted((home / ".openclaw" / "agents").rglob("*.jsonl")):
        for raw in open(path, encoding="utf-8"):
            d = json.loads(raw)
            m = d.get("message") or {}
            if d.get("type") == "message" and m.get("role") == "assistant" and m.get("usage"):
                u = m["usage"]
                a = days.setdefault(_local(d["timestamp"]), [0, 0, 0, 0])
                a[0] += u["input"]
                a[1] += u["cacheRead"]
                a[2] += u["cacheWrite"]
                a[3] += u["output"]
    return days


def per_day(result: scanner.ScanResult, tool: str) -> dict[str, list[int]]:
    days: dict[str, list[int]] = {}
    for (date, t, _), (inp, cr, cw, out, _) in result.rows.items():
        if t == tool:
            a = days.setdefault(date, [0, 0, 0, 0])
            for i, v in enumerate((inp, cr, cw, out)):
                a[i] += v
    return days


@pytest.fixture(scope="module")
def scans(corpus: Path) -> dict[str, scanner.ScanResult]:
    old_home = os.environ.get("HOME")
    os.environ["HOME"] = str(corpus)
    old_threshold = scanner.POOL_THRESHOLD
    try:
        serial = scanner.scan(zone=resolve_zone(TZ), workers=1)
        scanner.POOL_THRESHOLD = 0
        pooled = scanner.scan(zone=resolve_zone(TZ), workers=2)
    finally:
        scanner.POOL_THRESHOLD = old_threshold
        if old_home is not None:
            os.environ["HOME"] = old_home
    return {"serial": serial, "pooled": pooled}


def test_pool_and_in_process_agree(scans: dict[str, scanner.ScanResult]) -> None:
    serial, pooled = scans["serial"], scans["pooled"]
    assert pooled.workers == 2 and serial.workers == 1
    assert serial.rows == pooled.rows
    assert (serial.malformed_lines, serial.invalid_records) == (pooled.malformed_lines, pooled.invalid_records)
    assert sum(serial.files.values()) > 20


@pytest.mark.parametrize(("tool", "naive"), [("claude-code", naive_claude), ("codex", naive_codex),
                                             ("openclaw", naive_openclaw)])
def test_scanner_matches_a_naive_reading(corpus: Path, scans, tool: str, naive) -> None:
    expected = naive(corpus)
    assert expected, "the corpus has usage for every tool"
    assert per_day(scans["pooled"], tool) == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=300).map(lambda b: b.replace(b"\n", b"")), max_size=40),
       st.integers(min_value=1, max_value=64), st.booleans())
def test_blocks_yield_every_line_once(tmp_path_factory, lines: list[bytes], block: int, final_newline: bool) -> None:
    path = tmp_path_factory.mktemp("blocks") / "f.jsonl"
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    path.write_bytes(data)
    old = reader.BLOCK
    reader.BLOCK = block
    reader._buffer = None
    try:
        got = [line for buf, end in reader.blocks(str(path)) for line in bytes(buf[:end]).split(b"\n")]
    finally:
        reader.BLOCK = old
        reader._buffer = None
    expected = data.split(b"\n") if data else []
    if data.endswith(b"\n"):
        expected = expected[:-1]
    assert got == expected


def test_progress_bar_only_when_asked(logs: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scanner, "PROGRESS_DELAY", 0.0)
    scanner.scan(zone=resolve_zone("UTC"), progress=True)
    err = capsys.readouterr().err
    assert "reading 8 log files [" in err and " 100% 0.0/0.0 MB" in err and err.endswith("\r")
    scanner.scan(zone=resolve_zone("UTC"))  # stderr is not a terminal here
    assert capsys.readouterr().err == ""


CCUSAGE = Path.home() / ".cache" / "agent-configurator-bench" / "node_modules" / "@ccusage" / "ccusage-linux-x64" / \
    "bin" / "ccusage"


@pytest.mark.skipif(not (os.environ.get("CCUSAGE_BIN") or CCUSAGE.exists()) or shutil.which("node") is None,
                    reason="ccusage 20.0.24 not installed (npm install --prefix ~/.cache/agent-configurator-bench "
                           "ccusage@20.0.24)")
def test_same_daily_totals_as_ccusage_20_0_24(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = os.environ.get("CCUSAGE_BIN") or str(CCUSAGE)
    proc = subprocess.run([binary, "claude", "daily", "--json", "--offline", "-z", TZ], capture_output=True, text=True,
                          env={**os.environ, "CLAUDE_CONFIG_DIR": str(corpus / ".claude")}, timeout=120)
    theirs = {d["date"]: [d["inputTokens"], d["cacheReadTokens"], d["cacheCreationTokens"], d["outputTokens"]]
              for d in json.loads(proc.stdout)["daily"]}
    monkeypatch.setenv("HOME", str(corpus))
    compat = scanner.scan(zone=resolve_zone(TZ), tools=("claude-code",), ccusage_compat=True)
    assert per_day(compat, "claude-code") == theirs
    # by default a response without requestId counts once: never more than ccusage 20.0.24
    default = per_day(scanner.scan(zone=resolve_zone(TZ), tools=("claude-code",)), "claude-code")
    assert default.keys() == theirs.keys()
    assert all(a <= b for day in theirs for a, b in zip(default[day], theirs[day], strict=True))


def test_one_large_transcript_is_split_across_workers(corpus: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A transcript read in line-aligned ranges by two workers gives what one pass over it gives."""
    big = tmp_path / ".claude" / "projects" / "p" / "one.jsonl"
    big.parent.mkdir(parents=True)
    with open(big, "wb") as out:
        for path in sorted((corpus / ".claude").rglob("*.jsonl")):
            out.write(path.read_bytes())
    monkeypatch.setenv("HOME", str(tmp_path))
    serial = scanner.scan(zone=resolve_zone(TZ), workers=1)
    monkeypatch.setattr(scanner, "POOL_THRESHOLD", 0)
    monkeypatch.setattr(scanner, "SPLIT_BYTES", 1 << 18)
    split = scanner.scan(zone=resolve_zone(TZ), workers=2)
    assert split.workers == 2 and serial.rows and split.rows == serial.rows
    assert (split.malformed_lines, split.invalid_records, split.files_with_skips) == \
        (serial.malformed_lines, serial.invalid_records, serial.files_with_skips)


def test_line_cuts_start_lines(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    data = b"".join(b"x" * n + b"\n" for n in (5, 0, 300, 7, 1, 70_000, 2))
    path.write_bytes(data)
    for parts in (1, 2, 3, 7, 50):
        cuts = reader.line_cuts(str(path), len(data), parts)
        assert cuts[0] == 0 and cuts[-1] == len(data) and cuts == sorted(set(cuts))
        assert all(data[c - 1:c] == b"\n" for c in cuts[1:-1])
        got = b"".join(bytes(buf[:end]) + b"\n" for a, b in zip(cuts, cuts[1:], strict=False)
                       for buf, end in reader.blocks(str(path), a, b))
        assert got == data


def test_without_worker_processes_the_scan_runs_in_process(logs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = scanner.scan(zone=resolve_zone("UTC"), workers=1)

    def no_fork(*args, **kwargs):
        raise OSError(38, "Function not implemented")
        yield  # pragma: no cover

    monkeypatch.setattr(scanner, "POOL_THRESHOLD", 0)
    monkeypatch.setattr(pool, "in_order", no_fork)
    result = scanner.scan(zone=resolve_zone("UTC"), workers=2)
    assert result.rows == expected.rows and result.workers == 1
    assert (result.malformed_lines, result.invalid_records) == (expected.malformed_lines, expected.invalid_records)
    assert any(n.startswith("the log files were read in one process (OSError") for n in result.notes)


def test_a_failing_worker_is_reported_and_the_scan_redone_in_process(logs: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that dies mid-scan (here: raises in its first file) never leaves a partial count."""
    expected = scanner.scan(zone=resolve_zone("UTC"), workers=1)
    parent = os.getpid()
    read_one = scanner._read_one

    def fails_in_a_worker(task, bucket):
        if os.getpid() != parent:
            raise MemoryError("worker out of memory")
        return read_one(task, bucket)

    monkeypatch.setattr(scanner, "POOL_THRESHOLD", 0)
    monkeypatch.setattr(scanner, "_read_one", fails_in_a_worker)
    result = scanner.scan(zone=resolve_zone("UTC"), workers=2)
    assert result.rows == expected.rows and result.workers == 1
    note = next(n for n in result.notes if n.startswith("the log files were read in one process"))
    assert "RuntimeError" in note and "worker out of memory" in note


def test_spawned_workers_where_there_is_no_fork(logs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Off Linux the workers are started by multiprocessing (spawn) and give the same rows."""
    expected = scanner.scan(zone=resolve_zone("UTC"), workers=1)
    monkeypatch.setattr(scanner, "POOL_THRESHOLD", 0)
    monkeypatch.setattr(pool.sys, "platform", "darwin")
    result = scanner.scan(zone=resolve_zone("UTC"), workers=2)
    assert result.workers == 2 and result.notes == expected.notes
    assert result.rows == expected.rows and result.rows
