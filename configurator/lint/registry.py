"""The rule registry: every rule's id, default severity, the kinds it checks, its documentation and check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from configurator.errors import ConfiguratorError

if TYPE_CHECKING:  # pragma: no cover
    from configurator.lint.engine import LintContext

Check = Callable[["LintContext"], None]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # default severity; a check may report a lower one (e.g. codex-wire-api-chat on old Codex)
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
    severity: str,
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


def register(r: Rule) -> None:
    RULES[r.id] = r


def load_rules() -> dict[str, Rule]:
    """Import every rule module once (they register themselves) and return the registry."""
    from configurator.lint import rules_claude, rules_codex, rules_common, rules_openclaw  # noqa: F401

    return RULES


def get_rule(rule_id: str) -> Rule:
    rules = load_rules()
    if rule_id not in rules:
        raise ConfiguratorError(
            f"There is no lint rule {rule_id!r}; run `configurator lint --list-rules` to see them all."
        )
    return rules[rule_id]


def resolve_selection(select: Iterable[str] | None, ignore: Iterable[str] | None) -> set[str]:
    """The rule ids to run. Entries are rule ids or tool prefixes (``claude``, ``codex``, ``openclaw``)."""
    rules = load_rules()

    def expand(items: Iterable[str], flag: str) -> set[str]:
        out: set[str] = set()
        for raw in items:
            name = raw.strip()
            if not name:
                continue
            if name in rules:
                out.add(name)
                continue
            prefixed = {r for r in rules if r.startswith(name.rstrip("-") + "-")}
            if not prefixed:
                raise ConfiguratorError(
                    f"{flag} names an unknown rule {name!r}; run `configurator lint --list-rules` to see them all."
                )
            out |= prefixed
        return out

    chosen = expand(select, "--select") if select else set(rules)
    if ignore:
        chosen -= expand(ignore, "--ignore")
    return chosen
