"""OpenClaw session transcripts: the usage OpenClaw records on each assistant message.

Sources for every field used:

- Transcript lines (pi-agent session format, version 3): ``{"type":"session", ...}`` first, then
  entries such as ``{"type":"message","id","parentId","timestamp":"<ISO>","message":{"role":"assistant",
  "api","provider","model","usage":{"input","output","cacheRead","cacheWrite","totalTokens",
  "cost":{"input","output","cacheRead","cacheWrite","total"}},"stopReason","timestamp":<epoch ms>}}``
  and ``{"type":"model_change","provider","modelId"}``. Reader: github.com/openclaw/openclaw
  ``src/infra/session-cost-usage.ts`` (``parseTranscriptEntry``: ``message.usage`` else ``entry.usage``;
  ``message.model``/``entry.model``; timestamp = ``entry.timestamp`` string, else
  ``message.timestamp`` epoch ms); file names ``<sessionId>.jsonl`` and ``.jsonl.reset.<time>``.
- Token fields and their alternates: ``src/agents/usage.ts`` (``normalizeUsage``: input from
  ``input|inputTokens|input_tokens|promptTokens|prompt_tokens``, output from
  ``output|outputTokens|output_tokens|completionTokens|completion_tokens``, cache read from
  ``cacheRead|cache_read|cache_read_input_tokens|cached_tokens|prompt_tokens_details.cached_tokens``,
  cache write from ``cacheWrite|cache_write|cache_creation_input_tokens``; the first positive value
  wins; a negative input is 0). ``input`` is the non-cached input (pi-ai subtracts cached tokens).
- ``model_change``/``custom`` ``model-snapshot`` lines as the model fallback, ``.jsonl.deleted.<time>``
  archives, and total-only usage counted as output: ccusage
  ``rust/crates/ccusage/src/adapter/openclaw/{parser,paths}.rs``.
- OpenClaw 2026.9: the SQLite store (see ``read_sqlite`` below for its tables), and archives of
  deleted or reset sessions published as ``.jsonl.deleted.<time>.zst`` / ``.jsonl.reset.<time>.zst``
  (zstd-compressed JSONL, read as a stream).

A record repeated verbatim (same session, entry id, time and tokens) is counted once.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from configurator.usage.dates import Bucketer
from configurator.usage.reader import blocks, capped_lines, check_regular, open_regular

MARKERS = (b'"usage"', b'"model_change"', b'"model-snapshot"')
#: other names normalizeUsage reads; when none is present the four usual fields are taken as they are
_ALTERNATES = frozenset({
    "inputTokens", "input_tokens", "promptTokens", "prompt_tokens", "outputTokens", "output_tokens",
    "completionTokens", "completion_tokens", "cache_read", "cache_read_input_tokens", "cached_tokens",
    "prompt_tokens_details", "cache_write", "cache_creation_input_tokens", "total", "total_tokens",
})
_NL = b"\n"

#: (session, entry id, timestamp, (input, output, cache read, cache write)): an entry repeated verbatim
EntryKey = tuple[str, Any, Any, tuple[int, int, int, int]]
#: One usage entry: (dedupe key, local date, model, non-cached input, cache read, cache write, output).
#: A plain tuple, unpacked by name where read: it travels by ``marshal`` (see ``claude.Record``).
Entry = tuple[EntryKey, str, str | None, int, int, int, int]
#: what one file yields: (entries, malformed lines, invalid records)
FileResult = tuple[list[Entry], int, int]


def _num(value: object) -> float | None:
    if type(value) is bool or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _pick(*values: object) -> float | None:
    nums = [n for n in (_num(v) for v in values) if n is not None]
    for n in nums:
        if n > 0:
            return n
    return nums[0] if nums else None


def normalize(raw: dict) -> tuple[int, int, int, int] | None:
    """``normalizeUsage`` -> (input, output, cache read, cache write), or None when no field is there."""
    details = raw.get("prompt_tokens_details")
    cached_detail = details.get("cached_tokens") if type(details) is dict else None
    inp = _pick(raw.get("input"), raw.get("inputTokens"), raw.get("input_tokens"), raw.get("promptTokens"),
                raw.get("prompt_tokens"))
    out = _pick(raw.get("output"), raw.get("outputTokens"), raw.get("output_tokens"), raw.get("completionTokens"),
                raw.get("completion_tokens"))
    cr = _pick(raw.get("cacheRead"), raw.get("cache_read"), raw.get("cache_read_input_tokens"),
               raw.get("cached_tokens"), cached_detail)
    cw = _pick(raw.get("cacheWrite"), raw.get("cache_write"), raw.get("cache_creation_input_tokens"))
    total = _pick(raw.get("total"), raw.get("totalTokens"), raw.get("total_tokens"))
    if inp is None and out is None and cr is None and cw is None and total is None:
        return None
    i, o, r, w = (max(0, int(v or 0)) for v in (inp, out, cr, cw))
    if i + o + r + w == 0 and total and total > 0:
        o = int(total)  # only a total: count it as output, like ccusage
    return i, o, r, w


def _session_of(path: str) -> str:
    name = os.path.basename(path)
    index = name.find(".jsonl")
    return name[:index] if index > 0 else name


def read_file(path: str, bucket: Bucketer) -> FileResult:
    """-> (entries, malformed lines, invalid records)."""
    if path.endswith(".sqlite"):
        return read_sqlite(path, bucket)
    if path.endswith(".zst"):  # a deleted or reset session's transcript, published compressed
        try:
            with open_regular(path) as fh, zstd_reader(fh) as lines:
                return _read_lines(lines, _session_of(path), bucket, {})
        except CompressedError:
            return [], 1, 0
    session = _session_of(path)
    entries: list[Entry] = []
    malformed = invalid = 0
    model: str | None = None
    for buf, stop in blocks(path):
        if stop < 0:  # a line longer than reader.MAX_LINE, skipped
            malformed += 1
            continue
        find = buf.find
        startswith = buf.startswith
        end = -1
        while end < stop:
            start = end + 1
            end = find(_NL, start, stop)
            if end < 0:
                end = stop
            # Entries start {"type":"<kind>",…; a message names its role within its first bytes: only
            # assistant messages and model changes are parsed (user messages and tool results are not).
            if startswith(b'{"type":"message",', start):
                head = start + 400 if start + 400 < end else end
                role = find(b'"role":"', start, head)
                if role >= 0 and not startswith(b'assistant"', role + 8):
                    continue
                if role < 0 and find(MARKERS[0], start, end) < 0:
                    continue
            elif startswith(b'{"type":"', start):
                if not (startswith(b'model_change"', start + 9) or startswith(b'custom"', start + 9)):
                    continue
            elif find(MARKERS[0], start, end) < 0 and find(MARKERS[1], start, end) < 0 and \
                    find(MARKERS[2], start, end) < 0:
                continue
            model, entry, bad_line, bad_record = _event(buf[start:end], session, bucket, model)
            if entry is not None:
                entries.append(entry)
            malformed += bad_line
            invalid += bad_record
    return entries, malformed, invalid


def _event(raw: bytes | bytearray | str, session: str, bucket: Bucketer, model: str | None
           ) -> tuple[str | None, Entry | None, int, int]:
    """One event's JSON -> (current model, entry or None, 1 if not a JSON object, 1 if an invalid record)."""
    import msgspec

    try:
        d = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError):  # RecursionError: an event nested too deep
        return model, None, 1, 0
    if type(d) is not dict:
        return model, None, 1, 0
    model, entry, bad = _record(d, session, bucket, model)
    return model, entry, 0, bad


