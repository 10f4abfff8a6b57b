"""Shared fixtures: every test runs with an empty, private HOME and no provider env vars."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs every property test on the same examples (a red build is reproducible, never a roll of the dice);
# developers keep exploring new ones. Each test's own max_examples and deadline still apply.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
#: a realistic-looking key; tests assert it never appears in any output
KNOWN_KEY = "sk-atlas-TESTKEY-1234567890abcdefWXYZ"

_SCRUB = (
    "CLAUDE_CONFIG_DIR", "CODEX_HOME", "OPENCLAW_CONFIG_PATH", "OPENCLAW_STATE_DIR", "OPENCLAW_HOME",
    "XDG_STATE_HOME", "XDG_CONFIG_HOME", "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL",
    "OPENAI_API_KEY", "ATLAS_API_KEY", "NO_COLOR", "FORCE_COLOR",
    # no OS keychain unless a test asks for one (tests/keychain): the wizard offers it first when there is one
    "DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND",
)


@pytest.fixture(autouse=True)
def home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HOME for every test; provider variables removed."""
    h = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(h))
    for var in _SCRUB:
        monkeypatch.delenv(var, raising=False)
    # setup asks a provider for its model list; tests never reach out (discovery tests unset this)
    monkeypatch.setenv("AGENT_CONFIGURATOR_OFFLINE", "1")
    return h


def run_cli(*args: str, input: str | None = None, env: dict[str, str] | None = None,
            cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``python -m configurator`` in a subprocess, the way a user would."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "configurator", *args], input=input, capture_output=True, text=True,
        env=full_env, cwd=cwd, timeout=timeout,
    )


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """In-process run through the real entry point: ``cli("lint", "x")`` -> (exit_code, stdout, stderr)."""
    import io

    from configurator.cli import main

    def _run(*args: str, input: str | None = None) -> tuple[int, str, str]:
        if input is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(input))
        code: int = 0
        try:
            main(list(args))
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        out, err = capsys.readouterr()
        return code, out, err

    return _run
