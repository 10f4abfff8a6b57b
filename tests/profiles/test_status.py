"""`configurator status`: what a user sees per tool after real `setup`/`use` runs, hand edits and broken files.

Status is informational: it exits 0 whatever it finds (a broken settings.json included: that tool is reported as
"unreadable" with line:column); only bad input (an unknown --tool) exits 2.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from conftest import KNOWN_KEY

MASKED = f"{KNOWN_KEY[:3]}…{KNOWN_KEY[-4:]}"
BASE = "http://127.0.0.1:9"
TOOLS = ("claude-code", "codex", "openclaw", "opencode")
HINT = "switch with `configurator use NAME`; back to each tool's login with `configurator use official`"


@pytest.fixture(autouse=True)
def bare_path(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH holds one empty folder: no real agent tool is found (tests drop fakes there)."""
    bindir = tmp_path_factory.mktemp("bin")
    monkeypatch.setenv("PATH", str(bindir))
    monkeypatch.delenv("MYKEY", raising=False)
    monkeypatch.delenv("OPENCODE_CONFIG", raising=False)
    return bindir


@pytest.fixture(autouse=True)
def fresh_secret_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """No secret registered by an earlier test can hide a leak here."""
    from configurator import secrets

    monkeypatch.setattr(secrets, "_KNOWN", set())


def _clean(*texts: str) -> None:
    for t in texts:
        assert KNOWN_KEY not in t, "the key leaked"


@pytest.fixture
def status(cli):
    """``status(*args)`` -> (exit code, stdout, stderr); the key is in none of them."""

    def _run(*args: str) -> tuple[int, str, str]:
        code, out, err = cli("status", *args)
        _clean(out, err)
        return code, out, err

    return _run


@pytest.fixture
def status_json(status):
    def _run(*args: str) -> dict:
        code, out, _ = status("--json", *args)
        assert code == 0
        return json.loads(out)

    return _run


def _setup_a(cli) -> None:
    code, out, err = cli("setup", "--yes", "--profile", "a", "--provider", "custom", "--base-url", BASE + "/",
                         "--api-key-stdin", "--model", "m-main", "--fast-model", "m-fast", input=KNOWN_KEY + "\n")
    _clean(out, err)
    assert code == 0, err


