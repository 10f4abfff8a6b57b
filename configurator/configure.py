"""`configurator setup`: resolve a profile from flags or wizard answers, merge it into each tool's files."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from configurator import exitcodes
from configurator.errors import ConfiguratorError
from configurator.providers import (
    Preset,
    derive_base_urls,
    is_loopback,
    load_preset,
    normalize_anthropic_url,
    normalize_openai_url,
)
from configurator.render import Result
from configurator.secrets import is_placeholder, mask, register
from configurator.store import Transaction, WriteResult
from configurator.targets import TOOL_NAMES, get
from configurator.targets.base import Outcome, Profile

NEXT_STEPS = {
    "claude-code": "Claude Code: run `claude` (or `claude -p \"hello\"`); `/status` shows the base URL in use.",
    "codex": "Codex: run `codex`; `codex doctor` checks that the config loads and the key is found.",
    "openclaw": "OpenClaw: run `openclaw config validate`, then `openclaw` as usual.",
}


@dataclass
class SetupOptions:
    tools: list[str] = field(default_factory=list)
    provider: str = "atlascloud"
    base_url: str | None = None
    anthropic_base_url: str | None = None
    openai_base_url: str | None = None
    api_key_env: str | None = None
    api_key_stdin: bool = False
    key_storage: str = "file"
    model: str | None = None
    fast_model: str | None = None
    codex_wire_api: str = "responses"
    keep_anthropic_api_key: bool = False
    claude_skip_login: bool = False
    yes: bool = False
    dry_run: bool = False
    #: set by the wizard: the key it read with a password prompt
    key: str | None = None
    #: options the user gave on the command line: the wizard does not ask those questions again
    given: frozenset[str] = frozenset()


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def read_key(opts: SetupOptions, preset: Preset) -> tuple[str | None, str | None]:
    """(key, key_env) according to the storage mode. Never from argv."""
    if opts.key_storage not in ("file", "env"):
        raise ConfiguratorError(f"--key-storage must be 'file' or 'env', not {opts.key_storage!r}.")
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


def key_is_printable(key: str) -> bool:
    """Keys go into HTTP headers: printable ASCII, no whitespace or quotes."""
    return all(33 <= ord(c) < 127 and c not in "\"'`" for c in key)


def build_profile(opts: SetupOptions) -> tuple[Profile, list[str]]:
    notes: list[str] = []
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
    )
    if key_env and not os.environ.get(key_env):
        notes.append(f"${key_env} is not set in this shell; export it before starting the tools.")
    return profile, notes


@dataclass
class Plan:
    results: list[tuple[str, WriteResult]]
    notes: list[str]
    backup: str | None


def execute(profile: Profile, tools: list[str], *, dry_run: bool) -> Plan:
    """Merge ``profile`` into each tool's files in one transaction (one backup id for the run)."""
    if "codex" in tools:
        from configurator.targets.codex import check_wire_api

        if profile.codex_wire_api != "responses":
            from configurator.tools import installed, parse_version

            check_wire_api(profile.codex_wire_api, parse_version(installed("codex").version))
    notes: list[str] = []
    results: list[tuple[str, WriteResult]] = []
    with Transaction("setup", dry_run=dry_run) as tx:
        for tool in tools:
            outcome = Outcome(tool)
            start = len(tx.results)
            get(tool).apply(profile, tx, outcome)
            results += [(tool, r) for r in tx.results[start:]]
            notes += outcome.notes
        for _, r in results:
            notes += r.notes
        return Plan(results, notes, tx.backup_id)


def not_installed_notes(tools: list[str]) -> list[str]:
    import shutil

    out = []
    for tool in tools:
        t = get(tool)
        if shutil.which(t.EXECUTABLE) is None:
            out.append(f"{t.DISPLAY} is not installed (no `{t.EXECUTABLE}` on PATH); it was configured anyway.")
    return out


def lint_written(plan: Plan) -> list[str]:
    """Lint what we wrote; a finding here is a bug of ours or a problem elsewhere in the user's file."""
    try:
        from configurator.lint import lint_paths
    except ImportError:  # pragma: no cover - lint ships with the package
        return []
    kinds: dict[str, str] = {}
    for tool, _ in plan.results:
        target = get(tool)
        kinds.update({str(p): k for p, k in zip(target.files(), target.LINT_KINDS, strict=True)})
    written = [r.path for _, r in plan.results if r.action in ("created", "updated", "unchanged")]
    if not written:
        return []
    try:  # the files are written: a lint problem must not turn that into a failure
        report = lint_paths(written, kinds=[kinds.get(str(p)) for p in written])
    except ConfiguratorError as e:
        return [f"lint could not check the written files: {e}"]
    return [f"lint: {f.file}:{f.line}:{f.column}: {f.severity} {f.rule} {f.message}" for f in report.findings
            if f.severity in ("error", "warning")]


def result_for(plan: Plan, tools: list[str], *, dry_run: bool, extra_notes: list[str]) -> Result:
    files = [{**r.to_dict(), "tool": tool} for tool, r in plan.results]
    notes = extra_notes + plan.notes
    steps = [NEXT_STEPS[t] for t in tools]

    def text() -> str:
        lines: list[str] = []
        if dry_run:
            for _, r in plan.results:
                if r.diff:
                    lines.append(r.diff.rstrip("\n"))
            lines.append("Dry run: nothing was written.")
        for tool, r in plan.results:
            verb = f"would be {r.action}" if dry_run and r.action != "unchanged" else r.action
            lines.append(f"{get(tool).DISPLAY:12} {verb:9} {r.path}")
        if plan.backup:
            lines.append(f"Backup of the previous files: {plan.backup} (undo with `configurator restore {plan.backup}`)")
        if not dry_run:
            lines.append("Next steps:")
            lines += [f"  {s}" for s in steps]
        return "\n".join(lines)

    return Result(
        "setup",
        {"dry_run": dry_run, "files": files, "backup": plan.backup, "next_steps": steps},
        text,
        notes,
        exitcodes.OK,
    )


def run(opts: SetupOptions, *, interactive: bool, prompter: Any = None) -> Result:
    if interactive:
        from configurator.wizard import run_wizard

        return run_wizard(opts, prompter)
    if not opts.yes and not opts.dry_run:
        raise ConfiguratorError(
            "setup asks its questions only on a terminal (and not with --json or --api-key-stdin): pass --yes "
            "to write with the given flags (or --dry-run to preview)."
        )
    tools = opts.tools or list(TOOL_NAMES)
    profile, notes = build_profile(opts)
    preview = execute(profile, tools, dry_run=True)  # validates every file before anything is written
    if opts.dry_run:
        return result_for(preview, tools, dry_run=True, extra_notes=notes)
    plan = execute(profile, tools, dry_run=False)
    notes += not_installed_notes(tools)
    notes += lint_written(plan)
    return result_for(plan, tools, dry_run=False, extra_notes=notes)


def detected_tools() -> list[str]:
    """Tools that are installed or already have a config: preselected in the wizard."""
    import shutil

    found = []
    for tool in TOOL_NAMES:
        t = get(tool)
        if shutil.which(t.EXECUTABLE) or any(p.exists() for p in t.files()[:1]):
            found.append(tool)
    return found


__all__ = ["SetupOptions", "build_profile", "detected_tools", "execute", "run"]
