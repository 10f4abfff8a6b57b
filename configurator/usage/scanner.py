"""The scan: find the files, read them on every core, merge in file order, sum per day.

Files are split into contiguous runs of about equal size (a large Claude Code transcript into
line-aligned ranges), read by worker processes (:mod:`configurator.usage.pool`), which stream compact
records per file back. The parent merges the runs *in file order* while the workers go on reading —
de-duplication keeps the first copy read, exactly as ccusage does — and meanwhile loads the plan
catalog. Small histories are read in-process (processes cost more than they save there), and so is
everything when worker processes cannot be started.

Claude Code and Codex records have shapes of their own (responses merged by id, cumulative totals).
Every other reader (the module an agent's ``UsageSource.reader`` names) has the keyed-entry shape:
``read_file(path, bucket) -> (entries, malformed, invalid)`` with each entry
``(key, date, model, non-cached input, cache read, cache write, output)``, one request each; an entry
whose key was seen before for the same tool is a copy and counts once (a ``None`` key never matches).
A new agent with such a reader needs no change here.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from configurator.usage import claude, codex, pool, projects
from configurator.usage.dates import Bucketer, ZoneSpec
from configurator.usage.discovery import CLAUDE, CODEX, OPENCLAW, TOOLS, SourceFile, discover

if TYPE_CHECKING:
    from configurator.usage import cache

#: below this many bytes the scan runs in-process
POOL_THRESHOLD = 8 << 20
#: the progress bar appears only when a scan takes longer than this (seconds)
PROGRESS_DELAY = 0.5

RowKey = tuple[str, str, str]  # (date, tool, model)
#: (date, tool, model, project key of :mod:`configurator.usage.projects` or None)
ProjectRowKey = tuple[str, str, str, str | None]
#: one counted request: (date, model, non-cached input, cache read, cache write, output)
Counted = tuple[str, str | None, int, int, int, int]
#: what a keyed-entry reader yields per record: (dedupe key, date, model, input, cache read, cache write, output)
KeyedEntry = tuple[Any, str, str | None, int, int, int, int]


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
    unreadable_files: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1
    peak_rss_mb: dict[str, Any] = field(default_factory=dict)
    #: files whose records came from the cache (not read)
    cached_files: int = 0
    #: with ``scan(by_project=True)``: the same sums as ``rows``, split by project as well
    project_rows: dict[ProjectRowKey, list[int]] = field(default_factory=dict)

    @property
    def skipped_lines(self) -> int:
        return self.malformed_lines + self.invalid_records


# --- worker side -------------------------------------------------------------------------------

_BUCKET: Bucketer | None = None
_COMPAT = False
#: Claude Code responses this worker has recorded (see claude.read_file); None: each file on its own
#: (what a file yields must not depend on the files read before it when the result is cached)
_SEEN: dict[bytes, claude.Seen] | None = {}


class Part(NamedTuple):
    """One file, or a line-aligned range of a large Claude Code transcript, to read."""

    tool: str
    path: str
    size: int
    first_byte: int
    stop_byte: int | None


class Task(NamedTuple):
    """A contiguous run of parts (in file order) that one worker reads in one go."""

    first: int  #: position of the first part in the list of all parts
    parts: list[Part]


#: what reading one part gives (sent through a pipe with marshal, and kept in the cache as it is):
#: claude.FileResult, codex.FileResult, or (list[KeyedEntry], malformed, invalid) from any other
#: reader (openclaw.FileResult, opencode.FileResult); None when unreadable
PartResult = Any
#: what a worker sends back for one task: (result of each part, worker pid, worker peak RSS in MB)
TaskResult = tuple[list[PartResult], int, float]


def _init_worker(spec: ZoneSpec, compat: bool = False, share: bool = True) -> None:
    global _BUCKET, _COMPAT, _SEEN
    _BUCKET = Bucketer(spec.build())
    _COMPAT = compat
    _SEEN = {} if share else None


_READERS: dict[str, Any] = {}


def _reader(tool: str) -> Any:
    """The reader module the agent's :class:`~configurator.agents.base.UsageSource` names (imported once)."""
    module = _READERS.get(tool)
    if module is None:
        import importlib

        from configurator.agents import AGENTS

        source = AGENTS[tool].usage
        assert source is not None
        module = _READERS[tool] = importlib.import_module(source.reader)
    return module


def _read_one(part: Part, bucket: Bucketer) -> PartResult:
    tool, path, _, first, stop = part
    try:
        if tool == CLAUDE:
            return claude.read_file(path, bucket, _COMPAT, first, stop, _SEEN)
        if tool == CODEX:
            return codex.read_file(path, bucket)
        return _reader(tool).read_file(path, bucket)
    except OSError:
        return None  # vanished or unreadable since discovery


