"""Set or delete keys of a TOML text by path, keeping its comments and layout (tomlkit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from configurator.errors import ConfiguratorError
from configurator.store.jsonedit import DELETE, Change


def apply_toml_changes(text: str, changes: Sequence[Change]) -> str:
    """``text`` with every change applied in order: a value set (tables made as needed) or a key deleted.

    A table that a deletion leaves empty stays unless a change deletes it too."""
    import tomlkit

    doc = tomlkit.parse(text)
    for change in changes:
        node: Any = doc
        path = [str(k) for k in change.path]
        for key in path[:-1]:
            child = node.get(key) if hasattr(node, "get") else None
            if child is None or not hasattr(child, "get"):
                if change.value is DELETE:
                    break
                child = tomlkit.table()
                node[key] = child
                child = node[key]
            node = child
        else:
            last = path[-1]
            if change.value is DELETE:
                if last in node:
                    if node is doc:
                        _drop_separator(doc, last)
                    del node[last]
            elif node.get(last) != change.value:
                node[last] = change.value
    try:
        new = tomlkit.dumps(doc)
    except Exception as e:  # noqa: BLE001 - tomlkit refuses some layouts
        raise ConfiguratorError(f"Could not edit this TOML layout ({e}); nothing was written.") from None
    if any(c.value is DELETE for c in changes) and new.endswith("\n\n") and not text.endswith("\n\n"):
        new = new.rstrip("\n") + "\n"  # the last table went: the blank line tomlkit put before it goes too
    return new


def _drop_separator(doc: Any, key: str) -> None:
    """Before the top-level ``key`` is deleted: when it sits between a comment and a blank line that comes before
    a table, drop that blank line too. tomlkit adds that line when it appends a top-level key (to keep the key
    out of the table that follows), so taking the key away gives back ``# comment`` right above its table."""
    from tomlkit.items import AoT, Comment, Table, Whitespace

    body = doc.body
    idx = next((i for i, (k, _) in enumerate(body) if k is not None and k.key == key), None)
    if idx is None or idx == 0 or idx + 2 >= len(body):
        return
    prev, nxt, then = body[idx - 1][1], body[idx + 1][1], body[idx + 2][1]
    if isinstance(prev, Comment) and isinstance(nxt, Whitespace) and nxt.s == "\n" and isinstance(then, (Table, AoT)):
        nxt._s = ""  # emptied, not removed: the container keeps indices into its body
