"""`configurator statusline`: Claude Code's recorded input -> the exact line, plans, errors, hostile logs, the cache."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.commands.statusline import PLACEHOLDER, StatuslineOptions, command_line, run, short_model
from configurator.usage import today
from tests.conftest import KNOWN_KEY, run_cli

HERE = Path(__file__).resolve().parent
SAMPLE = (HERE / "claude_code_2.1.332.json").read_text()
#: 2026-10-23 18:48 UTC: 5 h 12 min to midnight in UTC
NOW = dt.datetime(2026, 10, 23, 18, 48, tzinfo=dt.timezone.utc).timestamp()


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def _line(n: int, *, day: str = "2026-10-23", inp: int = 100_000, out: int = 30_000,
          model: str = "deepseek-v4-pro") -> str:
    return json.dumps({
        "type": "assistant", "sessionId": "s1", "version": "2.1.332", "requestId": f"req_{day}_{n}",
        "timestamp": f"{day}T10:{n % 60:02d}:00.000Z", "uuid": f"u-{day}-{n}",
        "message": {"id": f"msg_{day}_{n}", "model": model, "role": "assistant",
                    "usage": {"input_tokens": inp, "output_tokens": out, "cache_read_input_tokens": 0,
                              "cache_creation_input_tokens": 0}},
    }, separators=(",", ":")) + "\n"


def _history(home: Path, lines: list[str], name: str = "s1.jsonl") -> Path:
    folder = home / ".claude" / "projects" / "-home-dev-src-atlas"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with open(path, "a") as fh:
        fh.writelines(lines)
    return path


def _setup_profile(home: Path, plan: str | None, since: str | None = "2026-10-01") -> None:
    done = run_cli("setup", "--yes", "--api-key-stdin", "--tool", "claude-code", input=KNOWN_KEY + "\n")
    assert done.returncode == 0, done.stderr
    import tomlkit

    path = home / ".config" / "agent-configurator" / "profiles.toml"
    doc = tomlkit.parse(path.read_text())
    (name,) = list(doc["profiles"])  # type: ignore[arg-type]
    table = doc["profiles"][name]  # type: ignore[index]
    if plan is not None:
        table["plan"] = plan
    if since is not None:
        table["plan_since"] = since
    path.write_text(tomlkit.dumps(doc))


def _run(**kw: object) -> str:
    opts = StatuslineOptions(stdin_text=kw.pop("stdin_text", SAMPLE), now=kw.pop("now", NOW), color="never",
                             **kw)  # type: ignore[arg-type]
    return run(opts)


def test_the_recorded_input_gives_the_exact_line_with_a_plan(home: Path) -> None:
    _setup_profile(home, "starter")
    _history(home, [_line(1)])
    # 100,000 × 2.18 + 30,000 × 6.53 = 413,900 credits of 800,000
    assert _run() == "Atlas Starter · 414K/800K today (52%) · resets in 5h12m · v4-pro"
    # yesterday's records do not count; a copy of a response counts once
    _history(home, [_line(2, day="2026-10-22"), _line(1)], name="s2.jsonl")
    assert _run() == "Atlas Starter · 414K/800K today (52%) · resets in 5h12m · v4-pro"


def test_over_the_allowance_packs_or_midnight(home: Path) -> None:
    _setup_profile(home, "starter")
    _history(home, [_line(n) for n in range(3)])  # 1,241,700 credits
    assert _run() == ("Atlas Starter · 1.2M/800K today (155%) · allowance used up: work waits for midnight "
                      "(5h12m) · v4-pro")
    assert _run(packs=True) == ("Atlas Starter · 1.2M/800K today (155%) · 442K over: drawing on packs · "
                                "resets in 5h12m · v4-pro")


def test_no_plan_shows_credits_and_tokens(home: Path) -> None:
    _setup_profile(home, None, since=None)
    _history(home, [_line(1)])
    assert _run() == "414K credits · 130K tokens today · v4-pro"


def test_packs_only_plan(home: Path) -> None:
    _setup_profile(home, "none")
    _history(home, [_line(1)])
    assert _run() == "Atlas packs · 414K credits today from packs · v4-pro"


def test_the_line_follows_growth_and_new_sessions(home: Path) -> None:
    _setup_profile(home, "starter")
    path = _history(home, [_line(1)])
    assert "414K/800K" in _run()
    time.sleep(0.01)
    with open(path, "a") as fh:
        fh.write(_line(2, inp=10_000, out=0))
    assert "436K/800K" in _run()  # only the new line was read: the sum grew by 21,800
    data = json.loads(SAMPLE)
    data["transcript_path"] = str(_history(home, [_line(3, inp=10_000, out=0)], name="s9.jsonl"))
    assert "458K/800K" in _run(stdin_text=json.dumps(data))


def test_an_unknown_model_makes_the_credits_a_lower_bound(home: Path) -> None:
    _history(home, [_line(1), _line(2, model="mystery-model-7")])
    assert _run().startswith("≥414K credits · 260K tokens today")


@pytest.mark.parametrize("stdin", ["{not json", "[1, 2]", "\"text\"", "{" * 100_000])
def test_broken_input_is_one_configurator_line_exit_0(stdin: str) -> None:
    done = run_cli("statusline", input=stdin)
    assert done.returncode == 0
    assert done.stdout.startswith("configurator: ") and done.stdout.count("\n") == 1
    assert "Traceback" not in done.stdout + done.stderr


def test_the_cli_prints_the_line_and_colours_only_when_asked(home: Path) -> None:
    done = run_cli("statusline", input=SAMPLE, env={"NO_COLOR": "1"})
    assert done.returncode == 0 and "\x1b[" not in done.stdout
    assert done.stdout.strip() == "0 credits · 0 tokens today · v4-pro"
    coloured = run_cli("statusline", input=SAMPLE)  # Claude Code's input: it renders ANSI colours
    assert "\x1b[36mv4-pro\x1b[0m" in coloured.stdout
    assert run_cli("statusline", "--help").stdout.startswith("Usage: configurator statusline")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.binary(max_size=200),
                          st.builds(lambda n, i: _line(n, inp=i).encode(), st.integers(0, 59),
                                    st.integers(0, 10**6)),
                          st.sampled_from([b'{"usage":{}}', b'{"type":"assistant","message":{"usage":null}}',
                                           b'{"message":{"id":1,"usage":{"input_tokens":-1}}}', b"\x00\xff\n",
                                           b'{"timestamp":"9999-12-31T23:59:59Z","message":{"usage":{}}}'])),
                max_size=12))
def test_hostile_logs_never_crash_it(home: Path, chunks: list[bytes]) -> None:
    folder = home / ".claude" / "projects" / "p"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "hostile.jsonl", "ab") as fh:
        fh.write(b"\n".join(chunks))
    line = _run()
    assert "\n" not in line and not line.startswith("configurator: internal error")


def test_a_large_first_day_is_filled_in_the_background(home: Path) -> None:
    _history(home, [_line(n) for n in range(5)])
    assert _run(inline_bytes=0) == PLACEHOLDER
    deadline = time.time() + 30
    while time.time() < deadline and today.lock_held():
        time.sleep(0.1)
    for _ in range(100):
        line = _run(inline_bytes=0)
        if line != PLACEHOLDER:
            break
        time.sleep(0.1)
    assert line.startswith("2.1M credits")  # 5 × 413,900


def test_a_killed_fill_leaves_no_lock_and_no_half_state(home: Path, tmp_path: Path) -> None:
    _history(home, [_line(n) for n in range(5)])
    os.makedirs(today.cache_dir(), exist_ok=True)
    # a fill that takes the lock the way the real one does, then is killed while holding it
    code = ("import fcntl, os, time\n"
            f"fd = os.open({today.lock_path()!r}, os.O_RDWR | os.O_CREAT, 0o600)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    assert today.lock_held()
    assert _run(inline_bytes=0) == PLACEHOLDER  # a fill runs: no second one, a placeholder
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not today.lock_held()  # the kernel dropped the flock with the process
    # the real fill, killed mid-way, then a normal call: a complete answer, never a damaged state
    fill = subprocess.Popen([sys.executable, *today.FILL_COMMAND], env=dict(os.environ))
    fill.send_signal(signal.SIGKILL)
    fill.wait()
    assert not today.lock_held()
    assert _run().startswith("2.1M credits")
    leftovers = [p.name for p in Path(today.cache_dir()).iterdir() if p.name.endswith(".tmp")]
    assert leftovers == [] or all(p.startswith("statusline-") for p in leftovers)


def test_a_damaged_state_is_rebuilt(home: Path) -> None:
    _history(home, [_line(1)])
    assert _run().startswith("414K credits")
    Path(today.state_path()).write_bytes(b"\x00garbage")
    assert _run().startswith("414K credits")


@pytest.mark.parametrize(("model", "short"), [
    ("deepseek-v4-pro", "v4-pro"), ("deepseek-ai/DeepSeek-V4-Flash", "v4-flash"),
    ("claude-sonnet-4-5-20250929", "sonnet-4-5"), ("gpt-5-codex", "gpt-5-codex"), ("qwen3-coder", "qwen3-coder"),
    ("claude-opus-4-1[1m]", "opus-4-1"),
])
def test_short_model_names(model: str, short: str) -> None:
    assert short_model(model) == short


def test_command_line_is_absolute() -> None:
    cmd = command_line()
    assert cmd.split()[0].startswith("/") and cmd.endswith("statusline")
    assert command_line(packs=True).endswith("statusline --packs")
