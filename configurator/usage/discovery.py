"""Where each tool keeps its transcripts, and the list of files to scan.

- Claude Code: every ``*.jsonl`` below ``<dir>/projects/`` for each ``<dir>`` in ``$CLAUDE_CONFIG_DIR``
  (one path or a comma-separated list; a path may also name the ``projects/`` folder itself), else
  ``$XDG_CONFIG_HOME/claude`` (default ``~/.config/claude``) and ``~/.claude``. Subagent transcripts
  (``<session>/subagents/agent-*.jsonl``) are included. Symlinks are not followed and files are
  scanned in path order: both exactly as ccusage does (``adapter/claude/paths.rs``), so that
  de-duplication keeps the same copy of a message.
- Codex: ``rollout-*.jsonl`` below ``$CODEX_HOME/sessions/`` and ``$CODEX_HOME/archived_sessions/``
  (default ``~/.codex``). Files are ordered by the session start time in their name, so that a
  parent session is read before the sessions forked from it.
- OpenClaw: ``<state>/agents/<agent>/agent/openclaw-agent.sqlite`` (2026.9 and later) and
  ``<state>/agents/<agent>/sessions/*.jsonl`` (and the ``.jsonl.reset.<time>`` /
  ``.jsonl.deleted.<time>`` archives OpenClaw leaves behind), where ``<state>`` is
  ``$OPENCLAW_STATE_DIR``, else ``$OPENCLAW_HOME/.openclaw``, else ``~/.openclaw``; plus the legacy
  folders ``~/.clawdbot``, ``~/.moltbot`` and ``~/.moldbot``.
- opencode: in each data folder — ``$OPENCODE_DATA_DIR`` (one path or a comma-separated list, ccusage's
  variable), else ``$XDG_DATA_HOME/opencode``, else ``~/.local/share/opencode`` — the database
  ``$OPENCODE_DB`` (absolute, or a name in the folder), ``opencode.db`` and the channel databases
  ``opencode-*.db``, then the legacy message files ``storage/message/**/*.json``; folder by folder, so
  that de-duplication keeps the database's copy of a message, as ccusage does. Sources:
  :mod:`configurator.usage.opencode`.

Hostile trees (issue 17): folders are walked with an explicit stack (any depth, no recursion). An
agent's folder may itself be a link, but a link inside it that leads out of it (``~/.claude/projects``
-> ``/``) is not followed, and a note says so: it would read the whole disk. Only regular files are
listed; a FIFO, device, socket or link named like a log is left out with a note (reading a FIFO
blocks forever, ``/dev/zero`` never ends); the readers check again on the open file
(:func:`configurator.usage.reader.open_regular`).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from configurator import paths
from configurator.agents import AGENTS, claude_code, codex, openclaw
from configurator.agents import opencode as opencode_agent

#: the agents whose logs the readers know (their modules: usage.claude, usage.codex, usage.openclaw,
#: usage.opencode)
CLAUDE = claude_code.ID
CODEX = codex.ID
OPENCLAW = openclaw.ID
OPENCODE = opencode_agent.ID
#: every agent with a usage source, in registry order
TOOLS = tuple(a.id for a in AGENTS.values() if a.usage is not None)
TOOL_NAMES = {a.id: a.display for a in AGENTS.values()}


#: what identifies one version of a file: (size, mtime ns, ctime ns, inode)
Stamp = tuple[int, int, int, int]


@dataclass(frozen=True)
class SourceFile:
    tool: str
    path: str
    size: int
    #: None when the file may change without its own stamp changing (SQLite with its -wal file)
    stamp: Stamp | None = None


@dataclass
class Discovery:
    files: list[SourceFile] = field(default_factory=list)
    roots: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def _expand(raw: str, env: Mapping[str, str]) -> Path:
    if raw == "~" or raw.startswith("~/"):
        return paths.home(env) / raw[2:] if raw != "~" else paths.home(env)
    return Path(raw)


def claude_roots(env: Mapping[str, str] | None = None) -> tuple[list[Path], list[str]]:
    """Claude Code config folders that hold a ``projects/`` folder, in ccusage's order."""
    e = _env(env)
    roots: list[Path] = []
    notes: list[str] = []
    custom = e.get("CLAUDE_CONFIG_DIR", "")
    if custom.strip():
        for part in custom.split(","):
            raw = part.strip()
            if not raw:
                continue
            path = _expand(raw, e)
            if path.name == "projects" and path.is_dir():
                # the projects folder itself, named by the user: where it really is (it may be a link)
                path = (Path(os.path.realpath(path)) if path.is_symlink() else path).parent
            if (path / "projects").is_dir() and path not in roots:
                roots.append(path)
        if not roots:
            notes.append(f"CLAUDE_CONFIG_DIR={custom} names no folder with a projects/ folder: no Claude Code "
                         "transcripts were read.")
        return roots, notes
    xdg = e.get("XDG_CONFIG_HOME", "").strip()
    base = _expand(xdg, e) if xdg else paths.home(e) / ".config"
    for path in (base / "claude", paths.home(e) / ".claude"):
        if (path / "projects").is_dir() and path not in roots:
            roots.append(path)
    return roots, notes


