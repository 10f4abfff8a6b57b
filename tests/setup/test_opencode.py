"""opencode: what `configurator setup --tool opencode` writes into a hand-edited JSONC opencode.json (every other
byte and comment kept), key storage, modes, idempotence, where the file is, and what verify reads back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from setup_helpers import (
    FIXTURES,
    KNOWN_KEY,
    OPENCODE,
    assert_only_lines_with,
    changed_chunks,
    default_mode,
    json_out,
    mode_of,
    parse_json5,
    seed,
    snapshot,
)

from configurator.agents import opencode
from configurator.lint.rules.opencode import jsonc_error

MAIN, FAST = "deepseek-ai/deepseek-v4-pro", "deepseek-ai/deepseek-v4-flash"
FILE_ARGS = ("setup", "--yes", "--json", "--tool", "opencode", "--api-key-stdin")
ENV_ARGS = ("setup", "--yes", "--json", "--tool", "opencode", "--key-storage", "env", "--api-key-env", "ATLAS_API_KEY")
OURS = ("atlascloud", "npm", "name", "options", "baseURL", "apiKey", "models", "deepseek-ai/", "limit", "context",
        "output", "model", "small_model")
ENTRY = {
    "npm": "@ai-sdk/openai-compatible",
    "name": "Atlas Cloud",
    "options": {"baseURL": "https://api.atlascloud.ai/v1", "apiKey": KNOWN_KEY},
    "models": {
        MAIN: {"name": "DeepSeek V4 Pro", "limit": {"context": 1048576, "output": 65536}},
        FAST: {"name": "DeepSeek V4 Flash", "limit": {"context": 1048576, "output": 65536}},
    },
}


def _file_mode(cli) -> dict:
    code, out, err = cli(*FILE_ARGS, input=KNOWN_KEY + "\n")
    assert code == 0, err
    assert KNOWN_KEY not in out + err
    return json_out(out)


def _env_mode(cli) -> dict:
    code, out, err = cli(*ENV_ARGS)
    assert code == 0, err
    return json_out(out)


def test_merge_into_a_hand_edited_jsonc_file_keeps_every_unrelated_byte(cli, home: Path) -> None:
    old = seed(home, ["opencode.json"])[OPENCODE].decode("utf-8")
    result = _file_mode(cli)
    assert [(f["path"], f["action"]) for f in result["files"]] == [(str(home / OPENCODE), "updated")]
    new = (home / OPENCODE).read_text(encoding="utf-8")
    assert_only_lines_with(old, new, OURS)
    # the only line of the user's that changed is `model` (its trailing comment kept); nothing was removed
    assert [(o, n) for o, n in changed_chunks(old, new) if o] == [
        (['  "model": "openrouter/moonshotai/kimi-k2", // until now'],
         [f'  "model": "atlascloud/{MAIN}", // until now'])]
    for comment in ("// ~/.config/opencode/opencode.json — edited by hand", "// tell me, do not update behind",
                    "/* documentation search, local */", "// my OpenRouter account"):
        assert comment in new
    want = parse_json5(old)
    want["provider"]["atlascloud"] = ENTRY
    want["model"], want["small_model"] = f"atlascloud/{MAIN}", f"atlascloud/{FAST}"
    assert parse_json5(new) == want
    assert jsonc_error(new) is None, "still JSONC: opencode reads no JSON5-only syntax"
    assert new.count(",\n") > old.count(",\n") and "},\n  }," in new  # the file's trailing-comma style kept
    assert mode_of(home / OPENCODE) == 0o600


def test_env_mode_writes_an_env_reference_and_no_key(cli, home: Path) -> None:
    result = _env_mode(cli)
    text = (home / OPENCODE).read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["provider"]["atlascloud"]["options"]["apiKey"] == "{env:ATLAS_API_KEY}"
    assert data["$schema"] == "https://opencode.ai/config.json"
    assert "sk-" not in text
    assert mode_of(home / OPENCODE) == default_mode()  # no key in it: not a secret file
    assert any("{env:ATLAS_API_KEY}" in n for n in result["notes"])


def test_file_mode_is_0600_even_when_the_file_was_0644(cli, home: Path) -> None:
    seed(home, ["opencode.json"])
    assert mode_of(home / OPENCODE) == 0o644
    _file_mode(cli)
    assert mode_of(home / OPENCODE) == 0o600
    assert json.loads(json.dumps(parse_json5((home / OPENCODE).read_text())))["provider"]["atlascloud"][
        "options"]["apiKey"] == KNOWN_KEY


@pytest.mark.parametrize("mode", ["file", "env"])
def test_second_run_is_byte_identical(cli, home: Path, mode: str) -> None:
    seed(home, ["opencode.json"])
    run = _file_mode if mode == "file" else _env_mode
    run(cli)
    before = snapshot(home)
    again = run(cli)
    assert [f["action"] for f in again["files"]] == ["unchanged"] and again["backup"] is None
    assert {p: v for p, v in snapshot(home).items() if "/locks/" not in p} == {
        p: v for p, v in before.items() if "/locks/" not in p}


def test_switching_to_env_mode_replaces_the_key_with_a_reference(cli, home: Path) -> None:
    _file_mode(cli)
    _env_mode(cli)
    text = (home / OPENCODE).read_text(encoding="utf-8")
    assert KNOWN_KEY not in text and '"apiKey": "{env:ATLAS_API_KEY}"' in text


def test_an_existing_opencode_jsonc_is_the_file_written(cli, home: Path) -> None:
    """opencode creates ~/.config/opencode/opencode.jsonc itself on its first run; setup then writes that file."""
    folder = home / ".config" / "opencode"
    folder.mkdir(parents=True)
    (folder / "opencode.jsonc").write_text('{\n  "$schema": "https://opencode.ai/config.json"\n}', encoding="utf-8")
    result = _env_mode(cli)
    assert [f["path"] for f in result["files"]] == [str(folder / "opencode.jsonc")]
    assert not (folder / "opencode.json").exists()


def test_xdg_config_home_is_followed(cli, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg"))
    result = _env_mode(cli)
    assert [f["path"] for f in result["files"]] == [str(home / "xdg" / "opencode" / "opencode.json")]


def test_a_non_object_provider_is_refused_and_nothing_is_written(cli, home: Path) -> None:
    target = home / OPENCODE
    target.parent.mkdir(parents=True)
    target.write_text('{"provider": {"atlascloud": "oops"}}\n', encoding="utf-8")
    code, _, err = cli(*ENV_ARGS)
    assert code == 2 and "provider.atlascloud" in err and "Nothing was written" in err
    assert target.read_text(encoding="utf-8") == '{"provider": {"atlascloud": "oops"}}\n'


def test_notes_when_the_provider_is_turned_off(cli, home: Path) -> None:
    target = home / OPENCODE
    target.parent.mkdir(parents=True)
    target.write_text('{"enabled_providers": ["anthropic"], "disabled_providers": ["atlascloud"]}\n', encoding="utf-8")
    notes = " ".join(_env_mode(cli)["notes"])
    assert "enabled_providers does not list 'atlascloud'" in notes and "disabled_providers lists 'atlascloud'" in notes


# --- what verify reads back (the request opencode would send) ------------------------------------------------


def test_active_provider_after_setup_env_mode(cli, home: Path) -> None:
    _env_mode(cli)
    probe = opencode.active({"HOME": str(home), "ATLAS_API_KEY": KNOWN_KEY})
    assert probe is not None
    assert (probe.protocol, probe.url, probe.model, probe.key, probe.key_source, probe.auth_header) == (
        "openai-chat", "https://api.atlascloud.ai/v1/chat/completions", MAIN, KNOWN_KEY, "$ATLAS_API_KEY", "bearer")
    assert opencode.active({"HOME": str(home)}).key is None  # type: ignore[union-attr]


def test_active_provider_resolves_file_references_and_the_custom_config(home: Path, tmp_path: Path) -> None:
    key_file = home / ".secrets" / "atlas"
    key_file.parent.mkdir()
    key_file.write_text(KNOWN_KEY + "\n", encoding="utf-8")
    glob = home / OPENCODE
    glob.parent.mkdir(parents=True)
    glob.write_text(json.dumps({"provider": {"gw": {"options": {"baseURL": "https://gw.example.com/v1/",
                                                                "apiKey": "{file:~/.secrets/atlas}"},
                                                    "models": {"m": {"id": "vendor/m-2026"}}}},
                                "model": "gw/m"}), encoding="utf-8")
    custom = tmp_path / "more.json"
    custom.write_text('{"provider": {"gw": {"npm": "@ai-sdk/anthropic"}}}', encoding="utf-8")
    env = {"HOME": str(home), "OPENCODE_CONFIG": str(custom)}
    probe = opencode.active(env)
    assert probe is not None
    assert (probe.protocol, probe.url, probe.model, probe.key, probe.auth_header) == (
        "anthropic-messages", "https://gw.example.com/v1/messages", "vendor/m-2026", KNOWN_KEY, "x-api-key")
    assert probe.key_source == f"the file {key_file}"
    assert opencode.active({"HOME": str(tmp_path / "nobody")}) is None


def test_active_provider_explains_an_undefined_provider(home: Path) -> None:
    from configurator.errors import ConfiguratorError

    glob = home / OPENCODE
    glob.parent.mkdir(parents=True)
    glob.write_text('{"model": "anthropic/claude-sonnet-4-5"}', encoding="utf-8")
    with pytest.raises(ConfiguratorError, match="names provider 'anthropic'"):
        opencode.active({"HOME": str(home)})


def test_the_fixture_is_a_realistic_jsonc_file() -> None:
    text = (FIXTURES / "opencode.json").read_text(encoding="utf-8")
    assert jsonc_error(text) is None and "//" in text and "/*" in text and ",\n  }," in text
