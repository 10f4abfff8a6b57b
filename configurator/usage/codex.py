"""Codex rollouts: usage is the increase of the session's cumulative ``total_token_usage``.

Sources for every field used:

- Rollout lines are ``{"timestamp", "type", "payload"}`` (``RolloutLine``/``RolloutItem`` in
  github.com/openai/codex ``codex-rs/protocol/src/protocol.rs``). ``type == "event_msg"`` with
  ``payload.type == "token_count"`` carries ``payload.info`` = ``TokenUsageInfo {total_token_usage,
  last_token_usage, model_context_window}``; each ``TokenUsage`` has ``input_tokens``,
  ``cached_input_tokens``, ``output_tokens``, ``reasoning_output_tokens``, ``total_tokens`` (same file;
  ``TokenUsageInfo::append_last_usage`` adds ``last`` to ``total``), and since Codex 0.17x
  ``cache_write_input_tokens`` (seen in the real 0.171 rollout: tests/conformance/FINDINGS.md).
  ``input_tokens`` includes the cached part and the cache writes (``total_tokens`` is input + output,
  every prompt token once), and ``output_tokens`` includes reasoning (ccusage ``apps/codex/CLAUDE.md``
  and its cost formula; other readers of 0.171 rollouts take cache writes out of input the same way). ``payload.info`` is ``null`` on rate-limit-only events.
- ``type == "turn_context"``: ``payload.model`` is the model of the following turns.
- ``type == "session_meta"``: ``payload.id``, ``payload.forked_from_id``, and ``payload.cwd`` of the
  file's first one (the folder the session ran in: its project for ``usage --by project``). On a fork Codex writes the
  parent's rollout items into the new file (``InitialHistory::Forked`` → ``persist_rollout_items``
  in ``codex-rs/core/src/codex.rs``), each line re-stamped to the fork instant and with the
  ancestors' ``session_meta`` lines, and seeds the new session's totals from the last copied
  ``token_count`` (``last_token_info_from_rollout``).

How we count (per file, files in session-start order):

- An event whose ``total_token_usage`` was already seen (an unchanged total re-emitted, or a total
  copied from a parent into a fork), or — in a file with copied history (two or more
  ``session_meta`` lines) — an event stamped in the same second as the copy, is a replay: it counts
  nothing and becomes the base for the next event.
- Otherwise the event counts its total minus the previous total of the file, field by field
  (never below zero); the first event of a file counts its ``last_token_usage`` (equal to the total
  for a new session; the right amount for a fork whose totals start from its parent's).
- Reported: non-cached input = input − cached − cache writes, cache read = cached, cache write =
  cache writes (0 in rollouts older than the field), output = output (reasoning included). Each
  counted event is one request.
"""

from __future__ import annotations

from configurator.usage.dates import Bucketer
from configurator.usage.reader import blocks

MARKERS = (b'"token_count"', b'"turn_context"', b'"session_meta"')
_HEAD = b'{"timestamp":"'
_NL = b"\n"

#: one ``TokenUsage``: (input, cached input, output, reasoning output, cache write)
Usage = tuple[int, int, int, int, int]
#: One token_count event: (local date, UTC second "YYYY-MM-DDTHH:MM:SS", model, total | None, last | None).
#: A plain tuple, unpacked by name where read: it travels by ``marshal`` (see ``claude.Record``).
Event = tuple[str, str, str | None, Usage | None, Usage | None]
#: what one file yields: (events, second of the copied history or None, malformed lines, invalid events,
#: the session's working folder or None)
FileResult = tuple[list[Event], str | None, int, int, str | None]
#: one counted request: (date, model, non-cached input, cache read, cache write, output)
Delta = tuple[str, str | None, int, int, int, int]


def _usage(value: object) -> Usage | None:
    """A ``TokenUsage`` object -> (input, cached, output, reasoning, cache write); None when it is not one."""
    if type(value) is not dict:
        return None
    a = value.get("input_tokens") or 0
    b = value.get("cached_input_tokens") or 0
    c = value.get("output_tokens") or 0
    d = value.get("reasoning_output_tokens") or 0
    e = value.get("cache_write_input_tokens") or 0
    if type(a) is int and type(b) is int and type(c) is int and type(d) is int and type(e) is int \
            and a >= 0 and b >= 0 and c >= 0 and d >= 0 and e >= 0:
        return (a, b, c, d, e)
    return None


