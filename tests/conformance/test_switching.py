"""The real clients follow `configurator use`: two providers, switching between them, and back to the vendor login.

Two mock providers on two loopback ports, each with its own key. From a HOME that already has the vendor logins
(a Codex auth.json with ChatGPT tokens, a Claude settings.json with hooks, permissions, a statusLine and a
displaced ANTHROPIC_API_KEY, an openclaw.json with a primary model of its own), `setup` A, `setup` B (setup applies
what it saves: B is active), `use a`, `use b`, `use official`, `use a`. After each step the real Claude Code
(`claude -p`), Codex (`codex exec`), OpenClaw (one `agent --local` turn) and opencode (`opencode run`) send their
request to the port of the active profile with its key, and never to the other one. After `use official`:
`codex doctor --json` reads the kept ChatGPT tokens (auth mode chatgpt), auth.json is byte-identical to the start,
Claude Code sends nothing to either mock and has its own ANTHROPIC_API_KEY back, OpenClaw's primary model is the
user's again, and the opencode.json setup created is gone.

Per-session use without switching: with profile a active, `codex -p b`, `claude --settings <b file>` and
`OPENCODE_CONFIG=<b file> opencode run` reach B with key B (the key comes from `configurator key get b`, run by
the client itself with its own environment).

Clients come from `.ci/install-clients.sh`; locally these tests are skipped when one is missing, with CI=true a
missing client is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clients import REAL_PATH as _REAL_PATH
from clients import need as _need
from clients import node24_dir as _node24_dir
from clients import openclaw as _openclaw
from conftest import run_cli
from mock_provider import MARKER, MockProvider

pytestmark = pytest.mark.conformance

PRO, FLASH = "deepseek-ai/deepseek-v4-pro", "deepseek-ai/deepseek-v4-flash"
KEY_A = "sk-mockA-TESTKEY-1111111111aaaaaaaaaa"
KEY_B = "sk-mockB-TESTKEY-2222222222bbbbbbbbbb"
DISPLACED = "sk-ant-api03-users-own-key-0000000000"
OWN_PRIMARY = "lm-local/qwen3-coder-30b"


def _env(home: Path, **extra: str) -> dict[str, str]:
    """What every client runs with: the test's HOME (and XDG folders under it, where configurator looks too, so
    the key helpers the clients run find the same profiles file), no network beyond loopback."""
    path = _REAL_PATH
    node = _node24_dir()
    if node:
        path = node + os.pathsep + path
    env = {"HOME": str(home), "PATH": path, "LANG": "C.UTF-8", "TERM": "dumb", "NO_COLOR": "1",
           "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local" / "share"),
           "XDG_STATE_HOME": str(home / ".local" / "state"), "XDG_CACHE_HOME": str(home / ".cache"),
           "AGENT_CONFIGURATOR_OFFLINE": "1", "CLAUDE_CODE_MAX_RETRIES": "0",
           "OPENCODE_DISABLE_MODELS_FETCH": "1", "OPENCODE_DISABLE_AUTOUPDATE": "1",
           "npm_config_registry": "http://127.0.0.1:9/", "npm_config_offline": "true"}
    env.update(extra)
    return env


def _run(cmd: list[str], home: Path, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=home, env=_env(home, **extra), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)


def _cli(home: Path, *args: str, key: str | None = None) -> str:
    env = {k: v for k, v in _env(home).items() if k.startswith(("HOME", "XDG_", "AGENT_"))}
    proc = run_cli(*args, input=key + "\n" if key else None, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert KEY_A not in proc.stdout + proc.stderr and KEY_B not in proc.stdout + proc.stderr
    return proc.stdout


def _setup(home: Path, mock: MockProvider, name: str, key: str) -> None:
    _cli(home, "setup", "--yes", "--api-key-stdin", "--provider", "custom", "--base-url", mock.url, "--model", PRO,
         "--fast-model", FLASH, "--profile", name, key=key)


# --- the HOME a user already has -------------------------------------------------------------------


def _jwt(payload: dict) -> str:
    import base64

    def part(obj: object) -> str:
        raw = obj if isinstance(obj, bytes) else json.dumps(obj, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return ".".join([part({"alg": "RS256", "typ": "JWT", "kid": "test"}), part(payload), part(b"not-a-signature")])


def codex_chatgpt_auth() -> str:
    """auth.json as `codex login` leaves it (the shape Codex 0.171 reads: auth_mode, tokens with decodable JWTs
    whose payload has email, exp and the https://api.openai.com/auth claim)."""
    import time

    now = int(time.time())
    claim = {"chatgpt_plan_type": "plus", "chatgpt_account_id": "acct-0a1b2c3d4e5f", "chatgpt_user_id": "user-123",
             "user_id": "user-123"}
    id_token = _jwt({"iss": "https://auth.openai.com", "aud": ["app_test"], "sub": "auth0|123",
                     "email": "dev@example.com", "email_verified": True, "iat": now, "exp": now + 30 * 86400,
                     "https://api.openai.com/auth": claim})
    access = _jwt({"iss": "https://auth.openai.com", "sub": "auth0|123", "iat": now, "exp": now + 30 * 86400,
                   "https://api.openai.com/auth": claim, "https://api.openai.com/profile": {"email": "dev@example.com"}})
    return json.dumps({"auth_mode": "chatgpt", "OPENAI_API_KEY": None,
                       "tokens": {"id_token": id_token, "access_token": access,
                                  "refresh_token": "rt_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0F",
                                  "account_id": "acct-0a1b2c3d4e5f"},
                       "last_refresh": "2026-11-20T08:31:07.123456Z"}, indent=2) + "\n"


CLAUDE_SETTINGS = """{
  "$schema": "https://json.schemastore.org/claude-code-settings.json",
  "env": {
    "BASH_DEFAULT_TIMEOUT_MS": "120000",
    "ANTHROPIC_API_KEY": "@@DISPLACED@@",
    "DISABLE_TELEMETRY": "1"
  },
  "permissions": {
    "allow": ["Bash(npm run lint)", "Read(~/.zshrc)"],
    "deny": ["Read(./.env)"]
  },
  "hooks": {
    "PreToolUse": [
      {"matcher": "Bash", "hooks": [{"type": "command", "command": "true", "timeout": 30}]}
    ]
  },
  "statusLine": {"type": "command", "command": "echo status", "padding": 0},
  "includeCoAuthoredBy": false
}
""".replace("@@DISPLACED@@", DISPLACED)

CODEX_CONFIG = """# ~/.codex/config.toml - hand-maintained, keep the comments
model = "gpt-5.2-codex"  # the default model
approval_policy = "never"
model_reasoning_effort = "high"

# servers I switch on when I need them
[mcp_servers.docs]
command = "npx"
args = ["-y", "mcp-server-docs"]
enabled = false

[tui]
notifications = true
"""

OPENCLAW = """// OpenClaw config - edited by hand, keep these comments
{
  ui: { seamColor: "#FF4500" },
  models: {
    mode: "merge",
    providers: {
      // my local box
      "lm-local": {
        baseUrl: "http://127.0.0.1:9/v1",
        apiKey: "lmstudio-local-secret-4242",
        api: "openai-completions",
        models: [
          { id: "qwen3-coder-30b", name: "Qwen3 Coder 30B", contextWindow: 65536, maxTokens: 8192 },
        ],
      },
    },
  },
  agents: {
    defaults: {
      model: { primary: "@@PRIMARY@@" },
    },
  },
}
""".replace("@@PRIMARY@@", OWN_PRIMARY)

START = {".codex/auth.json": codex_chatgpt_auth, ".claude/settings.json": lambda: CLAUDE_SETTINGS,
         ".codex/config.toml": lambda: CODEX_CONFIG, ".openclaw/openclaw.json": lambda: OPENCLAW}


def _seed(home: Path) -> dict[str, bytes]:
    out = {}
    for rel, make in START.items():
        path = home / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        out[rel] = path.read_bytes()
    (home / ".codex" / "auth.json").chmod(0o600)
    return out


# --- what the clients do ------------------------------------------------------------------------------


def _posts(mock: MockProvider) -> list[dict]:
    return [r for r in mock.requests if r["method"] == "POST"]


def _reset(*mocks: MockProvider) -> None:
    for m in mocks:
        m.requests.clear()


def _assert_reached(proc: subprocess.CompletedProcess[str], mock: MockProvider, key: str, other: MockProvider,
                    paths: set[str], what: str) -> None:
    assert proc.returncode == 0, f"{what}: " + proc.stdout[-2000:] + proc.stderr[-2000:]
    assert MARKER in proc.stdout, what
    posts = _posts(mock)
    assert posts, f"{what}: no request reached {mock.url}"
    assert {r["path"].split("?")[0] for r in posts} <= paths, (what, [r["path"] for r in posts])
    for r in posts:
        assert r["status"] == 200 and r["auth"] == f"Bearer {key}", (what, r["path"], r["status"])
    assert other.requests == [], f"{what}: the other provider {other.url} got {[r['path'] for r in other.requests]}"


def claude_reaches(home: Path, mock: MockProvider, key: str, other: MockProvider, *args: str) -> None:
    _reset(mock, other)
    proc = _run([_need("CLAUDE_BIN"), *args, "-p", "ping"], home, timeout=90)
    _assert_reached(proc, mock, key, other, {"/v1/messages"}, "claude -p")


def codex_reaches(home: Path, mock: MockProvider, key: str, other: MockProvider, *args: str) -> None:
    _reset(mock, other)
    proc = _run([_need("CODEX_BIN"), *args, "exec", "--skip-git-repo-check", "ping"], home)
    _assert_reached(proc, mock, key, other, {"/v1/responses"}, "codex exec")
    assert len(_posts(mock)) == 1


def openclaw_reaches(home: Path, mock: MockProvider, key: str, other: MockProvider) -> None:
    _reset(mock, other)
    proc = _run([*_openclaw(), "agent", "--local", "--message", "ping", "--json"], home, timeout=180)
    _assert_reached(proc, mock, key, other, {"/v1/chat/completions"}, "openclaw agent")
    assert len(_posts(mock)) == 1


def opencode_reaches(home: Path, mock: MockProvider, key: str, other: MockProvider, **extra: str) -> None:
    _reset(mock, other)
    project = home / "project"
    project.mkdir(exist_ok=True)
    proc = subprocess.run([_need("OPENCODE_BIN"), "run", "ping"], cwd=project, env=_env(home, **extra),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=90)
    _assert_reached(proc, mock, key, other, {"/v1/chat/completions"}, "opencode run")


def all_reach(home: Path, mock: MockProvider, key: str, other: MockProvider) -> None:
    claude_reaches(home, mock, key, other)
    codex_reaches(home, mock, key, other)
    openclaw_reaches(home, mock, key, other)
    opencode_reaches(home, mock, key, other)


def _doctor(home: Path) -> dict:
    proc = _run([_need("CODEX_BIN"), "doctor", "--json"], home)
    return json.loads(proc.stdout)["checks"]


def assert_official(home: Path, start: dict[str, bytes], a: MockProvider, b: MockProvider) -> None:
    # Codex: the ChatGPT login is what it uses again, from the very tokens the user had
    assert (home / ".codex" / "auth.json").read_bytes() == start[".codex/auth.json"]
    checks = _doctor(home)
    assert checks["config.load"]["status"] == "ok", checks["config.load"]
    auth = checks["auth.credentials"]
    assert auth["status"] == "ok", auth
    assert auth["details"].get("stored auth mode") == "chatgpt" and auth["details"].get(
        "stored ChatGPT tokens") == "true", auth
    assert auth["details"].get("stored API key") == "false", auth
    assert (home / ".codex" / "config.toml").read_bytes() == start[".codex/config.toml"]
    # Claude Code: its own key is back, and no request goes to either provider
    settings = json.loads((home / ".claude" / "settings.json").read_text())
    assert settings["env"].get("ANTHROPIC_API_KEY") == DISPLACED
    assert not {k for k in settings["env"] if k.startswith(("ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN"))}
    assert (home / ".claude" / "settings.json").read_bytes() == start[".claude/settings.json"]
    _reset(a, b)
    try:
        _run([_need("CLAUDE_BIN"), "-p", "ping"], home, timeout=45)
    except subprocess.TimeoutExpired:
        pass  # offline, Claude Code may keep trying api.anthropic.com: what matters is where it sent nothing
    assert a.requests == [] and b.requests == []
    # OpenClaw: the user's primary model again (and the file as it was)
    assert (home / ".openclaw" / "openclaw.json").read_bytes() == start[".openclaw/openclaw.json"]
    assert OWN_PRIMARY in (home / ".openclaw" / "openclaw.json").read_text()
    # opencode: the file setup created is removed again
    assert not (home / ".config" / "opencode" / "opencode.json").exists()


@pytest.fixture
def mocks():
    with MockProvider(api_key=KEY_A, max_lifetime=900) as a, MockProvider(api_key=KEY_B, max_lifetime=900) as b:
        assert a.port != b.port
        yield a, b


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed by openclaw agent")
def test_setup_a_setup_b_use_a_b_official_a(home: Path, mocks: tuple[MockProvider, MockProvider]) -> None:
    for name in ("CLAUDE_BIN", "CODEX_BIN", "OPENCODE_BIN"):
        _need(name)
    _openclaw()
    a, b = mocks
    start = _seed(home)

    _setup(home, a, "a", KEY_A)
    all_reach(home, a, KEY_A, b)
    _setup(home, b, "b", KEY_B)  # setup applies what it saves: b is active now
    all_reach(home, b, KEY_B, a)
    assert "now use profile 'a'" in _cli(home, "use", "a", "--yes")
    all_reach(home, a, KEY_A, b)
    _cli(home, "use", "b", "--yes")
    all_reach(home, b, KEY_B, a)
    assert "unchanged" in _cli(home, "use", "b", "--yes")
    _cli(home, "use", "official", "--yes")
    assert_official(home, start, a, b)
    _cli(home, "use", "a", "--yes")
    all_reach(home, a, KEY_A, b)
    _cli(home, "use", "official", "--yes")
    assert_official(home, start, a, b)


def test_per_session_b_while_a_is_active(home: Path, mocks: tuple[MockProvider, MockProvider]) -> None:
    for name in ("CLAUDE_BIN", "CODEX_BIN", "OPENCODE_BIN"):
        _need(name)
    a, b = mocks
    _seed(home)
    _setup(home, a, "a", KEY_A)
    _setup(home, b, "b", KEY_B)
    _cli(home, "use", "a", "--yes")
    sessions = home / ".config" / "agent-configurator" / "sessions"
    claude_file, opencode_file = sessions / "b.claude-settings.json", sessions / "b.opencode.json"
    assert claude_file.is_file() and opencode_file.is_file() and (home / ".codex" / "b.config.toml").is_file()
    # the key helper the clients run is this configurator, and it answers from the client's environment
    helper = json.loads(claude_file.read_text())["apiKeyHelper"]
    proc = subprocess.run(helper, shell=True, env=_env(home), capture_output=True, text=True, timeout=60,
                          cwd=home)
    assert proc.returncode == 0 and proc.stdout.strip() == KEY_B, proc.stderr
    assert sys.executable in helper or "configurator" in helper

    codex_reaches(home, b, KEY_B, a, "-p", "b")
    claude_reaches(home, b, KEY_B, a, "--settings", str(claude_file))
    opencode_reaches(home, b, KEY_B, a, OPENCODE_CONFIG=str(opencode_file))
    # and without them, the active profile a
    codex_reaches(home, a, KEY_A, b)
    claude_reaches(home, a, KEY_A, b)
