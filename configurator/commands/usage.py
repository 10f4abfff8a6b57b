"""`configurator usage`: token usage per day (or per project) with credits and costs, read from local agent logs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from configurator.render import Result

if TYPE_CHECKING:
    from configurator.usage.costs import PlanChoice


@dataclass(frozen=True)
class UsageOptions:
    since: str | None = None
    until: str | None = None
    timezone: str | None = None
    #: agent ids or their aliases (comma-separated entries allowed); empty: every agent
    tools: tuple[str, ...] = ()
    catalog: str | None = None
    use_cache: bool = True
    #: "day" or "project"
    by: str = "day"
    #: a tier id of the catalog, or "none" (packs only); None: the plan saved on the active profile
    plan: str | None = None


def plan_choice(plan: str | None, env: Mapping[str, str] | None = None) -> PlanChoice | None:
    """``--plan`` when given, else the plan saved on the active Claude Code profile, else None."""
    from configurator.usage.costs import PlanChoice

    if plan is not None:
        return PlanChoice(plan.strip(), "--plan")
    from configurator import paths

    path = paths.owned_file(env)
    if not path.is_file():  # nothing set up with configurator: no profile, no plan
        return None
    from configurator import ownership, profiles
    from configurator.agents import claude_code
    from configurator.store import read_document

    try:
        owned = ownership.from_data(read_document(path, "json").data, str(path))
        state = owned.agents.get(claude_code.ID)
        name = state.profile if state is not None else None
        saved = profiles.load(env).get(name) if name else None
    except Exception:  # noqa: BLE001 - a damaged owned.json or profiles.toml: no plan known (status says why)
        return None
    if saved is None or saved.plan is None:
        return None
    return PlanChoice(saved.plan, f"profile {saved.name!r}")


def run(opts: UsageOptions) -> Result:
    from configurator.errors import ConfiguratorError
    from configurator.usage.dates import parse_day
    from configurator.usage.report import GROUPINGS, build, render_text

    by = opts.by.strip().lower()
    if by not in GROUPINGS:
        raise ConfiguratorError(f"--by {opts.by[:40]!r} is not a grouping: use day or project.")
    if opts.plan is not None and not opts.plan.strip():
        raise ConfiguratorError("--plan is empty: give a tier of the catalog (e.g. starter), or none for packs only.")
    report = build(
        since=parse_day(opts.since, "--since") if opts.since else None,
        until=parse_day(opts.until, "--until") if opts.until else None,
        tz=opts.timezone, tools=opts.tools or None, catalog=opts.catalog, use_cache=opts.use_cache,
        by=by, plan=plan_choice(opts.plan),
    )
    notes = list(report.notes)
    data = report.to_data()
    data["notes"] = notes
    return Result("usage", data, text=lambda: render_text(report), notes=notes)
