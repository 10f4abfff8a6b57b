"""`configurator profile list|show|add|edit|remove|rename`: the saved provider profiles (:mod:`configurator.profiles`).

Every change is one :func:`configurator.switching.execute` call, so one transaction: the profiles file, the
per-session files and, when the profile is in use, the tools' files and ``owned.json`` are written together or
not at all. ``add`` saves without applying; ``edit`` and ``rename`` apply the profile again to the tools that use
it now (only those); ``remove`` refuses a profile in use unless told to take those tools back to their own login.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from configurator import agents, exitcodes, paths
from configurator.errors import Aborted, ConfiguratorError
from configurator.render import Result, shown_input

if TYPE_CHECKING:  # pragma: no cover
    from configurator.agents.base import Profile
    from configurator.commands.setup import SetupOptions
    from configurator.ownership import Owned
    from configurator.profiles import SavedProfile
    from configurator.prompts import Prompter
    from configurator.switching import Written


@dataclass(frozen=True)
class WriteFlags:
    """How a command that may change the tools' files asks and writes (as ``configurator use``)."""

    yes: bool = False
    dry_run: bool = False
    #: overwrite keys edited by hand since configurator set them, and change read-only files
    force: bool = False
    #: show the whole diff before asking, not only the per-file summary
    diff: bool = False
    #: a person is there to answer (a terminal, no --yes/--json)
    interactive: bool = False


@dataclass(frozen=True)
class ListOptions:
    pass


@dataclass(frozen=True)
class ShowOptions:
    name: str


@dataclass(frozen=True)
class AddOptions:
    name: str
    #: the provider, key and model flags, exactly as ``setup`` takes them (``interactive``: run setup's wizard)
    setup: SetupOptions
    #: ``TIER=MODEL`` (TIER in profiles.TIER_KEYS)
    claude_tiers: tuple[str, ...] = ()
    dry_run: bool = False


@dataclass(frozen=True)
class EditOptions:
    name: str
    #: the flags; only those named in ``setup.given`` change the profile
    setup: SetupOptions
    #: ``TIER=MODEL`` sets a tier's model, ``TIER=`` clears it
    claude_tiers: tuple[str, ...] = ()
    flags: WriteFlags = field(default_factory=WriteFlags)


@dataclass(frozen=True)
class RemoveOptions:
    name: str
    #: ``--force``: first take the tools that use the profile back to their own login
    flags: WriteFlags = field(default_factory=WriteFlags)


@dataclass(frozen=True)
class RenameOptions:
    old: str
    new: str
    flags: WriteFlags = field(default_factory=WriteFlags)


def setup_options(given: frozenset[str], interactive: bool, **values: Any) -> SetupOptions:
    """setup's options from the flags ``add`` and ``edit`` share with it (``given``: the ones on the command line)."""
    from configurator.commands.setup import SetupOptions

    return SetupOptions(given=given, interactive=interactive, **values)


# --- reading ------------------------------------------------------------------------------------------------


def _owned() -> tuple[Owned | None, str | None]:
    """(what owned.json says, or None with the reason when it cannot be read)."""
    from configurator import ownership
    from configurator.store import read_document

    path = paths.owned_file()
    try:
        return ownership.from_data(read_document(path, "json").data, str(path)), None
    except ConfiguratorError as e:
        return None, str(e)


def _users(name: str) -> list[str]:
    """The tools whose active profile is ``name`` now (an unreadable owned.json is an error: we are about to
    write it)."""
    from configurator import ownership
    from configurator.store import read_document

    path = paths.owned_file()
    state = ownership.from_data(read_document(path, "json").data, str(path))
    return [a for a in agents.IDS if a in state.profile_users(name)]


def _key_text(saved: SavedProfile) -> str:
    from configurator.secrets import mask

    if saved.key_storage == "env":
        state = "set" if os.environ.get(saved.key_env or "") else "not set"
        return f"from ${saved.key_env} ({state} in this shell)"
    if saved.key_storage != "file":
        return f"in the OS {saved.key_storage}"
    return f"stored in the profiles file: {mask(saved.key)}"


def _key_data(saved: SavedProfile) -> dict[str, Any]:
    from configurator.secrets import mask

    if saved.key_storage == "env":
        return {"storage": "env", "env": saved.key_env, "env_set": bool(os.environ.get(saved.key_env or ""))}
    if saved.key_storage != "file":
        return {"storage": saved.key_storage}
    return {"storage": "file", "masked": mask(saved.key)}


