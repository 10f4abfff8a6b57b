"""The usage cache: a second scan reads only changed files and reports exactly what a full scan does."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.usage import cache, scanner
from configurator.usage.dates import resolve_zone

TZ = "America/Los_Angeles"
SESSION_1 = ".claude/projects/-home-dev-src-app/11111111-1111-4111-8111-111111111111.jsonl"
SESSION_2 = ".claude/projects/-home-dev-src-app/22222222-2222-4222-8222-222222222222.jsonl"


def _age(home: Path, seconds: float = 3600) -> int:
    """Make every transcript ``seconds`` old (a cache never keeps a file written just now);
    -> how many files a scan reads (a Codex session kept twice is read once)."""
    when = time.time() - seconds
    for path in home.rglob("*"):
        if path.is_file() and ".jsonl" in path.name:
            os.utime(path, (when, when))
    return len(scanner.discover(scanner.TOOLS).files)


def _scan(use_cache: bool = True, tz: str = TZ) -> scanner.ScanResult:
    return scanner.scan(zone=resolve_zone(tz), use_cache=use_cache, progress=False)


def _same(a: scanner.ScanResult, b: scanner.ScanResult) -> None:
    assert a.rows == b.rows and a.rows
    assert a.span == b.span
    assert (a.malformed_lines, a.invalid_records, a.files_with_skips) == \
        (b.malformed_lines, b.invalid_records, b.files_with_skips)


def _cache_files(home: Path) -> list[Path]:
    return sorted((home / ".cache" / "agent-configurator").glob("usage-*.marshal"))


def test_second_scan_reads_nothing_and_reports_the_same(logs: Path) -> None:
    n = _age(logs)
    first = _scan()
    assert first.cached_files == 0
    second = _scan()
    assert second.cached_files == n == sum(first.files.values())
    _same(second, first)
    _same(second, _scan(use_cache=False))
    [path] = _cache_files(logs)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_grown_file_is_read_again(logs: Path) -> None:
    n = _age(logs)
    before = _scan()
    template = next(json.loads(raw) for raw in reversed((logs / SESSION_2).read_text().splitlines())
                    if '"type":"assistant"' in raw and '"usage":{' in raw)
    template["message"]["id"] = "msg_01NEW"
    template["requestId"] = "req_011CNEW"
    template["message"]["usage"] = {"input_tokens": 12345, "output_tokens": 1}
    with open(logs / SESSION_2, "a") as fh:
        fh.write(json.dumps(template, separators=(",", ":")) + "\n")
    old = time.time() - 600
    os.utime(logs / SESSION_2, (old, old))  # the other files keep their stamps
    after = _scan()
    assert after.cached_files == n - 1
    _same(after, _scan(use_cache=False))
    assert sum(v[0] for v in after.rows.values()) == sum(v[0] for v in before.rows.values()) + 12345


def test_deleting_the_file_that_held_the_kept_copy_still_counts_the_other(logs: Path) -> None:
    """Session 2 is a resumed copy of session 1's responses: each file's cached records stand alone."""
    _age(logs)
    _scan()
    (logs / SESSION_1).unlink()
    after = _scan()
    assert after.cached_files > 0
    _same(after, _scan(use_cache=False))


def test_a_file_written_just_now_is_not_cached(logs: Path) -> None:
    n = _age(logs)
    os.utime(logs / SESSION_2)  # touched now: its stamp may not yet tell two versions apart
    _scan()
    assert _scan().cached_files == n - 1


@pytest.mark.parametrize("garbage", [b"", b"\x00\x01junk", b"\xe3" + b"x" * 100])
def test_a_broken_cache_is_ignored_and_rewritten(logs: Path, garbage: bytes) -> None:
    n = _age(logs)
    _scan()
    [path] = _cache_files(logs)
    path.write_bytes(garbage)
    again = _scan()
    assert again.cached_files == 0
    _same(again, _scan(use_cache=False))
    assert _scan().cached_files == n


def test_each_time_zone_has_its_own_cache(logs: Path) -> None:
    _age(logs)
    _scan(tz=TZ)
    tokyo = _scan(tz="Asia/Tokyo")
    assert tokyo.cached_files == 0 and len(_cache_files(logs)) == 2
    _same(_scan(tz="Asia/Tokyo"), _scan(use_cache=False, tz="Asia/Tokyo"))
    assert tokyo.rows != _scan(tz=TZ).rows


def test_xdg_cache_home(logs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    _age(logs)
    _scan()
    assert list((tmp_path / "xdg" / "agent-configurator").glob("usage-*.marshal"))
    assert not _cache_files(logs)


def test_cli_no_cache_neither_reads_nor_writes(logs: Path, cli) -> None:
    _age(logs)
    code, out, _ = cli("usage", "--json", "--no-cache", "--timezone", TZ)
    assert code == 0 and json.loads(out)["scan"]["cached_files"] == 0
    assert not _cache_files(logs)
    code, out, _ = cli("usage", "--json", "--timezone", TZ)
    assert code == 0 and _cache_files(logs)
    code, warm, _ = cli("usage", "--json", "--timezone", TZ)
    warm_data = json.loads(warm)
    assert warm_data["scan"]["cached_files"] > 0
    assert warm_data["rows"] == json.loads(out)["rows"]


def test_cache_path_depends_on_zone_and_mode() -> None:
    paths = {cache.cache_path(z, c) for z in ("name:UTC", "name:Asia/Tokyo") for c in (False, True)}
    assert len(paths) == 4


def test_worker_processes_merge_cached_and_fresh_files_in_file_order(logs: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scanner, "POOL_THRESHOLD", 0)
    n = _age(logs)
    cold = scanner.scan(zone=resolve_zone(TZ), use_cache=True, workers=2, progress=False)
    assert cold.workers == 2
    old = time.time() - 600
    for rel in (SESSION_1, SESSION_2):  # two changed files: read by the two workers, between cached ones
        with open(logs / rel, "a") as fh:
            fh.write('{"type":"assistant","message":{"usage":{"input_tokens":\n')
        os.utime(logs / rel, (old, old))
    mixed = scanner.scan(zone=resolve_zone(TZ), use_cache=True, workers=2, progress=False)
    assert mixed.cached_files == n - 2 and mixed.workers == 2
    _same(mixed, scanner.scan(zone=resolve_zone(TZ), use_cache=False, workers=1, progress=False))
    assert mixed.malformed_lines == cold.malformed_lines + 2


def test_a_damaged_cache_is_never_trusted(logs: Path) -> None:
    """One flipped byte anywhere (a disk error, a partial copy): the scan reads the files again."""
    n = _age(logs)
    _scan()
    [path] = _cache_files(logs)
    good = path.read_bytes()
    for at in (0, 20, len(good) // 2, len(good) - 1):
        damaged = bytearray(good)
        damaged[at] ^= 0x40
        path.write_bytes(bytes(damaged))
        assert cache.load(path) == {}
        again = _scan()
        assert again.cached_files == 0
        _same(again, _scan(use_cache=False))
    assert _scan().cached_files == n


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=300), st.booleans())
def test_load_never_raises(tmp_path_factory, data: bytes, with_checksum: bool) -> None:
    """Random bytes, with or without a valid checksum in front: an empty cache, never an exception."""
    path = tmp_path_factory.mktemp("c") / "usage-x.marshal"
    path.write_bytes(cache._digest(data) + data if with_checksum else data)
    assert cache.load(path) == {}


def test_stale_cache_files_of_other_zones_are_removed(logs: Path) -> None:
    _age(logs)
    _scan(tz="Asia/Tokyo")
    [tokyo] = _cache_files(logs)
    month_ago = time.time() - 31 * 86400
    os.utime(tokyo, (month_ago, month_ago))
    _scan(tz=TZ)
    assert tokyo not in _cache_files(logs) and len(_cache_files(logs)) == 1
    _scan(tz="Asia/Tokyo")  # a recent one stays
    assert len(_cache_files(logs)) == 2


def test_a_scan_of_one_tool_keeps_the_other_tools_cached(logs: Path) -> None:
    n = _age(logs)
    _scan()
    codex_only = scanner.scan(zone=resolve_zone(TZ), tools=("codex",), use_cache=True, progress=False)
    assert codex_only.cached_files == sum(codex_only.files.values()) > 0
    assert _scan().cached_files == n
