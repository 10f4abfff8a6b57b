"""Where the files are (environment precedence) and what `configurator doctor` reports."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from configurator import paths, tools

H = "/home/u"

# (env, function, expected path)
PRECEDENCE = [
    ({"HOME": H}, paths.claude_settings, f"{H}/.claude/settings.json"),
    ({"HOME": H}, paths.claude_state, f"{H}/.claude.json"),
    ({"HOME": H, "CLAUDE_CONFIG_DIR": "/cfg/claude"}, paths.claude_settings, "/cfg/claude/settings.json"),
    ({"HOME": H, "CLAUDE_CONFIG_DIR": "/cfg/claude"}, paths.claude_state, "/cfg/claude/.claude.json"),
    ({"HOME": H, "CLAUDE_CONFIG_DIR": "~/work-claude"}, paths.claude_settings, f"{H}/work-claude/settings.json"),
    ({"HOME": H, "CLAUDE_CONFIG_DIR": "  "}, paths.claude_settings, f"{H}/.claude/settings.json"),
    ({"HOME": H}, paths.codex_config, f"{H}/.codex/config.toml"),
    ({"HOME": H}, paths.codex_auth, f"{H}/.codex/auth.json"),
    ({"HOME": H, "CODEX_HOME": "/cfg/codex"}, paths.codex_config, "/cfg/codex/config.toml"),
    ({"HOME": H, "CODEX_HOME": "/cfg/codex"}, paths.codex_auth, "/cfg/codex/auth.json"),
    ({"HOME": H}, paths.openclaw_config, f"{H}/.openclaw/openclaw.json"),
    ({"HOME": H, "OPENCLAW_HOME": "/oc"}, paths.openclaw_config, "/oc/.openclaw/openclaw.json"),
    ({"HOME": H, "OPENCLAW_HOME": "/oc", "OPENCLAW_STATE_DIR": "/state"}, paths.openclaw_config, "/state/openclaw.json"),
    (
        {"HOME": H, "OPENCLAW_HOME": "/oc", "OPENCLAW_STATE_DIR": "/state", "OPENCLAW_CONFIG_PATH": "/x/my.json"},
        paths.openclaw_config,
        "/x/my.json",
    ),
    ({"HOME": H, "OPENCLAW_CONFIG_PATH": "~/oc.json5"}, paths.openclaw_config, f"{H}/oc.json5"),
    ({"HOME": H, "CODEX_HOME": "~"}, paths.codex_config, f"{H}/config.toml"),
    ({"HOME": H, "CODEX_HOME": "~root/codex"}, paths.codex_config, os.path.expanduser("~root") + "/codex/config.toml"),
    ({"HOME": H, "CODEX_HOME": "~not-a-user-xyz/c"}, paths.codex_config, "~not-a-user-xyz/c/config.toml"),
    ({"HOME": H}, paths.state_dir, f"{H}/.local/state/agent-configurator"),
    ({"HOME": H, "XDG_STATE_HOME": "/xdg"}, paths.backups_dir, "/xdg/agent-configurator/backups"),
]


@pytest.mark.parametrize(("env", "func", "expected"), PRECEDENCE)
def test_env_precedence(env: dict[str, str], func, expected: str) -> None:
    assert func(env) == Path(expected)


def test_project_locations(tmp_path: Path) -> None:
    from configurator import agents

    found = {(f.agent, f.name): f.path for f in agents.project_files(tmp_path)}
    assert found[("claude-code", "settings.json")] == tmp_path / ".claude" / "settings.json"
    assert found[("claude-code", "settings.local.json")] == tmp_path / ".claude" / "settings.local.json"


def test_legacy_openclaw_dirs_are_detected(home: Path, tmp_path: Path) -> None:
    assert paths.openclaw_legacy_dirs() == []
    (home / ".clawdbot").mkdir()
    (home / ".moldbot").mkdir()
    (home / ".moltbot").write_text("a file, not a folder")
    assert paths.openclaw_legacy_dirs() == [home / ".clawdbot", home / ".moldbot"]
    other = tmp_path / "oc-home"
    (other / ".moltbot").mkdir(parents=True)
    assert paths.openclaw_legacy_dirs({"HOME": str(home), "OPENCLAW_HOME": str(other)}) == [other / ".moltbot"]


# ------------------------------------------------------------------ doctor

def fake_tool(bindir: Path, name: str, body: str) -> Path:
    bindir.mkdir(exist_ok=True)
    exe = bindir / name
    exe.write_text("#!/bin/sh\n" + body + "\n")
    exe.chmod(0o755)
    return exe


def doctor_json(cli) -> dict:
    code, out, err = cli("doctor", "--json")
    assert code == 0, err
    env = json.loads(out)
    assert env["version"] == 1 and env["command"] == "doctor"
    return env


def test_doctor_lists_every_location_with_exists(cli, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    project = tmp_path / "project"
    (project / ".claude").mkdir(parents=True)
    (project / ".claude" / "settings.json").write_text("{}")
    monkeypatch.chdir(project)
    (home / ".codex").mkdir()
    (home / ".codex" / "config.toml").write_text('model = "x"\n')
    (home / ".clawdbot").mkdir()

    env = doctor_json(cli)
    files = {(f["scope"], f["tool"], f["kind"]): f for f in env["files"]}
    expected = {
        ("user", "claude-code", "settings.json"): (home / ".claude" / "settings.json", False),
        ("user", "claude-code", ".claude.json"): (home / ".claude.json", False),
        ("user", "codex", "config.toml"): (home / ".codex" / "config.toml", True),
        ("user", "codex", "auth.json"): (home / ".codex" / "auth.json", False),
        ("user", "openclaw", "openclaw.json"): (home / ".openclaw" / "openclaw.json", False),
        ("user", "opencode", "opencode.json"): (home / ".config" / "opencode" / "opencode.json", False),
        ("project", "claude-code", "settings.json"): (project / ".claude" / "settings.json", True),
        ("project", "claude-code", "settings.local.json"): (project / ".claude" / "settings.local.json", False),
    }
    for key, (path, exists) in expected.items():
        assert files[key]["path"] == str(path) and files[key]["exists"] is exists, key
    assert env["legacy_openclaw_dirs"] == [str(home / ".clawdbot")]
    assert any(".clawdbot" in n for n in env["notes"])
    assert {t["tool"]: t["executable"] for t in env["tools"]} == {"claude-code": None, "codex": None, "openclaw": None,
                                                                   "opencode": None}

    code, out, _ = cli("doctor")
    assert code == 0
    assert f"exists  project claude-code  {project / '.claude' / 'settings.json'}" in out
    assert "claude-code  not installed" in out


def test_doctor_follows_env_overrides(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "codex"))
    monkeypatch.setenv("OPENCLAW_CONFIG_PATH", str(tmp_path / "oc.json"))
    (tmp_path / "oc.json").write_text("{}")
    files = {(f["scope"], f["tool"], f["kind"]): f for f in doctor_json(cli)["files"]}
    assert files[("user", "codex", "config.toml")]["path"] == str(tmp_path / "codex" / "config.toml")
    assert files[("user", "openclaw", "openclaw.json")] == {
        "tool": "openclaw", "kind": "openclaw.json", "scope": "user", "path": str(tmp_path / "oc.json"), "exists": True,
    }


def test_doctor_reports_installed_versions_and_a_hung_tool(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bindir = tmp_path / "bin"
    claude = fake_tool(bindir, "claude", 'echo "2.0.14 (Claude Code)"')
    codex = fake_tool(bindir, "codex", 'echo "codex-cli 0.46.0"')
    openclaw = fake_tool(bindir, "openclaw", "sleep 30 & sleep 30")  # hangs, with a child of its own
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setattr(tools, "VERSION_TIMEOUT", 0.5)
    t0 = time.monotonic()
    env = doctor_json(cli)
    assert time.monotonic() - t0 < 5
    found = {t["tool"]: t for t in env["tools"]}
    assert found["claude-code"] == {"tool": "claude-code", "executable": str(claude), "version": "2.0.14", "error": None}
    assert found["codex"] == {"tool": "codex", "executable": str(codex), "version": "0.46.0", "error": None}
    assert found["openclaw"]["executable"] == str(openclaw) and found["openclaw"]["version"] is None
    assert "did not answer within 0.5s" in found["openclaw"]["error"]

    code, out, _ = cli("doctor")
    assert code == 0
    assert "2.0.14" in out and "0.46.0" in out and "did not answer" in out


def test_tool_version_without_a_number_and_a_broken_tool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bindir = tmp_path / "bin"
    fake_tool(bindir, "claude", 'echo "dev build" >&2; exit 1')
    broken = bindir / "codex"
    broken.write_text("#!/nonexistent/interpreter\n")
    broken.chmod(0o755)
    monkeypatch.setenv("PATH", str(bindir))
    from configurator.agents import AGENTS

    assert tools.installed(AGENTS["claude-code"]).version == "dev build"
    codex = tools.installed(AGENTS["codex"])
    assert codex.version is None and codex.error and "could not run" in codex.error
    assert tools.installed(AGENTS["openclaw"]).executable is None
