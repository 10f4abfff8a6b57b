"""opencode sessions: the token counts opencode records on each assistant message.

Sources for every field used (opencode 1.18.33 from npm ``opencode-ai``, checked by running it against
``tests/conformance/mock_provider.py`` and reading its bundled source; ccusage 20.0.24's
``ccusage opencode daily`` and ``rust/crates/ccusage/src/adapter/opencode/{paths,loader,parser}.rs`` in
github.com/ryoppippi/ccusage):

- Where: opencode's data folder is ``$XDG_DATA_HOME/opencode``, else ``~/.local/share/opencode``
  (``Global.Path.data``, from ``xdg-basedir``). The database is ``$OPENCODE_DB`` when set (an absolute
  path, or a name inside the data folder; ``:memory:`` keeps nothing), else ``opencode.db`` for the
  release channels (latest, beta, prod) or with ``OPENCODE_DISABLE_CHANNEL_DB``, else
  ``opencode-<channel>.db`` (opencode's ``Database`` path function). SQLite in WAL mode: most recent
  rows sit in ``opencode.db-wal`` until a checkpoint, so the database is never cached by its own stamp.
  ccusage also honours ``OPENCODE_DATA_DIR`` (one folder or a comma-separated list), and so do we.
- What: table ``message(id, session_id, time_created, time_updated, data)``; ``data`` is the message
  JSON without its id and session. An assistant message is ``{"role":"assistant", "modelID",
  "providerID", "time":{"created": <epoch ms>, "completed"}, "tokens":{"total", "input", "output",
  "reasoning", "cache":{"read","write"}}, "cost", "finish", ...}``; user messages have no ``tokens``.
  Each model request (each step of a tool loop) is its own assistant message. opencode computes the
  fields from the provider's usage (``getUsage``): ``input`` = prompt tokens − cache read − cache
  write (already non-cached), ``output`` = completion tokens − reasoning, ``total`` = the provider's
  total. opencode's own ``stats`` command counts ``output + reasoning`` as output, and so do we
  (reasoning is billed as output). A title request (the small model naming a session) is not
  recorded anywhere.
- Before the SQLite store (opencode < 1.2) each message was a file
  ``storage/message/<session id>/<message id>.json`` with the same fields plus ``id`` and
  ``sessionID``; ccusage still reads them behind the database, and so do we.

How we count (ccusage's rules unless said otherwise):

- One request per assistant message with tokens; de-duplicated by message id across databases and
  legacy files, the first read wins (databases before legacy files, as ccusage); a record without an
  id is never merged.
- A message whose counts are all zero (still running) counts nothing. When ``total`` exceeds the
  parts and output (with reasoning) is 0, the rest is output (ccusage's total fallback).
- Differences from ccusage 20.0.24: its ``outputTokens`` leaves reasoning out (it shows up only in
  its ``totalTokens``); ours includes it, so our input + cache read + cache write + output equals
  its ``totalTokens`` (the test compares both). A record with a token count that is not a
  non-negative integer, no model or provider, or no creation time is skipped and counted as invalid
  (ccusage reads such a count as 0 and such a time as 1970-01-01). We read every ``opencode*.db`` of a
  data folder (ccusage only ``opencode.db``, else the first channel database).
- The project of a message (``usage --by project``): the ``directory`` of its session (table
  ``session(id, project_id, directory, ...)``, the folder opencode ran in); unknown for legacy files.
- Not read: the ``session_message`` table (opencode's experimental v2 sessions; empty in 1.18.33's
  normal runs).
"""

from __future__ import annotations

from typing import Any

from configurator.usage.dates import Bucketer
from configurator.usage.reader import MAX_LINE, check_regular, open_regular

#: One usage entry: (message id or None, local date, model, non-cached input, cache read, cache write,
#: output). A plain tuple (it travels by ``marshal``): the scanner's keyed-entry shape.
Entry = tuple[str | None, str, str | None, int, int, int, int]
#: what one file yields: (entries, malformed records, invalid records, the project folder of each entry or
#: None); the scanner takes the fourth item as the entries' projects (other keyed readers have none)
FileResult = tuple[list[Entry], int, int, list[str | None]]

_QUERY = "SELECT id, time_created, data, session_id FROM message WHERE instr(data, '\"tokens\"') > 0"
_SESSIONS = "SELECT id, directory FROM session"


def _count(value: object) -> int | None:
    """A token count: absent -> 0; a non-negative integer -> itself; anything else -> None."""
    if value is None:
        return 0
    if type(value) is int and value >= 0:
        return value
    return None


