"""A real Secret Service for the keychain tests: a private D-Bus session bus and GNOME Keyring's secrets daemon
(Debian's dbus and gnome-keyring, installed by `.ci/install-secret-service.sh`), with its login keyring created
and unlocked headless. Locally the tests that need it are skipped when the programs are missing; under CI=true
that is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PROGRAMS = ("dbus-daemon", "gnome-keyring-daemon")


def need_programs() -> None:
    missing = [p for p in PROGRAMS if shutil.which(p) is None]
    if not missing:
        return
    reason = f"{', '.join(missing)} not installed (run `bash .ci/install-secret-service.sh`)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI: " + reason)
    pytest.skip(reason)


def _wait(check, what: str, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError(f"the Secret Service did not start: {what}")


def _collection_ready(address: str) -> bool:
    """The default collection exists and is unlocked (asked in a child: jeepney reads the address from the env)."""
    import sys

    probe = ("import secretstorage as s; c = s.dbus_init(); col = s.get_default_collection(c); "
             "raise SystemExit(1 if col.is_locked() else 0)")
    proc = subprocess.run([sys.executable, "-c", probe], env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": address},
                          capture_output=True, timeout=20)
    return proc.returncode == 0


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the test process dies (killed, timed out), so no daemon outlives it."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass


@contextmanager
def secret_service(base: Path, password: str = "pw") -> Iterator[str]:
    """Start a bus and an unlocked GNOME Keyring under ``base``; yield the bus address; stop both."""
    need_programs()
    home = base / "daemon-home"
    run = base / "run"
    for d in (home, run):
        d.mkdir(parents=True, exist_ok=True)
        os.chmod(d, 0o700)
    socket = base / "bus"
    address = f"unix:path={socket}"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "XDG_RUNTIME_DIR": str(run),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
           "DBUS_SESSION_BUS_ADDRESS": address, "LANG": "C.UTF-8"}
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile", f"--address={address}"],
                           env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           start_new_session=True, preexec_fn=_die_with_parent)
    keyring: subprocess.Popen[bytes] | None = None
    try:
        _wait(lambda: socket.exists() or bus.poll() is not None, "dbus-daemon made no socket")
        if bus.poll() is not None:
            raise RuntimeError(f"dbus-daemon exited: {bus.stderr.read().decode() if bus.stderr else ''}")
        keyring = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"], env=env,
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            preexec_fn=_die_with_parent)
        assert keyring.stdin is not None
        keyring.stdin.write(password.encode())
        keyring.stdin.close()
        _wait(lambda: keyring.poll() is not None or _collection_ready(address),
              "gnome-keyring-daemon made no unlocked login keyring")
        if keyring.poll() is not None:
            raise RuntimeError(f"gnome-keyring-daemon exited with {keyring.returncode}")
        yield address
    finally:
        for proc in (keyring, bus):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
