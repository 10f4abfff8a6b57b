"""The real Claude Code, Codex and OpenClaw judge what `configurator setup` writes.

Each test starts from an empty HOME, points setup at the mock provider on 127.0.0.1 and runs the real
client offline. Negative controls prove the suite can fail, and our linter flags each of them.
Clients come from `.ci/install-clients.sh` (versions pinned in `.ci/clients.env`). Locally the suite is
skipped when they are missing; with CI=true a missing client is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from clients import CLIENTS
from clients import REAL_PATH as _REAL_PATH
from clients import need as _need
from conftest import KNOWN_KEY, run_cli
from mock_provider import MARKER, MockProvider

pytestmark = pytest.mark.conformance

def _client_env(home: Path, **extra: str) -> dict[str, str]:
    path = _REAL_PATH
    if CLIENTS.get("NODE24_BIN_DIR") and extra.pop("NODE24", ""):
        path = CLIENTS["NODE24_BIN_DIR"] + os.pathsep + path
    env = {"HOME": str(home), "PATH": path, "LANG": "C.UTF-8", "TERM": "dumb", "NO_COLOR": "1"}
    env.update(extra)
    return env


def _run(cmd: list[str], home: Path, timeout: float = 90, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=home, env=_client_env(home, **extra), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def _setup(home: Path, mock: MockProvider, *extra: str) -> None:
    proc = run_cli("setup", "--yes", "--api-key-stdin", "--provider", "custom", "--base-url", mock.url,
                   "--model", "deepseek-ai/deepseek-v4-pro", "--fast-model", "deepseek-ai/deepseek-v4-flash",
                   *extra, input=KNOWN_KEY + "\n", env={"HOME": str(home)})
    assert proc.returncode == 0, proc.stderr
    assert KNOWN_KEY not in proc.stdout + proc.stderr


def _lint_rules(path: Path, home: Path) -> set[str]:
    proc = run_cli("lint", "--format", "json", str(path), env={"HOME": str(home)})
    assert proc.returncode in (0, 1), proc.stderr
    return {f["rule"] for f in json.loads(proc.stdout)["findings"]}


def _assert_usage(home: Path, tool: str, requests: int) -> None:
    """What the real client logged is what `configurator usage` reports (the mock answers 10 in, 3 out)."""
    proc = run_cli("usage", "--json", "--tool", tool, "--timezone", "UTC", env={"HOME": str(home)})
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)["rows"]
    assert [(r["input_tokens"] + r["cache_read_tokens"], r["output_tokens"], r["requests"]) for r in rows] == [
        (10 * requests, 3 * requests, requests)], rows


@pytest.fixture
def mock():
    with MockProvider(api_key=KNOWN_KEY, max_lifetime=240) as m:
        yield m


# --- Claude Code -------------------------------------------------------------------------------


def test_claude_code_reaches_messages_with_bearer_key(home: Path, mock: MockProvider) -> None:
    claude = _need("CLAUDE_BIN")
    _setup(home, mock, "--tool", "claude-code")
    proc = _run([claude, "-p", "ping"], home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert MARKER in proc.stdout
    posts = [r for r in mock.requests if r["method"] == "POST"]
    assert posts and all(r["path"].startswith("/v1/messages") for r in posts)
    assert all(r["auth"] == f"Bearer {KNOWN_KEY}" for r in posts)
    assert not any("/v1/v1/" in r["path"] for r in mock.requests)
    _assert_usage(home, "claude-code", len(posts))


def test_claude_code_runs_with_our_status_line(home: Path, mock: MockProvider) -> None:
    """setup --statusline: the real Claude Code takes the settings (no settings error) and still reaches the
    provider; the command it would run prints one line for the status-line JSON Claude Code sends."""
    claude = _need("CLAUDE_BIN")
    _setup(home, mock, "--tool", "claude-code", "--statusline")
    settings = json.loads((home / ".claude" / "settings.json").read_text())
    command = settings["statusLine"]["command"]
    proc = _run([claude, "-p", "ping"], home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert MARKER in proc.stdout and "statusLine" not in proc.stderr
    sample = json.dumps({"session_id": "s", "model": {"id": "deepseek-ai/deepseek-v4-pro", "display_name": "v4"},
                         "workspace": {"current_dir": str(home)}, "transcript_path": str(home / "t.jsonl")})
    line = subprocess.run(command, shell=True, input=sample, capture_output=True, text=True, timeout=30,
                          env={"HOME": str(home), "PATH": _REAL_PATH, "NO_COLOR": "1"}, cwd=home)
    assert line.returncode == 0 and len(line.stdout.strip().splitlines()) == 1, line.stdout + line.stderr
    assert "Traceback" not in line.stdout + line.stderr


def test_negative_claude_base_url_with_v1_is_doubled(home: Path, mock: MockProvider) -> None:
    claude = _need("CLAUDE_BIN")
    _setup(home, mock, "--tool", "claude-code")
    settings = home / ".claude" / "settings.json"
    data = json.loads(settings.read_text())
    data["env"]["ANTHROPIC_BASE_URL"] = mock.url + "/v1"
    settings.write_text(json.dumps(data, indent=2))
    proc = _run([claude, "-p", "ping"], home, CLAUDE_CODE_MAX_RETRIES="0")
    assert proc.returncode != 0
    assert any(r["path"].startswith("/v1/v1/messages") for r in mock.requests)
    assert "claude-base-url-v1-suffix" in _lint_rules(settings, home)


# --- Claude Code: every model alias reaches the provider as a provider model -------------------

PRO, FLASH = "deepseek-ai/deepseek-v4-pro", "deepseek-ai/deepseek-v4-flash"
#: --model value (None: none given) -> the model the provider must see (measured: before setup mapped every tier,
#: default/best/opus sent claude-opus-5-5 and fable claude-fable-5-2)
_ALIASES = {None: PRO, "default": PRO, "best": PRO, "opus": PRO, "sonnet": PRO, "haiku": FLASH, "fable": PRO,
            "opusplan": PRO, "sonnet[1m]": PRO}
#: a subagent that asks for opus by its definition (.claude/agents/helper.md)
_HELPER = "---\nname: helper\ndescription: Helps.\nmodel: opus\n---\nYou help.\n"


@pytest.fixture(scope="module")
def claude_home(tmp_path_factory: pytest.TempPathFactory):
    """One home after `configurator setup --tool claude-code`, and its mock, shared by the alias runs."""
    _need("CLAUDE_BIN")
    home = tmp_path_factory.mktemp("claude-home")
    with MockProvider(api_key=KNOWN_KEY, max_lifetime=240) as m:
        _setup(home, m, "--tool", "claude-code")
        (home / ".claude" / "agents").mkdir()
        (home / ".claude" / "agents" / "helper.md").write_text(_HELPER)
        yield home, m


def _claude_models(home: Path, mock: MockProvider, *args: str) -> list[str]:
    """The models the provider saw during one `claude -p ping ARGS`."""
    before = len(mock.models_requested())
    proc = _run([_need("CLAUDE_BIN"), "-p", "ping", *args], home, timeout=30, CLAUDE_CODE_MAX_RETRIES="0")
    assert proc.returncode == 0 and MARKER in proc.stdout, proc.stdout + proc.stderr
    return mock.models_requested()[before:]


@pytest.mark.parametrize("alias", list(_ALIASES), ids=[a or "none" for a in _ALIASES])
def test_claude_code_every_alias_reaches_a_provider_model(claude_home: tuple[Path, MockProvider],
                                                          alias: str | None) -> None:
    home, mock = claude_home
    models = _claude_models(home, mock, *(["--model", alias] if alias else []))
    assert models and set(models) == {_ALIASES[alias]}, models


def test_claude_code_agent_that_asks_for_opus(claude_home: tuple[Path, MockProvider]) -> None:
    """`--agent helper` runs the session as an agent whose definition says `model: opus`."""
    home, mock = claude_home
    assert set(_claude_models(home, mock, "--agent", "helper")) == {PRO}


def _delegating(mock: MockProvider, call: dict) -> None:
    """Answer the session's first streamed request with an Agent tool call (``call``), so Claude Code starts a
    subagent; every later request gets the mock's normal reply."""
    from mock_provider import _sse

    base = mock._server.RequestHandlerClass
    done: list[bool] = []

    def messages(handler, body: dict) -> None:
        if done or not body.get("stream"):
            return base._anthropic_messages(handler, body)
        done.append(True)
        start = {"id": "msg_delegate", "type": "message", "role": "assistant", "model": body.get("model"),
                 "content": [], "stop_reason": None, "stop_sequence": None,
                 "usage": {"input_tokens": 10, "output_tokens": 1}}
        handler._send_sse([
            _sse("message_start", {"type": "message_start", "message": start}),
            _sse("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {
                "type": "tool_use", "id": "toolu_delegate", "name": "Agent", "input": {}}}),
            _sse("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {
                "type": "input_json_delta", "partial_json": json.dumps(call)}}),
            _sse("content_block_stop", {"type": "content_block_stop", "index": 0}),
            _sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use",
                                                                      "stop_sequence": None},
                                   "usage": {"output_tokens": 3}}),
            _sse("message_stop", {"type": "message_stop"}),
        ])

    mock._server.RequestHandlerClass = type("_Delegating", (base,), {"_anthropic_messages": messages})


