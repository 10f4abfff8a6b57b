"""opencode sessions: where the database is, what a message counts, de-duplication, damage, the cache,
and ccusage's daily totals on the same data.

The fixture (``fixtures/opencode``) is the shape opencode 1.18.33 writes (``schema.sql`` copied from a
database it wrote against the mock provider; rows shaped like its rows). Times UTC:

- session AAAA (deepseek-v4-pro): a user message; A1 (input 1200, cache read 800, output 32,
  reasoning 20, tool-calls) at 2026-10-01T10:00:00Z; A2 (1800, 1200, 33, 20) at 10:00:02Z; A3 (500,
  cache read 20, cache write 1000, output 50) at 2026-10-02T06:59:59Z (23:59:59 PDT on 10-01); A4
  still running (all zero); A5 (deepseek-v4-flash) with only a total of 40 at 2026-10-02T12:00Z.
- session BBBB (flash): B1 (100, output 10, reasoning 5) at 2026-10-03T03:00Z (20:00 PDT on 10-02);
  B2 truncated JSON; B3 with counts that are no non-negative integers.
- legacy ``storage/message`` files: a copy of A1 with other counts (the database's copy wins) and
  an old session (pro: 7 in, 3 out at 2026-09-30T20:00Z) with its user message.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.agents import AGENTS
from configurator.agents.base import UsageSource
from configurator.usage import discovery, opencode, report, scanner
from configurator.usage.dates import Bucketer, resolve_zone
from configurator.usage.report import build

OC = "opencode"
FIXTURE = Path(__file__).parent / "fixtures" / "opencode"
PRO, FLASH = "deepseek-v4-pro", "deepseek-v4-flash"
SOURCE = UsageSource("configurator.usage.discovery:opencode_files", "configurator.usage.opencode")


@pytest.fixture(autouse=True)
def agent(monkeypatch: pytest.MonkeyPatch) -> str:
    """The opencode agent with its usage source; registered here while configurator/agents/opencode.py
    (another change) is not there yet or does not name its usage source yet."""
    real = AGENTS.get(OC)
    if real is not None and real.usage == SOURCE:
        return OC
    base = real or next(iter(AGENTS.values()))
    monkeypatch.setitem(AGENTS, OC, dataclasses.replace(base, id=OC, display="opencode", usage=SOURCE))
    tools = (*(t for t in discovery.TOOLS if t != OC), OC)
    for module in (discovery, scanner, report):
        monkeypatch.setattr(module, "TOOLS", tools)
    monkeypatch.setitem(discovery.TOOL_NAMES, OC, "opencode")
    monkeypatch.setitem(report._TOOL_ALIASES, OC, OC)
    return OC


def make_db(path: Path, rows: list[dict] | None = None) -> Path:
    """An opencode.db with 1.18.33's tables and the fixture's rows (or ``rows``)."""
    if rows is None:
        rows = [json.loads(line) for line in (FIXTURE / "messages.jsonl").read_text().splitlines()]
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURE / "schema.sql").read_text())
    conn.execute("INSERT OR IGNORE INTO project (id, worktree, time_created, time_updated, sandboxes) "
                 "VALUES ('global', '/', 0, 0, '[]')")
    for sid in sorted({r["session_id"] for r in rows}):
        conn.execute("INSERT OR IGNORE INTO session (id, project_id, slug, directory, title, version, time_created, "
                     "time_updated) VALUES (?, 'global', 'crisp-wizard', '/home/dev/src/app', 't', '1.18.33', 0, 0)",
                     (sid,))
    conn.executemany("INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)",
                     [(r["id"], r["session_id"], r["time_created"], r["time_updated"], r["data"]) for r in rows])
    conn.commit()
    conn.close()
    return path


def install(data: Path, *, legacy: bool = True) -> Path:
    """The fixture where opencode keeps it: ``data`` is its data folder (``~/.local/share/opencode``)."""
    make_db(data / "opencode.db")
    if legacy:
        shutil.copytree(FIXTURE / "legacy" / "storage", data / "storage", dirs_exist_ok=True)
    return data


def default_dir(home: Path) -> Path:
    return home / ".local" / "share" / "opencode"


def test_rows_per_day_and_model(home: Path, rows_by_key) -> None:
    install(default_dir(home))
    result = build(tz="UTC", tools=OC)
    assert rows_by_key(result.rows) == {
        ("2026-09-30", OC, PRO): (7, 0, 0, 3, 1),                        # the legacy file of an old session
        # A1 + A2, reasoning counted as output; the legacy copy of A1 does not count again
        ("2026-10-01", OC, PRO): (1200 + 1800, 800 + 1200, 0, 52 + 53, 2),
        ("2026-10-02", OC, PRO): (500, 20, 1000, 50, 1),
        ("2026-10-02", OC, FLASH): (0, 0, 0, 40, 1),                    # only a total: output
        ("2026-10-03", OC, FLASH): (100, 0, 0, 15, 1),
    }
    assert result.skipped["malformed_lines"] == 1 and result.skipped["invalid_records"] == 1
    assert result.files == {OC: 4}
    assert result.history["by_tool"][OC] == {"first_date": "2026-09-30", "last_date": "2026-10-03"}


def test_local_days(home: Path, rows_by_key) -> None:
    install(default_dir(home))
    rows = rows_by_key(build(tz="America/Los_Angeles", tools=OC).rows)
    assert rows[("2026-10-01", OC, PRO)] == (3500, 2020, 1000, 155, 3)
    assert rows[("2026-10-02", OC, FLASH)] == (100, 0, 0, 55, 2)
    assert ("2026-10-03", OC, FLASH) not in rows


def test_the_text_table_names_the_agent(home: Path) -> None:
    install(default_dir(home))
    text = report.render_text(build(tz="UTC", tools=OC))
    assert "opencode" in text and "deepseek-v4-flash" in text


def test_xdg_data_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install(home / "xdg" / "opencode", legacy=False)
    install(default_dir(home), legacy=False)  # not read: XDG_DATA_HOME moves the folder
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg"))
    files, roots, _ = discovery.opencode_files()
    assert roots == [str(home / "xdg" / "opencode")]
    assert [f.path for f in files] == [str(home / "xdg" / "opencode" / "opencode.db")]
    assert files[0].stamp is None  # WAL: never cached by its own stamp
    assert build(tz="UTC", tools=OC).totals["requests"] == 5


def test_opencode_data_dir_list(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ccusage's OPENCODE_DATA_DIR: folders in order; a message in two of them counts once."""
    install(home / "a")
    install(home / "b", legacy=False)
    monkeypatch.setenv("OPENCODE_DATA_DIR", f"{home / 'a'}, ,{home / 'b'},{home / 'missing'}")
    assert discovery.opencode_files()[1] == [str(home / "a"), str(home / "b")]
    assert build(tz="UTC", tools=OC).totals["requests"] == 6


