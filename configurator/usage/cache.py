"""What each log file yielded to the last scan, so that the next scan reads only what changed.

Transcripts only grow (Claude Code and Codex append; old ones are deleted whole), so a file whose
size, modification time, change time and inode are all unchanged holds the same bytes and yields
the same records. The cache maps each file to that stamp and to the records its reading produced —
the exact values the worker processes would send again — and the scan merges cached and fresh
records in file order, so the totals are those of a full scan (tests check this).

- One cache file per time zone and counting mode (records carry the local date), under
  ``$XDG_CACHE_HOME/agent-configurator`` (default ``~/.cache/agent-configurator``), mode 0600: it
  holds message ids, model names, dates and token counts, no content and no keys. Deleting it is
  always safe; ``configurator usage --no-cache`` neither reads nor writes it. Cache files of other
  zones or versions left unused for :data:`STALE_DAYS` are removed when one is saved.
- A file modified within the last :data:`RACY_SECONDS` is read but not cached: a file system clock
  coarser than a nanosecond could give a rewrite of the same size the same stamp (git's "racy
  clean" problem). Those are the live session files anyway. (The stamp's change time still tells
  a file whose modification time was set back.)
- SQLite stores (OpenClaw's, opencode's ``opencode.db``) are never cached: their ``-wal`` file changes
  while the database file's own stamp does not. opencode's legacy per-message JSON files are.
- The file starts with a checksum of the rest: anything unexpected while loading (a truncated,
  damaged or foreign file) means an empty cache; the scan then reads everything and writes a fresh
  one. The file name covers our version, the Python version (marshal's format), the zone and mode.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from configurator import paths
from configurator.usage.discovery import Stamp

#: bump when what a reader returns for a file changes (its rules or its tuple layout)
FORMAT = 3
RACY_SECONDS = 2.0

#: (tool, path) -> (stamp, [result of each part, in order]): what the scanner's workers send for it
Entries = dict[tuple[str, str], tuple[Stamp, list[Any]]]


def cache_path(zone_key: str, compat: bool, env: Mapping[str, str] | None = None) -> Path:
    from configurator import __version__

    ident = f"{FORMAT}|{__version__}|{sys.version_info[0]}.{sys.version_info[1]}|{zone_key}|{compat}"
    digest = hashlib.sha256(ident.encode()).hexdigest()[:16]
    return paths.cache_dir(env) / f"usage-{digest}.marshal"


def _digest(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=16).digest()


def load(path: Path) -> Entries:
    """The cached entries, or {} when the file is missing, damaged (its checksum) or of another format."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError:
        return {}
    payload = raw[16:]
    if len(raw) < 16 or raw[:16] != _digest(payload):
        return {}
    try:
        data = marshal.loads(payload)
    except (EOFError, ValueError, TypeError, MemoryError):
        return {}
    if type(data) is not dict or data.get("format") != FORMAT or type(data.get("files")) is not dict:
        return {}
    return data["files"]


def cacheable(stamp: Stamp | None, started: float) -> bool:
    """A stamp that identifies the file's bytes: not None, and not modified just now."""
    if stamp is None:
        return False
    _, mtime_ns, _, _ = stamp
    return mtime_ns / 1e9 < started - RACY_SECONDS


#: other cache files (another zone, an older version) unused this long are removed when one is saved
STALE_DAYS = 30


def save(path: Path, entries: Entries) -> None:
    """Write the cache atomically (0600). A cache that cannot be written is no error: it is a cache."""
    from configurator.store.atomic import atomic_write

    payload = marshal.dumps({"format": FORMAT, "written": time.time(), "files": entries})
    try:
        atomic_write(path, _digest(payload) + payload, secret=True)
    except Exception:  # noqa: BLE001 - OSError, or a read-only home reported as ConfiguratorError
        return
    oldest = time.time() - STALE_DAYS * 86400
    try:
        for other in path.parent.glob("usage-*.marshal"):
            if other != path and other.stat().st_mtime < oldest:
                other.unlink()
    except OSError:
        pass
