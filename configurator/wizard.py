"""The interactive setup wizard (questionary). Every question goes through :class:`Prompter`."""

from __future__ import annotations

import os
import re

from configurator.configure import (
    SetupOptions,
    build_profile,
    detected_tools,
    execute,
    key_is_printable,
    lint_written,
    not_installed_notes,
    result_for,
)
from configurator.errors import Aborted, ConfiguratorError
from configurator.prompts import NOTHING_WRITTEN, Prompter
from configurator.providers import derive_base_urls, load_preset, preset_ids
from configurator.render import Result
from configurator.secrets import is_placeholder, register
from configurator.targets import TOOL_NAMES, get


def _validate_key(value: str) -> bool | str:
    if is_placeholder(value):
        return "Enter your real API key (empty and placeholder keys like your-atlas-api-key are refused)."
    if not key_is_printable(value.strip()):
        return "The key contains spaces, quotes or non-ASCII characters; paste the key alone."
    return True


def _validate_url(value: str) -> bool | str:
    from urllib.parse import urlsplit

    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return "Enter an http(s) URL such as https://api.example.com/v1"
    return True


def _validate_env_name(value: str) -> bool | str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value.strip()):
        return True
    return "Enter the NAME of a variable (letters, digits and _, like ATLAS_API_KEY), not the key itself."


def run_wizard(opts: SetupOptions, prompter: Prompter | None = None) -> Result:
    """Ask what the flags did not answer (``opts.given``), preview the diffs, confirm, write."""
    p = prompter or Prompter()
    given = opts.given
    if opts.tools:
        tools = list(opts.tools)
    else:
        found = set(detected_tools())
        tools = p.checkbox(
            "Which tools should use the provider?",
            [(get(t).DISPLAY + ("" if t in found else "  (not detected)"), t, t in found or not found)
             for t in TOOL_NAMES],
            validate=lambda chosen: True if chosen else "Pick at least one tool (space toggles).",
        )
    ids = preset_ids()
    if "provider" not in given:
        opts.provider = p.select(
            "Provider:", [(load_preset(i).name, i) for i in ids],
            default=opts.provider if opts.provider in ids else ids[0],
        )
    preset = load_preset(opts.provider)
    urls_given = bool(opts.base_url or (opts.anthropic_base_url and opts.openai_base_url))
    if preset.is_custom and not urls_given:
        url = p.text("Base URL (https://host or https://host/v1):", validate=_validate_url)
        try:
            derive_base_urls(url)
            opts.base_url = url
        except ConfiguratorError as e:
            p.say(str(e))
            opts.anthropic_base_url = p.text(
                "Anthropic-compatible base URL (Claude Code appends /v1/messages):", validate=_validate_url
            )
            opts.openai_base_url = p.text("OpenAI-compatible base URL (usually ends in /v1):", validate=_validate_url)
    if "key_storage" not in given:
        opts.key_storage = p.select(
            "Where should the API key live?",
            [
                ("In the tools' config files (mode 0600)", "file"),
                ("In an environment variable (you export it; files name the variable)", "env"),
            ],
            default="file",
        )
    if "api_key_env" in given:
        pass  # file mode: build_profile reads the key from that variable; env mode: the files name it
    elif opts.key_storage == "file":
        env_key = os.environ.get(preset.env_var, "")
        if env_key and not is_placeholder(env_key) and p.confirm(f"Use the key in ${preset.env_var}?", default=True):
            opts.key = env_key
        else:
            opts.key = p.password("API key (input hidden):", validate=_validate_key)
        register(opts.key)
    else:
        opts.api_key_env = p.text(
            "Environment variable that holds the key:", default=preset.env_var, validate=_validate_env_name
        )
    choices = [(f"{m.name} ({m.id})", m.id) for m in preset.models]
    if "model" not in given:
        if preset.is_custom:
            opts.model = p.text("Main model id:", validate=lambda v: bool(v.strip()) or "Enter a model id.")
        else:
            opts.model = p.select("Main model:", choices, default=preset.main_model)
    if "fast_model" not in given:
        if preset.is_custom:
            opts.fast_model = p.text("Fast model id (for background tasks):", default=opts.model or "")
        else:
            opts.fast_model = p.select("Fast model (background tasks):", choices, default=preset.fast_model)
    if "claude-code" in tools:
        from configurator.targets import claude_code

        info = claude_code.inspect()
        if info["has_api_key"] and "keep_anthropic_api_key" not in given:
            opts.keep_anthropic_api_key = not p.confirm(
                "Your Claude Code settings also set ANTHROPIC_API_KEY, which conflicts with the token. Remove it?",
                default=True,
            )
        if not info["onboarded"] and "claude_skip_login" not in given:
            opts.claude_skip_login = p.confirm(
                "Mark Claude Code onboarding as done in ~/.claude.json (skips its first-start theme picker and "
                "notes; the folder trust question still comes)?",
                default=False,
            )
    profile, notes = build_profile(opts)
    preview = execute(profile, tools, dry_run=True)
    changed = [r for _, r in preview.results if r.action != "unchanged"]
    if opts.dry_run:  # the result shows the diffs; nothing to confirm
        return result_for(preview, tools, dry_run=True, extra_notes=notes)
    if not changed:
        p.say("Everything is already set up this way; nothing to change.")
        # still a real run: it writes no byte, but tightens a key file's loose mode to 0600
        return result_for(execute(profile, tools, dry_run=False), tools, dry_run=False, extra_notes=notes)
    for r in changed:
        p.say(r.diff.rstrip("\n") if r.diff else f"{r.action}: {r.path}")
    if not p.confirm("Write these changes?", default=True):
        raise Aborted(NOTHING_WRITTEN)
    plan = execute(profile, tools, dry_run=False)
    notes += not_installed_notes(tools)
    notes += lint_written(plan)
    return result_for(plan, tools, dry_run=False, extra_notes=notes)
