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
        posted = [r["path"] for r in mock.requests if r["method"] == "POST"]
        assert len(posted) == len(checks)  # one request per configured agent
        assert set(posted) == {"/v1/chat/completions", "/v1/messages", "/v1/responses"}
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
    assert checks["openclaw"]["status"] == "fail"
    assert checks["openclaw"]["message"] == (
        f"cannot reach {url.split('//')[1]}: connection refused (nothing listens at that address and port); the "
        "config looks right, so check the network (DNS, proxy, VPN, firewall).")
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


# --- network problems against config problems ----------------------------------------------------------------


def _claude_settings(home: Path) -> tuple[Path, dict]:
    path = home / ".claude" / "settings.json"
    return path, json.loads(path.read_text())


def test_unresolvable_host_is_a_network_problem(cli) -> None:
    _setup(cli, "https://api.example.invalid", "--tool", "claude-code")  # .invalid resolves nowhere, offline too
    code, env = _verify(cli, "--tool", "claude-code")
    assert code == 1
    message = env["checks"][0]["message"]
    assert message.startswith("cannot reach api.example.invalid: the name does not resolve (DNS: ")
    assert message.endswith("; the config looks right, so check the network (DNS, proxy, VPN, firewall).")


def test_tls_error_is_a_network_problem(cli) -> None:
    with MockProvider(api_key=KNOWN_KEY) as mock:  # speaks plain HTTP: the TLS handshake fails
        host = mock.url.split("//")[1]
        _setup(cli, f"https://{host}", "--tool", "claude-code")
        code, env = _verify(cli, "--tool", "claude-code")
    assert code == 1
    message = env["checks"][0]["message"]
    assert message.startswith(f"cannot reach {host}: TLS error (") and "the config looks right" in message


def test_unreachable_with_a_config_lint_finds_wrong_says_what_lint_finds(cli, home: Path) -> None:
    with MockProvider(api_key=KNOWN_KEY) as mock:
        url = mock.url
    _setup(cli, url, "--tool", "claude-code")
    path, data = _claude_settings(home)
    data["env"]["ANTHROPIC_BASE_URL"] = url + "/v1"
    path.write_text(json.dumps(data, indent=2))
    code, env = _verify(cli, "--tool", "claude-code")
    assert code == 1
    message = env["checks"][0]["message"]
    assert message.startswith(f"cannot reach {url.split('//')[1]}: connection refused")
    assert "the config looks right" not in message
    assert "`configurator lint` finds a problem in the config" in message and "ends with /v1" in message


def test_rejected_key_says_which_key_and_what_the_provider_said(cli) -> None:
    with MockProvider(api_key="sk-the-right-key-000000000") as mock:
        _setup(cli, mock.url, "--tool", "claude-code")
        code, env = _verify(cli, "--tool", "claude-code")
    assert code == 1
    assert env["checks"][0]["message"] == (
        "the provider rejected the key sk-…WXYZ from ANTHROPIC_AUTH_TOKEN (HTTP 401: mock: invalid api key); set the "
        "right key in ANTHROPIC_AUTH_TOKEN (configurator setup can replace it).")


def test_path_not_served_is_a_config_problem(cli, home: Path) -> None:
    with MockProvider(api_key=KNOWN_KEY, disabled=("/v1/messages",)) as mock:
        _setup(cli, mock.url, "--tool", "claude-code")
        code, env = _verify(cli, "--tool", "claude-code")
    assert code == 1
    message = env["checks"][0]["message"]
    assert message.startswith(f"404 at {mock.url}/v1/messages: the provider does not serve this path; check "
                              f"ANTHROPIC_BASE_URL in {home / '.claude' / 'settings.json'}.")
    assert "The provider said: mock: no route POST /v1/messages" in message


class _UnknownModelProvider:
    """A provider on 127.0.0.1 that answers every request 400 "model not found", echoing the key it was sent."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                model = "deepseek-ai/deepseek-v4-pro"
                body = json.dumps({"error": {"type": "invalid_request_error", "message": (
                    f"Model not found: {model} (key {self.headers.get('Authorization')}) " + "x" * 300)}}).encode()
                self.send_response(400)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_unknown_model_is_a_config_problem(cli, home: Path) -> None:
    provider = _UnknownModelProvider()
    try:
        _setup(cli, provider.url, "--tool", "claude-code")
        code, env = _verify(cli, "--tool", "claude-code")
    finally:
        provider.close()
    assert code == 1
    (check,) = env["checks"]
    assert check["status"] == "fail" and check["http_status"] == 400
    message = check["message"]
    assert message.startswith("the provider does not know the model 'deepseek-ai/deepseek-v4-pro' (HTTP 400: Model "
                              "not found: deepseek-ai/deepseek-v4-pro (key Bearer sk-…WXYZ) xxx")
    assert message.endswith(f"); set ANTHROPIC_MODEL in {home / '.claude' / 'settings.json'} to a model it serves.")
    said = message[message.index("HTTP 400: ") + len("HTTP 400: "):message.index("); set")]
    assert len(said) <= 200