def _profile_data(saved: SavedProfile) -> dict[str, Any]:
    """Every field, the key masked (never the key itself)."""
    return {
        "name": saved.name, "provider": saved.provider, "provider_name": saved.provider_name,
        "anthropic_base_url": saved.anthropic_base_url, "openai_base_url": saved.openai_base_url,
        "model": saved.model, "fast_model": saved.fast_model, "claude_tiers": dict(saved.claude_tiers),
        "key": _key_data(saved), "tools": list(saved.tools), "codex_wire_api": saved.codex_wire_api,
    }


def _tool_names(ids: Iterable[str]) -> str:
    ids = list(ids)
    return agents.names(ids) if ids else "none"


def run_list(opts: ListOptions) -> Result:
    from configurator import profiles

    found = profiles.load()
    state, why = _owned()
    users = {name: [a for a in agents.IDS if state is not None and a in state.profile_users(name)]
             for name in found}
    rows = [{**_profile_data(saved), "in_use_by": users[name], "active": bool(users[name])}
            for name, saved in sorted(found.items())]
    notes = [f"Which tools use which profile is unknown: {why}"] if why else []

    def text() -> str:
        if not rows:
            return ("No saved profiles yet. `configurator setup` configures the tools and saves one; "
                    "`configurator profile add NAME` saves one without changing the tools.")
        lines: list[str] = []
        for saved in (found[str(r["name"])] for r in rows):
            used = users[saved.name]
            mark = "*" if used else " "
            lines.append(f"{mark} {saved.name}" + (f"  (in use by {agents.names(used)})" if used else ""))
            lines.append(f"    provider   {saved.provider_name} ({saved.provider})")
            lines.append(f"    base URL   {saved.openai_base_url}  (Anthropic API: {saved.anthropic_base_url})")
            fast = f"  (fast: {saved.fast_model})" if saved.fast_model != saved.model else ""
            lines.append(f"    model      {saved.model}{fast}")
            lines.append("    key        " + {"env": f"env ${saved.key_env}", "file": "file (in the profiles file)"}.get(
                saved.key_storage, saved.key_storage))
            lines.append(f"    tools      {_tool_names(saved.tools)}")
        lines.append("* = in use now. `configurator profile show NAME` shows a profile and how to use it in one "
                     "session; `configurator use NAME` switches to it.")
        return "\n".join(lines)

    return Result("profile list", {"file": str(paths.profiles_file()), "profiles": rows}, text, notes, exitcodes.OK)


def _sessions(saved: SavedProfile) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """((agent id, command line) for one session without switching, (agent id, why there is none))."""
    from configurator import switching

    lines = [(agent_id, line) for agent_id, line, _ in switching.write_sessions(saved, None)]
    none = [(a, agents.get(a).session_note.replace("use NAME", f"use {saved.name}")) for a in saved.tools
            if agents.get(a).session is None and agents.get(a).session_note]
    return lines, none


def _session_text(saved: SavedProfile, lines: list[tuple[str, str]], none: list[tuple[str, str]]) -> list[str]:
    out: list[str] = [""]
    if lines or none:
        out.append("Use it in one session without switching:")
        out += [f"  {agents.get(a).display:12} {line}" for a, line in lines]
        out += [f"  {agents.get(a).display:12} (none) {note}" for a, note in none]
    out.append(f"Switch the tools it covers to it: configurator use {saved.name}")
    return out


def _missing_session_files(saved: SavedProfile) -> list[str]:
    out = []
    for a in saved.tools:
        agent = agents.get(a)
        if agent.session is not None and agent.session_files is not None:
            out += [str(p) for p in agent.session_files(saved.name) if not p.exists()]
    return out


