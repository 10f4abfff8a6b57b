"""Fixtures for the usage tests: a HOME holding the transcripts in ``tests/usage/fixtures``.

The fixture files are real line shapes of each tool (see the docstrings of
``configurator/usage/{claude,codex,openclaw}.py`` for where each field comes from). What they hold,
so that every expected total in the tests can be checked by hand:

Claude Code (``fixtures/claude``; times UTC):
  session 1111…: msg_01AAA/req_011CAAA written twice (thinking block: in 3, cache write 1000 [5m bucket],
    cache read 2000, out 10 at 2026-10-01T06:59:59.500Z; tool_use block: same but out 50 at 07:00:01Z) —
    the larger copy wins, with its time; a Task tool result whose ``toolUseResult.usage`` is no
    request; msg_01BBB/req_011CBBB twice, identical (in 5, cache read 3000, out 20 at 15:30:00Z);
    an ``isApiErrorMessage`` line; msg_01CCC with no requestId twice (in 7, out 70 at
    2026-10-02T06:59:00Z and 06:59:30Z); a truncated line; msg_01DDD (in 1, out 2, cache write 300 from
    the 100 + 200 buckets, not the flat 999, at 2026-10-02T12:00Z); a line with ``"requestId":null``
    (in 100000: skipped, as ccusage does); a summary.
  its subagent file: msg_01EEE (sidechain, haiku: in 11, out 22, cache read 33, cache write 44 at
    2026-10-01T20:00Z) and a /btw replay of msg_01BBB under a new request id (in 500): not counted.
  session 2222… (resumed): copies of msg_01AAA and msg_01BBB, then msg_01FFF (deepseek-v4-pro: in 2,
    out 4, cache read 10 at 2026-10-03T03:00Z).
Codex (``fixtures/codex``): session aaaa… (gpt-5-codex, then gpt-5.1-codex) with totals
  (in, cached, out, reasoning) (1000,200,100,40) at 2026-10-01T10:00:05Z, the same re-emitted,
  a rate-limit-only event, (1500,700,130,50) at 10:01Z, a truncated line, (2600,700,330,50) at
  2026-10-02T06:59:59Z; an archived shorter copy of it; a fork bbbb… that copies the first two
  totals (re-stamped to 2026-10-02T09:00:00.100Z) then reaches (3000,1500,200,60) at 09:01Z.
OpenClaw (``fixtures/openclaw``): state dir session cccc… (model_change to deepseek-v4-pro): in 100,
  out 20, cache read 1000 at 2026-10-01T12:00:10Z; deepseek-v4-flash in 10, out 5, cache write 50 at
  2026-10-02T07:30Z (the line twice); total-only 40 at 2026-10-01T13:00Z; a truncated line. A reset
  archive dddd… (flash, in 1, out 1 at 2026-09-30T20:00Z). Legacy ``~/.clawdbot`` session eeee…
  (pro, in 3, out 3 at 2026-10-01T18:00Z).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
CATALOG = FIXTURES / "catalog.toml"


def _install(home: Path, *, claude: bool = True, codex: bool = True, openclaw: bool = True) -> Path:
    """Copy the fixture transcripts where the tools keep them under ``home``."""
    if claude:
        shutil.copytree(FIXTURES / "claude", home / ".claude", dirs_exist_ok=True)
    if codex:
        shutil.copytree(FIXTURES / "codex", home / ".codex", dirs_exist_ok=True)
    if openclaw:
        shutil.copytree(FIXTURES / "openclaw" / "state", home / ".openclaw", dirs_exist_ok=True)
        shutil.copytree(FIXTURES / "openclaw" / "legacy", home / ".clawdbot", dirs_exist_ok=True)
    return home


@pytest.fixture
def install():
    """``install(home, claude=True, codex=True, openclaw=True)``: copy fixture transcripts into ``home``."""
    return _install


@pytest.fixture
def logs(home: Path) -> Path:
    """HOME with every fixture transcript installed."""
    return _install(home)


@pytest.fixture
def rows_by_key():
    """``rows_by_key(report.rows)`` -> {(date, tool, model): (input, cache read, cache write, output, requests)}"""
    return _by_key


def _by_key(rows: list[dict], *fields: str) -> dict[tuple, tuple]:
    """{(date, tool, model): (input, cache read, cache write, output, requests)}"""
    out = {}
    for r in rows:
        key = (r["date"], r["tool"], r["model"])
        out[key] = tuple(r[f] for f in fields) if fields else (
            r["input_tokens"], r["cache_read_tokens"], r["cache_write_tokens"], r["output_tokens"], r["requests"])
    return out
