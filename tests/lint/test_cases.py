"""Every rule: bad files -> exactly the expected findings (line, column, severity); good files -> none."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from configurator.lint.rules import load_rules

sys.path.insert(0, str(Path(__file__).resolve().parent))
from casefiles import load_cases, run_case  # noqa: E402

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case, tmp_path: Path) -> None:
    got = run_case(case, tmp_path)
    assert [(ln, col, sev, rule) for ln, col, sev, rule, _ in got] == [e[:4] for e in case.expected]
    for (*_, message), expected in zip(got, case.expected, strict=True):
        assert "Fix" in message, message  # every message names the fix
        if expected[4]:
            assert expected[4] in message


def test_every_rule_has_a_failing_case() -> None:
    covered = {rule for c in CASES for *_, rule, _ in c.expected}
    assert set(load_rules()) <= covered, set(load_rules()) - covered


def test_every_rule_has_a_case_folder() -> None:
    assert set(load_rules()) <= {c.rule for c in CASES}
