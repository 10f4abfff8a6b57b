"""`configurator plan simulate --from-logs`: the real history, weekdays repeated over the horizon."""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

RATE_IN = 2.18  # deepseek-v4-pro input credits per token in the shipped catalog


def _claude_history(home: Path, first: _dt.date, days: int, tokens: int) -> None:
    """Weekdays only: one response of ``tokens`` input tokens at noon UTC, written as Claude Code does."""
    lines = []
    for i in range(days):
        day = first + _dt.timedelta(days=i)
        if day.weekday() >= 5:
            continue
        record = {"parentUuid": None, "isSidechain": False, "type": "assistant", "sessionId": "s-1",
                  "version": "2.1.332", "timestamp": f"{day.isoformat()}T12:00:00.000Z", "requestId": f"req_{i}",
                  "message": {"id": f"msg_{i}", "type": "message", "role": "assistant",
                              "model": "deepseek-ai/deepseek-v4-pro",
                              "content": [{"type": "text", "text": "done"}],
                              "usage": {"input_tokens": tokens, "output_tokens": 0,
                                        "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}}
        lines.append(json.dumps(record, separators=(",", ":")))
    path = home / ".claude" / "projects" / "-home-dev-app" / "s-1.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n")


def test_from_logs_repeats_the_observed_week_weekday_by_weekday(cli, home: Path) -> None:
    _claude_history(home, _dt.date(2026, 10, 5), 14, 1_000_000)  # Mon 10-05 .. Fri 10-16 have usage
    code, out, err = cli("plan", "simulate", "--from-logs", "--timezone", "UTC", "--days", "28", "--json")
    assert code == 0, err
    env = json.loads(out)
    assert [h["date"] for h in env["history"]][0] == "2026-10-05" and len(env["history"]) == 12
    assert env["start"] == "2026-10-17" and env["horizon_days"] == 28
    assert "repeated over 28 days" in env["source"]
    per_day = {d["date"]: d["demand"] for d in env["daily"]}
    assert len(per_day) == 28
    for date, demand in per_day.items():
        weekday = _dt.date.fromisoformat(date).weekday()
        assert demand == (0.0 if weekday >= 5 else 1_000_000 * RATE_IN), date
    for day in env["daily"]:  # every credit of demand is served or unmet
        assert abs(day["from_subscription"] + day["from_packs"] + day["unmet"] - day["demand"]) < 1e-6


def test_from_logs_without_history_is_one_clear_line(cli) -> None:
    code, out, err = cli("plan", "simulate", "--from-logs")
    assert code == 2
    assert err.count("\n") == 1 and "no usage found" in err


def test_from_logs_history_days_limits_the_window(cli, home: Path) -> None:
    _claude_history(home, _dt.date(2026, 10, 5), 14, 1_000_000)
    code, out, err = cli("plan", "simulate", "--from-logs", "--timezone", "UTC", "--history-days", "5", "--json")
    assert code == 0, err
    env = json.loads(out)
    assert [h["date"] for h in env["history"]] == [f"2026-10-{d}" for d in range(12, 17)]
    assert "less than a week" in env["source"]


def test_from_logs_uses_the_usage_cache_unless_no_cache(cli, home: Path) -> None:
    import os
    import time

    _claude_history(home, _dt.date(2026, 10, 5), 14, 1_000_000)
    old = time.time() - 3600
    os.utime(home / ".claude" / "projects" / "-home-dev-app" / "s-1.jsonl", (old, old))
    cache = home / ".cache" / "agent-configurator"
    args = ("plan", "simulate", "--from-logs", "--timezone", "UTC", "--days", "28", "--json")
    code, cold, err = cli(*args, "--no-cache")
    assert code == 0, err
    assert not cache.exists()
    code, first, err = cli(*args)
    assert code == 0, err
    [written] = cache.glob("usage-*.marshal")
    stamp = (written.stat().st_mtime_ns, written.stat().st_ino)
    code, warm, err = cli(*args)
    assert code == 0, err
    # everything came from the cache: a file read again would have been written into a new cache file
    assert (written.stat().st_mtime_ns, written.stat().st_ino) == stamp
    assert json.loads(warm)["daily"] == json.loads(first)["daily"] == json.loads(cold)["daily"]