def _stamp(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _walk(directory: Path | str, keep: Callable[[str], bool], out: list[tuple[str, int, Stamp | None]],
          odd: list[str] | None = None) -> None:
    """Regular files below ``directory`` whose name passes ``keep``, at any depth (an explicit stack:
    no recursion limit). Symlinks are not followed; an entry whose name passes ``keep`` but that is a
    link, FIFO, device or socket is added to ``odd`` (never opened)."""
    stack = [str(directory)]
    while stack:
        try:
            it = os.scandir(stack.pop())
        except OSError:  # gone, not a folder, permission denied, a path too long
            continue
        with it:
            for entry in it:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif keep(entry.name):
                        if entry.is_file(follow_symlinks=False):
                            st = entry.stat(follow_symlinks=False)
                            out.append((entry.path, st.st_size, _stamp(st)))
                        elif odd is not None:
                            odd.append(entry.path)
                except OSError:
                    continue


def _contained(base: Path, folder: Path, notes: list[str]) -> bool:
    """Whether ``folder``, every link resolved, lies inside ``base`` (resolved too); else a note.

    The folder an agent keeps its logs in may itself be a link (dotfiles), but a link inside it
    that leads out of it (``~/.claude/projects`` -> ``/``) is not followed: it would read the disk.
    """
    real_base = os.path.realpath(base)
    real = os.path.realpath(folder)
    if real == real_base or real.startswith(real_base.rstrip(os.sep) + os.sep):
        return True
    notes.append(f"{folder} is a link to {real}, outside {base}: not followed, nothing below it was read.")
    return False


def _odd_note(odd: list[str], notes: list[str]) -> None:
    """A note for the files named like logs that are no regular files (links, FIFOs, devices, sockets)."""
    if odd:
        n = len(odd)
        notes.append(f"{n:,} file{'s' if n != 1 else ''} named like a log {'were' if n != 1 else 'was'} not read: "
                     f"not a regular file (a link, FIFO, device or socket), e.g. {sorted(odd)[0]}.")


def claude_files(env: Mapping[str, str] | None = None) -> tuple[list[SourceFile], list[str], list[str]]:
    roots, notes = claude_roots(env)
    found: list[tuple[str, int, Stamp | None]] = []
    odd: list[str] = []
    for root in roots:
        if _contained(root, root / "projects", notes):
            _walk(root / "projects", lambda name: name.endswith(".jsonl"), found, odd)
    found.sort(key=lambda item: item[0])
    _odd_note(odd, notes)
    return [SourceFile(CLAUDE, *item) for item in found], [str(r) for r in roots], notes


_ROLLOUT_TIME = re.compile(r"rollout-(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2})")
_UUID = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$")


def codex_files(env: Mapping[str, str] | None = None) -> tuple[list[SourceFile], list[str], list[str]]:
    home = paths.codex_home(env)
    notes: list[str] = []
    roots = [d for d in (home / "sessions", home / "archived_sessions") if d.is_dir() and _contained(home, d, notes)]
    found: list[tuple[str, int, Stamp | None]] = []
    odd: list[str] = []
    for root in roots:
        _walk(root, lambda name: name.startswith("rollout-") and name.endswith(".jsonl"), found, odd)
    _odd_note(odd, notes)
    # The same session can sit in sessions/ and in archived_sessions/ (a copy left behind): keep the
    # longer file, which holds everything the shorter one does.
    by_session: dict[str, tuple[str, int, Stamp | None]] = {}
    for item in found:
        match = _UUID.search(os.path.basename(item[0]))
        key = match.group(1) if match else item[0]
        kept = by_session.get(key)
        if kept is None or item[1] > kept[1]:
            by_session[key] = item
    if len(by_session) < len(found):
        n = len(found) - len(by_session)
        notes.append(f"{n} Codex session file{' is a copy' if n == 1 else 's are copies'} of another "
                     "(sessions/ and archived_sessions/); each session was counted once.")

    def order(item: tuple[str, int, Stamp | None]) -> tuple[str, str]:
        match = _ROLLOUT_TIME.search(os.path.basename(item[0]))
        return (match.group(1) if match else "", item[0])

    files = sorted(by_session.values(), key=order)
    return [SourceFile(CODEX, *item) for item in files], [str(r) for r in roots], notes


def _openclaw_name(name: str) -> bool:
    index = name.find(".jsonl")
    if index <= 0:
        return False
    suffix = name[index:]
    return suffix == ".jsonl" or suffix.startswith(".jsonl.reset.") or suffix.startswith(".jsonl.deleted.")


def openclaw_files(env: Mapping[str, str] | None = None) -> tuple[list[SourceFile], list[str], list[str]]:
    bases: list[Path] = []
    for base in [paths.openclaw_state_dir(env), *paths.openclaw_legacy_dirs(env)]:
        try:
            real = base.resolve()
        except OSError:
            real = base
        if real not in [b.resolve() for b in bases]:
            bases.append(base)
    roots: list[Path] = []
    found: list[tuple[str, int, Stamp | None]] = []
    notes: list[str] = []
    odd: list[str] = []
    for base in bases:
        agents = base / "agents"
        try:
            names = sorted(os.listdir(agents))
        except OSError:
            continue
        for agent in names:
            sessions = agents / agent / "sessions"
            if sessions.is_dir() and _contained(base, sessions, notes):
                roots.append(sessions)
                _walk(sessions, _openclaw_name, found, odd)
            # OpenClaw 2026.9 and later: transcripts in a SQLite database per agent
            db = agents / agent / "agent" / "openclaw-agent.sqlite"
            regular = _regular(db)
            if regular is False:
                odd.append(str(db))
            elif regular and _contained(base, db, notes):
                roots.append(db.parent)
                found.append((str(db), _size(db), None))
    found.sort(key=lambda item: item[0])
    _odd_note(odd, notes)
    return [SourceFile(OPENCLAW, *item) for item in found], [str(r) for r in roots], notes


def _regular(path: Path) -> bool | None:
    """Whether ``path`` (links followed) is a regular file; None when it does not exist (or a dangling link)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return None


def opencode_dirs(env: Mapping[str, str] | None = None) -> list[Path]:
    """opencode data folders that exist, in ccusage's order (``$OPENCODE_DATA_DIR`` else the XDG one)."""
    e = _env(env)
    custom = e.get("OPENCODE_DATA_DIR", "")
    if custom.strip():
        candidates = [_expand(part.strip(), e) for part in custom.split(",") if part.strip()]
    else:
        candidates = [opencode_agent.data_dir(e)]  # $XDG_DATA_HOME/opencode, else ~/.local/share/opencode
    found: list[Path] = []
    for path in candidates:
        if path.is_dir() and path not in found:
            found.append(path)
    return found


def _opencode_db(name: str) -> bool:
    return name == "opencode.db" or (name.startswith("opencode-") and name.endswith(".db"))


def opencode_files(env: Mapping[str, str] | None = None) -> tuple[list[SourceFile], list[str], list[str]]:
    e = _env(env)
    dirs = opencode_dirs(e)
    chosen = e.get("OPENCODE_DB", "").strip()
    found: list[tuple[str, int, Stamp | None]] = []
    seen: set[str] = set()
    notes: list[str] = []
    odd: list[str] = []

    def add_db(path: Path, base: Path | None) -> None:
        """``base``: the data folder the database must lie in (None: $OPENCODE_DB named it absolutely)."""
        real = os.path.realpath(path)
        if real in seen:
            return
        regular = _regular(path)
        if regular is False:
            odd.append(str(path))
        if not regular or (base is not None and not _contained(base, path, notes)):
            return
        seen.add(real)
        # SQLite in WAL mode: new rows are in the -wal file while the database's stamp stays
        found.append((str(path), _size(path) + _size(Path(f"{path}-wal")), None))

    absolute = chosen != ":memory:" and (os.path.isabs(chosen) or chosen.startswith("~"))
    if absolute:
        add_db(_expand(chosen, e), None)
    for base in dirs:
        if chosen and chosen != ":memory:" and not absolute:
            add_db(base / chosen, base)
        try:
            names = sorted(name for name in os.listdir(base) if _opencode_db(name))
        except OSError:
            names = []
        for name in names:
            add_db(base / name, base)
        legacy: list[tuple[str, int, Stamp | None]] = []
        messages = base / "storage" / "message"
        if messages.is_dir() and _contained(base, messages, notes):
            _walk(messages, lambda name: name.endswith(".json"), legacy, odd)
        legacy.sort(key=lambda item: item[0])
        found.extend(legacy)
    _odd_note(odd, notes)
    return [SourceFile(OPENCODE, *item) for item in found], [str(d) for d in dirs], notes


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def discover(tools: tuple[str, ...] = TOOLS, env: Mapping[str, str] | None = None) -> Discovery:
    result = Discovery()
    for tool in TOOLS:
        if tool not in tools:
            continue
        files, roots, notes = _finder(tool)(env)
        result.files.extend(files)
        result.roots[tool] = roots
        result.notes.extend(notes)
    return result


def _finder(tool: str) -> Callable[[Mapping[str, str] | None], tuple[list[SourceFile], list[str], list[str]]]:
    """The ``discover`` function the agent's :class:`~configurator.agents.base.UsageSource` names."""
    import importlib

    source = AGENTS[tool].usage
    assert source is not None
    module, _, name = source.discover.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
