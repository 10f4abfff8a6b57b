"""Helpers shared by the setup tests (imported as ``setup_helpers``; tests/setup is put on sys.path by its conftest)."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from conftest import KNOWN_KEY, run_cli

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
GOLDEN = HERE / "golden"
#: what the key looks like in every output: configurator.secrets.mask(KNOWN_KEY)
MASKED = f"{KNOWN_KEY[:3]}…{KNOWN_KEY[-4:]}"
KEY_PLACEHOLDER = "@@API_KEY@@"

#: home-relative paths of the files setup writes
SETTINGS = ".claude/settings.json"
CLAUDE_STATE = ".claude.json"
CODEX_CONFIG = ".codex/config.toml"
CODEX_AUTH = ".codex/auth.json"
OPENCLAW = ".openclaw/openclaw.json"
OPENCODE = ".config/opencode/opencode.json"
STATE = ".local/state/agent-configurator"

#: fixture file -> where it goes in the home
SEED = {
    "claude_settings.json": SETTINGS,
    "claude_state.json": CLAUDE_STATE,
    "codex_config.toml": CODEX_CONFIG,
    "codex_auth.json": CODEX_AUTH,
    "openclaw.json": OPENCLAW,
    "opencode.json": OPENCODE,
}
#: secrets that sit in the fixtures (not ours): they must not be printed either
FIXTURE_SECRETS = (
    "sk-ant-api03-conflicting-old-key-0000",
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.c2lnbmF0dXJl",
    "eyJhbGciOiJSUzI1NiJ9.eyJzY29wZSI6Im9wZW5haSJ9.c2lnbmF0dXJl",
    "rt_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0F",
    "lmstudio-local-secret-4242",
    "sk-or-v1-openrouter-user-key-5555",
)


def default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def seed(home: Path, names: Iterable[str] = tuple(SEED)) -> dict[str, bytes]:
    """Copy fixtures into ``home``; returns home-relative path -> original bytes."""
    out = {}
    for name in names:
        dest = home / SEED[name]
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / name, dest)
        os.chmod(dest, 0o600 if name == "codex_auth.json" else 0o644)
        out[SEED[name]] = dest.read_bytes()
    return out


def snapshot(home: Path) -> dict[str, tuple[str, int]]:
    """home-relative path -> (sha256, mode) of every file under ``home``."""
    snap = {}
    for root, _dirs, files in os.walk(home):
        for name in files:
            p = Path(root) / name
            snap[str(p.relative_to(home))] = (hashlib.sha256(p.read_bytes()).hexdigest(), mode_of(p))
    return snap


def assert_nothing_written(home: Path, before: dict[str, tuple[str, int]]) -> None:
    """No file changed or vanished, no backup was made; the only new files allowed are the store's lock files."""
    after = snapshot(home)
    changed = [p for p in before if after.get(p) != before[p]]
    assert not changed, f"changed or removed: {changed}"
    new = [p for p in after if p not in before and not p.startswith(f"{STATE}/locks/")]
    assert not new, f"new files: {new}"
    assert not (home / STATE / "backups").exists() or not any((home / STATE / "backups").iterdir())


def assert_clean(*texts: str | None) -> None:
    """Neither our key nor a secret from the fixtures appears in any output."""
    for text in texts:
        if not text:
            continue
        assert KNOWN_KEY not in text, "the API key leaked into the output"
        for s in FIXTURE_SECRETS:
            assert s not in text, f"a secret from the user's files leaked into the output: {s[:8]}…"


def run(*args: str, input: str | None = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m configurator`` in a subprocess (stdin a pipe, so never a terminal); output checked for secrets."""
    proc = run_cli(*args, input=input, env=env)
    assert_clean(proc.stdout, proc.stderr)
    return proc


def changed_chunks(old: str, new: str) -> list[tuple[list[str], list[str]]]:
    """The (old lines, new lines) of every non-equal difflib opcode. A comma added after what used to be the last
    member (so that ours can follow) does not count as a change."""
    a = [ln.rstrip().rstrip(",") for ln in old.split("\n")]
    b = [ln.rstrip().rstrip(",") for ln in new.split("\n")]
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [(a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal"]


_PUNCT = re.compile(r"^\s*[\[\]{},]*\s*$")


def assert_only_lines_with(old: str, new: str, tokens: Iterable[str]) -> None:
    """Every line that differs (either side) mentions one of ``tokens`` or is bare punctuation/blank."""
    tokens = tuple(tokens)
    for old_lines, new_lines in changed_chunks(old, new):
        for line in old_lines + new_lines:
            assert _PUNCT.match(line) or any(t in line for t in tokens), f"unexpected change: {line!r}"


def json_out(proc_or_text: subprocess.CompletedProcess[str] | str) -> dict:
    text = proc_or_text if isinstance(proc_or_text, str) else proc_or_text.stdout
    return json.loads(text)


def fake_tool(bindir: Path, name: str, version_line: str) -> Path:
    """An executable ``name`` on PATH that prints ``version_line`` for --version."""
    bindir.mkdir(parents=True, exist_ok=True)
    exe = bindir / name
    exe.write_text(f"#!/bin/sh\necho '{version_line}'\n", encoding="utf-8")
    exe.chmod(0o755)
    return exe


def parse_toml(text: str) -> dict:
    import tomllib

    return tomllib.loads(text)


def parse_json5(text: str) -> dict:
    import json5

    return json5.loads(text)


__all__ = ["KNOWN_KEY", "sys"]
