"""What a lint run produces: findings (with lazily computed positions), fixes, and the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}

#: what a fix does: ``set`` a key, ``delete`` it, ``move`` it elsewhere, ``chmod`` the file to 600, ``extract`` a
#: TOML table into a new file of its own
FixKind = Literal["set", "delete", "move", "chmod", "extract"]
FixAction = Literal["updated", "chmod", "failed", "unchanged", "created", "deleted"]

KeyPath = tuple[str | int, ...]
Pos = tuple[int, int]
#: where a finding points: a 1-based (line, column), or a function that computes it when first asked
Locator = Pos | Callable[[], Pos]


def severity_rank(severity: str) -> int:
    return _RANK[severity]


def as_severity(value: str) -> Severity:
    """``value`` as a :data:`Severity` (ValueError when it is not one)."""
    for s in SEVERITIES:
        if s == value:
            return s
    raise ValueError(f"not a severity: {value!r}")


@dataclass
class Fix:
    """An autofix: what it does, in words, and the edit that does it.

    ``kind``: ``set`` (``keypath`` = ``value``), ``delete`` (``keypath``), ``move`` (``keypath`` to ``target``,
    value ``value``), ``chmod`` (file mode 600), ``extract`` (the ``[keypath]`` table of a TOML file, cut out of
    it and written as the new file ``value``, a path, whose top level is that table's keys). ``safe`` fixes are
    applied by ``--fix``; unsafe ones are only described.
    """

    description: str
    kind: FixKind
    keypath: KeyPath = ()
    value: Any = None
    target: KeyPath = ()
    safe: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"description": self.description, "safe": self.safe}


@dataclass
class Finding:
    """One problem. ``at`` says where it is: a (line, column), or a locator called the first time the
    position is asked for (positions cost a scan of the file, so findings nobody prints never pay it)."""

    rule: str
    severity: Severity
    file: str
    message: str
    keypath: KeyPath = ()
    fix: Fix | None = None
    at: Locator | None = field(default=None, repr=False, compare=False)
    _pos: Pos | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def position(self) -> Pos:
        if self._pos is None:
            at = self.at
            line, col = (at() if callable(at) else at) if at is not None else (1, 1)
            self._pos = (max(1, line), max(1, col))
            self.at = None
        return self._pos

    @property
    def line(self) -> int:
        return self.position[0]

    @property
    def column(self) -> int:
        return self.position[1]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }
        if self.fix is not None:
            out["fix"] = self.fix.to_dict()
        return out

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.rule)


@dataclass
class FileResult:
    path: str
    kind: str
    parsed: bool = True
    findings: list[Finding] = field(default_factory=list)
    #: the file on disk and the exact text that was linted (used by --fix; not part of the output)
    source: Path | None = field(default=None, repr=False)
    text: str | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "parsed": self.parsed, "findings": len(self.findings)}


@dataclass
class FixResult:
    path: str
    action: FixAction
    backup: str | None
    changes: list[str]
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "action": self.action, "backup": self.backup, "changes": self.changes}
        if self.error:
            out["error"] = self.error
        return out


@dataclass
class LintReport:
    files: list[FileResult] = field(default_factory=list)
    fixes: list[FixResult] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        out = [f for fr in self.files for f in fr.findings]
        out.sort(key=Finding.sort_key)
        return out

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def worst(self) -> Severity | None:
        ranks = [severity_rank(f.severity) for f in self.findings]
        return SEVERITIES[::-1][max(ranks)] if ranks else None

    def fails(self, fail_on: Severity = "error") -> bool:
        limit = severity_rank(fail_on)
        return any(severity_rank(f.severity) >= limit for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "files": [fr.to_dict() for fr in self.files],
            "fixes": [fx.to_dict() for fx in self.fixes],
        }
