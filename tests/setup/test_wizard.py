"""The wizard, driven key by key through prompt_toolkit pipe input: one test per branch."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from setup_helpers import (
    CLAUDE_STATE,
    CODEX_AUTH,
    CODEX_CONFIG,
    KNOWN_KEY,
    MASKED,
    OPENCLAW,
    SETTINGS,
    assert_nothing_written,
    fake_tool,
    parse_json5,
    parse_toml,
    seed,
    snapshot,
)

from configurator import agents
from configurator.commands.setup import SetupOptions, run
from configurator.errors import Aborted, ConfiguratorError, Interrupted
from configurator.prompts import Prompter
from configurator.render import Result

ENTER, DOWN, UP, SPACE, CTRL_C, CTRL_U = "\r", "\x1b[B", "\x1b[A", " ", "\x03", "\x15"
KEY = KNOWN_KEY + ENTER


class Recorder(Prompter):
    """The real Prompter, remembering each question and its answer (the password answer masked)."""

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        self.log: list[tuple[str, object]] = []
        self.choices: dict[str, list[str]] = {}

    def _record(self, kind: str, message: str, *args: object, **kwargs: object) -> object:
        self.log.append((message, None))
        answer = getattr(super(), kind)(message, *args, **kwargs)
        self.log[-1] = (message, "***" if kind == "password" else answer)
        return answer

    def select(self, message, *a, **k):  # type: ignore[no-untyped-def]
        self.choices[message] = [title for title, _ in (a[0] if a else k["choices"])]
        return self._record("select", message, *a, **k)

    def checkbox(self, message, *a, **k):  # type: ignore[no-untyped-def]
        self.choices[message] = [title for title, _, _ in (a[0] if a else k["choices"])]
        return self._record("checkbox", message, *a, **k)

    def text(self, message, *a, **k):  # type: ignore[no-untyped-def]
        return self._record("text", message, *a, **k)

    def password(self, message, *a, **k):  # type: ignore[no-untyped-def]
        return self._record("password", message, *a, **k)

    def confirm(self, message, *a, **k):  # type: ignore[no-untyped-def]
        return self._record("confirm", message, *a, **k)


LAST: list[Recorder] = []


def install(bindir: Path, *ids: str) -> None:
    """Put a fake executable of each agent (all of them by default) on PATH: installed tools are pre-selected."""
    for agent in map(agents.get, ids or agents.IDS):
        fake_tool(bindir, agent.executable, "1.0.0")


@pytest.fixture(autouse=True)
def all_installed(bare_path: Path) -> Path:
    """Every agent installed, unless a test takes some away (``uninstall``)."""
    install(bare_path)
    return bare_path


def uninstall(bindir: Path, *ids: str) -> None:
    for agent in map(agents.get, ids):
        (bindir / agent.executable).unlink()


def wizard(*keys: str, opts: SetupOptions | None = None, statusline: bool = False) -> Result:
    """Type ``keys`` (all at once: prompt_toolkit keeps the rest as typeahead for the next question), then end
    the input, so a test that types too few keys fails with Aborted instead of waiting forever.
    ``asked()`` then lists the questions of this run with their answers."""
    with create_pipe_input() as pipe:
        pipe.send_text("".join(keys))
        pipe.close()
        prompter = Recorder(input=pipe, output=DummyOutput())
        LAST[:] = [prompter]
        opts = opts or SetupOptions()
        if not statusline:  # the status-line question has its own tests below; the others answer it with a flag
            opts = dataclasses.replace(opts, given=opts.given | {"claude_statusline"})
        return run(dataclasses.replace(opts, interactive=True), prompter=prompter)


def asked() -> list[tuple[str, object]]:
    return LAST[0].log


def files(result: Result) -> dict[str, str]:
    return {f["path"]: f["action"] for f in result.data["files"]}


# Atlas, all three tools preselected (nothing detected), file mode: the answers are all defaults but the key.
ATLAS_FILE = (
    ENTER,  # tools: all three
    ENTER,  # provider: Atlas Cloud
    ENTER,  # key storage: file
    KEY,  # password
    ENTER,  # main model
    ENTER,  # fast model
    ENTER,  # mark onboarding done? default no
    ENTER,  # write these changes? default yes
)


def test_atlas_file_mode(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = wizard(*ATLAS_FILE)
    assert set(files(result).values()) == {"created"}
    assert json.loads((home / SETTINGS).read_text())["env"]["ANTHROPIC_AUTH_TOKEN"] == KNOWN_KEY
    assert json.loads((home / CODEX_AUTH).read_text()) == {"OPENAI_API_KEY": KNOWN_KEY}
    assert not (home / CLAUDE_STATE).exists()  # onboarding question answered no
    out = capsys.readouterr().out
    # a summary per file before the question, not the diff (it would scroll the question away)
    assert f"Claude Code: {home / SETTINGS} (will be created)" in out
    assert "+ 1 key added: OPENAI_API_KEY" in out
    assert "ANTHROPIC_AUTH_TOKEN" in out and MASKED not in out and "@@" not in out
    # the same bytes as flags mode (the golden files)
    golden = Path(__file__).parent / "golden" / "file" / "codex-config.toml"
    assert (home / CODEX_CONFIG).read_text() == golden.read_text()


def test_env_mode(home: Path) -> None:
    result = wizard(ENTER, ENTER, DOWN + ENTER, ENTER, ENTER, ENTER, ENTER, ENTER)
    assert str(home / CODEX_AUTH) not in files(result)
    table = parse_toml((home / CODEX_CONFIG).read_text())["model_providers"]["atlascloud"]
    assert table["env_key"] == "ATLAS_API_KEY" and table["requires_openai_auth"] is False
    assert parse_json5((home / OPENCLAW).read_text())["models"]["providers"]["atlascloud"]["apiKey"] == (
        "${ATLAS_API_KEY}"
    )
    assert any("ANTHROPIC_AUTH_TOKEN" in n for n in result.notes)


def test_env_mode_other_variable_name_is_validated(home: Path) -> None:
    # clear the default, type the key by mistake (refused), clear again, type a name
    wizard(ENTER, ENTER, DOWN + ENTER, CTRL_U, "my key" + ENTER, CTRL_U, "MY_ATLAS" + ENTER, ENTER, ENTER,
           ENTER, ENTER)
    assert parse_toml((home / CODEX_CONFIG).read_text())["model_providers"]["atlascloud"]["env_key"] == "MY_ATLAS"


def test_key_from_the_preset_variable(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_API_KEY", KNOWN_KEY)
    wizard(ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER)  # "Use the key in $ATLAS_API_KEY?" yes
    assert ("Use the key in $ATLAS_API_KEY?", True) in asked()
    assert "API key (input hidden):" not in [q for q, _ in asked()]  # no password prompt
    assert json.loads((home / CODEX_AUTH).read_text()) == {"OPENAI_API_KEY": KNOWN_KEY}


def test_custom_provider_with_derivable_url(home: Path) -> None:
    wizard(
        ENTER, DOWN + ENTER,  # tools; provider: Custom
        "https://llm.example.com/v1" + ENTER,
        ENTER, KEY,  # file mode, key
        "acme/coder-large" + ENTER, CTRL_U + "acme/coder-small" + ENTER,  # main, fast (default = main, cleared)
        ENTER, ENTER,
    )
    assert json.loads((home / SETTINGS).read_text())["env"]["ANTHROPIC_BASE_URL"] == "https://llm.example.com"
    codex = parse_toml((home / CODEX_CONFIG).read_text())
    assert codex["model_providers"]["custom"]["base_url"] == "https://llm.example.com/v1"
    assert codex["model"] == "acme/coder-large"
    models = parse_json5((home / OPENCLAW).read_text())["models"]["providers"]["custom"]["models"]
    assert [m["id"] for m in models] == ["acme/coder-large", "acme/coder-small"]


def test_custom_provider_fast_model_defaults_to_main(home: Path) -> None:
    wizard(ENTER, DOWN + ENTER, "https://h.example" + ENTER, ENTER, KEY, "m1" + ENTER, ENTER, ENTER, ENTER)
    assert json.loads((home / SETTINGS).read_text())["env"]["ANTHROPIC_DEFAULT_HAIKU_MODEL"] == "m1"


def test_custom_provider_with_non_derivable_url_asks_for_both(home: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    wizard(
        ENTER, DOWN + ENTER,
        "https://gw.example.com/api/v2" + ENTER,  # cannot be derived: the wizard says why and asks twice
        "https://gw.example.com/api/anthropic" + ENTER,
        ENTER,  # the OpenAI-compatible root: the URL typed first is the default
        ENTER, KEY, "m1" + ENTER, ENTER, ENTER, ENTER,
    )
    assert "cannot be derived" in capsys.readouterr().out
    questions = [q for q, _ in asked()]
    assert any(q.startswith("Anthropic-compatible base URL") for q in questions)
    assert any(q.startswith("OpenAI-compatible base URL") for q in questions)
    env = json.loads((home / SETTINGS).read_text())["env"]
    assert env["ANTHROPIC_BASE_URL"] == "https://gw.example.com/api/anthropic"
    assert parse_json5((home / OPENCLAW).read_text())["models"]["providers"]["custom"]["baseUrl"] == (
        "https://gw.example.com/api/v2"
    )


def test_url_validator_rejects_then_accepts(home: Path) -> None:
    wizard(ENTER, DOWN + ENTER, "gw.example.com" + ENTER, CTRL_U + "https://gw.example.com" + ENTER,
           ENTER, KEY, "m1" + ENTER, ENTER, ENTER, ENTER)
    assert json.loads((home / SETTINGS).read_text())["env"]["ANTHROPIC_BASE_URL"] == "https://gw.example.com"


@pytest.mark.parametrize(("answer", "removed"), [(ENTER, True), ("n", False)])
def test_anthropic_api_key_present(home: Path, answer: str, removed: bool, all_installed: Path) -> None:
    seed(home, ["claude_settings.json"])
    uninstall(all_installed, "codex", "openclaw", "opencode")  # only Claude Code is installed: preselected
    result = wizard(ENTER, ENTER, ENTER, KEY, ENTER, ENTER, answer, ENTER, ENTER)
    assert asked()[0][1] == ["claude-code"]
    assert [a for q, a in asked() if "ANTHROPIC_API_KEY" in q and q.endswith("Remove it?")] == [removed]
    assert list(files(result)) == [str(home / SETTINGS)]
    env = json.loads((home / SETTINGS).read_text())["env"]
    assert ("ANTHROPIC_API_KEY" in env) is not removed
    assert env["BASH_DEFAULT_TIMEOUT_MS"] == "120000"


@pytest.mark.parametrize("answer", ["y", ENTER])
def test_onboarding_question(home: Path, answer: str) -> None:
    seed(home, ["claude_state.json"])
    wizard(ENTER, ENTER, ENTER, KEY, ENTER, ENTER, answer, ENTER)
    assert json.loads((home / CLAUDE_STATE).read_text())["hasCompletedOnboarding"] is (answer == "y")


def test_onboarding_not_asked_when_done(home: Path) -> None:
    (home / CLAUDE_STATE).write_text('{"hasCompletedOnboarding": true}\n', encoding="utf-8")
    wizard(ENTER, ENTER, ENTER, KEY, ENTER, ENTER, ENTER)  # no onboarding question: the last ENTER confirms
    assert not any("onboarding" in q for q, _ in asked())
    assert (home / CODEX_AUTH).exists()


def test_only_some_tools(home: Path) -> None:
    # uncheck Claude Code (first), Codex (second) and opencode (fourth): only OpenClaw is configured, no Claude questions
    result = wizard(SPACE, DOWN + SPACE, DOWN + DOWN + SPACE, ENTER, ENTER, ENTER, KEY, ENTER, ENTER, ENTER)
    assert asked()[0][1] == ["openclaw"]
    assert not any("Claude" in q for q, _ in asked()[1:])
    assert list(files(result)) == [str(home / OPENCLAW)]


def test_no_tool_picked_is_refused_by_the_validator(home: Path) -> None:
    # uncheck all four, try to go on (refused), check OpenClaw (third) again
    result = wizard(SPACE, DOWN + SPACE, DOWN + SPACE, DOWN + SPACE, ENTER, UP + SPACE + ENTER, ENTER, ENTER, KEY,
                    ENTER, ENTER, ENTER)
    assert list(files(result)) == [str(home / OPENCLAW)]


def test_declining_the_final_confirm_writes_nothing(home: Path) -> None:
    seed(home)
    before = snapshot(home)
    with pytest.raises(Aborted, match=r"^Cancelled; nothing was written\.$") as cancelled:
        # remove ANTHROPIC_API_KEY? yes; onboarding? no; then "Write these changes?" no
        wizard(*ATLAS_FILE[:-2], ENTER, ENTER, "n")
    assert asked()[-1] == ("Write these changes?", "cancel")
    assert cancelled.value.exit_code == 0  # "No" is an answer, not an error
    assert_nothing_written(home, before)


@pytest.mark.parametrize("at", [0, 3, 7])
def test_ctrl_c_mid_wizard_writes_nothing(home: Path, at: int) -> None:
    with pytest.raises(Interrupted, match=r"^Cancelled; nothing was written\.$") as cancelled:
        wizard(*ATLAS_FILE[:at], CTRL_C)
    assert len(asked()) == at + 1 and asked()[-1][1] is None  # interrupted at question number at+1
    assert cancelled.value.exit_code == 130
    assert_nothing_written(home, {})


def test_ctrl_c_at_the_confirm_with_existing_files(home: Path) -> None:
    seed(home)
    before = snapshot(home)
    with pytest.raises(Interrupted, match=r"^Cancelled; nothing was written\.$") as cancelled:
        wizard(*ATLAS_FILE[:-2], ENTER, ENTER, CTRL_C)
    assert asked()[-1] == ("Write these changes?", None)
    assert cancelled.value.exit_code == 130
    assert_nothing_written(home, before)


def test_end_of_input_mid_wizard_writes_nothing(home: Path) -> None:
    with pytest.raises(Interrupted, match=r"^Cancelled; nothing was written\.$") as cancelled:
        wizard(ENTER, ENTER)
    assert len(asked()) == 3 and cancelled.value.exit_code == 130
    assert_nothing_written(home, {})


def test_empty_and_placeholder_keys_are_rejected_then_a_real_key_accepted(home: Path) -> None:
    wizard(ENTER, ENTER, ENTER,
           ENTER,  # empty: refused, the prompt stays
           "your-atlas-api-key" + ENTER,  # placeholder: refused
           CTRL_U + KEY,  # cleared, the real key
           ENTER, ENTER, ENTER, ENTER)
    assert [q for q, _ in asked()].count("API key (input hidden):") == 1  # one prompt, kept until valid
    assert json.loads((home / CODEX_AUTH).read_text()) == {"OPENAI_API_KEY": KNOWN_KEY}


def test_password_validator_messages() -> None:
    from configurator.wizard import _validate_key

    for bad in ("", "   ", "your-atlas-api-key", "sk-xxxx", "<your-api-key>"):
        assert isinstance(_validate_key(bad), str)
    assert _validate_key(KNOWN_KEY) is True


def test_second_wizard_run_says_nothing_to_change(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wizard(*ATLAS_FILE)
    before = snapshot(home)
    capsys.readouterr()
    # the saved profile's values are the defaults: tools, provider, storage, keep the key, models, its name;
    # onboarding still not done -> asked again (no)
    result = wizard(ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER)
    assert ("API key:", "keep") in asked() and ("Save as profile (an existing name is updated):", "atlascloud") in asked()
    assert set(files(result).values()) == {"unchanged"}
    assert "nothing to change" in capsys.readouterr().out
    assert snapshot(home) == before


def test_dry_run_wizard_shows_diffs_and_writes_nothing(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = wizard(*ATLAS_FILE[:-1], opts=SetupOptions(dry_run=True))  # no confirm question in a dry run
    assert result.data["dry_run"] is True
    assert_nothing_written(home, {})
    from configurator.render import emit

    emit(result)
    out = capsys.readouterr().out
    assert MASKED in out and "Dry run: nothing was written." in out
    assert out.count(f"--- {home / SETTINGS} (now)") == 1, "each diff is shown once"


def test_rerun_tightens_a_loose_key_file_mode(home: Path) -> None:
    wizard(*ATLAS_FILE)
    (home / SETTINGS).chmod(0o644)  # e.g. copied around by a dotfile tool
    before = (home / SETTINGS).read_bytes()
    result = wizard(ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER)
    assert set(files(result).values()) == {"unchanged"}
    assert (home / SETTINGS).read_bytes() == before
    assert oct((home / SETTINGS).stat().st_mode & 0o777) == oct(0o600)
    assert any("600" in n and str(home / SETTINGS) in n for n in result.notes)


def test_flags_on_a_terminal_answer_their_questions(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`configurator setup --tool codex --key-storage env --api-key-env X` on a terminal asks only the rest."""
    opts = SetupOptions(tools=("codex",), key_storage="env", api_key_env="MY_ATLAS",
                        given=frozenset({"tools", "key_storage", "api_key_env"}))
    result = wizard(ENTER, ENTER, ENTER, ENTER, opts=opts)  # provider, main model, fast model, write?
    questions = [q for q, _ in asked()]
    assert not any("tools" in q or "key live" in q or "variable" in q for q in questions), questions
    assert questions[0] == "Provider:" and questions[-1] == "Write these changes?"
    assert set(files(result)) == {str(home / CODEX_CONFIG)}
    table = parse_toml((home / CODEX_CONFIG).read_text())["model_providers"]["atlascloud"]
    assert table["env_key"] == "MY_ATLAS"


