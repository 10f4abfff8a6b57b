"""The OS keychain against a real Secret Service (GNOME Keyring on a private D-Bus session): store, get, delete,
the `key` commands, OpenClaw's exec protocol, no keychain, a locked keychain, plaintext backends refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from conftest import KNOWN_KEY, run_cli
from secret_service import secret_service

from configurator import keychain
from configurator.errors import ConfiguratorError

PROFILES = """[profiles.{name}]
provider = "custom"
provider_name = "Mock"
anthropic_base_url = "http://127.0.0.1:9"
openai_base_url = "http://127.0.0.1:9/v1"
model = "m-main"
fast_model = "m-fast"
key_storage = "keychain"
tools = ["claude-code", "codex", "openclaw", "opencode"]
"""


def _name() -> str:
    return "kc-" + uuid.uuid4().hex[:10]


def _profile(home: Path, name: str, body: str = PROFILES) -> None:
    folder = home / ".config" / "agent-configurator"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "profiles.toml"
    path.write_text((path.read_text() if path.exists() else "") + body.format(name=name))
    path.chmod(0o600)


def test_store_get_delete(os_keychain: str) -> None:
    name = _name()
    keychain_mod = keychain
    ok, reason = keychain_mod.usable()
    assert ok, reason
    assert "Secret Service" in reason
    keychain_mod.store(name, KNOWN_KEY)
    assert keychain_mod.get(name) == KNOWN_KEY
    assert keychain_mod.delete(name) is True
    assert keychain_mod.delete(name) is False
    with pytest.raises(keychain_mod.KeychainError, match="has no key for profile"):
        keychain_mod.get(name)


def test_fast_path_reads_what_keyring_wrote(os_keychain: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The direct secretstorage read finds the item keyring's SecretService backend wrote, and keyring (the path
    taken when a backend is configured) finds ours: the same entry either way."""
    import keyring

    name = _name()
    keyring.set_password(keychain.SERVICE, name, KNOWN_KEY)
    assert keychain._fast_get(name) == KNOWN_KEY
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
    assert keychain._fast_get(name) is None  # a configured backend: keyring decides
    assert keychain.get(name) == KNOWN_KEY
    keychain.store(name, KNOWN_KEY + "2")
    assert keyring.get_password(keychain.SERVICE, name) == KNOWN_KEY + "2"
    keychain.delete(name)


def test_prepare_and_rollback(os_keychain: str) -> None:
    name = _name()
    keychain.prepare(name, KNOWN_KEY)
    assert keychain.get(name) == KNOWN_KEY
    before = keychain.previous(name)
    keychain.prepare(name, KNOWN_KEY + "-new")
    keychain.rollback(name, before)
    assert keychain.get(name) == KNOWN_KEY
    keychain.rollback(name)
    assert keychain.previous(name) is None


def test_no_keychain_is_one_sentence_never_plaintext(no_keychain: None, home: Path) -> None:
    ok, reason = keychain.usable()
    assert not ok
    assert "no OS keychain is available" in reason
    with pytest.raises(ConfiguratorError) as err:
        keychain.prepare("work", KNOWN_KEY)
    assert err.value.exit_code == 2
    assert "--key-storage keychain cannot be used here" in str(err.value)
    assert "\n" not in str(err.value)
    with pytest.raises(keychain.KeychainError):
        keychain.store("work", KNOWN_KEY)
    found = [p for p in home.rglob("*") if p.is_file() and KNOWN_KEY.encode() in p.read_bytes()]
    assert found == []


def test_plaintext_backends_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = type("PlaintextKeyring", (), {"priority": 0.5})
    plain.__module__ = "keyrings.alt.file"
    assert "keeps keys in a file" in str(keychain._refusal(plain()))
    null = type("Keyring", (), {"priority": -1})
    null.__module__ = "keyring.backends.null"
    assert "no OS keychain" in str(keychain._refusal(null()))
    chainer = type("ChainerBackend", (), {"priority": 10, "backends": [plain()]})
    chainer.__module__ = "keyring.backends.chainer"
    assert "keeps keys in a file" in str(keychain._refusal(chainer()))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    ok, reason = keychain.usable()
    assert not ok and "no OS keychain" in reason


# --- the key commands ---------------------------------------------------------------------------------------------


