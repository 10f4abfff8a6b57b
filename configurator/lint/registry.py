"""The rule registry: every rule's id, default severity, the kinds it checks, its documentation and check.

Rule modules (:mod:`configurator.lint.rules`) register themselves here with :func:`rule`; this module
never imports them (``configurator.lint.rules.load_rules()`` does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from configurator.lint.findings import Severity

if TYPE_CHECKING:  # pragma: no cover
    from configurator.lint.context import LintContext

Check = Callable[["LintContext"], None]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity  # default severity; a check may report a lower one (e.g. codex-wire-api-chat on old Codex)
    kinds: tuple[str, ...]
    summary: str
    rationale: str
    example: str
    fix: str
    autofix: bool = False
    check: Check | None = field(default=None, compare=False, repr=False)
    #: semantic rules supersede schema findings at the same key path (one problem, one finding)
    semantic: bool = True

    def explain(self) -> str:
        kinds = ", ".join(self.kinds)
        lines = [
            f"{self.id} ({self.severity}; {kinds})",
            "",
            self.summary,
            "",
            "Why:",
            _indent(self.rationale),
            "",
            "Example:",
            _indent(self.example),
            "",
            "Fix:" + (" (applied by --fix)" if self.autofix else ""),
            _indent(self.fix),
        ]
        return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join(("  " + ln) if ln else "" for ln in text.strip("\n").splitlines())


RULES: dict[str, Rule] = {}


def rule(
    id: str,
    *,
    severity: Severity,
    kinds: Iterable[str],
    summary: str,
    rationale: str,
    example: str,
    fix: str,
    autofix: bool = False,
    semantic: bool = True,
) -> Callable[[Check], Check]:
    def deco(fn: Check) -> Check:
        if id in RULES:
            raise RuntimeError(f"rule {id} registered twice")
        RULES[id] = Rule(id, severity, tuple(kinds), summary, rationale, example, fix, autofix, fn, semantic)
        return fn

    return deco
