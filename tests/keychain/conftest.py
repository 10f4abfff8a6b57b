"""Fixtures of the keychain tests: one real Secret Service for the session, each test on it with its own HOME."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from secret_service import secret_service


@pytest.fixture(scope="session")
def bus_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with secret_service(tmp_path_factory.mktemp("secret-service")) as address:
        yield address


@pytest.fixture
def os_keychain(bus_address: str, monkeypatch: pytest.MonkeyPatch, home: Path) -> str:
    """This test talks to the session's Secret Service (the address in its environment, as on a desktop)."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus_address)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.delenv("XDG_CURRENT_DESKTOP", raising=False)
    return bus_address


@pytest.fixture
def no_keychain(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No Secret Service: the bus address points at nothing (a headless machine, an SSH session)."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
