"""The real opencode judges what `configurator setup --tool opencode` writes.

Each test gets a private HOME and XDG folders (opencode keeps a SQLite database, logs and a config-folder
package.json there), runs setup against the mock provider on 127.0.0.1, then `opencode run` offline: the
models.dev catalog fetch is off and npm is pointed at a closed port, so opencode's background install of
`@opencode-ai/plugin` into its config folder fails quietly instead of reaching the registry. The client comes
from `.ci/install-clients.sh` (`opencode-ai` pinned in `.ci/clients.env`); without it these tests are skipped,
with CI=true a missing client is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import KNOWN_KEY, run_cli
from mock_provider import MARKER, MockProvider

pytestmark = pytest.mark.conformance

_CACHE = Path(os.environ.get("AGENT_CONFIGURATOR_CLIENTS")
              or Path(os.environ.get("HOME", "~")).expanduser() / ".cache" / "agent-configurator-clients")
ROOT = Path(__file__).resolve().parents[2]
MAIN, FAST = "deepseek-ai/deepseek-v4-pro", "deepseek-ai/deepseek-v4-flash"
#: one `opencode run` takes 2-6 s here; the limit is for a hung client
TIMEOUT = 60


def _opencode() -> str:
    env_file = _CACHE / "paths.env"
    if env_file.is_file():
        for line in env_file.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "OPENCODE_BIN" and Path(value.strip()).exists():
                return value.strip()
    reason = f"opencode not installed (run `bash .ci/install-clients.sh .venv`; looked in {_CACHE})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI: " + reason)
    pytest.skip(reason)


@pytest.fixture
def opencode() -> str:
    return _opencode()


@pytest.fixture
def mock():
    with MockProvider(api_key=KNOWN_KEY, max_lifetime=180) as m:
        yield m


@pytest.fixture
def project(home: Path) -> Path:
    p = home / "project"
    p.mkdir()
    return p


def _env(home: Path, **extra: str) -> dict[str, str]:
    """HOME and every XDG folder private to the test; no catalog fetch, no npm registry, no update check."""
    env = {
        "HOME": str(home), "PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "TERM": "dumb", "NO_COLOR": "1",
        "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"), "XDG_CACHE_HOME": str(home / ".cache"),
        "OPENCODE_DISABLE_MODELS_FETCH": "1", "OPENCODE_DISABLE_AUTOUPDATE": "1",
        "npm_config_registry": "http://127.0.0.1:9/", "npm_config_offline": "true",
    }
    env.update(extra)
    return env


def _run(opencode: str, home: Path, cwd: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([opencode, *args], cwd=cwd, env=_env(home, **extra), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=TIMEOUT)


def _setup(home: Path, mock: MockProvider, *extra: str, key_env: bool = False) -> subprocess.CompletedProcess[str]:
    args = ["setup", "--yes", "--tool", "opencode", "--provider", "custom", "--base-url", mock.url,
            "--model", MAIN, "--fast-model", FAST, *extra]
    env = {"HOME": str(home)}
    if key_env:
        proc = run_cli(*args, "--key-storage", "env", "--api-key-env", "ATLAS_TEST_KEY", env=env)
    else:
        proc = run_cli(*args, "--api-key-stdin", input=KNOWN_KEY + "\n", env=env)
    assert proc.returncode == 0, proc.stderr
    assert KNOWN_KEY not in proc.stdout + proc.stderr
    return proc


def _lint(path: Path, home: Path) -> set[str]:
    proc = run_cli("lint", "--format", "json", str(path), env={"HOME": str(home)})
    assert proc.returncode in (0, 1), proc.stderr
    return {f["rule"] for f in json.loads(proc.stdout)["findings"]}


def _chat_posts(mock: MockProvider) -> list[dict]:
    return [r for r in mock.requests if r["method"] == "POST"]


def _assert_reached(proc: subprocess.CompletedProcess[str], mock: MockProvider) -> None:
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert MARKER in proc.stdout
    posts = _chat_posts(mock)
    assert posts and {r["path"] for r in posts} == {"/v1/chat/completions"}
    assert all(r["auth"] == f"Bearer {KNOWN_KEY}" and r["status"] == 200 for r in posts)
    # the run's title comes from small_model, the answer from model
    assert set(mock.models_requested()) == {MAIN, FAST}


def test_opencode_run_reaches_chat_completions_from_an_empty_home(opencode: str, home: Path, project: Path,
                                                                   mock: MockProvider) -> None:
    _setup(home, mock)
    cfg = home / ".config" / "opencode" / "opencode.json"
    assert cfg.is_file() and oct(cfg.stat().st_mode & 0o777) == "0o600"
    proc = _run(opencode, home, project, "run", "say PONG")
    _assert_reached(proc, mock)
    assert KNOWN_KEY not in proc.stdout + proc.stderr
    assert _lint(cfg, home) == set()


def test_opencode_reads_the_key_from_the_env_reference(opencode: str, home: Path, project: Path,
                                                       mock: MockProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_TEST_KEY", KNOWN_KEY)
    _setup(home, mock, key_env=True)
    cfg = home / ".config" / "opencode" / "opencode.json"
    assert KNOWN_KEY not in cfg.read_text() and "{env:ATLAS_TEST_KEY}" in cfg.read_text()
    proc = _run(opencode, home, project, "run", "say PONG", ATLAS_TEST_KEY=KNOWN_KEY)
    _assert_reached(proc, mock)
    # verify sends the one request opencode would: same URL, key and model
    before = len(mock.requests)
    v = run_cli("verify", "--tool", "opencode", "--json", env={"HOME": str(home)})
    assert v.returncode == 0, v.stdout + v.stderr
    [check] = json.loads(v.stdout)["checks"]
    assert check["status"] == "ok" and check["url"] == mock.url + "/v1/chat/completions"
    [probe] = mock.requests[before:]
    assert (probe["path"], probe["auth"], probe["json"]["model"]) == (
        "/v1/chat/completions", f"Bearer {KNOWN_KEY}", MAIN)


def test_opencode_after_merging_into_a_realistic_jsonc_file(opencode: str, home: Path, project: Path,
                                                            mock: MockProvider) -> None:
    # tests/setup/fixtures/opencode.json: comments, trailing commas, other providers, MCP servers, permissions
    sys.path.insert(0, str(ROOT / "tests" / "setup"))
    from setup_helpers import seed

    seed(home, ["opencode.json"])
    _setup(home, mock)
    cfg = home / ".config" / "opencode" / "opencode.json"
    text = cfg.read_text()
    assert "// my OpenRouter account" in text and '"tracker"' in text and "/* documentation search" in text
    proc = _run(opencode, home, project, "run", "say PONG")
    _assert_reached(proc, mock)
    # opencode merged the user's file as it is: the MCP servers and permissions are still there
    shown = _run(opencode, home, project, "debug", "config")
    assert shown.returncode == 0, shown.stderr[-2000:]
    merged = json.loads(shown.stdout)
    assert set(merged["mcp"]) == {"docs", "tracker"} and merged["permission"]["bash"]["rm -rf *"] == "deny"
    assert {"openrouter", "ollama", "custom"} <= set(merged["provider"])
    assert merged["model"] == f"custom/{MAIN}" and merged["small_model"] == f"custom/{FAST}"


def test_negative_base_url_without_v1_fails_and_lint_flags_it(opencode: str, home: Path, project: Path,
                                                              mock: MockProvider) -> None:
    _setup(home, mock)
    cfg = home / ".config" / "opencode" / "opencode.json"
    data = json.loads(cfg.read_text())
    data["provider"]["custom"]["options"]["baseURL"] = mock.url  # no /v1
    cfg.write_text(json.dumps(data, indent=2))
    proc = _run(opencode, home, project, "run", "say PONG")
    assert proc.returncode != 0 and MARKER not in proc.stdout
    assert {r["path"] for r in _chat_posts(mock)} == {"/chat/completions"}
    assert {r["status"] for r in _chat_posts(mock)} == {404}
    assert "opencode-base-url-missing-v1" in _lint(cfg, home)
    fixed = run_cli("lint", "--fix", str(cfg), env={"HOME": str(home)})
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert json.loads(cfg.read_text())["provider"]["custom"]["options"]["baseURL"] == mock.url + "/v1"


def test_negative_json5_syntax_is_refused_and_lint_flags_it(opencode: str, home: Path, project: Path,
                                                            mock: MockProvider) -> None:
    _setup(home, mock, key_env=False)
    cfg = home / ".config" / "opencode" / "opencode.json"
    cfg.write_text(cfg.read_text().replace('"small_model":', "small_model:"))  # valid JSON5, not JSONC
    proc = _run(opencode, home, project, "debug", "config")
    assert proc.returncode != 0 and "not valid JSON(C)" in proc.stderr
    assert "opencode-jsonc-syntax" in _lint(cfg, home)


# --- our schema against opencode's own ---------------------------------------------------------------


def test_opencode_schema_is_derived_from_the_real_one(opencode: str, home: Path) -> None:
    """templates/schemas/opencode.json is exactly what the installed opencode's Config schema trims to."""
    from opencode_schema import derive, render

    proc = _run(opencode, home, home, "generate")
    assert proc.returncode == 0, proc.stderr[-2000:]
    version = _run(opencode, home, home, "--version").stdout.strip()
    ours = (ROOT / "templates" / "schemas" / "opencode.json").read_text()
    assert render(derive(json.loads(proc.stdout), version)) == ours, (
        "opencode's config schema changed: run `opencode generate > openapi.json; python "
        "tests/conformance/opencode_schema.py openapi.json VERSION > templates/schemas/opencode.json`")


