"""`configurator usage`: daily token usage per agent and model, read from local agent logs."""

from __future__ import annotations

from dataclasses import dataclass

from configurator.render import Result


@dataclass(frozen=True)
class UsageOptions:
    since: str | None = None
    until: str | None = None
    timezone: str | None = None
    #: agent ids or their aliases (comma-separated entries allowed); empty: every agent
    tools: tuple[str, ...] = ()
    catalog: str | None = None
    use_cache: bool = True


def run(opts: UsageOptions) -> Result:
    from configurator.usage.dates import parse_day
    from configurator.usage.report import build, render_text

    report = build(
        since=parse_day(opts.since, "--since") if opts.since else None,
        until=parse_day(opts.until, "--until") if opts.until else None,
        tz=opts.timezone, tools=opts.tools or None, catalog=opts.catalog, use_cache=opts.use_cache,
    )
    notes = list(report.notes)
    data = report.to_data()
    data["notes"] = notes
    return Result("usage", data, text=lambda: render_text(report), notes=notes)
