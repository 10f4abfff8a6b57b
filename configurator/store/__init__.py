"""The safe store: the only code that reads or writes user files.

Every change goes through a :class:`Transaction`: files are locked for the read-modify-write, the
new text is verified by parsing it back and comparing it with the data we meant to write, the old
bytes are backed up, and the new bytes are written atomically (symlinks followed, mode kept,
secrets 0600). A file that does not parse is never written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from configurator.store.documents import Document, read_document
from configurator.store.formats import detect_format, parse_text, same_data
from configurator.store.locate import Positions, locate

if TYPE_CHECKING:  # pragma: no cover - imported on first use below, so reading a file (lint) stays light
    from configurator.store.backup import Backup, delete_backup, list_backups
    from configurator.store.jsonedit import DELETE, Change, apply_changes, apply_to_data, render_document
    from configurator.store.tomledit import apply_toml_changes
    from configurator.store.transaction import Transaction, WriteAction, WriteResult, restore_backup

#: name -> the submodule that defines it, imported when the name is first used (PEP 562)
_LAZY = {
    "Backup": "backup", "list_backups": "backup", "delete_backup": "backup",
    "DELETE": "jsonedit", "Change": "jsonedit", "apply_changes": "jsonedit", "apply_to_data": "jsonedit",
    "render_document": "jsonedit",
    "Transaction": "transaction", "WriteAction": "transaction", "WriteResult": "transaction",
    "restore_backup": "transaction",
    "apply_toml_changes": "tomledit",
}

__all__ = [
    "DELETE",
    "Backup",
    "Change",
    "Document",
    "Positions",
    "Transaction",
    "WriteAction",
    "WriteResult",
    "apply_changes",
    "apply_toml_changes",
    "delete_backup",
    "apply_to_data",
    "detect_format",
    "list_backups",
    "locate",
    "parse_text",
    "read_document",
    "render_document",
    "restore_backup",
    "same_data",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