def test_custom_provider_flags_skip_url_and_model_questions(home: Path) -> None:
    opts = SetupOptions(tools=("openclaw",), provider="custom", base_url="https://llm.example.com/v1",
                        model="m-main", key_storage="env", api_key_env="LLM_KEY",
                        given=frozenset({"tools", "provider", "base_url", "model", "key_storage", "api_key_env"}))
    wizard(ENTER, ENTER, opts=opts)  # fast model (default: the main one), write?
    assert [q for q, _ in asked()] == ["Fast model id (for background tasks):", "Write these changes?"]
    provider = parse_json5((home / OPENCLAW).read_text())["models"]["providers"]["custom"]
    assert provider["baseUrl"] == "https://llm.example.com/v1" and provider["apiKey"] == "${LLM_KEY}"



# --- issue 12, item 6: the wizard knows what is there ---------------------------------------------------------

CUSTOM_FIRST = (ENTER, DOWN + ENTER, "https://llm.example.com/v1" + ENTER, ENTER, KEY, "m-main" + ENTER,
                CTRL_U + "m-fast" + ENTER, ENTER, ENTER)


def test_a_rerun_starts_from_the_active_profile(home: Path) -> None:
    wizard(*CUSTOM_FIRST)
    # all defaults now: tools, Custom, its URL, file mode, keep the key, both models, the profile's name
    result = wizard(ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER)
    answers = dict(asked())
    assert answers["Provider:"] == "custom"
    assert answers["Base URL (https://host or https://host/v1):"] == "https://llm.example.com/v1"
    assert answers["API key:"] == "keep" and "API key (input hidden):" not in answers
    assert LAST[0].choices["API key:"][0] == f"Keep the current key ({MASKED})"
    assert (answers["Main model id:"], answers["Fast model id (for background tasks):"]) == ("m-main", "m-fast")
    assert answers["Save as profile (an existing name is updated):"] == "custom"
    assert set(files(result).values()) == {"unchanged"}
    assert json.loads((home / CODEX_AUTH).read_text()) == {"OPENAI_API_KEY": KNOWN_KEY}


