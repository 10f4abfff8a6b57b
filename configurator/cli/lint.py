"""`configurator lint`: parse options, call configurator.commands.lint, render."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import click

from configurator.cli._common import json_option


class _RegistryChoice(click.Choice):
    """A click.Choice whose choices come from a registry, read when first needed (not at import time)."""

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        super().__init__([])
        self._load = load

    def __getattribute__(self, name: str) -> object:
        if name == "choices":
            return tuple(object.__getattribute__(self, "_load")())
        return object.__getattribute__(self, name)


def _formats() -> list[str]:
    from configurator.lint.reporters import REPORTERS

    return list(REPORTERS)


def _severities() -> list[str]:
    from configurator.lint.findings import SEVERITIES

    return list(SEVERITIES)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for v in values for part in v.split(",") if part.strip())


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=True, path_type=str))
@click.option("--format", "fmt", type=_RegistryChoice(_formats), default="text",
              show_default=True, help="Output format (github: workflow annotations; sarif: code scanning).")
@json_option
@click.option("--fix", is_flag=True, help="Apply the safe fixes (backup + atomic write) and report what changed.")
@click.option("--codex-version", metavar="X.Y.Z", help="Codex version to check against (default: installed codex).")
@click.option("--fail-on", type=_RegistryChoice(_severities), default="error", show_default=True,
              help="Exit 1 when a finding at or above this severity remains.")
@click.option("--select", multiple=True, metavar="RULE,...", help="Run only these rules (ids or tool prefixes).")
@click.option("--ignore", multiple=True, metavar="RULE,...", help="Skip these rules (ids or tool prefixes).")
@click.option("--kind", metavar="KIND", help="File kind for PATHs with unusual names: claude-settings, "
              "claude-state, codex-config, codex-auth, openclaw.")
@click.option("--explain", metavar="RULE", help="Print a rule's rationale, an example and the fix, then exit.")
@click.option("--list-rules", is_flag=True, help="List every rule with its severity and summary, then exit.")
def lint(paths: tuple[str, ...], fmt: str, as_json: bool, fix: bool, codex_version: str | None, fail_on: str,
         select: tuple[str, ...], ignore: tuple[str, ...], kind: str | None, explain: str | None,
         list_rules: bool) -> int:
    """Check Claude Code, Codex and OpenClaw configs.

    With no PATH: every config of the three tools that exists for this user, plus the project files under
    the current folder (.claude/settings.json, .claude/settings.local.json, .codex/config.toml).

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage error.
    """
    from configurator.commands.lint import LintOptions, run
    from configurator.lint.findings import as_severity
    from configurator.lint.reporters import REPORTERS, reporter_name
    from configurator.render import emit

    options = LintOptions(paths=paths, format=reporter_name("json" if as_json else fmt), fix=fix,
                          codex_version=codex_version, fail_on=as_severity(fail_on), select=_split(select),
                          ignore=_split(ignore), kind=kind, explain=explain, list_rules=list_rules)
    return emit(run(options), as_json=REPORTERS[options.format].envelope)