def _peak_rss_mb() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def _work(task: Task) -> TaskResult:
    """In a worker: read the parts of one task."""
    assert _BUCKET is not None
    results = [_read_one(part, _BUCKET) for part in task.parts]
    return results, os.getpid(), _peak_rss_mb()


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


#: a Claude Code transcript larger than this is read in line-aligned ranges by several workers
SPLIT_BYTES = 16 << 20


def _parts(files: list[SourceFile], target: int, skip: Container[int] = ()) -> list[tuple[int, Part]]:
    """(index of the file, part) for every file not in ``skip``; large Claude Code files cut into
    ranges of ~``target``."""
    out: list[tuple[int, Part]] = []
    for index, f in enumerate(files):
        if index in skip:
            continue
        if f.tool == CLAUDE and f.size > max(SPLIT_BYTES, 2 * target):
            from configurator.usage.reader import line_cuts

            try:
                cuts = line_cuts(f.path, f.size, -(-f.size // target))
            except OSError:
                cuts = [0, f.size]
            for a, b in zip(cuts, cuts[1:], strict=False):
                out.append((index, Part(f.tool, f.path, b - a, a, b)))
        else:
            out.append((index, Part(f.tool, f.path, f.size, 0, None)))
    return out


def _split(parts: list[tuple[int, Part]], total: int, workers: int) -> list[Task]:
    """Contiguous runs of parts (file order is kept) of about ``total / (16 * workers)`` bytes each."""
    target = max(total // (16 * max(workers, 1)), 2 << 20)
    tasks: list[Task] = []
    run: list[Part] = []
    first = 0
    size = 0
    for position, (_, part) in enumerate(parts):
        if not run:
            first = position
        run.append(part)
        size += part.size
        if size >= target:
            tasks.append(Task(first, run))
            run, size = [], 0
    if run:
        tasks.append(Task(first, run))
    return tasks


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def scan(*, zone: ZoneSpec, tools: tuple[str, ...] = TOOLS, env: Mapping[str, str] | None = None,
         workers: int | None = None, progress: bool | None = None, ccusage_compat: bool = False,
         meanwhile: Callable[[], None] | None = None, use_cache: bool = False, by_project: bool = False
         ) -> ScanResult:
    """Read every transcript of ``tools`` and return per-day, per-model sums (no date filter applied).

    ``ccusage_compat`` reproduces ccusage 20.0.24's key for Claude Code responses without a request
    id (see :mod:`configurator.usage.claude`); it exists to verify the totals against that version.
    ``meanwhile`` is called in this process once the workers are busy (other slow set-up goes there).
    ``use_cache``: take unchanged files from the cache (:mod:`configurator.usage.cache`), read the
    rest, and update the cache.
    ``by_project``: also fill ``project_rows`` (each counted request under the project of the file, or
    the opencode session, its counted copy was read from: de-duplication is unchanged, so the project
    rows add up to ``rows``).
    """
    started = time.perf_counter()
    wall_started = time.time()
    found = discover(tools, env)
    result = ScanResult(zone=zone, roots=found.roots, notes=list(found.notes))
    files = found.files
    for tool in tools:
        result.files[tool] = sum(1 for f in files if f.tool == tool)
        result.bytes[tool] = sum(f.size for f in files if f.tool == tool)

    cache_file = None
    cached: cache.Entries = {}
    hits: dict[int, list[PartResult]] = {}
    if use_cache:
        from configurator.usage import cache

        cache_file = cache.cache_path(f"{zone.kind}:{zone.value}", ccusage_compat, env)
        cached = cache.load(cache_file)
        for index, f in enumerate(files):
            entry = cached.get((f.tool, f.path)) if f.stamp is not None else None
            if entry is not None:
                stamp, results = entry
                if stamp == f.stamp:
                    hits[index] = results
    todo_files = [f for index, f in enumerate(files) if index not in hits]
    total = sum(f.size for f in todo_files)
    n_workers = workers if workers is not None else _cpu_count()
    if total < POOL_THRESHOLD or len(todo_files) < 2:
        n_workers = 1
    if total >= POOL_THRESHOLD and len(todo_files) == 1 and todo_files[0].size > SPLIT_BYTES:
        n_workers = workers if workers is not None else _cpu_count()  # one large file: split it
    parts = _parts(files, max(total // (4 * max(n_workers, 1)), 1 << 20) if n_workers > 1 else 1 << 62, hits)
    tasks = _split(parts, total, n_workers)
    share = not use_cache  # cached results must not depend on the files read before them
    bar = _Progress(total, len(todo_files), progress)
    merge = _Merge(result, files, hits, [index for index, _ in parts], by_project)
    peaks: dict[int, float] = {}
    try:
        if n_workers > 1:
            try:
                import configurator.usage.shapes  # noqa: F401 - msgspec and the line shapes, loaded once for all workers

                done = pool.in_order(tasks, n_workers, _work, meanwhile=meanwhile,
                                     setup=partial(_init_worker, zone, ccusage_compat, share))
                for task, (results, pid, peak) in zip(tasks, done, strict=True):
                    merge.add(task.first, results)
                    peaks[pid] = max(peak, peaks.get(pid, 0.0))
                    bar.advance(sum(part.size for part in task.parts))
            except (OSError, RuntimeError, EOFError) as e:
                # no worker processes here (a sandbox without fork or semaphores, a worker killed):
                # read everything in this process instead
                result.notes.append(f"the log files were read in one process ({type(e).__name__}: {e}).")
                result.malformed_lines = result.invalid_records = 0
                result.files_with_skips = result.unreadable_files = 0
                merge = _Merge(result, files, hits, [index for index, _ in parts], by_project)
                peaks.clear()
                bar.done = 0
                n_workers = 1
        if n_workers <= 1:
            _init_worker(zone, ccusage_compat, share)
            bucket = Bucketer(zone.build())
            for task in tasks:
                merge.add(task.first, [_read_one(part, bucket) for part in task.parts])
                bar.advance(sum(part.size for part in task.parts))
    finally:
        bar.close()
    merge.finish()
    if cache_file is not None:
        from configurator.usage import cache

        # the other tools' files stay as they were; this scan's tools get exactly the files found now
        entries = {key: entry for key, entry in cached.items() if key[0] not in tools}
        added = 0
        for index, f in enumerate(files):
            if f.stamp is None:
                continue  # a file that may change without its stamp changing is never cached
            if index in hits:
                entries[(f.tool, f.path)] = (f.stamp, hits[index])
            elif index in merge.fresh and cache.cacheable(f.stamp, wall_started):
                entries[(f.tool, f.path)] = (f.stamp, merge.fresh[index])
                added += 1
        if added or entries.keys() != cached.keys():
            cache.save(cache_file, entries)
        result.cached_files = len(hits)
    result.workers = n_workers
    result.seconds = time.perf_counter() - started
    result.peak_rss_mb = {"main": round(_peak_rss_mb(), 1),
                          "workers": [round(v, 1) for _, v in sorted(peaks.items())]}
    return result


class _Merge:
    """Consumes the results in file order (cached files in their turn) and fills ``ScanResult.rows``."""

    def __init__(self, result: ScanResult, files: list[SourceFile], cached: dict[int, list[PartResult]],
                 owner: list[int], by_project: bool = False) -> None:
        self.result = result
        #: with by_project: per tool, (number of counted items once this file was merged, its project key), in
        #: file order (Claude Code slots and Codex deltas are only ever appended); for keyed tools the project
        #: of every counted item
        self.by_project = by_project
        self.marks: dict[str, list[tuple[int, str | None]]] = {}
        self.keyed_projects: dict[str, list[str | None]] = {}
        self.files = files
        #: file index -> results of its parts, for files taken from the cache
        self.cached = cached
        #: part position -> index of its file (the parts read now)
        self.owner = owner
        #: parts still to come per file read now
        self.waiting: dict[int, int] = {}
        for index in owner:
            self.waiting[index] = self.waiting.get(index, 0) + 1
        #: file index -> results of its parts, for files read now (what the cache stores)
        self.fresh: dict[int, list[PartResult]] = {}
        self.next_file = 0
        self.skipped_files: set[int] = set()
        self.unreadable: set[int] = set()
        self.claude = claude.Deduper()
        self.codex = codex.Merger()
        #: keyed-entry tools (in the order their first file comes): keys seen, counted requests
        self.keys_seen: dict[str, set[Any]] = {}
        self.keyed: dict[str, list[Counted]] = {}

    def add(self, first: int, results: list[PartResult]) -> None:
        """Results of the parts at positions ``first``, ``first + 1``, ... (positions arrive in order)."""
        for offset, res in enumerate(results):
            index = self.owner[first + offset]
            self.fresh.setdefault(index, []).append(res)
            self.waiting[index] -= 1
        self._flush()

    def _flush(self) -> None:
        files = self.files
        while self.next_file < len(files):
            index = self.next_file
            if index in self.cached:
                self._take(index, self.cached[index])
            elif self.waiting.get(index, 0) == 0 and index in self.fresh:
                self._take(index, self.fresh[index])
            else:
                return
            self.next_file += 1

    def _take(self, index: int, results: list[PartResult]) -> None:
        r = self.result
        tool = self.files[index].tool
        for res in results:
            if res is None:
                if index not in self.unreadable:
                    self.unreadable.add(index)
                    r.unreadable_files += 1
                self.fresh.pop(index, None)  # never cache an unreadable file
                continue
            if tool == CLAUDE:
                records, malformed, invalid = res
                self.claude.add_all(records)
                if self.by_project:
                    self.marks.setdefault(tool, []).append(
                        (len(self.claude.slots), projects.claude_key(self.files[index].path,
                                                                     r.roots.get(CLAUDE, ()))))
            elif tool == CODEX:
                events, copied_second, malformed, invalid = res[:4]
                self.codex.add_file(events, copied_second)
                if self.by_project:
                    self.marks.setdefault(tool, []).append((len(self.codex.deltas), projects.cwd_key(res[4])))
            else:
                entries, malformed, invalid = res[:3]
                seen = self.keys_seen.setdefault(tool, set())
                push = self.keyed.setdefault(tool, []).append
                if self.by_project:
                    self._keyed_projects(tool, index, res, seen)
                    continue
                for key, date, model, inp, cr, cw, out in entries:
                    if key is None or key not in seen:
                        if key is not None:
                            seen.add(key)
                        push((date, model, inp, cr, cw, out))
            if malformed or invalid:
                r.malformed_lines += malformed
                r.invalid_records += invalid
                if index not in self.skipped_files:
                    self.skipped_files.add(index)
                    r.files_with_skips += 1

    def _keyed_projects(self, tool: str, index: int, res: PartResult, seen: set[Any]) -> None:
        """The keyed-entry merge of one result, recording the project of every counted entry."""
        entries, malformed, invalid = res[:3]
        r = self.result
        per_entry = res[3] if len(res) > 3 else None
        whole = projects.openclaw_key(self.files[index].path) if tool == OPENCLAW else None
        push = self.keyed.setdefault(tool, []).append
        mark = self.keyed_projects.setdefault(tool, []).append
        for position, (key, date, model, inp, cr, cw, out) in enumerate(entries):
            if key is None or key not in seen:
                if key is not None:
                    seen.add(key)
                push((date, model, inp, cr, cw, out))
                mark(projects.cwd_key(per_entry[position]) if per_entry is not None and position < len(per_entry)
                     else whole)
        if malformed or invalid:
            r.malformed_lines += malformed
            r.invalid_records += invalid
            if index not in self.skipped_files:
                self.skipped_files.add(index)
                r.files_with_skips += 1

    def finish(self) -> None:
        self._flush()
        rows = self.result.rows
        spans: dict[str, tuple[str, str]] = {}

        def fold(tool: str, items: Iterable[Counted]) -> None:
            first: str | None = None
            last = ""
            for date, model, inp, cr, cw, out in items:
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
                if first is None or date < first:
                    first = date
                if date > last:
                    last = date
            if first is not None:
                spans[tool] = (first, last)

        fold(CLAUDE, ((date, model, inp, cr, cw, out)
                      for _mid, _rid, _side, date, model, inp, out, cw, cr, _speed in self.claude.slots
                      if inp or out or cw or cr))
        fold(CODEX, self.codex.deltas)
        for tool, counted in self.keyed.items():
            fold(tool, counted)
        self.result.span = spans
        if self.by_project:
            self._fold_projects()

    def _fold_projects(self) -> None:
        prows = self.result.project_rows

        def add(tool: str, item: Counted, project: str | None) -> None:
            date, model, inp, cr, cw, out = item
            key = (date, tool, model or "unknown", project)
            row = prows.get(key)
            if row is None:
                prows[key] = [inp, cr, cw, out, 1]
            else:
                row[0] += inp
                row[1] += cr
                row[2] += cw
                row[3] += out
                row[4] += 1

        def marked(tool: str, items: list[Any]) -> Iterable[tuple[Any, str | None]]:
            start = 0
            for end, project in self.marks.get(tool, ()):
                for i in range(start, end):
                    yield items[i], project
                start = max(start, end)

        for slot, project in marked(CLAUDE, self.claude.slots):
            _mid, _rid, _side, date, model, inp, out, cw, cr, _speed = slot
            if inp or out or cw or cr:
                add(CLAUDE, (date, model, inp, cr, cw, out), project)
        for delta, project in marked(CODEX, self.codex.deltas):
            add(CODEX, delta, project)
        for tool, counted in self.keyed.items():
            for item, project in zip(counted, self.keyed_projects.get(tool, ()), strict=True):
                add(tool, item, project)
