"""Golden files: the exact bytes `configurator setup` writes for the Atlas preset into an empty home.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/setup/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from setup_helpers import (
    CODEX_AUTH,
    CODEX_CONFIG,
    GOLDEN,
    KEY_PLACEHOLDER,
    KNOWN_KEY,
    OPENCLAW,
    OPENCODE,
    SETTINGS,
    STATE,
    default_mode,
    json_out,
    mode_of,
    parse_json5,
    parse_toml,
    snapshot,
)

ENV_ARGS = ("--key-storage", "env", "--api-key-env", "ATLAS_API_KEY")
#: golden name -> home-relative path, per key mode
WRITTEN = {
    "file": {"claude-settings.json": SETTINGS, "codex-config.toml": CODEX_CONFIG, "codex-auth.json": CODEX_AUTH,
             "openclaw.json": OPENCLAW, "opencode.json": OPENCODE},
    "env": {"claude-settings.json": SETTINGS, "codex-config.toml": CODEX_CONFIG, "openclaw.json": OPENCLAW,
            "opencode.json": OPENCODE},
}
#: what setup saves beside the agents' files: the profile, the record of owned keys, per-session files
PROFILE_FILES = (".config/agent-configurator/profiles.toml", ".config/agent-configurator/owned.json",
                 ".config/agent-configurator/sessions/atlascloud.claude-settings.json",
                 ".config/agent-configurator/sessions/atlascloud.opencode.json", ".codex/atlascloud.config.toml")
#: files that hold the key itself, per mode (0600); every other file keeps the default mode
SECRET_FILES = {"file": {SETTINGS, CODEX_AUTH, OPENCLAW, OPENCODE}, "env": set()}


def _setup(cli, mode: str) -> dict:
    if mode == "file":
        code, out, err = cli("setup", "--yes", "--json", "--api-key-stdin", input=KNOWN_KEY + "\n")
    else:
        code, out, err = cli("setup", "--yes", "--json", *ENV_ARGS)
    assert code == 0, err
    return json_out(out)


@pytest.mark.parametrize("mode", ["file", "env"])
def test_golden_files_from_empty_home(cli, home: Path, mode: str) -> None:
    result = _setup(cli, mode)
    written = WRITTEN[mode]
    assert sorted(f["path"] for f in result["files"]) == sorted(str(home / p) for p in written.values())
    assert {f["action"] for f in result["files"]} == {"created"}
    # setup lints what it wrote: no error finding, and lint did run
    assert not [n for n in result["notes"] if n.startswith("lint") and (" error " in n or "could not" in n)]
    # nothing else appears in the home but our own state folder, the saved profile and its per-session files
    others = [p for p in snapshot(home) if not p.startswith(STATE + "/")]
    assert sorted(others) == sorted([*written.values(), *PROFILE_FILES])
    for rel in PROFILE_FILES:
        secret = rel.endswith(("profiles.toml", "owned.json")) or (mode == "file" and rel.endswith(".opencode.json"))
        want = 0o600 if secret else default_mode()
        assert mode_of(home / rel) == want, f"{rel}: mode {mode_of(home / rel):o}, expected {want:o}"
    # the key is kept in the profile (file mode) and never in a per-session file that can run a helper instead
    for rel in PROFILE_FILES:
        text = (home / rel).read_text(encoding="utf-8")
        holds = KNOWN_KEY in text
        assert holds == (mode == "file" and rel.endswith(("profiles.toml", ".opencode.json"))), rel
    if mode == "env":
        assert not (home / CODEX_AUTH).exists(), "env key mode must not create auth.json"

    for name, rel in written.items():
        golden = GOLDEN / mode / name
        actual = (home / rel).read_text(encoding="utf-8")
        if os.environ.get("UPDATE_GOLDEN"):
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(actual.replace(KNOWN_KEY, KEY_PLACEHOLDER), encoding="utf-8")
        expected = golden.read_text(encoding="utf-8").replace(KEY_PLACEHOLDER, KNOWN_KEY)
        assert (home / rel).read_bytes() == expected.encode("utf-8"), f"{rel} differs from golden/{mode}/{name}"
        want = 0o600 if rel in SECRET_FILES[mode] else default_mode()
        assert mode_of(home / rel) == want, f"{rel}: mode {mode_of(home / rel):o}, expected {want:o}"


def test_golden_files_hold_the_key_only_in_file_mode() -> None:
    for name in WRITTEN["file"]:
        text = (GOLDEN / "file" / name).read_text(encoding="utf-8")
        if name != "codex-config.toml":
            assert KEY_PLACEHOLDER in text
        assert "sk-" not in text, "no real-looking key in a golden file"
    for name in WRITTEN["env"]:
        assert KEY_PLACEHOLDER not in (GOLDEN / "env" / name).read_text(encoding="utf-8")


def test_golden_values_match_the_documented_keys() -> None:
    """What we write uses only keys the tools document (Codex model_providers, OpenClaw models.providers)."""
    for mode in ("file", "env"):
        codex = parse_toml((GOLDEN / mode / "codex-config.toml").read_text(encoding="utf-8"))
        assert codex["model_provider"] == "atlascloud" and codex["model"] == "deepseek-ai/deepseek-v4-pro"
        table = codex["model_providers"]["atlascloud"]
        assert set(table) <= {"name", "base_url", "env_key", "wire_api", "requires_openai_auth"}
        assert table["base_url"] == "https://api.atlascloud.ai/v1" and table["wire_api"] == "responses"
        assert table["requires_openai_auth"] is (mode == "file")
        assert ("env_key" in table) is (mode == "env")

        claw = parse_json5((GOLDEN / mode / "openclaw.json").read_text(encoding="utf-8"))
        provider = claw["models"]["providers"]["atlascloud"]
        assert set(provider) == {"baseUrl", "apiKey", "api", "models"}
        assert provider["api"] == "openai-completions" and provider["baseUrl"] == "https://api.atlascloud.ai/v1"
        assert provider["apiKey"] == (KEY_PLACEHOLDER if mode == "file" else "${ATLAS_API_KEY}")
        for m in provider["models"]:
            assert set(m) == {"id", "name", "contextWindow", "maxTokens"}
            assert m["contextWindow"] >= 20000
        assert claw["agents"]["defaults"]["model"]["primary"] == "atlascloud/deepseek-ai/deepseek-v4-pro"

        import json

        env = json.loads((GOLDEN / mode / "claude-settings.json").read_text(encoding="utf-8"))["env"]
        assert env["ANTHROPIC_BASE_URL"] == "https://api.atlascloud.ai"
        assert all(isinstance(v, str) for v in env.values())
        assert ("ANTHROPIC_AUTH_TOKEN" in env) is (mode == "file")
