"""The one renderer: human text by default, a versioned JSON envelope with ``--json``.

Commands build a :class:`Result` and hand it here; nothing else prints results.
"""

from __future__ import annotations

import json
import os
import re
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


def shown_input(value: str, limit: int = 60) -> str:
    """A value the user gave, quoted for a message: escaped (control characters, undecodable bytes) and cut
    short when long, so that a hostile argument still gives one readable line."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[: limit - 20]!r}… ({len(value)} characters)"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
_LONG_WORD = re.compile(r"\S{201,}")


def printable(text: str, stream: TextIO | None = None, *, controls: bool = False) -> str:
    """``text`` as the stream can encode it: undecodable bytes (a surrogate from a non-UTF-8 argument or file
    name) escaped instead of a UnicodeEncodeError. ``controls=True`` also escapes terminal control characters
    (an escape sequence in a value the user gave would drive the terminal)."""
    if controls:
        text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        return text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def one_line(message: str) -> str:
    """A message as one line: line breaks become spaces (they can only come from a value the user gave),
    words over 200 characters are cut in the middle."""
    message = re.sub(r"\s*[\r\n]+\s*", " ", message)
    return _LONG_WORD.sub(lambda m: f"{m.group()[:80]}…({len(m.group())} characters)…{m.group()[-20:]}", message)


def emit(result: Result, *, as_json: bool = False, stream: TextIO | None = None) -> int:
    """Print ``result`` and return its exit code. Known secrets and credential-shaped values are masked on the
    way out."""
    out = stream or sys.stdout
    text = to_json(result.envelope()) if as_json else result.human()
    if text:
        out.write(printable(redact(text), out) + "\n")
        out.flush()
    return result.exit_code


def error_text(message: str, stream: TextIO | None = None) -> str:
    """What an error says, as printed: one line, secrets masked, control characters escaped."""
    return printable(redact(one_line(message)), stream, controls=True)


def error_line(message: str) -> None:
    """``error: <message>`` on stderr: one line, secrets masked."""
    sys.stderr.write(f"error: {error_text(message, sys.stderr)}\n")
    sys.stderr.flush()


def error_envelope(command: str, message: str, exit_code: int, *, stream: TextIO | None = None) -> None:
    """The ``--json`` form of an error, on stdout: ``{"version": 1, "command": ..., "error": {"message": ...,
    "exit_code": ...}}``, the message as the ``error:`` line on stderr says it."""
    out = stream or sys.stdout
    env = {"version": ENVELOPE_VERSION, "command": command,
           "error": {"message": error_text(message, out), "exit_code": exit_code}}
    out.write(printable(redact(to_json(env)), out) + "\n")
    out.flush()
