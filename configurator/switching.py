"""Apply a profile to the agents (or take each back to its own login), owning only the keys it sets.

One transaction for everything: each agent's owned keys are first put back to their values from before the
first setup (in memory: :meth:`Transaction.overlay`), then the agent applies the new profile over that; what
differs is what the profile owns now (:mod:`configurator.ownership`). So switching from A to B never leaves a
key A set and B does not, and ``use official`` is the same step without the second half. The profiles file and
``owned.json`` are written in the same transaction (one backup id, all or nothing).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from configurator import agents, ownership, paths
from configurator.agents.base import Agent, Outcome, Profile
from configurator.errors import ConfiguratorError

if TYPE_CHECKING:  # pragma: no cover
    from configurator.profiles import SavedProfile
    from configurator.store import Document, Transaction, WriteResult


@dataclass(frozen=True)
class HandEdit:
    """An owned key whose value is not what configurator wrote there last."""

    agent: str
    path: Path
    key: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.path}: {'.'.join(self.key)}"


@dataclass(frozen=True)
class Written:
    """What one transaction did (or, in a dry run, would do): each file's result, notes, the backup id."""

    results: list[tuple[str, WriteResult]]
    notes: list[str]
    backup: str | None
    #: owned keys edited by hand since configurator wrote them (overwritten only when allowed)
    hand_edits: list[HandEdit] = field(default_factory=list)
    #: (agent id, command line) to use the profile in one session without switching
    sessions: list[tuple[str, str]] = field(default_factory=list)
    #: the profile saved or applied (None: back to each agent's own login)
    profile: str | None = None

    @property
    def changed(self) -> list[WriteResult]:
        return [r for _, r in self.results if r.action != "unchanged"]

    def lines(self, *, dry_run: bool, diffs: bool = False) -> list[str]:
        """What setup, use and profile print about the files: the diffs (a dry run, or asked for), a line per file
        with its action, and the backup id to undo with."""
        out: list[str] = []
        if dry_run or diffs:
            out += [r.diff.rstrip("\n") for _, r in self.results if r.diff]
        if dry_run:
            out.append("Dry run: nothing was written.")
        for tool, r in self.results:
            verb = f"would be {r.action}" if dry_run and r.action != "unchanged" else r.action
            out.append(f"{agents.get(tool).display:12} {verb:9} {r.path}")
        if self.backup and not dry_run:
            out.append(f"Backup of the previous files: {self.backup} (undo with `configurator restore {self.backup}`)")
        return out


class HandEdited(ConfiguratorError):
    """Owned keys were edited by hand and overwriting them was not allowed."""

    def __init__(self, edits: list[HandEdit]) -> None:
        self.edits = edits
        shown = "; ".join(str(e) for e in edits[:5]) + (f" and {len(edits) - 5} more" if len(edits) > 5 else "")
        super().__init__(
            f"These keys were changed by hand since configurator set them: {shown}. Nothing was written; run "
            "`configurator status` to see them, and pass --force to overwrite them.")


def _fmt_of(path: Path, agent_id: str) -> str:
    kinds = agents.kinds()
    for f in agents.get(agent_id).user_files(None):
        if f.path == path:
            return kinds[f.kind].fmt
    from configurator.store import detect_format

    return detect_format(path)


def _edit(text: str, fmt: str, changes: list[tuple[tuple[str, ...], Any]],
          siblings: dict[tuple[str, ...], tuple[str, ...]] | None = None) -> str:
    from configurator.store import DELETE, Change, apply_changes, apply_toml_changes

    ch = [Change(p, DELETE if v is ownership.ABSENT else v) for p, v in changes]
    if not ch:
        return text
    if fmt == "toml":
        return apply_toml_changes(text, ch)
    for c in ch:
        placed = _put_back(text, c.path, c.value, (siblings or {}).get(c.path, ()), fmt)
        text = placed if placed is not None else apply_changes(text, [c], fmt=fmt)
    return text


