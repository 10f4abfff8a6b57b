"""``--fix``: apply the safe fixes through the store (lock, verify, backup, atomic write)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from configurator.errors import ConfiguratorError, ParseError
from configurator.lint.findings import FileResult, Fix, FixAction, FixResult, KeyPath
from configurator.lint.kinds import KINDS
from configurator.store.formats import Format, as_format

_MISSING = object()


def _get(data: Any, keypath: KeyPath) -> Any:
    node = data
    for part in keypath:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return _MISSING
    return node


def _set_data(data: Any, keypath: KeyPath, value: Any) -> None:
    node = data
    for part in keypath[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(part, {})
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
            break
    if value is _MISSING:
        if isinstance(node, dict):
            node.pop(keypath[-1], None)
    elif isinstance(node, dict):
        node[keypath[-1]] = value
    elif isinstance(node, list) and isinstance(keypath[-1], int):
        node[keypath[-1]] = value
    else:  # the file's shape changed under the fix (e.g. "env": null): say so, change nothing
        raise ConfiguratorError(f"the fix for {'.'.join(map(str, keypath))} does not fit the file's shape there; "
                                "fix it by hand")


def _edits(fix: Fix) -> list[tuple[KeyPath, Any]]:
    """A fix as (keypath, value-or-_MISSING) edits, in order."""
    if fix.kind == "set":
        return [(fix.keypath, fix.value)]
    if fix.kind == "delete":
        return [(fix.keypath, _MISSING)]
    if fix.kind == "move":
        return [(fix.target, fix.value), (fix.keypath, _MISSING)]
    return []


# --- JSON / JSON5 ---------------------------------------------------------------------------------------------

def _json_apply(text: str, fmt: Format, keypath: KeyPath, value: Any) -> str:
    """Edit one key in JSON(5) text; key paths through arrays edit the array element's object in place."""
    from configurator.store import DELETE, Change, apply_changes

    val = DELETE if value is _MISSING else value
    last_index = max((i for i, p in enumerate(keypath) if isinstance(p, int)), default=-1)
    if last_index < 0:
        return apply_changes(text, [Change(tuple(str(p) for p in keypath), val)], fmt=fmt)
    # store.apply_changes walks objects only: edit the innermost array element as its own document and splice
    # it back, which keeps every byte around it.
    from configurator.store.formats import parse_json5_model

    node = parse_json5_model(text)
    from json5 import model as m

    for part in keypath[: last_index + 1]:
        if isinstance(node, m.JSONObject) and isinstance(part, str):
            hits = [kv for kv in node.key_value_pairs if _key_name(kv.key) == part]
            if not hits:
                raise ConfiguratorError(f"cannot find {part!r} to fix")
            node = hits[-1].value
        elif isinstance(node, m.JSONArray) and isinstance(part, int) and 0 <= part < len(node.values):
            node = node.values[part]
        else:
            raise ConfiguratorError("the file changed shape; fix it by hand")
    from configurator.text import LineIndex

    index = LineIndex(text)
    a = index.offset(node.lineno, node.col_offset + 1)
    b = index.offset(node.end_lineno, node.end_col_offset + 1)
    inner = apply_changes(text[a:b], [Change(tuple(str(p) for p in keypath[last_index + 1:]), val)], fmt=fmt)
    return text[:a] + inner + text[b:]


def _key_name(key: Any) -> str:
    from configurator.store.formats import key_name

    return key_name(key)


# --- TOML -----------------------------------------------------------------------------------------------------

def _toml_apply(doc: Any, keypath: KeyPath, value: Any) -> None:
    node = doc
    for part in keypath[:-1]:
        node = node[part]
    if value is _MISSING:
        del node[keypath[-1]]
    else:
        node[keypath[-1]] = value


# --- driver ---------------------------------------------------------------------------------------------------

class _Unfinished(Exception):
    """A file of a multi-file fix could not be staged after another one was: the whole run is given up."""


def apply_fixes(results: list[FileResult], *, force: bool = False) -> list[FixResult]:
    """Apply the safe fixes found in ``results`` (files linted from disk). One backup id for the whole run.
    ``force`` also changes read-only files (they stay read-only)."""
    from configurator.store import Transaction

    out: list[FixResult] = []
    todo = [(fr.source, fr, fr.text) for fr in results
            if fr.source is not None and fr.text is not None and any(f.fix is not None and f.fix.safe for f in fr.findings)]
    if not todo:
        return out
    try:
        with Transaction("lint --fix", force=force) as tx:
            for path, fr, linted_text in todo:
                fixes = [f.fix for f in fr.findings if f.fix is not None and f.fix.safe]
                fmt = as_format(KINDS[fr.kind].fmt)
                try:
                    out.extend(_fix_file(tx, path, fmt, fixes, linted_text, fr.path))
                except ConfiguratorError as e:
                    out.append(FixResult(fr.path, "failed", None, [], str(e)))
    except _Unfinished as e:
        raise ConfiguratorError(f"{e} No file was changed.") from None
    return out


def fixed_text(text: str, fmt: Format, fixes: list[Fix]) -> str:
    """``text`` with the edits of ``fixes`` made, every other byte kept (a chmod fix changes no text)."""
    edits = [e for f in fixes for e in _edits(f)]
    if not edits:
        return text
    if fmt == "toml":
        import tomlkit

        tdoc = tomlkit.parse(text)
        for kp, value in edits:
            _toml_apply(tdoc, kp, value)
        return tomlkit.dumps(tdoc)
    for kp, value in edits:
        text = _json_apply(text, fmt, kp, value)
    return text


