"""`configurator profile list|show|add|edit|remove|rename`: what the user sees, what is written, what is not."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).resolve().parent))

from profile_cmd_helpers import (  # noqa: E402
    CODEX_CONFIG,
    KNOWN_KEY,
    MASKED,
    OPENCLAW,
    OPENCODE,
    OTHER_KEY,
    SETTINGS,
    agent_bytes,
    assert_clean,
    config_dir,
    load_toml,
    mode_of,
    profiles_data,
    seed,
    tree,
)


@pytest.fixture(autouse=True)
def fresh_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No secret registered by an earlier test hides a leak here; no real agent tool on PATH."""
    from configurator import secrets

    monkeypatch.setattr(secrets, "_KNOWN", set())
    monkeypatch.setenv("PATH", str(tmp_path_factory.mktemp("bin")))


@pytest.fixture
def run(cli):
    """``run(*args, input=...)`` -> (code, stdout, stderr); every output checked for both test keys by value."""

    def _run(*args: str, input: str | None = None) -> tuple[int, str, str]:
        code, out, err = cli(*args, input=input)
        assert_clean(out, err)
        for text in (out, err):
            assert OTHER_KEY not in text, "the second key leaked into the output"
        return code, out, err

    return _run


def _setup(run, *extra: str) -> None:
    code, _, err = run("setup", "--yes", "--api-key-stdin", *extra, input=KNOWN_KEY + "\n")
    assert code == 0, err


def _add_work(run, *extra: str) -> None:
    code, _, err = run("profile", "add", "work", "--provider", "custom", "--base-url", "https://gw.example.com/v1",
                       "--model", "qwen3-coder", "--api-key-stdin", *extra, input=OTHER_KEY + "\n")
    assert code == 0, err


def _error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


# --- list -----------------------------------------------------------------------------------------------------


def test_list_empty_says_how_to_make_one(run) -> None:
    code, out, _ = run("profile", "list")
    assert code == 0
    assert "No saved profiles yet" in out
    assert "`configurator setup`" in out and "`configurator profile add NAME`" in out
    code, out, _ = run("profile", "list", "--json")
    assert code == 0 and json.loads(out)["profiles"] == []


