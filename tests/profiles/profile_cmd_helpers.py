"""Helpers for the `configurator profile` tests (imported as ``profile_cmd_helpers``; the test module puts this
folder on sys.path). The setup tests' fixtures and checks are reused from ``tests/setup/setup_helpers.py``."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path

import tomlkit
from conftest import KNOWN_KEY

sys.path.append(str(Path(__file__).resolve().parent.parent / "setup"))

from setup_helpers import (  # noqa: E402
    CODEX_CONFIG,
    OPENCLAW,
    OPENCODE,
    SETTINGS,
    assert_clean,
    seed,
)

__all__ = ["CODEX_CONFIG", "KNOWN_KEY", "MASKED", "OPENCLAW", "OPENCODE", "OTHER_KEY", "SETTINGS", "agent_bytes",
           "assert_clean", "config_dir", "load_toml", "mode_of", "profiles_data", "seed", "tree"]

#: what KNOWN_KEY looks like masked
MASKED = f"{KNOWN_KEY[:3]}…{KNOWN_KEY[-4:]}"
#: a second realistic key (another provider's)
OTHER_KEY = "sk-work-OTHERKEY-0987654321zyxwvuQRST"
#: the agents' own files, home-relative
AGENT_FILES = (SETTINGS, ".claude.json", CODEX_CONFIG, ".codex/auth.json", OPENCLAW, OPENCODE)


def config_dir(home: Path) -> Path:
    return home / ".config" / "agent-configurator"


def load_toml(path: Path) -> dict:
    """A TOML file's data, as a tool that reads it would see it."""
    return tomlkit.parse(path.read_text(encoding="utf-8")).unwrap()


def profiles_data(home: Path) -> dict:
    return load_toml(config_dir(home) / "profiles.toml")


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def agent_bytes(home: Path) -> dict[str, bytes | None]:
    """The agents' own files, byte for byte (None: absent)."""
    return {p: (home / p).read_bytes() if (home / p).exists() else None for p in AGENT_FILES}


def tree(home: Path) -> dict[str, str]:
    """home-relative path -> sha256 of every file except the store's lock files."""
    out = {}
    for root, _dirs, files in os.walk(home):
        for name in files:
            p = Path(root) / name
            rel = str(p.relative_to(home))
            if "/locks/" not in rel:
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out