def _record(d: dict, session: str, bucket: Bucketer, model: str | None) -> tuple[str | None, Entry | None, int]:
    """One parsed transcript event -> (current model, entry or None, 1 if the record was invalid)."""
    kind = d.get("type")
    if kind == "model_change" or (kind == "custom" and d.get("customType") == "model-snapshot"):
        data = d.get("data")
        source = data if type(data) is dict else d
        name = source.get("modelId") or source.get("model")
        if type(name) is str and name:
            model = name
        return model, None, 0
    if kind != "message":
        return model, None, 0
    msg = d.get("message")
    if type(msg) is not dict or msg.get("role") != "assistant":
        return model, None, 0
    raw = msg.get("usage")
    if raw is None:
        raw = d.get("usage")
    if type(raw) is not dict:
        return model, None, 0
    i = raw.get("input")
    o = raw.get("output")
    r = raw.get("cacheRead")
    w = raw.get("cacheWrite")
    tokens: tuple[int, int, int, int] | None
    if (type(i) is int and type(o) is int and type(r) is int and type(w) is int
            and i >= 0 and o >= 0 and r >= 0 and w >= 0 and _ALTERNATES.isdisjoint(raw)
            and (i or o or r or w)):
        tokens = (i, o, r, w)  # what normalize() returns for the usual shape, without the work
    else:
        tokens = normalize(raw)
    if tokens is None:
        return model, None, 1
    if not any(tokens):
        return model, None, 0
    ts = d.get("timestamp")
    date = bucket.date_of(ts) if type(ts) is str else None
    if date is None:
        ts = msg.get("timestamp")
        date = bucket.date_of(ts)
    if date is None:
        return model, None, 1
    name = msg.get("model") or msg.get("modelId") or d.get("model") or model
    inp, out, cr, cw = tokens
    key = (session, d.get("id"), ts, tokens)
    return model, (key, date, name if type(name) is str else None, inp, cr, cw, out), 0


