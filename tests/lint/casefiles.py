"""Black-style data-driven lint cases.

``cases/<rule>/<name>.<ext>`` is a config file; ``cases/<rule>/<name>.expected`` lists the findings it
must produce, one per line: ``LINE:COL SEVERITY RULE`` (optionally ``| text the message contains``).
Header lines (``# key: value``) set up the run:

* ``kind``: the file kind (default from the extension: .json claude-settings, .toml codex-config,
  .json5 openclaw, .jsonc opencode);
* ``place``: where the file is put under a fresh project folder, which is also the cwd (default: the
  kind's usual file name);
* ``select``: rules to run (default: the folder's rule; every rule for ``good/``);
* ``codex-version``, ``env`` (``NAME=value``, repeatable), ``mode`` (octal, default 600),
  ``git`` (``init``: the folder is a git work tree; ``tracked``: and the file is tracked);
* ``sibling``: ``NAME=TEXT``, a file written next to the case file (repeatable).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

CASES = Path(__file__).resolve().parent / "cases"
DEFAULT_KIND = {".json": "claude-settings", ".toml": "codex-config", ".json5": "openclaw", ".jsonc": "opencode"}
DEFAULT_PLACE = {"claude-settings": "settings.json", "claude-state": ".claude.json", "codex-config": "config.toml",
                 "codex-auth": "auth.json", "openclaw": "openclaw.json", "opencode": "opencode.json"}


@dataclass
class Case:
    rule: str
    source: Path
    kind: str
    place: str
    select: list[str] | None
    codex_version: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    mode: int = 0o600
    git: str | None = None
    siblings: dict[str, str] = field(default_factory=dict)
    expected: list[tuple[int, int, str, str, str | None]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.rule}/{self.source.name}"


def load_cases() -> list[Case]:
    out = []
    for source in sorted(CASES.glob("*/*")):
        if source.suffix == ".expected" or not source.is_file():
            continue
        out.append(load_case(source))
    return out


def load_case(source: Path) -> Case:
    rule = source.parent.name
    expected_file = source.with_suffix(".expected")
    headers: dict[str, list[str]] = {}
    expected = []
    if expected_file.exists():
        for raw in expected_file.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line:
                continue
            if line.startswith("#"):
                key, _, value = line[1:].partition(":")
                headers.setdefault(key.strip(), []).append(value.strip())
                continue
            head, _, text = line.partition("|")
            pos, severity, rule_id = head.split()
            ln, col = pos.split(":")
            expected.append((int(ln), int(col), severity, rule_id, text.strip() or None))
    kind = headers.get("kind", [DEFAULT_KIND[source.suffix]])[0]
    select = headers["select"][0].split(",") if "select" in headers else (None if rule == "good" else [rule])
    env = dict(v.split("=", 1) for v in headers.get("env", []))
    siblings = dict(v.split("=", 1) for v in headers.get("sibling", []))
    return Case(rule, source, kind, headers.get("place", [DEFAULT_PLACE[kind]])[0], select,
                headers.get("codex-version", [None])[0], env, int(headers.get("mode", ["600"])[0], 8),
                headers.get("git", [None])[0], siblings, expected)


def materialize(case: Case, root: Path) -> Path:
    """Put the case file where it belongs under ``root`` (the project folder and cwd); return its path."""
    target = root / case.place
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(case.source, target)
    os.chmod(target, case.mode)
    for name, text in case.siblings.items():
        (target.parent / name).write_text(text.replace("\\n", "\n"), encoding="utf-8")
    if case.git:
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        if case.git == "tracked":
            subprocess.run(["git", "-C", str(root), "add", case.place], check=True)
    return target


def run_case(case: Case, root: Path) -> list[tuple[int, int, str, str, str]]:
    from configurator.lint import lint_paths

    target = materialize(case, root)
    report = lint_paths([target], kinds=case.kind, select=case.select, codex_version=case.codex_version,
                        env=case.env, cwd=root, display=[case.place])
    return [(f.line, f.column, f.severity, f.rule, f.message) for f in report.findings]