def _setup_b(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Profile b: env mode ($MYKEY), other models; MYKEY is unset again afterwards."""
    monkeypatch.setenv("MYKEY", "sk-bbbb-9876543210zyxwvuts")
    code, out, err = cli("setup", "--yes", "--profile", "b", "--provider", "custom", "--base-url", BASE + "/v1",
                         "--key-storage", "env", "--api-key-env", "MYKEY", "--model", "b-main", "--fast-model",
                         "b-fast")
    assert code == 0, err
    monkeypatch.delenv("MYKEY")


def _by_tool(doc: dict) -> dict[str, dict]:
    return {t["tool"]: t for t in doc["tools"]}


def _section(out: str, title: str) -> str:
    """The lines of one tool's block in the text."""
    blocks = out.split("\n\n")
    found = [b for b in blocks if b.startswith(title + ":")]
    assert len(found) == 1, out
    return found[0]


def test_active_profile_per_tool_after_setup_and_use(cli, status, status_json, monkeypatch, home) -> None:
    _setup_a(cli)
    _setup_b(cli, monkeypatch)
    code, out, _ = status()
    assert code == 0
    for title in ("Claude Code", "Codex", "OpenClaw", "opencode"):
        assert _section(out, title).splitlines()[0] == f"{title}: profile b"
    assert out.splitlines()[0] == (f"Profiles: 2 saved (a, b) in {home}/.config/agent-configurator/profiles.toml")
    assert out.rstrip().endswith(HINT[0].upper() + HINT[1:] + ".")

    assert cli("use", "a", "--yes")[0] == 0
    doc = status_json()
    tools = _by_tool(doc)
    assert [t["tool"] for t in doc["tools"]] == list(TOOLS)
    assert {t: tools[t]["state"] for t in TOOLS} == dict.fromkeys(TOOLS, "profile")
    assert {t: tools[t]["profile"] for t in TOOLS} == dict.fromkeys(TOOLS, "a")
    assert tools["claude-code"]["base_url"] == BASE
    assert {t: tools[t]["base_url"] for t in TOOLS[1:]} == dict.fromkeys(TOOLS[1:], BASE + "/v1")
    assert tools["claude-code"]["models"] == {"main": "m-main", "opus": "m-main", "sonnet": "m-main",
                                              "haiku": "m-fast", "fable": "m-main", "subagent": "m-main"}
    assert tools["codex"]["models"] == {"main": "m-main"}
    assert tools["opencode"]["models"] == {"main": "m-main", "fast": "m-fast"}
    assert tools["codex"]["provider"] == "custom" and tools["codex"]["provider_name"] == "Custom provider"
    # the key: masked, never in clear (checked on every output by the fixture)
    assert {t: tools[t]["key"] for t in TOOLS} == dict.fromkeys(TOOLS, MASKED)
    assert tools["claude-code"]["key_source"] == f"ANTHROPIC_AUTH_TOKEN in {home}/.claude/settings.json"
    assert tools["codex"]["key_source"] == f"OPENAI_API_KEY in {home}/.codex/auth.json"
    assert all(not [p for p in tools[t]["problems"] if p["kind"] == "key"] for t in TOOLS)
    assert str(home / ".claude" / "settings.json") in tools["claude-code"]["files"]

    code, out, _ = status()
    claude = _section(out, "Claude Code")
    assert claude.splitlines()[0] == "Claude Code: profile a"
    assert f"  key         {MASKED}  (ANTHROPIC_AUTH_TOKEN in {home}/.claude/settings.json)" in claude
    assert "  models      main      m-main\n" in claude and "              haiku     m-fast\n" in claude
    assert "  base URL    http://127.0.0.1:9\n" in claude
    assert "not installed (no `claude` on PATH)" in claude


def test_official_after_use_official(cli, status, status_json, monkeypatch) -> None:
    _setup_a(cli)
    assert {t["state"] for t in status_json()["tools"]} == {"profile"}
    code, out, err = cli("use", "official", "--yes")
    assert code == 0, err
    doc = status_json()
    assert {t["tool"]: t["state"] for t in doc["tools"]} == dict.fromkeys(TOOLS, "official")
    assert all(t["profile"] is None and t["key"] is None and t["hand_edits"] == [] for t in doc["tools"])
    _, out, _ = status()
    for title in ("Claude Code", "Codex", "OpenClaw", "opencode"):
        assert _section(out, title).splitlines()[0] == f"{title}: official (the tool's own login and defaults)"
    assert doc["profiles"] == ["a"]  # the profile stays saved


def test_hand_edit_of_an_owned_key_is_named(cli, status, status_json, home) -> None:
    _setup_a(cli)
    settings = home / ".claude" / "settings.json"
    data = json.loads(settings.read_text())
    data["env"]["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:8"
    settings.write_text(json.dumps(data, indent=2))
    tools = _by_tool(status_json())
    assert tools["claude-code"]["state"] == "edited"
    assert tools["claude-code"]["profile"] == "a"
    assert tools["claude-code"]["hand_edits"] == [{"file": str(settings), "key": ["env", "ANTHROPIC_BASE_URL"]}]
    assert tools["claude-code"]["base_url"] == "http://127.0.0.1:8"  # what the tool uses now
    assert {tools[t]["state"] for t in TOOLS[1:]} == {"profile"}
    code, out, _ = status("--tool", "claude-code")
    assert code == 0
    claude = _section(out, "Claude Code")
    assert claude.splitlines()[0] == "Claude Code: profile a, edited by hand"
    assert f"  edited      {settings}: env.ANTHROPIC_BASE_URL" in claude
    assert "`configurator use a --force`" in claude
    # set back to what configurator wrote: no longer a hand edit
    data["env"]["ANTHROPIC_BASE_URL"] = BASE
    settings.write_text(json.dumps(data, indent=2))
    assert _by_tool(status_json())["claude-code"]["state"] == "profile"


def test_env_mode_profile_with_its_variable_unset(cli, status, status_json, monkeypatch, home) -> None:
    _setup_b(cli, monkeypatch)
    tools = _by_tool(status_json())
    assert {t: tools[t]["key_source"] for t in TOOLS[1:]} == dict.fromkeys(TOOLS[1:], "$MYKEY")
    assert all(tools[t]["key"] is None for t in TOOLS)
    for tool in ("openclaw", "opencode"):
        key = [p for p in tools[tool]["problems"] if p["kind"] == "key"]
        assert len(key) == 1 and key[0]["message"].startswith("$MYKEY is not set in this environment"), key
    codex_lint = [p for p in tools["codex"]["problems"] if p["rule"] == "codex-env-key-unset"]
    assert codex_lint and codex_lint[0]["file"] == str(home / ".codex" / "config.toml")
    assert isinstance(codex_lint[0]["line"], int)
    claude = [p["message"] for p in tools["claude-code"]["problems"] if p["kind"] == "key"]
    assert len(claude) == 1 and 'export ANTHROPIC_AUTH_TOKEN="$MYKEY"' in claude[0]
    _, out, _ = status()
    assert "$MYKEY is not set in this environment" in _section(out, "OpenClaw")
    assert "warning codex-env-key-unset: " in _section(out, "Codex")
    assert f"({home}/.codex/config.toml:" in _section(out, "Codex")

    # with the variables set, the key is found (and shown masked), and those problems are gone
    short = "Qz7shortK9"  # under 12 characters: no part of it may be shown
    monkeypatch.setenv("MYKEY", short)
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", short)
    code, out, err = status("--json")
    assert short not in out and short not in err
    tools = _by_tool(json.loads(out))
    assert all(tools[t]["key"] == "****" for t in TOOLS), {t: tools[t]["key"] for t in TOOLS}
    assert all(p["kind"] != "key" and p.get("rule") != "codex-env-key-unset" for t in TOOLS
               for p in tools[t]["problems"])
    assert tools["claude-code"]["key_source"] == "$ANTHROPIC_AUTH_TOKEN in the environment"
    _, out, err = status()
    assert short not in out and short not in err
    assert "  key         ****  ($MYKEY)" in _section(out, "opencode")


def test_broken_settings_is_reported_with_line_and_column_and_exit_0(cli, status, status_json, home) -> None:
    _setup_a(cli)
    settings = home / ".claude" / "settings.json"
    settings.write_text('{\n  "env": {\n    "ANTHROPIC_MODEL": "m-main",,\n  }\n}\n')
    code, out, err = status()
    assert code == 0, err
    claude = _section(out, "Claude Code")
    assert claude.splitlines()[0].startswith("Claude Code: unreadable")
    assert f"{settings}:3:33: cannot parse this JSON file" in claude
    assert _section(out, "Codex").splitlines()[0] == "Codex: profile a"  # the others are still reported
    tools = _by_tool(status_json())
    assert tools["claude-code"]["state"] == "unreadable"
    parse = [p for p in tools["claude-code"]["problems"] if p["kind"] == "parse"]
    assert [(p["file"], p["line"], p["column"]) for p in parse] == [(str(settings), 3, 33)]


def test_provider_set_up_by_hand_is_unmanaged_and_a_short_key_is_fully_masked(status, status_json, home) -> None:
    short = "Qz7shortK9"
    (home / ".claude").mkdir()
    (home / ".claude" / "settings.json").write_text(json.dumps(
        {"env": {"ANTHROPIC_BASE_URL": "https://gw.example.com", "ANTHROPIC_AUTH_TOKEN": short}}))
    (home / ".codex").mkdir()
    (home / ".codex" / "config.toml").write_text(
        'model = "gw-model"\nmodel_provider = "gw"\n\n[model_providers.gw]\nname = "Gateway"\n'
        'base_url = "https://gw.example.com/v1"\nenv_key = "GW_KEY"\n')
    code, out, err = status()
    assert code == 0
    assert short not in out and short not in err
    assert _section(out, "Claude Code").splitlines()[0] == "Claude Code: not set up by configurator"
    assert "  key         ****  (ANTHROPIC_AUTH_TOKEN in " in _section(out, "Claude Code")
    assert _section(out, "Codex").splitlines()[0] == "Codex: not set up by configurator"
    assert _section(out, "OpenClaw").splitlines()[0].startswith("OpenClaw: official")
    assert out.splitlines()[0].startswith("Profiles: none saved yet (")
    opencode = home / ".config" / "opencode" / "opencode.json"
    opencode.parent.mkdir(parents=True)
    opencode.write_text('{\n  "model": "gw/x"\n  "small_model": "gw/y"\n}\n')  # no comma: broken
    tools = _by_tool(status_json())
    assert tools["opencode"]["state"] == "unreadable" and tools["opencode"]["files"] == [str(opencode)]
    assert [(p["line"], p["column"]) for p in tools["opencode"]["problems"] if p["kind"] == "parse"] == [(3, 3)]
    assert tools["codex"]["provider"] == "gw" and tools["codex"]["models"] == {"main": "gw-model"}
    assert tools["claude-code"]["key"] == "****"
    # Claude Code on Anthropic's own endpoint with nothing of ours: its official login
    (home / ".claude" / "settings.json").write_text(json.dumps({"env": {"ANTHROPIC_MODEL": "claude-opus-4-1"}}))
    tools = _by_tool(status_json())
    assert tools["claude-code"]["state"] == "official"
    assert tools["claude-code"]["models"]["main"] == "claude-opus-4-1"


def test_installed_tools_are_found_without_running_them(status_json, bare_path, home) -> None:
    """A tool on PATH is `installed`; status never runs it (not even `--version`, which lint would ask for
    a wire_api = "chat" config)."""
    ran = home / "ran"
    fake = bare_path / "codex"
    fake.write_text(f"#!/bin/sh\necho ran >> {ran}\necho 'codex-cli 0.90.0'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    (home / ".codex").mkdir()
    (home / ".codex" / "config.toml").write_text(
        'model = "m"\nmodel_provider = "gw"\n\n[model_providers.gw]\nname = "Gateway"\n'
        'base_url = "https://gw.example.com/v1"\nwire_api = "chat"\nenv_key = "GW_KEY"\n')
    tools = _by_tool(status_json())
    assert tools["codex"]["installed"] is True
    assert tools["claude-code"]["installed"] is False
    assert "codex-wire-api-chat" in {p["rule"] for p in tools["codex"]["problems"]}
    assert not ran.exists()


def test_json_shape_and_tool_selection(cli, status_json, home) -> None:
    _setup_a(cli)
    doc = status_json("--tool", "opencode", "--tool", "claude-code")
    assert doc["version"] == 1 and doc["command"] == "status" and doc["exit_code"] == 0
    assert doc["profiles_file"] == str(home / ".config" / "agent-configurator" / "profiles.toml")
    assert [t["tool"] for t in doc["tools"]] == ["claude-code", "opencode"]  # registry order
    for t in doc["tools"]:
        assert set(t) == {"tool", "name", "state", "profile", "provider", "provider_name", "base_url", "models",
                          "key_source", "key", "files", "hand_edits", "problems", "installed", "plan"}
        assert t["state"] in ("profile", "official", "edited", "unmanaged", "unreadable")
        assert isinstance(t["installed"], bool) and isinstance(t["files"], list)


def test_unknown_tool_is_bad_input(cli) -> None:
    code, out, err = cli("status", "--tool", "nope")
    assert code == 2
    assert "nope" in err


def test_a_key_read_by_a_helper_command_is_not_missing(status, status_json, home) -> None:
    """Claude Code's apiKeyHelper (what a keychain profile writes) gives the key when Claude Code starts: status
    does not run it and does not call the key missing."""
    (home / ".claude").mkdir()
    (home / ".claude" / "settings.json").write_text(json.dumps(
        {"apiKeyHelper": "print-my-key", "env": {"ANTHROPIC_BASE_URL": "https://gw.example.com"}}))
    claude = _by_tool(status_json())["claude-code"]
    assert claude["state"] == "unmanaged" and claude["key"] is None
    assert claude["key_source"] == "apiKeyHelper `print-my-key`"
    assert [p for p in claude["problems"] if p["kind"] == "key"] == []
    _, out, _ = status("--tool", "claude-code")
    assert "  key         read when the tool starts, by apiKeyHelper `print-my-key`" in out
    # without the helper, the missing key is a problem
    (home / ".claude" / "settings.json").write_text(json.dumps({"env": {"ANTHROPIC_BASE_URL": "https://gw.example.com"}}))
    claude = _by_tool(status_json())["claude-code"]
    assert [p["kind"] for p in claude["problems"]] == ["key"]


def test_the_plan_saved_on_the_active_profile_is_shown(cli, home) -> None:  # type: ignore[no-untyped-def]
    import tomlkit

    code, _, err = cli("setup", "--yes", "--api-key-stdin", "--tool", "claude-code", input=KNOWN_KEY + "\n")
    assert code == 0, err
    code, out, _ = cli("status")
    assert "plan        not set (`configurator plan set TIER --since DATE`" in out
    path = home / ".config" / "agent-configurator" / "profiles.toml"
    doc = tomlkit.parse(path.read_text())
    doc["profiles"]["atlascloud"]["plan"] = "starter"
    doc["profiles"]["atlascloud"]["plan_since"] = "2026-11-01"
    path.write_text(tomlkit.dumps(doc))
    code, out, _ = cli("status")
    assert "plan        starter since 2026-11-01" in out
    code, out, _ = cli("status", "--json")
    assert json.loads(out)["tools"][0]["plan"] == "starter since 2026-11-01"
