"""Reading a user file: :class:`Document` and :func:`read_document` (what a lint needs, nothing more)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from configurator.errors import ConfiguratorError, ParseError
from configurator.store.formats import detect_format, parse_text


@dataclass
class Document:
    path: Path
    fmt: str
    raw: bytes | None
    text: str
    data: Any

    @property
    def exists(self) -> bool:
        return self.raw is not None

    @property
    def mode(self) -> int | None:
        try:
            return stat.S_IMODE(os.stat(self.path).st_mode)
        except OSError:
            return None



def _decode(raw: bytes, path: Path, fmt: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        before = raw[: e.start]
        line = before.count(b"\n") + 1
        col = e.start - (before.rfind(b"\n") + 1) + 1
        raise ParseError(str(path), fmt, line, col, "the file is not valid UTF-8") from None


def read_document(path: Path, fmt: str | None = None) -> Document:
    """Read and parse ``path``. A missing file is an empty document; a bad one raises ParseError."""
    fmt = fmt or detect_format(path)
    try:
        raw: bytes | None = Path(path).read_bytes()
    except FileNotFoundError:
        raw = None
    except IsADirectoryError:
        raise ConfiguratorError(f"{path} is a folder, not a file; pass the config file itself.") from None
    except PermissionError:
        raise ConfiguratorError(f"{path} cannot be read (permission denied); check its owner and mode.") from None
    if raw is None:
        return Document(Path(path), fmt, None, "", {})
    text = _decode(raw, Path(path), fmt)
    data = parse_text(text, fmt, path)
    if fmt in ("json", "json5") and not isinstance(data, dict):
        raise ParseError(str(path), fmt, 1, 1, "the top level must be an object ({ ... })")
    return Document(Path(path), fmt, raw, text, data)
