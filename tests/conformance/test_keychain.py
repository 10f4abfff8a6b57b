"""The real Claude Code, Codex and OpenClaw read a keychain profile's key through `configurator key get`.

A real Secret Service (GNOME Keyring on a private D-Bus session, tests/secret_service.py) holds the key; each
tool's file holds only the helper reference (Claude Code `apiKeyHelper`, Codex `auth = { command, args }`,
OpenClaw's exec secrets provider). Each client, started with the bus address in its environment as on a desktop,
reaches the mock provider with the key, and afterwards no file under HOME (configs, backups, profiles.toml,
owned.json, the clients' own caches, logs and session stores) holds the key.

Clients come from `.ci/install-clients.sh`; locally these tests are skipped when a client or the Secret Service is
missing, with CI=true that is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from clients import REAL_PATH as _REAL_PATH
from clients import need as _need
from clients import node24_dir as _node24_dir
from clients import openclaw as _openclaw
from conftest import KNOWN_KEY, run_cli
from mock_provider import MARKER, MockProvider
from secret_service import secret_service

from configurator import switching
from configurator.profiles import SavedProfile

pytestmark = pytest.mark.conformance

PRO, FLASH = "deepseek-ai/deepseek-v4-pro", "deepseek-ai/deepseek-v4-flash"
NAME = "atlas-kc"


@pytest.fixture(scope="module")
def bus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with secret_service(tmp_path_factory.mktemp("secret-service")) as address:
        yield address


@pytest.fixture
def mock() -> Iterator[MockProvider]:
    with MockProvider(api_key=KNOWN_KEY, max_lifetime=240) as m:
        yield m


def _env(home: Path, bus: str) -> dict[str, str]:
    path = _REAL_PATH
    node = _node24_dir()
    if node:
        path = node + os.pathsep + path
    return {"HOME": str(home), "PATH": path, "LANG": "C.UTF-8", "TERM": "dumb", "NO_COLOR": "1",
            "DBUS_SESSION_BUS_ADDRESS": bus, "CLAUDE_CODE_MAX_RETRIES": "0"}


def _run(cmd: list[str], home: Path, bus: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=home, env=_env(home, bus), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)


def _keychain_profile(home: Path, mock: MockProvider, bus: str, monkeypatch: pytest.MonkeyPatch,
                      tool: str) -> None:
    """What `setup --key-storage keychain` leaves: the key in the keychain, the profile and the references."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus)
    proc = run_cli("key", "set", NAME, input=KNOWN_KEY + "\n", env={"HOME": str(home)})
    assert proc.returncode == 0, proc.stderr
    saved = SavedProfile(name=NAME, provider="custom", provider_name="Mock", anthropic_base_url=mock.url,
                         openai_base_url=mock.url + "/v1", model=PRO, fast_model=FLASH, key_storage="keychain",
                         tools=(tool,))
    switching.execute(saved.to_profile(), [tool], dry_run=False, save=saved)


def _assert_no_key_under(home: Path) -> None:
    found = [str(p.relative_to(home)) for p in home.rglob("*")
             if p.is_file() and not p.is_symlink() and KNOWN_KEY.encode() in p.read_bytes()]
    assert found == []
    assert list(home.rglob("*"))  # the clients wrote their own files too: they were looked at


def _posts(mock: MockProvider) -> list[dict]:  # type: ignore[type-arg]
    return [r for r in mock.requests if r["method"] == "POST"]


def test_claude_code_reads_the_key_through_api_key_helper(home: Path, mock: MockProvider, bus: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    claude = _need("CLAUDE_BIN")
    _keychain_profile(home, mock, bus, monkeypatch, "claude-code")
    settings = json.loads((home / ".claude" / "settings.json").read_text())
    assert settings["apiKeyHelper"].endswith(f"key get {NAME}") and "ANTHROPIC_AUTH_TOKEN" not in settings["env"]
    proc = _run([claude, "-p", "ping"], home, bus)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert MARKER in proc.stdout
    posts = _posts(mock)
    assert posts and all(r["path"].startswith("/v1/messages") for r in posts)
    assert all(r["auth"] == f"Bearer {KNOWN_KEY}" for r in posts)
    _assert_no_key_under(home)


def test_codex_reads_the_key_through_auth_command(home: Path, mock: MockProvider, bus: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    codex = _need("CODEX_BIN")
    _keychain_profile(home, mock, bus, monkeypatch, "codex")
    assert not (home / ".codex" / "auth.json").exists()
    proc = _run([codex, "exec", "--skip-git-repo-check", "ping"], home, bus)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    posts = _posts(mock)
    assert posts and all(r["path"] == "/v1/responses" for r in posts)
    assert all(r["auth"] == f"Bearer {KNOWN_KEY}" for r in posts)
    _assert_no_key_under(home)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed by openclaw agent")
def test_openclaw_reads_the_key_through_its_exec_secrets_provider(home: Path, mock: MockProvider, bus: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    openclaw = _openclaw()
    _keychain_profile(home, mock, bus, monkeypatch, "openclaw")
    proc = _run([*openclaw, "config", "validate", "--json"], home, bus)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = _run([*openclaw, "agent", "--local", "--message", "ping", "--json"], home, bus)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert MARKER in proc.stdout
    posts = _posts(mock)
    assert [r["path"] for r in posts] == ["/v1/chat/completions"]
    assert posts[0]["auth"] == f"Bearer {KNOWN_KEY}"
    _assert_no_key_under(home)
