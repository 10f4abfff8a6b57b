"""`configurator setup --yes` and friends: what a script (or a user without a terminal) sees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from setup_helpers import (
    CLAUDE_STATE,
    CODEX_AUTH,
    CODEX_CONFIG,
    KNOWN_KEY,
    OPENCLAW,
    SETTINGS,
    assert_nothing_written,
    assert_only_lines_with,
    fake_tool,
    json_out,
    parse_json5,
    parse_toml,
    run,
    seed,
    snapshot,
)

KEY_IN = KNOWN_KEY + "\n"


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def _ok(cli, *args: str, input: str | None = KEY_IN) -> dict:
    code, out, err = cli("setup", "--yes", "--json", *args, input=input)
    assert code == 0, err
    return json_out(out)


def _fails(cli, *args: str, input: str | None = KEY_IN) -> str:
    code, out, err = cli("setup", *args, input=input)
    assert code == 2, (out, err)
    return _one_error_line(err)


# --- the key ----------------------------------------------------------------------------------------------------


def test_yes_without_a_key_names_both_flags(cli, home: Path) -> None:
    line = _fails(cli, "--yes", input=None)
    assert "--api-key-env" in line and "--api-key-stdin" in line
    assert_nothing_written(home, {})


@pytest.mark.parametrize("placeholder", ["your-atlas-api-key", "sk-xxxx", "  ", "<your-api-key>"])
def test_placeholder_key_is_refused(cli, home: Path, placeholder: str) -> None:
    line = _fails(cli, "--yes", "--api-key-stdin", input=placeholder + "\n")
    assert "placeholder" in line or "empty" in line
    assert_nothing_written(home, {})


@pytest.mark.parametrize("bad", ["sk-atlas 1234567890abcdef", "“sk-atlas-1234567890abcdef”", "sk-atlas-1234567890abcdéf"])
def test_key_with_spaces_quotes_or_non_ascii_is_refused(cli, home: Path, bad: str) -> None:
    line = _fails(cli, "--yes", "--api-key-stdin", input=bad + "\n")
    assert "copy-paste" in line and bad not in line
    assert_nothing_written(home, {})


def test_key_from_an_environment_variable(cli, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_ATLAS", KNOWN_KEY)
    _ok(cli, "--api-key-env", "MY_ATLAS", input=None)
    assert json.loads((home / CODEX_AUTH).read_text())["OPENAI_API_KEY"] == KNOWN_KEY


def test_unset_key_variable_is_named(cli) -> None:
    assert "MY_ATLAS" in _fails(cli, "--yes", "--api-key-env", "MY_ATLAS", input=None)


@pytest.mark.parametrize("storage", ["file", "env"])
def test_key_pasted_as_the_variable_name_is_never_echoed(cli, home: Path, storage: str) -> None:
    """A common slip: `--api-key-env sk-...`. The error explains it without printing the key."""
    line = _fails(cli, "--yes", "--key-storage", storage, "--api-key-env", KNOWN_KEY, input=None)
    assert "NAME of an environment variable" in line  # and (checked by the fixture) no key in it
    assert_nothing_written(home, {})


def test_not_a_terminal_without_yes_explains_yes() -> None:
    proc = run("setup", input="")  # stdin is a pipe: not a terminal
    assert proc.returncode == 2
    line = _one_error_line(proc.stderr)
    assert "--yes" in line and "terminal" in line


# --- providers and URLs -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("base", ["https://h", "https://h/v1", "https://h/", "https://h/v1/"])
def test_custom_base_url_derives_both_roots(cli, home: Path, base: str) -> None:
    _ok(cli, "--provider", "custom", "--base-url", base, "--model", "m1", "--api-key-stdin")
    env = json.loads((home / SETTINGS).read_text())["env"]
    assert env["ANTHROPIC_BASE_URL"] == "https://h"
    assert parse_toml((home / CODEX_CONFIG).read_text())["model_providers"]["custom"]["base_url"] == "https://h/v1"
    claw = parse_json5((home / OPENCLAW).read_text())
    assert claw["models"]["providers"]["custom"]["baseUrl"] == "https://h/v1"
    assert claw["agents"]["defaults"]["model"]["primary"] == "custom/m1"
    # no fast model given: the main one serves both; OpenClaw gets one model entry with the custom defaults
    assert env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] == "m1"
    assert claw["models"]["providers"]["custom"]["models"] == [
        {"id": "m1", "name": "m1", "contextWindow": 131072, "maxTokens": 8192}
    ]


def test_custom_base_url_with_another_path_needs_both_urls(cli, home: Path) -> None:
    line = _fails(cli, "--yes", "--provider", "custom", "--base-url", "https://h/api/v2", "--model", "m1",
                  "--api-key-stdin")
    assert "/api/v2" in line and "--anthropic-base-url" in line and "--openai-base-url" in line
    assert_nothing_written(home, {})
    _ok(cli, "--provider", "custom", "--anthropic-base-url", "https://h/api/anthropic", "--openai-base-url",
        "https://h/api/v2", "--model", "m1", "--api-key-stdin")
    assert json.loads((home / SETTINGS).read_text())["env"]["ANTHROPIC_BASE_URL"] == "https://h/api/anthropic"
    assert parse_toml((home / CODEX_CONFIG).read_text())["model_providers"]["custom"]["base_url"] == "https://h/api/v2"


def test_explicit_anthropic_url_loses_a_trailing_v1(cli, home: Path) -> None:
    _ok(cli, "--provider", "custom", "--anthropic-base-url", "https://h/anthropic/v1/", "--openai-base-url",
        "https://h/openai/v1", "--model", "m1", "--api-key-stdin")
    assert json.loads((home / SETTINGS).read_text())["env"]["ANTHROPIC_BASE_URL"] == "https://h/anthropic"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--provider", "custom", "--model", "m1"), "--base-url"),
        (("--provider", "custom", "--base-url", "https://h"), "--model"),
        (("--provider", "custom", "--anthropic-base-url", "https://h", "--model", "m1"), "both"),
        (("--provider", "custom", "--base-url", "ftp://h", "--model", "m1"), "http"),
        (("--provider", "custom", "--base-url", "https://h/v1?x=1", "--model", "m1"), "query"),
        (("--base-url", "https://h"), "custom"),
        (("--provider", "nope"), "atlascloud"),
    ],
)
def test_bad_provider_flags_are_one_clear_line(cli, home: Path, args: tuple[str, ...], needle: str) -> None:
    assert needle in _fails(cli, "--yes", "--api-key-stdin", *args)
    assert_nothing_written(home, {})


def test_plain_http_to_a_remote_host_is_noted(cli) -> None:
    notes = _ok(cli, "--provider", "custom", "--base-url", "http://gw.example.com", "--model", "m",
                "--api-key-stdin")["notes"]
    assert any("plain http" in n for n in notes)
    notes = _ok(cli, "--provider", "custom", "--base-url", "http://127.0.0.1:8080", "--model", "m",
                "--api-key-stdin")["notes"]
    assert not any("plain http" in n for n in notes)


def test_reserved_codex_provider_id_is_refused(cli, home: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A preset whose id Codex reserves (openai, ollama, ...) would make Codex refuse the whole config."""
    import configurator.providers as providers
    from configurator.resources import template_path

    folder = tmp_path / "providers"
    folder.mkdir()
    atlas = template_path("providers", "atlascloud.toml").read_text(encoding="utf-8")
    (folder / "ollama.toml").write_text(atlas.replace('id = "atlascloud"', 'id = "ollama"'), encoding="utf-8")
    monkeypatch.setattr(providers, "template_path", lambda *parts: folder.joinpath(*parts[1:]))
    line = _fails(cli, "--yes", "--provider", "ollama", "--api-key-stdin")
    assert "'ollama'" in line and "built into Codex" in line
    assert_nothing_written(home, {})  # not even Claude Code's file, which comes first


