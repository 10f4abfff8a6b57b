"""`configurator lint` as a user runs it: formats, exit codes, selection, --explain, colour."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

from configurator.lint.reporters import escape_data, escape_property

HERE = Path(__file__).resolve().parent
BAD = '{\n  "env": {\n    "ANTHROPIC_BASE_URL": "https://api.atlascloud.ai/v1",\n    "X": 1\n  }\n}\n'
WARN = '{"env": {"ANTHROPIC_SMALL_FAST_MODEL": "m"}}\n'


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    p = tmp_path / "settings.json"
    p.write_text(BAD)
    return p


@pytest.fixture
def warn(tmp_path: Path) -> Path:
    p = tmp_path / "warn" / "settings.json"
    p.parent.mkdir()
    p.write_text(WARN)
    return p


def test_text_format_and_exit_1(cli, bad: Path) -> None:
    code, out, err = cli("lint", str(bad))
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert lines[0] == (f"{bad}:3:27: error claude-base-url-v1-suffix ANTHROPIC_BASE_URL \"https://api.atlascloud.ai/v1\" "
                        "ends with /v1, so Claude Code posts to /v1/v1/messages. Fix: use \"https://api.atlascloud.ai\".")
    assert lines[1].startswith(f"{bad}:4:10: error claude-env-not-string ")
    assert lines[-1] == "Found 2 errors in 1 file; 2 fixable with --fix."
    assert "\x1b[" not in out  # not a terminal: no colour


def test_colour_only_when_asked_and_no_color_wins(cli, bad: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, out, _ = cli("lint", str(bad))
    assert "\x1b[31merror\x1b[0m" in out
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = cli("lint", str(bad))
    assert "\x1b[" not in out


def test_fail_on(cli, warn: Path) -> None:
    assert cli("lint", str(warn))[0] == 0
    assert cli("lint", "--fail-on", "warning", str(warn))[0] == 1
    assert cli("lint", "--fail-on", "error", str(warn))[0] == 0


def test_select_and_ignore(cli, bad: Path) -> None:
    code, out, _ = cli("lint", "--select", "claude-env-not-string", str(bad))
    assert code == 1 and "claude-base-url-v1-suffix" not in out and "claude-env-not-string" in out
    code, out, _ = cli("lint", "--ignore", "claude-base-url-v1-suffix,claude-env-not-string", str(bad))
    # with the semantic rule off, the schema reports the non-string env value itself
    assert code == 1 and "error schema $.env.X must be a string, not an integer" in out
    code, out, _ = cli("lint", "--ignore", "claude-base-url-v1-suffix", "--ignore", "claude-env-not-string,schema", str(bad))
    assert code == 0 and "No problems found in 1 file." in out
    code, out, err = cli("lint", "--select", "no-such-rule", str(bad))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "no-such-rule" in err


def test_json_format(cli, bad: Path) -> None:
    for args in (("--format", "json"), ("--json",)):
        code, out, _ = cli("lint", *args, str(bad))
        data = json.loads(out)
        assert code == 1 and data["version"] == 1 and data["command"] == "lint"
        assert [f["rule"] for f in data["findings"]] == ["claude-base-url-v1-suffix", "claude-env-not-string"]
        first = data["findings"][0]
        assert (first["file"], first["line"], first["column"], first["severity"]) == (str(bad), 3, 27, "error")
        assert first["fix"]["safe"] is True
        assert data["files"] == [{"path": str(bad), "kind": "claude-settings", "parsed": True, "findings": 2}]


def test_github_format(cli, bad: Path) -> None:
    code, out, _ = cli("lint", "--format", "github", str(bad))
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"::error file={escape_property(str(bad))},line=3,col=27,title=claude-base-url-v1-suffix::")
    assert "\n" not in first


def test_github_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    from configurator.lint.findings import FileResult, Finding, LintReport
    from configurator.lint.reporters import REPORTERS

    f = Finding("schema", "warning", "dir,with:odd%name/settings.json", "line one\nline two: 100%", at=(2, 5))
    out = REPORTERS["github"]().render(LintReport([FileResult(f.file, "claude-settings", findings=[f])]))
    assert out == ("::warning file=dir%2Cwith%3Aodd%25name/settings.json,line=2,col=5,title=schema::"
                   "line one%0Aline two: 100%25")


def test_sarif_is_valid_sarif_2_1_0(cli, bad: Path, warn: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jsonschema import Draft7Validator

    schema = json.loads((HERE / "sarif-schema-2.1.0.json").read_text())
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("lint", "--format", "sarif", "settings.json", str(warn))
    assert code == 1
    log = json.loads(out)
    errors = sorted(Draft7Validator(schema).iter_errors(log), key=str)
    assert errors == []
    run = log["runs"][0]
    from configurator.lint.rules import load_rules

    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == list(load_rules())  # one entry per rule
    results = run["results"]
    assert len(results) == 3
    (r0,) = [r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "settings.json"
             and r["ruleId"] == "claude-base-url-v1-suffix"]
    assert r0["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "settings.json", "uriBaseId": "%SRCROOT%"}
    assert r0["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 27}
    assert run["tool"]["driver"]["rules"][r0["ruleIndex"]]["id"] == r0["ruleId"]
    assert {r["level"] for r in results} == {"error", "warning"}
    # an empty run is valid too
    (tmp_path / "clean.json").write_text("{}")
    code, out, _ = cli("lint", "--format", "sarif", "--kind", "claude-settings", "clean.json")
    assert code == 0 and list(Draft7Validator(schema).iter_errors(json.loads(out))) == []


def test_nonexistent_path_is_one_line_exit_2(cli, tmp_path: Path) -> None:
    code, out, err = cli("lint", str(tmp_path / "nope" / "settings.json"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and "does not exist" in err


def test_kind_for_unusual_names(cli, tmp_path: Path) -> None:
    p = tmp_path / "codex-work.toml"
    p.write_text('[model_providers.openai]\nname = "x"\n')
    code, _, err = cli("lint", str(p))
    assert code == 2 and "--kind" in err
    code, out, _ = cli("lint", "--kind", "codex-config", str(p))
    assert code == 1 and "codex-reserved-provider-id" in out
    code, out, _ = cli("lint", "--kind", "config.toml", str(p))
    assert code == 1
    code, _, err = cli("lint", "--kind", "bogus", str(p))
    assert code == 2 and "bogus" in err


def test_explain_and_list_rules(cli) -> None:
    code, out, _ = cli("lint", "--explain", "codex-wire-api-chat")
    assert code == 0
    for part in ("codex-wire-api-chat (error; codex-config)", "Why:", "Example:", 'wire_api = "chat"', "Fix:"):
        assert part in out
    code, out, _ = cli("lint", "--explain", "codex-wire-api-chat", "--json")
    assert code == 0 and json.loads(out)["rule"]["fix"]
    code, out, err = cli("lint", "--explain", "nope")
    assert code == 2 and "--list-rules" in err
    code, out, _ = cli("lint", "--list-rules")
    from configurator.lint.rules import load_rules

    assert code == 0 and len(out.strip().splitlines()) == len(load_rules()) and "secret-file-permissions" in out


def test_parse_error_is_a_finding_not_a_crash(cli, tmp_path: Path) -> None:
    p = tmp_path / "config.toml"
    p.write_text('model = "m"\nmodel_provider = \n')
    code, out, err = cli("lint", str(p))
    assert code == 1 and err == ""
    assert out.startswith(f"{p}:2:18: error parse-error cannot parse this TOML file")


def test_no_files_at_all(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("lint")
    from configurator.agents import names

    assert code == 0 and f"No {names(last='or')} config files found" in out


def test_no_files_at_all_stays_machine_readable(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CI job uploading SARIF from a repository without agent configs gets an empty, valid log, not a sentence."""
    from jsonschema import Draft7Validator

    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("lint", "--format", "sarif")
    log = json.loads(out)
    assert code == 0 and log["runs"][0]["results"] == []
    assert list(Draft7Validator(json.loads((HERE / "sarif-schema-2.1.0.json").read_text())).iter_errors(log)) == []
    code, out, _ = cli("lint", "--format", "github")
    assert code == 0 and out == ""
    code, out, _ = cli("lint", "--json")
    assert code == 0 and json.loads(out)["files"] == []


def test_project_files_are_linted_from_the_cwd(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".codex").mkdir()
    (tmp_path / ".codex" / "config.toml").write_text('wire_apii = 1\n')
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("lint", "--fail-on", "warning")
    assert code == 1 and out.startswith(".codex/config.toml:1:1: warning schema unknown key $.wire_apii")


def test_subprocess_entry_point(bad: Path) -> None:
    proc = run_cli("lint", "--format", "json", str(bad))
    assert proc.returncode == 1 and json.loads(proc.stdout)["findings"]
    proc = run_cli("lint", "/nonexistent/settings.json")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
