"""``--fix``: apply the safe fixes through the store (lock, verify, backup, atomic write)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from configurator.errors import ConfiguratorError
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

def apply_fixes(results: list[FileResult], *, force: bool = False) -> list[FixResult]:
    """Apply the safe fixes found in ``results`` (files linted from disk). One backup id for the whole run.
    ``force`` also changes read-only files (they stay read-only)."""
    from configurator.store import Transaction

    out: list[FixResult] = []
    todo = [(fr.source, fr, fr.text) for fr in results
            if fr.source is not None and fr.text is not None and any(f.fix is not None and f.fix.safe for f in fr.findings)]
    if not todo:
        return out
    with Transaction("lint --fix", force=force) as tx:
        for path, fr, linted_text in todo:
            fixes = [f.fix for f in fr.findings if f.fix is not None and f.fix.safe]
            fmt = as_format(KINDS[fr.kind].fmt)
            try:
                out.append(_fix_file(tx, path, fmt, fixes, linted_text, fr.path))
            except ConfiguratorError as e:
                out.append(FixResult(fr.path, "failed", None, [], str(e)))
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


def _fix_file(tx: Any, path: Path, fmt: Format, fixes: list[Fix], linted_text: str, shown: str) -> FixResult:
    doc = tx.open(path, fmt)
    if doc.text != linted_text:
        raise ConfiguratorError(f"{shown} changed while it was being linted; run the command again")
    chmod = any(f.kind == "chmod" for f in fixes)
    expected = copy.deepcopy(doc.data)
    for kp, value in (e for f in fixes for e in _edits(f)):
        _set_data(expected, kp, value)
    new_text = fixed_text(doc.text, fmt, fixes)
    res = tx.write(doc, new_text, expected=expected, secret=chmod)
    changes = [f.description for f in fixes if f.kind != "chmod"]
    if chmod:
        changes.append("chmod 600")
    action: FixAction = "updated" if res.action == "updated" else ("chmod" if chmod else res.action)
    return FixResult(shown, action, res.backup, changes)