def test_no_shipped_preset_uses_a_reserved_codex_id() -> None:
    from configurator.agents.codex import RESERVED_PROVIDER_IDS as CODEX_RESERVED_IDS
    from configurator.providers import load_preset, preset_ids

    assert not {load_preset(i).id for i in preset_ids()} & CODEX_RESERVED_IDS


# --- Codex wire_api -----------------------------------------------------------------------------------------------


def test_wire_api_chat_accepted_for_old_codex(cli, home: Path, bare_path: Path) -> None:
    fake_tool(bare_path, "codex", "codex-cli 0.94.0")
    result = _ok(cli, "--tool", "codex", "--codex-wire-api", "chat", "--api-key-stdin")
    assert parse_toml((home / CODEX_CONFIG).read_text())["model_providers"]["atlascloud"]["wire_api"] == "chat"
    assert not any("not installed" in n for n in result["notes"])


@pytest.mark.parametrize("version", ["codex-cli 0.171.0", "codex-cli 0.95.0", None])
def test_wire_api_chat_refused_otherwise(cli, home: Path, bare_path: Path, version: str | None) -> None:
    if version:
        fake_tool(bare_path, "codex", version)
    line = _fails(cli, "--yes", "--tool", "codex", "--codex-wire-api", "chat", "--api-key-stdin")
    assert "0.95" in line and "responses" in line
    if version:
        assert version.split()[-1] in line
    else:
        assert "no codex" in line
    assert_nothing_written(home, {})


