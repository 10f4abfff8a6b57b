"""`configurator use` in a real pseudo-terminal (pexpect): the preview of each file, one question, the answer."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pexpect
from conftest import KNOWN_KEY, run_cli

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]")
KEY_B = "sk-other-provider-KEY-0987654321zyxwvuts"


def _setup(home: Path, name: str, url: str, key: str) -> None:
    proc = run_cli("setup", "--yes", "--api-key-stdin", "--provider", "custom", "--base-url", url, "--model",
                   f"model-{name}", "--tool", "claude-code", "--profile", name, input=key + "\n",
                   env={"HOME": str(home)})
    assert proc.returncode == 0, proc.stderr


def _use(home: Path, *args: str) -> tuple[pexpect.spawn, io.StringIO]:
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "TERM": "xterm-256color", "LANG": "C.UTF-8",
           "PROMPT_TOOLKIT_NO_CPR": "1", "AGENT_CONFIGURATOR_OFFLINE": "1"}
    log = io.StringIO()
    child = pexpect.spawn(sys.executable, ["-m", "configurator", "use", *args], env=env, dimensions=(50, 160),
                          encoding="utf-8", timeout=30, cwd=str(home))
    child.logfile_read = log
    return child, log


def test_use_in_a_terminal_previews_then_asks(home: Path) -> None:
    _setup(home, "a", "https://a.example.com/v1", KNOWN_KEY)
    _setup(home, "b", "https://b.example.com/v1", KEY_B)
    child, log = _use(home, "a")
    child.expect("Write these changes")
    child.send("d")  # the full diff on request, then the question again
    child.expect("Write these changes")
    child.send("y")
    child.expect(pexpect.EOF)
    child.close()
    screen = ANSI.sub("", log.getvalue())
    assert child.exitstatus == 0, screen
    assert f"Claude Code: {home / '.claude' / 'settings.json'} (will be updated)" in screen
    assert '"ANTHROPIC_BASE_URL": "https://a.example.com"' in screen  # from the diff shown on request
    assert "now use profile 'a'" in screen
    assert KNOWN_KEY not in screen and KEY_B not in screen
    env = json.loads((home / ".claude" / "settings.json").read_text())["env"]
    assert env["ANTHROPIC_BASE_URL"] == "https://a.example.com"


def test_use_in_a_terminal_cancel_writes_nothing(home: Path) -> None:
    _setup(home, "a", "https://a.example.com/v1", KNOWN_KEY)
    _setup(home, "b", "https://b.example.com/v1", KEY_B)
    before = (home / ".claude" / "settings.json").read_bytes()
    child, log = _use(home, "a")
    child.expect("Write these changes")
    child.send("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "nothing was written" in ANSI.sub("", log.getvalue())
    assert (home / ".claude" / "settings.json").read_bytes() == before
