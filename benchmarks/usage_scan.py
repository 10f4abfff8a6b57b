"""Benchmark ``configurator usage`` against ccusage 20.0.24 on a seeded synthetic history.

    python benchmarks/usage_scan.py [--size-mb 400] [--seed 7] [--runs 5] [--tz America/Los_Angeles]

1. Generates the corpus once (``benchmarks/gen_corpus.py``; cached under
   ``~/.cache/agent-configurator-bench/``) and warms the page cache.
2. Times ``cat`` of every file (the floor), ``configurator usage --json --no-cache`` (the whole
   command reading every file: a fresh process each run, all three tools), ``configurator usage
   --json`` with the cache an earlier run left (what a second run costs when the history has not
   changed) and, when installed, ccusage 20.0.24's native binary ``ccusage claude daily --json
   --offline`` (Claude Code only, no cache), alternately, ``--runs`` times each.
   Reports the best wall time, the CPU time (user + system, children included) and the peak memory
   of the largest process (``wait4``'s ``ru_maxrss``); for ours also the sum of the per-process peaks.
3. Checks the daily Claude Code totals: identical to ccusage's in 20.0.24 mode, and explains the
   only difference of the default mode (responses without ``requestId`` counted once).

Install the peer for this benchmark only (20.0.26 ships no linux-x64 binary):
    npm install --prefix ~/.cache/agent-configurator-bench ccusage@20.0.24
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = Path.home() / ".cache" / "agent-configurator-bench"
GENERATOR_VERSION = 4  # bump when gen_corpus.py changes what it writes
CCUSAGE = CACHE / "node_modules" / "@ccusage" / "ccusage-linux-x64" / "bin" / "ccusage"


def corpus_dir(size_mb: float, seed: int) -> Path:
    return CACHE / f"corpus-v{GENERATOR_VERSION}-seed{seed}-{size_mb:g}mb"


def ensure_corpus(path: Path, size_mb: float, seed: int) -> None:
    done = path / ".complete"
    if done.exists():
        return
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    sys.path.insert(0, str(HERE))
    from gen_corpus import generate

    started = time.perf_counter()
    stats = generate(path, size_mb=size_mb, seed=seed)
    done.write_text(json.dumps(stats))
    print(f"generated {path} in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def files_of(path: Path) -> list[str]:
    return sorted(str(p) for p in path.rglob("*") if p.is_file() and ".jsonl" in p.name)


GNU_TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None


def run(cmd: list[str], env: dict[str, str], stdout=subprocess.PIPE) -> tuple[float, float, float, bytes]:
    """(wall s, cpu s incl. children, peak RSS MB of the largest process, stdout).

    The peak comes from GNU time (``%M``): ``wait4`` from this process would count the RSS of the
    forked copy of this Python before it execs the command.
    """
    import tempfile

    rss_file = None
    full = cmd
    if GNU_TIME:
        fd, rss_file = tempfile.mkstemp()
        os.close(fd)
        full = [GNU_TIME, "-f", "%M", "-o", rss_file, *cmd]
    started = time.perf_counter()
    proc = subprocess.Popen(full, env=env, stdout=stdout, stderr=subprocess.PIPE)
    out = proc.stdout.read() if stdout is subprocess.PIPE else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd[0]} failed: {err.decode(errors='replace')[-2000:]}")
    rss = usage.ru_maxrss / 1024
    if rss_file:
        try:
            rss = int(Path(rss_file).read_text().split()[-1]) / 1024
        finally:
            os.unlink(rss_file)
    return wall, usage.ru_utime + usage.ru_stime, rss, out


def claude_days_ours(data: dict) -> dict[str, list[int]]:
    days: dict[str, list[int]] = {}
    for r in data["rows"]:
        if r["tool"] == "claude-code":
            a = days.setdefault(r["date"], [0, 0, 0, 0])
            a[0] += r["input_tokens"]
            a[1] += r["output_tokens"]
            a[2] += r["cache_write_tokens"]
            a[3] += r["cache_read_tokens"]
    return days


def claude_days_ccusage(data: dict) -> dict[str, list[int]]:
    return {d["date"]: [d["inputTokens"], d["outputTokens"], d["cacheCreationTokens"], d["cacheReadTokens"]]
            for d in data["daily"]}


def compat_days(corpus: Path, tz: str) -> dict[str, list[int]]:
    """Our scan with ccusage 20.0.24's key for responses without requestId, in-process."""
    os.environ["HOME"] = str(corpus)
    os.environ["CLAUDE_CONFIG_DIR"] = str(corpus / ".claude")
    sys.path.insert(0, str(ROOT))
    from configurator.usage.dates import resolve_zone
    from configurator.usage.scanner import scan

    result = scan(zone=resolve_zone(tz), tools=("claude-code",), ccusage_compat=True, progress=False)
    days: dict[str, list[int]] = {}
    for (date, _, _), (inp, cr, cw, out, _) in result.rows.items():
        a = days.setdefault(date, [0, 0, 0, 0])
        for i, v in enumerate((inp, out, cw, cr)):
            a[i] += v
    return days


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=float, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tz", default="America/Los_Angeles")
    ap.add_argument("--corpus", type=Path, help="use this corpus folder (a fake HOME) instead of generating one")
    ap.add_argument("--ccusage", help=f"ccusage binary (default: {CCUSAGE} if it exists)")
    args = ap.parse_args(argv)

    corpus = args.corpus or corpus_dir(args.size_mb, args.seed)
    if not args.corpus:
        ensure_corpus(corpus, args.size_mb, args.seed)
    files = files_of(corpus)
    size = sum(os.path.getsize(f) for f in files)
    by_tool = {t: sum(1 for f in files if f"/.{d}/" in f) for t, d in
               (("claude-code", "claude"), ("codex", "codex"), ("openclaw", "openclaw"))}
    binary = args.ccusage or (str(CCUSAGE) if CCUSAGE.exists() else shutil.which("ccusage"))
    if binary and not os.access(binary, os.X_OK):
        os.chmod(binary, 0o755)

    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUDE_", "CODEX_", "OPENCLAW_"))}
    env = {**base_env, "HOME": str(corpus), "CLAUDE_CONFIG_DIR": str(corpus / ".claude"), "NO_COLOR": "1"}
    ours_cmd = [sys.executable, "-m", "configurator", "usage", "--json", "--timezone", args.tz, "--no-cache"]
    warm_cmd = ours_cmd[:-1]  # unchanged files from the cache the warm-up run wrote
    cc_cmd = [binary, "claude", "daily", "--json", "--offline", "-z", args.tz] if binary else None
    cat_cmd = ["sh", "-c", 'find "$0" -type f -name "*.jsonl*" -print0 | xargs -0 cat', str(corpus)]
    import tempfile

    cache_home = tempfile.mkdtemp(prefix="usage-bench-cache-")
    env_ours = {**env, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": cache_home}

    # byte-compile the package as pip does when it installs it (PYTHONDONTWRITEBYTECODE may be set here,
    # and a run that compiles 20 modules first measures the compiler, not the tool)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "configurator")], check=True,
                   stdout=subprocess.DEVNULL)
    for cmd in (cat_cmd, ours_cmd, warm_cmd, cc_cmd):  # warm the page cache and the binaries; fill our cache
        if cmd:
            run(cmd, env_ours, stdout=subprocess.DEVNULL)

    results: dict[str, list[tuple[float, float, float]]] = {"cat": [], "ours": [], "warm": [], "ccusage": []}
    ours_out = warm_out = cc_out = b""
    for _ in range(args.runs):
        wall, cpu, rss, _ = run(cat_cmd, env, stdout=subprocess.DEVNULL)
        results["cat"].append((wall, cpu, rss))
        wall, cpu, rss, ours_out = run(ours_cmd, env_ours)
        results["ours"].append((wall, cpu, rss))
        wall, cpu, rss, warm_out = run(warm_cmd, env_ours)
        results["warm"].append((wall, cpu, rss))
        if cc_cmd:
            wall, cpu, rss, cc_out = run(cc_cmd, env)
            results["ccusage"].append((wall, cpu, rss))

    shutil.rmtree(cache_home, ignore_errors=True)
    ours = json.loads(ours_out)
    warm = json.loads(warm_out)
    if warm["rows"] != ours["rows"] or warm["scan"]["cached_files"] != sum(ours["files"].values()) - \
            sum(1 for f in files if f.endswith(".sqlite")):
        print("the warm run did not report what the full scan did, or read files it had cached", file=sys.stderr)
        return 1
    print(f"corpus: {corpus}")
    print(f"        {size / 1e6:,.1f} MB in {len(files):,} files (Claude Code {by_tool['claude-code']:,}, "
          f"Codex {by_tool['codex']:,}, OpenClaw {by_tool['openclaw']:,}); {args.runs} runs each, best wall time")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the end; "
          f"python {sys.version.split()[0]}; our scan used {ours['scan']['workers']} worker processes")
    print()
    print(f"{'':34s} {'wall s':>7s} {'median':>7s} {'cpu s':>7s} {'peak RSS MB':>12s}")

    def line(name: str, rows: list[tuple[float, float, float]], extra: str = "") -> float:
        walls = sorted(r[0] for r in rows)
        best = walls[0]
        cpu = min(r[1] for r in rows)
        rss = max(r[2] for r in rows)
        print(f"{name:34s} {best:7.3f} {walls[len(walls) // 2]:7.3f} {cpu:7.2f} {rss:12.1f}{extra}")
        return best

    line("cat (read every byte)", results["cat"])
    peaks = ours["scan"]["peak_rss_mb"]
    total_peak = peaks["main"] + sum(peaks["workers"])
    ours_best = line("configurator usage --json --no-cache", results["ours"],
                     f"   (sum over processes {total_peak:.0f} MB: main {peaks['main']:.0f}, workers "
                     f"{', '.join(f'{w:.0f}' for w in peaks['workers']) or '-'})")
    warm_best = line("configurator usage --json (cached)", results["warm"],
                     f"   ({warm['scan']['cached_files']:,} files unchanged since the last run, none read)")
    status = 0
    if cc_cmd:
        cc_best = line("ccusage 20.0.24 claude daily --json", results["ccusage"])
        print()
        def median(key: str) -> float:
            return sorted(r[0] for r in results[key])[len(results[key]) // 2]

        print(f"ratio ours / ccusage, every file read (best wall): {ours_best / cc_best:.2f}, median wall: "
              f"{median('ours') / median('ccusage'):.2f}  (target <= 0.50)")
        print(f"ratio ours / ccusage, unchanged files cached (best wall): {warm_best / cc_best:.2f}, median wall: "
              f"{median('warm') / median('ccusage'):.2f}")
        theirs = claude_days_ccusage(json.loads(cc_out))
        mine = claude_days_ours(ours)
        compat = compat_days(corpus, args.tz)
        same_compat = compat == theirs
        print(f"daily Claude Code totals, ccusage 20.0.24 rules: {'identical' if same_compat else 'DIFFERENT'} "
              f"on {len(theirs)} days")
        if mine == theirs:
            print("daily Claude Code totals, default rules: identical")
        else:
            extra = [sum(theirs[d]) - sum(mine.get(d, [0])) for d in theirs]
            print(f"daily Claude Code totals, default rules: {sum(extra):,} fewer tokens over {sum(1 for x in extra if x)} "
                  "days — responses without requestId counted once, not once per content block as 20.0.24 does")
        if not same_compat:
            status = 1
            for d in sorted(set(theirs) | set(compat)):
                if theirs.get(d) != compat.get(d):
                    print(f"  {d}: ccusage {theirs.get(d)} ours {compat.get(d)}")
    else:
        print("\nccusage 20.0.24 is not installed: npm install --prefix ~/.cache/agent-configurator-bench ccusage@20.0.24")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
