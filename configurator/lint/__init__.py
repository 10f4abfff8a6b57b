"""One linter for Claude Code, Codex and OpenClaw configs.

Core API (the CLI is a thin layer over it; setup calls :func:`lint_paths` on what it wrote)::

    lint_paths(paths, *, kinds=None, select=None, ignore=None, codex_version=None, env=None) -> LintReport
    lint_text(text, kind, path) -> list[Finding]

Nothing is imported here until a name is used (``configurator.lint.reporters`` stays cheap for the CLI);
the rules load with the engine, jsonschema only when a schema check finds a problem.

Layout: ``findings`` (what a run produces), ``registry`` (the ``@rule`` decorator), ``context`` (what a
rule sees), ``rules/`` (the rules, one module per tool), ``selection`` (--select/--ignore), ``engine``
(running rules over files), ``targets`` (the files linted when no PATH is given), ``fixer`` (--fix),
``reporters`` (text, json, github, sarif), ``schema`` (JSON Schema checks), ``kinds`` (kinds of file).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from configurator.lint.engine import lint_paths, lint_text
    from configurator.lint.findings import Finding, Fix, LintReport
    from configurator.lint.kinds import KINDS

__all__ = ["KINDS", "Finding", "Fix", "LintReport", "lint_paths", "lint_text"]

_WHERE = {"lint_paths": "engine", "lint_text": "engine", "Finding": "findings", "Fix": "findings",
          "LintReport": "findings", "KINDS": "kinds"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"configurator.lint.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'configurator.lint' has no attribute {name!r}")
