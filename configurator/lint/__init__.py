"""One linter for Claude Code, Codex and OpenClaw configs.

Core API (the CLI is a thin layer over it; setup calls :func:`lint_paths` on what it wrote)::

    lint_paths(paths, *, kinds=None, select=None, ignore=None, codex_version=None, env=None) -> LintReport
    lint_text(text, kind, path) -> list[Finding]

Nothing heavy is imported here: rules, schemas, jsonschema and json-five load when a lint runs.
"""

from __future__ import annotations

from configurator.lint.engine import lint_paths, lint_text
from configurator.lint.findings import Finding, Fix, LintReport
from configurator.lint.kinds import KINDS

__all__ = ["KINDS", "Finding", "Fix", "LintReport", "lint_paths", "lint_text"]
