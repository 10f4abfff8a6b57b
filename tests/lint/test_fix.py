"""--fix: the file is fixed, a backup exists, unrelated bytes are unchanged, and a second lint is clean."""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from pathlib import Path

import pytest
from conftest import KNOWN_KEY

from configurator import paths

CLAUDE = """{
  "permissions": {"allow": ["Bash(npm test)"]},
  "ANTHROPIC_MODEL": "deepseek-ai/deepseek-v4-pro",
  "env": {
    "ANTHROPIC_BASE_URL": "https://api.atlascloud.ai/v1/",
    "API_TIMEOUT_MS": 600000,
    "DISABLE_TELEMETRY": true,
    "ANTHROPIC_SMALL_FAST_MODEL": "deepseek-ai/deepseek-v4-flash"
  },
  "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]}
}
"""
CODEX = """# my codex config
model = "deepseek-ai/deepseek-v4-pro"   # main model
model_provider = "atlascloud"

[model_providers.atlascloud]
name = "Atlas Cloud"
base_url = "https://api.atlascloud.ai"  # no /v1 yet
wire_api = "chat"
env_key = "ATLAS_API_KEY"

[mcp_servers.docs]
command = "npx"
"""
OPENCLAW = """// OpenClaw, hand-edited
{
  models: {
    providers: {
      atlascloud: {
        baseUrl: 'https://api.atlascloud.ai',  // single quotes stay
        api: "openai-completions",
        apiKey: "${ATLAS_API_KEY}",
        models: [
          { id: "deepseek-ai/deepseek-v4-pro", contextWindow: 1048576 },  // no name
        ],
      },
    },
  },
  channels: { telegram: { enabled: true } },
}
"""


def lint(cli, *args: str) -> tuple[int, str]:
    code, out, err = cli("lint", "--format", "json", *args)
    assert err == ""
    return code, out


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (("settings.json", CLAUDE), ("config.toml", CODEX), ("openclaw.json", OPENCLAW)):
        p = tmp_path / name
        p.write_text(text)
        out[name] = p
    return out


