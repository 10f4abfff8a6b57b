"""Today's usage across every agent, fast enough for a status bar that asks every few seconds.

``configurator statusline`` calls :func:`today_rows`. It keeps its own state file next to the usage
cache (``$XDG_CACHE_HOME/agent-configurator/statusline-<digest>.marshal``, mode 0600, written
atomically: a temporary file renamed over the old one, so a reader never sees half of it):

- the files the last full discovery found (:func:`configurator.usage.discovery.discover`), the
  folders they sit in with their modification times, and which reader each agent uses;
- for each file modified since local midnight, its stamp (size, mtime, ctime, inode), how many
  bytes were read and what the reader returned for them;
- the plan of the active Claude Code profile, reduced to what the line needs (tier name, daily
  allowance, credits per token of each catalog model), keyed by the stamps of ``profiles.toml``,
  ``owned.json`` and the catalog file;
- the sums of the last answer, keyed by the stamps of today's files.

A warm call stats the folders (a new session file changes its folder's time: then everything is
discovered again, as it is every :data:`REDISCOVER_SECONDS`) and every known log file; only files
modified since local midnight can hold records of today. When nothing changed the last sums are the
answer; when a Claude Code transcript grew (same inode, larger) only the new complete lines are
read (transcripts are append-only); another file that changed is read again whole. Nothing here
imports the agent registry, click or the plan catalog on that path.

A first call (no state, another zone, our version changed) discovers everything; when today's files
are larger than :data:`INLINE_BYTES` it starts a background process that fills the state and
answers ``None`` (the caller prints a placeholder). The background fill holds an ``flock`` on
``statusline.lock`` while it works: the kernel releases it when the process ends in any way, so a
killed fill never leaves a lock behind, and the state it had not written yet is simply not there.

Records are bucketed into local dates in the zone ``usage`` uses by default (``$TZ``, else the
system zone); a record of today in a file last modified before midnight (a clock set wrong) is not
counted. Copies of one response are counted once across today's files, as ``usage`` does.
"""

from __future__ import annotations

import marshal
import os
import sys
import time
import zlib
from collections.abc import Mapping
from typing import Any

FORMAT = 3
#: a full discovery at least this often (a new folder that holds no log yet is not watched)
REDISCOVER_SECONDS = 300.0
#: every known file and folder is stat'ed at least this often; in between only today's files and the transcript
#: Claude Code names on stdin (an old session resumed elsewhere is noticed within this time)
FULL_CHECK_SECONDS = 30.0
#: a first call reads today's files itself up to this many bytes; above, a background process does
INLINE_BYTES = 64 << 20
#: how far back from the end of a grown transcript to look for its last complete line
_TAIL = 1 << 16

#: (tool, model) -> [non-cached input, cache read, cache write, output, requests]
Rows = dict[tuple[str, str], list[int]]


class Pending(Exception):
    """The state is being filled in the background: nothing to show yet."""


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def cache_dir(env: Mapping[str, str] | None = None) -> str:
    """``configurator.paths.cache_dir`` without importing pathlib (same rule: XDG_CACHE_HOME, else ~/.cache)."""
    e = _env(env)
    xdg = e.get("XDG_CACHE_HOME", "").strip()
    home = e.get("HOME") or os.path.expanduser("~")
    if xdg:
        base = home + xdg[1:] if xdg == "~" or xdg.startswith("~/") else xdg
    else:
        base = os.path.join(home, ".cache")
    return os.path.join(base, "agent-configurator")


def zone_fingerprint(env: Mapping[str, str] | None = None) -> str:
    """What decides the local zone (``$TZ``, else where /etc/localtime points), cheaply."""
    tz = _env(env).get("TZ", "").strip()
    if tz:
        return "TZ=" + tz
    try:
        return "localtime=" + os.path.realpath("/etc/localtime") + ":" + str(os.stat("/etc/localtime").st_mtime_ns)
    except OSError:
        return "localtime=?"


