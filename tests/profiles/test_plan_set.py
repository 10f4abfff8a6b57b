"""`configurator plan set TIER|none [--since DATE] [--profile NAME]`: the plan is saved on a profile, shown by
`status`, kept when setup saves the profile again, and read by the status line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import KNOWN_KEY

PROFILES = ".config/agent-configurator/profiles.toml"


def _setup(cli, *extra: str) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli("setup", "--yes", "--api-key-stdin", "--tool", "claude-code", *extra, input=KNOWN_KEY + "\n")
    assert code == 0, err


def test_plan_set_saves_the_plan_on_the_active_profile(cli, home: Path) -> None:
    _setup(cli)
    code, out, err = cli("plan", "set", "starter", "--since", "2026-11-01")
    assert code == 0, err
    assert "Profile 'atlascloud' is on Starter since 2026-11-01" in out
    text = (home / PROFILES).read_text()
    assert 'plan = "starter"' in text and 'plan_since = "2026-11-01"' in text
    code, out, _ = cli("status", "--json")
    assert json.loads(out)["tools"][0]["plan"] == "starter since 2026-11-01"
    # setup saves the profile again: the plan stays (setup does not ask it)
    _setup(cli)
    assert 'plan = "starter"' in (home / PROFILES).read_text()


def test_plan_set_none_is_packs_only(cli, home: Path) -> None:
    _setup(cli)
    code, out, err = cli("plan", "set", "none")
    assert code == 0, err
    assert "packs only" in out
    code, out, _ = cli("status")
    assert "plan        packs only" in out


def test_the_status_line_uses_the_plan_set(cli, home: Path) -> None:
    import subprocess
    import sys

    _setup(cli)
    assert cli("plan", "set", "starter", "--since", "2026-11-01")[0] == 0
    proc = subprocess.run([sys.executable, "-m", "configurator", "statusline"], input='{"model": {"id": "x"}}',
                          capture_output=True, text=True, timeout=60, env={"HOME": str(home), "NO_COLOR": "1",
                                                                           "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0 and proc.stdout.startswith("Atlas Starter · "), proc.stdout + proc.stderr


@pytest.mark.parametrize(("args", "needle"), [
    (("plan", "set", "gold"), "'gold' is not a plan tier; use one of:"),
    (("plan", "set", "none", "--since", "2026-11-01"), "`plan set none` has none"),
    (("plan", "set", "starter", "--since", "2026-13-01"), "is not a date"),
    (("plan", "set", "starter", "--profile", "nope"), "No profile named 'nope'"),
])
def test_bad_plan_set_is_one_sentence(cli, home: Path, args: tuple[str, ...], needle: str) -> None:
    _setup(cli)
    before = (home / PROFILES).read_bytes()
    code, out, err = cli(*args)
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1, err
    assert (home / PROFILES).read_bytes() == before


def test_plan_set_without_a_profile_says_what_to_do(cli, home: Path) -> None:
    code, out, err = cli("plan", "set", "starter")
    assert code == 2 and "run `configurator setup` first" in err
