"""Two (or more) real processes editing the same file: no torn file, no lost update."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from configurator import store
from configurator.errors import ConcurrentChange, ConfiguratorError

WORKER = r"""
import json, sys
from pathlib import Path
from configurator import store

path, role, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for i in range(n):
    with store.Transaction("worker " + role) as tx:
        doc = tx.open(path)
        if role == "count":
            change = [store.Change(("count",), doc.data.get("count", 0) + 1)]
            expected = store.apply_to_data(doc.data, change)
            text = store.apply_changes(doc.text, change, fmt="json")
        else:
            expected = json.loads(sys.argv[4])
            text = json.dumps(expected, indent=2) + "\n"
        tx.write(doc, text, expected=expected)
"""


def intent(name: str, size: int) -> dict[str, object]:
    return {"writer": name, "env": {f"K{i}": name * 10 for i in range(size)}, "model": f"model-{name}"}


def spawn(path: Path, role: str, n: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", WORKER, str(path), role, str(n), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(procs: list[subprocess.Popen[str]]) -> None:
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err


def test_two_writers_leave_one_whole_intent(tmp_path: Path) -> None:
    f = tmp_path / "settings.json"
    f.write_text("{}\n")
    a, b = intent("A", 5), intent("B", 400)  # very different sizes: a torn write would show
    procs = [spawn(f, "a", 30, json.dumps(a)), spawn(f, "b", 30, json.dumps(b))]
    while any(p.poll() is None for p in procs):  # readers never see a half-written file
        data = store.read_document(f).data
        assert data in ({}, a, b)
        time.sleep(0.002)
    finish(procs)
    assert store.read_document(f).data in (a, b)
    assert list(tmp_path.iterdir()) == [f]  # no temp files left behind


@pytest.mark.slow
def test_lock_prevents_lost_updates(tmp_path: Path) -> None:
    f = tmp_path / "counter.json"
    f.write_text('{\n  "count": 0\n}\n')
    n_procs, iterations = 4, 20
    procs = [spawn(f, "count", iterations) for _ in range(n_procs)]
    finish(procs)
    assert store.read_document(f).data == {"count": n_procs * iterations}
    # every write was backed up with the bytes it replaced
    counts = sorted(
        json.loads((b.folder / b.entries[0].stored).read_text())["count"] for b in store.list_backups()
    )
    assert counts == list(range(n_procs * iterations))


def test_change_on_disk_during_a_transaction_is_not_overwritten(tmp_path: Path) -> None:
    """Someone outside configurator (an editor) saves the file mid-run: we refuse, their bytes stay."""
    f = tmp_path / "settings.json"
    f.write_text('{"model": "a"}\n')
    with pytest.raises(ConcurrentChange) as info, store.Transaction("test") as tx:
        doc = tx.open(f)
        f.write_text('{"model": "editor"}\n')
        change = [store.Change(("model",), "ours")]
        tx.write(doc, store.apply_changes(doc.text, change, fmt="json"), expected=store.apply_to_data(doc.data, change))
    assert "changed on disk" in str(info.value) and "Run the command again" in str(info.value)
    assert f.read_text() == '{"model": "editor"}\n'


HOLDER = r"""
import sys, time
from pathlib import Path
from configurator import store
with store.Transaction("holder") as tx:
    tx.open(Path(sys.argv[1]))
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_run_that_holds_the_lock_too_long_gives_a_clear_error(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from configurator.store import atomic

    f = tmp_path / "settings.json"
    f.write_text('{"model": "a"}\n')
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(f), "20"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        monkeypatch.setattr(atomic, "LOCK_TIMEOUT", 0.3)
        t0 = time.monotonic()
        with pytest.raises(ConfiguratorError) as info, store.Transaction("test") as tx:
            tx.open(f)
        assert time.monotonic() - t0 < 3
        assert str(info.value).startswith(f"Another configurator run is changing {f}")
        assert f.read_text() == '{"model": "a"}\n'
    finally:
        holder.kill()
        holder.wait()
    with store.Transaction("test") as tx:  # the holder died: its lock went with it
        assert tx.open(f).data == {"model": "a"}
