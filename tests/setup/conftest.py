"""Setup tests: a PATH without the real agent tools, and no key in any captured output."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).resolve().parent))  # after tests/, so `conftest` stays the shared one

from setup_helpers import assert_clean  # noqa: E402


@pytest.fixture(autouse=True)
def bare_path(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH holds one empty folder (tests drop fake tools there): no real claude/codex/openclaw is found."""
    bindir = tmp_path_factory.mktemp("bin")
    monkeypatch.setenv("PATH", str(bindir))
    return bindir


@pytest.fixture(autouse=True)
def fresh_secret_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no registered secrets, so a key one test registered cannot hide a leak in the next."""
    from configurator import secrets

    monkeypatch.setattr(secrets, "_KNOWN", set())


@pytest.fixture(autouse=True)
def no_key_in_output(capsys: pytest.CaptureFixture[str]):
    """After each test: whatever is still in the captured stdout/stderr holds neither our key nor a fixture secret."""
    yield
    out, err = capsys.readouterr()
    assert_clean(out, err)


@pytest.fixture
def cli(cli):
    """The shared in-process runner, with every call's output checked for the key."""

    def _run(*args: str, input: str | None = None) -> tuple[int, str, str]:
        code, out, err = cli(*args, input=input)
        assert_clean(out, err)
        return code, out, err

    return _run
