"""The core API other commands call: lint_text / lint_paths, selection, versions, masking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import KNOWN_KEY

from configurator.errors import ConfiguratorError
from configurator.lint import lint_paths, lint_text

CHAT = '[model_providers.x]\nname = "X"\nbase_url = "https://x.example/v1"\nwire_api = "chat"\n'


def test_lint_text_returns_findings_with_positions() -> None:
    findings = lint_text('{"env": {"ANTHROPIC_BASE_URL": "https://h/v1"}}', "claude-settings", "settings.json")
    assert [(f.rule, f.line, f.column, f.severity) for f in findings] == [("claude-base-url-v1-suffix", 1, 32, "error")]
    d = findings[0].to_dict()
    assert d["fix"] == {"description": 'ANTHROPIC_BASE_URL -> "https://h"', "safe": True}
    assert set(d) == {"rule", "severity", "file", "line", "column", "message", "fix"}


def test_kind_from_file_name_or_alias() -> None:
    assert lint_text("{}", "settings.json", "x") == []
    with pytest.raises(ConfiguratorError, match="--kind"):
        lint_text("{}", "nope", "x")


def test_codex_version_given_wins_and_installed_is_asked_only_when_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    import configurator.tools as tools
    from configurator.agents.base import Agent

    calls: list[str] = []

    def fake_installed(agent: Agent, **_: object) -> tools.Installed:
        calls.append(agent.id)
        return tools.Installed(agent.id, "/usr/bin/codex", "0.90.1")

    monkeypatch.setattr(tools, "installed", fake_installed)
    assert lint_text('model = "m"\n', "codex-config", "config.toml") == []
    assert calls == []  # no chat provider: codex --version is never run
    (f,) = lint_text(CHAT, "codex-config", "config.toml", select=["codex-wire-api-chat"])
    assert f.severity == "warning" and "0.90.1" in f.message and calls == ["codex"]
    (f,) = lint_text(CHAT, "codex-config", "config.toml", select=["codex-wire-api-chat"], codex_version="0.171.0")
    assert f.severity == "error" and calls == ["codex"]


def test_codex_not_installed_means_current_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    import configurator.tools as tools

    monkeypatch.setattr(tools, "installed", lambda agent, **_: tools.Installed(agent.id, None, None))
    (f,) = lint_text(CHAT, "codex-config", "config.toml", select=["codex-wire-api-chat"])
    assert f.severity == "error"


def test_select_ignore_and_prefixes() -> None:
    text = '{"ANTHROPIC_MODEL": "m", "env": {"ANTHROPIC_BASE_URL": "https://h/v1"}}'
    rules = lambda **kw: sorted(f.rule for f in lint_text(text, "claude-settings", "s.json", **kw))  # noqa: E731
    tiers = ["claude-model-tier-unmapped"] * 4  # "m" at a third-party URL, no tier mapped
    assert rules() == ["claude-base-url-v1-suffix", "claude-env-misplaced", *tiers]
    assert rules(select=["claude-env-misplaced"]) == ["claude-env-misplaced"]
    assert rules(ignore=["claude-env-misplaced", "claude-model-tier-unmapped"]) == ["claude-base-url-v1-suffix"]
    assert rules(select=["claude"]) == ["claude-base-url-v1-suffix", "claude-env-misplaced", *tiers]
    assert rules(select=["codex"]) == []
    with pytest.raises(ConfiguratorError, match="unknown rule 'nope'"):
        rules(select=["nope"])


def test_semantic_rule_supersedes_schema_at_same_key() -> None:
    findings = lint_text('{"env": {"API_TIMEOUT_MS": 5}}', "claude-settings", "s.json")
    assert [f.rule for f in findings] == ["claude-env-not-string"]
    findings = lint_text('{"env": {"API_TIMEOUT_MS": 5}}', "claude-settings", "s.json", select=["schema"])
    assert [f.rule for f in findings] == ["schema"]


def test_secrets_are_masked_in_every_message(tmp_path: Path) -> None:
    text = json.dumps({"env": {"ANTHROPIC_AUTH_TOKEN": 5, "ANTHROPIC_API_KEY": KNOWN_KEY},
                       "ANTHROPIC_AUTH_TOKEN": KNOWN_KEY})
    p = tmp_path / ".claude" / "settings.json"
    p.parent.mkdir()
    p.write_text(text)
    report = lint_paths([p], cwd=tmp_path)
    assert report.findings
    for f in report.findings:
        assert KNOWN_KEY not in f.message
    assert any("sk-…WXYZ" in f.message for f in report.findings)


def test_lint_paths_errors_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfiguratorError, match="does not exist"):
        lint_paths([tmp_path / "missing.json"])
    with pytest.raises(ConfiguratorError, match="folder"):
        lint_paths([tmp_path])
    odd = tmp_path / "my-config.txt"
    odd.write_text("{}")
    with pytest.raises(ConfiguratorError, match="--kind"):
        lint_paths([odd])
    assert lint_paths([odd], kinds="claude-settings").findings == []


def test_invalid_utf8_is_a_parse_error(tmp_path: Path) -> None:
    p = tmp_path / "settings.json"
    p.write_bytes(b'{"env": {"A": "\xff"}}')
    (f,) = lint_paths([p]).findings
    assert (f.rule, f.line, f.column) == ("parse-error", 1, 16)
