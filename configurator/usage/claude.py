"""Claude Code transcripts: one usage record per API response, de-duplicated exactly like ccusage.

Sources for every field used (read 2026, see also the line shapes in ``tests/usage/fixtures``):

- Line shape and the fields ``message.usage.{input_tokens, output_tokens, cache_creation_input_tokens,
  cache_read_input_tokens, cache_creation.{ephemeral_5m_input_tokens, ephemeral_1h_input_tokens},
  speed}``, ``message.{id, model}``, ``requestId``, ``timestamp``, ``version``, ``sessionId``,
  ``isSidechain``, ``isApiErrorMessage``: ccusage ``rust/crates/ccusage/src/adapter/claude/daily.rs``
  (``DailyUsageEntry``/``DailyUsageMessage``) and ``src/types.rs`` (``TokenUsageRaw``,
  ``cache_creation_token_count``) in github.com/ryoppippi/ccusage (published as ccusage 20.0.x).
- Subagent progress records (``{"type":"progress","data":{"message":{"timestamp", "requestId",
  "message":{"id","model","usage"}}}}``), which older Claude Code versions wrote into the parent
  transcript: same file, ``DailyAgentProgressEntry``.
- De-duplication: same file, ``push_deduped_daily_entry``; the null-field rule:
  ``adapter/claude/mod.rs`` (``has_unsupported_null_field``, ``is_valid_daily_usage_entry``).

Rules (those of ccusage, checked against the ccusage 20.0.24 binary; see ``tests/usage``):

- Only lines containing ``"usage":{`` are parsed. A record is ``message.usage`` at the top level, or
  the nested progress form above. ``input_tokens`` and ``output_tokens`` are required; the cache
  fields default to 0; when ``usage.cache_creation`` is present the cache-write count is its 5-minute
  + 1-hour buckets, else ``cache_creation_input_tokens``. ``input_tokens`` is already non-cached.
- A record is skipped (and counted as skipped) when the line has ``"<field>":null`` for one of
  id, cwd, model, speed, costUSD, version, sessionId, requestId, isApiErrorMessage,
  cache_read_input_tokens, cache_creation_input_tokens; when ``version`` is not ``N.N.N…``; when
  ``sessionId``, ``requestId``, ``message.id`` or ``message.model`` is an empty string; or when a field
  has the wrong type.
- Claude Code writes one line per content block, repeating the usage of the response. Records are
  read file by file in path order and the same response is counted once: key (``message.id``,
  ``requestId``) — ``message.id`` alone when ``requestId`` is missing (third-party gateways omit it) —
  plus, for sidechain (subagent) records, any earlier record with the same ``message.id`` (``/btw``
  replays a parent message under a new request id). Of two copies the non-sidechain one wins, then
  the larger token total, then the one that has ``speed``; on a tie the first read wins. Records
  without ``message.id`` are never merged. Subagent transcripts count like any other.

Where we differ from ccusage 20.0.24 (never on what Claude Code writes through Anthropic's API):

- A response without ``requestId``: 20.0.24 keys it by (session, timestamp), so each of its
  content-block lines counts again; we count it once, as the issue asks and as ccusage's current
  source does (``usage_dedupe_hash(message_id, None)``). ``compat=True`` reproduces 20.0.24 (used by
  ``benchmarks/usage_scan.py`` to prove the totals identical).
- ``isApiErrorMessage`` records are skipped (Claude Code gives them zero tokens, so totals agree).
- Top-level ``"type":"user"`` lines (prompts and tool results, most of the bytes of a transcript)
  are not searched at all: Claude Code's user messages carry no usage. (ccusage parses any line with
  ``"usage":{``, e.g. a Task tool result's ``toolUseResult.usage``, then finds no ``message.usage``.)
- Timestamps are read with any ISO-8601 precision (ccusage accepts milliseconds or none only). A
  record whose local date falls outside 2000–2099 (``9999-12-31`` east of UTC does not even have one)
  is invalid and counted as skipped (:data:`configurator.usage.dates.FIRST_YEAR`), as is a line nested
  deeper than the recursion limit (the decoder raises ``RecursionError``): every agent's reader alike.
- ccusage breaks a tie of token totals by its dollar cost; we have no dollar prices, so the first
  copy read wins (copies of one response have the same model and tokens, hence the same cost).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from configurator.usage.dates import Bucketer
from configurator.usage.reader import blocks

if TYPE_CHECKING:
    from configurator.usage.shapes import ClaudeLine

MARKER = b'"usage":{'
_USER = b'"type":"user"'
_HEAD = 512
_NL = b"\n"
#: ccusage's validity rule for a line's ``version`` (starts ``N.N.N``), not a version to compare:
#: versions.parse_version would accept other strings (``1.2``, ``v1.2.3``) and count lines ccusage skips
_VERSION = re.compile(r"\d+\.\d+\.\d")
_NULLABLE = frozenset({
    b"id", b"cwd", b"model", b"speed", b"costUSD", b"version", b"sessionId", b"requestId",
    b"isApiErrorMessage", b"cache_read_input_tokens", b"cache_creation_input_tokens",
})

_NULLABLE_QUOTED = tuple(b'"' + name + b'"' for name in sorted(_NULLABLE))

#: a request id; in ccusage 20.0.24 mode a response without one is keyed (session, epoch milliseconds)
RequestKey = str | tuple[str, int]
#: One usage record: (message id, request id, sidechain?, local date, model, input, output,
#: cache write, cache read, has speed?). A plain tuple, unpacked by name where it is read: records
#: travel from the workers and into the cache by ``marshal``, which refuses tuple subclasses
#: (NamedTuple), and a NamedTuple per record would cost more than the rest of its merge.
Record = tuple[str | None, RequestKey | None, bool, str, str | None, int, int, int, int, bool]
#: what one file (or range) yields: (records, malformed lines, invalid records)
FileResult = tuple[list[Record], int, int]
#: what read_file remembers of a recorded response: (message id, sidechain?, request id in the line?)
Seen = tuple[bytes, bool, bool]


def has_unsupported_null(line: bytes | bytearray) -> bool:
    """ccusage skips a line where ``"<field>":null`` appears anywhere, for the fields in ``_NULLABLE``.

    ccusage (``has_unsupported_null_field``) takes, for each ``:null``, the quoted name just before
    it. In a line that is valid JSON (the only lines that count) that name is the key right before
    ``:null`` — so the test is whether the bytes before some ``:null`` end with ``"<field>"``, checked
    in C by ``endswith`` on the line itself (:func:`ccusage_null_rule` is the literal port; the tests
    check that the two agree).
    """
    endswith = line.endswith
    find = line.find
    at = find(b":null")
    while at >= 0:
        if endswith(_NULLABLE_QUOTED, 0, at):
            return True
        at = find(b":null", at + 5)
    return False


def ccusage_null_rule(line: bytes) -> bool:
    """ccusage's ``has_unsupported_null_field``, ported literally (the reference for the tests)."""
    offset = 0
    while True:
        at = line.find(b":null", offset)
        if at < 0:
            return False
        end = max(at - 1, 0)
        if line[end:end + 1] != b'"':
            while end > 0 and line[end:end + 1] != b'"':
                end -= 1
        if line[end:end + 1] == b'"':
            begin = max(end - 1, 0)
            while begin > 0 and line[begin:begin + 1] != b'"':
                begin -= 1
            if line[begin:begin + 1] == b'"' and line[begin + 1:end] in _NULLABLE:
                return True
        offset = at + 5


