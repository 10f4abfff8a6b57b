"""Which rules a run uses: ``--select`` / ``--ignore`` (rule ids or tool prefixes), and ``--explain``'s lookup."""

from __future__ import annotations

from collections.abc import Iterable

from configurator.errors import ConfiguratorError
from configurator.lint.registry import Rule
from configurator.lint.rules import load_rules


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
