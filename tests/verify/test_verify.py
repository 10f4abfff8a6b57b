"""`configurator verify` against the mock provider on 127.0.0.1: ok, and each diagnosis a user can hit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import KNOWN_KEY
from mock_provider import MockProvider


def _setup(cli, base_url: str, *extra: str) -> None:
    code, out, err = cli("setup", "--yes", "--api-key-stdin", "--provider", "custom", "--base-url", base_url,
                         "--model", "deepseek-ai/deepseek-v4-pro", *extra, input=KNOWN_KEY + "\n")
    assert code == 0, err


def _verify(cli, *args: str) -> tuple[int, dict]:
    code, out, err = cli("verify", "--json", "--timeout", "5", *args)
    assert KNOWN_KEY not in out + err
    return code, json.loads(out)


def _by_tool(env: dict) -> dict[str, dict]:
    return {c["tool"]: c for c in env["checks"]}


def test_all_three_ok_and_exact_urls(cli) -> None:
    with MockProvider(api_key=KNOWN_KEY) as mock:
        _setup(cli, mock.url)
        code, env = _verify(cli)
        assert code == 0, env
        checks = _by_tool(env)
        assert {c["status"] for c in checks.values()} == {"ok"}
        assert checks["claude-code"]["key"] == "sk-…WXYZ"
        posted = sorted(r["path"] for r in mock.requests if r["method"] == "POST")
        assert posted == ["/v1/chat/completions", "/v1/messages", "/v1/responses"]
        assert all(r["auth"] in (f"Bearer {KNOWN_KEY}", KNOWN_KEY) for r in mock.requests)
        bodies = {r["path"]: r["json"] for r in mock.requests}
        assert bodies["/v1/messages"]["max_tokens"] == 1
        assert bodies["/v1/responses"]["max_output_tokens"] == 1
        assert bodies["/v1/chat/completions"]["max_tokens"] == 1


def test_wrong_key_is_reported_masked(cli) -> None:
    with MockProvider(api_key="sk-the-right-key-000000000") as mock:
        _setup(cli, mock.url)
        code, env = _verify(cli, "--tool", "codex")
    assert code == 1
    (check,) = env["checks"]
    assert check["status"] == "fail" and check["http_status"] == 401
    assert "rejected the key sk-…WXYZ" in check["message"]


def test_doubled_v1_in_claude_base_url(cli, home: Path) -> None:
    with MockProvider(api_key=KNOWN_KEY) as mock:
        _setup(cli, mock.url, "--tool", "claude-code")
        settings = home / ".claude" / "settings.json"
        data = json.loads(settings.read_text())
        data["env"]["ANTHROPIC_BASE_URL"] = mock.url + "/v1"
        settings.write_text(json.dumps(data))
        code, env = _verify(cli, "--tool", "claude-code")
        assert "/v1/v1/messages" in [r["path"].split("?")[0] for r in mock.requests]
    assert code == 1
    assert "doubled" in env["checks"][0]["message"] and "remove the trailing /v1" in env["checks"][0]["message"]


def test_missing_v1_in_codex_base_url(cli, home: Path) -> None:
    with MockProvider(api_key=KNOWN_KEY) as mock:
        _setup(cli, mock.url, "--tool", "codex")
        cfg = home / ".codex" / "config.toml"
        cfg.write_text(cfg.read_text().replace(f'"{mock.url}/v1"', f'"{mock.url}"'))
        code, env = _verify(cli, "--tool", "codex")
    assert code == 1
    assert "/v1 is missing" in env["checks"][0]["message"]


def test_connection_refused_and_unconfigured(cli) -> None:
    with MockProvider(api_key=KNOWN_KEY) as mock:
        url = mock.url
    _setup(cli, url, "--tool", "openclaw")
    code, env = _verify(cli)
    checks = _by_tool(env)
    assert code == 1
    assert checks["openclaw"]["status"] == "fail" and "refused" in checks["openclaw"]["message"]
    assert checks["claude-code"]["status"] == "skipped"


def test_env_key_storage_reads_the_variable(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    with MockProvider(api_key=KNOWN_KEY) as mock:
        monkeypatch.setenv("ATLAS_API_KEY", KNOWN_KEY)
        code, _, err = cli("setup", "--yes", "--key-storage", "env", "--api-key-env", "ATLAS_API_KEY",
                           "--provider", "custom", "--base-url", mock.url, "--model", "m", "--tool", "codex",
                           "--tool", "openclaw")
        assert code == 0, err
        code, env = _verify(cli)
        assert code == 0, env
        monkeypatch.delenv("ATLAS_API_KEY")
        code, env = _verify(cli, "--tool", "codex")
    assert code == 1 and "no API key" in env["checks"][0]["message"]


def test_text_output_never_shows_key(cli) -> None:
    with MockProvider(api_key=KNOWN_KEY) as mock:
        _setup(cli, mock.url)
        code, out, err = cli("verify")
    assert code == 0
    assert KNOWN_KEY not in out + err
    assert out.count("ok") >= 3


def test_provider_without_responses_api_is_diagnosed(cli) -> None:
    with MockProvider(api_key=KNOWN_KEY, disabled=("/v1/responses",)) as mock:
        _setup(cli, mock.url, "--tool", "codex")
        code, env = _verify(cli, "--tool", "codex")
    assert code == 1
    message = env["checks"][0]["message"]
    assert "not the Responses API" in message and "Codex" in message


def test_timeout_is_reported(cli) -> None:
    import socket

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)  # accepts the connection, never answers
    try:
        _setup(cli, f"http://127.0.0.1:{srv.getsockname()[1]}", "--tool", "claude-code")
        code, out, err = cli("verify", "--json", "--timeout", "0.5")
    finally:
        srv.close()
    check = json.loads(out)["checks"][0]
    assert code == 1 and "timeout" in check["message"]
