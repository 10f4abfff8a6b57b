"""Benchmark: `configurator lint` of a home's three config files vs `check-jsonschema` on one file.

Creates a temporary home with the files `configurator setup` writes for the Atlas preset (Claude Code
settings.json, Codex config.toml + auth.json, OpenClaw openclaw.json), then times, in the same run,
`configurator lint <settings.json> <config.toml> <openclaw.json>` and
`check-jsonschema --schemafile templates/schemas/claude-settings.json <settings.json>` as subprocesses,
REPEAT times each (interleaved), and prints the medians and their ratio. Target: ratio <= 0.33.

    python benchmarks/lint.py [--repeat N]

check-jsonschema is a benchmark-only dependency: it is pip-installed into this interpreter if missing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk-atlas-BENCHMARK-0123456789abcdef"

SETTINGS = {"env": {
    "ANTHROPIC_AUTH_TOKEN": KEY,
    "ANTHROPIC_BASE_URL": "https://api.atlascloud.ai",
    "ANTHROPIC_MODEL": "deepseek-ai/deepseek-v4-pro",
    "ANTHROPIC_DEFAULT_SONNET_MODEL": "deepseek-ai/deepseek-v4-pro",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL": "deepseek-ai/deepseek-v4-flash",
    "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS": "1",
}}
CODEX = """model_provider = "atlascloud"
model = "deepseek-ai/deepseek-v4-pro"

[model_providers.atlascloud]
name = "Atlas Cloud"
base_url = "https://api.atlascloud.ai/v1"
wire_api = "responses"
requires_openai_auth = true
"""
OPENCLAW = """{
  models: {
    providers: {
      atlascloud: {
        baseUrl: "https://api.atlascloud.ai/v1",
        apiKey: "@@KEY@@",
        api: "openai-completions",
        models: [
          {
            id: "deepseek-ai/deepseek-v4-pro",
            name: "DeepSeek V4 Pro",
            contextWindow: 1048576,
            maxTokens: 65536
          },
          {
            id: "deepseek-ai/deepseek-v4-flash",
            name: "DeepSeek V4 Flash",
            contextWindow: 1048576,
            maxTokens: 65536
          }
        ]
      }
    }
  },
  agents: {
    defaults: {
      model: {
        primary: "atlascloud/deepseek-ai/deepseek-v4-pro"
      }
    }
  }
}
""".replace("@@KEY@@", KEY)


def ensure_check_jsonschema() -> str:
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or shutil.which("check-jsonschema")
    if exe:
        return exe
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "check-jsonschema"], check=True)
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    if not exe:
        sys.exit("check-jsonschema could not be installed")
    return exe


def make_home(home: Path) -> list[Path]:
    files = {
        home / ".claude" / "settings.json": json.dumps(SETTINGS, indent=2) + "\n",
        home / ".codex" / "config.toml": CODEX,
        home / ".codex" / "auth.json": json.dumps({"OPENAI_API_KEY": KEY}, indent=2) + "\n",
        home / ".openclaw" / "openclaw.json": OPENCLAW,
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.chmod(path, 0o600)
    return [home / ".claude" / "settings.json", home / ".codex" / "config.toml", home / ".openclaw" / "openclaw.json"]


def timed(cmd: list[str], env: dict[str, str], expect: int) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode != expect:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    cj = ensure_check_jsonschema()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        files = make_home(home)
        env = {k: v for k, v in os.environ.items() if k not in ("CODEX_HOME", "CLAUDE_CONFIG_DIR")}
        env["HOME"] = str(home)
        ours = [sys.executable, "-m", "configurator", "lint", *map(str, files)]
        theirs = [cj, "--schemafile", str(ROOT / "templates" / "schemas" / "claude-settings.json"), str(files[0])]
        timed(ours, env, 0)  # warm the OS file cache and .pyc files once
        timed(theirs, env, 0)
        a, b = [], []
        for _ in range(args.repeat):
            a.append(timed(ours, env, 0))
            b.append(timed(theirs, env, 0))
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"configurator lint, 3 files:        median {ma * 1000:7.1f} ms  (min {min(a) * 1000:.1f}, n={len(a)})")
    print(f"check-jsonschema, 1 file:          median {mb * 1000:7.1f} ms  (min {min(b) * 1000:.1f}, n={len(b)})")
    print(f"ratio (ours / check-jsonschema):   {ma / mb:.2f}   target <= 0.33")


if __name__ == "__main__":
    main()
