"""Every lint rule, one module per tool (plus ``common`` for every kind of file).

Importing this package registers the rules in :data:`configurator.lint.registry.RULES`, in the order
``--list-rules`` and SARIF show them. Rule modules import the registry, the context and the findings;
none of those imports a rule module.
"""

from __future__ import annotations

from configurator.lint.registry import RULES, Rule
from configurator.lint.rules import claude, codex, common, openclaw, opencode  # noqa: F401 - they register themselves

__all__ = ["load_rules"]


def load_rules() -> dict[str, Rule]:
    """Every rule by id (they are registered when this package is imported)."""
    return RULES
