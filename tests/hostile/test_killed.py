"""kill -9 at a random moment of a write, 200 times: every file is the whole old or the whole new version, every
backup that is listed is whole (its checksums match), and the next run removes the temp files the killed one left.

The writer is a forked child (cheap: the parent's imports are shared) that loops over two-file transactions (one
file holds a key, one does not) and restores of the latest backup; the parent kills it after up to two write times.
"""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import time
from pathlib import Path

import pytest

from configurator import store
from configurator.store import atomic
from configurator.store.backup import BackupWriter

ITERATIONS = 200
PAD = 20_000  # big enough that a torn write would show


def version(v: int, name: str) -> dict[str, object]:
    return {"v": v, "name": name, "pad": f"{name}{v}-" * (PAD // 8), "end": v}


def whole(path: Path) -> int:
    """The version ``path`` holds; fails unless it is exactly one whole version."""
    data = json.loads(path.read_text())
    assert data == version(data["v"], path.stem), f"{path} is not one whole version"
    return int(data["v"])


def writer(a: Path, b: Path) -> None:
    """The child: change both files together, over and over; now and then put the latest backup back."""
    n = 0
    while True:
        n += 1
        if n % 4 == 0:
            backups = store.list_backups()
            if backups:
                store.restore_backup(backups[-1].id)
                continue
        with store.Transaction("kill-loop") as tx:
            doc_a = tx.open(a)
            v = int(doc_a.data.get("v", 0)) + 1
            tx.write(doc_a, json.dumps(version(v, "a")), expected=version(v, "a"), secret=True)
            doc_b = tx.open(b)
            tx.write(doc_b, json.dumps(version(v, "b"), indent=1), expected=version(v, "b"))


def check_backups() -> int:
    backups = store.list_backups()
    for b in backups:
        for e in b.entries:
            data = b.stored_bytes(e)  # raises when a stored file does not match its checksum
            if data is not None:
                json.loads(data)
    return len(backups)


def test_kill_9_at_random_moments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic, "STALE_SECONDS", 0.0)  # "older than a minute", without waiting a minute
    folder = tmp_path / "conf"
    folder.mkdir()
    a, b = folder / "a.json", folder / "b.json"
    rng = random.Random(17)
    for v0 in range(2):  # the parent imports everything a write needs (children fork warm); the second is timed
        t0 = time.monotonic()
        with store.Transaction("first") as tx:
            for f in (a, b):
                tx.write(tx.open(f), json.dumps(version(v0, f.stem)), expected=version(v0, f.stem), secret=f == a)
        one_write = time.monotonic() - t0
    started = time.monotonic()
    kills_with_temp_files = 0
    for i in range(ITERATIONS):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            code = 0
            try:
                writer(a, b)
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                os._exit(code)
        time.sleep(rng.uniform(0, 2 * one_write))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status), f"the writer stopped on its own (status {status}) at iteration {i}"
        for f in (a, b):
            if f.exists():
                whole(f)
        if a.exists():
            assert stat.S_IMODE(os.stat(a).st_mode) == 0o600  # the key file is never readable by others
        kills_with_temp_files += bool(atomic.stale_temp_files([folder], older_than=-1))
        if i % 50 == 49:
            check_backups()
        assert time.monotonic() - started < 60
    assert check_backups() > 0
    assert kills_with_temp_files > ITERATIONS // 10  # many kills did land between staging and renaming
    # the next run removes what the killed ones left: temp files, and backup folders never completed
    time.sleep(0.01)
    with store.Transaction("next run") as tx:
        doc = tx.open(a)
        v = int(doc.data.get("v", 0)) + 1
        tx.write(doc, json.dumps(version(v, "a")), expected=version(v, "a"), secret=True)
    assert atomic.stale_temp_files([folder], older_than=-1) == []
    root = BackupWriter("x").root
    assert all((d / "manifest.json").exists() for d in root.iterdir()), "an incomplete backup folder was left"
    assert whole(a) == v
