"""Time `configurator statusline` on the 400 MB synthetic history: warm (the live transcript grew) and cold.

    .venv/bin/python benchmarks/statusline.py [--size-mb 400] [--seed 7] [--runs 21] [--cold-runs 5]

1. The corpus of ``usage_scan.py`` (generated once, cached), hard-linked into a temporary HOME; every
   file gets a modification time two days ago (the history is old: nothing in it is today's).
2. Today's work: a few of its Claude Code transcripts and Codex rollouts copied with every timestamp
   moved to now (about 30 MB: a heavy day), as new files in the same folders.
3. Cold: the status-line state deleted, one call (a fresh process each time), ``--cold-runs`` times.
4. Warm: before each call one new assistant response is appended to today's live transcript (what
   Claude Code does between two status-line calls), then one call; the median of ``--runs``.

Each call is ``python -m configurator statusline`` with Claude Code's recorded input on stdin
(``tests/statusline/claude_code_2.1.332.json``), a fresh process, timed from spawn to exit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from usage_scan import corpus_dir, ensure_corpus  # noqa: E402

SAMPLE = ROOT / "tests" / "statusline" / "claude_code_2.1.332.json"
_TS = re.compile(rb'"timestamp":"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z"')


def make_home(corpus: Path, home: Path) -> tuple[Path, int]:
    """Hard-link the corpus into ``home``, age it, add today's files; (the live transcript, today's bytes)."""
    subprocess.run(["cp", "-al", f"{corpus}/.", str(home)], check=True)
    old = time.time() - 2 * 86400
    for dirpath, _, names in os.walk(home):
        for name in names:
            os.utime(os.path.join(dirpath, name), (old, old))
    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    stamp = b'"timestamp":"' + now.strftime("%Y-%m-%dT%H:%M:%S.000Z").encode() + b'"'
    claude = sorted((home / ".claude" / "projects").rglob("*.jsonl"), key=lambda p: p.stat().st_size)
    codex = sorted((home / ".codex" / "sessions").rglob("rollout-*.jsonl"), key=lambda p: p.stat().st_size)
    picked = claude[-12:] + codex[-3:]
    total = 0
    live = None
    for src in picked:
        data = _TS.sub(lambda _m: stamp, src.read_bytes())
        if src.name.startswith("rollout-"):
            name = "rollout-" + now.strftime("%Y-%m-%dT%H-%M-%S") + "-" + src.name[-42:]
            dst = src.parent / name
        else:
            dst = src.parent / ("today-" + src.name)
        dst.write_bytes(data)
        total += len(data)
        if live is None and dst.suffix == ".jsonl" and not dst.name.startswith("rollout-"):
            live = dst
    assert live is not None
    return live, total


def response_line(live: Path, n: int) -> bytes:
    """One new assistant response (the last usage line of the live transcript, with new ids)."""
    last = b""
    with open(live, "rb") as fh:
        fh.seek(max(0, live.stat().st_size - (4 << 20)))
        for line in fh:
            if b'"usage":{' in line and b'"type":"assistant"' in line:
                last = line
    obj = json.loads(last)
    obj["message"]["id"] = f"msg_bench_{n:06d}"
    obj["requestId"] = f"req_bench_{n:06d}"
    obj["uuid"] = f"00000000-0000-4000-8000-{n:012d}"
    obj["timestamp"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return json.dumps(obj, separators=(",", ":")).encode() + b"\n"


def call(env: dict[str, str], stdin: bytes) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "configurator", "statusline"], input=stdin, env=env,
                          capture_output=True, check=True)
    return time.perf_counter() - started, done.stdout.decode().strip()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=float, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--cold-runs", type=int, default=5)
    args = ap.parse_args(argv)
    corpus = corpus_dir(args.size_mb, args.seed)
    ensure_corpus(corpus, args.size_mb, args.seed)
    with tempfile.TemporaryDirectory(prefix="statusline-bench-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        live, today_bytes = make_home(corpus, home)
        sample = json.loads(SAMPLE.read_text())
        sample["transcript_path"] = str(live)  # the live session, as Claude Code names it
        stdin = json.dumps(sample).encode()
        cache = Path(tmp) / "cache"
        env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(ROOT),
               "NO_COLOR": "1"}
        env.pop("CLAUDE_CONFIG_DIR", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode compiled
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "configurator")], check=True, env=env)
        files = sum(len(names) for _, _, names in os.walk(home))
        subprocess.run(["sh", "-c", f'find "{home}" -type f -print0 | xargs -0 cat > /dev/null'], check=True)
        cold: list[float] = []
        for _ in range(args.cold_runs):
            shutil.rmtree(cache, ignore_errors=True)
            seconds, line = call(env, stdin)
            cold.append(seconds)
        print(f"history: {files:,} files; today's files: {today_bytes / 1e6:.1f} MB")
        print(f"cold (no state): median {statistics.median(cold) * 1000:.0f} ms, max {max(cold) * 1000:.0f} ms "
              f"over {len(cold)} runs; line: {line}")
        warm: list[float] = []
        call(env, stdin)
        for n in range(args.runs):
            with open(live, "ab") as fh:
                fh.write(response_line(live, n))
            seconds, line = call(env, stdin)
            warm.append(seconds)
        unchanged = [call(env, stdin)[0] for _ in range(args.runs)]
        print(f"warm, the live transcript grew by one response: median {statistics.median(warm) * 1000:.0f} ms, "
              f"min {min(warm) * 1000:.0f} ms, max {max(warm) * 1000:.0f} ms over {len(warm)} runs; line: {line}")
        print(f"warm, nothing changed: median {statistics.median(unchanged) * 1000:.0f} ms over {len(unchanged)} runs")
        started = time.perf_counter()
        for _ in range(args.runs):
            subprocess.run([sys.executable, "-S", "-c", "pass"], check=True)
        print(f"python -S -c pass (the floor): {(time.perf_counter() - started) / args.runs * 1000:.0f} ms per run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
