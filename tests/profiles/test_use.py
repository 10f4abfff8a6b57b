"""`configurator use NAME|official`, as a user sees it: which files change, what the output says, what stays.

The real clients check the same sequence in tests/conformance/test_switching.py; the random sequences are in
test_switch_properties.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import KNOWN_KEY

KEY_B = "sk-other-provider-KEY-0987654321zyxwvuts"
SETTINGS = ".claude/settings.json"
CODEX = ".codex/config.toml"
AUTH = ".codex/auth.json"
OPENCLAW = ".openclaw/openclaw.json"

USER_SETTINGS = """{
  // not JSON5: settings.json is plain JSON, so no comment here
  "hooks": {"PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "ruff format"}]}]},
  "statusLine": {"type": "command", "command": "~/bin/status"},
  "permissions": {"allow": ["Bash(npm test)"]},
  "env": {"ANTHROPIC_API_KEY": "sk-ant-api03-the-users-own-key-000000", "DEBUG": "1"}
}
""".replace('  // not JSON5: settings.json is plain JSON, so no comment here\n', "")
USER_CODEX = """# my codex config
model = "gpt-5-codex"  # the one I like

[mcp_servers.docs]
command = "docs-mcp"
"""
CHATGPT_AUTH = json.dumps({"OPENAI_API_KEY": None, "tokens": {"id_token": "a.b.c", "access_token": "d.e.f",
                                                              "refresh_token": "rt-1", "account_id": "acct"}},
                          indent=2) + "\n"
USER_OPENCLAW = """// OpenClaw, by hand
{
  agents: { defaults: { model: { primary: "anthropic/claude-opus-4-5" } } },
}
"""


def _write(home: Path, rel: str, text: str) -> None:
    path = home / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def user_home(home: Path) -> Path:
    for rel, text in ((SETTINGS, USER_SETTINGS), (CODEX, USER_CODEX), (AUTH, CHATGPT_AUTH),
                      (OPENCLAW, USER_OPENCLAW)):
        _write(home, rel, text)
    return home


@pytest.fixture
def two_profiles(cli, user_home: Path) -> Path:
    """Profile a (file key) then profile b (another URL and key) set up; b is active."""
    for name, url, key in (("a", "https://a.example.com/v1", KNOWN_KEY), ("b", "https://b.example.com/v1", KEY_B)):
        code, _, err = cli("setup", "--yes", "--api-key-stdin", "--provider", "custom", "--base-url", url,
                           "--model", f"model-{name}", "--tool", "claude-code", "--tool", "codex", "--tool", "openclaw",
                           "--profile", name, input=key + "\n")
        assert code == 0, err
    return user_home


def _env(home: Path) -> dict:
    return json.loads((home / SETTINGS).read_text())["env"]


def test_use_switches_every_tool_and_says_so(cli, two_profiles: Path) -> None:
    home = two_profiles
    assert _env(home)["ANTHROPIC_BASE_URL"] == "https://b.example.com"
    code, out, err = cli("use", "a", "--yes")
    assert code == 0, err
    assert "now use profile 'a'" in out and "configurator restore" in out
    assert _env(home)["ANTHROPIC_BASE_URL"] == "https://a.example.com"
    assert _env(home)["ANTHROPIC_AUTH_TOKEN"] == KNOWN_KEY
    assert 'model_provider = "custom"' in (home / CODEX).read_text()
    assert "https://a.example.com/v1" in (home / OPENCLAW).read_text()
    assert KNOWN_KEY not in out + err and KEY_B not in out + err


def test_use_the_active_profile_again_changes_nothing(cli, two_profiles: Path) -> None:
    home = two_profiles
    before = {p: p.read_bytes() for p in home.rglob("*") if p.is_file() and "/locks/" not in str(p)}
    code, out, err = cli("use", "b", "--yes")
    assert code == 0, err
    assert "already use profile 'b'; nothing to change (unchanged)" in out
    after = {p: p.read_bytes() for p in home.rglob("*") if p.is_file() and "/locks/" not in str(p)}
    assert after == before


def test_use_official_puts_back_what_was_there_before_the_first_setup(cli, two_profiles: Path) -> None:
    home = two_profiles
    code, out, err = cli("use", "official", "--yes")
    assert code == 0, err
    assert "now use each tool's own login" in out
    settings = json.loads((home / SETTINGS).read_text())
    assert settings == json.loads(USER_SETTINGS)  # our env keys gone, the displaced ANTHROPIC_API_KEY back
    assert (home / CODEX).read_text() == USER_CODEX
    assert json.loads((home / AUTH).read_text()) == json.loads(CHATGPT_AUTH)  # tokens untouched, key null again
    assert (home / OPENCLAW).read_text().count("anthropic/claude-opus-4-5") == 1
    assert "// OpenClaw, by hand" in (home / OPENCLAW).read_text()
    assert "ANTHROPIC_API_KEY" not in out + err or "sk-ant-api03-the-users-own-key" not in out + err
    # and back again: official is a starting point like any other
    code, out, err = cli("use", "a", "--yes")
    assert code == 0, err
    assert _env(home)["ANTHROPIC_BASE_URL"] == "https://a.example.com"
    assert "ANTHROPIC_API_KEY" not in _env(home)


def test_a_key_edited_by_hand_is_not_overwritten_without_force(cli, two_profiles: Path) -> None:
    home = two_profiles
    path = home / SETTINGS
    path.write_text(path.read_text().replace("https://b.example.com", "https://my-proxy.example.com"))
    before = path.read_bytes()
    code, out, err = cli("use", "a", "--yes")
    assert code == 2
    assert "changed by hand" in err and "env.ANTHROPIC_BASE_URL" in err and "--force" in err
    assert path.read_bytes() == before
    code, out, err = cli("use", "a", "--yes", "--force")
    assert code == 0, err
    assert _env(home)["ANTHROPIC_BASE_URL"] == "https://a.example.com"


def test_dry_run_writes_nothing_and_shows_the_diff(cli, two_profiles: Path) -> None:
    home = two_profiles
    before = {p: p.read_bytes() for p in home.rglob("*") if p.is_file() and "/locks/" not in str(p)}
    code, out, err = cli("use", "a", "--dry-run")
    assert code == 0, err
    assert "Dry run: nothing was written." in out
    assert any(line.startswith("+") and '"ANTHROPIC_BASE_URL": "https://a.example.com"' in line
               for line in out.splitlines())
    assert KNOWN_KEY not in out and KEY_B not in out
    after = {p: p.read_bytes() for p in home.rglob("*") if p.is_file() and "/locks/" not in str(p)}
    assert after == before


@pytest.mark.parametrize(("args", "needle"), [
    (("use", "nope", "--yes"), "No profile named 'nope'; saved profiles: a, b."),
    (("use", "a"), "pass --yes"),
    (("use", "a", "--yes", "--tool", "opencode"), "Profile 'a' is not for opencode"),
])
def test_bad_use_is_one_sentence_and_exit_2(cli, two_profiles: Path, args: tuple[str, ...], needle: str) -> None:
    code, out, err = cli(*args)
    assert code == 2
    assert needle in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_tool_limits_the_switch(cli, two_profiles: Path) -> None:
    home = two_profiles
    code, out, err = cli("use", "a", "--yes", "--tool", "codex")
    assert code == 0, err
    assert _env(home)["ANTHROPIC_BASE_URL"] == "https://b.example.com"  # Claude Code still on b
    assert "https://a.example.com/v1" in (home / CODEX).read_text()


def test_json_envelope(cli, two_profiles: Path) -> None:
    code, out, err = cli("use", "official", "--yes", "--json")
    assert code == 0, err
    env = json.loads(out)
    assert env["command"] == "use" and env["official"] is True and env["changed"] is True
    assert {f["tool"] for f in env["files"]} == {"claude-code", "codex", "openclaw"}
    assert env["backup"]


def test_use_official_removes_files_that_did_not_exist(cli, home: Path) -> None:
    code, _, err = cli("setup", "--yes", "--api-key-stdin", input=KNOWN_KEY + "\n")
    assert code == 0, err
    code, out, err = cli("use", "official", "--yes")
    assert code == 0, err
    for rel in (SETTINGS, CODEX, AUTH, OPENCLAW, ".config/opencode/opencode.json"):
        assert not (home / rel).exists(), rel
    # the profile stays, to come back to
    code, out, err = cli("use", "atlascloud", "--yes")
    assert code == 0, err
    assert _env(home)["ANTHROPIC_AUTH_TOKEN"] == KNOWN_KEY


def test_use_official_with_nothing_recorded_says_so(cli, user_home: Path) -> None:
    before = (user_home / SETTINGS).read_bytes()
    code, out, err = cli("use", "official", "--yes")
    assert code == 0, err
    assert "no record of changing" in out and "configurator restore --list" in out
    assert (user_home / SETTINGS).read_bytes() == before


# --- on a terminal: a line per file, then one question ------------------------------------------------------

def _interactive(keys: str, name: str = "a", **kw: object):  # type: ignore[no-untyped-def]
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from configurator.commands.use import UseOptions, run
    from configurator.prompts import Prompter

    said: list[str] = []

    class Listening(Prompter):
        def say(self, text: str) -> None:
            said.append(text)

    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        result = run(UseOptions(name=name, interactive=True, **kw),  # type: ignore[arg-type]
                     prompter=Listening(input=pipe, output=DummyOutput()))
    return result, said


def test_on_a_terminal_use_shows_a_line_per_file_then_asks(two_profiles: Path) -> None:
    result, said = _interactive("y")
    assert result.data["changed"] is True
    assert any(f"Claude Code: {two_profiles / SETTINGS} (will be updated)" in text
               and "~ 1 key changed: env.ANTHROPIC_BASE_URL" not in text  # the token and the models change too
               and "env.ANTHROPIC_BASE_URL" in text for text in said), said
    assert not any(text.startswith("---") for text in said)  # the full diff only on request
    assert _env(two_profiles)["ANTHROPIC_BASE_URL"] == "https://a.example.com"


def test_on_a_terminal_no_writes_nothing(two_profiles: Path) -> None:
    from configurator.errors import Aborted

    before = (two_profiles / SETTINGS).read_bytes()
    with pytest.raises(Aborted):
        _interactive("n")
    assert (two_profiles / SETTINGS).read_bytes() == before


def test_on_a_terminal_a_hand_edit_is_asked_about(two_profiles: Path) -> None:
    path = two_profiles / SETTINGS
    path.write_text(path.read_text().replace("https://b.example.com", "https://my-proxy.example.com"))
    result, said = _interactive("y" + "y")
    assert any("changed by hand" in line and "env.ANTHROPIC_BASE_URL" in line for line in said)
    assert _env(two_profiles)["ANTHROPIC_BASE_URL"] == "https://a.example.com"


# --- the status line setup adds is ours: use official takes it away, a user's own is never touched ------------

def test_statusline_added_by_setup_goes_with_use_official(cli, home: Path) -> None:
    code, out, err = cli("setup", "--yes", "--api-key-stdin", "--tool", "claude-code", "--statusline",
                         input=KNOWN_KEY + "\n")
    assert code == 0, err
    assert json.loads((home / SETTINGS).read_text())["statusLine"]["command"].endswith("statusline")
    code, out, err = cli("use", "official", "--yes")
    assert code == 0, err
    assert not (home / SETTINGS).exists()  # setup created the file; nothing of the user's is in it


def test_statusline_never_replaces_the_users_own(cli, user_home: Path) -> None:
    code, out, err = cli("setup", "--yes", "--api-key-stdin", "--tool", "claude-code", "--statusline",
                         input=KNOWN_KEY + "\n")
    assert code == 0, err
    assert json.loads((user_home / SETTINGS).read_text())["statusLine"] == {"type": "command",
                                                                           "command": "~/bin/status"}
    assert "statusLine of your own, left as it is" in out
    code, out, err = cli("use", "official", "--yes")
    assert code == 0, err
    assert json.loads((user_home / SETTINGS).read_text()) == json.loads(USER_SETTINGS)
