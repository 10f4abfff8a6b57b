"""Merging into realistic existing files: only our keys change, every other byte stays; idempotence; dry run;
restore from the backup id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from setup_helpers import (
    CLAUDE_STATE,
    CODEX_AUTH,
    CODEX_CONFIG,
    FIXTURE_SECRETS,
    KNOWN_KEY,
    MASKED,
    OPENCLAW,
    OPENCODE,
    SETTINGS,
    STATE,
    assert_nothing_written,
    assert_only_lines_with,
    json_out,
    mode_of,
    parse_json5,
    parse_toml,
    run,
    seed,
    snapshot,
)

MAIN, FAST = "deepseek-ai/deepseek-v4-pro", "deepseek-ai/deepseek-v4-flash"
OUR_ENV = {
    "ANTHROPIC_AUTH_TOKEN": KNOWN_KEY,
    "ANTHROPIC_BASE_URL": "https://api.atlascloud.ai",
    "ANTHROPIC_MODEL": MAIN,
    "ANTHROPIC_DEFAULT_OPUS_MODEL": MAIN,
    "ANTHROPIC_DEFAULT_OPUS_MODEL_NAME": "DeepSeek V4 Pro",
    "ANTHROPIC_DEFAULT_SONNET_MODEL": MAIN,
    "ANTHROPIC_DEFAULT_SONNET_MODEL_NAME": "DeepSeek V4 Pro",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL": FAST,
    "ANTHROPIC_DEFAULT_HAIKU_MODEL_NAME": "DeepSeek V4 Flash",
    "ANTHROPIC_DEFAULT_FABLE_MODEL": MAIN,
    "ANTHROPIC_DEFAULT_FABLE_MODEL_NAME": "DeepSeek V4 Pro",
    "CLAUDE_CODE_SUBAGENT_MODEL": MAIN,
    "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS": "1",
}
#: per file: the only things a changed line may mention
TOKENS = {
    SETTINGS: (*OUR_ENV, "ANTHROPIC_API_KEY"),
    CLAUDE_STATE: ("hasCompletedOnboarding",),
    CODEX_CONFIG: ("model =", "model_provider =", "name = ", "base_url =", "env_key =", "wire_api =",
                   "requires_openai_auth =", "[model_providers.atlascloud]"),
    CODEX_AUTH: ("OPENAI_API_KEY",),
    OPENCLAW: ("atlascloud", "baseUrl", "apiKey", "api", "models", '"id"', '"name"', "contextWindow",
               "maxTokens", "primary"),
    OPENCODE: ("atlascloud", "npm", "name", "options", "baseURL", "apiKey", "models", "deepseek-ai/", "limit",
               "context", "output", "model", "small_model"),
}
SETUP = ("setup", "--yes", "--json", "--api-key-stdin", "--claude-skip-login")


@pytest.fixture
def seeded(home: Path) -> dict[str, bytes]:
    return seed(home)


@pytest.fixture
def setup(cli):
    """``setup(*extra)``: the flags run in-process (the subprocess path is covered by the dry-run/restore tests)."""

    def _setup(*extra: str) -> dict:
        code, out, err = cli(*SETUP, *extra, input=KNOWN_KEY + "\n")
        assert code == 0, err
        return json_out(out)

    return _setup


def _text(home: Path, rel: str) -> str:
    return (home / rel).read_text(encoding="utf-8")


def test_merge_keeps_every_unrelated_byte(setup, home: Path, seeded: dict[str, bytes]) -> None:
    result = setup()
    assert {f["path"]: f["action"] for f in result["files"]} == {str(home / p): "updated" for p in seeded}
    assert result["backup"] and all(f["backup"] == result["backup"] for f in result["files"])
    assert not [n for n in result["notes"] if n.startswith("lint") and (" error " in n or "could not" in n)]
    for rel, old in seeded.items():
        assert_only_lines_with(old.decode("utf-8"), _text(home, rel), TOKENS[rel])


def test_merge_data_is_ours_plus_all_of_the_users(setup, home: Path, seeded: dict[str, bytes]) -> None:
    setup()
    old = {rel: raw.decode("utf-8") for rel, raw in seeded.items()}

    # Claude Code settings: our env, the conflicting ANTHROPIC_API_KEY gone, the rest as it was (order too)
    want = json.loads(old[SETTINGS])
    del want["env"]["ANTHROPIC_API_KEY"]
    want["env"].update(OUR_ENV)
    got = json.loads(_text(home, SETTINGS))
    assert got == want and list(got) == list(want)
    assert list(got["env"])[:3] == ["BASH_DEFAULT_TIMEOUT_MS", "DISABLE_TELEMETRY", "ANTHROPIC_BASE_URL"]
    assert all(ln.startswith("    ") or ln in "{}" for ln in _text(home, SETTINGS).splitlines()[1:-1]), "4 spaces"

    # ~/.claude.json: exactly one key changed
    want = json.loads(old[CLAUDE_STATE])
    want["hasCompletedOnboarding"] = True
    assert json.loads(_text(home, CLAUDE_STATE)) == want

    # Codex config: top level + our table; the old wire_api="chat"/env_key replaced, other keys of it kept
    want = parse_toml(old[CODEX_CONFIG])
    want.update(model=MAIN, model_provider="atlascloud")
    table = want["model_providers"]["atlascloud"]
    del table["env_key"]
    table.update(name="Atlas Cloud", base_url="https://api.atlascloud.ai/v1", wire_api="responses",
                 requires_openai_auth=True)
    assert parse_toml(_text(home, CODEX_CONFIG)) == want
    for comment in ("# ~/.codex/config.toml — hand-maintained", "# the default model", "# Gateways I use",
                    "# old entry from an outdated guide"):
        assert comment in _text(home, CODEX_CONFIG)

    # auth.json: the key added, tokens and last_refresh kept
    want = json.loads(old[CODEX_AUTH])
    want["OPENAI_API_KEY"] = KNOWN_KEY
    assert json.loads(_text(home, CODEX_AUTH)) == want

    # OpenClaw: our provider and primary model; comments, channels, gateway, the other provider kept
    want = parse_json5(old[OPENCLAW])
    want["models"]["providers"]["atlascloud"] = {
        "baseUrl": "https://api.atlascloud.ai/v1",
        "apiKey": KNOWN_KEY,
        "api": "openai-completions",
        "models": [
            {"id": MAIN, "name": "DeepSeek V4 Pro", "contextWindow": 1048576, "maxTokens": 65536},
            {"id": FAST, "name": "DeepSeek V4 Flash", "contextWindow": 1048576, "maxTokens": 65536},
        ],
    }
    want["agents"]["defaults"]["model"]["primary"] = f"atlascloud/{MAIN}"
    text = _text(home, OPENCLAW)
    assert parse_json5(text) == want
    for comment in ("// OpenClaw config — edited by hand", "// accent colour of the apps 🦞", "// from env", "// my local box",
                    "// keep alive"):
        assert comment in text

    # files holding the key are 0600; config.toml and .claude.json keep their mode
    for rel in (SETTINGS, CODEX_AUTH, OPENCLAW):
        assert mode_of(home / rel) == 0o600, rel
    assert mode_of(home / CODEX_CONFIG) == 0o644 and mode_of(home / CLAUDE_STATE) == 0o644


def test_second_run_is_unchanged_byte_for_byte(setup, home: Path, seeded: dict[str, bytes]) -> None:
    setup()
    before = snapshot(home)
    again = setup()
    assert [f["action"] for f in again["files"]] == ["unchanged"] * len(seeded)
    assert again["backup"] is None and all(f["backup"] is None for f in again["files"])
    after = snapshot(home)
    assert {p: v for p, v in after.items() if "/locks/" not in p} == {
        p: v for p, v in before.items() if "/locks/" not in p
    }


def test_second_run_from_empty_home_is_unchanged(setup, home: Path) -> None:
    setup()
    before = snapshot(home)
    again = setup()
    assert {f["action"] for f in again["files"]} == {"unchanged"}
    assert snapshot(home) == before


def test_rerun_tightens_a_loose_key_file_mode(setup, home: Path) -> None:
    setup()
    (home / CODEX_AUTH).chmod(0o644)
    result = setup()
    assert {f["action"] for f in result["files"]} == {"unchanged"}
    assert mode_of(home / CODEX_AUTH) == 0o600
    assert any(str(home / CODEX_AUTH) in n and "600" in n for n in result["notes"])


def test_dry_run_writes_nothing_and_masks_the_key(home: Path, seeded: dict[str, bytes]) -> None:
    before = snapshot(home)
    proc = run("setup", "--dry-run", "--api-key-stdin", "--claude-skip-login", input=KNOWN_KEY + "\n")
    assert proc.returncode == 0, proc.stderr
    assert_nothing_written(home, before)
    out = proc.stdout
    assert f'"ANTHROPIC_AUTH_TOKEN": "{MASKED}"' in out
    assert f'"OPENAI_API_KEY": "{MASKED}"' in out
    assert '-        "ANTHROPIC_API_KEY": "sk-…0000",' in out  # the removed conflicting key: masked too
    assert "Dry run: nothing was written." in out
    for rel in seeded:
        assert f"would be updated {home / rel}" in out
    for secret in FIXTURE_SECRETS:  # secrets already in the user's files are not printed either
        assert secret not in out


def test_dry_run_json_reports_would_be_actions(cli, home: Path, seeded: dict[str, bytes]) -> None:
    before = snapshot(home)
    code, out, err = cli("setup", "--dry-run", "--json", "--api-key-stdin", input=KNOWN_KEY + "\n")
    assert code == 0, err
    data = json_out(out)
    assert data["dry_run"] is True and data["backup"] is None
    assert {f["action"] for f in data["files"]} == {"updated"}
    assert all(f["backup"] is None for f in data["files"])
    assert_nothing_written(home, before)


def test_backup_id_restores_the_original_bytes(setup, home: Path, seeded: dict[str, bytes]) -> None:
    modes = {rel: mode_of(home / rel) for rel in seeded}
    backup = setup()["backup"]
    assert (home / STATE / "backups" / backup).is_dir()
    proc = run("restore", backup)
    assert proc.returncode == 0, proc.stderr
    for rel, raw in seeded.items():
        assert (home / rel).read_bytes() == raw, rel
        assert mode_of(home / rel) == modes[rel], rel


def test_backup_id_from_empty_home_removes_what_setup_created(setup, cli, home: Path) -> None:
    backup = setup()["backup"]
    assert cli("restore", backup)[0] == 0
    others = [p for p in snapshot(home) if not p.startswith(STATE + "/")]
    assert others == []


@pytest.mark.parametrize("rel", [SETTINGS, CODEX_CONFIG, CODEX_AUTH, OPENCLAW])
def test_each_file_alone_merges_cleanly(setup, home: Path, rel: str) -> None:
    """One existing file at a time (the others created): the same byte guarantee holds."""
    name = {SETTINGS: "claude_settings.json", CODEX_CONFIG: "codex_config.toml", CODEX_AUTH: "codex_auth.json",
            OPENCLAW: "openclaw.json"}[rel]
    old = seed(home, [name])[rel].decode("utf-8")
    setup()
    assert_only_lines_with(old, _text(home, rel), TOKENS[rel])


def test_env_mode_after_file_mode_removes_the_stored_token(setup, cli, home: Path,
                                                           seeded: dict[str, bytes]) -> None:
    setup()
    code, out, err = cli("setup", "--yes", "--json", "--key-storage", "env", "--api-key-env", "ATLAS_API_KEY")
    assert code == 0, err
    env = json.loads(_text(home, SETTINGS))["env"]
    assert "ANTHROPIC_AUTH_TOKEN" not in env and env["DISABLE_TELEMETRY"] == "1"
    table = parse_toml(_text(home, CODEX_CONFIG))["model_providers"]["atlascloud"]
    assert table["env_key"] == "ATLAS_API_KEY" and table["requires_openai_auth"] is False
    assert parse_json5(_text(home, OPENCLAW))["models"]["providers"]["atlascloud"]["apiKey"] == "${ATLAS_API_KEY}"
    notes = " ".join(json_out(out)["notes"])
    assert "ANTHROPIC_AUTH_TOKEN" in notes and str(home / CODEX_AUTH) in notes


def test_user_model_fields_in_our_openclaw_entries_are_kept(setup, home: Path) -> None:
    """An existing entry for our provider: fields the user added to our models (reasoning, cost) stay."""
    path = home / OPENCLAW
    path.parent.mkdir(parents=True)
    path.write_text(
        "{\n  models: {\n    providers: {\n      atlascloud: {\n        baseUrl: \"https://api.atlascloud.ai/v1\",\n"
        f"        apiKey: \"old\",\n        api: \"openai-completions\",\n        models: [\n"
        f"          {{ id: \"{MAIN}\", name: \"Pro\", reasoning: true, contextWindow: 1000, maxTokens: 10 }},\n"
        "          { id: \"other/model\", name: \"Other\", contextWindow: 32000, maxTokens: 4096 },\n"
        "        ],\n      },\n    },\n  },\n}\n",
        encoding="utf-8",
    )
    setup("--tool", "openclaw")
    models = parse_json5(path.read_text(encoding="utf-8"))["models"]["providers"]["atlascloud"]["models"]
    assert [m["id"] for m in models] == [MAIN, FAST, "other/model"]
    assert models[0] == {"id": MAIN, "name": "DeepSeek V4 Pro", "reasoning": True, "contextWindow": 1048576,
                         "maxTokens": 65536}




CODEX_LAYOUTS = {
    "tables only": '[mcp_servers.docs]\ncommand = "npx"\n\n[tui]\nnotifications = true\n',
    "dotted keys": 'model = "o3"\nmodel_providers.gw.name = "GW"\nmodel_providers.gw.base_url = "https://gw/v1"\n',
    "inline table": 'model = "o3"\nmodel_providers = { gw = { name = "GW", base_url = "https://gw/v1" } }\n',
    "inline provider": '[model_providers]\natlascloud = { name = "Old", base_url = "https://old/v1", env_key = "X" }\n',
    "crlf": '# mine\r\nmodel = "o3"\r\n\r\n[tui]\r\nnotifications = true\r\n',
    "no final newline": 'model = "o3"',
    "comments only": "# nothing here yet\n",
}


@pytest.mark.parametrize("layout", sorted(CODEX_LAYOUTS))
def test_codex_layouts(setup, home: Path, layout: str) -> None:
    """TOML layouts tomlkit finds awkward: the result holds our data and the user's, and a rerun is a no-op."""
    old = CODEX_LAYOUTS[layout]
    (home / ".codex").mkdir()
    (home / CODEX_CONFIG).write_bytes(old.encode())
    setup("--tool", "codex")
    new = (home / CODEX_CONFIG).read_bytes().decode()
    data = parse_toml(new)
    assert data["model_provider"] == "atlascloud" and data["model"] == MAIN
    table = data["model_providers"]["atlascloud"]
    assert table["base_url"] == "https://api.atlascloud.ai/v1" and table["requires_openai_auth"] is True
    assert "env_key" not in table
    want = parse_toml(old)
    for key in ("mcp_servers", "tui"):
        assert data.get(key) == want.get(key)
    if "gw" in want.get("model_providers", {}):
        assert data["model_providers"]["gw"] == want["model_providers"]["gw"]
    if layout == "crlf":
        assert new.count("\n") == new.count("\r\n"), "no mixed line endings"
    assert_only_lines_with(old, new, TOKENS[CODEX_CONFIG] + ("model_providers",))
    before = snapshot(home)
    assert {f["action"] for f in setup("--tool", "codex")["files"]} == {"unchanged"}
    assert snapshot(home) == before