def run_show(opts: ShowOptions) -> Result:
    from configurator import profiles

    saved = profiles.get(opts.name)
    state, why = _owned()
    used = [a for a in agents.IDS if state is not None and a in state.profile_users(saved.name)]
    lines, none = _sessions(saved)
    notes = [f"Which tools use this profile is unknown: {why}"] if why else []
    missing = _missing_session_files(saved)
    if missing:
        notes.append(f"Session files are missing ({', '.join(missing)}); `configurator profile edit {saved.name}` "
                     "writes them again.")

    def text() -> str:
        out = [f"Profile {saved.name}" + (f"  (in use by {agents.names(used)})" if used else "")]
        rows = [
            ("provider", f"{saved.provider_name} ({saved.provider})"),
            ("Anthropic URL", saved.anthropic_base_url),
            ("OpenAI URL", saved.openai_base_url),
            ("main model", saved.model),
            ("fast model", saved.fast_model),
        ]
        rows += [(f"Claude {tier}", saved.claude_tiers[tier]) for tier in profiles.TIER_KEYS
                 if tier in saved.claude_tiers]
        rows += [
            ("key", _key_text(saved)),
            ("Codex wire API", saved.codex_wire_api),
            ("tools", _tool_names(saved.tools)),
            ("in use by", agents.names(used) if used else "no tool now"),
            ("file", str(paths.profiles_file())),
        ]
        out += [f"  {k:15} {v}" for k, v in rows]
        out += _session_text(saved, lines, none)
        return "\n".join(out)

    data = {"profile": _profile_data(saved), "in_use_by": used, "file": str(paths.profiles_file()),
            "sessions": dict(lines), "no_session": dict(none), "switch": f"configurator use {saved.name}"}
    return Result("profile show", data, text, notes, exitcodes.OK)


# --- building a profile from flags ----------------------------------------------------------------------------


def _tiers(current: dict[str, str], given: tuple[str, ...]) -> dict[str, str]:
    """``TIER=MODEL`` sets a Claude Code tier's model, ``TIER=`` clears it."""
    from configurator.commands.setup import check_model_id
    from configurator.profiles import TIER_KEYS

    tiers = dict(current)
    for item in given:
        tier, eq, model = item.partition("=")
        tier = tier.strip().lower()
        if not eq or tier not in TIER_KEYS:
            raise ConfiguratorError(
                f"--claude-tier {shown_input(item)} is not TIER=MODEL with TIER one of {', '.join(TIER_KEYS)} "
                "(e.g. --claude-tier haiku=deepseek-ai/deepseek-v4-flash; `haiku=` clears it).")
        if not model:
            tiers.pop(tier, None)
            continue
        check_model_id(f"--claude-tier {tier}=", model)
        tiers[tier] = model
    return {t: tiers[t] for t in TIER_KEYS if t in tiers}


def _saved_from(name: str, profile: Profile, tools: Iterable[str], tiers: dict[str, str]) -> SavedProfile:
    from configurator import profiles

    saved = profiles.from_profile(name, dataclasses.replace(profile, name=name), tuple(tools))
    return dataclasses.replace(saved, claude_tiers=tiers)


