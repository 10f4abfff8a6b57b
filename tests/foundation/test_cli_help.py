"""`configurator --help` is instant: it imports none of the heavy modules."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import run_cli

HEAVY = {"questionary", "jsonschema", "tomlkit", "json5", "plotext", "msgspec", "orjson", "zstandard",
         "prompt_toolkit"}

PROBE = """
import sys
from configurator.cli import main
try:
    main({args!r})
except SystemExit:
    pass
print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r}))
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["restore", "--help"], ["doctor", "--help"]])
def test_help_imports_no_heavy_module(args: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_help_lists_every_command_group() -> None:
    proc = run_cli("--help")
    assert proc.returncode == 0
    for name in ("setup", "use", "status", "profile", "key", "lint", "plan", "usage", "statusline", "verify", "restore", "doctor"):
        assert f"\n  {name} " in proc.stdout
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("configurator, version ")


def test_unknown_command_is_a_usage_error() -> None:
    proc = run_cli("frobnicate")
    assert proc.returncode == 2 and "No such command" in proc.stderr and "Traceback" not in proc.stderr
