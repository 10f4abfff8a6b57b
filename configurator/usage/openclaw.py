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

A record repeated verbatim (same session, entry id, time and tokens) is counted once.
"""

from __future__ import annotations

import math
import os

from configurator.usage.dates import Bucketer
from configurator.usage.reader import blocks

MARKERS = (b'"usage"', b'"model_change"', b'"model-snapshot"')
#: other names normalizeUsage reads; when none is present the four usual fields are taken as they are
_ALTERNATES = frozenset({
    "inputTokens", "input_tokens", "promptTokens", "prompt_tokens", "outputTokens", "output_tokens",
    "completionTokens", "completion_tokens", "cache_read", "cache_read_input_tokens", "cached_tokens",
    "prompt_tokens_details", "cache_write", "cache_creation_input_tokens", "total", "total_tokens",
})
_NL = b"\n"

# (dedupe key, date, model, non-cached input, cache read, cache write, output)
Entry = tuple


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


def read_file(path: str, bucket: Bucketer) -> tuple[list[Entry], int, int]:
    """-> (entries, malformed lines, invalid records)."""
    if path.endswith(".sqlite"):
        return read_sqlite(path, bucket)
    import msgspec

    loads = msgspec.json.decode
    decode_error = msgspec.DecodeError
    session = _session_of(path)
    entries: list[Entry] = []
    malformed = invalid = 0
    model: str | None = None
    for buf, stop in blocks(path):
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
            try:
                d = loads(buf[start:end])
            except decode_error:
                malformed += 1
                continue
            if type(d) is not dict:
                malformed += 1
                continue
            model, entry, bad = _record(d, session, bucket, model)
            if entry is not None:
                entries.append(entry)
            invalid += bad
    return entries, malformed, invalid


def _record(d: dict, session: str, bucket: Bucketer, model: str | None) -> tuple[str | None, Entry | None, int]:
    """One parsed transcript event -> (current model, entry or None, 1 if the record was invalid)."""
    kind = d.get("type")
    if kind == "model_change" or (kind == "custom" and d.get("customType") == "model-snapshot"):
        source = d.get("data") if type(d.get("data")) is dict else d
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


#: OpenClaw 2026.9 keeps transcripts in SQLite: agents/<agent>/agent/openclaw-agent.sqlite, table
#: transcript_events(session_id, seq, event_json, created_at, event_zstd, event_utf8_bytes, ...), where
#: event_json holds the same objects the JSONL lines held (checked with the real openclaw 2026.9.6, see
#: tests/conformance/FINDINGS.md). Events stored only compressed (event_zstd) cannot be read with the
#: standard library and are counted as skipped.
SQLITE_NAME = "openclaw-agent.sqlite"
_SQL = (
    "SELECT session_id, event_json FROM transcript_events "
    "WHERE event_json IS NULL OR event_json LIKE '%\"usage\"%' OR event_json LIKE '%\"model_change\"%' "
    "OR event_json LIKE '%\"model-snapshot\"%' ORDER BY session_id, seq"
)


def read_sqlite(path: str, bucket: Bucketer) -> tuple[list[Entry], int, int]:
    """-> (entries, unreadable events, invalid records) from an OpenClaw transcript database, read-only."""
    import sqlite3
    from urllib.parse import quote

    import msgspec

    entries: list[Entry] = []
    malformed = invalid = 0
    try:
        conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)
    except sqlite3.Error:
        return entries, 1, 0
    try:
        models: dict[str, str | None] = {}
        for session, event_json in conn.execute(_SQL):
            if event_json is None:
                malformed += 1  # compressed only
                continue
            try:
                d = msgspec.json.decode(event_json)
            except msgspec.DecodeError:
                malformed += 1
                continue
            if type(d) is not dict:
                malformed += 1
                continue
            sid = str(session)
            model, entry, bad = _record(d, sid, bucket, models.get(sid))
            models[sid] = model
            invalid += bad
            if entry is not None:
                entries.append(entry)
    except sqlite3.Error:
        malformed += 1
    finally:
        conn.close()
    return entries, malformed, invalid
