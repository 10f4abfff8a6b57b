"""`configurator lint`: parse options, call configurator.commands.lint, render."""

from __future__ import annotations

import click

from configurator.cli._common import json_option
from configurator.lint.findings import SEVERITIES, as_severity
from configurator.lint.kinds import KINDS
from configurator.lint.reporters import REPORTERS, reporter_name


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for v in values for part in v.split(",") if part.strip())


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=True, path_type=str))
@click.option("--format", "fmt", type=click.Choice(list(REPORTERS)), default="text",
              show_default=True, help="Output format (github: workflow annotations; sarif: code scanning).")
@json_option
@click.option("--fix", is_flag=True, help="Apply the safe fixes (backup + atomic write) and report what changed.")
@click.option("--force", is_flag=True, help="With --fix: also change read-only files (they stay read-only).")
@click.option("--codex-version", metavar="X.Y.Z", help="Codex version to check against (default: installed codex).")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="error", show_default=True,
              help="Exit 1 when a finding at or above this severity remains.")
@click.option("--select", multiple=True, metavar="RULE,...", help="Run only these rules (ids or tool prefixes).")
@click.option("--ignore", multiple=True, metavar="RULE,...", help="Skip these rules (ids or tool prefixes).")
@click.option("--kind", metavar="KIND", help=f"File kind for PATHs with unusual names: {', '.join(KINDS)}.")
@click.option("--explain", metavar="RULE", help="Print a rule's rationale, an example and the fix, then exit.")
@click.option("--list-rules", is_flag=True, help="List every rule with its severity and summary, then exit.")
def lint(paths: tuple[str, ...], fmt: str, as_json: bool, fix: bool, force: bool, codex_version: str | None,
         fail_on: str,
         select: tuple[str, ...], ignore: tuple[str, ...], kind: str | None, explain: str | None,
         list_rules: bool) -> int:
    """Check the agents' configs (Claude Code, Codex, OpenClaw, opencode).

    With no PATH: every agent config that exists for this user, plus the project files under the current
    folder (.claude/settings.json, .claude/settings.local.json, .codex/config.toml, opencode.json).

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage error.
    """
    from configurator.commands.lint import LintOptions, run
    from configurator.render import emit

    options = LintOptions(paths=paths, format=reporter_name("json" if as_json else fmt), fix=fix, force=force,
                          codex_version=codex_version, fail_on=as_severity(fail_on), select=_split(select),
                          ignore=_split(ignore), kind=kind, explain=explain, list_rules=list_rules)
    return emit(run(options), as_json=REPORTERS[options.format].envelope)