def test_a_rerun_can_type_a_new_key_and_save_under_another_name(home: Path) -> None:
    wizard(*ATLAS_FILE)
    other = "sk-atlas-OTHERKEY-0987654321zyxwvuABCD"
    result = wizard(ENTER, ENTER, ENTER, DOWN + ENTER, other + ENTER, ENTER, ENTER, CTRL_U + "atlas-2" + ENTER,
                    ENTER, ENTER)
    assert result.data["profile"] == "atlas-2"
    assert json.loads((home / CODEX_AUTH).read_text()) == {"OPENAI_API_KEY": other}


def test_the_profile_name_is_not_asked_when_given(home: Path) -> None:
    wizard(*ATLAS_FILE)
    opts = SetupOptions(profile="work", given=frozenset({"profile"}))
    result = wizard(ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, opts=opts)
    assert not any(q.startswith("Save as profile") for q, _ in asked())
    assert result.data["profile"] == "work"


def test_a_rerun_without_a_profile_offers_the_url_the_tools_use(home: Path) -> None:
    seed(home, ["codex_config.toml"])  # Codex set up by hand for OpenRouter: Custom offers its URL and model
    wizard(ENTER, DOWN + ENTER, ENTER, "https://openrouter.ai/api" + ENTER, ENTER, ENTER, KEY, ENTER, ENTER,
           ENTER, ENTER)
    answers = dict(asked())
    assert answers["Base URL (https://host or https://host/v1):"] == "https://openrouter.ai/api/v1"
    assert answers["OpenAI-compatible base URL (usually ends in /v1):"] == "https://openrouter.ai/api/v1"
    assert answers["Main model id:"] == "gpt-5.2-codex"


