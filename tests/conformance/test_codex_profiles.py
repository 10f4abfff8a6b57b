"""The real Codex judges codex-legacy-profile and its --fix.

Measured with Codex 0.171.0: a top-level `profile = "b"` makes config.toml fail to load (`codex doctor --json`:
config.load "fail", details.error "invalid data"; `codex exec`: "legacy `profile = "b"` config is no longer
supported; use `--profile b` with `b.config.toml` instead"), and `codex -p b` refuses to start while a
`[profiles.b]` table is in config.toml ("--profile `b` cannot be used while .../config.toml contains legacy
`profile = "b"` or `[profiles.b]` config; move those settings into .../b.config.toml ..."). After `configurator
lint --fix` the file loads and `codex -p b` sends profile b's model to the provider config.toml defines.
The client comes from `.ci/install-clients.sh`; locally the test is skipped without it, with CI=true a missing
client is a failure.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from clients import REAL_PATH as _REAL_PATH
from clients import need as _need
from conftest import KNOWN_KEY, run_cli
from mock_provider import MARKER, MockProvider

pytestmark = pytest.mark.conformance

TOP, PROFILE_MODEL = "deepseek-ai/deepseek-v4-pro", "deepseek-ai/deepseek-v4-flash"


def _codex(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": _REAL_PATH, "LANG": "C.UTF-8", "TERM": "dumb", "NO_COLOR": "1",
           "MOCK_API_KEY": KNOWN_KEY}
    return subprocess.run([_need("CODEX_BIN"), *args], cwd=home, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=90)


def _config_load(home: Path) -> dict:
    proc = _codex(home, "doctor", "--json")
    return json.loads(proc.stdout)["checks"]["config.load"]


def test_legacy_profile_fails_in_codex_and_lint_fix_makes_codex_p_work(home: Path) -> None:
    _need("CODEX_BIN")
    codex_home = home / ".codex"
    codex_home.mkdir()
    cfg = codex_home / "config.toml"
    with MockProvider(api_key=KNOWN_KEY, max_lifetime=240) as mock:
        cfg.write_text(
            "# written by hand, before Codex 0.134\n"
            'profile = "b"\n'
            f'model = "{TOP}"\n'
            'model_provider = "mock"\n\n'
            f'[model_providers.mock]\nname = "Mock"\nbase_url = "{mock.url}/v1"\nwire_api = "responses"\n'
            'env_key = "MOCK_API_KEY"\n\n'
            "# the profile b\n"
            f'[profiles.b]\nmodel_provider = "mock"\nmodel = "{PROFILE_MODEL}"\n'
        )
        before = _config_load(home)
        assert before["status"] == "fail", before
        proc = _codex(home, "exec", "--skip-git-repo-check", "ping")
        assert proc.returncode != 0 and 'legacy `profile = "b"` config is no longer supported' in proc.stderr

        lint = run_cli("lint", "--format", "json", str(cfg), env={"HOME": str(home)})
        found = [(f["rule"], f["severity"]) for f in json.loads(lint.stdout)["findings"]]
        assert ("codex-legacy-profile", "error") in found and ("codex-legacy-profile", "warning") in found

        fixed = run_cli("lint", "--fix", env={"HOME": str(home), "PATH": _REAL_PATH}, cwd=home)
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr
        assert (codex_home / "b.config.toml").read_text() == (
            f'# the profile b\nmodel_provider = "mock"\nmodel = "{PROFILE_MODEL}"\n')
        assert cfg.read_text() == (  # the selector and the table are gone, every other byte is kept
            f'# written by hand, before Codex 0.134\nmodel = "{TOP}"\nmodel_provider = "mock"\n\n'
            f'[model_providers.mock]\nname = "Mock"\nbase_url = "{mock.url}/v1"\nwire_api = "responses"\n'
            'env_key = "MOCK_API_KEY"\n')

        after = _config_load(home)
        assert after["status"] == "ok", after
        proc = _codex(home, "-p", "b", "exec", "--skip-git-repo-check", "ping")
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert MARKER in proc.stdout
        posts = [r for r in mock.requests if r["method"] == "POST"]
        assert [r["path"] for r in posts] == ["/v1/responses"]
        assert posts[0]["auth"] == f"Bearer {KNOWN_KEY}"
        assert mock.models_requested() == [PROFILE_MODEL]
