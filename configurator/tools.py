"""Which agent tools are installed, and their versions (``TOOL --version`` with a short timeout)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

TOOLS = {"claude-code": "claude", "codex": "codex", "openclaw": "openclaw"}
_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")


@dataclass
class Installed:
    tool: str
    executable: str | None
    version: str | None
    error: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"tool": self.tool, "executable": self.executable, "version": self.version, "error": self.error}


def parse_version(text: str | None) -> tuple[int, int, int] | None:
    if not text:
        return None
    m = _VERSION.search(text)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def installed(tool: str, *, timeout: float = 5.0) -> Installed:
    exe = shutil.which(TOOLS[tool])
    if exe is None:
        return Installed(tool, None, None)
    try:
        proc = subprocess.run(
            [exe, "--version"], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        return Installed(tool, exe, None, f"`{TOOLS[tool]} --version` did not answer within {timeout:g}s")
    except OSError as e:
        return Installed(tool, exe, None, f"could not run {exe}: {e.strerror}")
    out = (proc.stdout or proc.stderr).strip()
    v = parse_version(out)
    return Installed(tool, exe, ".".join(map(str, v)) if v else (out.splitlines()[0] if out else None))