@pytest.mark.parametrize("call", [
    {"subagent_type": "helper"},  # its definition says model: opus
    {"subagent_type": "general-purpose", "model": "opus"},  # the Agent call asks for opus
    {"subagent_type": "general-purpose", "model": "haiku"},
    {"subagent_type": "general-purpose"},  # no model anywhere: CLAUDE_CODE_SUBAGENT_MODEL
], ids=["definition-opus", "call-opus", "call-haiku", "no-model"])
def test_claude_code_subagent_reaches_a_provider_model(home: Path, mock: MockProvider, call: dict) -> None:
    _need("CLAUDE_BIN")
    _setup(home, mock, "--tool", "claude-code")
    (home / ".claude" / "agents").mkdir()
    (home / ".claude" / "agents" / "helper.md").write_text(_HELPER)
    _delegating(mock, {"description": "help", "prompt": "say pong", "run_in_background": False, **call})
    models = _claude_models(home, mock)
    # the session's request, the subagent's, the session's again after the tool result
    assert len(models) == 3, models
    assert models[1] == (FLASH if call.get("model") == "haiku" else PRO), models
    assert set(models) <= {PRO, FLASH}


def test_claude_code_tiers_are_the_ones_the_binary_knows() -> None:
    """claude_code.TIERS names every ANTHROPIC_DEFAULT_<TIER>_MODEL_NAME the installed Claude Code reads."""
    import mmap
    import re

    from configurator.agents import claude_code

    with open(_need("CLAUDE_BIN"), "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        known = {m.decode().lower() for m in re.findall(rb"ANTHROPIC_DEFAULT_([A-Z0-9]+)_MODEL_NAME", data)}
    assert known == {t.alias for t in claude_code.TIERS}


def test_claude_code_lint_fix_maps_the_tiers(home: Path, mock: MockProvider) -> None:
    """A hand-written config with only ANTHROPIC_MODEL: the real client sends claude-opus-* for opus; lint flags
    it and --fix makes opus reach the provider model."""
    _need("CLAUDE_BIN")
    settings = home / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(json.dumps({"env": {"ANTHROPIC_BASE_URL": mock.url, "ANTHROPIC_AUTH_TOKEN": KNOWN_KEY,
                                            "ANTHROPIC_MODEL": PRO}}, indent=2))
    [sent] = _claude_models(home, mock, "--model", "opus")
    assert sent.startswith("claude-opus-"), sent
    assert "claude-model-tier-unmapped" in _lint_rules(settings, home)
    fix = run_cli("lint", "--fix", str(settings), env={"HOME": str(home)})
    assert fix.returncode == 0, fix.stdout + fix.stderr
    assert _claude_models(home, mock, "--model", "opus") == [PRO]
    assert _claude_models(home, mock, "--model", "haiku") == [PRO]  # no fast model configured: the main one


# --- Codex -------------------------------------------------------------------------------------


def _doctor(codex: str, home: Path, **extra: str) -> dict:
    proc = _run([codex, "doctor", "--json"], home, **extra)
    return json.loads(proc.stdout)


@pytest.mark.parametrize("storage", ["file", "env"])
def test_codex_doctor_and_exec(home: Path, mock: MockProvider, storage: str) -> None:
    codex = _need("CODEX_BIN")
    extra: dict[str, str] = {}
    if storage == "env":
        os.environ["ATLAS_TEST_KEY"] = KNOWN_KEY
        try:
            proc = run_cli("setup", "--yes", "--key-storage", "env", "--api-key-env", "ATLAS_TEST_KEY",
                           "--provider", "custom", "--base-url", mock.url + "/v1", "--model",
                           "deepseek-ai/deepseek-v4-pro", "--tool", "codex", env={"HOME": str(home)})
        finally:
            del os.environ["ATLAS_TEST_KEY"]
        assert proc.returncode == 0, proc.stderr
        assert not (home / ".codex" / "auth.json").exists()
        extra["ATLAS_TEST_KEY"] = KNOWN_KEY
    else:
        _setup(home, mock, "--tool", "codex")
    report = _doctor(codex, home, **extra)
    assert report["checks"]["config.load"]["status"] == "ok", report["checks"]["config.load"]
    assert report["checks"]["auth.credentials"]["status"] == "ok", report["checks"]["auth.credentials"]
    proc = _run([codex, "exec", "--skip-git-repo-check", "ping"], home, **extra)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert MARKER in proc.stdout
    posts = [r for r in mock.requests if r["method"] == "POST"]
    assert [r["path"] for r in posts] == ["/v1/responses"]
    assert posts[0]["auth"] == f"Bearer {KNOWN_KEY}"
    _assert_usage(home, "codex", 1)


def test_negative_codex_seed_chat_wire_api_fails_to_load(home: Path, mock: MockProvider) -> None:
    codex = _need("CODEX_BIN")
    _setup(home, mock, "--tool", "codex")
    cfg = home / ".codex" / "config.toml"
    # the source document's example, verbatim apart from the URL
    cfg.write_text(
        'model_provider = "atlas_coding_plan"\nmodel = "deepseek-ai/deepseek-v4-pro"\n\n'
        f'[model_providers.atlas_coding_plan]\nname = "atlascloud"\nbase_url = "{mock.url}/v1"\n'
        'wire_api = "chat"\nrequires_openai_auth = true\n'
    )
    report = _doctor(codex, home)
    assert report["checks"]["config.load"]["status"] == "fail"
    proc = _run([codex, "exec", "--skip-git-repo-check", "ping"], home)
    assert proc.returncode != 0 and "wire_api" in proc.stderr
    assert "codex-wire-api-chat" in _lint_rules(cfg, home)


def test_negative_codex_reserved_provider_id(home: Path, mock: MockProvider) -> None:
    codex = _need("CODEX_BIN")
    _setup(home, mock, "--tool", "codex")
    cfg = home / ".codex" / "config.toml"
    cfg.write_text(cfg.read_text().replace("custom", "openai"))
    assert _doctor(codex, home)["checks"]["config.load"]["status"] == "fail"
    assert "codex-reserved-provider-id" in _lint_rules(cfg, home)


# --- OpenClaw ----------------------------------------------------------------------------------


def _validate(openclaw: str, home: Path) -> tuple[int, dict]:
    proc = _run([openclaw, "config", "validate", "--json"], home, NODE24="1")
    return proc.returncode, json.loads(proc.stdout)


def test_openclaw_validates_written_file(home: Path, mock: MockProvider) -> None:
    openclaw = _need("OPENCLAW_BIN")
    _setup(home, mock, "--tool", "openclaw")
    code, out = _validate(openclaw, home)
    assert code == 0 and out["valid"] is True, out
    assert out.get("warnings") == []


def test_negative_openclaw_unknown_key_fails(home: Path, mock: MockProvider) -> None:
    openclaw = _need("OPENCLAW_BIN")
    _setup(home, mock, "--tool", "openclaw")
    cfg = home / ".openclaw" / "openclaw.json"
    data = json.loads(cfg.read_text())  # setup writes a new openclaw.json as plain JSON
    data["models"]["providers"]["custom"]["bogusKey"] = 1
    cfg.write_text(json.dumps(data, indent=2))
    code, out = _validate(openclaw, home)
    assert code != 0 and out["valid"] is False
    assert "schema" in _lint_rules(cfg, home)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed by openclaw agent")
def test_openclaw_agent_sends_one_chat_completion(home: Path, mock: MockProvider) -> None:
    openclaw = _need("OPENCLAW_BIN")
    _setup(home, mock, "--tool", "openclaw")
    proc = _run([openclaw, "agent", "--local", "--message", "ping", "--json"], home, timeout=120, NODE24="1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert MARKER in proc.stdout
    posts = [r for r in mock.requests if r["method"] == "POST"]
    assert [r["path"] for r in posts] == ["/v1/chat/completions"]
    assert posts[0]["auth"] == f"Bearer {KNOWN_KEY}"
    _assert_usage(home, "openclaw", 1)
    _assert_openclaw_store_columns(home)


def _assert_openclaw_store_columns(home: Path) -> None:
    """The transcript store has every column the usage reader selects (configurator/usage/openclaw.py)."""
    import sqlite3

    [db] = home.glob(".openclaw/agents/*/agent/openclaw-agent.sqlite")
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        def columns(table: str) -> set[str]:
            return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}

        assert {"session_id", "seq", "event_json", "event_zstd", "event_utf8_bytes"} <= columns("transcript_events")
        assert {"session_id", "encoding", "archive_blob", "created_at"} <= columns("session_transcript_archives")
        assert {"session_id", "archive_name", "storage", "archive_blob"} <= \
            columns("session_transcript_cold_archives")
    finally:
        conn.close()


# --- after merging into realistic existing files (the setup issue's fixtures) -------------------


def _seed_fixtures(home: Path) -> None:
    from setup_helpers import seed  # tests/setup/setup_helpers.py

    seed(home)


@pytest.fixture
def merged_home(home: Path, mock: MockProvider) -> Path:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "setup"))
    _seed_fixtures(home)
    _setup(home, mock)
    return home