def state_path(env: Mapping[str, str] | None = None) -> str:
    from configurator import __version__

    ident = f"{FORMAT}|{__version__}|{sys.version_info[0]}.{sys.version_info[1]}|{zone_fingerprint(env)}"
    return os.path.join(cache_dir(env), f"statusline-{zlib.crc32(ident.encode()):08x}.marshal")


def lock_path(env: Mapping[str, str] | None = None) -> str:
    return os.path.join(cache_dir(env), "statusline.lock")


# --- the state file ------------------------------------------------------------------------------

def load_state(path: str) -> dict[str, Any] | None:
    """The state, or None when missing, damaged (checksum) or of another format."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError:
        return None
    if len(raw) < 4 or int.from_bytes(raw[:4], "little") != zlib.crc32(raw[4:]):
        return None
    try:
        data = marshal.loads(raw[4:])
    except (EOFError, ValueError, TypeError):
        return None
    if type(data) is not dict or data.get("format") != FORMAT:
        return None
    return data


def save_state(path: str, state: dict[str, Any]) -> None:
    """Atomically (a temporary file in the same folder, renamed over), mode 0600. Never raises. Not fsync'd: after
    a crash a file may be empty or cut short, which its checksum tells (then it is rebuilt)."""
    payload = marshal.dumps(state)
    folder = os.path.dirname(path)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, zlib.crc32(payload).to_bytes(4, "little") + payload)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


# --- stamps --------------------------------------------------------------------------------------

def _stamp(path: str, sqlite: bool) -> tuple[int, int, int, int] | None:
    """(size, mtime ns, ctime ns, inode); for a SQLite store, of the database and its -wal file together."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not sqlite:
        return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    size, mtime, ctime = st.st_size, st.st_mtime_ns, st.st_ctime_ns
    try:
        wal = os.stat(path + "-wal")
        size += wal.st_size
        mtime = max(mtime, wal.st_mtime_ns)
        ctime = max(ctime, wal.st_ctime_ns)
    except OSError:
        pass
    return (size, mtime, ctime, st.st_ino)


def file_stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def local_midnight(now: float) -> tuple[str, float, float]:
    """(today as YYYY-MM-DD, epoch of the midnight that started it, epoch of the next one), in the local zone."""
    t = time.localtime(now)
    start = time.mktime((t.tm_year, t.tm_mon, t.tm_mday, 0, 0, 0, 0, 0, -1))
    nxt = time.localtime(start + 26 * 3600)  # a day is 23-25 hours long
    end = time.mktime((nxt.tm_year, nxt.tm_mon, nxt.tm_mday, 0, 0, 0, 0, 0, -1))
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}", start, end


# --- discovery (the slow path: the agent registry) ----------------------------------------------

def _discover(env: Mapping[str, str] | None) -> dict[str, Any]:
    """Files, watched folders, readers and zone from a full discovery."""
    from configurator.agents import AGENTS
    from configurator.usage.dates import resolve_zone
    from configurator.usage.discovery import CLAUDE, CODEX, TOOLS, discover

    found = discover(TOOLS, env)
    kinds: dict[str, str] = {}
    for tool in TOOLS:
        source = AGENTS[tool].usage
        assert source is not None
        kinds[tool] = "claude" if tool == CLAUDE else "cumulative" if tool == CODEX else source.reader
    roots = {os.path.normpath(r) for rs in found.roots.values() for r in rs}
    dirs: dict[str, int] = {}
    for root in roots:
        try:
            dirs[root] = os.stat(root).st_mtime_ns
        except OSError:
            pass
    for f in found.files:
        d = os.path.dirname(f.path)
        while d not in dirs:
            try:
                dirs[d] = os.stat(d).st_mtime_ns
            except OSError:
                break
            parent = os.path.dirname(d)
            if d in roots or parent == d:
                break
            d = parent
    zone = resolve_zone(None)
    return {"files": [(f.tool, f.path, f.stamp is None) for f in found.files], "dirs": dirs, "kinds": kinds,
            "zone": (zone.kind, zone.value, zone.label), "known": {f.path for f in found.files}}


