"""setup asks the provider for its models: "did you mean", the API each model speaks, the cache, unreachable."""

from __future__ import annotations

import dataclasses
import json
import socket
import stat
from pathlib import Path

import pytest
from conftest import KNOWN_KEY
from hypothesis import given, settings
from hypothesis import strategies as st
from mock_provider import MockProvider
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from configurator import provider_models
from configurator.commands.setup import SetupOptions, run
from configurator.prompts import Prompter

PRO, FLASH = "deepseek-ai/deepseek-v4-pro", "deepseek-ai/deepseek-v4-flash"
KEY_IN = KNOWN_KEY + "\n"


@pytest.fixture
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(provider_models.OFFLINE_VAR, raising=False)
    provider_models._SEEN.clear()


@pytest.fixture
def mock(online: None):
    with MockProvider(api_key=KNOWN_KEY, models=[PRO, FLASH, "qwen/qwen3-coder", "m-chat-only"],
                      model_fields={"m-chat-only": {"supported_endpoint_types": ["openai"]},
                                    PRO: {"supported_endpoint_types": ["openai", "anthropic", "openai-response"]}},
                      max_lifetime=60) as m:
        yield m


def setup(cli, mock: MockProvider, *args: str) -> tuple[int, str, str]:
    return cli("setup", "--yes", "--json", "--provider", "custom", "--base-url", mock.url + "/v1", "--api-key-stdin",
               *args, input=KEY_IN)


def model_lists(mock: MockProvider) -> list[dict]:
    return [r for r in mock.requests if r["path"] == "/v1/models"]


def test_a_model_the_provider_does_not_list_is_refused_with_the_closest_ids(cli, home: Path, mock) -> None:
    code, out, err = setup(cli, mock, "--model", "deepseek-v4-pro")
    assert code == 2 and json.loads(out)["error"]["exit_code"] == 2  # --json: the error envelope on stdout
    assert err.strip() == ("error: --model 'deepseek-v4-pro' is not a model Custom provider offers; did you mean "
                           f"{PRO} or {FLASH}? (Nothing was written.)")
    assert not (home / ".claude").exists()
    (req,) = model_lists(mock)
    assert req["auth"] == f"Bearer {KNOWN_KEY}"  # the key goes in the header, and only there
    assert KNOWN_KEY not in out + err


def test_listed_models_are_written_and_the_list_is_cached_for_a_day(cli, home: Path, mock) -> None:
    code, out, err = setup(cli, mock, "--model", PRO, "--fast-model", FLASH)
    assert code == 0, err
    assert json.loads((home / ".claude/settings.json").read_text())["env"]["ANTHROPIC_MODEL"] == PRO
    folder = home / ".cache/agent-configurator/models"
    (cache,) = folder.iterdir()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert KNOWN_KEY not in cache.read_text() and PRO in cache.read_text()
    provider_models._SEEN.clear()  # a new run of the command
    assert setup(cli, mock, "--model", FLASH)[0] == 0
    assert len(model_lists(mock)) == 1, "the second run takes the list from the cache"
    data = json.loads(cache.read_text())
    cache.write_text(json.dumps({**data, "fetched": data["fetched"] - 25 * 3600}))  # a day and an hour old
    provider_models._SEEN.clear()
    assert setup(cli, mock, "--model", FLASH)[0] == 0
    assert len(model_lists(mock)) == 2


def test_a_model_without_the_api_an_agent_speaks_is_refused_for_that_agent(cli, home: Path, mock) -> None:
    code, _, err = setup(cli, mock, "--tool", "codex", "--model", "m-chat-only")
    assert code == 2
    assert err.strip() == ("error: Codex sends OpenAI Responses requests, but Custom provider serves m-chat-only only "
                           "as OpenAI Chat Completions; choose another model, or leave Codex out with --tool. "
                           "(Nothing was written.)")
    code, _, err = setup(cli, mock, "--tool", "openclaw", "--model", "m-chat-only")
    assert code == 0, err  # OpenClaw speaks Chat Completions
    # a list that does not say which APIs a model speaks is no reason to refuse
    assert setup(cli, mock, "--tool", "codex", "--model", "qwen/qwen3-coder")[0] == 0


def test_an_unreachable_provider_is_one_note_and_no_check(cli, home: Path, online: None) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, out, err = cli("setup", "--yes", "--json", "--provider", "custom", "--base-url",
                         f"http://127.0.0.1:{port}/v1", "--model", "anything", "--api-key-stdin", input=KEY_IN)
    assert code == 0, err
    notes = [n for n in json.loads(out)["notes"] if "could not list" in n]
    assert notes == ["could not list the provider's models: cannot reach 127.0.0.1 ([Errno 111] Connection "
                     "refused); the preset's models are offered and not checked."]


def test_offline_setting_never_asks(cli, home: Path, mock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(provider_models.OFFLINE_VAR, "1")
    assert setup(cli, mock, "--model", "not-listed")[0] == 0
    assert model_lists(mock) == []


def test_the_wizard_offers_the_providers_models(home: Path, mock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_KEY", KNOWN_KEY)
    opts = SetupOptions(tools=("claude-code",), provider="custom", base_url=mock.url + "/v1", key_storage="env",
                        api_key_env="LLM_KEY", interactive=True, claude_skip_login=False,
                        given=frozenset({"tools", "provider", "base_url", "key_storage", "api_key_env",
                                         "claude_skip_login", "claude_statusline"}))
    down, up, enter = "\x1b[B", "\x1b[A", "\r"
    with create_pipe_input() as pipe:
        # main model: the third listed; fast model (the cursor starts at the main one): the second; write? yes
        pipe.send_text(down + down + enter + up + enter + "y")
        pipe.close()
        run(dataclasses.replace(opts), prompter=Prompter(input=pipe, output=DummyOutput()))
    env = json.loads((home / ".claude/settings.json").read_text())["env"]
    assert (env["ANTHROPIC_MODEL"], env["ANTHROPIC_DEFAULT_HAIKU_MODEL"]) == ("qwen/qwen3-coder", FLASH)


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                       lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=6), c, max_size=4),
                       max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(body=JSONISH | st.fixed_dictionaries({"data": st.lists(JSONISH | st.fixed_dictionaries(
    {"id": st.text(max_size=10), "supported_endpoint_types": JSONISH}), max_size=5)}))
def test_any_answer_parses_or_is_no_list(body: object) -> None:
    models = provider_models.parse(body)
    assert models is None or all(isinstance(i, str) and i.strip() == i and i for i in models.ids)
