"""Which keys of the agents' files configurator owns: the value each had before configurator first set it, a
hash of what configurator wrote there last, and the profile each agent uses now.

This is what makes ``configurator use official`` possible (every owned key goes back to its value from before the
first setup; a key that did not exist is removed) and how ``use``/``status`` notice a key edited by hand since
(its value no longer matches the hash of what we wrote). It is kept in ``owned.json`` next to the profiles (0600:
a value from before, such as a displaced ``ANTHROPIC_API_KEY``, may be a key). Only hashes of what we wrote are
kept, so the file never holds a key configurator wrote.

Format (version 1)::

    {"version": 1, "agents": {"<agent id>": {"profile": "<name>", "files": {"<path>": {
        "format": "json", "created": false,
        "keys": [{"path": ["env", "ANTHROPIC_BASE_URL"], "before": {"absent": true}, "wrote": "<sha256>"}],
        "tables": [["model_providers", "atlascloud"]]}}}}}

``before`` is ``{"absent": true}`` or ``{"value": <the value>}``; ``wrote`` is the hash of the value we wrote, or
null when we removed the key (then ``siblings``, optional, lists the keys of its object as they were, in order, so
it is put back at its place); ``tables`` are the objects/tables we created (removed again when left empty);
``created`` says the file did not exist before (it is removed again when nothing else is left in it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from configurator.errors import ConfiguratorError

VERSION = 1
Path_ = tuple[str, ...]


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


#: a key that is not there
ABSENT: Any = _Absent()


def digest(value: Any) -> str | None:
    """The hash ``owned.json`` keeps of a value we wrote (None: we removed the key)."""
    if value is ABSENT:
        return None
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def get_path(data: Any, path: Path_) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return ABSENT
        data = data[key]
    return data


@dataclass
class OwnedKey:
    path: Path_
    before: Any  # ABSENT or the value
    wrote: str | None  # digest of what we wrote (None: we removed the key)
    #: a key we removed: the keys of its object as they were, in order (it is put back at its place among them)
    siblings: tuple[str, ...] = ()


@dataclass
class OwnedFile:
    path: str
    format: str
    created: bool = False
    keys: list[OwnedKey] = field(default_factory=list)
    tables: list[Path_] = field(default_factory=list)

    def hand_edits(self, data: Any) -> list[Path_]:
        """The owned keys whose value is no longer what we wrote."""
        return [k.path for k in self.keys if digest(get_path(data, k.path)) != k.wrote]

    def revert(self, data: Any) -> list[tuple[Path_, Any]]:
        """(path, value or ABSENT) that put every owned key back to its value from before, deepest tables last."""
        out: list[tuple[Path_, Any]] = []
        for k in self.keys:
            now = get_path(data, k.path)
            if k.before is ABSENT:
                if now is not ABSENT:
                    out.append((k.path, ABSENT))
            elif now is ABSENT or digest(now) != digest(k.before):
                out.append((k.path, k.before))
        return out


@dataclass
class AgentState:
    profile: str | None
    files: dict[str, OwnedFile] = field(default_factory=dict)


@dataclass
class Owned:
    agents: dict[str, AgentState] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        return {"version": VERSION, "agents": {
            aid: {"profile": st.profile, "files": {
                p: {"format": f.format, "created": f.created,
                    "keys": [{"path": list(k.path),
                              "before": {"absent": True} if k.before is ABSENT else {"value": k.before},
                              "wrote": k.wrote, **({"siblings": list(k.siblings)} if k.siblings else {})}
                             for k in f.keys],
                    "tables": [list(t) for t in f.tables]}
                for p, f in st.files.items()}}
            for aid, st in self.agents.items()}}

    def profile_users(self, name: str) -> list[str]:
        """The agents whose active profile is ``name``."""
        return [aid for aid, st in self.agents.items() if st.profile == name]


def from_data(data: Any, where: str) -> Owned:
    """``owned.json``'s data, checked; a damaged file is one sentence (never guessed around)."""
    if data in (None, {}):
        return Owned()
    from configurator.agents.base import register_secrets

    def bad(what: str) -> ConfiguratorError:
        return ConfiguratorError(
            f"{where} is damaged ({what}); configurator keeps there what `use official` puts back. Restore it from "
            "a backup (`configurator restore --list`) or move it away to start over (configurator then treats the "
            "current values as the official ones).")

    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("agents"), dict):
        raise bad(f"not a version {VERSION} record")
    owned = Owned()
    try:
        for aid, st in data["agents"].items():
            files = {}
            for p, f in st["files"].items():
                keys = [OwnedKey(tuple(str(x) for x in k["path"]),
                                 ABSENT if k["before"].get("absent") else k["before"]["value"],
                                 k["wrote"] if isinstance(k["wrote"], str) else None,
                                 tuple(str(x) for x in k.get("siblings", ()))) for k in f["keys"]]
                files[str(p)] = OwnedFile(str(p), str(f["format"]), bool(f.get("created", False)), keys,
                                          [tuple(str(x) for x in t) for t in f.get("tables", [])])
            profile = st.get("profile")
            owned.agents[str(aid)] = AgentState(profile if isinstance(profile, str) else None, files)
            # a value from before may be a key (a displaced ANTHROPIC_API_KEY): never shown
            register_secrets([{k.path[-1]: k.before} for f in files.values() for k in f.keys if k.path])
    except (KeyError, TypeError, AttributeError) as e:
        raise bad(f"unexpected entry: {e}") from None
    return owned


