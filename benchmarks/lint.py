"""Benchmark: `configurator lint` of a home's three config files vs `check-jsonschema` on one file.

Creates a temporary home by running `configurator setup --yes` for the Atlas preset (Claude Code
settings.json, Codex config.toml + auth.json, OpenClaw openclaw.json), then times, in the same run,
`configurator lint <settings.json> <config.toml> <openclaw.json>` and
`check-jsonschema --schemafile templates/schemas/claude-settings.json <settings.json>` as subprocesses,
REPEAT times each (interleaved), and prints the medians and their ratio. Target: ratio <= 0.33.

    python benchmarks/lint.py [--repeat N] [--json5]

check-jsonschema is a benchmark-only dependency: version 0.39.0 is pip-installed into this interpreter if it
is missing or another version.
"""

from __future__ import annotations

import argparse
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
CHECK_JSONSCHEMA = "0.39.0"


def ensure_check_jsonschema() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("check-jsonschema")
    except PackageNotFoundError:
        installed = None
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    if exe and installed == CHECK_JSONSCHEMA:
        return exe
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", f"check-jsonschema=={CHECK_JSONSCHEMA}"],
                   check=True)
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    if not exe:
        sys.exit("check-jsonschema could not be installed")
    return exe


def make_home(home: Path, env: dict[str, str]) -> list[Path]:
    """The files `configurator setup` really writes for the Atlas preset (file key mode)."""
    subprocess.run([sys.executable, "-m", "configurator", "setup", "--yes", "--api-key-stdin"], input=KEY + "\n",
                   env=env, check=True, capture_output=True, text=True)
    return [home / ".claude" / "settings.json", home / ".codex" / "config.toml", home / ".openclaw" / "openclaw.json"]


def to_bare_json5(path: Path) -> None:
    """The same OpenClaw data written by hand in JSON5: comments, bare keys, single quotes, trailing commas."""
    import re

    text = re.sub(r'"([A-Za-z_][A-Za-z0-9_]*)":', r"\1:", path.read_text())
    text = re.sub(r'"(https?://[^"]*)"', r"'\1'", text)  # single-quoted URLs
    text = re.sub(r"([}\]\"'0-9el])(\n\s*[}\]])", r"\1,\2", text)  # trailing commas
    text = text.replace("{\n", "{ /* edited by hand */\n", 1)
    path.write_text("// OpenClaw config, edited by hand\n" + text)


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
    parser.add_argument("--json5", action="store_true",
                        help="rewrite openclaw.json with bare keys and a comment (JSON5 parser path)")
    args = parser.parse_args()
    cj = ensure_check_jsonschema()
    # byte-compile the package as pip does when it installs it (PYTHONDONTWRITEBYTECODE may be set here, and
    # a run that compiles 30 modules first measures the compiler, not the linter); check-jsonschema was
    # byte-compiled by pip when it was installed
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "configurator")], check=True,
                   stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = {k: v for k, v in os.environ.items()
               if k not in ("CODEX_HOME", "CLAUDE_CONFIG_DIR", "OPENCLAW_CONFIG_PATH", "OPENCLAW_STATE_DIR",
                            "OPENCLAW_HOME", "XDG_STATE_HOME")}
        env["HOME"] = str(home)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its .pyc files
        files = make_home(home, env)
        if args.json5:
            to_bare_json5(files[2])
        # the `configurator` console script, as users run it (python -m adds runpy's imports)
        script = shutil.which("configurator", path=str(Path(sys.executable).parent))
        ours = [script] if script else [sys.executable, "-m", "configurator"]
        ours += ["lint", *map(str, files)]
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
