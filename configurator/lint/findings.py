"""What a lint run produces: findings (with lazily computed positions), fixes, and the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("error", "warning", "info")
_RANK = {"info": 0, "warning": 1, "error": 2}

KeyPath = tuple[str | int, ...]


def severity_rank(severity: str) -> int:
    return _RANK[severity]


@dataclass
class Fix:
    """An autofix: what it does, in words, and the edit that does it.

    ``kind``: ``set`` (``keypath`` = ``value``), ``delete`` (``keypath``), ``move`` (``keypath`` to ``target``,
    value ``value``), ``chmod`` (file mode 600). ``safe`` fixes are applied by ``--fix``; unsafe ones are only
    described.
    """

    description: str
    kind: str
    keypath: KeyPath = ()
    value: Any = None
    target: KeyPath = ()
    safe: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"description": self.description, "safe": self.safe}


@dataclass
class Finding:
    rule: str
    severity: str
    file: str
    message: str
    keypath: KeyPath = ()
    fix: Fix | None = None
    #: positions are computed only for findings, and only when first asked for
    _locate: Callable[[], tuple[int, int]] | None = field(default=None, repr=False, compare=False)
    _pos: tuple[int, int] | None = field(default=None, repr=False, compare=False)

    @property
    def position(self) -> tuple[int, int]:
        if self._pos is None:
            self._pos = self._locate() if self._locate is not None else (1, 1)
            self._locate = None
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
    source: Any = field(default=None, repr=False)
    text: str | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "parsed": self.parsed, "findings": len(self.findings)}


@dataclass
class FixResult:
    path: str
    action: str  # updated | chmod | failed
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

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def worst(self) -> str | None:
        ranks = [severity_rank(f.severity) for f in self.findings]
        return SEVERITIES[::-1][max(ranks)] if ranks else None

    def fails(self, fail_on: str = "error") -> bool:
        limit = severity_rank(fail_on)
        return any(severity_rank(f.severity) >= limit for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "files": [fr.to_dict() for fr in self.files],
            "fixes": [fx.to_dict() for fx in self.fixes],
        }
