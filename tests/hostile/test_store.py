"""Hostile input for the store (issue 17): each case is what a user did, and what must be true afterwards.

Every case runs the real command (`setup --yes` or `restore`) against a seeded HOME made hostile in one way, and
checks the exit code (never 3), the one error line, that the key is printed nowhere, that no temp file of ours
is left, and, for a refused change, that every file in HOME is byte-identical and no backup was added. Tests
run as root, which ignores file modes, so an unwritable file or folder is simulated by making the store's own
rename, open or temp-file call fail the way the kernel would.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import KNOWN_KEY, run_cli

from configurator import exitcodes, store
from configurator.store import atomic

ENV = "HOSTILE_KEY"
SETUP = ("setup", "--yes", "--api-key-env", ENV, "--tool", "claude-code", "--tool", "codex", "--tool", "openclaw")
SETTINGS = ".claude/settings.json"
STATE = ".claude.json"
CODEX = ".codex/config.toml"
AUTH = ".codex/auth.json"
OPENCLAW = ".openclaw/openclaw.json"
SEED = {
    SETTINGS: '{\n  "model": "opus",\n  "env": {\n    "KEEP": "1"\n  }\n}\n',
    STATE: '{\n  "numStartups": 3\n}\n',
    CODEX: '# mine\nmodel = "gpt-5"\n',
    AUTH: '{\n  "tokens": null\n}\n',
    OPENCLAW: '{\n  // mine\n  agents: {}\n}\n',
}


def seed(home: Path, files: dict[str, str] | None = None) -> None:
    for rel, text in (SEED if files is None else files).items():
        p = home / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def snapshot(home: Path) -> dict[str, object]:
    """Every path under HOME (our lock files left out) -> its bytes, or what it is, and its mode."""
    out: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(home):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(home))
            if rel == ".local" or rel.startswith(".local/"):  # our own state: backups are checked on their own
                continue
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode):
                out[rel] = (p.read_bytes(), stat.S_IMODE(st.st_mode))
            elif stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            else:
                out[rel] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode))
    return out


def temp_files(home: Path) -> list[str]:
    return [str(p) for p in home.rglob("*" + atomic.TEMP_SUFFIX)]


def make_backup(home: Path, names: tuple[str, ...] = ("a.json", "b.json")) -> str:
    """Two files changed in one run: the backup holds their old bytes. The files then hold the new ones."""
    folder = home / "conf"
    folder.mkdir(exist_ok=True)
    for n in names:
        (folder / n).write_text('{"v": "old"}\n')
    with store.Transaction("setup") as tx:
        for n in names:
            doc = tx.open(folder / n)
            tx.write(doc, '{"v": "new"}\n', expected={"v": "new"})
    bid = tx.backup_id
    assert bid is not None
    return bid


def manifest(home: Path, bid: str) -> Path:
    return next(b.folder for b in store.list_backups() if b.id == bid) / "manifest.json"


def edit_manifest(home: Path, bid: str, change: Callable[[dict], None]) -> None:
    m = manifest(home, bid)
    data = json.loads(m.read_text())
    change(data)
    m.write_text(json.dumps(data))


# --- ways to make HOME hostile (each returns the command line, or None for `setup --yes`) ----------------------

Arrange = Callable[[Path, pytest.MonkeyPatch], "tuple[str, ...] | None"]


def failing_replace(name: str, err: int = errno.EPERM) -> Arrange:
    """The rename over ``name`` fails (an immutable file, a read-only mount): after other files were renamed."""
    def arrange(home: Path, mp: pytest.MonkeyPatch) -> None:
        seed(home)
        real = os.replace

        def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
            if Path(dst).name == name and str(src).endswith(atomic.TEMP_SUFFIX):
                raise OSError(err, os.strerror(err), str(dst))
            real(src, dst)

        mp.setattr(os, "replace", replace)
    return arrange


def immutable(name: str) -> Arrange:
    """`chattr +i` on ``name``: opening it for writing fails with EPERM (it would as root too)."""
    def arrange(home: Path, mp: pytest.MonkeyPatch) -> None:
        seed(home)
        real = os.open

        def fake_open(path: object, flags: int, *a: object, **k: object) -> int:
            if Path(str(path)).name == name and flags & (os.O_WRONLY | os.O_RDWR):
                raise PermissionError(errno.EPERM, "Operation not permitted", str(path))
            return real(path, flags, *a, **k)  # type: ignore[arg-type]

        mp.setattr(os, "open", fake_open)
    return arrange


def unwritable_dir(rel: str) -> Arrange:
    """`chmod 555` on a folder: no file can be created in it."""
    def arrange(home: Path, mp: pytest.MonkeyPatch) -> None:
        seed(home)
        real = tempfile.mkstemp

        def mkstemp(*a: object, **k: object) -> tuple[int, str]:
            if Path(str(k.get("dir"))) == home / rel:
                raise PermissionError(errno.EACCES, "Permission denied", str(home / rel))
            return real(*a, **k)  # type: ignore[call-overload]

        mp.setattr(tempfile, "mkstemp", mkstemp)
    return arrange


def restore_with(tamper: Callable[[Path, str, pytest.MonkeyPatch], None]) -> Arrange:
    def arrange(home: Path, mp: pytest.MonkeyPatch) -> tuple[str, ...]:
        bid = make_backup(home)
        tamper(home, bid, mp)
        return ("restore", bid)
    return arrange


def dir_in_place(home: Path, bid: str, mp: pytest.MonkeyPatch) -> None:
    (home / "conf" / "b.json").unlink()
    (home / "conf" / "b.json").mkdir()


def stored_missing(home: Path, bid: str, mp: pytest.MonkeyPatch) -> None:
    folder = manifest(home, bid).parent
    (folder / json.loads((folder / "manifest.json").read_text())["entries"][1]["stored"]).unlink()


def stored_tampered(home: Path, bid: str, mp: pytest.MonkeyPatch) -> None:
    folder = manifest(home, bid).parent
    stored = folder / json.loads((folder / "manifest.json").read_text())["entries"][1]["stored"]
    stored.write_text('{"v": "evil"}\n')


def restore_replace_fails(home: Path, bid: str, mp: pytest.MonkeyPatch) -> None:
    failing_replace("b.json")(home, mp)


def manifest_change(change: Callable[[dict], None]) -> Callable[[Path, str, pytest.MonkeyPatch], None]:
    return lambda home, bid, mp: edit_manifest(home, bid, change)


def seeded(files: dict[str, str | bytes], **env: str) -> Arrange:
    def arrange(home: Path, mp: pytest.MonkeyPatch) -> None:
        seed(home)
        for rel, content in files.items():
            p = home / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                p.write_bytes(content)
            else:
                p.write_text(content, encoding="utf-8")
        for k, v in env.items():
            mp.setenv(k, v.replace("@HOME", str(home)))
    return arrange


def with_path(rel: str, make: Callable[[Path, Path], None], **env: str) -> Arrange:
    """Seed, then put something odd at ``rel`` (``make(path, home)``)."""
    def arrange(home: Path, mp: pytest.MonkeyPatch) -> None:
        seed(home)
        p = home / rel
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        elif p.exists() or p.is_symlink():
            p.unlink()
        p.parent.mkdir(parents=True, exist_ok=True)
        make(p, home)
        for k, v in env.items():
            mp.setenv(k, v.replace("@HOME", str(home)))
    return arrange


def read_only(rel: str, mode: int) -> Arrange:
    def arrange(home: Path, mp: pytest.MonkeyPatch) -> None:
        seed(home)
        os.chmod(home / rel, mode)
    return arrange


def stale_temps(home: Path, mp: pytest.MonkeyPatch) -> None:
    seed(home)
    old = time.time() - 3600
    for name in (".settings.json.abcd1234.configurator-tmp", ".other.json.ZZ99yy88.configurator-tmp"):
        p = home / ".claude" / name
        p.write_text('{"env": {"ANTHROPIC_AUTH_TOKEN": "sk-left-behind-by-kill-9"}}')
        os.chmod(p, 0o600)
        os.utime(p, (old, old))
    (home / ".claude" / ".settings.json.young123.configurator-tmp").write_text("a run in progress")
    (home / ".claude" / "notes.configurator-tmp").write_text("not ours: no random part")
    old_file = home / ".claude" / "notes.configurator-tmp"
    os.utime(old_file, (old, old))


def deep_json(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


# --- checks after a case that must succeed -----------------------------------------------------------------------

def stale_removed(home: Path) -> None:
    names = sorted(p.name for p in (home / ".claude").iterdir())
    assert ".settings.json.abcd1234.configurator-tmp" not in names
    assert ".other.json.ZZ99yy88.configurator-tmp" not in names
    assert ".settings.json.young123.configurator-tmp" in names  # younger than a minute: maybe a run in progress
    assert "notes.configurator-tmp" in names  # not a name we make


def private_modes(home: Path) -> None:
    def mode(rel: str) -> int:
        return stat.S_IMODE(os.stat(home / rel).st_mode)

    for d in (".claude", ".codex", ".openclaw", ".local/state/agent-configurator",
              ".local/state/agent-configurator/backups", ".local/state/agent-configurator/locks"):
        assert mode(d) == 0o700, d
    assert mode(SETTINGS) == 0o600 and mode(AUTH) == 0o600 and mode(OPENCLAW) == 0o600  # they hold the key
    assert mode(CODEX) == 0o644  # no secret, in a folder only we can write to: never 0666
    for p in home.rglob("*"):
        assert not stat.S_IMODE(os.lstat(p).st_mode) & 0o002 or p.is_symlink(), p


def line_terminators_kept(home: Path) -> None:
    state = (home / STATE).read_text(encoding="utf-8")
    assert state.startswith('{\n  "tip": "one\u2028two\u2029three",\n')  # raw, byte-identical
    assert json.loads(state) == {"tip": "one\u2028two\u2029three", "numStartups": 3, "hasCompletedOnboarding": True}
    settings = (home / SETTINGS).read_text(encoding="utf-8")
    assert '"note": "a\u2028b"' in settings and json.loads(settings)["env"]["ANTHROPIC_AUTH_TOKEN"] == KNOWN_KEY


def restored_nothing(home: Path) -> None:
    assert [p.read_text() for p in sorted((home / "conf").glob("*.json")) if p.is_file()] in (
        ['{"v": "new"}\n'], ['{"v": "new"}\n', '{"v": "new"}\n'])


@dataclass(frozen=True)
class Case:
    id: str
    item: int
    arrange: Arrange
    code: int = exitcodes.USAGE
    #: words the error line must hold (case-insensitive)
    words: tuple[str, ...] = ()
    #: a refused change: HOME byte-identical, no backup added
    unchanged: bool = True
    check: Callable[[Path], None] | None = None
    extra_args: tuple[str, ...] = ()
    #: run in a subprocess with a timeout (a case that could hang)
    subprocess: bool = False
    umask: int | None = None
    #: a change that failed midway and was rolled back keeps its backup (the message names it)
    backup_kept: bool = False


NOTHING = "no file was changed"
CASES = [
    # 1. a change of several files is all or nothing
    Case("rename-of-auth-fails-after-others", 1, failing_replace("auth.json"),
         words=("auth.json", "Operation not permitted", "were put back", NOTHING, "backup"), backup_kept=True),
    Case("auth-json-immutable", 1, immutable("auth.json"), words=("auth.json", "Operation not permitted", NOTHING)),
    Case("settings-immutable", 1, immutable("settings.json"), words=("settings.json", NOTHING)),
    Case("codex-folder-unwritable", 1, unwritable_dir(".codex"), words=(".codex", "Permission denied", NOTHING)),
    Case("rename-of-openclaw-fails-no-space", 1, failing_replace("openclaw.json", errno.ENOSPC),
         words=("openclaw.json", "No space left", NOTHING), backup_kept=True),
    Case("restore-target-is-a-folder", 1, restore_with(dir_in_place), words=("b.json", "folder", "nothing was written")),
    Case("restore-stored-file-missing", 1, restore_with(stored_missing), words=("damaged", "cannot be read",
                                                                                 "nothing was changed")),
    Case("restore-rename-fails-midway", 1, restore_with(restore_replace_fails),
         words=("b.json", "were put back", NOTHING), check=restored_nothing, backup_kept=True),
    # 5. temp files left by a killed run
    Case("stale-temp-files-removed", 5, stale_temps, code=exitcodes.OK, unchanged=False, check=stale_removed),
    # 6. read-only files are not overwritten
    Case("settings-0444", 6, read_only(SETTINGS, 0o444), words=("settings.json", "read-only", "444", "--force")),
    Case("auth-0400", 6, read_only(AUTH, 0o400), words=("auth.json", "read-only", "400", "chmod u+w")),
    Case("openclaw-0555", 6, read_only(OPENCLAW, 0o555), words=("openclaw.json", "read-only")),
    # 7. umask 000
    Case("umask-000-fresh-home", 7, lambda home, mp: None, code=exitcodes.OK, unchanged=False, check=private_modes,
         umask=0),
    # 9. restore trusts nothing in a backup
    Case("restore-tampered-stored-file", 9, restore_with(stored_tampered), words=("damaged", "checksum")),
    Case("restore-stored-dotdot", 9, restore_with(manifest_change(
        lambda m: m["entries"][0].update(stored="../../../../etc/passwd"))), words=("damaged", "inside the backup")),
    Case("restore-stored-absolute", 9, restore_with(manifest_change(
        lambda m: m["entries"][1].update(stored="/etc/shadow"))), words=("damaged", "inside the backup")),
    Case("restore-mode-wrong-type", 9, restore_with(manifest_change(
        lambda m: m["entries"][0].update(mode="rwx"))), words=("damaged", "not a file mode")),
    Case("restore-entries-not-a-list", 9, restore_with(manifest_change(lambda m: m.update(entries={"a": 1}))),
         words=("damaged", "no list of entries")),
    Case("restore-entry-not-an-object", 9, restore_with(manifest_change(lambda m: m["entries"].append(7))),
         words=("damaged", "not an object")),
    Case("restore-original-relative", 9, restore_with(manifest_change(
        lambda m: m["entries"][0].update(original="relative/a.json"))), words=("damaged", "absolute")),
    Case("restore-checksum-missing", 9, restore_with(manifest_change(
        lambda m: m["entries"][0].update(sha256=None))), words=("damaged", "checksum")),
    Case("restore-manifest-not-json", 9, restore_with(lambda home, bid, mp: manifest(home, bid).write_text("{x")),
         words=("damaged", "not valid JSON")),
    # 12. odd things at a config path: one sentence, exit 2, no hang
    Case("json-nested-450", 12, seeded({SETTINGS: deep_json(450)}), words=("settings.json", "nested too deeply")),
    Case("json-nested-100000", 12, seeded({SETTINGS: deep_json(100_000)}), words=("nested too deeply",)),
    Case("toml-inline-table-300", 12, seeded({CODEX: "x = " + "{a = " * 300 + "1" + "}" * 300 + "\n"}),
         words=("config.toml", "nested too deeply")),
    Case("json5-nested-450", 12, seeded({OPENCLAW: "{a: " * 450 + "1" + "}" * 450}), words=("nested too deeply",)),
    Case("settings-self-link", 12, with_path(SETTINGS, lambda p, h: p.symlink_to(p.name)),
         words=("settings.json", "loop of links")),
    Case("settings-link-loop", 12, with_path(SETTINGS, lambda p, h: (p.symlink_to("x.json"),
                                                                     (p.parent / "x.json").symlink_to(p.name))),
         words=("loop of links",)),
    Case("claude-folder-is-a-file", 12, with_path(".claude", lambda p, h: p.write_text("x")),
         words=(".claude", "a file, not a folder")),
    Case("codex-home-dev-null", 12, seeded({}, CODEX_HOME="/dev/null"), words=("/dev/null", "not a folder")),
    Case("codex-home-a-file", 12, seeded({"codexhome": "x"}, CODEX_HOME="@HOME/codexhome"),
         words=("codexhome", "not a folder")),
    Case("settings-fifo", 12, with_path(SETTINGS, lambda p, h: os.mkfifo(p)), words=("FIFO", "regular file"),
         subprocess=True),
    Case("auth-link-to-dev-zero", 12, with_path(AUTH, lambda p, h: p.symlink_to("/dev/zero")),
         words=("auth.json", "device"), subprocess=True),
    Case("openclaw-link-to-dev-urandom", 12, with_path(OPENCLAW, lambda p, h: p.symlink_to("/dev/urandom")),
         words=("device",), subprocess=True),
    Case("settings-is-a-folder", 12, with_path(SETTINGS, lambda p, h: p.mkdir()), words=("settings.json", "folder")),
    Case("state-over-20-mb", 10, with_path(STATE, lambda p, h: os.truncate(p.open("w").name, 21 * 1024 * 1024)),
         words=(".claude.json", "over 20 MB"), extra_args=("--claude-skip-login",)),
    # 15. raw U+2028 / U+2029 in JSON strings (Claude Code writes them)
    Case("raw-line-separators", 15, seeded({
        STATE: '{\n  "tip": "one\u2028two\u2029three",\n  "numStartups": 3\n}\n',
        SETTINGS: '{\n  "note": "a\u2028b",\n  "env": {}\n}\n'}),
        code=exitcodes.OK, unchanged=False, check=line_terminators_kept, extra_args=("--claude-skip-login",)),
]


def test_every_item_has_a_case() -> None:
    assert {c.item for c in CASES} >= {1, 5, 6, 7, 9, 10, 12, 15}
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.item}-{c.id}" for c in CASES])
def test_hostile(case: Case, cli, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from configurator import secrets

    monkeypatch.setattr(secrets, "_KNOWN", set())
    monkeypatch.setenv(ENV, KNOWN_KEY)
    old_umask = os.umask(case.umask) if case.umask is not None else None
    faults = pytest.MonkeyPatch()
    try:
        args = case.arrange(home, faults) or (*SETUP, *case.extra_args)
        before = snapshot(home)
        backups_before = [b.id for b in store.list_backups()]
        if case.subprocess:
            started = time.monotonic()
            proc = run_cli(*args, env={ENV: KNOWN_KEY}, timeout=30)
            code, out, err = proc.returncode, proc.stdout, proc.stderr
            assert time.monotonic() - started < 20
        else:
            code, out, err = cli(*args)
    finally:
        if old_umask is not None:
            os.umask(old_umask)
        faults.undo()  # the faked os calls end here: the checks below use the real ones
    assert code != exitcodes.INTERNAL
    assert code == case.code, (out, err)
    assert KNOWN_KEY not in out + err
    if case.code != exitcodes.OK:
        assert out == "" and err.startswith("error: ") and len(err.strip().splitlines()) == 1, err
        for w in case.words:
            assert w.lower() in err.lower(), (w, err)
    assert temp_files(home) == [] or case.id == "stale-temp-files-removed"
    if case.unchanged:
        assert snapshot(home) == before
        after = [b.id for b in store.list_backups()]
        if case.backup_kept:
            assert after[:-1] == backups_before and after[-1] in err
        else:
            assert after == backups_before
    if case.check is not None:
        case.check(home)


# --- the store API on its own ------------------------------------------------------------------------------------

def write_json(path: Path, data: dict, *, force: bool = False, secret: bool = False) -> store.WriteResult:
    with store.Transaction("test", force=force) as tx:
        doc = tx.open(path)
        return tx.write(doc, json.dumps(data) + "\n", expected=data, secret=secret)


@pytest.mark.parametrize(("mode", "secret", "after"), [(0o444, False, 0o444), (0o400, True, 0o400),
                                                       (0o440, True, 0o400), (0o555, False, 0o555)])
def test_force_writes_a_read_only_file_and_keeps_it_read_only(tmp_path: Path, mode: int, secret: bool,
                                                              after: int) -> None:
    f = tmp_path / "settings.json"
    f.write_text('{"a": 1}\n')
    os.chmod(f, mode)
    with pytest.raises(store.ConfiguratorError if hasattr(store, "ConfiguratorError") else Exception) as info:
        write_json(f, {"a": 2})
    assert "read-only" in str(info.value) and f.read_text() == '{"a": 1}\n'
    assert write_json(f, {"a": 2}, force=True, secret=secret).action == "updated"
    assert json.loads(f.read_text()) == {"a": 2} and stat.S_IMODE(os.stat(f).st_mode) == after


def test_an_error_inside_the_transaction_changes_nothing(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "new" / "b.json"
    a.write_text('{"v": 1}\n')
    with pytest.raises(RuntimeError), store.Transaction("test") as tx:
        doc = tx.open(a)
        tx.write(doc, '{"v": 2}\n', expected={"v": 2})
        doc = tx.open(b)
        tx.write(doc, '{"v": 2}\n', expected={"v": 2})
        assert a.read_text() == '{"v": 1}\n' and not b.exists()  # staged, not yet visible
        raise RuntimeError("the caller gave up")
    assert a.read_text() == '{"v": 1}\n' and not (tmp_path / "new").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"] and store.list_backups() == []


def test_a_file_written_twice_in_one_transaction_reads_back_the_first_write(tmp_path: Path) -> None:
    f = tmp_path / "a.json"
    with store.Transaction("test") as tx:
        doc = tx.open(f)
        first = tx.write(doc, '{"v": 1}\n', expected={"v": 1})
        doc = tx.open(f)
        assert doc.data == {"v": 1}
        second = tx.write(doc, '{"v": 1, "w": 2}\n', expected={"v": 1, "w": 2})
    assert (first.action, second.action) == ("created", "created")
    assert json.loads(f.read_text()) == {"v": 1, "w": 2}
    assert store.restore_backup(first.backup or "")[1][0].action == "deleted" and not f.exists()


def test_doctor_reports_stale_temp_files(cli, home: Path) -> None:
    stale_temps(home, pytest.MonkeyPatch())
    code, out, err = cli("doctor", "--json")
    assert code == 0, err
    found = json.loads(out)["stale_temp_files"]
    assert sorted(Path(p).name for p in found) == [".other.json.ZZ99yy88.configurator-tmp",
                                                   ".settings.json.abcd1234.configurator-tmp"]
    code, out, err = cli("doctor")
    assert "interrupted configurator run" in err + out