def test_schema_findings_match_what_opencode_refuses(opencode: str, home: Path, project: Path) -> None:
    """A wrong type is an error for both; an unknown key is dropped by opencode and a warning for lint."""
    cfg = home / ".config" / "opencode" / "opencode.json"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('{"share": "sometimes", "bogus": 1}\n')
    proc = _run(opencode, home, project, "debug", "config")
    assert proc.returncode != 0 and "Configuration is invalid" in proc.stderr and "bogus" not in proc.stderr
    lint = run_cli("lint", "--format", "json", "--select", "schema", str(cfg), env={"HOME": str(home)})
    found = {(f["severity"], f["line"], f["column"]) for f in json.loads(lint.stdout)["findings"]}
    assert found == {("error", 1, 11), ("warning", 1, 24)}, lint.stdout
    cfg.write_text('{"bogus": 1}\n')
    proc = _run(opencode, home, project, "debug", "config")
    assert proc.returncode == 0 and "bogus" not in proc.stdout


@pytest.mark.skipif(shutil.which("npm") is None, reason="only documents where the binary comes from")
def test_the_binary_comes_from_an_npm_platform_package(opencode: str) -> None:
    modules = Path(opencode).resolve().parents[2]
    platform = [p for p in modules.glob("opencode-*") if (p / "bin" / "opencode").is_file()]
    assert platform, f"no opencode-<platform> package under {modules}"
    assert json.loads((modules / "opencode-ai" / "package.json").read_text())["optionalDependencies"]