def test_opencode_db_and_channel_databases(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = default_dir(home)
    make_db(data / "opencode-dev.db")                      # a channel database: also read
    elsewhere = make_db(home / "dbs" / "custom.db")          # OPENCODE_DB, absolute
    monkeypatch.setenv("OPENCODE_DB", str(elsewhere))
    paths = [f.path for f in discovery.opencode_files()[0]]
    assert paths == [str(elsewhere), str(data / "opencode-dev.db")]
    # the same messages in both databases count once
    assert build(tz="UTC", tools=OC).totals["requests"] == 5
    monkeypatch.setenv("OPENCODE_DB", "relative.db")         # a name inside the data folder
    make_db(data / "relative.db", [])
    assert [f.path for f in discovery.opencode_files()[0]] == [str(data / "relative.db"),
                                                                str(data / "opencode-dev.db")]
    monkeypatch.setenv("OPENCODE_DB", ":memory:")
    assert [f.path for f in discovery.opencode_files()[0]] == [str(data / "opencode-dev.db")]


def test_nothing_there(home: Path) -> None:
    result = build(tz="UTC", tools=OC)
    assert result.rows == [] and result.files == {OC: 0}


def test_a_file_that_is_no_opencode_database(home: Path) -> None:
    data = default_dir(home)
    data.mkdir(parents=True)
    (data / "opencode.db").write_bytes(b"not a database at all" * 100)
    sqlite3.connect(data / "opencode-other.db").close()      # a database without a message table
    result = build(tz="UTC", tools=OC)
    assert result.rows == [] and result.skipped["malformed_lines"] == 2


def test_rows_written_to_the_wal_only(home: Path) -> None:
    """opencode keeps its database in WAL mode: rows not yet checkpointed are read too."""
    db = make_db(default_dir(home) / "opencode.db", [])
    writer = sqlite3.connect(db)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    row = json.loads((FIXTURE / "messages.jsonl").read_text().splitlines()[1])
    writer.execute("INSERT INTO message VALUES (?, ?, ?, ?, ?)",
                   (row["id"], row["session_id"], row["time_created"], row["time_updated"], row["data"]))
    writer.commit()
    try:
        assert Path(f"{db}-wal").stat().st_size > 0
        assert build(tz="UTC", tools=OC).totals["input_tokens"] == 1200
    finally:
        writer.close()


# --- damage never stops the scan -------------------------------------------------------------------

_BUCKET = Bucketer(resolve_zone("UTC").build())
_json = st.recursive(st.none() | st.booleans() | st.integers(-10, 2**70) | st.floats() | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                     max_leaves=12)
_tokens = st.fixed_dictionaries({}, optional={
    "total": _json, "input": _json, "output": _json, "reasoning": _json,
    "cache": _json | st.fixed_dictionaries({}, optional={"read": _json, "write": _json})})
_message = st.fixed_dictionaries({}, optional={
    "role": st.sampled_from(["assistant", "user"]), "tokens": _tokens | _json, "modelID": _json | st.just(PRO),
    "providerID": _json | st.just("atlascloud"), "time": _json | st.fixed_dictionaries({"created": _json}),
    "id": _json})


@settings(max_examples=300, deadline=None)
@given(_message)
def test_record_never_raises(message: dict) -> None:
    entry, bad = opencode.record(message, None, None, _BUCKET, {})
    assert bad in (0, 1) and (entry is None or bad == 0)
    if entry is not None:
        _, date, model, *counts = entry
        assert len(date) == 10 and model and all(type(n) is int and n >= 0 for n in counts) and any(counts)


_ROWS = [json.loads(line) for line in (FIXTURE / "messages.jsonl").read_text().splitlines()]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.tuples(st.integers(0, len(_ROWS) - 1), st.integers(0, 400)), max_size=6),
       junk=st.lists(st.binary(max_size=60) | st.text(max_size=60), max_size=3))