def test_another_provider_still_on_chat_is_noted(cli, home: Path) -> None:
    (home / ".codex").mkdir()
    (home / CODEX_CONFIG).write_text('[model_providers.gw]\nname = "GW"\nbase_url = "https://gw/v1"\n'
                                     'wire_api = "chat"\n', encoding="utf-8")
    notes = _ok(cli, "--tool", "codex", "--api-key-stdin")["notes"]
    assert any("[model_providers.gw]" in n and "0.95" in n for n in notes)


# --- Claude Code specifics -----------------------------------------------------------------------------------------


def test_claude_skip_login_from_empty_home(cli, home: Path) -> None:
    _ok(cli, "--tool", "claude-code", "--claude-skip-login", "--api-key-stdin")
    assert json.loads((home / CLAUDE_STATE).read_text()) == {"hasCompletedOnboarding": True}


def test_claude_skip_login_merges_only_that_key(cli, home: Path) -> None:
    old = seed(home, ["claude_state.json"])[CLAUDE_STATE].decode()
    _ok(cli, "--tool", "claude-code", "--claude-skip-login", "--api-key-stdin")
    new = (home / CLAUDE_STATE).read_text()
    assert_only_lines_with(old, new, ["hasCompletedOnboarding"])
    assert json.loads(new) == {**json.loads(old), "hasCompletedOnboarding": True}


def test_without_claude_skip_login_claude_json_is_left_alone(cli, home: Path) -> None:
    seed(home, ["claude_state.json"])
    before = snapshot(home)[CLAUDE_STATE]
    _ok(cli, "--tool", "claude-code", "--api-key-stdin")
    assert snapshot(home)[CLAUDE_STATE] == before


def test_conflicting_anthropic_api_key_is_removed_and_said(cli, home: Path) -> None:
    seed(home, ["claude_settings.json"])
    result = _ok(cli, "--tool", "claude-code", "--api-key-stdin")
    env = json.loads((home / SETTINGS).read_text())["env"]
    assert "ANTHROPIC_API_KEY" not in env
    assert any("Removed ANTHROPIC_API_KEY" in n for n in result["notes"])


def test_keep_anthropic_api_key(cli, home: Path) -> None:
    seed(home, ["claude_settings.json"])
    result = _ok(cli, "--tool", "claude-code", "--keep-anthropic-api-key", "--api-key-stdin")
    env = json.loads((home / SETTINGS).read_text())["env"]
    assert env["ANTHROPIC_API_KEY"] == "sk-ant-api03-conflicting-old-key-0000"
    assert env["ANTHROPIC_AUTH_TOKEN"] == KNOWN_KEY
    assert any("Kept ANTHROPIC_API_KEY" in n for n in result["notes"])


# --- installed or not ----------------------------------------------------------------------------------------------


def test_tool_not_installed_is_configured_with_a_note(cli, home: Path, bare_path: Path) -> None:
    fake_tool(bare_path, "claude", "2.1.332 (Claude Code)")
    result = _ok(cli, "--tool", "claude-code", "--tool", "openclaw", "--api-key-stdin")
    assert {f["tool"] for f in result["files"]} == {"claude-code", "openclaw"}
    assert (home / OPENCLAW).is_file() and not (home / ".codex").exists()
    not_installed = [n for n in result["notes"] if "not installed" in n]
    assert len(not_installed) == 1 and "OpenClaw" in not_installed[0] and "configured anyway" in not_installed[0]