def replacement(text: str, fmt: Format, fix: Fix) -> tuple[int, int, str] | None:
    """One safe fix as one replacement of ``text[start:end]`` by the returned string (what SARIF's
    ``fixes`` carry); None for a fix that changes no text (chmod) or that cannot be made here."""
    if not fix.safe or not _edits(fix):
        return None
    try:
        new = fixed_text(text, fmt, [fix])
    except Exception:  # noqa: BLE001 - a report without this fix, never a failed report
        return None
    if new == text:
        return None
    start = 0
    limit = min(len(text), len(new))
    while start < limit and text[start] == new[start]:
        start += 1
    end_old, end_new = len(text), len(new)
    while end_old > start and end_new > start and text[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    return start, end_old, new[start:end_new]


def _fix_file(tx: Any, path: Path, fmt: Format, fixes: list[Fix], linted_text: str, shown: str) -> list[FixResult]:
    """Fix one file; an ``extract`` fix also creates the files it moves tables into (staged first, so the file
    itself is only changed when they can be written)."""
    doc = tx.open(path, fmt)
    if doc.text != linted_text:
        raise ConfiguratorError(f"{shown} changed while it was being linted; run the command again")
    chmod = any(f.kind == "chmod" for f in fixes)
    text = doc.text
    expected = copy.deepcopy(doc.data)
    moves: list[_Move] = []
    notes: list[str] = []
    for f in fixes:
        if f.kind == "extract":
            try:
                move = _plan_extract(tx, path, text, expected, f)
            except ConfiguratorError as e:
                notes.append(str(e))
                continue
            moves.append(move)
            text, expected = move.rest, move.rest_data
    edits = [f for f in fixes if f.kind != "extract"]
    for kp, value in (e for f in edits for e in _edits(f)):
        _set_data(expected, kp, value)
    new_text = fixed_text(text, fmt, edits)
    out: list[FixResult] = []
    staged = False
    for move in moves:
        try:
            res = tx.write(move.target, move.text, expected=move.data, secret=move.secret)
        except ConfiguratorError as e:
            if staged:
                raise _Unfinished(str(e)) from None
            raise
        staged = True
        out.append(FixResult(str(move.target.path), "created", res.backup, [f"{move.description} (from {shown})"]))
    try:
        res = tx.write(doc, new_text, expected=expected, secret=chmod)
    except ConfiguratorError as e:
        if staged:
            raise _Unfinished(str(e)) from None
        raise
    changes = [f.description for f in fixes if f.kind != "chmod" and (f.kind != "extract" or any(
        m.fix is f for m in moves))]
    if chmod:
        changes.append("chmod 600")
    changes += notes
    action: FixAction = "updated" if res.action == "updated" else ("chmod" if chmod else res.action)
    return [FixResult(shown, action, res.backup, changes), *out]


@dataclass
class _Move:
    """One ``extract`` fix, planned: the file's text and data without the table, and the new file."""

    fix: Fix
    description: str
    rest: str
    rest_data: Any
    target: Any  # the new file's Document (it does not exist)
    text: str
    data: Any
    secret: bool


def _plan_extract(tx: Any, path: Path, text: str, data: Any, fix: Fix) -> _Move:
    """Cut the table ``fix.keypath`` out of ``text`` into the new file ``fix.value``, verified by parsing both."""
    from configurator.lint.secrets_scan import iter_secrets
    from configurator.lint.tomltables import TomlLayoutError, split_table
    from configurator.store import same_data
    from configurator.store.formats import parse_text
    from configurator.text import match_line_endings

    dest = Path(str(fix.value))
    name = "[" + ".".join(map(str, fix.keypath)) + "]"
    table = _get(data, fix.keypath)
    if not isinstance(table, dict):
        raise ConfiguratorError(f"{name} was left in place: it is not a table")
    target = tx.open(dest, "toml")
    if target.exists:
        raise ConfiguratorError(f"{name} was left in place: {dest} already exists (merge it by hand)")
    keypath = tuple(str(p) for p in fix.keypath)
    try:
        split = split_table(text, keypath)
        rest_data = parse_text(split.rest, "toml", path)
        new_data = parse_text(split.table, "toml", dest)
    except (TomlLayoutError, ParseError) as e:
        raise ConfiguratorError(f"{name} was left in place: {e}; move it by hand") from None
    want = copy.deepcopy(data)
    _set_data(want, fix.keypath, _MISSING)
    parent = _get(want, fix.keypath[:-1])
    if fix.keypath[:-1] and parent == {} and _get(rest_data, fix.keypath[:-1]) is _MISSING:
        _set_data(want, fix.keypath[:-1], _MISSING)  # no [profiles] header is left for an empty table
    if not same_data(rest_data, want) or not same_data(new_data, table):
        raise ConfiguratorError(f"{name} was left in place: it is not written as one [table] section (dotted keys "
                                "or an inline table); move it by hand")
    private = _is_private(path)
    secret = private or any(True for _ in iter_secrets(table))
    return _Move(fix, fix.description, split.rest, rest_data, target, match_line_endings(text, split.table),
                 new_data, secret)


def _is_private(path: Path) -> bool:
    """True when ``path`` can be read by its owner only (a file made from it is made 0600 too)."""
    import os

    try:
        return not os.stat(path).st_mode & 0o077
    except OSError:
        return True