# --- OpenClaw 2026.9: the SQLite transcript store ------------------------------------------------

#: OpenClaw 2026.9 keeps transcripts in SQLite: ``agents/<agent>/agent/openclaw-agent.sqlite``. The
#: schema, as the real openclaw 2026.9.6 creates it (tests/conformance checks it):
#:
#: - ``transcript_events(session_id, seq, event_json, created_at, event_zstd, event_utf8_bytes, ...)``:
#:   ``event_json`` holds the objects the JSONL lines held; a large event has ``event_json`` NULL and
#:   its UTF-8 bytes zstd-compressed in ``event_zstd`` (``event_utf8_bytes`` long, at most 4 MiB).
#: - ``session_transcript_archives(session_id, generation, session_key, reason, encoding,
#:   archive_blob, ...)``: a reset or deleted session's whole transcript (JSONL; ``encoding``
#:   ``identity`` or ``zstd``), which maintenance moves out of ``transcript_events``.
#: - ``session_transcript_cold_archives(session_id, archive_name, storage, archive_blob, ...)``: old
#:   sessions moved to cold storage (``session.maintenance.coldStorage``), in the row
#:   (``storage = 'sqlite'``) or in ``<state dir>/cold/<archive_name>`` (``'file'``); read as JSONL,
#:   zstd-compressed or not (told by the zstd magic number).
#:
#: Every source goes through the same record rules; an event present in two of them (an archive
#: written while its rows still exist, a published archive file) counts once (same dedupe key).
_WANTED = ("WHERE event_json IS NULL OR event_json LIKE '%\"usage\"%' OR event_json LIKE '%\"model_change\"%' "
           "OR event_json LIKE '%\"model-snapshot\"%'")
#: the largest event OpenClaw stores compressed (its own limit)
MAX_EVENT_BYTES = 4 << 20
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class CompressedError(Exception):
    """A zstd payload that cannot be read (damaged, or no zstd decoder)."""


def _zstd() -> tuple[Callable[[bytes, int], bytes], Callable[[IO[bytes]], Any]]:
    """(decompress(blob, size) -> bytes, stream(binary file) -> binary line reader), from the standard
    library (Python 3.14+) or zstandard."""
    import io

    if sys.version_info >= (3, 14):
        try:
            from compression import zstd

            return (lambda blob, size: zstd.decompress(blob)), zstd.ZstdFile
        except ImportError:  # a Python built without zstd
            pass
    try:
        import zstandard
    except ImportError as e:
        raise CompressedError("no zstd decoder (pip install zstandard)") from e
    return ((lambda blob, size: zstandard.ZstdDecompressor().decompress(blob, max_output_size=size)),
            (lambda raw: io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True),
                                           buffer_size=1 << 16)))


def zstd_reader(raw: IO[bytes]) -> Any:
    """A binary line reader over the zstd stream in ``raw`` (a binary file object)."""
    return _zstd()[1](raw)


def _zstd_event(blob: bytes, size: object) -> bytes:
    """One compressed event -> its JSON bytes (``size``: its recorded decoded length)."""
    if type(size) is not int or not 0 < size <= MAX_EVENT_BYTES:
        raise CompressedError("compressed event without a valid size")
    decompress = _zstd()[0]
    try:
        data = decompress(blob, size)
    except Exception as e:  # noqa: BLE001 - zstandard.ZstdError, compression.zstd.ZstdError
        raise CompressedError(str(e)) from e
    if len(data) != size:
        raise CompressedError("compressed event of another size than recorded")
    return data


def _read_lines(lines: Iterable[bytes], session: str, bucket: Bucketer, models: dict[str, str | None]
                ) -> FileResult:
    """JSONL from an archive (any iterable of lines) -> (entries, malformed lines, invalid records)."""
    entries: list[Entry] = []
    malformed = invalid = 0
    model = models.get(session)
    try:
        for raw in (capped_lines(lines) if hasattr(lines, "readline") else lines):
            if raw is None:  # a line longer than reader.MAX_LINE
                malformed += 1
                continue
            line = raw.strip()
            if not line or (MARKERS[0] not in line and MARKERS[1] not in line and MARKERS[2] not in line):
                continue
            model, entry, bad_line, bad_record = _event(line, session, bucket, model)
            malformed += bad_line
            invalid += bad_record
            if entry is not None:
                entries.append(entry)
    except Exception:  # noqa: BLE001 - a damaged stream (OSError, zstd errors): what was read before counts
        malformed += 1
    models[session] = model
    return entries, malformed, invalid