def record(d: Any, mid: object, created: object, bucket: Bucketer, dates: dict[int, str]
           ) -> tuple[Entry | None, int]:
    """One message's JSON object -> (entry or None, 1 if it is an invalid usage record).

    ``mid``: the message id (the database column, else the object's ``id``); ``created``: the
    database's ``time_created`` column, used when the object has no ``time.created``.
    """
    if type(d) is not dict:
        return None, 1
    tokens = d.get("tokens")
    if tokens is None:
        return None, 0  # a user message
    if type(tokens) is not dict:
        return None, 1
    cache = tokens.get("cache")
    if cache is None:
        cache = {}
    elif type(cache) is not dict:
        return None, 1
    inp = _count(tokens.get("input"))
    out = _count(tokens.get("output"))
    reasoning = _count(tokens.get("reasoning"))
    cr = _count(cache.get("read"))
    cw = _count(cache.get("write"))
    total = _count(tokens.get("total"))
    if inp is None or out is None or reasoning is None or cr is None or cw is None or total is None:
        return None, 1
    out += reasoning
    known = inp + out + cr + cw
    if out == 0 and total > known:
        out = total - known
    if not (inp or out or cr or cw):
        return None, 0  # still running, or a message without usage
    model = d.get("modelID")
    provider = d.get("providerID")
    if type(model) is not str or not model.strip() or type(provider) is not str or not provider.strip():
        return None, 1
    time = d.get("time")
    when = time.get("created") if type(time) is dict else None
    if when is None:
        when = created
    if type(when) is not int or when <= 0:
        return None, 1
    minute = when // 60000
    date = dates.get(minute)
    if date is None:
        found = bucket.date_of(minute * 60000)
        if found is None:
            return None, 1
        date = dates[minute] = found
    if mid is None:
        mid = d.get("id")
    key = mid if type(mid) is str and mid else None
    return (key, date, model.strip(), inp, cr, cw, out), 0


def read_file(path: str, bucket: Bucketer) -> FileResult:
    """-> (entries, malformed records, invalid records, projects) of an opencode database or legacy message file."""
    if path.endswith(".json"):
        return read_json(path, bucket)
    return read_db(path, bucket)


def read_json(path: str, bucket: Bucketer) -> FileResult:
    """A legacy ``storage/message/<session>/<message>.json`` file (one small message object)."""
    import msgspec

    with open_regular(path) as fh:
        raw = fh.read(MAX_LINE + 1)
    if len(raw) > MAX_LINE:  # no message is that long
        return [], 1, 0, []
    if b'"tokens"' not in raw:
        return [], 0, 0, []
    try:
        d = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError):  # RecursionError: nested too deep
        return [], 1, 0, []
    if type(d) is not dict:
        return [], 1, 0, []
    entry, bad = record(d, None, None, bucket, {})
    return ([entry] if entry is not None else []), 0, bad, ([None] if entry is not None else [])


def read_db(path: str, bucket: Bucketer) -> FileResult:
    """The assistant messages of an opencode database, read-only, row by row (never the whole table)."""
    import sqlite3
    from urllib.parse import quote

    import msgspec

    decode = msgspec.json.decode
    decode_error = (msgspec.DecodeError, RecursionError)  # RecursionError: a value nested too deep
    entries: list[Entry] = []
    projects: list[str | None] = []
    malformed = invalid = 0
    dates: dict[int, str] = {}
    check_regular(path)  # SQLite would block on a FIFO: OSError, the scan counts the file as not read
    try:
        conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)
    except sqlite3.Error:
        return entries, 1, 0, projects
    folders: dict[object, str] = {}
    try:
        for sid, directory in conn.execute(_SESSIONS):
            if type(directory) is str and directory:
                folders[sid] = directory
    except sqlite3.Error:
        pass  # no session table (an older or foreign schema): the projects are unknown
    try:
        rows = conn.execute(_QUERY)
        while True:
            batch = rows.fetchmany(2048)
            if not batch:
                break
            for mid, created, data, session in batch:
                if type(data) is not str and type(data) is not bytes:
                    malformed += 1
                    continue
                try:
                    d = decode(data)
                except decode_error:
                    malformed += 1
                    continue
                if type(d) is not dict:
                    malformed += 1
                    continue
                entry, bad = record(d, mid, created, bucket, dates)
                invalid += bad
                if entry is not None:
                    entries.append(entry)
                    projects.append(folders.get(session))
    except sqlite3.Error:
        # not an opencode database (no message table), damaged, or locked: what was read counts
        malformed += 1
    finally:
        conn.close()
    return entries, malformed, invalid, projects
