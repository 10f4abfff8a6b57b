"""Atomic writes: a crash at any step leaves the old file; symlinks stay links; modes are kept; secrets 0600."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from configurator import store
from configurator.errors import ConfiguratorError
from configurator.store import Transaction, atomic

STEPS = ["temp-written", "before-fsync", "after-fsync", "before-replace"]
OLD = b'{\n  "model": "old",\n  "env": {"A": "1"}\n}\n'


class Crash(Exception):
    pass


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".configurator-tmp"))


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def edit(path: Path, key: str, value: object, *, secret: bool = False) -> store.WriteResult:
    with Transaction("test") as tx:
        doc = tx.open(path)
        change = [store.Change((key,), value)]
        return tx.write(doc, store.apply_changes(doc.text, change, fmt=doc.fmt),
                        expected=store.apply_to_data(doc.data, change), secret=secret)


@pytest.mark.parametrize("step", STEPS)
def test_crash_at_each_step_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    f = tmp_path / "settings.json"
    f.write_bytes(OLD)
    os.chmod(f, 0o640)
    seen: list[str] = []

    def hook(s: str) -> None:
        seen.append(s)
        if s == step:
            raise Crash(s)

    monkeypatch.setattr(atomic, "FAULT_HOOK", hook)
    with pytest.raises(Crash):
        edit(f, "model", "new")
    assert step in seen
    assert f.read_bytes() == OLD
    assert mode(f) == 0o640
    assert leftovers(tmp_path) == []
    monkeypatch.setattr(atomic, "FAULT_HOOK", None)
    assert edit(f, "model", "new").action == "updated"  # the lock was released: the next run works
    assert json.loads(f.read_text())["model"] == "new"


@pytest.mark.parametrize("step", STEPS)
def test_crash_while_creating_a_file_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    f = tmp_path / "new.json"

    def hook(s: str) -> None:
        if s == step:
            raise Crash(s)

    monkeypatch.setattr(atomic, "FAULT_HOOK", hook)
    with pytest.raises(Crash):
        edit(f, "model", "new")
    assert not f.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("error", "raised"),
    [(OSError(28, "No space left on device"), ConfiguratorError), (KeyboardInterrupt(), KeyboardInterrupt)],
)
def test_replace_failing_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException, raised: type[BaseException]
) -> None:
    f = tmp_path / "config.toml"
    old = b'# mine\nmodel = "old"\n\n[profiles.x]\nmodel = "y"\n'
    f.write_bytes(old)
    real_replace = os.replace

    def failing_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst) == f.resolve():
            raise error
        real_replace(src, dst)  # backups use os.replace for their manifest: let those through

    monkeypatch.setattr(os, "replace", failing_replace)
    import tomlkit

    with pytest.raises(raised) as info, Transaction("test") as tx:
        doc = tx.open(f)
        t = tomlkit.parse(doc.text)
        t["model"] = "new"
        data = dict(doc.data, model="new")
        tx.write(doc, tomlkit.dumps(t), expected=data)
    if raised is ConfiguratorError:  # a disk problem is one clear sentence, not an internal error
        assert str(info.value).startswith(f"Could not write {f}: No space left on device.")
    assert f.read_bytes() == old
    assert leftovers(tmp_path) == []


def test_symlinked_target_stays_a_symlink(tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "settings.json"
    real.write_bytes(OLD)
    os.chmod(real, 0o640)
    link_dir = tmp_path / ".claude"
    link_dir.mkdir()
    link = link_dir / "settings.json"
    link.symlink_to(Path("..") / "dotfiles" / "settings.json")  # relative, as dotfile managers make them
    res = edit(link, "model", "new")
    assert res.action == "updated"
    assert link.is_symlink() and os.readlink(link) == str(Path("..") / "dotfiles" / "settings.json")
    assert json.loads(real.read_text())["model"] == "new"
    assert mode(real) == 0o640
    assert leftovers(link_dir) == [] and leftovers(dotfiles) == []
    # and the backup holds the old bytes of the file the link points to
    backups = store.list_backups()
    assert (backups[-1].folder / backups[-1].entries[0].stored).read_bytes() == OLD


def test_symlink_chain_and_dangling_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_bytes(OLD)
    mid = tmp_path / "mid.json"
    mid.symlink_to(real)
    top = tmp_path / "top.json"
    top.symlink_to(mid)
    edit(top, "model", "chain")
    assert top.is_symlink() and mid.is_symlink()
    assert json.loads(real.read_text())["model"] == "chain"
    # a link whose target does not exist yet: the target is created, the link stays
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "store" / "made.json")
    assert edit(dangling, "model", "fresh").action == "created"
    assert dangling.is_symlink()
    assert json.loads((tmp_path / "store" / "made.json").read_text()) == {"model": "fresh"}


@pytest.mark.parametrize("start_mode", [0o640, 0o600, 0o644, 0o664, 0o755])
def test_existing_mode_is_kept(tmp_path: Path, start_mode: int) -> None:
    f = tmp_path / "settings.json"
    f.write_bytes(OLD)
    os.chmod(f, start_mode)
    edit(f, "model", "new")
    assert mode(f) == start_mode


def test_secret_files_end_0600(tmp_path: Path) -> None:
    new = tmp_path / "auth.json"
    edit(new, "OPENAI_API_KEY", "sk-secret-1234567890", secret=True)
    assert mode(new) == 0o600
    existing = tmp_path / "settings.json"
    existing.write_bytes(OLD)
    os.chmod(existing, 0o644)
    edit(existing, "model", "new", secret=True)
    assert mode(existing) == 0o600
    # a secret file that does not need a change is still tightened, and the user is told
    loose = tmp_path / "loose.json"
    loose.write_bytes(OLD)
    os.chmod(loose, 0o644)
    with Transaction("test") as tx:
        doc = tx.open(loose)
        res = tx.write(doc, doc.text, expected=doc.data, secret=True)
    assert res.action == "unchanged" and mode(loose) == 0o600
    assert any("600" in n for n in res.notes)


def test_new_file_follows_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        f = tmp_path / "new.json"
        edit(f, "a", 1)
        assert mode(f) == 0o640
    finally:
        os.umask(old)


def test_dry_run_writes_nothing_and_shows_a_masked_diff(tmp_path: Path) -> None:
    from configurator import secrets

    f = tmp_path / "settings.json"
    f.write_bytes(OLD)
    key = "sk-live-0123456789abcdefWXYZ"
    secrets.register(key)
    with Transaction("test", dry_run=True) as tx:
        doc = tx.open(f)
        change = [store.Change(("env", "KEY"), key)]
        res = tx.write(doc, store.apply_changes(doc.text, change, fmt="json"), expected=store.apply_to_data(doc.data, change))
    assert res.action == "updated" and res.backup is None
    assert f.read_bytes() == OLD
    assert key not in res.diff and "sk-…WXYZ" in res.diff
    assert store.list_backups() == []


def test_disk_errors_through_the_cli_are_one_line(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "settings.json"
    f.write_bytes(OLD)
    res = edit(f, "model", "new")

    def full_disk(step: str) -> None:
        if step == "temp-written":
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "FAULT_HOOK", full_disk)
    code, out, err = cli("restore", res.backup)
    assert code == 2 and out == ""
    assert err.startswith(f"error: Could not write {f}: No space left on device.")
    assert len(err.strip().splitlines()) == 1
    assert json.loads(f.read_text())["model"] == "new" and leftovers(tmp_path) == []