def _edited(saved: SavedProfile, opts: EditOptions) -> tuple[SavedProfile, list[str]]:
    """``saved`` with what the flags give changed; the rest (the stored key too) kept."""
    from configurator.commands.setup import build_profile
    from configurator.providers import load_preset

    s, given = opts.setup, opts.setup.given
    provider = s.provider if "provider" in given else saved.provider
    same_provider = provider == saved.provider
    preset = load_preset(provider)
    tools = tuple(a for a in agents.IDS if a in s.tools) if "tools" in given else saved.tools
    base: dict[str, Any] = {"base_url": None, "anthropic_base_url": None, "openai_base_url": None}
    if not preset.is_custom:  # a preset has its own URLs: flags for them are refused by build_profile
        base = {k: getattr(s, k) if k in given else None for k in base}
    elif "base_url" in given:
        base["base_url"] = s.base_url
    elif same_provider or "anthropic_base_url" in given or "openai_base_url" in given:
        keep = same_provider
        base["anthropic_base_url"] = s.anthropic_base_url if "anthropic_base_url" in given else (
            saved.anthropic_base_url if keep else None)
        base["openai_base_url"] = s.openai_base_url if "openai_base_url" in given else (
            saved.openai_base_url if keep else None)
    model = s.model if "model" in given else (saved.model if preset.is_custom else None)
    fast = s.fast_model if "fast_model" in given else None
    key: dict[str, Any] = {"key": None, "api_key_env": None, "api_key_stdin": False}
    keep_key = False
    storage = s.key_storage if "key_storage" in given else saved.key_storage
    if "api_key_stdin" in given and s.api_key_stdin:
        key["api_key_stdin"] = True
    elif "api_key_env" in given:
        key["api_key_env"] = s.api_key_env
    elif storage == saved.key_storage:  # no new key source: keep the stored key (or the variable's name)
        if storage == "file":
            key["key"] = saved.key
        elif storage == "env":
            key["api_key_env"] = saved.key_env
        else:  # kept where it is (the OS keychain): nothing to read; the saved key fields are put back below
            keep_key, storage = True, "env"
    elif storage == "file":
        raise ConfiguratorError(
            f"Profile {saved.name!r} reads its key from ${saved.key_env}; to store the key in the profile instead, "
            "give it with --api-key-env VAR or --api-key-stdin.")
    setup = dataclasses.replace(
        s, tools=tools, provider=provider, model=model, fast_model=fast, key_storage=storage,  # type: ignore[arg-type]
        codex_wire_api=s.codex_wire_api if "codex_wire_api" in given else saved.codex_wire_api,
        interactive=False, **base, **key)
    profile, notes = build_profile(setup)
    new = _saved_from(saved.name, profile, tools, _tiers(dict(saved.claude_tiers), opts.claude_tiers))
    if keep_key:
        new = dataclasses.replace(new, key_storage=saved.key_storage, key=saved.key, key_env=saved.key_env)
        notes = [n for n in notes if "is not set in this shell" not in n]
    if same_provider:  # models not given stay as they are (build_profile took the preset's)
        new = dataclasses.replace(new, model=saved.model if "model" not in given else new.model,
                                  fast_model=saved.fast_model if "fast_model" not in given else new.fast_model)
    elif new.claude_tiers and not opts.claude_tiers:
        notes.append(f"The Claude Code tier models were kept ({_tiers_text(new)}); clear one with --claude-tier "
                     f"TIER= if {new.provider_name} does not serve it.")
    return new, notes


def _tiers_text(saved: SavedProfile) -> str:
    return ", ".join(f"{k}={v}" for k, v in saved.claude_tiers.items())


_FIELDS = (("provider", "provider"), ("anthropic_base_url", "Anthropic URL"), ("openai_base_url", "OpenAI URL"),
           ("model", "main model"), ("fast_model", "fast model"), ("codex_wire_api", "Codex wire API"))


def _changes(old: SavedProfile, new: SavedProfile) -> list[tuple[str, str, str]]:
    """(field, old, new) for each field that differs; the key masked."""
    out = [(label, str(getattr(old, f)), str(getattr(new, f))) for f, label in _FIELDS if getattr(old, f) != getattr(new, f)]
    if (old.key_storage, old.key, old.key_env) != (new.key_storage, new.key, new.key_env):
        out.append(("key", _key_text(old), _key_text(new)))
    if dict(old.claude_tiers) != dict(new.claude_tiers):
        out.append(("Claude tiers", _tiers_text(old) or "none", _tiers_text(new) or "none"))
    if old.tools != new.tools:
        out.append(("tools", _tool_names(old.tools), _tool_names(new.tools)))
    return out


# --- writing --------------------------------------------------------------------------------------------------


def _write(verb: str, profile: Profile | None, tools: list[str], flags: WriteFlags, prompter: Prompter | None,
           **kw: Any) -> tuple[Written, bool]:
    """One transaction (a preview first): (what was written or would be, whether it was a dry run). When the
    tools' files change, a person confirms (or --yes); owned keys edited by hand stop it unless --force."""
    from configurator import switching

    preview = switching.execute(profile, tools, dry_run=True, force=flags.force, **kw)
    p = None
    if flags.interactive:
        from configurator.prompts import Prompter

        p = prompter or Prompter()
    if preview.hand_edits and not flags.force and not flags.dry_run:
        if p is None:
            raise switching.HandEdited(preview.hand_edits)
        p.say("These keys were changed by hand since configurator set them: "
              + "; ".join(str(e) for e in preview.hand_edits))
        if not p.confirm("Overwrite them?", False):
            raise Aborted()
    if flags.dry_run:
        return preview, True
    if preview.changed and not flags.yes:
        if p is None:
            raise ConfiguratorError(
                f"profile {verb} changes the files of {agents.names(tools)}, and asks before that only on a "
                "terminal: pass --yes to write (or --dry-run to preview).")
        from configurator import wizard

        if not wizard.confirm([(t, r) for t, r in preview.results if r.action != "unchanged"], p, diff=flags.diff):
            raise Aborted()
    return switching.execute(profile, tools, dry_run=False, force=flags.force, **kw), False