def _uint(value: object) -> int | None:
    return value if type(value) is int and value >= 0 else None


def _opt_str(value: object) -> bool:
    return value is None or type(value) is str


def parse_record(d: dict, bucket: Bucketer, path_session: str | None = None) -> Record | Literal[False] | None:
    """One parsed line -> a record; ``None`` when it is no usage record; ``False`` when it is an invalid one."""
    msg = d.get("message")
    if type(msg) is dict and type(msg.get("usage")) is dict:
        outer = d
        session = d.get("sessionId")
        version = d.get("version")
        if not _opt_str(version) or not _opt_str(session):
            return False
        if version is not None and not _VERSION.match(version):
            return False
        if session == "":
            return False
    else:
        data = d.get("data")
        if type(data) is not dict:
            return None
        progress = data.get("message")
        if type(progress) is not dict:
            return None
        outer = progress
        msg = outer.get("message")
        if type(msg) is not dict or type(msg.get("usage")) is not dict:
            return None
        session = None
    usage = msg["usage"]
    if outer.get("isApiErrorMessage") is True or d.get("isApiErrorMessage") is True:
        return None
    inp = _uint(usage.get("input_tokens"))
    out = _uint(usage.get("output_tokens"))
    if inp is None or out is None:
        return False
    cw_flat = usage.get("cache_creation_input_tokens", 0)
    cr = usage.get("cache_read_input_tokens", 0)
    if _uint(cw_flat) is None or _uint(cr) is None:
        return False
    buckets = usage.get("cache_creation")
    if buckets is None:
        cw = cw_flat
    elif type(buckets) is dict:
        five = buckets.get("ephemeral_5m_input_tokens", 0)
        hour = buckets.get("ephemeral_1h_input_tokens", 0)
        if _uint(five) is None or _uint(hour) is None:
            return False
        cw = five + hour
    else:
        return False
    speed = usage.get("speed")
    if speed is not None and speed != "standard" and speed != "fast":
        return False
    mid = msg.get("id")
    model = msg.get("model")
    rid = outer.get("requestId")
    side = outer.get("isSidechain")
    if not _opt_str(mid) or not _opt_str(model) or not _opt_str(rid) or (side is not None and type(side) is not bool):
        return False
    if mid == "" or model == "" or rid == "":
        return False
    cost = outer.get("costUSD")
    if cost is not None and (type(cost) is bool or not isinstance(cost, (int, float))):
        return False
    ts = outer.get("timestamp")
    if type(ts) is not str:
        return False
    if len(ts) == 24 and ts[23] == "Z" and ts[10] == "T":
        date = bucket.hours.get(ts[:13]) or bucket.date_of(ts)
    else:
        date = bucket.date_of(ts)
    if date is None:
        return False
    request: RequestKey | None = rid
    if rid is None and mid is not None and path_session is not None:
        # COMPAT_20_0_24 only: ccusage 20.0.24 keys a response without request id by its session (the
        # sessionId field, else the one the path implies) and its timestamp in milliseconds, so each
        # content-block line of such a response counts again.
        millis = bucket.epoch_ms(ts)
        if millis is None:
            return False
        request = (session if type(session) is str else path_session, millis)
    return (mid, request, side is True, date, model, inp, out, cw, cr, speed is not None)