def test_damaged_rows_are_counted_never_raised(tmp_path_factory, cuts: list, junk: list) -> None:
    """Rows truncated anywhere or replaced by junk: skipped (and counted) or still read, never an error."""
    rows = [dict(r) for r in _ROWS]
    for index, at in cuts:
        rows[index]["data"] = rows[index]["data"][:at]
    for n, blob in enumerate(junk):
        rows.append({**_ROWS[1], "id": f"junk{n}", "data": blob})
    db = make_db(tmp_path_factory.mktemp("oc") / "opencode.db", rows)
    entries, malformed, invalid, _projects = opencode.read_file(str(db), _BUCKET)
    assert len(entries) + malformed + invalid <= len(rows)
    assert len(entries) <= 6


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), cut=st.integers(0, 600))
def test_damaged_legacy_files(tmp_path_factory, data: bytes, cut: int) -> None:
    good = (FIXTURE / "legacy" / "storage" / "message" / "ses_1a2b3c4d5ffeOLDOLDOLDOLDOL" /
            "msg_0a1b2c3d4002OldAsst0000000.json").read_bytes()
    folder = tmp_path_factory.mktemp("legacy")
    for name, blob in (("junk.json", data), ("cut.json", good[:cut]), ("tokens.json", b'{"tokens":' + data)):
        (folder / name).write_bytes(blob)
        entries, malformed, invalid, _projects = opencode.read_file(str(folder / name), _BUCKET)
        assert malformed + invalid + len(entries) <= 1


# --- the cache ---------------------------------------------------------------------------------------