def test_list_shows_every_profile_and_marks_the_active_one(run, home: Path) -> None:
    _setup(run)
    _add_work(run, "--key-storage", "file")
    code, out, _ = run("profile", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "* atlascloud  (in use by Claude Code, Codex, OpenClaw and opencode)"
    assert "  work" in lines
    assert "* work" not in out
    for text in ("Atlas Cloud (atlascloud)", "https://api.atlascloud.ai/v1", "deepseek-ai/deepseek-v4-pro",
                 "Custom provider (custom)", "https://gw.example.com/v1", "qwen3-coder",
                 "file (in the profiles file)", "tools      Claude Code, Codex, OpenClaw and opencode"):
        assert text in out, text
    data = json.loads(run("profile", "list", "--json")[1])
    rows = {r["name"]: r for r in data["profiles"]}
    assert rows["atlascloud"]["active"] is True
    assert rows["atlascloud"]["in_use_by"] == ["claude-code", "codex", "openclaw", "opencode"]
    assert rows["work"]["in_use_by"] == [] and rows["work"]["active"] is False
    assert rows["atlascloud"]["key"] == {"storage": "file", "masked": MASKED}


# --- show -----------------------------------------------------------------------------------------------------


def test_show_prints_every_field_masked_and_the_exact_command_lines(run, home: Path) -> None:
    _setup(run, "--profile", "atlas")
    code, out, _ = run("profile", "show", "atlas")
    assert code == 0
    for text in ("Profile atlas  (in use by Claude Code, Codex, OpenClaw and opencode)",
                 "Atlas Cloud (atlascloud)", "https://api.atlascloud.ai\n", "https://api.atlascloud.ai/v1",
                 "main model      deepseek-ai/deepseek-v4-pro", "fast model      deepseek-ai/deepseek-v4-flash",
                 f"key             stored in the profiles file: {MASKED}", "Codex wire API  responses",
                 "Use it in one session without switching:", "configurator use atlas"):
        assert text in out, text
    sessions = config_dir(home) / "sessions"
    claude_line = f"claude --settings {shlex.quote(str(sessions / 'atlas.claude-settings.json'))}"
    opencode_line = f"OPENCODE_CONFIG={shlex.quote(str(sessions / 'atlas.opencode.json'))} opencode"
    assert f"Claude Code  {claude_line}" in out
    assert "Codex        codex -p atlas" in out
    assert f"opencode     {opencode_line}" in out
    assert "OpenClaw     (none) OpenClaw reads one whole config file" in out
    assert "configurator use atlas --tool openclaw" in out

    # the command lines name files that exist and that the tools can read
    settings = json.loads((sessions / "atlas.claude-settings.json").read_text())
    assert settings["apiKeyHelper"].endswith("key get atlas")
    assert KNOWN_KEY not in (sessions / "atlas.claude-settings.json").read_text()
    codex_profile = load_toml(home / ".codex" / "atlas.config.toml")
    # its own provider id: under the active profile's, Codex would merge it with config.toml's table
    assert codex_profile["model_provider"] == "profile-atlas"
    assert codex_profile["model_providers"]["profile-atlas"]["base_url"] == "https://api.atlascloud.ai/v1"
    assert codex_profile["model_providers"]["profile-atlas"]["auth"]["args"][-2:] == ["get", "atlas"]
    assert json.loads((sessions / "atlas.opencode.json").read_text())["model"] == \
        "atlascloud/deepseek-ai/deepseek-v4-pro"

    data = json.loads(run("profile", "show", "atlas", "--json")[1])
    assert data["sessions"] == {"claude-code": claude_line, "codex": "codex -p atlas", "opencode": opencode_line}
    assert "openclaw" in data["no_session"]
    assert data["profile"]["key"] == {"storage": "file", "masked": MASKED}
    assert data["in_use_by"] == ["claude-code", "codex", "openclaw", "opencode"]


def test_show_never_shows_part_of_a_short_key(run, cli) -> None:
    short = "k7Qz9xW2pL4"  # 11 characters
    code, _, err = run("profile", "add", "tiny", "--provider", "custom", "--base-url", "https://gw.example.com/v1",
                       "--model", "m1", "--api-key-stdin", input=short + "\n")
    assert code == 0, err
    for args in (("profile", "show", "tiny"), ("profile", "show", "tiny", "--json"), ("profile", "list", "--json")):
        from configurator import secrets

        secrets._KNOWN.clear()  # the output itself must hold no part of the key, not rely on redaction
        code, out, _ = cli(*args)
        assert code == 0
        for part in (short, short[:3], short[-4:]):
            assert part not in out, (args, part)
    assert "****" in cli("profile", "show", "tiny")[1]


def test_show_unknown_profile_is_one_sentence(run) -> None:
    code, _, err = run("profile", "show", "nope")
    assert code == 2
    assert "No profile named 'nope'" in _error(err)


# --- add ------------------------------------------------------------------------------------------------------


def test_add_saves_without_touching_the_tools(run, home: Path) -> None:
    seed(home)
    _setup(run)
    before = agent_bytes(home)
    owned_before = (config_dir(home) / "owned.json").read_bytes()
    code, out, _ = run("profile", "add", "work", "--provider", "custom", "--base-url", "https://gw.example.com/v1",
                       "--model", "qwen3-coder", "--fast-model", "qwen3-small", "--api-key-stdin",
                       "--claude-tier", "haiku=qwen3-small", input=OTHER_KEY + "\n")
    assert code == 0
    assert agent_bytes(home) == before, "add changed a tool's own file"
    assert (config_dir(home) / "owned.json").read_bytes() == owned_before
    assert "Saved profile 'work'" in out and "the tools' own files were not changed" in out
    assert "configurator use work" in out and "codex -p work" in out and "claude --settings" in out
    saved = profiles_data(home)["profiles"]["work"]
    assert saved["key"] == OTHER_KEY and saved["model"] == "qwen3-coder" and saved["fast_model"] == "qwen3-small"
    assert saved["claude_tiers"] == {"haiku": "qwen3-small"}
    assert saved["anthropic_base_url"] == "https://gw.example.com"
    assert mode_of(config_dir(home) / "profiles.toml") == 0o600
    assert (home / ".codex" / "work.config.toml").exists()
    assert mode_of(config_dir(home) / "sessions" / "work.opencode.json") == 0o600  # it holds the key
    # the active profile did not change
    assert "* atlascloud" in run("profile", "list")[1]


def test_add_env_storage_names_the_variable(run, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORK_KEY", raising=False)
    code, out, _ = run("profile", "add", "work", "--provider", "custom", "--base-url", "https://gw.example.com/v1",
                       "--model", "m1", "--key-storage", "env", "--api-key-env", "WORK_KEY", "--tool", "codex")
    assert code == 0
    saved = profiles_data(home)["profiles"]["work"]
    assert saved["key_storage"] == "env" and saved["key_env"] == "WORK_KEY" and "key" not in saved
    assert saved["tools"] == ["codex"]
    assert "from $WORK_KEY (not set in this shell)" in out
    assert "claude --settings" not in out and "codex -p work" in out
    assert not (config_dir(home) / "sessions" / "work.claude-settings.json").exists()


def test_add_dry_run_writes_nothing(run, home: Path) -> None:
    before = tree(home)
    _add_work(run, "--dry-run")
    assert tree(home) == before


def test_add_refuses_an_existing_name(run, home: Path) -> None:
    _setup(run)
    before = tree(home)
    code, _, err = run("profile", "add", "atlascloud", "--api-key-stdin", input=OTHER_KEY + "\n")
    assert code == 2
    line = _error(err)
    assert "already exists" in line and "configurator profile edit atlascloud" in line
    assert tree(home) == before


@pytest.mark.parametrize("name", ["official", "../x", "", "a/b", ".hidden", "x..y"])
def test_bad_names_are_refused(run, home: Path, name: str) -> None:
    code, _, err = run("profile", "add", name, "--api-key-stdin", input=KNOWN_KEY + "\n")
    assert code == 2
    _error(err)
    assert not (config_dir(home) / "profiles.toml").exists()
    assert not list(home.rglob("*.config.toml"))


def test_bad_new_name_in_rename_is_refused(run, home: Path) -> None:
    _add_work(run)
    before = tree(home)
    for name in ("official", "../x", ""):
        code, _, err = run("profile", "rename", "work", name)
        assert code == 2
        _error(err)
    assert tree(home) == before


def test_the_key_is_never_taken_from_argv(run) -> None:
    code, _, err = run("profile", "add", "work", "--api-key", "whatever")
    assert code == 2
    assert "No such option" in _error(err)


def test_add_without_a_key_is_one_sentence(run, home: Path) -> None:
    code, _, err = run("profile", "add", "work")
    assert code == 2
    assert "No API key" in _error(err)
    assert not (config_dir(home) / "profiles.toml").exists()


# --- edit -----------------------------------------------------------------------------------------------------


def test_edit_reapplies_to_the_tools_that_use_it_only(run, home: Path) -> None:
    seed(home)
    _setup(run)
    _add_work(run)
    code, _, err = run("use", "work", "--tool", "codex", "--yes")
    assert code == 0, err
    before = agent_bytes(home)
    code, out, _ = run("profile", "edit", "work", "--model", "qwen3-max", "--yes")
    assert code == 0
    after = agent_bytes(home)
    assert after[CODEX_CONFIG] != before[CODEX_CONFIG]
    assert load_toml(home / CODEX_CONFIG)["model"] == "qwen3-max"
    for p in (SETTINGS, OPENCLAW, OPENCODE, ".codex/auth.json"):
        assert after[p] == before[p], f"{p} changed but does not use the profile"
    assert "main model      qwen3-coder -> qwen3-max" in out
    assert "Codex uses it now and was updated." in out
    assert profiles_data(home)["profiles"]["work"]["model"] == "qwen3-max"
    assert load_toml(home / ".codex" / "work.config.toml")["model"] == "qwen3-max"


def test_edit_of_an_unused_profile_leaves_the_tools_alone(run, home: Path) -> None:
    seed(home)
    _setup(run)
    _add_work(run)
    before = agent_bytes(home)
    code, out, _ = run("profile", "edit", "work", "--fast-model", "qwen3-small")
    assert code == 0
    assert agent_bytes(home) == before
    assert "No tool uses it now" in out
    assert profiles_data(home)["profiles"]["work"]["fast_model"] == "qwen3-small"


def test_edit_keeps_the_stored_key_and_takes_a_new_one_from_stdin(run, home: Path) -> None:
    _add_work(run)
    code, out, _ = run("profile", "edit", "work", "--model", "qwen3-max")
    assert code == 0
    saved = profiles_data(home)["profiles"]["work"]
    assert saved["key"] == OTHER_KEY and saved["openai_base_url"] == "https://gw.example.com/v1"
    assert "key " not in out  # the key did not change
    code, out, _ = run("profile", "edit", "work", "--api-key-stdin", input=KNOWN_KEY + "\n")
    assert code == 0
    assert profiles_data(home)["profiles"]["work"]["key"] == KNOWN_KEY
    assert f"-> stored in the profiles file: {MASKED}" in out
    assert mode_of(config_dir(home) / "profiles.toml") == 0o600


def test_edit_to_env_storage_drops_the_stored_key(run, home: Path) -> None:
    _add_work(run)
    code, _, err = run("profile", "edit", "work", "--key-storage", "env", "--api-key-env", "WORK_KEY")
    assert code == 0, err
    saved = profiles_data(home)["profiles"]["work"]
    assert saved["key_storage"] == "env" and saved["key_env"] == "WORK_KEY" and "key" not in saved
    assert OTHER_KEY not in (config_dir(home) / "sessions" / "work.opencode.json").read_text()


def test_edit_claude_tiers_set_and_clear(run, home: Path) -> None:
    _add_work(run)
    assert run("profile", "edit", "work", "--claude-tier", "haiku=qwen3-small", "--claude-tier",
               "subagent=qwen3-max")[0] == 0
    assert profiles_data(home)["profiles"]["work"]["claude_tiers"] == {"haiku": "qwen3-small", "subagent": "qwen3-max"}
    assert run("profile", "edit", "work", "--claude-tier", "haiku=")[0] == 0
    assert profiles_data(home)["profiles"]["work"]["claude_tiers"] == {"subagent": "qwen3-max"}
    before = tree(home)
    for bad in ("sonet=x", "haiku", "haiku=has space"):
        code, _, err = run("profile", "edit", "work", "--claude-tier", bad)
        assert code == 2
        _error(err)
    assert tree(home) == before


def test_edit_tools_and_refusing_to_drop_an_active_tool(run, home: Path) -> None:
    _setup(run)
    before = tree(home)
    code, _, err = run("profile", "edit", "atlascloud", "--tool", "codex", "--yes")
    assert code == 2
    line = _error(err)
    assert "Claude Code, OpenClaw and opencode use profile 'atlascloud' now" in line
    assert tree(home) == before
    _add_work(run)
    assert run("profile", "edit", "work", "--tool", "codex", "--tool", "opencode")[0] == 0
    assert profiles_data(home)["profiles"]["work"]["tools"] == ["codex", "opencode"]
    out = run("profile", "show", "work")[1]
    assert "claude --settings" not in out and "codex -p work" in out


def test_edit_of_an_active_profile_asks_or_needs_yes_and_dry_run_writes_nothing(run, home: Path) -> None:
    _setup(run)
    before = tree(home)
    code, _, err = run("profile", "edit", "atlascloud", "--model", "deepseek-ai/deepseek-v4-flash")
    assert code == 2
    assert "--yes" in _error(err)
    assert tree(home) == before
    code, out, _ = run("profile", "edit", "atlascloud", "--model", "deepseek-ai/deepseek-v4-flash", "--dry-run")
    assert code == 0
    assert "Dry run: nothing was written." in out and "would be updated" in out
    assert f"+++ {home / SETTINGS} (new)" in out
    assert tree(home) == before


def test_edit_with_a_wizard_confirmation(home: Path, run) -> None:
    """On a terminal the edit of an active profile shows a block per file and asks (driven through the Prompter)."""
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from configurator.commands.profile import EditOptions, WriteFlags, run_edit
    from configurator.commands.setup import SetupOptions
    from configurator.prompts import Prompter

    _setup(run)
    before = tree(home)
    said: list[str] = []
    with create_pipe_input() as pipe:
        p = Prompter(input=pipe, output=DummyOutput())
        p.say = said.append  # type: ignore[method-assign]
        pipe.send_text("n")
        opts = EditOptions("atlascloud", SetupOptions(model="deepseek-ai/deepseek-v4-flash", given=frozenset({"model"})),
                           flags=WriteFlags(interactive=True))
        from configurator.errors import Aborted

        with pytest.raises(Aborted):
            run_edit(opts, prompter=p)
    assert tree(home) == before
    # the same preview as setup and use: a block per file with the keys that change
    assert any(f"Claude Code: {home / SETTINGS} (will be updated)" in text and "env.ANTHROPIC_MODEL" in text
               for text in said), said


# --- remove ---------------------------------------------------------------------------------------------------


def test_remove_refuses_a_profile_in_use(run, home: Path) -> None:
    _setup(run)
    before = tree(home)
    code, _, err = run("profile", "remove", "atlascloud", "--yes")
    assert code == 2
    line = _error(err)
    assert "`configurator use official`" in line and "--force" in line
    assert tree(home) == before


def test_remove_force_takes_the_tools_back_first(run, home: Path) -> None:
    seed(home)
    original = agent_bytes(home)
    _setup(run)
    code, out, _ = run("profile", "remove", "atlascloud", "--force", "--yes")
    assert code == 0
    assert "Removed profile 'atlascloud'" in out
    assert "atlascloud" not in profiles_data(home).get("profiles", {})
    assert not (home / ".codex" / "atlascloud.config.toml").exists()
    assert not list((config_dir(home) / "sessions").glob("atlascloud.*"))
    settings = json.loads((home / SETTINGS).read_text())
    assert settings["env"]["ANTHROPIC_BASE_URL"] == "https://old.example.com/anthropic"  # the user's own again
    assert settings == json.loads(original[SETTINGS] or b"")  # official = the settings from before setup
    assert "No saved profiles yet" in run("profile", "list")[1]


def test_remove_an_unused_profile_and_its_session_files(run, home: Path) -> None:
    seed(home)
    _setup(run)
    _add_work(run)
    before = agent_bytes(home)
    assert (home / ".codex" / "work.config.toml").exists()
    code, out, _ = run("profile", "remove", "work")
    assert code == 0
    assert agent_bytes(home) == before
    assert "work" not in profiles_data(home)["profiles"]
    assert not (home / ".codex" / "work.config.toml").exists()
    assert not list((config_dir(home) / "sessions").glob("work.*"))
    assert mode_of(config_dir(home) / "profiles.toml") == 0o600


def test_remove_dry_run_writes_nothing(run, home: Path) -> None:
    _add_work(run)
    before = tree(home)
    code, out, _ = run("profile", "remove", "work", "--dry-run")
    assert code == 0 and "would be removed" in out
    assert tree(home) == before


# --- rename ---------------------------------------------------------------------------------------------------


def test_rename_keeps_the_active_tools_working(run, home: Path) -> None:
    from configurator.commands.key import get_key

    seed(home)
    _setup(run)
    before = agent_bytes(home)
    code, out, _ = run("profile", "rename", "atlascloud", "atlas", "--yes")
    assert code == 0
    assert "Renamed profile 'atlascloud' to 'atlas'" in out
    assert agent_bytes(home) == before  # the tools' own files do not name the profile
    listing = run("profile", "list")[1]
    assert "* atlas  (in use by Claude Code, Codex, OpenClaw and opencode)" in listing
    assert "atlascloud  " not in listing
    owned = json.loads((config_dir(home) / "owned.json").read_text())
    assert {a["profile"] for a in owned["agents"].values()} == {"atlas"}
    sessions = config_dir(home) / "sessions"
    assert json.loads((sessions / "atlas.claude-settings.json").read_text())["apiKeyHelper"].endswith("key get atlas")
    assert load_toml(home / ".codex" / "atlas.config.toml")["model_providers"]["profile-atlas"]["auth"]["args"][-1] \
        == "atlas"
    assert not list(sessions.glob("atlascloud.*")) and not (home / ".codex" / "atlascloud.config.toml").exists()
    assert get_key("atlas") == KNOWN_KEY
    # and switching away and back works under the new name
    assert run("use", "official", "--yes")[0] == 0
    assert run("use", "atlas", "--yes")[0] == 0
    assert "* atlas" in run("profile", "list")[1]


def test_rename_refuses_an_existing_name(run, home: Path) -> None:
    _setup(run)
    _add_work(run)
    before = tree(home)
    code, _, err = run("profile", "rename", "work", "atlascloud")
    assert code == 2
    assert "already exists" in _error(err)
    assert tree(home) == before
    code, _, err = run("profile", "rename", "nope", "other")
    assert code == 2
    assert "No profile named 'nope'" in _error(err)


# --- the profiles file ----------------------------------------------------------------------------------------


BROKEN = '[profiles.work]\nprovider = "custom"\nmodel = \n'


@pytest.mark.parametrize("args", [
    ("profile", "list"), ("profile", "show", "work"), ("profile", "remove", "work"),
    ("profile", "rename", "work", "other"), ("profile", "edit", "work", "--model", "x"),
])
def test_a_broken_profiles_file_is_reported_with_line_and_column_and_left_alone(run, home: Path, args) -> None:
    path = config_dir(home) / "profiles.toml"
    path.parent.mkdir(parents=True)
    path.write_text(BROKEN)
    before = tree(home)
    code, _, err = run(*args)
    assert code == 2
    line = _error(err)
    assert f"{path}:3:" in line
    assert path.read_text() == BROKEN
    assert tree(home) == before


def test_add_with_a_broken_profiles_file_writes_nothing(run, home: Path) -> None:
    path = config_dir(home) / "profiles.toml"
    path.parent.mkdir(parents=True)
    path.write_text(BROKEN)
    before = tree(home)
    code, _, err = run("profile", "add", "other", "--api-key-stdin", input=OTHER_KEY + "\n")
    assert code == 2
    assert f"{path}:3:" in _error(err)
    assert tree(home) == before


def test_a_hand_comment_in_the_profiles_file_survives_an_edit(run, home: Path) -> None:
    _add_work(run)
    path = config_dir(home) / "profiles.toml"
    path.write_text(path.read_text().replace('model = "qwen3-coder"', 'model = "qwen3-coder"  # the big one'))
    assert run("profile", "edit", "work", "--fast-model", "qwen3-small")[0] == 0
    assert "# the big one" in path.read_text()
    assert mode_of(path) == 0o600


def test_add_on_a_terminal_asks_setups_questions_but_not_about_the_tools_files(home: Path) -> None:
    """The wizard fills in what the flags did not give; questions about a tool's own files (Claude Code's
    ANTHROPIC_API_KEY, onboarding) are not asked, since nothing is applied."""
    from configurator.commands.profile import AddOptions, run_add, setup_options

    asked: list[str] = []

    class Answers:
        def checkbox(self, message: str, choices, **_kw):
            asked.append(message)
            return ["claude-code", "codex"]

        def select(self, message: str, choices, default=None):
            asked.append(message)
            return default if default is not None else choices[0][1]

        def text(self, message: str, default: str = "", validate=None) -> str:
            asked.append(message)
            return default or "x"

        def password(self, message: str, validate=None) -> str:
            asked.append(message)
            return OTHER_KEY

        def confirm(self, message: str, default: bool = True) -> bool:
            asked.append(message)
            return default

        def say(self, message: str) -> None:
            pass

    seed(home)
    before = agent_bytes(home)
    result = run_add(AddOptions("wiz", setup_options(frozenset(), True)), prompter=Answers())  # type: ignore[arg-type]
    assert result.exit_code == 0
    assert agent_bytes(home) == before
    assert not any("ANTHROPIC_API_KEY" in q or "onboarding" in q for q in asked), asked
    saved = profiles_data(home)["profiles"]["wiz"]
    assert saved["tools"] == ["claude-code", "codex"] and saved["key"] == OTHER_KEY
    text = result.human()
    assert "codex -p wiz" in text and "configurator use wiz" in text and OTHER_KEY not in text
