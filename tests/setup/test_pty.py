"""The wizard in a real pseudo-terminal (pexpect): what a user at a terminal sees and types."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pexpect
import pytest
from setup_helpers import (
    CODEX_AUTH,
    CODEX_CONFIG,
    KNOWN_KEY,
    MASKED,
    OPENCLAW,
    SETTINGS,
    assert_clean,
    assert_nothing_written,
    fake_tool,
    parse_json5,
    parse_toml,
    seed,
    snapshot,
)

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]")


def spawn(home: Path, bindir: Path, log: io.StringIO) -> pexpect.spawn:
    env = {
        "HOME": str(home),
        "PATH": str(bindir),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        # pexpect is not a terminal emulator: it never answers prompt_toolkit's cursor-position request,
        # which would cost a one-second timeout per question
        "PROMPT_TOOLKIT_NO_CPR": "1",
    }
    child = pexpect.spawn(sys.executable, ["-m", "configurator", "setup"], env=env, dimensions=(50, 140),
                          encoding="utf-8", timeout=30, cwd=str(home))
    child.logfile_read = log
    return child


def finish(child: pexpect.spawn, log: io.StringIO) -> str:
    child.expect(pexpect.EOF)
    child.close()
    raw = log.getvalue()
    screen = ANSI.sub("", raw)
    assert_clean(raw, screen)
    assert "TESTKEY" not in screen, "part of the key was echoed"
    return screen


def test_full_wizard_in_a_terminal(home: Path, bare_path: Path) -> None:
    seed(home, ["claude_settings.json"])  # so the conflicting-key question comes too
    fake_tool(bare_path, "claude", "2.1.332 (Claude Code)")  # installed: the only one preselected
    log = io.StringIO()
    child = spawn(home, bare_path, log)
    answers = [
        ("Which tools should use the provider?", "\x1b[B \x1b[B \r"),  # Claude Code preselected; add the others
        ("Provider:", "\r"),
        ("Where should the API key live?", "\r"),
        ("API key (input hidden):", KNOWN_KEY + "\r"),
        ("Main model:", "\r"),
        ("Fast model (background tasks):", "\r"),
        ("Remove it?", "\r"),
        ("Mark Claude Code onboarding as done", "y"),
        ("Write these changes?", "d"),  # the full diff on request, then the same question again
        ("Write these changes?", "\r"),
    ]
    for question, keys in answers:
        child.expect_exact(question)
        child.send(keys)
    screen = finish(child, log)
    assert child.exitstatus == 0, screen[-2000:]

    assert "*" * 8 in screen  # the password prompt showed stars
    assert "Codex  (not installed)" in screen
    assert f"Claude Code: {home / SETTINGS} (will be updated)" in screen  # the summary per file
    assert "- 1 key removed: env.ANTHROPIC_API_KEY" in screen
    assert f'"ANTHROPIC_AUTH_TOKEN": "{MASKED}"' in screen  # the diff, on request, masked
    assert "Next steps:" in screen and "configurator restore" in screen
    assert "Removed ANTHROPIC_API_KEY" in screen

    env = json.loads((home / SETTINGS).read_text())["env"]
    assert env["ANTHROPIC_AUTH_TOKEN"] == KNOWN_KEY and "ANTHROPIC_API_KEY" not in env
    assert json.loads((home / ".claude.json").read_text()) == {"hasCompletedOnboarding": True}
    assert json.loads((home / CODEX_AUTH).read_text()) == {"OPENAI_API_KEY": KNOWN_KEY}
    assert parse_toml((home / CODEX_CONFIG).read_text())["model_provider"] == "atlascloud"
    assert parse_json5((home / OPENCLAW).read_text())["models"]["providers"]["atlascloud"]["apiKey"] == KNOWN_KEY


@pytest.mark.parametrize("after", ["Provider:", "Main model:"])
def test_ctrl_c_in_a_terminal_writes_nothing(home: Path, bare_path: Path, after: str) -> None:
    seed(home)
    for exe in ("claude", "codex", "openclaw", "opencode"):  # installed: all preselected
        fake_tool(bare_path, exe, "1.0.0")
    before = snapshot(home)
    log = io.StringIO()
    child = spawn(home, bare_path, log)
    for question, keys in [("Which tools", "\r"), ("Provider:", "\r"), ("Where should", "\r"),
                           ("API key (input hidden):", KNOWN_KEY + "\r"), ("Main model:", "")]:
        child.expect_exact(question)
        if question == after:
            break
        child.send(keys)
    child.sendcontrol("c")
    screen = finish(child, log)
    assert child.exitstatus == 130  # as a shell reports SIGINT
    assert screen.rstrip().splitlines()[-1].strip() == "Cancelled; nothing was written."  # a line of its own
    assert "error:" not in screen and "Traceback" not in screen
    assert_nothing_written(home, before)