def test_fix_round_trip(cli, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_API_KEY", "sk-env-0123456789abcdef")
    before = {n: p.read_text() for n, p in files.items()}
    code, out, err = cli("lint", "--fix", "--codex-version", "0.171.0", *map(str, files.values()))
    assert err == "" and code == 0, out
    lines = out.splitlines()
    assert lines[-1] == "No problems found in 3 files."
    fixed = [ln for ln in lines if ": fixed: " in ln]
    assert len(fixed) == 3 and all("(backup " in ln for ln in fixed)

    claude = files["settings.json"].read_text()
    assert json.loads(claude) == {
        "permissions": {"allow": ["Bash(npm test)"]},
        "env": {"ANTHROPIC_BASE_URL": "https://api.atlascloud.ai", "API_TIMEOUT_MS": "600000",
                "DISABLE_TELEMETRY": "true", "ANTHROPIC_MODEL": "deepseek-ai/deepseek-v4-pro",
                "ANTHROPIC_DEFAULT_HAIKU_MODEL": "deepseek-ai/deepseek-v4-flash",
                # claude-model-tier-unmapped: the other tiers get the main model
                "ANTHROPIC_DEFAULT_OPUS_MODEL": "deepseek-ai/deepseek-v4-pro",
                "ANTHROPIC_DEFAULT_SONNET_MODEL": "deepseek-ai/deepseek-v4-pro",
                "ANTHROPIC_DEFAULT_FABLE_MODEL": "deepseek-ai/deepseek-v4-pro"},
        "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]},
    }
    # unrelated bytes unchanged
    assert claude.startswith('{\n  "permissions": {"allow": ["Bash(npm test)"]},\n  "env": {\n')
    assert claude.endswith('  },\n  "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]}\n}\n')

    codex = files["config.toml"].read_text()
    assert codex == before["config.toml"].replace(
        'base_url = "https://api.atlascloud.ai"  # no /v1 yet', 'base_url = "https://api.atlascloud.ai/v1"  # no /v1 yet'
    ).replace('wire_api = "chat"', 'wire_api = "responses"')

    oc = files["openclaw.json"].read_text()
    assert oc == before["openclaw.json"].replace(
        "baseUrl: 'https://api.atlascloud.ai',", 'baseUrl: "https://api.atlascloud.ai/v1",'
    ).replace('contextWindow: 1048576 }', 'contextWindow: 1048576, name: "deepseek-ai/deepseek-v4-pro" }')

    # backups hold the old bytes
    backups = list(paths.backups_dir().iterdir())
    assert len(backups) == 1
    stored = sorted(p.read_text() for p in backups[0].iterdir() if p.name != "manifest.json")
    assert stored == sorted(before.values())

    # second run: clean, nothing to fix, no new backup
    code, out, _ = cli("lint", "--fix", "--codex-version", "0.171.0", *map(str, files.values()))
    checked = "Checked 3 files: " + ", ".join(map(str, files.values()))
    assert code == 0 and out.strip() == f"{checked}\nNo problems found in 3 files."
    assert len(list(paths.backups_dir().iterdir())) == 1


def test_unsafe_fixes_are_only_reported(cli, tmp_path: Path) -> None:
    p = tmp_path / "settings.json"
    text = '{"env": {"ANTHROPIC_AUTH_TOKEN": "${A}", "ANTHROPIC_API_KEY": "${B}"}}\n'
    p.write_text(text)
    code, out = lint(cli, "--fix", "--fail-on", "warning", str(p))
    data = json.loads(out)
    assert code == 1 and data["fixes"] == [] and p.read_text() == text
    assert data["findings"][0]["fix"] == {"description": "remove env.ANTHROPIC_API_KEY", "safe": False}


def test_old_codex_keeps_chat(cli, tmp_path: Path) -> None:
    p = tmp_path / "config.toml"
    text = '[model_providers.x]\nname = "X"\nbase_url = "https://x.example/v1"\nwire_api = "chat"\n'
    p.write_text(text)
    code, out = lint(cli, "--fix", "--codex-version", "0.94.2", str(p))
    assert code == 0 and p.read_text() == text
    assert json.loads(out)["findings"][0]["severity"] == "warning"


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_chmod_fix(cli, tmp_path: Path) -> None:
    p = tmp_path / "auth.json"
    text = json.dumps({"OPENAI_API_KEY": KNOWN_KEY}) + "\n"
    p.write_text(text)
    os.chmod(p, 0o644)
    code, out, err = cli("lint", "--fail-on", "warning", str(p))
    assert code == 1 and "secret-file-permissions" in out and KNOWN_KEY not in out + err
    code, out, err = cli("lint", "--fix", "--fail-on", "warning", str(p))
    assert code == 0 and f"{p}: fixed: chmod 600" in out and KNOWN_KEY not in out + err
    assert stat.S_IMODE(p.stat().st_mode) == 0o600 and p.read_text() == text


def test_fix_refuses_a_file_that_changed_since_lint(tmp_path: Path) -> None:
    from configurator.lint import lint_paths
    from configurator.lint.fixer import apply_fixes

    p = tmp_path / "settings.json"
    p.write_text('{"env": {"ANTHROPIC_BASE_URL": "https://h/v1"}}')
    report = lint_paths([p])
    p.write_text('{"env": {"ANTHROPIC_BASE_URL": "https://other/v1"}}')
    (res,) = apply_fixes(report.files)
    assert res.action == "failed" and "changed" in (res.error or "")
    assert p.read_text() == '{"env": {"ANTHROPIC_BASE_URL": "https://other/v1"}}'


def test_dotted_toml_keys_are_fixed_in_place(cli, tmp_path: Path) -> None:
    p = tmp_path / "config.toml"
    p.write_text('model_providers.x.name = "X"  # dotted\nmodel_providers.x.base_url = "https://x.example"\n')
    code, out, err = cli("lint", "--fix", str(p))
    assert code == 0 and err == ""
    assert p.read_text() == 'model_providers.x.name = "X"  # dotted\nmodel_providers.x.base_url = "https://x.example/v1"\n'


def _apply(text: str, region: dict, inserted: str) -> str:
    """Apply one SARIF replacement (1-based lines and code-point columns, end exclusive) to ``text``."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    a = starts[region["startLine"] - 1] + region["startColumn"] - 1
    b = starts[region["endLine"] - 1] + region["endColumn"] - 1
    return text[:a] + inserted + text[b:]


def test_sarif_fixes_each_resolve_their_finding(cli, files: dict[str, Path], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Each SARIF result's fix, applied alone to the linted file, makes exactly that finding go away."""
    from jsonschema import Draft7Validator

    monkeypatch.setenv("ATLAS_API_KEY", "sk-env-0123456789abcdef")
    monkeypatch.chdir(tmp_path)
    names = list(files)
    code, out, _ = cli("lint", "--format", "sarif", "--codex-version", "0.171.0", *names)
    log = json.loads(out)
    schema = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text())
    assert list(Draft7Validator(schema).iter_errors(log)) == []
    before = {n: p.read_text() for n, p in files.items()}

    def findings(name: str, text: str) -> list[tuple[str, int, int]]:
        scratch = tmp_path / "scratch"
        scratch.mkdir(exist_ok=True)
        (scratch / name).write_text(text)
        _, got = lint(cli, "--codex-version", "0.171.0", str(scratch / name))
        return sorted((f["rule"], f["line"], f["column"]) for f in json.loads(got)["findings"])

    fixed = 0
    for result in log["runs"][0]["results"]:
        if "fixes" not in result:
            continue
        [fix] = result["fixes"]
        [change] = fix["artifactChanges"]
        name = change["artifactLocation"]["uri"]
        [rep] = change["replacements"]
        patched = _apply(before[name], rep["deletedRegion"], rep["insertedContent"]["text"])
        region = result["locations"][0]["physicalLocation"]["region"]
        gone = (result["ruleId"], region["startLine"], region["startColumn"])
        old, new = findings(name, before[name]), findings(name, patched)
        assert gone in old
        rules_old, rules_new = Counter(r for r, *_ in old), Counter(r for r, *_ in new)
        assert rules_new == rules_old - Counter([result["ruleId"]]), (fix["description"]["text"], old, new)
        fixed += 1
    # every safe fix of the three files: 8 in settings.json (base URL, two env types, a moved key, a renamed
    # variable, three unmapped model tiers), 2 in config.toml (base_url, wire_api), 2 in openclaw.json (baseUrl,
    # a model name)
    assert fixed == 12


def test_a_fix_on_a_file_whose_env_is_null_changes_nothing_and_never_crashes(cli, tmp_path: Path) -> None:
    f = tmp_path / "settings.json"
    f.write_text('{"env": null, "ANTHROPIC_MODEL": "x"}')
    code, out, err = cli("lint", "--fix", str(f))
    assert code == 1 and err == "" and "claude-env-misplaced" in out and "fixed:" not in out
    assert f.read_text() == '{"env": null, "ANTHROPIC_MODEL": "x"}'