def _leaves(before: Any, after: Any, path: Path_) -> Iterator[tuple[Path_, Any, Any, bool]]:
    """(path, before, after, is_new_table) for every place the two differ: objects are walked into, anything else
    (a list, a scalar, an object replacing a scalar) is one value."""
    if before is after:  # an object the change did not copy: nothing in it changed (the common case, at no cost)
        return
    if isinstance(after, dict) and before is ABSENT and path:
        yield path, ABSENT, after, True
        for k, v in after.items():
            yield from _leaves(ABSENT, v, (*path, str(k)))
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for k in {**before, **after}:
            yield from _leaves(before.get(k, ABSENT), after.get(k, ABSENT), (*path, str(k)))
        return
    if type(before) is type(after) and not isinstance(before, (list, dict)) and before == after:
        return
    if digest(before) != digest(after) or (before is ABSENT) != (after is ABSENT):
        yield path, before, after, False


def owned_paths(before: Any, after: Any) -> tuple[list[Path_], list[Path_]]:
    """(keys, new tables) that differ between ``before`` and ``after``: what a profile sets in one file."""
    keys: list[Path_] = []
    tables: list[Path_] = []
    for p, b, a, is_table in _leaves(before if isinstance(before, dict) else {}, after, ()):
        if is_table:
            tables.append(p)
        elif b is not ABSENT or a is not ABSENT:
            keys.append(p)
    return sorted(keys), sorted(tables)


def record(old: OwnedFile | None, path: str, fmt: str, before: Any, after: Any, final: Any, *,
           existed: bool) -> OwnedFile | None:
    """The ownership of one file: the keys that differ between ``before`` (the file as it was before configurator,
    every owned key put back) and ``after`` (the profile applied to that), with their value in ``before`` and a
    digest of their value in ``final`` (what is written now). A key set to the value it already had is not taken
    over. None when we own nothing in the file."""
    keys, tables = owned_paths(before, after)
    if not keys and not tables:
        return None
    created = old.created if old is not None else not existed
    base = before if isinstance(before, dict) else {}
    kept = {k.path: k.siblings for k in old.keys} if old is not None else {}
    return OwnedFile(path, fmt, created, [
        OwnedKey(k, get_path(base, k), digest(get_path(final, k)),
                 () if fmt == "toml" or get_path(final, k) is not ABSENT else kept.get(k) or _siblings(base, k))
        for k in keys], tables)


def _siblings(before: Any, path: Path_) -> tuple[str, ...]:
    """The keys of the object that held ``path`` in ``before`` (a JSON key we removed is put back at its place
    among them; the first record is kept, so a later switch does not move it)."""
    parent = get_path(before, path[:-1])
    if not isinstance(parent, dict) or path[-1] not in parent:
        return ()
    return tuple(str(k) for k in parent)


def prune_tables(data: Any, tables: list[Path_]) -> list[Path_]:
    """The tables we created that are empty in ``data`` (deepest first), to be removed too."""
    out = []
    for t in sorted(tables, key=len, reverse=True):
        node = get_path(data, t)
        if isinstance(node, dict) and not any(get_path(data, (*t, k)) is not ABSENT and (*t, k) not in out
                                              for k in node):
            out.append(t)
    return out
