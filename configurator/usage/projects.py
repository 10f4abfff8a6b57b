"""Which project a log file (or an opencode message) belongs to, and the name ``usage --by project`` shows.

Where each agent says it (the raw key the scan records, a tagged string, or None when unknown):

- Claude Code: the folder below ``<config dir>/projects/`` that holds the transcript; Claude Code
  names it after the working folder with every character other than a letter or digit replaced by
  ``-`` (``/home/ana/src/app`` -> ``-home-ana-src-app``, the encoding ccusage reads too). That cannot
  be decoded without guessing (a ``-`` may have been a ``/``, ``.``, ``_`` or ``-``), so the folder
  name is shown as it is — unless a Codex or opencode session ran in a folder whose encoding is that
  name: then both are shown as that folder. Key ``claude:<folder name>``.
- Codex: ``payload.cwd`` of the rollout's first ``session_meta`` line. Key ``cwd:<path>``.
- OpenClaw: the agent whose folder holds the transcript or database (``<state>/agents/<agent>/``),
  shown as ``OpenClaw agent <agent>``. Key ``openclaw:<agent>``.
- opencode: the ``directory`` of the message's session in its database. Key ``cwd:<path>``.

A name comes from the disk or a log line, so it is shown escaped: control characters, other
non-printable characters and lone surrogates become ``\\x..`` / ``\\u....`` escapes, and a very long
name is cut in the middle. A file whose project cannot be told counts under :data:`UNKNOWN`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

#: the name of the usage whose project is not known (a Codex session without a ``cwd``, a legacy file)
UNKNOWN = "(unknown project)"
#: longest name shown; longer ones keep their start and end
MAX_NAME = 120

_CLAUDE_ENCODING = re.compile(r"[^a-zA-Z0-9]")


def claude_key(path: str, roots: Iterable[str]) -> str | None:
    """``claude:<folder>`` for a transcript below ``<root>/projects/<folder>/``, else None."""
    for root in roots:
        base = os.path.join(root, "projects") + os.sep
        if path.startswith(base):
            folder = path[len(base):].split(os.sep, 1)
            return "claude:" + folder[0] if len(folder) == 2 and folder[0] else None
    parts = path.split(os.sep)  # a root not listed: the last "projects" folder with a folder below it
    for i in range(len(parts) - 3, -1, -1):
        if parts[i] == "projects" and parts[i + 1]:
            return "claude:" + parts[i + 1]
    return None


def openclaw_key(path: str) -> str | None:
    """``openclaw:<agent>`` for ``.../agents/<agent>/sessions/...`` or ``.../agents/<agent>/agent/...``."""
    parts = path.split(os.sep)
    for i in range(len(parts) - 3, -1, -1):
        if parts[i] == "agents" and parts[i + 1] and parts[i + 2] in ("sessions", "agent"):
            return "openclaw:" + parts[i + 1]
    return None


def cwd_key(folder: object) -> str | None:
    """``cwd:<path>`` for a non-empty string, else None."""
    return "cwd:" + folder if type(folder) is str and folder else None


def escape(text: str) -> str:
    """``text`` safe to print on one line: non-printable characters escaped, cut to :data:`MAX_NAME`."""
    out = []
    for ch in text:
        if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    shown = "".join(out)
    if len(shown) > MAX_NAME:
        half = (MAX_NAME - 1) // 2
        shown = shown[:half] + "…" + shown[-half:]
    return shown


def labels(keys: Iterable[str | None]) -> dict[str | None, str]:
    """The name shown for each raw key (several keys may get the same name: one project)."""
    keys = list(keys)
    cwds = {_CLAUDE_ENCODING.sub("-", k[4:]): k[4:] for k in keys if k is not None and k.startswith("cwd:")}
    out: dict[str | None, str] = {}
    for key in keys:
        if key is None:
            out[key] = UNKNOWN
        elif key.startswith("claude:"):
            folder = key[7:]
            out[key] = escape(cwds.get(folder, folder))
        elif key.startswith("cwd:"):
            out[key] = escape(key[4:])
        elif key.startswith("openclaw:"):
            out[key] = "OpenClaw agent " + escape(key[9:])
        else:
            out[key] = escape(key)
    return out
