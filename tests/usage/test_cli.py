"""``configurator usage`` as a user runs it: JSON envelope, text table, filters, notes, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

from configurator import exitcodes

CATALOG = str(Path(__file__).parent / "fixtures" / "catalog.toml")


def test_json_envelope_rows_and_credits(logs: Path, cli) -> None:
    code, out, err = cli("usage", "--json", "--timezone", "America/Los_Angeles", "--catalog", CATALOG)
    assert code == exitcodes.OK, err
    data = json.loads(out)
    assert data["version"] == 1 and data["command"] == "usage"
    assert data["timezone"] == "America/Los_Angeles"
    rows = {(r["date"], r["tool"], r["model"]): r for r in data["rows"]}
    assert set(rows) == {
        ("2026-09-30", "openclaw", "deepseek-v4-flash"),
        ("2026-10-01", "claude-code", "claude-haiku-4-5-20251001"),
        ("2026-10-01", "claude-code", "claude-sonnet-4-5-20250929"),
        ("2026-10-01", "codex", "gpt-5-codex"),
        ("2026-10-01", "codex", "gpt-5.1-codex"),
        ("2026-10-01", "openclaw", "deepseek-v4-pro"),
        ("2026-10-02", "claude-code", "claude-sonnet-4-5-20250929"),
        ("2026-10-02", "claude-code", "deepseek-v4-pro"),
        ("2026-10-02", "codex", "gpt-5-codex"),
        ("2026-10-02", "openclaw", "deepseek-v4-flash"),
    }
    r = rows[("2026-10-01", "codex", "gpt-5-codex")]
    assert {k: r[k] for k in ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens",
                              "requests")} == {"input_tokens": 800, "cache_read_tokens": 700, "cache_write_tokens": 0,
                                               "output_tokens": 130, "requests": 2}
    # the test catalog: gpt-5-codex 1 / 8 / 0.25 (cache read) / 1 (cache write) credits per token
    assert r["credits"] == 800 * 1 + 130 * 8 + 700 * 0.25
    # deepseek-v4-pro 2 / 4 / 0.5 / 3: OpenClaw 103 in, 63 out, 1000 cache read
    assert rows[("2026-10-01", "openclaw", "deepseek-v4-pro")]["credits"] == 103 * 2 + 63 * 4 + 1000 * 0.5
    # unknown model: null credits and a warning naming it and the catalog
    assert rows[("2026-10-01", "codex", "gpt-5.1-codex")]["credits"] is None
    assert any("'gpt-5.1-codex'" in w and CATALOG in w for w in data["warnings"])
    assert data["totals"]["credits_complete"] is False
    assert data["history"]["first_date"] == "2026-09-30" and data["history"]["days"] == 3
    assert data["history"]["claude_cleanup_period_days"] == 30
    assert data["skipped"]["lines"] == 4 and data["skipped"]["files"] == 3
    assert "3 days of history from 2026-09-30 to 2026-10-02 (Claude Code keeps 30 days by default)" in data["notes"]


def test_text_table_and_notes(logs: Path, cli) -> None:
    code, out, err = cli("usage", "--tz", "UTC", "--tool", "codex", "--catalog", CATALOG)
    assert code == exitcodes.OK, err
    lines = out.splitlines()
    assert lines[0] == "Token usage per day (UTC); input excludes cached input."
    assert any(line.startswith("2026-10-01  Codex  gpt-5-codex ") for line in lines)
    assert "note: 1 line skipped in 1 file (not valid JSON, or a usage record with missing or malformed fields)." in lines
    # Claude Code's retention is only mentioned when Claude Code is scanned
    assert not any("cleanupPeriodDays" in line or "Claude Code keeps" in line for line in lines)
    assert err == ""  # no progress bar: stderr is not a terminal


def test_since_until_and_tools(logs: Path, cli) -> None:
    code, out, _ = cli("usage", "--json", "--tz", "America/Los_Angeles", "--since", "2026-10-02",
                       "--until", "20261002", "--tool", "claude-code,openclaw")
    data = json.loads(out)
    assert code == exitcodes.OK
    assert {(r["date"], r["tool"]) for r in data["rows"]} == {("2026-10-02", "claude-code"), ("2026-10-02", "openclaw")}
    assert data["tools"] == ["claude-code", "openclaw"]
    # the note describes all the history found, not only the window shown
    assert data["history"]["first_date"] == "2026-09-30"


def test_cleanup_period_from_settings(logs: Path, cli) -> None:
    (logs / ".claude" / "settings.json").write_text('{"cleanupPeriodDays": 3}')
    code, out, _ = cli("usage", "--tz", "UTC", "--tool", "claude-code")
    assert code == exitcodes.OK
    assert "note: 3 days of history from 2026-10-01 to 2026-10-03 (Claude Code keeps 3 days: cleanupPeriodDays " \
           "in its settings.json)" in out.splitlines()
    assert "Claude Code deletes transcripts older than 3 days" in out


def test_no_logs_is_not_an_error(home: Path, cli) -> None:
    code, out, _ = cli("usage", "--json")
    data = json.loads(out)
    assert code == exitcodes.OK
    assert data["rows"] == [] and data["history"]["days"] == 0
    assert any(n.startswith("no usage found in local agent logs") for n in data["notes"])


@pytest.mark.parametrize(("args", "message"), [
    (["--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
    (["--since", "yesterday"], "--since 'yesterday' is not a date"),
    (["--since", "2026-10-03", "--until", "2026-10-01"], "is after --until"),
    (["--tool", "cursor"], "unknown tool 'cursor'"),
])
def test_user_errors_exit_2(home: Path, cli, args: list[str], message: str) -> None:
    code, out, err = cli("usage", *args)
    assert code == exitcodes.USAGE
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_subprocess_run(logs: Path) -> None:
    proc = run_cli("usage", "--json", "--tz", "Asia/Tokyo", "--tool", "claude-code", env={"HOME": str(logs)})
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["totals"]["input_tokens"] == 3 + 5 + 7 + 1 + 11 + 2


def test_unreadable_file_is_a_note(logs: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from configurator.usage import claude

    real = claude.read_file

    def read_file(path: str, *args):
        if "2222" in path:
            raise PermissionError(13, "Permission denied", path)
        return real(path, *args)

    monkeypatch.setattr(claude, "read_file", read_file)
    code, out, _ = cli("usage", "--json", "--tool", "claude-code", "--tz", "UTC")
    data = json.loads(out)
    assert code == exitcodes.OK
    assert "1 file was left out: not readable (permission denied, removed while reading, or not a regular file)." \
        in data["notes"]
    assert data["totals"]["input_tokens"] == 3 + 5 + 7 + 1 + 11  # without session 2222…'s msg_01FFF
