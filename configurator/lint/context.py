"""What a rule sees: :class:`LintContext` (one file) and :class:`RunState` (what the files of one run share)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from configurator.lint.findings import Finding, Fix, KeyPath, Pos, Severity
from configurator.lint.kinds import Kind
from configurator.lint.registry import RULES
from configurator.versions import Version, parse_version

if TYPE_CHECKING:  # pragma: no cover
    from configurator.store.locate import Positions


@dataclass
class RunState:
    """What every file of one run shares: the environment, the cwd, lazily found facts."""

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    cwd: Path = field(default_factory=Path.cwd)
    codex_version_arg: str | None = None
    _codex_version: tuple[Version | None] | None = None
    _git: dict[Path, bool] = field(default_factory=dict)
    _data: dict[Path, Any] = field(default_factory=dict)

    def file_data(self, path: Path, fmt: str) -> Any:
        """The data of another file a rule needs as context (read once per run); None when it is missing or
        does not parse (its own lint reports that)."""
        if path not in self._data:
            from configurator.errors import ConfiguratorError
            from configurator.store import read_document

            try:
                doc = read_document(path, fmt)
                self._data[path] = doc.data if doc.exists else None
            except ConfiguratorError:
                self._data[path] = None
        return self._data[path]

    def codex_version(self) -> Version | None:
        """``--codex-version`` when given, else the installed ``codex --version`` (asked once, only if needed)."""
        if self._codex_version is None:
            if self.codex_version_arg:
                self._codex_version = (parse_version(self.codex_version_arg),)
            else:
                from configurator.agents import codex
                from configurator.tools import installed

                self._codex_version = (parse_version(installed(codex.AGENT).version),)
        return self._codex_version[0]

    def git_tracked(self, path: Path) -> bool:
        """True when ``path`` is inside a git work tree and tracked there (``git ls-files --error-unmatch``)."""
        try:
            real = path.resolve()
        except OSError:
            return False
        if real in self._git:
            return self._git[real]
        tracked = False
        if any((parent / ".git").exists() for parent in real.parents):
            import subprocess  # only here: importing it costs more than a lint of three files

            try:
                proc = subprocess.run(
                    ["git", "ls-files", "--error-unmatch", "--", real.name],
                    cwd=real.parent, capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL,
                )
                tracked = proc.returncode == 0
            except (OSError, subprocess.SubprocessError):
                tracked = False
        self._git[real] = tracked
        return tracked


class LintContext:
    """One file being linted: its text, data, kind, and where rules report findings."""

    def __init__(self, state: RunState, path: Path, display: str, kind: Kind, text: str, data: Any,
                 selected: set[str], *, on_disk: bool) -> None:
        self.state = state
        self.path = path
        self.display = display
        self.kind = kind
        self.text = text
        self.data = data
        self.selected = selected
        self.on_disk = on_disk
        self.findings: list[Finding] = []
        self._positions: dict[tuple[KeyPath, bool], Pos] = {}
        self._index: Positions | None = None  # built on the first finding whose position is asked for
        self._secrets: list[tuple[KeyPath, str]] | None = None

    def secrets(self) -> list[tuple[KeyPath, str]]:
        """:func:`~configurator.lint.secrets_scan.iter_secrets` over the data, walked once for all the rules."""
        if self._secrets is None:
            from configurator.lint.secrets_scan import iter_secrets

            self._secrets = list(iter_secrets(self.data))
        return self._secrets

    @property
    def env(self) -> Mapping[str, str]:
        return self.state.env

    def position(self, keypath: KeyPath, *, value: bool = False) -> Pos:
        key = (tuple(keypath), value)
        if key not in self._positions:
            if self._index is None:
                from configurator.store.locate import Positions

                self._index = Positions(self.text or "", self.kind.fmt)
            self._positions[key] = self._index.locate(keypath, value=value)
        return self._positions[key]

    def report(self, rule_id: str, keypath: KeyPath, message: str, *, value: bool = False,
               fix: Fix | None = None, severity: Severity | None = None, at: Pos | None = None) -> None:
        """Record a finding of ``rule_id`` at ``keypath`` (its key, or its value with ``value=True``), or at
        the (line, column) ``at`` when the file has no key paths (a parse error)."""
        kp = tuple(keypath)

        def locate() -> Pos:
            return self.position(kp, value=value)

        sev = severity or RULES[rule_id].severity
        self.findings.append(Finding(rule_id, sev, self.display, message, kp, fix, at=at or locate))