def session_from_path(path: str) -> str:
    """ccusage ``extract_session_parts``: the session a transcript belongs to, from its path."""
    parts = [p for p in path.replace("\\", "/").split("/") if p]
    if "projects" in parts:
        parts = parts[parts.index("projects") + 1:]
    stem = parts[-1][:-6] if parts and parts[-1].endswith(".jsonl") else ""
    if len(parts) == 2 and stem:
        return stem
    if len(parts) >= 4 and parts[-2] == "subagents":
        return parts[-3]
    return parts[max(len(parts) - 2, 0)] if parts else "unknown"


def read_file(path: str, bucket: Bucketer, compat: bool = False, first_byte: int = 0,
              stop_byte: int | None = None, seen: dict[bytes, Seen] | None = None) -> FileResult:
    """All usage records of one transcript -> (records, malformed lines, invalid records).

    ``first_byte``/``stop_byte``: a range of a large file, on line boundaries (read by another worker
    than the rest of the file; the global pass merges the ranges in order).

    ``seen`` (kept by a worker across the files it reads, in file order) maps the bytes from
    ``"usage":{`` up to ``"uuid"`` (usage and request id) of each recorded response to its message id
    and sidechain flag. A later line with the same bytes and ids — another content block of the same
    response, or a resumed session's copy — is dropped without parsing: it could only tie with the
    record kept, and a tie never replaces it. Other consecutive copies of one response are collapsed
    here with the same preference as the global pass, so that less crosses the process boundary.
    """
    import msgspec

    from configurator.usage.shapes import claude_line

    decode = claude_line.decode
    loads = msgspec.json.decode
    # a line nested deeper than the interpreter's recursion limit: msgspec raises RecursionError
    decode_error = (msgspec.DecodeError, RecursionError)
    records: list[Record] = []
    append = records.append
    malformed = invalid = 0
    models: dict[str, str] = {}
    versions: dict[str, bool] = {}
    hours = bucket.hours
    last_key: tuple[str, RequestKey | None, bool] | None = None
    outer: ClaudeLine | None
    rec: Record | None  # None: an invalid record
    if seen is None:
        seen = {}
    path_session = session_from_path(path) if compat else None
    for buf, stop in blocks(path, first_byte, stop_byte):
        if stop < 0:  # a line longer than reader.MAX_LINE, skipped
            malformed += 1
            continue
        find = buf.find
        end = -1
        while end < stop:
            start = end + 1
            end = find(_NL, start, stop)
            if end < 0:
                end = stop
            # A top-level user line (prompt, tool result: most of the bytes) is not searched: Claude
            # Code's user messages have no usage. "type":"user" with no "{" before it is top level.
            head = start + _HEAD if start + _HEAD < end else end
            at = find(_USER, start, head)
            if at >= 0 and find(b"{", start + 1, at) < 0:
                continue
            marker = buf.rfind(MARKER, start, end)  # usage sits near the end of an assistant line
            if marker < 0:
                continue
            # -- a copy of a response this process already recorded (the per-content-block lines,
            # or a resumed session's copy of its history): nothing to parse. Same message id, request
            # id, sidechain flag and usage bytes can only tie with the record kept, never replace it.
            tail = None
            if not compat and buf[end - 1] == 125:  # 125 == "}": the line is complete
                uuid_at = find(b',"uuid":"', marker, end)
                if uuid_at > 0:
                    tail = bytes(buf[marker:uuid_at])
                    known = seen.get(tail)
                    if known is not None:
                        known_id, known_side, known_with_rid = known
                        id_at = find(b'"message":{"id":"', start, marker)
                        if (id_at >= 0 and buf[id_at + 17:find(b'"', id_at + 17, marker)] == known_id
                                and (find(b'"isSidechain":true', start, id_at) >= 0) is known_side
                                and (known_with_rid or find(b'"requestId"', start, end) < 0)):
                            continue
            line = buf[start:end]
            try:
                obj = decode(line)
            except decode_error:
                obj = None
            rec = None
            if obj is not None:
                # -- the typed fast path: the shapes already checked every type and sign
                msg = obj.message
                if msg is not None and msg.usage is not None:
                    outer = obj
                    version = obj.version
                    top_ok = obj.sessionId != ""
                    if version is not None and top_ok:
                        version_ok = versions.get(version)
                        if version_ok is None:
                            version_ok = versions[version] = _VERSION.match(version) is not None
                        top_ok = version_ok
                else:
                    data = obj.data
                    outer = data.message if data is not None else None
                    if outer is None:
                        continue
                    msg = outer.message
                    if msg is None or msg.usage is None:
                        continue  # no usage record on this line
                    top_ok = True
                if top_ok and (outer.isApiErrorMessage is True or obj.isApiErrorMessage is True):
                    continue
                usage = msg.usage
                mid = msg.id
                model = msg.model
                rid = outer.requestId
                ts = outer.timestamp
                side = outer.isSidechain is True
                if top_ok and ts is not None and mid != "" and model != "" and rid != "":
                    buckets = usage.cache_creation
                    cw = usage.cache_creation_input_tokens if buckets is None else \
                        buckets.ephemeral_5m_input_tokens + buckets.ephemeral_1h_input_tokens
                    if len(ts) == 24 and ts[23] == "Z" and ts[10] == "T":
                        date = hours.get(ts[:13]) or bucket.date_of(ts)
                    else:
                        date = bucket.date_of(ts)
                    request: RequestKey | None = rid
                    if date is not None and rid is None and mid is not None and path_session is not None:
                        # COMPAT_20_0_24 only: see parse_record
                        millis = bucket.epoch_ms(ts)
                        if millis is None:
                            date = None
                        else:
                            request = ((obj.sessionId if outer is obj else None) or path_session, millis)
                    if date is not None:
                        if model is not None:
                            interned = models.get(model)
                            if interned is None:
                                models[model] = interned = model
                            model = interned
                        rec = (mid, request, side, date, model, usage.input_tokens, usage.output_tokens, cw,
                               usage.cache_read_input_tokens, usage.speed is not None)
            else:
                # -- the slow path: a line the shapes do not fit (or no JSON at all)
                try:
                    d = loads(line)
                except decode_error:
                    malformed += 1
                    continue
                if type(d) is not dict:
                    malformed += 1
                    continue
                parsed = parse_record(d, bucket, path_session)
                if parsed is None:
                    continue
                if parsed is not False:
                    rec = _intern_model(parsed, models)
                    mid, request, side = rec[:3]
            if rec is None or has_unsupported_null(line):
                invalid += 1
                continue
            if tail is not None and mid is not None:
                rid_in_tail = b'"requestId":"' in tail
                if rid_in_tail or request is None:
                    seen[tail] = (mid.encode(), side, rid_in_tail)
            key = (mid, request, side) if mid is not None else None
            if key is not None and key == last_key:
                if better(rec, records[-1]):
                    records[-1] = rec
                continue
            last_key = key
            append(rec)
    return records, malformed, invalid