def test_installed_tools_are_preselected_and_the_others_labelled(home: Path, all_installed: Path) -> None:
    uninstall(all_installed, "codex", "openclaw")
    result = wizard(ENTER, ENTER, ENTER, KEY, ENTER, ENTER, ENTER, ENTER)
    assert asked()[0][1] == ["claude-code", "opencode"]
    titles = LAST[0].choices["Which tools should use the provider?"]
    assert "Codex  (not installed)" in titles and "Claude Code" in titles
    assert str(home / CODEX_CONFIG) not in files(result)


BROKEN_CODEX = 'model = "x"\n[model_providers.a\nbase_url = "https://h/v1"\n'


def test_a_broken_file_is_shown_before_the_first_question_and_skipped(home: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (home / CODEX_CONFIG).parent.mkdir(parents=True)
    (home / CODEX_CONFIG).write_text(BROKEN_CODEX, encoding="utf-8")
    result = wizard(ENTER, ENTER, ENTER, ENTER, KEY, ENTER, ENTER, ENTER, ENTER)  # skip Codex, then as usual
    question, answer = asked()[0]
    assert question.startswith("Codex's config cannot be read") and answer == "skip"
    assert f"Codex: {home / CODEX_CONFIG}:2:" in capsys.readouterr().out  # path:line:column, before any question
    assert "Codex" not in LAST[0].choices["Which tools should use the provider?"]
    assert (home / CODEX_CONFIG).read_text() == BROKEN_CODEX and str(home / CODEX_CONFIG) not in files(result)
    assert (home / SETTINGS).exists()


def test_a_broken_file_can_stop_the_wizard_before_any_question(home: Path) -> None:
    (home / CODEX_CONFIG).parent.mkdir(parents=True)
    (home / CODEX_CONFIG).write_text(BROKEN_CODEX, encoding="utf-8")
    before = snapshot(home)
    with pytest.raises(Aborted):
        wizard(DOWN + ENTER)
    assert [a for _, a in asked()] == ["stop"]
    assert_nothing_written(home, before)


def test_a_broken_file_of_the_only_tool_is_the_error(home: Path) -> None:
    (home / CODEX_CONFIG).parent.mkdir(parents=True)
    (home / CODEX_CONFIG).write_text(BROKEN_CODEX, encoding="utf-8")
    with pytest.raises(ConfiguratorError, match=r"config\.toml:2:\d+: cannot parse"):
        wizard(ENTER, opts=SetupOptions(tools=("codex",), given=frozenset({"tools"})))
    assert asked() == []


@pytest.mark.parametrize(("typed", "role", "offered"), [
    ("https://h.example/v1/chat/completions", "base", "https://h.example/v1"),
    ("https://h.example/v1/messages", "base", "https://h.example/v1"),
    ("https://user:pw@h.example/v1", "base", "https://h.example/v1"),
    ("https://h.example/api/anthropic/v1", "anthropic", "https://h.example/api/anthropic"),
    ("https://h.example", "openai", "https://h.example/v1"),
    ("https://h.example/", "openai", "https://h.example/v1"),
])
def test_url_fix(typed: str, role: str, offered: str) -> None:
    from configurator.wizard import url_fix

    found = url_fix(typed, role)
    assert found is not None and found[0] == offered


@pytest.mark.parametrize(("typed", "role"), [("https://h.example/v1", "base"), ("https://h.example", "base"),
                                             ("https://h.example/api/anthropic", "anthropic"),
                                             ("https://h.example/api/v2", "openai")])
def test_url_fix_leaves_good_urls(typed: str, role: str) -> None:
    from configurator.wizard import url_fix

    assert url_fix(typed, role) is None


def test_an_endpoint_url_is_caught_at_the_prompt(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wizard(ENTER, DOWN + ENTER, "https://llm.example.com/v1/chat/completions" + ENTER,
           ENTER,  # "Use https://llm.example.com/v1 instead?" yes
           ENTER, KEY, "m1" + ENTER, ENTER, ENTER, ENTER)
    assert ("Use https://llm.example.com/v1 instead?", True) in asked()
    assert "ends in the endpoint /chat/completions" in capsys.readouterr().out
    assert parse_toml((home / CODEX_CONFIG).read_text())["model_providers"]["custom"]["base_url"] == (
        "https://llm.example.com/v1")


def test_anthropic_v1_and_openai_without_v1_are_caught(home: Path) -> None:
    wizard(ENTER, DOWN + ENTER, "https://gw.example.com/api/v2" + ENTER,
           "https://gw.example.com/api/anthropic/v1" + ENTER, ENTER,  # offered without /v1: yes
           CTRL_U + "https://gw.example.com" + ENTER, ENTER,  # offered with /v1: yes
           ENTER, KEY, "m1" + ENTER, ENTER, ENTER, ENTER)
    assert ("Use https://gw.example.com/api/anthropic instead?", True) in asked()
    assert ("Use https://gw.example.com/v1 instead?", True) in asked()
    assert json.loads((home / SETTINGS).read_text())["env"]["ANTHROPIC_BASE_URL"] == (
        "https://gw.example.com/api/anthropic")
    assert parse_toml((home / CODEX_CONFIG).read_text())["model_providers"]["custom"]["base_url"] == (
        "https://gw.example.com/v1")


def test_credentials_in_the_url_are_never_written(home: Path) -> None:
    # declined: the question comes again with the URL without them
    wizard(ENTER, DOWN + ENTER, "https://me:secret@llm.example.com/v1" + ENTER, "n", ENTER,
           ENTER, KEY, "m1" + ENTER, ENTER, ENTER, ENTER)
    assert [a for q, a in asked() if q.startswith("Use ")] == [False]
    assert [a for q, a in asked() if q.startswith("Base URL")] == ["https://me:secret@llm.example.com/v1",
                                                                   "https://llm.example.com/v1"]
    assert "secret" not in (home / CODEX_CONFIG).read_text()


def test_the_full_diff_on_request_then_write(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wizard(*ATLAS_FILE[:-1], "d", "y")
    out = capsys.readouterr().out
    assert [a for q, a in asked() if q == "Write these changes?"] == ["diff", "write"]
    assert f'"ANTHROPIC_AUTH_TOKEN": "{MASKED}"' in out  # the diff, key masked
    assert out.index("Changes:") < out.index(f"--- {home / SETTINGS} (now)")
    assert (home / CODEX_AUTH).exists()


def test_the_diff_option_shows_it_before_the_summary(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wizard(*ATLAS_FILE, opts=SetupOptions(diff=True))
    out = capsys.readouterr().out
    assert out.index(f"--- {home / SETTINGS} (now)") < out.index("Changes:")
    assert f'"ANTHROPIC_AUTH_TOKEN": "{MASKED}"' in out


def test_the_summary_counts_added_changed_and_removed_keys(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed(home, ["claude_settings.json"])
    with pytest.raises(Aborted):
        wizard(*ATLAS_FILE[:-2], ENTER, ENTER, "n")
    out = capsys.readouterr().out
    block = out[out.index(f"Claude Code: {home / SETTINGS} (will be updated)"):]
    assert "- 1 key removed: env.ANTHROPIC_API_KEY" in block
    assert "keys added: env.ANTHROPIC_AUTH_TOKEN" in block


def test_a_short_key_is_never_shown(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    short = "q7Zk2"
    wizard(ENTER, ENTER, ENTER, short + ENTER, ENTER, ENTER, ENTER, "d", "y")
    out = capsys.readouterr().out
    assert '"ANTHROPIC_AUTH_TOKEN": "****"' in out and short not in out
    assert json.loads((home / CODEX_AUTH).read_text()) == {"OPENAI_API_KEY": short}


def test_env_mode_next_steps_start_with_the_export(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATLAS_API_KEY", raising=False)
    result = wizard(ENTER, ENTER, DOWN + ENTER, ENTER, ENTER, ENTER, ENTER, ENTER)
    steps = result.data["next_steps"]
    assert steps[0].startswith("export ATLAS_API_KEY=<your key>") and "not set in this shell right now" in steps[0]
    assert "configurator verify" in steps[-1] and "configurator status" in steps[-1]
    text = result.human()
    assert text.split("Next steps:\n", 1)[1].splitlines()[0].strip().startswith("export ATLAS_API_KEY=")
    from configurator.commands.setup import unset_note

    assert unset_note("ATLAS_API_KEY") not in result.notes  # said once: in the first step


def test_next_steps_order_without_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from configurator.commands.setup import next_steps

    monkeypatch.setenv("GW_KEY", "x" * 20)
    steps = next_steps(("codex",), "GW_KEY")
    assert steps[0].startswith("export GW_KEY=<your key>") and "not set" not in steps[0]
    assert steps[1] == agents.get("codex").next_step and "configurator status" in steps[-1]
    assert not next_steps(("codex",), None)[0].startswith("export")


def test_the_diff_option_without_the_wizard(cli, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_API_KEY", KNOWN_KEY)
    code, out, _ = cli("setup", "--yes", "--tool", "codex", "--api-key-env", "ATLAS_API_KEY", "--diff")
    assert code == 0 and f"--- {home / CODEX_CONFIG} (now)" in out and KNOWN_KEY not in out


# --- the status line (issue 16): offered when Claude Code is set up, never over the user's own -------------------


def test_the_status_line_is_offered_and_installed_when_asked(home: Path) -> None:
    wizard(ENTER, ENTER, ENTER, KEY, ENTER, ENTER, "y", ENTER, ENTER, statusline=True)
    question = next(q for q, _ in asked() if "status line" in q)
    assert "today's allowance" in question
    line = json.loads((home / SETTINGS).read_text())["statusLine"]
    assert line["type"] == "command" and line["command"].endswith("statusline")
    assert line["command"].split()[0].startswith("/")  # an absolute command: Claude Code runs it from anywhere


def test_the_status_line_is_not_installed_when_declined(home: Path) -> None:
    wizard(ENTER, ENTER, ENTER, KEY, ENTER, ENTER, "n", ENTER, ENTER, statusline=True)
    assert "statusLine" not in json.loads((home / SETTINGS).read_text())


def test_a_status_line_of_the_users_own_is_never_replaced(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / SETTINGS).parent.mkdir(parents=True, exist_ok=True)
    (home / SETTINGS).write_text('{"statusLine": {"type": "command", "command": "~/bin/my-status"}}\n')
    wizard(ENTER, ENTER, ENTER, KEY, ENTER, ENTER, ENTER, ENTER, statusline=True)
    assert not any("status line" in q and "?" in q for q, _ in asked())
    assert json.loads((home / SETTINGS).read_text())["statusLine"]["command"] == "~/bin/my-status"