def _scan(use_cache: bool = True, workers: int | None = 1) -> scanner.ScanResult:
    return scanner.scan(zone=resolve_zone("UTC"), tools=(OC,), use_cache=use_cache, workers=workers, progress=False)


def test_cache_keeps_legacy_files_and_always_reads_the_database(home: Path) -> None:
    data = install(default_dir(home))
    old = time.time() - 3600
    for path in data.rglob("*"):
        os.utime(path, (old, old))
    first = _scan()
    second = _scan()
    assert first.cached_files == 0 and second.cached_files == 3  # the legacy files; never the database
    assert second.rows == first.rows == _scan(use_cache=False).rows
    conn = sqlite3.connect(data / "opencode.db")
    row = dict(_ROWS[7], id="msg_f4e0a100000bAsstBBBBBBBBB4")
    conn.execute("INSERT INTO message VALUES (?, ?, ?, ?, ?)",
                 (row["id"], row["session_id"], row["time_created"], row["time_updated"], row["data"]))
    conn.commit()
    conn.close()
    os.utime(data / "opencode.db", (old, old))  # the database's stamp says nothing: it is read anyway
    third = _scan()
    assert third.rows[("2026-10-03", OC, FLASH)] == [200, 0, 0, 30, 2]
    assert (third.malformed_lines, third.invalid_records) == (1, 1)


def test_worker_processes_give_the_same_rows(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install(default_dir(home))
    monkeypatch.setattr(scanner, "POOL_THRESHOLD", 0)
    pooled = _scan(use_cache=False, workers=2)
    assert pooled.workers == 2
    assert pooled.rows == _scan(use_cache=False).rows


# --- ccusage reads the same data ---------------------------------------------------------------------

CCUSAGE_VERSION = "20.0.24"
#: where benchmarks/usage_scan.py installs it (read at import, before the tests' private HOME)
_BENCH = Path.home() / ".cache" / "agent-configurator-bench" / "node_modules" / "@ccusage" / "ccusage-linux-x64"


def _ccusage() -> str | None:
    """ccusage 20.0.24's native binary: $CCUSAGE, the benchmarks' copy, or the one on PATH."""
    for c in (os.environ.get("CCUSAGE"), str(_BENCH / "bin" / "ccusage"), shutil.which("ccusage")):
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            try:
                out = subprocess.run([c, "--version"], capture_output=True, text=True, timeout=20).stdout
            except (OSError, subprocess.TimeoutExpired):
                continue
            if CCUSAGE_VERSION in out.split():
                return c
    return None


@pytest.mark.parametrize("tz", ["UTC", "America/Los_Angeles"])
def test_daily_totals_match_ccusage(home: Path, tz: str) -> None:
    binary = _ccusage()
    if binary is None:
        pytest.skip(f"ccusage {CCUSAGE_VERSION} is not installed (npm install ccusage@{CCUSAGE_VERSION}; $CCUSAGE)")
    install(default_dir(home))
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1"}
    proc = subprocess.run([binary, "opencode", "daily", "--json", "--offline", "--timezone", tz],
                          capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    theirs = {}
    for day in json.loads(proc.stdout)["daily"]:
        for m in day["modelBreakdowns"]:
            theirs[(day["date"], m["modelName"])] = (m["inputTokens"], m["cacheReadTokens"],
                                                     m["cacheCreationTokens"], m["outputTokens"])
        # ccusage leaves reasoning out of outputTokens and in totalTokens: ours is in output
        ours_day = [r for r in build(tz=tz, tools=OC).rows if r["date"] == day["date"]]
        assert sum(r["input_tokens"] + r["cache_read_tokens"] + r["cache_write_tokens"] + r["output_tokens"]
                   for r in ours_day) == day["totalTokens"]
    ours = {(r["date"], r["model"]): (r["input_tokens"], r["cache_read_tokens"], r["cache_write_tokens"],
                                      r["output_tokens"]) for r in build(tz=tz, tools=OC).rows}
    assert ours.keys() == theirs.keys()
    for key, (inp, cr, cw, out) in ours.items():
        assert theirs[key][:3] == (inp, cr, cw), key
        assert theirs[key][3] <= out, key  # the rest is reasoning, checked through totalTokens above