def _intern_model(rec: Record, models: dict[str, str]) -> Record:
    """``rec`` with the one copy of its model name this file uses (fewer strings to send and keep)."""
    mid, request, side, date, model, inp, out, cw, cr, speed = rec
    if model is None:
        return rec
    interned = models.setdefault(model, model)
    return rec if interned is model else (mid, request, side, date, interned, inp, out, cw, cr, speed)


def better(candidate: Record, existing: Record) -> bool:
    """ccusage's ``should_replace_deduped_daily_entry`` (without its cost tie-break: see the module doc)."""
    _, _, side, _, _, inp, out, cw, cr, speed = candidate
    _, _, kept_side, _, _, kept_inp, kept_out, kept_cw, kept_cr, kept_speed = existing
    if side != kept_side:
        return kept_side
    total = inp + out + cw + cr
    kept_total = kept_inp + kept_out + kept_cw + kept_cr
    if total != kept_total:
        return total > kept_total
    return speed and not kept_speed


class Deduper:
    """The global pass over all records in file order (ccusage ``push_deduped_daily_entry``).

    ccusage keeps two indexes, (message id, request id) and message id; both only ever point at
    slots of one message id, so one index by message id is kept here, with the request id each slot
    was created with: the exact match is the first slot created with this request id whose current
    copy still has it; failing that, for a sidechain record or a sidechain copy, the first slot of
    the message id.
    """

    __slots__ = ("slots", "created", "by_message")

    def __init__(self) -> None:
        self.slots: list[Record] = []
        #: request id each slot was created with
        self.created: list[RequestKey | None] = []
        #: message id -> slot index (int) or list of indexes, in creation order
        self.by_message: dict[str, int | list[int]] = {}

    def add_all(self, records: list[Record]) -> None:
        slots = self.slots
        created = self.created
        by_message = self.by_message
        for rec in records:
            mid, rid, side = rec[:3]
            if mid is None:
                slots.append(rec)
                created.append(None)
                continue
            hit = by_message.get(mid)
            if hit is None:
                by_message[mid] = len(slots)
                slots.append(rec)
                created.append(rid)
                continue
            indexes = (hit,) if isinstance(hit, int) else hit
            found = -1
            for index in indexes:
                _, slot_rid, _ = slots[index][:3]
                if created[index] == rid and slot_rid == rid:
                    found = index
                    break
            if found < 0:
                for index in indexes:
                    _, _, slot_side = slots[index][:3]
                    if side or slot_side:
                        found = index
                        break
            if found >= 0:
                if better(rec, slots[found]):
                    slots[found] = rec
                continue
            if isinstance(hit, int):
                by_message[mid] = [hit, len(slots)]
            else:
                hit.append(len(slots))
            slots.append(rec)
            created.append(rid)