def _dirs_changed(dirs: dict[str, int]) -> bool:
    stat = os.stat
    try:
        for d, mtime in dirs.items():
            if stat(d).st_mtime_ns != mtime:
                return True
    except OSError:
        return True
    return False


# --- reading -------------------------------------------------------------------------------------

_BUCKET: Any = None


def _bucket(zone: tuple[str, str, str]) -> Any:
    global _BUCKET
    if _BUCKET is None:
        from configurator.usage.dates import Bucketer, ZoneSpec

        _BUCKET = Bucketer(ZoneSpec(*zone).build())
    return _BUCKET


def _last_line_end(path: str, start: int, size: int) -> int:
    """Offset just after the last newline in ``path[start:size]`` (``start`` when there is none)."""
    from configurator.usage.reader import open_regular

    with open_regular(path, 0) as fh:
        pos = size
        while pos > start:
            lo = max(start, pos - _TAIL)
            fh.seek(lo)
            chunk = fh.read(pos - lo)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                return lo + nl + 1
            pos = lo
    return start


#: a grown transcript's new bytes up to this size are parsed with :func:`_claude_tail`
_TAIL_JSON = 1 << 20


def _claude_tail(path: str, bucket: Any, compat: bool, start: int, stop: int, seen: Any) -> Any:
    """What :func:`configurator.usage.claude.read_file` returns for ``path[start:stop]``, by its slow path
    (``json`` and :func:`~configurator.usage.claude.parse_record`, which decide every line as the fast path does:
    ``tests/usage`` checks both paths on the same lines) — without importing msgspec."""
    import json

    from configurator.usage import claude
    from configurator.usage.reader import open_regular

    with open_regular(path, 0) as fh:
        fh.seek(start)
        data = fh.read(stop - start)
    records: list[Any] = []
    malformed = invalid = 0
    last_key: Any = None
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        head = line[:512]
        at = head.find(b'"type":"user"')
        if at >= 0 and head.find(b"{", 1, at) < 0:
            continue
        if line.rfind(claude.MARKER) < 0:
            continue
        try:
            d = json.loads(line)
        except (ValueError, RecursionError):
            malformed += 1
            continue
        if type(d) is not dict:
            malformed += 1
            continue
        rec = claude.parse_record(d, bucket, None)
        if rec is None:
            continue
        if rec is False or claude.has_unsupported_null(line):
            invalid += 1
            continue
        mid, request, side = rec[:3]
        key = (mid, request, side) if mid is not None else None
        if key is not None and key == last_key:
            if claude.better(rec, records[-1]):
                records[-1] = rec
            continue
        last_key = key
        records.append(rec)
    return records, malformed, invalid


def _read(kind: str, path: str, zone: tuple[str, str, str], old: Any, stamp: tuple[int, int, int, int]) -> Any:
    """(stamp, bytes read, [results]) for one file; ``old`` is its previous entry (or None)."""
    bucket = _bucket(zone)
    size = stamp[0]
    try:
        if kind == "claude":
            from configurator.usage import claude

            results: list[Any] = []
            start = 0
            if old is not None:
                old_stamp, old_offset, old_results = old
                if old_stamp[3] == stamp[3] and old_stamp[0] <= size and old_offset <= size:
                    results, start = list(old_results), old_offset  # appended to: read the new lines only
            stop = _last_line_end(path, start, size)
            if stop > start:
                # a small tail (a response or two) is read with the json module: msgspec costs ~40 ms to import
                read = _claude_tail if start and stop - start <= _TAIL_JSON else claude.read_file
                results.append(read(path, bucket, False, start, stop, None))
            return (stamp, stop, results)
        if kind == "cumulative":
            from configurator.usage import codex

            return (stamp, size, [codex.read_file(path, bucket)])
        import importlib

        return (stamp, size, [importlib.import_module(kind).read_file(path, bucket)])
    except OSError:
        return (stamp, 0, [None])


