"""`configurator use NAME|official`: make a saved profile the active provider of each agent, or take each agent
back to its own login, editing only the keys configurator owns (:mod:`configurator.switching`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from configurator import agents, exitcodes, ownership, paths
from configurator.errors import Aborted, ConfiguratorError
from configurator.profiles import OFFICIAL
from configurator.render import Result

if TYPE_CHECKING:  # pragma: no cover
    from configurator.prompts import Prompter
    from configurator.switching import HandEdit, Written


@dataclass(frozen=True)
class UseOptions:
    name: str
    tools: tuple[str, ...] = ()
    yes: bool = False
    dry_run: bool = False
    #: overwrite owned keys edited by hand, and change read-only files (they stay read-only)
    force: bool = False
    #: show the whole diff before asking, not only the per-file summary
    diff: bool = False
    interactive: bool = False


def _targets(opts: UseOptions) -> tuple[tuple[str, ...], object]:
    """(agent ids, profile or None for official)."""
    from configurator import profiles
    from configurator.store import read_document

    if opts.name == OFFICIAL:
        state = ownership.from_data(read_document(paths.owned_file(), "json").data, str(paths.owned_file()))
        ids = tuple(a for a in agents.IDS if a in state.agents and (not opts.tools or a in opts.tools))
        return ids, None
    saved = profiles.get(opts.name)
    ids = tuple(t for t in saved.tools if not opts.tools or t in opts.tools)
    left_out = [t for t in opts.tools if t not in saved.tools]
    if left_out:
        raise ConfiguratorError(
            f"Profile {opts.name!r} is not for {agents.names(left_out)} (it covers {agents.names(saved.tools)}); "
            f"add it with `configurator profile edit {opts.name} --tool ...` or leave that --tool out.")
    return ids, saved


def _describe_edits(edits: list[HandEdit]) -> str:
    return "; ".join(str(e) for e in edits)


def run(opts: UseOptions, *, prompter: Prompter | None = None) -> Result:
    from configurator import switching

    tools, saved = _targets(opts)
    profile = saved.to_profile() if saved is not None else None  # type: ignore[attr-defined]
    if not tools:
        return Result(
            "use", {"profile": None, "official": True, "dry_run": opts.dry_run, "files": [], "changed": False,
                    "backup": None, "hand_edits": []},
            "configurator has no record of changing any tool's files (nothing set up since profiles came in), so "
            "there is nothing to put back (unchanged). If an older configurator set them up, `configurator restore "
            "--list` has the backups from before.")
    preview = switching.execute(profile, tools, dry_run=True, force=opts.force)
    ask: Callable[[str, bool], bool] | None = None
    p = None
    if opts.interactive:
        from configurator.prompts import Prompter

        p = prompter or Prompter()
        ask = p.confirm
    if preview.hand_edits and not opts.force and not opts.dry_run:
        if ask is None:
            raise switching.HandEdited(preview.hand_edits)
        assert p is not None
        p.say("These keys were changed by hand since configurator set them: " + _describe_edits(preview.hand_edits))
        if not ask("Overwrite them?", False):
            raise Aborted()
    changed = preview.changed
    if opts.dry_run or not changed:
        return _result(opts, preview, tools, dry_run=True if changed else opts.dry_run)
    if not opts.yes:
        if ask is None or p is None:
            raise ConfiguratorError(
                "use asks before writing only on a terminal: pass --yes to switch (or --dry-run to preview).")
        from configurator import wizard

        # the same preview as setup: a block per file with the keys added/changed/removed, the diff on request
        if not wizard.confirm([(t, r) for t, r in preview.results if r.action != "unchanged"], p, diff=opts.diff):
            raise Aborted()
    written = switching.execute(profile, tools, dry_run=False, force=opts.force)
    return _result(opts, written, tools, dry_run=False)


def _result(opts: UseOptions, written: Written, tools: tuple[str, ...], *, dry_run: bool) -> Result:
    changed = bool(written.changed)
    target = "each tool's own login" if opts.name == OFFICIAL else f"profile {opts.name!r}"
    files = [{**r.to_dict(), "tool": tool} for tool, r in written.results]

    def text() -> str:
        if not changed:
            return f"{agents.names(tools)} already use {target}; nothing to change (unchanged)."
        lines = written.lines(dry_run=dry_run)
        if not dry_run:
            lines.append(f"{agents.names(tools)} now use {target}. `configurator status` shows what each tool uses.")
        return "\n".join(lines)

    return Result("use", {"profile": None if opts.name == OFFICIAL else opts.name, "official": opts.name == OFFICIAL,
                          "dry_run": dry_run, "changed": changed, "files": files, "backup": written.backup,
                          "hand_edits": [{"tool": e.agent, "file": str(e.path), "key": list(e.key)}
                                         for e in written.hand_edits]},
                  text, list(written.notes), exitcodes.OK)
