"""The one renderer: human text by default, a versioned JSON envelope with ``--json``.

Commands build a :class:`Result` and hand it here; nothing else prints results.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from configurator import exitcodes
from configurator.secrets import redact

ENVELOPE_VERSION = 1


@dataclass
class Result:
    """What a command did. ``data`` goes into the JSON envelope; ``text`` is for people."""

    command: str
    data: dict[str, Any] = field(default_factory=dict)
    text: str | Callable[[], str] = ""
    notes: list[str] = field(default_factory=list)
    exit_code: int = exitcodes.OK

    def envelope(self) -> dict[str, Any]:
        env: dict[str, Any] = {"version": ENVELOPE_VERSION, "command": self.command}
        env.update(self.data)
        env.setdefault("notes", list(self.notes))
        env["exit_code"] = self.exit_code
        return env

    def human(self) -> str:
        body = self.text() if callable(self.text) else self.text
        lines = [body.rstrip("\n")] if body else []
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def use_color(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def style(text: str, color: str, *, enabled: bool) -> str:
    codes = {"red": "31", "yellow": "33", "green": "32", "cyan": "36", "bold": "1", "dim": "2"}
    if not enabled or color not in codes:
        return text
    return f"\x1b[{codes[color]}m{text}\x1b[0m"


def to_json(obj: Any) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, default=str)


def emit(result: Result, *, as_json: bool = False, stream: TextIO | None = None) -> int:
    """Print ``result`` and return its exit code. Known secrets are masked on the way out."""
    out = stream or sys.stdout
    text = to_json(result.envelope()) if as_json else result.human()
    if text:
        out.write(redact(text) + "\n")
        out.flush()
    return result.exit_code


def error_line(message: str) -> None:
    sys.stderr.write(redact(f"error: {message}") + "\n")
    sys.stderr.flush()