def _sum(order: list[tuple[str, str]], entries: dict[Any, Any], kinds: dict[str, str], today: str) -> Rows:
    """Today's rows from the entries of today's files, merged in discovery order (as ``usage`` merges)."""
    from configurator.usage import claude, codex

    dedupers: dict[str, Any] = {}
    mergers: dict[str, Any] = {}
    keyed: dict[str, list[Any]] = {}
    seen: dict[str, set[Any]] = {}
    for tool, path in order:
        kind = kinds.get(tool)
        for res in entries[(tool, path)][2]:
            if res is None or kind is None:
                continue
            if kind == "claude":
                dedupers.setdefault(tool, claude.Deduper()).add_all(res[0])
            elif kind == "cumulative":
                mergers.setdefault(tool, codex.Merger()).add_file(res[0], res[1])
            else:
                keys = seen.setdefault(tool, set())
                push = keyed.setdefault(tool, []).append
                for key, date, model, inp, cr, cw, out in res[0]:
                    if key is None or key not in keys:
                        if key is not None:
                            keys.add(key)
                        push((date, model, inp, cr, cw, out))
    rows: Rows = {}

    def fold(tool: str, items: Any) -> None:
        for date, model, inp, cr, cw, out in items:
            if date != today:
                continue
            row = rows.setdefault((tool, model or "unknown"), [0, 0, 0, 0, 0])
            row[0] += inp
            row[1] += cr
            row[2] += cw
            row[3] += out
            row[4] += 1

    for tool, d in dedupers.items():
        fold(tool, ((date, model, inp, cr, cw, out)
                    for _m, _r, _s, date, model, inp, out, cw, cr, _sp in d.slots if inp or out or cw or cr))
    for tool, m in mergers.items():
        fold(tool, m.deltas)
    for tool, items in keyed.items():
        fold(tool, items)
    return rows


# --- the entry points ----------------------------------------------------------------------------

def _entries_path(path: str) -> str:
    return path[: -len(".marshal")] + ".entries.marshal"


def today_rows(now: float, env: Mapping[str, str] | None = None, *, inline_bytes: int = INLINE_BYTES,
               plan: Any = None, transcript: str | None = None) -> tuple[Rows, dict[str, Any]]:
    """(today's rows, the plan facts) at ``now``; raises :class:`Pending` while a background fill runs.

    ``plan``: a callable ``(env) -> (key, facts)`` giving the plan facts and the stamps they depend on
    (see ``configurator.commands.statusline``); the facts are kept in the state while the key holds.
    """
    path = state_path(env)
    state = load_state(path)
    today, midnight, _ = local_midnight(now)
    fresh = state is None
    full = state is None or state.get("day") != today or not 0 <= now - state.get("full_checked", 0.0) \
        <= FULL_CHECK_SECONDS
    if not full and state is not None and transcript and transcript not in state["known"] \
            and os.path.isfile(transcript):
        full = True  # a session we have not seen: discover again
    if full and (state is None or not 0 <= now - state.get("checked", 0.0) <= REDISCOVER_SECONDS
                 or _dirs_changed(state["dirs"]) or (transcript and transcript not in state["known"]
                                                     and os.path.isfile(transcript))):
        state = _refresh_discovery(state, env, now)
    assert state is not None
    entries_file = _entries_path(path)
    rows, entries = _update(state, today, midnight, budget=inline_bytes if fresh else None, env=env,
                            entries_file=entries_file, full=full)
    dirty = entries is not None
    if full:
        state["full_checked"] = now
        state["day"] = today
        dirty = True
    if entries is not None:
        save_state(entries_file, {"format": FORMAT, "zone": state["zone"], "entries": entries})
    facts = _plan_facts(state, env, plan)
    if facts is not state.get("plan_facts"):
        state["plan_facts"] = facts
        dirty = True
    if dirty:
        save_state(path, state)
    return rows, facts[1] if facts else {}


