"""Which agent tools are installed, and their versions (``TOOL --version`` with a short timeout)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from configurator.versions import format_version, parse_version

if TYPE_CHECKING:  # pragma: no cover
    from configurator.agents.base import Agent

#: seconds ``TOOL --version`` may take before we give up on it
VERSION_TIMEOUT = 5.0


@dataclass(frozen=True)
class Installed:
    tool: str
    executable: str | None
    version: str | None
    error: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"tool": self.tool, "executable": self.executable, "version": self.version, "error": self.error}


def installed(agent: Agent, *, timeout: float | None = None) -> Installed:
    """Where the agent's executable is and its version (None when it is not on PATH)."""
    timeout = VERSION_TIMEOUT if timeout is None else timeout
    exe = shutil.which(agent.executable)
    if exe is None:
        return Installed(agent.id, None, None)
    try:
        out = _run_version(exe, timeout)
    except subprocess.TimeoutExpired:
        return Installed(agent.id, exe, None, f"`{agent.executable} --version` did not answer within {timeout:g}s")
    except OSError as e:
        return Installed(agent.id, exe, None, f"could not run {exe}: {e.strerror}")
    v = parse_version(out)
    return Installed(agent.id, exe, format_version(v) if v else (out.splitlines()[0] if out else None))


def _run_version(exe: str, timeout: float) -> str:
    """``exe --version`` in its own process group, so a wrapper script that hangs is killed with its children."""
    with subprocess.Popen(
        [exe, "--version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        errors="replace", start_new_session=True,
    ) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (OSError, AttributeError):  # AttributeError: no process groups (Windows)
                proc.kill()
            proc.wait()
            raise
    return (stdout or stderr or "").strip()


def self_command() -> list[str]:
    """How an agent runs this configurator from a config file (a key helper): the absolute path of the
    ``configurator`` script running now (not resolved through links: a pipx link stays valid across upgrades),
    else ``python -m configurator`` with this interpreter."""
    argv0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(argv0) == "configurator" and os.path.isfile(argv0):
        return [os.path.abspath(argv0)]
    if os.path.basename(argv0) != "__main__.py":
        found = shutil.which("configurator")
        if found:
            return [os.path.abspath(found)]
    return [os.path.abspath(sys.executable), "-m", "configurator"]


def key_command(profile_name: str) -> list[str]:
    """The command that prints the key of a saved profile (``configurator key get NAME``)."""
    return [*self_command(), "key", "get", profile_name]


def statusline_command(packs: bool = False) -> str:
    """The absolute command for Claude Code's ``statusLine.command`` (it runs through a shell): the launcher of
    :func:`self_command` (a pipx or ``uv tool`` link is kept as the link, so it survives a reinstall of the venv
    behind it), ``statusline``, and ``--packs`` when the user holds credit packs."""
    import shlex

    argv = [*self_command(), "statusline"]
    if packs:
        argv.append("--packs")
    return " ".join(shlex.quote(a) for a in argv)
