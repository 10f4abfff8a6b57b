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
                    del node[last]
            elif node.get(last) != change.value:
                node[last] = change.value
    try:
        return tomlkit.dumps(doc)
    except Exception as e:  # noqa: BLE001 - tomlkit refuses some layouts
        raise ConfiguratorError(f"Could not edit this TOML layout ({e}); nothing was written.") from None
