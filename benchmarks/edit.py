"""Benchmark: `configurator setup` on big real-sized files (issue 17, item 10).

Creates a temporary home with a 1.5 MB `~/.claude.json` (many projects, as Claude Code's own grows) and a 1 MB
`~/.claude/settings.json` (a long permissions list), then times
`configurator setup --yes --tool claude-code --claude-skip-login` as a subprocess REPEAT times, putting the
original files back before each run so every run edits both files. Prints the median. Target: <= 1 s.

    python benchmarks/edit.py [--repeat N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk-atlas-BENCHMARK-0123456789abcdef"
TARGET_SECONDS = 1.0


def claude_state(size: int) -> str:
    """A `~/.claude.json` of about ``size`` bytes, laid out as Claude Code writes it (2-space indent)."""
    projects: dict[str, object] = {}
    i = 0
    text = ""
    while True:
        for _ in range(50):
            projects[f"/srv/dev/src/project-{i:05d}"] = {
                "allowedTools": [],
                "history": [{"display": f"fix the failing test in module {j} \u2028 then run it", "pastedContents": {}}
                            for j in range(6)],
                "mcpServers": {},
                "hasTrustDialogAccepted": True,
                "lastCost": 0.1234 * i,
                "exampleFiles": ["src/main.py", "src/cli.py", "tests/test_main.py"],
            }
            i += 1
        text = json.dumps({"numStartups": 412, "installMethod": "npm", "autoUpdates": True,
                           "tipsHistory": {"new-user-warmup": 7}, "projects": projects,
                           "userID": "0" * 64}, indent=2, ensure_ascii=False)
        if len(text.encode()) >= size:
            return text + "\n"


def settings(size: int) -> str:
    allow: list[str] = []
    text = ""
    while len(text.encode()) < size:
        allow += [f"Bash(npm run build:{len(allow) + k}:*)" for k in range(500)]
        text = json.dumps({"$schema": "https://json.schemastore.org/claude-code-settings.json",
                           "model": "opus", "env": {"KEEP": "1"},
                           "permissions": {"allow": allow, "deny": ["Read(./.env)"]}}, indent=2)
    return text + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        state, sett = home / ".claude.json", home / ".claude" / "settings.json"
        sett.parent.mkdir()
        originals = {state: claude_state(1_500_000), sett: settings(1_000_000)}
        env = {**os.environ, "HOME": str(home), "BENCH_KEY": KEY, "AGENT_CONFIGURATOR_OFFLINE": "1",
               "PYTHONPATH": str(ROOT)}
        for var in ("CLAUDE_CONFIG_DIR", "XDG_STATE_HOME"):
            env.pop(var, None)
        cmd = [sys.executable, "-m", "configurator", "setup", "--yes", "--tool", "claude-code", "--claude-skip-login",
               "--api-key-env", "BENCH_KEY"]
        times = []
        for _ in range(args.repeat):
            for path, text in originals.items():
                path.write_text(text, encoding="utf-8")
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=home)
            times.append(time.perf_counter() - t0)
            if proc.returncode != 0:
                sys.exit(f"setup failed ({proc.returncode}): {proc.stderr.strip()}")
            if json.loads(state.read_text())["hasCompletedOnboarding"] is not True:
                sys.exit("setup did not write ~/.claude.json")
        median = statistics.median(times)
        sizes = {p.name: round(len(t.encode()) / 1e6, 2) for p, t in originals.items()}
        if args.json:
            print(json.dumps({"median_s": round(median, 3), "runs_s": [round(t, 3) for t in times], "mb": sizes}))
        else:
            print(f"setup --claude-skip-login on ~/.claude.json {sizes['.claude.json']} MB + settings.json "
                  f"{sizes['settings.json']} MB: median {median:.3f} s over {len(times)} runs "
                  f"(min {min(times):.3f}, max {max(times):.3f}); target <= {TARGET_SECONDS:g} s")
        if median > TARGET_SECONDS:
            sys.exit(1)


if __name__ == "__main__":
    main()
