"""The one version parser: ``0.94``, ``0.94.1``, ``codex-cli 0.95.0`` -> a comparable tuple."""

from __future__ import annotations

import re

Version = tuple[int, int, int]

#: at most 9 digits a part: a longer number is not a version (and int() refuses over 4,300 digits)
_VERSION = re.compile(r"(?<!\d)(\d{1,9})\.(\d{1,9})(?:\.(\d{1,9}))?(?!\d)")


def parse_version(text: str | None) -> Version | None:
    """The first ``X.Y[.Z]`` in ``text`` (a missing patch is 0), or None when there is none."""
    if not text:
        return None
    m = _VERSION.search(text)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def format_version(v: Version) -> str:
    return ".".join(map(str, v))