def test_merged_claude_code(merged_home: Path, mock: MockProvider) -> None:
    claude = _need("CLAUDE_BIN")
    proc = _run([claude, "-p", "ping"], merged_home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert MARKER in proc.stdout
    posts = [r for r in mock.requests if r["method"] == "POST"]
    assert posts and all(r["auth"] == f"Bearer {KNOWN_KEY}" for r in posts)
    # the user's `"model": "opus"` does not win over the ANTHROPIC_MODEL setup wrote
    assert {r["json"]["model"] for r in posts} == {"deepseek-ai/deepseek-v4-pro"}
    assert not any(r["headers"].get("x-api-key") for r in posts)  # the conflicting old key is gone


def test_merged_codex_after_the_advised_lint_fix(merged_home: Path, mock: MockProvider) -> None:
    codex = _need("CODEX_BIN")
    cfg = merged_home / ".codex" / "config.toml"
    # the fixture's old [model_providers.atlascloud] still says wire_api = "chat": Codex refuses the file,
    # setup said so, and pointed at `configurator lint --fix`
    assert _doctor(codex, merged_home)["checks"]["config.load"]["status"] == "fail"
    fix = run_cli("lint", "--fix", str(cfg), env={"HOME": str(merged_home)})
    assert fix.returncode in (0, 1), fix.stderr
    report = _doctor(codex, merged_home)
    assert report["checks"]["config.load"]["status"] == "ok", report["checks"]["config.load"]
    assert report["checks"]["auth.credentials"]["status"] == "ok"
    proc = _run([codex, "exec", "--skip-git-repo-check", "ping"], merged_home)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert MARKER in proc.stdout
    assert [r["path"] for r in mock.requests if r["method"] == "POST"] == ["/v1/responses"]


def test_merged_openclaw(merged_home: Path) -> None:
    openclaw = _need("OPENCLAW_BIN")
    code, out = _validate(openclaw, merged_home)
    assert code == 0 and out["valid"] is True, out
    text = (merged_home / ".openclaw" / "openclaw.json").read_text()
    assert "// OpenClaw config — edited by hand, keep these comments" in text and "telegram" in text


# --- our OpenClaw schema against OpenClaw's own ------------------------------------------------


def test_openclaw_schema_is_derived_from_the_real_one(home: Path) -> None:
    """templates/schemas/openclaw.json is exactly what the installed OpenClaw's schema trims to."""
    from openclaw_schema import derive, render

    openclaw = _need("OPENCLAW_BIN")
    proc = _run([openclaw, "config", "schema"], home, NODE24="1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    ours = (Path(__file__).resolve().parents[2] / "templates" / "schemas" / "openclaw.json").read_text()
    assert render(derive(json.loads(proc.stdout))) == ours, (
        "OpenClaw's schema changed: run `openclaw config schema > s.json; python tests/conformance/openclaw_schema.py "
        "s.json > templates/schemas/openclaw.json`")


def test_openclaw_builtin_providers_are_derived_from_the_real_one(home: Path) -> None:
    """templates/openclaw/builtin-providers.json is what the installed OpenClaw's plugin manifests list, and covers
    every provider and CLI backend `openclaw plugins list --json` reports for its bundled plugins."""
    from openclaw_providers import derive, render

    package = Path(_need("OPENCLAW_MJS")).parent
    ours = (Path(__file__).resolve().parents[2] / "templates" / "openclaw" / "builtin-providers.json").read_text()
    assert render(derive(package)) == ours, (
        f"OpenClaw's built-in providers changed: run `python tests/conformance/openclaw_providers.py {package} > "
        "templates/openclaw/builtin-providers.json`")
    proc = _run([_need("OPENCLAW_BIN"), "plugins", "list", "--json"], home, NODE24="1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    listed = {p.lower() for plugin in json.loads(proc.stdout)["plugins"] if plugin["origin"] == "bundled"
              for p in plugin["providerIds"] + plugin["cliBackendIds"]}
    assert listed and listed <= set(json.loads(ours)["providers"]), listed - set(json.loads(ours)["providers"])


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed by openclaw agent")
def test_negative_openclaw_undefined_primary_provider(home: Path, mock: MockProvider) -> None:
    """A primary whose provider is neither defined nor built in: `config validate` passes, every run fails with
    "Unknown model", and lint flags it."""
    openclaw = _need("OPENCLAW_BIN")
    _setup(home, mock, "--tool", "openclaw")
    cfg = home / ".openclaw" / "openclaw.json"
    data = json.loads(cfg.read_text())
    data["agents"]["defaults"]["model"]["primary"] = "atlas/deepseek-ai/deepseek-v4-pro"
    cfg.write_text(json.dumps(data, indent=2))
    code, out = _validate(openclaw, home)
    assert code == 0 and out["valid"] is True, out
    proc = _run([openclaw, "agent", "--local", "--message", "ping", "--json"], home, timeout=120, NODE24="1")
    assert proc.returncode != 0 and "Unknown model: atlas/deepseek-ai/deepseek-v4-pro" in proc.stdout + proc.stderr
    assert mock.models_requested() == []
    assert "openclaw-primary-undefined" in _lint_rules(cfg, home)


_OPENCLAW_CASES = sorted((Path(__file__).resolve().parents[1] / "lint" / "cases").glob("*/*.json5"))


@pytest.mark.parametrize("case", _OPENCLAW_CASES, ids=[f"{p.parent.name}/{p.name}" for p in _OPENCLAW_CASES])
def test_lint_and_openclaw_agree_on_validity(home: Path, case: Path) -> None:
    """Every OpenClaw lint case: `openclaw config validate` refuses it exactly when our linter reports a
    parse error, a schema error or an exec secret provider whose command is not there (OpenClaw 2026.9.6 checks
    that the command is readable: "secrets.providers.<name>.command is not readable")."""
    openclaw = _need("OPENCLAW_BIN")
    target = home / ".openclaw" / "openclaw.json"
    target.parent.mkdir(parents=True)
    target.write_text(case.read_text())
    code, out = _validate(openclaw, home) if case.parent.name != "parse-error" else (1, {"valid": False})
    lint = run_cli("lint", "--format", "json", "--select", "parse-error,schema,key-helper-missing", str(target),
                   env={"HOME": str(home)})
    ours_invalid = any(f["severity"] == "error" for f in json.loads(lint.stdout)["findings"])
    assert ours_invalid == (not out["valid"]), (out, lint.stdout)