def read_file(path: str, bucket: Bucketer) -> FileResult:
    """-> (events, second of the copied history or None, malformed lines, invalid events, cwd or None)."""
    import msgspec

    loads = msgspec.json.decode
    decode_error = (msgspec.DecodeError, RecursionError)  # RecursionError: a line nested too deep
    events: list[Event] = []
    malformed = invalid = 0
    metas = 0
    have_total = False
    last_info = None
    copied_second: str | None = None
    model: str | None = None
    cwd: str | None = None
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
            # Rollout lines start {"timestamp":"…","type":"<kind>","payload":{"type":… : the kind tells
            # which lines matter without searching the rest (function outputs, messages: most bytes).
            kind_at = find(b'","type":"', start, start + 64 if start + 64 < end else end) \
                if startswith(_HEAD, start) else -1
            if kind_at >= 0:
                kind_at += 10
                if startswith(b'event_msg","payload":{"type":"', kind_at):
                    if not startswith(b'token_count"', kind_at + 30):
                        continue
                    # Codex re-emits unchanged totals (with new rate limits): the same "info" bytes as
                    # the previous event count nothing and change nothing, so they are not parsed
                    info_end = find(b',"rate_limits":', kind_at, end)
                    if info_end > 0:
                        info_bytes = buf[kind_at + 43:info_end]
                        if info_bytes == last_info:
                            continue
                        last_info = info_bytes
                    else:
                        last_info = None
                elif not (startswith(b'turn_context"', kind_at) or startswith(b'session_meta"', kind_at)):
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
            payload = d.get("payload")
            if type(payload) is not dict:
                continue
            kind = d.get("type")
            ts = d.get("timestamp")
            if kind == "event_msg":
                if payload.get("type") != "token_count":
                    continue
                info = payload.get("info")
                if info is None:
                    continue  # a rate-limit-only event
                if type(info) is not dict:
                    invalid += 1
                    continue
                total = _usage(info.get("total_token_usage"))
                # the per-turn figure is only used until the file's first total, or when there is none
                last = _usage(info.get("last_token_usage")) if total is None or not have_total else None
                if total is not None:
                    have_total = True
                date = bucket.date_of(ts)
                if (total is None and last is None) or date is None:
                    invalid += 1
                    continue
                name = payload.get("model") or info.get("model") or model
                events.append((date, ts[:19] if type(ts) is str else "", name if type(name) is str else None,
                               total, last))
            elif kind == "turn_context":
                name = payload.get("model")
                if type(name) is str and name:
                    model = name
            elif kind == "session_meta":
                metas += 1
                if metas == 1:
                    folder = payload.get("cwd")
                    cwd = folder if type(folder) is str and folder else None
                elif metas == 2 and type(ts) is str:
                    copied_second = ts[:19]
    return events, copied_second, malformed, invalid, cwd


class Merger:
    """Turns the events of each file into counted deltas; remembers every total seen in any file."""

    __slots__ = ("seen", "deltas")

    def __init__(self) -> None:
        self.seen: set[Usage] = set()
        self.deltas: list[Delta] = []

    def add_file(self, events: list[Event], copied_second: str | None) -> None:
        seen = self.seen
        push = self.deltas.append
        prev: Usage | None = None
        delta: Usage | None
        for date, second, model, total, last in events:
            if total is None:
                delta = last
            elif total in seen or (copied_second is not None and second == copied_second):
                prev = total
                continue
            else:
                seen.add(total)
                if prev is None:
                    delta = last if last is not None and all(a <= b for a, b in zip(last, total, strict=True)) else total
                else:
                    t_in, t_cached, t_out, _, t_written = total
                    p_in, p_cached, p_out, _, p_written = prev
                    a, b, c, e = t_in - p_in, t_cached - p_cached, t_out - p_out, t_written - p_written
                    delta = (a if a > 0 else 0, b if b > 0 else 0, c if c > 0 else 0, 0, e if e > 0 else 0)
                prev = total
            if delta is None:
                continue
            inp, cached, out, _, written = delta
            if not (inp or cached or out):
                continue
            cached = min(cached, inp)
            written = min(written, inp - cached)
            push((date, model, inp - cached - written, cached, written, out))