def _refresh_discovery(state: dict[str, Any] | None, env: Mapping[str, str] | None, now: float) -> dict[str, Any]:
    found = _discover(env)
    new: dict[str, Any] = {"format": FORMAT, "sums": None, "plan_facts": None}
    if state is not None and state.get("zone") == found["zone"]:
        new["plan_facts"] = state.get("plan_facts")
    new.update(found)
    new["checked"] = now
    return new


def _plan_facts(state: dict[str, Any], env: Mapping[str, str] | None, plan: Any) -> Any:
    if plan is None:
        return state.get("plan_facts")
    old = state.get("plan_facts")
    if old is not None:
        key = tuple(file_stamp(p) for p in old[0][0])
        if key == old[0][1]:
            return old
    return plan(env)


def _update(state: dict[str, Any], today: str, midnight: float, *, budget: int | None,
            env: Mapping[str, str] | None, entries_file: str, full: bool) -> tuple[Rows, dict[Any, Any] | None]:
    """Stat every known file, read what changed of today's, and sum today: (rows, the entries to save, or None
    when the last sums still hold and nothing was read). The entries live in a file of their own, loaded only
    when something must be read."""
    midnight_ns = int(midnight * 1e9)
    order: list[tuple[str, str]] = []
    stamps: list[Any] = []
    recent: list[tuple[str, str, bool]] = []
    for tool, path, sqlite in state["files"] if full else state.get("recent", ()):
        stamp = _stamp(path, sqlite)
        if stamp is None or stamp[1] < midnight_ns:
            continue
        order.append((tool, path))
        stamps.append(stamp)
        recent.append((tool, path, sqlite))
    if full:
        state["recent"] = recent
    key = (today, tuple(zip(order, stamps, strict=True)))
    sums = state.get("sums")
    if sums is not None and sums[0] == key:
        return sums[1], None
    stored = load_state(entries_file)
    entries = stored["entries"] if stored is not None and stored.get("zone") == state["zone"] else {}
    todo = [(i, item) for i, item in enumerate(order) if entries.get(item, (None,))[0] != stamps[i]]
    if budget is not None:
        size = 0
        for i, item in todo:
            old = entries.get(item)
            size += stamps[i][0] - (old[1] if old is not None and old[0][3] == stamps[i][3] else 0)
        if size > budget:
            start_fill(env)
            raise Pending
    kinds = state["kinds"]
    for i, (tool, path) in todo:
        kind = kinds.get(tool)
        if kind is not None:
            entries[(tool, path)] = _read(kind, path, state["zone"], entries.get((tool, path)), stamps[i])
    keep = set(order)
    for item in list(entries):
        if item not in keep:
            del entries[item]
    rows = _sum(order, entries, kinds, today)
    state["sums"] = (key, rows)
    return rows, entries


# --- the background fill -------------------------------------------------------------------------

#: the command that fills the state in the background (``configurator statusline --fill``)
FILL_COMMAND = ["-m", "configurator", "statusline", "--fill"]


def start_fill(env: Mapping[str, str] | None = None) -> None:
    """Start ``python -m configurator statusline --fill`` detached, unless a fill holds the lock already."""
    import subprocess

    if lock_held(env):
        return
    try:
        subprocess.Popen([sys.executable, *FILL_COMMAND], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                         env=None if env is None else dict(env), close_fds=True)
    except OSError:
        pass


def lock_held(env: Mapping[str, str] | None = None) -> bool:
    """Whether a running fill holds the lock (a lock file with no live holder is free: an flock dies with its process)."""
    try:
        import fcntl
    except ImportError:  # Windows: no background fill
        return False
    try:
        fd = os.open(lock_path(env), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing drops our flock again
    return False


def fill(env: Mapping[str, str] | None = None, plan: Any = None) -> int:
    """The background process: take the lock (or leave: another fill runs), read today's files, save the state."""
    import fcntl

    os.makedirs(cache_dir(env), mode=0o700, exist_ok=True)
    fd = os.open(lock_path(env), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return 0
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        today_rows(time.time(), env, inline_bytes=1 << 62, plan=plan)
    finally:
        os.close(fd)
    return 0