def _blob_lines(blob: bytes, compressed: bool | None) -> Any:
    """Lines of an archive blob; ``compressed`` None: tell by the zstd magic number."""
    import io

    if compressed is None:
        compressed = blob[:4] == _ZSTD_MAGIC
    if compressed:
        return zstd_reader(io.BytesIO(blob))
    return io.BytesIO(blob)


@contextmanager
def _archive_lines(source: bytes | str, compressed: bool | None) -> Iterator[Any]:
    """Lines of an archive: a blob, or the path of a cold-storage file (streamed, never read whole;
    only a regular file is opened: see reader.open_regular)."""
    if not isinstance(source, str):
        with _blob_lines(source, compressed) as lines:
            yield lines
        return
    with open_regular(source) as fh:
        if compressed is None:
            compressed = fh.read(4) == _ZSTD_MAGIC
            fh.seek(0)
        if compressed:
            with zstd_reader(fh) as lines:
                yield lines
        else:
            yield fh


def _inside(base: str, path: str) -> bool:
    """Whether ``path``, every link resolved, lies in the folder ``base`` (resolved too)."""
    real_base = os.path.realpath(base)
    real = os.path.realpath(path)
    return real == real_base or real.startswith(real_base.rstrip(os.sep) + os.sep)


def read_sqlite(path: str, bucket: Bucketer) -> FileResult:
    """-> (entries, unreadable events, invalid records) from an OpenClaw transcript database, read-only."""
    import sqlite3
    from urllib.parse import quote


    check_regular(path)  # SQLite would block on a FIFO: OSError, the scan counts the file as not read
    entries: list[Entry] = []
    malformed = invalid = 0
    try:
        conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)
    except sqlite3.Error:
        return entries, 1, 0
    models: dict[str, str | None] = {}

    def columns(table: str) -> set[str]:
        return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}

    try:
        have = columns("transcript_events")
        if have:
            zstd = "event_zstd" in have and "event_utf8_bytes" in have
            query = ("SELECT session_id, event_json, " + ("event_zstd, event_utf8_bytes" if zstd else "NULL, NULL")
                     + " FROM transcript_events " + _WANTED + " ORDER BY session_id, seq")
            for session, event_json, blob, size in conn.execute(query):
                sid = str(session)
                if event_json is None:
                    try:
                        if blob is None:
                            raise CompressedError("an event with no content")
                        event_json = _zstd_event(bytes(blob), size)
                    except CompressedError:
                        malformed += 1
                        continue
                    if MARKERS[0] not in event_json and MARKERS[1] not in event_json and \
                            MARKERS[2] not in event_json:
                        continue
                model, entry, bad_line, bad_record = _event(event_json, sid, bucket, models.get(sid))
                models[sid] = model
                malformed += bad_line
                invalid += bad_record
                if entry is not None:
                    entries.append(entry)
        # reset and deleted sessions, then sessions in cold storage
        #: (session, blob or the path of a cold-storage file, compressed? None: tell by the magic number)
        archives: list[tuple[str, bytes | str | None, bool | None]] = []
        if {"session_id", "encoding", "archive_blob"} <= columns("session_transcript_archives"):
            for session, encoding, blob in conn.execute(
                    "SELECT session_id, encoding, archive_blob FROM session_transcript_archives "
                    "ORDER BY session_id, created_at"):
                archives.append((str(session), blob, encoding == "zstd"))
        if {"session_id", "archive_name", "storage", "archive_blob"} <= columns("session_transcript_cold_archives"):
            state_dir = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(path))))
            cold_dir = os.path.join(state_dir, "cold")
            for session, name, storage, blob in conn.execute(
                    "SELECT session_id, archive_name, storage, archive_blob FROM session_transcript_cold_archives "
                    "ORDER BY session_id"):
                source: bytes | str | None = None if blob is None else bytes(blob)
                if storage == "file":
                    source = None
                    if type(name) is str and name not in ("", ".", "..") and "/" not in name and "\\" not in name:
                        cold = os.path.join(cold_dir, name)
                        # never a link out of the state dir (the name comes from the database)
                        source = cold if _inside(state_dir, cold) else None
                archives.append((str(session), source, None))
        for session, source, compressed in archives:
            if source is None:
                malformed += 1
                continue
            try:
                with _archive_lines(source, compressed) as lines:
                    got, bad_lines, bad_records = _read_lines(lines, session, bucket, models)
            except (CompressedError, OSError):  # OSError: a cold file missing, unreadable or not a regular file
                malformed += 1
                continue
            entries.extend(got)
            malformed += bad_lines
            invalid += bad_records
    except sqlite3.Error:
        malformed += 1
    finally:
        conn.close()
    return entries, malformed, invalid