def test_text_output_lists_files_backup_and_next_steps(cli, home: Path) -> None:
    code, out, err = cli("setup", "--yes", "--api-key-stdin", input=KEY_IN)
    assert code == 0, err
    for rel in (SETTINGS, CODEX_CONFIG, CODEX_AUTH, OPENCLAW):
        assert f"created   {home / rel}" in out
    assert "configurator restore" in out and "Next steps:" in out
    assert "note: OpenClaw is not installed" in out


# --- OpenClaw shapes -----------------------------------------------------------------------------------------------


def test_openclaw_model_as_plain_string_is_replaced_in_kind(cli, home: Path) -> None:
    """OpenClaw accepts `agents.defaults.model: "provider/model"`; setup updates it instead of refusing."""
    (home / ".openclaw").mkdir()
    (home / OPENCLAW).write_text('{\n  agents: { defaults: { model: "lm/qwen" } },\n}\n', encoding="utf-8")
    _ok(cli, "--tool", "openclaw", "--api-key-stdin")
    data = parse_json5((home / OPENCLAW).read_text())
    assert data["agents"]["defaults"]["model"] == "atlascloud/deepseek-ai/deepseek-v4-pro"


def test_openclaw_allowlist_without_our_model_is_noted(cli, home: Path) -> None:
    (home / ".openclaw").mkdir()
    (home / OPENCLAW).write_text('{ agents: { defaults: { models: { "lm/qwen": {} } } } }\n', encoding="utf-8")
    notes = _ok(cli, "--tool", "openclaw", "--api-key-stdin")["notes"]
    assert any("allowlist" in n and "atlascloud/deepseek-ai/deepseek-v4-pro" in n for n in notes)


# --- malformed files -----------------------------------------------------------------------------------------------