def test_key_set_get_delete_commands(os_keychain: str, home: Path) -> None:
    name = _name()
    _profile(home, name)
    proc = run_cli("key", "set", name, input=KNOWN_KEY + "\n")
    assert proc.returncode == 0, proc.stderr
    assert "Stored the key of profile" in proc.stdout
    proc = run_cli("key", "get", name)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == KNOWN_KEY + "\n"
    assert proc.stderr == ""
    proc = run_cli("key", "delete", name, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["removed"] is True
    assert "fail until" in proc.stdout
    proc = run_cli("key", "get", name)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("configurator: The OS keychain has no key for profile")
    assert proc.stderr.count("\n") == 1


def test_key_set_never_echoes_and_notes_a_file_profile(os_keychain: str, home: Path) -> None:
    name = _name()
    _profile(home, name, PROFILES.replace('key_storage = "keychain"', 'key_storage = "file"\nkey = "sk-file-key-0000000000"'))
    proc = run_cli("key", "set", name, input=KNOWN_KEY + "\n")
    assert proc.returncode == 0, proc.stderr
    assert KNOWN_KEY not in proc.stdout + proc.stderr
    assert "the tools do not read this entry yet" in proc.stdout
    # the file profile's own key is what key get prints: the profile says where its key is
    assert run_cli("key", "get", name).stdout == "sk-file-key-0000000000\n"
    keychain.delete(name)


def test_key_set_refuses_an_empty_key(os_keychain: str) -> None:
    proc = run_cli("key", "set", _name(), input="\n")
    assert proc.returncode == 2
    assert "No key was given" in proc.stderr


def test_key_get_refuses_a_terminal_without_reveal(os_keychain: str, home: Path) -> None:
    from configurator.commands.key import KeyGetOptions, run_get

    name = _name()
    _profile(home, name)
    keychain.store(name, KNOWN_KEY)
    with pytest.raises(ConfiguratorError, match="--reveal"):
        run_get(KeyGetOptions(name=name, to_terminal=True))
    assert run_get(KeyGetOptions(name=name, to_terminal=True, reveal=True)) == KNOWN_KEY
    keychain.delete(name)


def test_key_get_in_process_through_click(os_keychain: str, home: Path, cli) -> None:  # type: ignore[no-untyped-def]
    name = _name()
    _profile(home, name)
    keychain.store(name, KNOWN_KEY)
    code, out, err = cli("key", "get", name)
    assert (code, out, err) == (0, KNOWN_KEY + "\n", "")
    code, out, err = cli("key", "get", "missing-profile")
    assert code == 2 and out == "" and err.startswith("configurator: No profile named 'missing-profile'")
    keychain.delete(name)


def test_openclaw_exec_protocol(os_keychain: str, home: Path) -> None:
    name = _name()
    _profile(home, name)
    keychain.store(name, KNOWN_KEY)
    request = json.dumps({"protocolVersion": 1, "provider": "agent-configurator", "ids": [name, "nope"]})
    proc = run_cli("key", "get", "--openclaw", input=request)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"protocolVersion": 1, "values": {name: KNOWN_KEY},
                                       "errors": {"nope": {"code": "NOT_FOUND"}}}
    for bad in ("not json", json.dumps({"protocolVersion": 2, "ids": [name]}), json.dumps({"protocolVersion": 1})):
        proc = run_cli("key", "get", "--openclaw", input=bad)
        assert proc.returncode == 2
        assert proc.stdout == ""
        assert proc.stderr.startswith("configurator: ") and proc.stderr.count("\n") == 1
    keychain.delete(name)


def test_helper_error_without_a_keychain(no_keychain: None, home: Path) -> None:
    name = _name()
    _profile(home, name)
    proc = run_cli("key", "get", name)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("configurator: The OS keychain cannot be used: no OS keychain is available")
    assert proc.stderr.count("\n") == 1


def test_locked_keychain(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A locked collection: the helper says so in one line (the unlock prompt is dismissed headless)."""
    with secret_service(tmp_path / "locked") as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        name = _name()
        _profile(home, name)
        keychain.store(name, KNOWN_KEY)
        lock = ("import secretstorage as s; c = s.dbus_init(); col = s.get_default_collection(c); col.lock(); "
                "assert col.is_locked()")
        subprocess.run([sys.executable, "-c", lock], check=True, env=dict(os.environ), timeout=30)
        proc = run_cli("key", "get", name)
        assert proc.returncode == 2, proc.stdout
        assert "keychain is locked" in proc.stderr
        assert proc.stderr.count("\n") == 1
        ok, reason = keychain.usable()
        assert not ok and "locked" in reason


def test_key_get_imports_nothing_it_does_not_need(os_keychain: str, home: Path) -> None:
    name = _name()
    _profile(home, name)
    keychain.store(name, KNOWN_KEY)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "configurator", "key", "get", name],
                          capture_output=True, text=True, timeout=60, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == KNOWN_KEY + "\n"
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if "|" in line}
    heavy = {m for m in imported if m.split(".")[0] in
             ("questionary", "prompt_toolkit", "jsonschema", "tomlkit", "json5", "msgspec", "click", "keyring")}
    assert heavy == set()
    assert "configurator.agents" not in imported and "configurator.store" not in imported
    keychain.delete(name)


# --- migration: which files still hold a key ------------------------------------------------------------------------


def test_key_holders_finds_files_and_backups_by_value(home: Path) -> None:
    from configurator import paths

    live = home / ".claude" / "settings.json"
    live.parent.mkdir(parents=True)
    live.write_text(json.dumps({"env": {"ANTHROPIC_AUTH_TOKEN": KNOWN_KEY}}))
    backup = paths.backups_dir() / "20260101T000000-000000Z" / "settings.json"
    backup.parent.mkdir(parents=True)
    backup.write_text(json.dumps({"env": {"ANTHROPIC_AUTH_TOKEN": KNOWN_KEY}}))
    profiles = paths.profiles_file()
    profiles.parent.mkdir(parents=True, exist_ok=True)
    profiles.write_text(f'[profiles.a]\nkey = "{KNOWN_KEY}"\n')
    clean = home / ".codex" / "config.toml"
    clean.parent.mkdir(parents=True)
    clean.write_text('model = "x"\n')
    log = paths.state_dir() / "logs" / "error.log"
    log.parent.mkdir(parents=True)
    log.write_text("nothing here\n")
    elsewhere = home / "projects" / "notes.txt"  # not a folder configurator or an agent keeps keys in
    elsewhere.parent.mkdir(parents=True)
    elsewhere.write_text(KNOWN_KEY)
    link = home / ".codex" / "linked.json"
    link.symlink_to(live)
    found = keychain.key_holders(KNOWN_KEY)
    assert sorted(found.files) == sorted([live, profiles])
    assert found.backups == [backup]
    assert bool(found)
    assert not keychain.key_holders("sk-some-other-key-0000000000")
    with pytest.raises(ConfiguratorError):
        keychain.key_holders("short")
