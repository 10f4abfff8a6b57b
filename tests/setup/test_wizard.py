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
    parse_json5,
    parse_toml,
    seed,
    snapshot,
)

from configurator.commands.setup import SetupOptions, run
from configurator.errors import Aborted, Interrupted
from configurator.prompts import Prompter
from configurator.render import Result

ENTER, DOWN, UP, SPACE, CTRL_C, CTRL_U = "\r", "\x1b[B", "\x1b[A", " ", "\x03", "\x15"
KEY = KNOWN_KEY + ENTER


class Recorder(Prompter):
    """The real Prompter, remembering each question and its answer (the password answer masked)."""

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        self.log: list[tuple[str, object]] = []

    def _record(self, kind: str, message: str, *args: object, **kwargs: object) -> object:
        self.log.append((message, None))
        answer = getattr(super(), kind)(message, *args, **kwargs)
        self.log[-1] = (message, "***" if kind == "password" else answer)
        return answer

    def select(self, message, *a, **k):  # type: ignore[no-untyped-def]
        return self._record("select", message, *a, **k)

    def checkbox(self, message, *a, **k):  # type: ignore[no-untyped-def]
        return self._record("checkbox", message, *a, **k)

    def text(self, message, *a, **k):  # type: ignore[no-untyped-def]
        return self._record("text", message, *a, **k)

    def password(self, message, *a, **k):  # type: ignore[no-untyped-def]
        return self._record("password", message, *a, **k)

    def confirm(self, message, *a, **k):  # type: ignore[no-untyped-def]
        return self._record("confirm", message, *a, **k)


LAST: list[Recorder] = []


def wizard(*keys: str, opts: SetupOptions | None = None) -> Result:
    """Type ``keys`` (all at once: prompt_toolkit keeps the rest as typeahead for the next question), then end
    the input, so a test that types too few keys fails with Aborted instead of waiting forever.
    ``asked()`` then lists the questions of this run with their answers."""
    with create_pipe_input() as pipe:
        pipe.send_text("".join(keys))
        pipe.close()
        prompter = Recorder(input=pipe, output=DummyOutput())
        LAST[:] = [prompter]
        return run(dataclasses.replace(opts or SetupOptions(), interactive=True), prompter=prompter)


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
    assert f'"ANTHROPIC_AUTH_TOKEN": "{MASKED}"' in out  # the diff shown before the confirm, key masked
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
        "https://gw.example.com/api/v2" + ENTER,
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
def test_anthropic_api_key_present(home: Path, answer: str, removed: bool) -> None:
    seed(home, ["claude_settings.json"])  # detected: only Claude Code is preselected
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
    assert asked()[-1] == ("Write these changes?", False)
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
    # now all three are detected and preselected; onboarding still not done -> asked again (no)
    result = wizard(ENTER, ENTER, ENTER, KEY, ENTER, ENTER, ENTER)
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
    result = wizard(ENTER, ENTER, ENTER, KEY, ENTER, ENTER, ENTER)
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