def _files_text(written: Written, dry_run: bool) -> list[str]:
    return [ln for ln in written.lines(dry_run=dry_run) if ln != "Dry run: nothing was written."]


def _write_data(written: Written, dry_run: bool) -> dict[str, Any]:
    return {"dry_run": dry_run, "files": [{**r.to_dict(), "tool": tool} for tool, r in written.results],
            "backup": None if dry_run else written.backup,
            "hand_edits": [{"tool": e.agent, "file": str(e.path), "key": list(e.key)} for e in written.hand_edits]}


def _exists_refusal(name: str) -> ConfiguratorError:
    return ConfiguratorError(f"A profile named {name!r} already exists; change it with `configurator profile edit "
                             f"{name}`, or choose another name.")


def run_add(opts: AddOptions, *, prompter: Prompter | None = None) -> Result:
    """Save a new profile from setup's flags (or its wizard) without applying it to any tool."""
    from configurator import profiles, switching
    from configurator.commands.setup import build_profile

    name = profiles.check_name(opts.name)
    if name in profiles.load():
        raise _exists_refusal(name)
    tiers = _tiers({}, opts.claude_tiers)
    s = dataclasses.replace(opts.setup, profile=name)
    if s.interactive:
        from configurator import wizard
        from configurator.prompts import Prompter

        # nothing is applied: the questions about a tool's own files (Claude Code's) are not asked
        s = dataclasses.replace(s, given=s.given | {"keep_anthropic_api_key", "claude_skip_login", "profile"})
        s = wizard.ask(s, prompter or Prompter())
    tools = tuple(a for a in agents.IDS if a in (s.tools or agents.IDS))
    profile, notes = build_profile(dataclasses.replace(s, tools=tools))
    saved = _saved_from(name, profile, tools, tiers)
    written = switching.execute(None, [], dry_run=opts.dry_run, save=saved, sessions=[saved])
    lines, none = _sessions(saved)

    def text() -> str:
        where = paths.profiles_file()
        out = [f"Dry run: would save profile {name!r} in {where}; nothing was written." if opts.dry_run else
               f"Saved profile {name!r} in {where}. No tool uses it yet: the tools' own files were not changed."]
        out += [f"  {k:15} {v}" for k, v in (("provider", f"{saved.provider_name} ({saved.provider})"),
                                             ("main model", saved.model), ("fast model", saved.fast_model),
                                             ("key", _key_text(saved)), ("tools", _tool_names(saved.tools)))]
        out += _session_text(saved, lines, none)
        return "\n".join(out)

    data = {"profile": _profile_data(saved), "dry_run": opts.dry_run, "saved": not opts.dry_run,
            "file": str(paths.profiles_file()), "sessions": dict(lines), "switch": f"configurator use {name}",
            "backup": None if opts.dry_run else written.backup}
    return Result("profile add", data, text, notes + written.notes, exitcodes.OK)


def run_edit(opts: EditOptions, *, prompter: Prompter | None = None) -> Result:
    """Change what the flags give; apply the profile again to the tools that use it now."""
    from configurator import profiles

    saved = profiles.get(opts.name)
    users = _users(saved.name)
    new, notes = _edited(saved, opts)
    dropped = [a for a in users if a not in new.tools]
    if dropped:
        raise ConfiguratorError(
            f"{agents.names(dropped)} {'uses' if len(dropped) == 1 else 'use'} profile {saved.name!r} now, so it "
            f"cannot leave the profile's tools; switch {'it' if len(dropped) == 1 else 'them'} first "
            f"(`configurator use official --tool {dropped[0]}` or another profile), or keep it with --tool.")
    # the session files of a tool left out are brought up to date too (they go with the profile when removed)
    sessions = dataclasses.replace(new, tools=tuple(a for a in agents.IDS if a in new.tools or a in saved.tools))
    written, dry_run = _write("edit", new.to_profile() if users else None, users, opts.flags, prompter,
                              save=new, sessions=[sessions])
    changes = _changes(saved, new)
    lines, none = _sessions(new)

    def text() -> str:
        out: list[str] = []
        if changes:
            out.append(f"{'Would change' if dry_run else 'Changed'} profile {saved.name!r}:")
            out += [f"  {label:15} {old} -> {now}" for label, old, now in changes]
        else:
            out.append(f"Profile {saved.name!r} is unchanged" + ("" if dry_run else "; its session files were "
                                                                  "written again") + ".")
        out += _files_text(written, dry_run)
        if dry_run:
            out.append("Dry run: nothing was written.")
        elif users:
            out.append(f"{agents.names(users)} {'uses' if len(users) == 1 else 'use'} it now and "
                       f"{'was' if len(users) == 1 else 'were'} updated.")
        else:
            out.append(f"No tool uses it now; `configurator use {saved.name}` switches to it.")
        out += _session_text(new, lines, none)
        return "\n".join(out)

    data = {"profile": _profile_data(new), "changed": [c[0] for c in changes], "in_use_by": users,
            "sessions": dict(lines), **_write_data(written, dry_run)}
    return Result("profile edit", data, text, notes + written.notes, exitcodes.OK)


