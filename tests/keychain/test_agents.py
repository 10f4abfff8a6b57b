"""Keychain mode in each agent: only the helper reference is written, and switching between a keychain profile and
a file profile (`configurator use`) leaves no stale reference and no key behind. No Secret Service is needed here:
applying a profile never reads or writes the key in this mode."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import json5
import tomllib
from conftest import KNOWN_KEY

from configurator import switching
from configurator.profiles import SavedProfile
from configurator.tools import key_command

PID = "custom"
TOOLS = ("claude-code", "codex", "openclaw", "opencode")
SETTINGS = ".claude/settings.json"
CODEX = ".codex/config.toml"
AUTH = ".codex/auth.json"
OPENCLAW = ".openclaw/openclaw.json"
OPENCODE = ".config/opencode/opencode.json"
USER_SETTINGS = {"statusLine": {"type": "command", "command": "~/bin/status"}, "env": {"DEBUG": "1"}}


def _saved(name: str, storage: str, key: str | None = None) -> SavedProfile:
    return SavedProfile(name=name, provider="custom", provider_name="Mock", anthropic_base_url="http://127.0.0.1:9",
                        openai_base_url="http://127.0.0.1:9/v1", model="m-main", fast_model="m-fast",
                        key_storage=storage, tools=TOOLS, key=key)


def _apply(saved: SavedProfile | None) -> switching.Written:
    return switching.execute(saved.to_profile() if saved else None, TOOLS, dry_run=False, save=saved)


def _holding(home: Path, key: str) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in home.rglob("*")
                  if p.is_file() and not p.is_symlink() and key.encode() in p.read_bytes())


def _live(home: Path, key: str) -> list[str]:
    return [p for p in _holding(home, key) if "/backups/" not in p]


def _claude(home: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((home / SETTINGS).read_text())


def _codex(home: Path) -> dict:  # type: ignore[type-arg]
    return tomllib.loads((home / CODEX).read_text())


def _openclaw(home: Path) -> dict:  # type: ignore[type-arg]
    return json5.loads((home / OPENCLAW).read_text())


def _opencode(home: Path) -> dict:  # type: ignore[type-arg]
    return json5.loads((home / OPENCODE).read_text())


def _assert_keychain_refs(home: Path, name: str) -> None:
    helper = key_command(name)
    settings = _claude(home)
    assert settings["apiKeyHelper"] == shlex.join(helper)
    assert "ANTHROPIC_AUTH_TOKEN" not in settings["env"]
    assert settings["statusLine"] == USER_SETTINGS["statusLine"]
    table = _codex(home)["model_providers"][PID]
    assert table["auth"] == {"command": helper[0], "args": helper[1:]}
    assert "env_key" not in table and "requires_openai_auth" not in table
    assert not (home / AUTH).exists()
    claw = _openclaw(home)
    provider = claw["secrets"]["providers"]["agent-configurator"]
    assert provider["source"] == "exec" and Path(provider["command"]).is_absolute()
    assert provider["args"][-3:] == ["key", "get", "--openclaw"]
    assert not Path(provider["command"]).is_symlink()
    assert "HOME" in provider["passEnv"] and "DBUS_SESSION_BUS_ADDRESS" in provider["passEnv"]
    assert claw["models"]["providers"][PID]["apiKey"] == {"source": "exec", "provider": "agent-configurator",
                                                             "id": name}
    var = "AGENT_CONFIGURATOR_" + name.upper().replace("-", "_") + "_KEY"
    assert _opencode(home)["provider"][PID]["options"]["apiKey"] == "{env:" + var + "}"


def _assert_file_refs(home: Path) -> None:
    settings = _claude(home)
    assert "apiKeyHelper" not in settings
    assert settings["env"]["ANTHROPIC_AUTH_TOKEN"] == KNOWN_KEY
    table = _codex(home)["model_providers"][PID]
    assert "auth" not in table and table["requires_openai_auth"] is True
    assert json.loads((home / AUTH).read_text())["OPENAI_API_KEY"] == KNOWN_KEY
    claw = _openclaw(home)
    assert "secrets" not in claw
    assert claw["models"]["providers"][PID]["apiKey"] == KNOWN_KEY


def test_keychain_profile_writes_only_references(home: Path) -> None:
    (home / ".claude").mkdir()
    (home / SETTINGS).write_text(json.dumps({**USER_SETTINGS, "env": {"DEBUG": "1",
                                                                      "ANTHROPIC_AUTH_TOKEN": KNOWN_KEY}}))
    written = _apply(_saved("work-kc", "keychain"))
    _assert_keychain_refs(home, "work-kc")
    notes = "\n".join(written.notes)
    assert "apiKeyHelper" in notes and "export AGENT_CONFIGURATOR_WORK_KC_KEY=" in notes
    # the token the user had in settings.json before configurator is kept only where `use official` takes it back
    # from (owned.json, 0600) and in the backup of that file: no agent file holds it
    assert _live(home, KNOWN_KEY) == [".config/agent-configurator/owned.json"]
    profiles = (home / ".config/agent-configurator/profiles.toml").read_text()
    assert 'key_storage = "keychain"' in profiles and "key =" not in profiles


def test_switching_between_keychain_and_file_profiles_leaves_nothing_stale(home: Path) -> None:
    (home / ".claude").mkdir()
    (home / SETTINGS).write_text(json.dumps(USER_SETTINGS, indent=2) + "\n")
    start = (home / SETTINGS).read_bytes()
    file_p = _saved("filep", "file", KNOWN_KEY)
    kc_p = _saved("kcp", "keychain")
    _apply(file_p)
    _assert_file_refs(home)
    _apply(kc_p)
    _assert_keychain_refs(home, "kcp")
    # the file profile keeps its key in profiles.toml (file mode); no agent file holds it any more
    assert _live(home, KNOWN_KEY) == [".config/agent-configurator/profiles.toml"]
    switching.execute(file_p.to_profile(), TOOLS, dry_run=False)
    _assert_file_refs(home)
    switching.execute(kc_p.to_profile(), TOOLS, dry_run=False)
    _assert_keychain_refs(home, "kcp")
    again = {p: (home / p).read_bytes() for p in (SETTINGS, CODEX, OPENCLAW, OPENCODE)}
    switching.execute(kc_p.to_profile(), TOOLS, dry_run=False)  # a re-run changes no byte
    assert again == {p: (home / p).read_bytes() for p in again}
    switching.execute(None, TOOLS, dry_run=False)  # use official
    assert (home / SETTINGS).read_bytes() == start
    assert not (home / CODEX).exists() and not (home / OPENCLAW).exists()


def test_keychain_session_files_hold_no_key(home: Path) -> None:
    from configurator.store import Transaction

    saved = _saved("sess", "keychain")
    with Transaction("use") as tx:
        lines = switching.write_sessions(saved, tx)
    by_agent = {a: line for a, line, _ in lines}
    assert by_agent["opencode"].startswith("AGENT_CONFIGURATOR_SESS_KEY=\"$(")
    assert _holding(home, "None") == []  # no "None" where a key would be


def test_doctor_and_lint_flag_a_helper_that_moved(home: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """A keychain profile written by a configurator whose venv was moved since: doctor and lint say so, with
    the fix."""
    _apply(_saved("moved", "keychain"))
    settings = _claude(home)
    settings["apiKeyHelper"] = "/nowhere/old-venv/bin/configurator key get moved"
    (home / SETTINGS).write_text(json.dumps(settings, indent=2))
    code, out, err = cli("doctor", "--json")
    assert code == 0, err
    data = json.loads(out)
    by_tool = {h["tool"]: h for h in data["key_helpers"]}
    assert by_tool["claude-code"]["problem"] == "does not exist"
    assert by_tool["codex"]["problem"] is None and by_tool["openclaw"]["problem"] is None
    assert any("configurator use moved" in n for n in data["notes"])
    code, out, err = cli("lint", "--format", "json", str(home / SETTINGS))
    assert code == 1
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["key-helper-missing"]
    code, out, err = cli("lint", "--format", "json", str(home / CODEX), str(home / OPENCLAW))
    assert "key-helper-missing" not in out
