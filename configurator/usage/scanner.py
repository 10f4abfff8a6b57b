"""The scan: find the files, read them on every core, merge in file order, sum per day.

Files are split into contiguous runs of about equal size and read by a pool of processes (one per
core); each worker returns compact records per file. The parent merges the runs *in file order*
(``imap`` keeps the order) while the workers go on reading, because de-duplication keeps the first
copy read. Small histories are read in-process: a pool costs more than it saves there.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from configurator.usage import claude, codex, openclaw
from configurator.usage.dates import Bucketer, ZoneSpec
from configurator.usage.discovery import CLAUDE, CODEX, OPENCLAW, TOOLS, SourceFile, discover

#: below this many bytes the scan runs in-process
POOL_THRESHOLD = 8 << 20
#: the progress bar appears only when a scan takes longer than this (seconds)
PROGRESS_DELAY = 0.5

RowKey = tuple[str, str, str]  # (date, tool, model)


@dataclass
class ScanResult:
    zone: ZoneSpec
    #: (date, tool, model) -> [non-cached input, cache read, cache write, output, requests]
    rows: dict[RowKey, list[int]] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    bytes: dict[str, int] = field(default_factory=dict)
    roots: dict[str, list[str]] = field(default_factory=dict)
    #: first and last local date with usage, per tool, before --since/--until
    span: dict[str, tuple[str, str]] = field(default_factory=dict)
    malformed_lines: int = 0
    invalid_records: int = 0
    files_with_skips: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1
    peak_rss_mb: dict[str, Any] = field(default_factory=dict)

    @property
    def skipped_lines(self) -> int:
        return self.malformed_lines + self.invalid_records


# --- worker side -------------------------------------------------------------------------------

_BUCKET: Bucketer | None = None
_COMPAT = False


def _init_worker(spec: ZoneSpec, compat: bool = False) -> None:
    global _BUCKET, _COMPAT
    _BUCKET = Bucketer(spec.build())
    _COMPAT = compat


def _read_one(tool: str, path: str, bucket: Bucketer) -> tuple:
    try:
        if tool == CLAUDE:
            return claude.read_file(path, bucket, _COMPAT)
        if tool == CODEX:
            return codex.read_file(path, bucket)
        return openclaw.read_file(path, bucket)
    except OSError:
        return None  # vanished or unreadable since discovery


def _peak_rss_mb() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def _work(task: tuple[int, list[tuple[str, str, int]]]) -> tuple[int, list, int, float]:
    first, files = task
    assert _BUCKET is not None
    results = [_read_one(tool, path, _BUCKET) for tool, path, _ in files]
    return first, results, os.getpid(), _peak_rss_mb()


# --- parent side -------------------------------------------------------------------------------


class _Progress:
    """A one-line bar on stderr, drawn only on a terminal and only once the scan is slow."""

    def __init__(self, total: int, files: int, enabled: bool | None) -> None:
        stream = sys.stderr
        self.enabled = (stream.isatty() if hasattr(stream, "isatty") else False) if enabled is None else enabled
        self.total = max(total, 1)
        self.files = files
        self.done = 0
        self.start = time.monotonic()
        self.drawn = False

    def advance(self, nbytes: int) -> None:
        self.done += nbytes
        if not self.enabled or time.monotonic() - self.start < PROGRESS_DELAY:
            return
        width = 30
        frac = min(1.0, self.done / self.total)
        bar = "#" * int(frac * width) + "." * (width - int(frac * width))
        digits = 0 if self.total >= 10e6 else 1
        sys.stderr.write(f"\rreading {self.files:,} log files [{bar}] {frac:4.0%} "
                         f"{self.done / 1e6:,.{digits}f}/{self.total / 1e6:,.{digits}f} MB")
        sys.stderr.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            sys.stderr.write("\r" + " " * 79 + "\r")
            sys.stderr.flush()


def _split(files: list[SourceFile], workers: int) -> list[tuple[int, list[tuple[str, str, int]]]]:
    """Contiguous runs of files (file order is kept) of about ``total / (16 * workers)`` bytes each."""
    total = sum(f.size for f in files)
    target = max(total // (16 * max(workers, 1)), 2 << 20)
    tasks: list[tuple[int, list[tuple[str, str, int]]]] = []
    run: list[tuple[str, str, int]] = []
    first = 0
    size = 0
    for index, f in enumerate(files):
        if not run:
            first = index
        run.append((f.tool, f.path, f.size))
        size += f.size
        if size >= target:
            tasks.append((first, run))
            run, size = [], 0
    if run:
        tasks.append((first, run))
    return tasks


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def scan(*, zone: ZoneSpec, tools: tuple[str, ...] = TOOLS, env: Mapping[str, str] | None = None,
         workers: int | None = None, progress: bool | None = None, ccusage_compat: bool = False,
         meanwhile: Callable[[], None] | None = None) -> ScanResult:
    """Read every transcript of ``tools`` and return per-day, per-model sums (no date filter applied).

    ``ccusage_compat`` reproduces ccusage 20.0.24's key for Claude Code responses without a request
    id (see :mod:`configurator.usage.claude`); it exists to verify the totals against that version.
    ``meanwhile`` is called in this process once the workers are busy (other slow set-up goes there).
    """
    started = time.perf_counter()
    found = discover(tools, env)
    result = ScanResult(zone=zone, roots=found.roots, notes=list(found.notes))
    files = found.files
    for tool in tools:
        result.files[tool] = sum(1 for f in files if f.tool == tool)
        result.bytes[tool] = sum(f.size for f in files if f.tool == tool)
    total = sum(f.size for f in files)
    n_workers = workers if workers is not None else _cpu_count()
    if total < POOL_THRESHOLD or len(files) < 2:
        n_workers = 1
    tasks = _split(files, n_workers)
    bar = _Progress(total, len(files), progress)
    merge = _Merge(result)
    peaks: dict[int, float] = {}
    try:
        if n_workers <= 1:
            _init_worker(zone, ccusage_compat)
            bucket = Bucketer(zone.build())
            for first, run in tasks:
                merge.add(first, files, [_read_one(tool, path, bucket) for tool, path, _ in run])
                bar.advance(sum(size for _, _, size in run))
        else:
            import multiprocessing

            method = "fork" if sys.platform.startswith("linux") else "spawn"
            ctx = multiprocessing.get_context(method)
            with ctx.Pool(n_workers, initializer=_init_worker, initargs=(zone, ccusage_compat)) as pool:
                pending = pool.imap(_work, tasks)
                if meanwhile is not None:
                    meanwhile()
                for first, results, pid, peak in pending:
                    merge.add(first, files, results)
                    peaks[pid] = max(peak, peaks.get(pid, 0.0))
                    bar.advance(sum(f.size for f in files[first:first + len(results)]))
    finally:
        bar.close()
    merge.finish()
    result.workers = n_workers
    result.seconds = time.perf_counter() - started
    result.peak_rss_mb = {"main": round(_peak_rss_mb(), 1),
                          "workers": [round(v, 1) for _, v in sorted(peaks.items())]}
    return result


class _Merge:
    """Consumes per-file results in file order and fills ``ScanResult.rows``."""

    def __init__(self, result: ScanResult) -> None:
        self.result = result
        self.claude = claude.Deduper()
        self.codex = codex.Merger()
        self.openclaw_seen: set = set()
        self.openclaw: list[openclaw.Entry] = []

    def add(self, first: int, files: list[SourceFile], results: list) -> None:
        r = self.result
        for offset, res in enumerate(results):
            if res is None:
                continue
            tool = files[first + offset].tool
            if tool == CLAUDE:
                records, malformed, invalid = res
                self.claude.add_all(records)
            elif tool == CODEX:
                events, copied_second, malformed, invalid = res
                self.codex.add_file(events, copied_second)
            else:
                entries, malformed, invalid = res
                seen = self.openclaw_seen
                for entry in entries:
                    if entry[0] not in seen:
                        seen.add(entry[0])
                        self.openclaw.append(entry)
            if malformed or invalid:
                r.malformed_lines += malformed
                r.invalid_records += invalid
                r.files_with_skips += 1

    def finish(self) -> None:
        rows = self.result.rows
        spans: dict[str, list[str]] = {}

        def add(date: str, tool: str, model: str | None, inp: int, cr: int, cw: int, out: int) -> None:
            key = (date, tool, model or "unknown")
            row = rows.get(key)
            if row is None:
                rows[key] = [inp, cr, cw, out, 1]
            else:
                row[0] += inp
                row[1] += cr
                row[2] += cw
                row[3] += out
                row[4] += 1
            span = spans.get(tool)
            if span is None:
                spans[tool] = [date, date]
            elif date < span[0]:
                span[0] = date
            elif date > span[1]:
                span[1] = date

        for rec in self.claude.slots:
            # (mid, rid, side, date, model, input, output, cache write, cache read, speed)
            if rec[5] or rec[6] or rec[7] or rec[8]:
                add(rec[3], CLAUDE, rec[4], rec[5], rec[8], rec[7], rec[6])
        for date, model, inp, cr, out in self.codex.deltas:
            add(date, CODEX, model, inp, cr, 0, out)
        for _, date, model, inp, cr, cw, out in self.openclaw:
            add(date, OPENCLAW, model, inp, cr, cw, out)
        self.result.span = {tool: (a, b) for tool, (a, b) in spans.items()}
