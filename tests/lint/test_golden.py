"""The files `configurator setup` writes (its golden files) lint clean, found by path and with no PATH."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import KNOWN_KEY

from configurator.lint import lint_paths

GOLDEN = Path(__file__).resolve().parent.parent / "setup" / "golden"
PLACES = {"claude-settings.json": ".claude/settings.json", "codex-config.toml": ".codex/config.toml",
          "codex-auth.json": ".codex/auth.json", "openclaw.json": ".openclaw/openclaw.json",
          "opencode.json": ".config/opencode/opencode.json"}


def install(mode: str, home: Path) -> list[Path]:
    src = GOLDEN / mode
    if not src.is_dir():
        pytest.skip("setup's golden files are not in this checkout")
    out = []
    for f in sorted(src.iterdir()):
        target = home / PLACES[f.name]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f.read_text(encoding="utf-8").replace("@@API_KEY@@", KNOWN_KEY), encoding="utf-8")
        os.chmod(target, 0o600)
        out.append(target)
    return out


@pytest.mark.parametrize("mode", ["file", "env"])
def test_golden_files_are_clean(mode: str, home: Path) -> None:
    files = install(mode, home)
    env = {"HOME": str(home), "ATLAS_API_KEY": "sk-from-env-0123456789"}
    report = lint_paths(files, env=env, cwd=home)
    assert [f.to_dict() for f in report.findings] == []
    assert len(report.files) == len(files)


def test_no_path_lints_this_users_files(home: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    install("file", home)
    monkeypatch.chdir(home)
    code, out, err = cli("lint")
    assert code == 0, out + err
    assert "No problems found in 5 files." in out
    assert KNOWN_KEY not in out + err
