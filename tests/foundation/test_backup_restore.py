"""Every change is backed up first; `configurator restore` lists backups and puts them back."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from configurator import paths, store


def set_model(path: Path, value: str, command: str = "setup") -> store.WriteResult:
    with store.Transaction(command) as tx:
        doc = tx.open(path)
        change = [store.Change(("model",), value)]
        return tx.write(doc, store.apply_changes(doc.text, change, fmt=doc.fmt),
                        expected=store.apply_to_data(doc.data, change))


def listing(cli) -> list[dict]:
    code, out, err = cli("restore", "--list", "--json")
    assert code == 0, err
    env = json.loads(out)
    assert env["version"] == 1 and env["command"] == "restore"
    return env["backups"]


def test_write_backs_up_the_old_bytes_and_restore_puts_them_back(cli, tmp_path: Path, home: Path) -> None:
    f = tmp_path / "settings.json"
    old = b'{\n  "model": "old"\n}\n'
    f.write_bytes(old)
    os.chmod(f, 0o640)
    res = set_model(f, "new")
    assert res.action == "updated" and res.backup
    new = f.read_bytes()

    backups = listing(cli)
    assert [b["id"] for b in backups] == [res.backup]
    assert backups[0]["files"] == [str(f)] and backups[0]["command"] == "setup"
    folder = Path(backups[0]["folder"])
    assert folder.parent == home / ".local" / "state" / "agent-configurator" / "backups"
    stored = [p for p in folder.iterdir() if p.name != "manifest.json"]
    assert [p.read_bytes() for p in stored] == [old]
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700 and stat.S_IMODE(os.stat(stored[0]).st_mode) == 0o600

    os.chmod(f, 0o600)
    code, out, err = cli("restore", res.backup, "--json")
    assert code == 0, err
    env = json.loads(out)
    assert env["restored"] == res.backup and env["files"] == [{"path": str(f), "action": "updated", "backup": env["backup"]}]
    assert f.read_bytes() == old
    assert stat.S_IMODE(os.stat(f).st_mode) == 0o640  # the mode it had when it was backed up
    # the restore itself was backed up: restoring that backup undoes the restore
    ids = [b["id"] for b in listing(cli)]
    assert ids == [res.backup, env["backup"]]
    code, out, _ = cli("restore", env["backup"])
    assert code == 0 and f.read_bytes() == new
    assert f"Put back backup {env['backup']}" in out


def test_restoring_a_backup_of_a_file_that_did_not_exist_removes_it(cli, tmp_path: Path) -> None:
    f = tmp_path / "new" / "config.json"
    res = set_model(f, "created")
    assert res.action == "created"
    code, out, _ = cli("restore", "--list")
    assert code == 0 and "did not exist: restore removes it" in out
    code, out, _ = cli("restore", res.backup, "--json")
    assert code == 0
    assert json.loads(out)["files"][0]["action"] == "deleted"
    assert not f.exists()
    # ... and that removal is itself backed up, so it can be undone
    last = listing(cli)[-1]["id"]
    assert cli("restore", last)[0] == 0
    assert json.loads(f.read_text()) == {"model": "created"}


def test_dry_run_changes_nothing(cli, tmp_path: Path) -> None:
    f = tmp_path / "settings.json"
    f.write_text('{"model": "old"}')
    res = set_model(f, "new")
    before = f.read_bytes()
    code, out, _ = cli("restore", res.backup, "--dry-run")
    assert code == 0 and out.startswith(f"Would put back backup {res.backup}")
    assert f.read_bytes() == before
    assert len(listing(cli)) == 1


def test_one_backup_per_command_run_with_every_file(cli, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.toml"
    a.write_text('{"model": "a"}')
    b.write_text('model = "b"\n')
    with store.Transaction("setup") as tx:
        for path, text, data in ((a, '{"model": "A"}', {"model": "A"}), (b, 'model = "B"\n', {"model": "B"})):
            doc = tx.open(path)
            tx.write(doc, text, expected=data)
    backups = listing(cli)
    assert len(backups) == 1 and backups[0]["files"] == [str(a), str(b)]
    assert cli("restore", backups[0]["id"])[0] == 0
    assert a.read_text() == '{"model": "a"}' and b.read_text() == 'model = "b"\n'


def test_xdg_state_home_is_honoured(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "xdg-state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    f = tmp_path / "settings.json"
    set_model(f, "x")
    assert paths.backups_dir() == state / "agent-configurator" / "backups"
    assert Path(listing(cli)[0]["folder"]).parent == state / "agent-configurator" / "backups"
    code, out, _ = cli("restore", "--list")
    assert code == 0 and "Put one back with: configurator restore <id>" in out


def test_empty_list_and_bad_arguments(cli, home: Path) -> None:
    code, out, _ = cli("restore", "--list")
    assert code == 0 and out.startswith("No backups yet") and str(home) in out
    code, _, err = cli("restore", "someid", "--list")
    assert code == 2 and err.strip() == "error: Give either --list or a backup id, not both."


def test_a_damaged_backup_folder_is_skipped(cli, tmp_path: Path) -> None:
    f = tmp_path / "settings.json"
    res = set_model(f, "x")
    junk = paths.backups_dir() / "junk"
    junk.mkdir()
    (junk / "manifest.json").write_text("{not json")
    assert [b["id"] for b in listing(cli)] == [res.backup]


def test_restore_latest_puts_back_the_newest_backup(cli, tmp_path: Path) -> None:
    f = tmp_path / "settings.json"
    f.write_text('{"model": "first"}')
    set_model(f, "second")
    newest = set_model(f, "third").backup  # holds {"model": "second"}
    code, out, err = cli("restore", "--latest", "--dry-run")
    assert code == 0, err
    assert f"Would put back backup {newest}:" in out and json.loads(f.read_text())["model"] == "third"
    code, out, err = cli("restore", "--latest", "--json")
    assert code == 0, err
    assert json.loads(out)["restored"] == newest and json.loads(f.read_text())["model"] == "second"


def test_restore_latest_without_backups_or_with_an_id_is_one_line(cli, home: Path) -> None:
    code, out, err = cli("restore", "--latest")
    assert code == 2 and out == "" and err.startswith("error: There is no backup to restore yet")
    code, _, err = cli("restore", "--latest", "someid")
    assert code == 2 and err.strip() == ("error: Give --latest alone (it picks the newest backup), not with a "
                                         "backup id or --list.")