def run_remove(opts: RemoveOptions, *, prompter: Prompter | None = None) -> Result:
    """Remove a profile and its session files; a profile in use only with --force (those tools go back to their
    own login first, in the same transaction)."""
    from configurator import profiles

    saved = profiles.get(opts.name)
    users = _users(saved.name)
    if users and not opts.flags.force:
        raise ConfiguratorError(
            f"{agents.names(users)} {'uses' if len(users) == 1 else 'use'} profile {saved.name!r} now; switch first "
            "(`configurator use official`, or `configurator use OTHER` for another profile), or pass --force to "
            "take them back to their own login and remove it.")
    written, dry_run = _write("remove", None, users, opts.flags, prompter, remove_profile=saved.name,
                              remove_sessions=[saved])

    def text() -> str:
        out = _files_text(written, dry_run)
        if dry_run:
            out.append(f"Dry run: profile {saved.name!r} would be removed; nothing was written.")
        else:
            out.append(f"Removed profile {saved.name!r} and its session files.")
            if users:
                out.append(f"{agents.names(users)} {'uses' if len(users) == 1 else 'use'} its own login again.")
        return "\n".join(out)

    notes = list(written.notes)
    if saved.key_storage not in ("file", "env"):
        notes.append(f"The key stays in the OS {saved.key_storage}; `configurator key delete {saved.name}` removes it.")
    data = {"profile": saved.name, "removed": not dry_run, "official": users, **_write_data(written, dry_run)}
    return Result("profile remove", data, text, notes, exitcodes.OK)


def run_rename(opts: RenameOptions, *, prompter: Prompter | None = None) -> Result:
    """Rename a profile: its session files move, and the tools that use it are applied again under the new name
    (their key helpers name the profile)."""
    from configurator import profiles

    saved = profiles.get(opts.old)
    new_name = profiles.check_name(opts.new)
    if new_name == saved.name:
        raise ConfiguratorError(f"The profile is already named {new_name!r}; give a different new name.")
    if new_name in profiles.load():
        raise _exists_refusal(new_name)
    if saved.key_storage not in ("file", "env"):
        raise ConfiguratorError(
            f"Profile {saved.name!r} keeps its key in the OS {saved.key_storage} under its name, which rename does not "
            f"move; save it under the new name with `configurator profile add {new_name} ...` instead.")
    users = _users(saved.name)
    new = saved.renamed(new_name)
    written, dry_run = _write("rename", new.to_profile() if users else None, users, opts.flags, prompter,
                              save=new, remove_profile=saved.name, sessions=[new], remove_sessions=[saved])
    lines, none = _sessions(new)

    def text() -> str:
        out = _files_text(written, dry_run)
        if dry_run:
            out.append(f"Dry run: profile {saved.name!r} would be renamed to {new_name!r}; nothing was written.")
        else:
            out.append(f"Renamed profile {saved.name!r} to {new_name!r}.")
            if users:
                out.append(f"{agents.names(users)} {'uses' if len(users) == 1 else 'use'} it under its new name.")
        out += _session_text(new, lines, none)
        return "\n".join(out)

    data = {"profile": new_name, "old": saved.name, "in_use_by": users, "sessions": dict(lines),
            **_write_data(written, dry_run)}
    return Result("profile rename", data, text, list(written.notes), exitcodes.OK)