def _put_back(text: str, path: tuple[str, ...], value: Any, siblings: tuple[str, ...], fmt: str) -> str | None:
    """``text`` with the key we removed put back at its place among ``siblings`` (its object's keys as they were):
    on its own line before the first of the keys that followed it that is still there. None when that cannot be
    done in place (then it is added at the end of its object, as any new key)."""
    from configurator.store import jsonedit as je

    if not siblings or path[-1] not in siblings:
        return None
    after = siblings[siblings.index(path[-1]) + 1:]
    t = je._Text(text)
    at = t.ws(0)
    for key in path[:-1]:
        if at >= len(text) or text[at] != "{":
            return None
        hit = je._find(t.obj(at), key)
        if hit is None:
            return None
        at = hit[1].vstart
    if at >= len(text) or text[at] != "{":
        return None
    obj = t.obj(at)
    if je._find(obj, path[-1]) is not None:
        return None
    following = [m for m in obj.members if m.key in after]
    if not following:
        return None  # it was last (or every key after it is gone): the end of the object is its place
    nxt = following[0]
    ls = t.line_start(nxt.kstart)
    if text[ls:nxt.kstart].strip():
        return None  # not on a line of its own
    indent = t.indent_of(nxt.kstart)
    bare = fmt == "json5" and je._uses_bare_keys(obj)
    member = f"{je.render_key(path[-1], bare)}: {je.render_value(value, je.detect_indent(text), indent, json5_keys=bare)}"
    return text[:ls] + indent + member + ",\n" + text[ls:]


def _revert(tx: Transaction, owned: ownership.OwnedFile, agent_id: str, edits: list[HandEdit] | None,
            keep: set[tuple[str, ...]] = frozenset()) -> tuple[Document, str, Any]:  # type: ignore[assignment]
    """Open one owned file and overlay it with the owned keys put back, except those in ``keep`` (the next profile
    sets them itself: left as they are, so a table stays where it is and a re-run changes no byte):
    (document, text, data). A file we created that is left empty is overlaid as no file at all."""
    from configurator.store import DELETE, Change, apply_to_data, parse_text

    path = Path(owned.path)
    doc = tx.open(path, owned.format)
    if edits is not None:
        edits += [HandEdit(agent_id, path, k) for k in owned.hand_edits(doc.data if doc.exists else {})]
    if not doc.exists:
        return doc, "", {}
    changes = [(p, v) for p, v in owned.revert(doc.data) if p not in keep]
    data = apply_to_data(doc.data, [Change(p, DELETE if v is ownership.ABSENT else v) for p, v in changes])
    changes += [(t, ownership.ABSENT) for t in ownership.prune_tables(data, [t for t in owned.tables if t not in keep])]
    if not changes:
        return doc, doc.text, doc.data
    text = _edit(doc.text, owned.format, changes, {k.path: k.siblings for k in owned.keys if k.siblings})
    data = parse_text(text, owned.format, path)
    if owned.created and data == {} and not keep:
        text = ""
    tx.overlay(doc, text, data)
    return doc, text, data


def _profile_keys(agent: Agent, profile: Profile, owned: dict[str, ownership.OwnedFile]
                  ) -> dict[str, tuple[Any, Any, set[tuple[str, ...]]]]:
    """What ``profile`` sets in each file of ``agent`` when applied to the files as they were before configurator
    (a dry run with every owned key put back): path -> (data before, data after, the keys and tables it sets)."""
    from configurator.store import Transaction

    out: dict[str, tuple[Any, Any, set[tuple[str, ...]]]] = {}
    with Transaction("use", scratch=True) as scratch:
        for f in owned.values():
            _revert(scratch, f, agent.id, None)
        start = len(scratch.results)
        agent.apply(profile, scratch, Outcome(agent.id))
        for r in scratch.results[start:]:
            before = scratch.data_before(r.path)
            after = scratch.data_after(r.path)
            keys, tables = ownership.owned_paths(before, after)
            out[str(r.path)] = (before, after, {*keys, *tables})
    return out


