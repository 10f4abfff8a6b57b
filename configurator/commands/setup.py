"""`configurator setup`: resolve a provider profile from flags (or wizard answers), merge it into each agent's files.

Flags and the wizard share one path: the wizard only fills in a new :class:`SetupOptions`; then
:func:`run` previews every change (validating every file before anything is written), asks for
confirmation when a person is there, writes all files in one transaction, and lints what it wrote.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from configurator import agents, exitcodes, paths, switching
from configurator.agents.base import KeyStorage, Profile
from configurator.errors import Aborted, ConfiguratorError
from configurator.providers import (
    Preset,
    derive_base_urls,
    is_loopback,
    key_is_printable,
    load_preset,
    normalize_anthropic_url,
    normalize_openai_url,
)
from configurator.render import Result, shown_input
from configurator.secrets import is_placeholder, mask, register
from configurator.switching import Written

if TYPE_CHECKING:  # pragma: no cover
    from configurator.prompts import Prompter


@dataclass(frozen=True)
class SetupOptions:
    """Everything setup is asked to do. Frozen: the wizard returns a new one (``dataclasses.replace``)."""

    tools: tuple[str, ...] = ()
    provider: str = "atlascloud"
    base_url: str | None = None
    anthropic_base_url: str | None = None
    openai_base_url: str | None = None
    api_key_env: str | None = None
    api_key_stdin: bool = False
    key_storage: KeyStorage = "file"
    model: str | None = None
    fast_model: str | None = None
    codex_wire_api: str = "responses"
    keep_anthropic_api_key: bool = False
    claude_skip_login: bool = False
    yes: bool = False
    dry_run: bool = False
    #: change read-only config files too (they stay read-only)
    force: bool = False
    #: ask the questions the flags did not answer (a terminal, no --yes/--json/--api-key-stdin)
    interactive: bool = False
    #: the key the wizard read with a password prompt
    key: str | None = field(default=None, repr=False)
    #: options the user gave on the command line: the wizard does not ask those questions again
    given: frozenset[str] = frozenset()
    #: the name the profile is saved under (default: the provider id)
    profile: str | None = None
    #: show today's allowance in Claude Code's status line (only where the user has no statusLine)
    claude_statusline: bool = False
    #: show the full diffs before asking (the wizard shows a summary per file; --yes: the diffs in the output)
    diff: bool = False


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")


def read_key(opts: SetupOptions, preset: Preset) -> tuple[str | None, str | None]:
    """(key, key_env) according to the storage mode. Never from argv."""
    if opts.key_storage not in ("file", "env", "keychain"):
        raise ConfiguratorError(f"--key-storage must be 'file', 'env' or 'keychain', not {opts.key_storage!r}.")
    if opts.api_key_env and not _ENV_NAME.match(opts.api_key_env):
        # Often the key itself pasted by mistake: say so without ever printing the value.
        register(opts.api_key_env)
        var = preset.env_var
        raise ConfiguratorError(
            f"--api-key-env takes the NAME of an environment variable (letters, digits and _, like {var}), "
            f"not the key itself: export {var}=... first, then pass --api-key-env {var}."
        )
    if opts.key_storage == "env":
        return None, opts.api_key_env or preset.env_var
    key = opts.key
    if key is None and opts.api_key_stdin:
        key = sys.stdin.readline().strip()
        if not key:
            raise ConfiguratorError("--api-key-stdin was given but standard input was empty; pipe the key in.")
    if key is None and opts.api_key_env:
        key = os.environ.get(opts.api_key_env, "").strip()
        if not key:
            raise ConfiguratorError(
                f"--api-key-env {opts.api_key_env}: that variable is not set or empty; export it first."
            )
    if key is None:
        raise ConfiguratorError(
            "No API key: give --api-key-env VAR (the key is read from that variable) or --api-key-stdin, "
            "or --key-storage env to keep the key out of files."
        )
    register(key)
    if is_placeholder(key):
        raise ConfiguratorError(
            f"The API key {mask(key)!r} is empty or a documentation placeholder; use your real key."
        )
    if not key_is_printable(key):
        raise ConfiguratorError(
            f"The API key {mask(key)!r} contains spaces, quotes or non-ASCII characters (a copy-paste slip?); "
            "the tools would send it in an HTTP header, so give the key alone."
        )
    return key, None


#: the longest model id taken (provider ids are far shorter; a longer one is a paste slip)
MAX_MODEL_ID = 200


def check_model_id(flag: str, model: str | None) -> None:
    """A model id goes into every tool's config as a string: printable text, no spaces or line breaks, not
    bytes that are not UTF-8 (``--model $'m\\xff'``), of a sane length."""
    if model is None:
        return
    if not model.strip():
        raise ConfiguratorError(f"{flag} is empty; give the model id as the provider lists it.")
    if len(model) > MAX_MODEL_ID or not all(c.isprintable() and not c.isspace() for c in model):
        raise ConfiguratorError(
            f"{flag} {shown_input(model)} is not a model id (spaces, control characters, bytes that are not "
            f"UTF-8, or over {MAX_MODEL_ID} characters); give the id as the provider lists it."
        )


def check_inputs(opts: SetupOptions) -> None:
    """The values the user typed, refused with one sentence before anything else looks at them. A key pasted
    into --api-key-env is registered first, so that no later message or log line can show it."""
    if opts.api_key_env and not _ENV_NAME.match(opts.api_key_env):
        register(opts.api_key_env)
    check_model_id("--model", opts.model)
    check_model_id("--fast-model", opts.fast_model)


def check_keychain() -> None:
    """``--key-storage keychain`` where no OS keychain can hold the key: one sentence, exit 2, before anything is
    asked or written (never a fallback to a file)."""
    from configurator import keychain

    found = keychain.usable()
    if not found.ok:
        why = found.reason.removeprefix("The OS keychain cannot be used: ").rstrip(".")
        raise keychain.KeychainError(f"--key-storage keychain cannot be used here: {why}. Use --key-storage env "
                                     "(the key stays in a variable) or file.")


def build_profile(opts: SetupOptions) -> tuple[Profile, list[str]]:
    """The profile the flags (or the wizard's answers) describe. In keychain mode ``key`` carries the key to
    :func:`run`, which stores it in the keychain: no agent writes it, and the saved profile drops it."""
    notes: list[str] = []
    check_inputs(opts)
    if opts.key_storage == "keychain":
        check_keychain()
    preset = load_preset(opts.provider)
    if preset.is_custom:
        if opts.anthropic_base_url or opts.openai_base_url:
            if not (opts.anthropic_base_url and opts.openai_base_url):
                raise ConfiguratorError("Give both --anthropic-base-url and --openai-base-url, or --base-url alone.")
            anthropic = normalize_anthropic_url(opts.anthropic_base_url)
            openai = normalize_openai_url(opts.openai_base_url)
        elif opts.base_url:
            anthropic, openai = derive_base_urls(opts.base_url)
        else:
            raise ConfiguratorError(
                "The custom provider needs --base-url https://host[/v1] (or --anthropic-base-url and --openai-base-url)."
            )
        if not opts.model:
            raise ConfiguratorError("The custom provider needs --model (the main model id); --fast-model is optional.")
    else:
        if opts.base_url or opts.anthropic_base_url or opts.openai_base_url:
            raise ConfiguratorError(
                f"--base-url and friends are for --provider custom; the {preset.name} preset has its own URLs."
            )
        anthropic, openai = str(preset.anthropic_base_url), str(preset.openai_base_url)
    for url in (anthropic, openai):
        if url.startswith("http://") and not is_loopback(url):
            notes.append(f"{url} is plain http: the key would travel unencrypted; prefer https.")
    main_id = opts.model or preset.main_model
    fast_id = opts.fast_model or (main_id if preset.is_custom else preset.fast_model) or main_id
    key, key_env = read_key(opts, preset)
    profile = Profile(
        provider_id=preset.id,
        provider_name=preset.name,
        anthropic_base_url=anthropic,
        openai_base_url=openai,
        model=preset.model(str(main_id)),
        fast_model=preset.model(str(fast_id)),
        key_storage=opts.key_storage,
        key=key,
        key_env=key_env,
        codex_wire_api=opts.codex_wire_api,
        remove_anthropic_api_key=not opts.keep_anthropic_api_key,
        claude_skip_login=opts.claude_skip_login,
        claude_statusline=opts.claude_statusline,
    )
    if key_env and not os.environ.get(key_env):
        notes.append(unset_note(key_env))
    notes += check_models(profile, opts)
    return profile, notes


def unset_note(key_env: str) -> str:
    return f"${key_env} is not set in this shell; export it before starting the tools."


def next_steps(tools: tuple[str, ...] | list[str], key_env: str | None) -> list[str]:
    """What to do now, the step without which nothing works first: in env mode, exporting the variable."""
    steps = []
    if key_env:
        unset = not os.environ.get(key_env)
        steps.append(f"export {key_env}=<your key>  (in your shell profile too, e.g. ~/.bashrc or ~/.zshrc: the tools "
                     "read the key from it" + (f"; ${key_env} is not set in this shell right now)" if unset else ")"))
    steps += [agents.get(t).next_step for t in tools]
    steps.append("`configurator verify` sends one tiny request per tool to check the provider answers; "
                 "`configurator status` shows what each tool uses now.")
    return steps


def check_models(profile: Profile, opts: SetupOptions) -> list[str]:
    """Refuse a model the provider does not list ("did you mean"), or one that does not speak the API an agent
    uses; when the list cannot be had, one note (only where a model was chosen: flags or the wizard)."""
    from configurator.provider_models import PROTOCOL_LABELS, fetch

    key = profile.key if profile.key is not None else os.environ.get(profile.key_env or "")
    models, why = fetch(profile.openai_base_url, key)
    if models is None:
        return [why] if why and (opts.model or opts.fast_model or opts.interactive) else []
    notes: list[str] = []
    provider = profile.provider_name
    for flag, given, chosen in (("--model", opts.model, profile.model.id),
                                ("--fast-model", opts.fast_model, profile.fast_model.id)):
        if chosen in models.ids:
            continue
        if given:
            close = models.closest(chosen)
            hint = f"; did you mean {' or '.join(close)}?" if close else f"; it lists {len(models.ids)} models."
            raise ConfiguratorError(f"{flag} {chosen!r} is not a model {provider} offers{hint} (Nothing was written.)")
        notes.append(f"{provider} does not list the preset's model {chosen}; check it, or pick one with {flag}.")
    for agent in map(agents.get, opts.tools or agents.IDS):
        used = {profile.model.id, profile.fast_model.id} if agent.uses_fast_model else {profile.model.id}
        for model in sorted(used):
            if models.serves(model, agent.protocol) is False:
                spoken = ", ".join(sorted(PROTOCOL_LABELS[p] for p in models.protocols[model])) or "no API we know"
                raise ConfiguratorError(
                    f"{agent.display} sends {PROTOCOL_LABELS[agent.protocol]} requests, but {provider} serves {model} "
                    f"only as {spoken}; choose another model, or leave {agent.display} out with --tool. "
                    "(Nothing was written.)")
    return notes


def profile_name(opts: SetupOptions, profile: Profile) -> str:
    """The name setup saves the profile under: --profile, else the provider id."""
    from configurator.profiles import check_name

    return check_name(opts.profile or profile.provider_id)


def execute(profile: Profile, tools: tuple[str, ...] | list[str], *, dry_run: bool, force: bool = False) -> Written:
    """Merge ``profile`` into each agent's files and save it as a profile, in one transaction (one backup id)."""
    from configurator import profiles

    name = profile.name or profile.provider_id
    profile = dataclasses.replace(profile, name=name)
    saved = profiles.from_profile(name, profile, tools)
    return switching.execute(profile, tools, dry_run=dry_run, force=force, save=saved, sessions=[saved])


def _write_with_keychain(profile: Profile, tools: tuple[str, ...] | list[str], *, force: bool) -> Written:
    """Store the key in the OS keychain (read back to be sure), then write the files; when the write fails the
    keychain entry there was is put back, so a failed setup changes nothing."""
    from configurator import keychain

    name = str(profile.name)
    before = keychain.previous(name)
    keychain.prepare(name, str(profile.key))
    try:
        return execute(profile, tools, dry_run=False, force=force)
    except BaseException:
        keychain.rollback(name, before)
        raise


def _still_holding(profile: Profile, ask: Callable[[str, bool], bool] | None) -> list[str]:
    """Moving a key into the keychain: the files and backups that still hold it (by value). On a terminal, offers
    to delete those backups (they are plain-text copies of the files from before)."""
    from configurator import keychain, store

    # the config files and ours (profiles, owned.json, backups): not the agents' transcripts, which can be GBs
    roots = [paths.config_dir(), paths.backups_dir(), *(f.path for f in agents.user_files())]
    holders = keychain.key_holders(str(profile.key), roots=roots)
    notes = []
    if holders.files:
        notes.append("The key is still in " + ", ".join(str(p) for p in holders.files) + " (from before it moved "
                     "to the keychain); remove it there.")
    ids = sorted({p.relative_to(paths.backups_dir()).parts[0] for p in holders.backups})
    if ids and ask is not None and ask(f"{len(ids)} configurator backup(s) from before still hold the key in plain "
                                       f"text ({', '.join(ids[:3])}{' …' if len(ids) > 3 else ''}). Delete them?",
                                       False):
        for backup_id in ids:
            store.delete_backup(backup_id)
        notes.append(f"Deleted {len(ids)} backup(s) that held the key: {', '.join(ids)}.")
    elif ids:
        notes.append(f"{len(ids)} configurator backup(s) still hold the key in plain text: {', '.join(ids)}; "
                     f"delete them (rm -r {paths.backups_dir()}/<id>) once you no longer need them.")
    return notes


def not_installed_notes(tools: tuple[str, ...]) -> list[str]:
    import shutil

    out = []
    for agent in map(agents.get, tools):
        if shutil.which(agent.executable) is None:
            out.append(f"{agent.display} is not installed (no `{agent.executable}` on PATH); it was configured anyway.")
    return out


def lint_written(written: Written) -> list[str]:
    """Lint what we wrote; a finding here is a bug of ours or a problem elsewhere in the user's file."""
    from configurator.lint import lint_paths

    kind_of = {str(f.path): f.kind for f in agents.user_files()}
    paths = [r.path for _, r in written.results if r.action in ("created", "updated", "unchanged")]
    if not paths:
        return []
    try:  # the files are written: a lint problem must not turn that into a failure
        report = lint_paths(paths, kinds=[kind_of.get(str(p)) for p in paths])
    except ConfiguratorError as e:
        return [f"lint could not check the written files: {e}"]
    return [f"lint: {f.file}:{f.line}:{f.column}: {f.severity} {f.rule} {f.message}" for f in report.findings
            if f.severity in ("error", "warning")]


def result_for(written: Written, tools: tuple[str, ...], *, dry_run: bool, extra_notes: list[str],
               key_env: str | None = None, diffs: bool = False) -> Result:
    files = [{**r.to_dict(), "tool": tool} for tool, r in written.results]
    steps = next_steps(tools, key_env)
    # the export step says it first: not again as a note (a dry run has no next steps: the note stays)
    notes = [n for n in extra_notes + written.notes if dry_run or not key_env or n != unset_note(key_env)]
    name = written.profile

    def text() -> str:
        lines = written.lines(dry_run=dry_run, diffs=diffs)
        if name:
            lines.append(f"{'Would save' if dry_run else 'Saved'} as profile {name!r}: `configurator use {name}` "
                         f"switches back to it later, `configurator profile show {name}` shows how to use it in one "
                         "session.")
        if not dry_run:
            lines.append("Next steps:")
            lines += [f"  {s}" for s in steps]
        return "\n".join(lines)

    return Result(
        "setup",
        {"dry_run": dry_run, "files": files, "backup": written.backup, "next_steps": steps, "profile": name,
         "sessions": dict(written.sessions)},
        text,
        notes,
        exitcodes.OK,
    )


def run(opts: SetupOptions, *, prompter: Prompter | None = None) -> Result:
    """Ask what is missing (interactive), preview, confirm (interactive), write, lint what was written."""
    confirm: Callable[[Written], bool] | None = None
    say: Callable[[str], None] | None = None
    ask_yes_no: Callable[[str, bool], bool] | None = None
    if opts.interactive:
        from configurator import wizard
        from configurator.prompts import Prompter

        p = prompter or Prompter()
        ask_yes_no = p.confirm
        opts = wizard.ask(opts, p)
        diff = opts.diff

        def ask_to_write(preview: Written) -> bool:
            return wizard.confirm([(t, r) for t, r in preview.results if r.action != "unchanged"], p, diff=diff)

        confirm = ask_to_write
        say = p.say
    elif not opts.yes and not opts.dry_run:
        raise ConfiguratorError(
            "setup asks its questions only on a terminal (and not with --json or --api-key-stdin): pass --yes "
            "to write with the given flags (or --dry-run to preview)."
        )
    tools = opts.tools or agents.IDS
    profile, notes = build_profile(opts)
    profile = dataclasses.replace(profile, name=profile_name(opts, profile))
    preview = execute(profile, tools, dry_run=True, force=opts.force)  # validates every file before anything is written
    if opts.dry_run:
        return result_for(preview, tools, dry_run=True, extra_notes=notes, key_env=profile.key_env)
    if say is not None and not preview.changed:
        # still a real run below: it writes no byte, but tightens a key file's loose mode to 0600
        say("Everything is already set up this way; nothing to change.")
    elif confirm is not None and not confirm(preview):
        raise Aborted()
    if profile.key_storage == "keychain":
        written = _write_with_keychain(profile, tools, force=opts.force)
        notes += _still_holding(profile, ask_yes_no)
    else:
        written = execute(profile, tools, dry_run=False, force=opts.force)
    notes += not_installed_notes(tools)
    notes += lint_written(written)
    return result_for(written, tools, dry_run=False, extra_notes=notes, key_env=profile.key_env,
                      diffs=opts.diff and not opts.interactive)
