"""The interactive part of `configurator setup`: questions only.

:func:`ask` fills in what the flags did not answer and returns a new frozen options object;
:func:`confirm` shows the diffs and asks before writing. Everything else (preview, write, lint) is the
same path as with flags (:mod:`configurator.commands.setup`). Every question goes through a
:class:`~configurator.prompts.Prompter`, so tests drive it with prompt_toolkit pipe input.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from configurator import agents
from configurator.errors import ConfiguratorError
from configurator.providers import (
    Preset,
    derive_base_urls,
    key_is_printable,
    load_preset,
    normalize_openai_url,
    preset_ids,
)
from configurator.secrets import is_placeholder, register

if TYPE_CHECKING:  # pragma: no cover
    from configurator.commands.setup import SetupOptions
    from configurator.prompts import Prompter
    from configurator.store import WriteResult


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


def detected_tools() -> list[str]:
    """Agents that are installed or already have a config: preselected in the wizard."""
    import shutil

    return [a.id for a in agents.AGENTS.values()
            if shutil.which(a.executable) or any(p.exists() for p in a.files()[:1])]


def ask(opts: SetupOptions, p: Prompter) -> SetupOptions:
    """Ask what the flags did not answer (``opts.given``); return the options with the answers."""
    given = opts.given
    answers: dict[str, Any] = {}
    tools: Sequence[str] = opts.tools
    if not tools:
        found = set(detected_tools())
        tools = tuple(p.checkbox(
            "Which tools should use the provider?",
            [(a.display + ("" if a.id in found else "  (not detected)"), a.id, a.id in found or not found)
             for a in agents.AGENTS.values()],
            validate=lambda chosen: True if chosen else "Pick at least one tool (space toggles).",
        ))
        answers["tools"] = tools
    ids = preset_ids()
    provider = opts.provider
    if "provider" not in given:
        provider = answers["provider"] = p.select(
            "Provider:", [(load_preset(i).name, i) for i in ids],
            default=opts.provider if opts.provider in ids else ids[0],
        )
    preset = load_preset(provider)
    urls_given = bool(opts.base_url or (opts.anthropic_base_url and opts.openai_base_url))
    if preset.is_custom and not urls_given:
        url = p.text("Base URL (https://host or https://host/v1):", validate=_validate_url)
        try:
            derive_base_urls(url)
            answers["base_url"] = url
        except ConfiguratorError as e:
            p.say(str(e))
            answers["anthropic_base_url"] = p.text(
                "Anthropic-compatible base URL (Claude Code appends /v1/messages):", validate=_validate_url
            )
            answers["openai_base_url"] = p.text(
                "OpenAI-compatible base URL (usually ends in /v1):", validate=_validate_url
            )
    key_storage = opts.key_storage
    if "key_storage" not in given:
        key_storage = answers["key_storage"] = p.select(
            "Where should the API key live?",
            [
                ("In the tools' config files (mode 0600)", "file"),
                ("In an environment variable (you export it; files name the variable)", "env"),
            ],
            default="file",
        )
    if "api_key_env" in given:
        pass  # file mode: the key is read from that variable; env mode: the files name it
    elif key_storage == "file":
        env_key = os.environ.get(preset.env_var, "")
        if env_key and not is_placeholder(env_key) and p.confirm(f"Use the key in ${preset.env_var}?", default=True):
            key = env_key
        else:
            key = p.password("API key (input hidden):", validate=_validate_key)
        register(key)
        answers["key"] = key
    else:
        answers["api_key_env"] = p.text(
            "Environment variable that holds the key:", default=preset.env_var, validate=_validate_env_name
        )
    model = opts.model
    if "model" in given and "fast_model" in given:
        return _with_agent_answers(opts, p, tools, answers)
    choices = _model_choices(preset, opts, answers)
    if "model" not in given:
        model = answers["model"] = _ask_model(p, ("Main model:", "Main model id:"), choices, preset.main_model)
    if "fast_model" not in given:
        answers["fast_model"] = _ask_model(
            p, ("Fast model (background tasks):", "Fast model id (for background tasks):"), choices,
            preset.fast_model if not preset.is_custom else model)
    return _with_agent_answers(opts, p, tools, answers)


def _with_agent_answers(opts: SetupOptions, p: Prompter, tools: Sequence[str], answers: dict[str, Any]) -> SetupOptions:
    for agent_id in tools:
        agent = agents.get(agent_id)
        if agent.ask is not None:
            answers.update(agent.ask(p, opts.given))
    return dataclasses.replace(opts, **answers)


_OTHER = "\0other"


def _model_choices(preset: Preset, opts: SetupOptions, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The preset's models first, then every other model the provider lists (when it can be asked)."""
    from configurator.provider_models import fetch

    choices = [(f"{m.name} ({m.id})", m.id) for m in preset.models]
    base = _openai_base(preset, opts, answers)
    storage = answers.get("key_storage", opts.key_storage)
    key = answers.get("key") if storage == "file" else os.environ.get(answers.get("api_key_env") or opts.api_key_env
                                                                      or preset.env_var)
    listed, _ = fetch(base, key) if base else (None, None)  # why not: one note in the result
    if listed is not None:
        known = {mid for _, mid in choices}
        choices += [(mid, mid) for mid in listed.ids if mid not in known]
    return choices


def _openai_base(preset: Preset, opts: SetupOptions, answers: dict[str, Any]) -> str | None:
    if not preset.is_custom:
        return preset.openai_base_url
    try:
        if answers.get("openai_base_url") or opts.openai_base_url:
            return normalize_openai_url(str(answers.get("openai_base_url") or opts.openai_base_url))
        url = answers.get("base_url") or opts.base_url
        return derive_base_urls(str(url))[1] if url else None
    except ConfiguratorError:
        return None


def _ask_model(p: Prompter, questions: tuple[str, str], choices: list[tuple[str, str]], default: str | None) -> str:
    """A list to pick from (plus "another id"), or a text question when there is no list."""
    pick, type_in = questions
    if not choices:
        return p.text(type_in, default=default or "", validate=lambda v: bool(v.strip()) or "Enter a model id.")
    picked = p.select(pick, [*choices, ("Another model id…", _OTHER)],
                      default=default if any(mid == default for _, mid in choices) else choices[0][1])
    if picked == _OTHER:
        return p.text(type_in, validate=lambda v: bool(v.strip()) or "Enter a model id.")
    return str(picked)


def confirm(changed: list[WriteResult], p: Prompter) -> bool:
    """Show each change and ask before writing."""
    for r in changed:
        p.say(r.diff.rstrip("\n") if r.diff else f"{r.action}: {r.path}")
    return p.confirm("Write these changes?", default=True)