MALFORMED = {
    "settings.json": (SETTINGS, '{\n  "env": {\n    "A": "1",\n  }\n}\n', (4, 3)),
    "claude.json": (CLAUDE_STATE, '{\n  "numStartups": 3,,\n}\n', (2, 20)),
    "config.toml": (CODEX_CONFIG, 'model = "x"\n[model_providers.a\nname = "y"\n', (2, 19)),
    "auth.json": (CODEX_AUTH, '{"OPENAI_API_KEY": }\n', (1, 20)),
    "openclaw.json": (OPENCLAW, "{\n  // c\n  models: {\n    providers: { a: [1, 2 }\n  },\n}\n", (4, 27)),
    "openclaw-top-array": (OPENCLAW, "[1, 2]\n", (1, 1)),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_existing_file_changes_nothing(cli, home: Path, case: str) -> None:
    rel, text, (line, col) = MALFORMED[case]
    seed(home)  # every other file is valid and would be updated
    (home / rel).write_text(text, encoding="utf-8")
    before = snapshot(home)
    if case == "openclaw.json":  # once as a user runs it, in a subprocess
        proc = run("setup", "--yes", "--api-key-stdin", "--claude-skip-login", input=KEY_IN)
        code, err = proc.returncode, proc.stderr
    else:
        code, _, err = cli("setup", "--yes", "--api-key-stdin", "--claude-skip-login", input=KEY_IN)
    assert code == 2
    assert f"{home / rel}:{line}:{col}:" in _one_error_line(err)
    assert_nothing_written(home, before)


def test_a_key_we_must_write_into_that_is_not_an_object(cli, home: Path) -> None:
    (home / ".claude").mkdir()
    (home / SETTINGS).write_text('{"env": "oops"}\n', encoding="utf-8")
    before = snapshot(home)
    line = _fails(cli, "--yes", "--api-key-stdin")
    assert "`env`" in line and str(home / SETTINGS) in line
    assert_nothing_written(home, before)


# --- secrets registry ----------------------------------------------------------------------------------------------


def test_register_secrets_skips_references_and_names() -> None:
    from configurator import secrets
    from configurator.agents.base import register_secrets

    register_secrets({
        "env": {"ANTHROPIC_API_KEY": "sk-ant-real-secret-1", "DOCS_TOKEN_FILE": "/home/u/.tok", "X": "plain value"},
        "model_providers": {"a": {"env_key": "ATLAS_API_KEY", "name": "Some Token Provider"}},
        "gateway": {"auth": {"token": "${GATEWAY_TOKEN}"}},
        "tokens": {"refresh_token": "rt_abcdefgh123", "id_token": None},
        "list": [{"apiKey": "lm-secret-999"}],
    })
    text = secrets.redact("sk-ant-real-secret-1 rt_abcdefgh123 lm-secret-999 /home/u/.tok ATLAS_API_KEY "
                          "${GATEWAY_TOKEN} Some Token Provider")
    assert "sk-ant-real-secret-1" not in text and "rt_abcdefgh123" not in text and "lm-secret-999" not in text
    assert "/home/u/.tok ATLAS_API_KEY ${GATEWAY_TOKEN} Some Token Provider" in text


# --- where the files are -------------------------------------------------------------------------------------------


def test_config_location_variables_are_followed(cli, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CLAUDE_CONFIG_DIR (settings.json and .claude.json), CODEX_HOME, OPENCLAW_CONFIG_PATH, OPENCODE_CONFIG: verified
    with the real tools (tests/conformance/FINDINGS.md section 5, tests/conformance/test_opencode.py)."""
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(home / "cc"))
    monkeypatch.setenv("CODEX_HOME", str(home / "cx"))
    monkeypatch.setenv("OPENCLAW_CONFIG_PATH", str(home / "oc" / "my.json5"))
    monkeypatch.setenv("OPENCODE_CONFIG", str(home / "ocd" / "my-opencode.json"))
    result = _ok(cli, "--claude-skip-login", "--api-key-stdin")
    want = ["cc/settings.json", "cc/.claude.json", "cx/config.toml", "cx/auth.json", "oc/my.json5",
            "ocd/my-opencode.json"]
    assert [f["path"] for f in result["files"]] == [str(home / p) for p in want]
    assert not (home / ".claude").exists() and not (home / ".codex").exists() and not (home / ".openclaw").exists()
    assert not (home / ".config" / "opencode").exists()


def test_symlinked_config_stays_a_symlink(cli, home: Path) -> None:
    """Dotfile managers link ~/.claude/settings.json into a repo: the link stays, the target is updated."""
    real = home / "dotfiles" / "claude-settings.json"
    real.parent.mkdir()
    real.write_text('{"model": "opus"}\n', encoding="utf-8")
    (home / ".claude").mkdir()
    (home / SETTINGS).symlink_to(real)
    _ok(cli, "--tool", "claude-code", "--api-key-stdin")
    assert (home / SETTINGS).is_symlink()
    assert json.loads(real.read_text())["env"]["ANTHROPIC_AUTH_TOKEN"] == KNOWN_KEY


def test_internal_error_log_holds_no_key(cli, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even a bug's traceback (written to the error log) has the key masked."""
    import dataclasses

    from configurator.agents import AGENTS

    def boom(profile, tx, outcome):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"unexpected state while writing {profile.key}")

    monkeypatch.setitem(AGENTS, "codex", dataclasses.replace(AGENTS["codex"], apply=boom))
    code, out, err = cli("setup", "--yes", "--api-key-stdin", input=KEY_IN)
    assert code == 3 and "unexpected internal error" in err
    log = home / ".local" / "state" / "agent-configurator" / "logs" / "error.log"
    text = log.read_text(encoding="utf-8")
    assert "RuntimeError" in text and KNOWN_KEY not in text and "sk-…WXYZ" in text
    assert oct(log.stat().st_mode & 0o777) == oct(0o600)
    assert not (home / SETTINGS).exists(), "the preview failed, so nothing was written"


def test_dry_run_leaves_no_file_at_all_not_even_a_lock(cli, home) -> None:
    code, _, err = cli("setup", "--dry-run", "--key-storage", "env", "--api-key-env", "ATLAS_API_KEY")
    assert code == 0, err
    assert [p for p in home.rglob("*") if p.is_file()] == []


def test_a_read_only_settings_file_is_refused_unless_forced_and_stays_read_only(cli, home: Path) -> None:
    settings = home / SETTINGS
    settings.parent.mkdir(parents=True)
    settings.write_text('{"env": {}}\n')
    settings.chmod(0o444)
    line = _fails(cli, "--yes", "--tool", "claude-code", "--api-key-stdin")
    assert "read-only" in line and "--force" in line and settings.read_text() == '{"env": {}}\n'
    _ok(cli, "--tool", "claude-code", "--force", "--api-key-stdin")
    assert json.loads(settings.read_text())["env"]["ANTHROPIC_AUTH_TOKEN"] == KNOWN_KEY
    assert oct(settings.stat().st_mode & 0o777) == oct(0o400)  # read-only still (and a key file: owner only)
