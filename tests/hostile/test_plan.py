"""Hostile input to ``configurator plan`` through the real entry point (issue 17 item 14).

Each was an internal error (exit 3) or a hang. Every case is one line of :data:`CASES`: the arguments, the
usage file the case writes (``{usage}`` in the arguments is its path), the exit code and a fragment of the
one ``error:`` line. For every case: exactly that one line on stderr, no traceback, nothing on stdout,
nothing written in HOME (no error log), and done within a few seconds. Paths that must never be opened
(``/dev/zero``, a FIFO) run in a subprocess with a timeout, so a regression fails instead of hanging.

The limits: dates within ``FIRST_YEAR``-01-01 … ``LAST_YEAR``-12-31 (:mod:`configurator.usage.dates`);
credits finite, >= 0, at most 1e12 a day; token counts at most 1e12; a usage file spanning at most 3,650
days, a regular file of at most 50 MB.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import run_cli

from configurator.billing.usage_csv import MAX_FILE_BYTES

SIM = ("plan", "simulate", "--usage", "{usage}")
UPGRADE = ("plan", "upgrade-cost", "--from", "starter", "--to", "lite")
QUIZ = ("plan", "quiz", "--active-days", "5", "--hours", "4", "--style", "agentic")
CREDITS = b"date,credits\n"
TOKENS = b"date,model,input_tokens,output_tokens\n"
GOOD = CREDITS + b"2026-05-01,1000\n"
WINDOW = "outside 2000-01-01 … 2099-12-31"
CREDIT_RANGE = "it must be a number >= 0 and at most 1,000,000,000,000"
#: the longest a case may take (the bad ones took minutes, or forever)
SECONDS = 5.0


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    says: str  # a fragment of the error line
    usage: bytes | None = GOOD  # the file at {usage}; None: no file written
    code: int = 2


CASES = [
    # dates out of the window: exit 3 (date overflow) before
    Case("csv-date-9999-12-31", SIM, f":2: the date '9999-12-31' is {WINDOW}", CREDITS + b"9999-12-31,5\n"),
    Case("csv-date-0001-01-01", SIM, f":2: the date '0001-01-01' is {WINDOW}", CREDITS + b"0001-01-01,5\n"),
    Case("csv-date-1999-12-31", SIM, f"the date '1999-12-31' is {WINDOW}", CREDITS + b"1999-12-31,5\n"),
    Case("csv-date-2100-01-01", SIM, f"the date '2100-01-01' is {WINDOW}", CREDITS + b"2100-01-01,5\n"),
    Case("csv-timestamp-past-9999", SIM, f"the date '9999-12-31T23:00:00-14:00' is {WINDOW}",
         CREDITS + b"9999-12-31T23:00:00-14:00,5\n"),
    Case("csv-date-5000-chars", SIM, "(5000 characters) is not a date", CREDITS + b"2" * 5000 + b",5\n"),
    # the span: 0001 … 9999 ran for minutes before
    Case("csv-span-0001-9999", SIM, f":2: the date '0001-01-01' is {WINDOW}",
         CREDITS + b"0001-01-01,5\n9999-12-31,5\n"),
    Case("csv-span-whole-window", SIM, ":3: the dates span 36,525 days (2000-01-01 … 2099-12-31)",
         CREDITS + b"2000-01-01,5\n2099-12-31,5\n"),
    Case("csv-span-3651-days", SIM, "a usage file may cover at most 3,650 days",
         CREDITS + b"2026-01-01,5\n2035-12-30,5\n"),
    # credits: finite, >= 0, at most 1e12 a day
    Case("csv-credits-1e308", SIM, f":2: credits is '1e308'; {CREDIT_RANGE}", CREDITS + b"2026-05-01,1e308\n"),
    Case("csv-credits-1e13", SIM, f"credits is '1e13'; {CREDIT_RANGE}", CREDITS + b"2026-05-01,1e13\n"),
    Case("csv-credits-nan", SIM, f"credits is 'nan'; {CREDIT_RANGE}", CREDITS + b"2026-05-01,nan\n"),
    Case("csv-credits-inf", SIM, f"credits is 'inf'; {CREDIT_RANGE}", CREDITS + b"2026-05-01,inf\n"),
    Case("csv-credits-minus-inf", SIM, f"credits is '-inf'; {CREDIT_RANGE}", CREDITS + b"2026-05-01,-inf\n"),
    Case("csv-credits-negative", SIM, f"credits is '-1'; {CREDIT_RANGE}", CREDITS + b"2026-05-01,-1\n"),
    Case("csv-credits-day-sum-too-big", SIM, ":3: the credits of 2026-05-01 add up to more than 1,000,000,000,000",
         CREDITS + b"2026-05-01,9e11\n2026-05-01,9e11\n"),
    Case("csv-tokens-1e308", SIM, "input_tokens is '1e308'; it must be a number >= 0 and at most 1,000,000,000,000",
         TOKENS + b"2026-05-01,deepseek-v4-pro,1e308,1\n"),
    Case("csv-tokens-day-sum-too-big", SIM, "add up to more than 1,000,000,000,000",
         TOKENS + b"2026-05-01,deepseek-v4-pro,1000000000000,1000000000000\n"),
    # files that are not a usage CSV
    Case("csv-empty", SIM, ":1: the file is empty; the first line must be a header", b""),
    Case("csv-only-blank-and-comments", SIM, ":1: the file is empty", b"\n# nothing yet\n\n"),
    Case("csv-only-header", SIM, ":1: the file has a header but no data rows", CREDITS),
    Case("csv-binary", SIM, ":3: the file is binary (a NUL byte at column 1)", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    Case("csv-binary-later", SIM, ":3: the file is binary (a NUL byte at column 4)", GOOD + b"abc\x00\n"),
    Case("csv-not-utf8", SIM, ":2: the file is not valid UTF-8 (byte 0xe9 at column 17)",
         CREDITS + b"2026-05-01,5 caf\xe9\n"),
    Case("csv-utf16", SIM, "the file is binary", "date,credits\n2026-05-01,5\n".encode("utf-16")),
    Case("usage-folder", ("plan", "simulate", "--usage", "{dir}"), "is a directory", None),
    Case("usage-missing", SIM, "does not exist; pass a CSV file", None),
    Case("usage-dev-null", ("plan", "simulate", "--usage", "/dev/null"), "/dev/null is not a regular file", None),
    Case("usage-too-big", SIM, "is larger than 50 MB, the most a usage file may be", b"sparse"),
    # --start, --days, upgrade dates
    Case("start-9999-12-31", (*SIM, "--start", "9999-12-31"), f"--start 9999-12-31 is {WINDOW}"),
    Case("start-0001-01-01", (*SIM, "--start", "0001-01-01"), f"--start 0001-01-01 is {WINDOW}"),
    Case("start-without-date", (*SIM, "--start"), "Option '--start' requires an argument"),
    Case("start-empty", (*SIM, "--start", ""), "--start '' is not a date"),
    Case("start-5000-chars", (*SIM, "--start", "2" * 5000), "(5000 characters) is not a date"),
    Case("quiz-start-9999-12-31", (*QUIZ, "--start", "9999-12-31"), f"--start 9999-12-31 is {WINDOW}", None),
    Case("days-0", (*SIM, "--days", "0"), "Invalid value for '--days': 0 is not in the range 1<=x<=3650"),
    Case("days-negative", (*SIM, "--days", "-5"), "Invalid value for '--days': -5 is not in the range"),
    Case("days-3651", (*SIM, "--days", "3651"), "Invalid value for '--days': 3651 is not in the range"),
    Case("days-not-a-number", (*SIM, "--days", "1e9"), "Invalid value for '--days': '1e9' is not a valid integer"),
    Case("upgrade-in-9999", (*UPGRADE, "--purchased", "9999-12-20", "--on", "9999-12-25"),
         f"--purchased 9999-12-20 is {WINDOW}", None),
    Case("upgrade-on-9999", (*UPGRADE, "--purchased", "2026-04-28", "--on", "9999-12-31"),
         f"--on 9999-12-31 is {WINDOW}", None),
    Case("upgrade-purchased-0001", (*UPGRADE, "--purchased", "0001-01-01", "--on", "2026-05-14"),
         f"--purchased 0001-01-01 is {WINDOW}", None),
    # issue 15: time zones, model shares, the catalog export
    Case("timezone-unknown", (*SIM, "--timezone", "Mars/Olympus"), "unknown time zone 'Mars/Olympus'"),
    Case("timezone-path-like", (*SIM, "--timezone", "../../etc/passwd"), "unknown time zone '../../etc/passwd'"),
    Case("timezone-empty-name", (*SIM, "--timezone", " "), "unknown time zone ' '"),
    Case("quiz-share-nan", (*QUIZ, "--models", "deepseek-v4-pro:nan,deepseek-v4-flash:1"),
         "--models the share of deepseek-v4-pro must be a number >= 0", None),
    Case("quiz-shares-zero", (*QUIZ, "--models", "deepseek-v4-pro:0,deepseek-v4-flash:0"),
         "--models the shares add up to 0", None),
    Case("catalog-export-over-folder", ("plan", "catalog", "--export", "{dir}"), "is a folder", None),
    Case("catalog-export-existing", ("plan", "catalog", "--export", "{usage}"), "already exists; pass another"),
    Case("catalog-export-dev-null", ("plan", "catalog", "--export", "/dev/null", "--force"),
         "/dev/null is not a regular file", None),
]


def _files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _assert_one_sentence(err: str, says: str) -> None:
    assert err.startswith("error: ") and err.count("\n") == 1 and err.endswith(".\n"), err
    assert says in err, err
    assert len(err) < 600, err  # a sentence, not the input back
    assert "Traceback" not in err and "internal error" not in err


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_plan_input_is_one_sentence(case: Case, cli, home: Path, tmp_path: Path) -> None:
    usage = tmp_path / "usage.csv"
    if case.usage == b"sparse":
        with usage.open("wb") as fh:
            fh.truncate(MAX_FILE_BYTES + 1)
    elif case.usage is not None:
        usage.write_bytes(case.usage)
    args = [a.replace("{usage}", str(usage)).replace("{dir}", str(tmp_path)) for a in case.args]
    began = time.monotonic()
    code, out, err = cli(*args)
    assert time.monotonic() - began < SECONDS, case.id
    assert code == case.code != 3, err
    assert out == ""
    _assert_one_sentence(err, case.says)
    assert _files_under(home) == []  # no error log: these are the user's mistakes, not ours


NEVER_OPENED = [
    ("dev-zero", lambda tmp: "/dev/zero", "/dev/zero is not a regular file (a device, pipe or socket)"),
    ("fifo", lambda tmp: _fifo(tmp), "is not a regular file (a device, pipe or socket)"),
]


def _fifo(tmp: Path) -> str:
    path = tmp / "usage.csv"
    os.mkfifo(path)  # nothing ever writes to it: opening it for reading would wait forever
    return str(path)


@pytest.mark.skipif(sys.platform == "win32", reason="no /dev/zero or FIFOs")
@pytest.mark.parametrize(("make", "says"), [c[1:] for c in NEVER_OPENED], ids=[c[0] for c in NEVER_OPENED])
def test_devices_and_fifos_are_refused_without_opening(make, says, tmp_path: Path, home: Path) -> None:
    began = time.monotonic()
    proc = run_cli("plan", "simulate", "--usage", make(tmp_path), env={"HOME": str(home)}, timeout=20)
    assert time.monotonic() - began < 20
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    _assert_one_sentence(proc.stderr, says)


def test_the_edges_of_the_window_are_accepted(cli, tmp_path: Path) -> None:
    """The limits are inclusive: the first and last day, 0 and 1e12 credits, a 3,650-day span."""
    usage = tmp_path / "usage.csv"
    usage.write_bytes(CREDITS + b"2099-12-31,0\n2099-12-30,1e12\n")
    code, out, err = cli("plan", "simulate", "--usage", str(usage), "--days", "2", "--json")
    assert code == 0 and err == "", err
    usage.write_bytes(CREDITS + b"2000-01-01,100\n")
    code, out, err = cli("plan", "simulate", "--usage", str(usage), "--start", "2099-12-31", "--days", "2")
    assert code == 0, err
    code, out, err = cli(*UPGRADE, "--purchased", "2099-12-20", "--on", "2099-12-31")
    assert code == 0 and "2100-01-19" in out, err  # the period may end after the window; it starts inside


def test_a_3650_day_span_is_accepted(tmp_path: Path) -> None:
    from configurator.billing.catalog import load_catalog
    from configurator.billing.usage_csv import load_usage_csv

    usage = tmp_path / "usage.csv"
    usage.write_bytes(CREDITS + b"2026-01-01,5\n2035-12-29,5\n")
    loaded = load_usage_csv(usage, load_catalog())
    assert (loaded.last - loaded.first).days + 1 == 3650