def execute(profile: Profile | None, tools: Iterable[str], *, dry_run: bool, force: bool = False,
            overwrite_hand_edits: bool = True, save: SavedProfile | None = None,
            remove_profile: str | None = None, sessions: Iterable[SavedProfile] = (),
            remove_sessions: Iterable[SavedProfile] = ()) -> Written:
    """Make ``profile`` the active provider of each agent in ``tools`` (None: back to each agent's own login),
    in one transaction with the profiles file (``save``/``remove_profile``) and ``owned.json``.

    Hand-edited owned keys are listed in the result; with ``overwrite_hand_edits=False`` they stop the change
    (:class:`HandEdited`) before anything is written."""
    from configurator.store import Transaction

    chosen = [agents.get(t) for t in tools]
    if profile is not None:
        for agent in chosen:
            if agent.check_profile is not None:
                agent.check_profile(profile)
    notes: list[str] = []
    results: list[tuple[str, WriteResult]] = []
    edits: list[HandEdit] = []
    session_lines: list[tuple[str, str]] = []
    with Transaction("use" if save is None else "setup", dry_run=dry_run, force=force) as tx:
        state_doc = tx.open(paths.owned_file(), "json")
        state = ownership.from_data(state_doc.data, str(paths.owned_file()))
        for agent in chosen:
            old = state.agents.get(agent.id)
            owned = old.files if old else {}
            sets = _profile_keys(agent, profile, owned) if profile is not None and owned else {}
            start = len(tx.results)
            reverted = {p: _revert(tx, f, agent.id, edits, sets.get(p, (None, None, set()))[2])
                        for p, f in owned.items()}
            if profile is not None:
                outcome = Outcome(agent.id)
                agent.apply(profile, tx, outcome)
                notes += outcome.notes
            written = {str(r.path) for r in tx.results[start:]}
            for p, (doc, text, data) in reverted.items():
                if p in written:
                    continue
                if owned[p].created and not text:  # a file we created, left with nothing in it
                    tx.delete(doc.path)
                elif doc.exists:
                    tx.write(doc, text, expected=data, secret=_holds_secret(agent.id, doc.path))
            new_state = ownership.AgentState(profile.name if profile is not None else None)
            if profile is not None:
                for r in tx.results[start:]:
                    p = str(r.path)
                    final = tx.data_after(r.path)
                    if p in sets:
                        before, after, _ = sets[p]
                    else:  # no key of this file was ours: the file as it was is the "before"
                        before, after = tx.data_before(r.path), final
                    old_file = owned.get(p)
                    rec = ownership.record(old_file, p, old_file.format if old_file else _fmt_of(r.path, agent.id),
                                           before if before is not None else {}, after if after is not None else {},
                                           final if final is not None else {},
                                           existed=old_file is None and r.action != "created")
                    if rec is not None:
                        new_state.files[p] = rec
            if new_state.files:
                state.agents[agent.id] = new_state
            else:
                state.agents.pop(agent.id, None)
            results += [(agent.id, r) for r in tx.results[start:]]
        if edits and not overwrite_hand_edits:
            raise HandEdited(edits)
        for r in [r for _, r in results]:
            notes += r.notes
        for saved in remove_sessions:  # first: a profile both removed and written (a rename) keeps its new files
            remove_session_files(saved, tx)
        for saved in sessions:
            for agent_id, line, _ in write_sessions(saved, tx):
                session_lines.append((agent_id, line))
        if save is not None or remove_profile is not None:
            from configurator import profiles

            profiles.write(tx, save, remove_profile)
        data = state.to_data()
        if data["agents"] or state_doc.exists:
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
            tx.write(state_doc, text, expected=data, secret=True)
        return Written(results, notes, tx.backup_id, edits, session_lines,
                       profile.name if profile is not None else None)


def _holds_secret(agent_id: str, path: Path) -> bool:
    return any(f.holds_secret for f in agents.get(agent_id).user_files(None) if f.path == path)


def write_sessions(saved: SavedProfile, tx: Transaction | None) -> list[tuple[str, str, list[WriteResult]]]:
    """Write the per-session files of ``saved`` (when ``tx`` is given): each agent's command line that uses them,
    and what was written."""
    profile = saved.to_profile()
    out = []
    for agent_id in saved.tools:
        agent = agents.get(agent_id)
        if agent.session is not None:
            start = len(tx.results) if tx is not None else 0
            line = agent.session(profile, tx)
            out.append((agent_id, line, tx.results[start:] if tx is not None else []))
    return out


def remove_session_files(saved: SavedProfile, tx: Transaction) -> None:
    for agent in agents.AGENTS.values():
        if agent.session_files is not None:
            for path in agent.session_files(saved.name):
                tx.delete(path)
