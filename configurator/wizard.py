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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from configurator import agents
from configurator.errors import Aborted, ConfiguratorError
from configurator.providers import (
    Preset,
    derive_base_urls,
    key_is_printable,
    load_preset,
    normalize_openai_url,
    preset_ids,
)
from configurator.secrets import is_placeholder, mask, register

if TYPE_CHECKING:  # pragma: no cover
    from configurator.commands.setup import SetupOptions
    from configurator.profiles import SavedProfile
    from configurator.prompts import Prompter
    from configurator.store import WriteResult


def _validate_key(value: str) -> bool | str:
    if is_placeholder(value):
        return "Enter your real API key (empty and placeholder keys like your-atlas-api-key are refused)."
    if not key_is_printable(value.strip()):
        return "The key contains spaces, quotes or non-ASCII characters; paste the key alone."
    return True


def _validate_url(value: str) -> bool | str:
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return "Enter an http(s) URL such as https://api.example.com/v1"
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return "Enter an http(s) URL such as https://api.example.com/v1"
    bare = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))  # user:pass@: offered
    try:
        normalize_openai_url(bare)  # the checks flags get (host, port, spaces, backslash), here at the prompt
    except ConfiguratorError as e:
        return str(e).replace("--openai-base-url ", "The URL ", 1)
    return True


def _validate_env_name(value: str) -> bool | str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value.strip()):
        return True
    return "Enter the NAME of a variable (letters, digits and _, like ATLAS_API_KEY), not the key itself."


def installed_tools() -> set[str]:
    """Agents whose executable is on PATH: the ones pre-selected in the wizard."""
    import shutil

    return {a.id for a in agents.AGENTS.values() if shutil.which(a.executable)}


@dataclass(frozen=True)
class Current:
    """What the tools use now: the wizard's defaults. From the active saved profile (``owned.json`` says which),
    else from what the agents' files name (a preset's URL, or a custom OpenAI-compatible provider)."""

    profile: SavedProfile | None = None
    provider: str | None = None
    anthropic_base_url: str | None = None
    openai_base_url: str | None = None
    model: str | None = None
    fast_model: str | None = None
    #: profiles are saved already: the wizard asks under which name to save this one
    has_profiles: bool = False


def current_values(tool_ids: Sequence[str], env: Mapping[str, str] | None = None) -> Current:
    """The defaults for a re-run. A broken profiles file or ``owned.json`` is an error here, before any question."""
    from configurator import ownership, paths, profiles
    from configurator.store import read_document

    env = os.environ if env is None else env
    saved = profiles.load()
    state_path = paths.owned_file()
    state = ownership.from_data(read_document(state_path, "json").data, str(state_path))
    names = [state.agents[t].profile for t in tool_ids if t in state.agents]
    names += [st.profile for st in state.agents.values()]
    for name in names:
        if name is not None and name in saved:
            sp = saved[name]
            return Current(sp, sp.provider, sp.anthropic_base_url, sp.openai_base_url, sp.model, sp.fast_model,
                           has_profiles=True)
    return dataclasses.replace(_from_active(tool_ids, env), has_profiles=bool(saved))


def _from_active(tool_ids: Sequence[str], env: Mapping[str, str]) -> Current:
    presets = [load_preset(i) for i in preset_ids()]
    for agent in map(agents.get, tool_ids):
        try:
            act = agent.active(env)
        except ConfiguratorError:
            continue
        if act is None:
            continue
        base = act.base_url.rstrip("/")
        for preset in presets:
            if not preset.is_custom and base in (str(preset.anthropic_base_url).rstrip("/"),
                                                 str(preset.openai_base_url).rstrip("/")):
                return Current(provider=preset.id, model=act.model)
        if (act.provider_id and act.provider_id not in agent.reserved_provider_ids
                and act.protocol != "anthropic-messages" and base.startswith(("http://", "https://"))):
            # not a preset: the provider question keeps its default; Custom offers this URL and model
            return Current(openai_base_url=base, model=act.model)
    return Current()


def broken_files(tool_ids: Sequence[str]) -> dict[str, ConfiguratorError]:
    """Each agent's first config file that cannot be read or parsed (the error says where: path:line:column)."""
    from configurator.store import read_document

    kinds = agents.kinds()
    out: dict[str, ConfiguratorError] = {}
    for agent in map(agents.get, tool_ids):
        for f in agent.user_files(None):
            try:
                read_document(f.path, kinds[f.kind].fmt)
            except ConfiguratorError as e:
                out[agent.id] = e
                break
            except OSError as e:
                out[agent.id] = ConfiguratorError(f"{f.path}: cannot be read ({e.strerror or e}).")
                break
    return out


def _skip_broken(p: Prompter, tool_ids: Sequence[str]) -> tuple[str, ...]:
    """Parse every file first; for a broken one the user skips that agent or stops (nothing is written)."""
    broken = broken_files(tool_ids)
    left = [t for t in tool_ids if t not in broken]
    for agent_id, err in broken.items():
        agent = agents.get(agent_id)
        p.say(f"{agent.display}: {err}")
        if not left:
            raise err
        choice = p.select(
            f"{agent.display}'s config cannot be read. Skip {agent.display} or stop?",
            [(f"Skip {agent.display} (set up {agents.names(left)}; {agent.display}'s file stays as it is)", "skip"),
             ("Stop (nothing is written; fix the file and run setup again)", "stop")],
            default="skip",
        )
        if choice != "skip":
            raise Aborted()
    return tuple(left)


def ask(opts: SetupOptions, p: Prompter) -> SetupOptions:
    """Ask what the flags did not answer (``opts.given``); return the options with the answers. Every input file
    is read before the first question; the current values are the defaults."""
    given = opts.given
    answers: dict[str, Any] = {}
    candidates = tuple(opts.tools) or agents.IDS
    usable = _skip_broken(p, candidates)
    cur = current_values(usable)
    tools: Sequence[str] = usable
    if usable != candidates:
        answers["tools"] = usable
    if not opts.tools:
        installed = installed_tools()
        before = set(cur.profile.tools) if cur.profile is not None else None
        tools = tuple(p.checkbox(
            "Which tools should use the provider?",
            [(a.display + ("" if a.id in installed else "  (not installed)"), a.id,
              a.id in installed and (before is None or a.id in before))
             for a in map(agents.get, usable)],
            validate=lambda chosen: True if chosen else "Pick at least one tool (space toggles).",
        ))
        answers["tools"] = tools
    ids = preset_ids()
    provider = opts.provider
    if "provider" not in given:
        default = cur.provider if cur.provider in ids else opts.provider
        provider = answers["provider"] = p.select(
            "Provider:", [(load_preset(i).name, i) for i in ids],
            default=default if default in ids else ids[0],
        )
    preset = load_preset(provider)
    # the current provider again: its URLs, key and models are the defaults
    same = cur.provider == provider or (cur.provider is None and preset.is_custom and bool(cur.openai_base_url))
    urls_given = bool(opts.base_url or (opts.anthropic_base_url and opts.openai_base_url))
    if preset.is_custom and not urls_given:
        answers.update(_ask_custom_urls(p, cur if same else Current()))
    if preset.is_custom and same:
        same = _openai_base(preset, opts, answers) == cur.openai_base_url
    saved = cur.profile if same else None
    key_storage = opts.key_storage
    if "key_storage" not in given:
        from configurator import keychain

        found = keychain.usable()
        choices = [
            ("In the tools' config files (mode 0600)", "file"),
            ("In an environment variable (you export it; files name the variable)", "env"),
        ]
        if found.ok:  # offered first: no file holds the key
            choices.insert(0, ("In the OS keychain (the tools run `configurator key get` for it; no file holds "
                               "it)", "keychain"))
        else:
            p.say(f"(The OS keychain is not offered: {found.reason.removeprefix('The OS keychain cannot be used: ')})")
        default = saved.key_storage if saved is not None else ("keychain" if found.ok else "file")
        key_storage = answers["key_storage"] = p.select(
            "Where should the API key live?", choices,
            default=default if any(v == default for _, v in choices) else "file",
        )
    if "api_key_env" in given:
        pass  # file mode: the key is read from that variable; env mode: the files name it
    elif key_storage in ("file", "keychain"):
        kept = saved.key if saved is not None and saved.key_storage == "file" else None
        if saved is not None and saved.key_storage == "keychain" and key_storage == "keychain":
            from configurator import keychain

            kept = keychain.previous(saved.name)
        if kept and p.select("API key:", [(f"Keep the current key ({mask(kept)})", "keep"),
                                          ("Enter another key", "new")], default="keep") == "keep":
            key = kept
        else:
            env_key = os.environ.get(preset.env_var, "")
            if (env_key and not is_placeholder(env_key)
                    and p.confirm(f"Use the key in ${preset.env_var}?", default=True)):
                key = env_key
            else:
                key = p.password("API key (input hidden):", validate=_validate_key)
        register(key)
        answers["key"] = key
    else:
        answers["api_key_env"] = p.text(
            "Environment variable that holds the key:",
            default=saved.key_env if saved is not None and saved.key_env else preset.env_var,
            validate=_validate_env_name,
        )
    model = opts.model
    if not ("model" in given and "fast_model" in given):
        choices = _model_choices(preset, opts, answers)
        if "model" not in given:
            model = answers["model"] = _ask_model(p, ("Main model:", "Main model id:"), choices,
                                                  cur.model if same and cur.model else preset.main_model)
        if "fast_model" not in given:
            fast_default = cur.fast_model if same and cur.fast_model else (
                preset.fast_model if not preset.is_custom else model)
            answers["fast_model"] = _ask_model(
                p, ("Fast model (background tasks):", "Fast model id (for background tasks):"), choices,
                fast_default)
    if "profile" not in given and cur.has_profiles:
        answers["profile"] = _ask_profile_name(p, saved.name if saved is not None else provider)
    return _with_agent_answers(opts, p, tools, answers)


def _ask_profile_name(p: Prompter, default: str) -> str:
    from configurator.profiles import check_name

    def valid(value: str) -> bool | str:
        try:
            check_name(value.strip())
        except ConfiguratorError as e:
            return str(e)
        return True

    return p.text("Save as profile (an existing name is updated):", default=default, validate=valid)


# --- base URLs: caught at the prompt, the corrected URL offered --------------------------------------------------

#: what a user pastes when they copy a request URL instead of the base: the tools append these themselves
_ENDPOINTS = ("/chat/completions", "/completions", "/responses", "/messages", "/models")


def url_fix(url: str, role: str) -> tuple[str, str] | None:
    """(the corrected URL, why) for a base URL our lint would flag, else None. ``role``: ``base`` (one URL both API
    roots are derived from), ``anthropic`` (Claude Code's root) or ``openai`` (the OpenAI-compatible root)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    netloc, path = parts.netloc, parts.path.rstrip("/")
    reasons = []
    if "@" in netloc:
        netloc = netloc.rpartition("@")[2]
        reasons.append("it has a user name or password in it (user:pass@host), which the tools would keep in plain "
                       "config files (the key is asked for separately)")
    for end in _ENDPOINTS:
        if path.endswith(end):
            path = path[: -len(end)].rstrip("/")
            reasons.append(f"it ends in the endpoint {end}, which the tools append themselves")
            break
    if role == "anthropic" and path.endswith("/v1"):
        path = path[: -len("/v1")]
        reasons.append("Claude Code appends /v1/messages to it, so a /v1 at the end makes it post to /v1/v1/messages")
    elif role == "openai" and not path:
        path = "/v1"
        reasons.append("Codex, OpenClaw and opencode append /responses or /chat/completions to it, and "
                       "OpenAI-compatible APIs live under /v1")
    if not reasons:
        return None
    return urlunsplit((parts.scheme, netloc, path, "", "")), "; ".join(reasons)


def _ask_url(p: Prompter, question: str, default: str, role: str) -> str:
    """One base URL; one lint would flag is caught here, with the corrected URL offered."""
    while True:
        url = p.text(question, default=default, validate=_validate_url)
        found = url_fix(url, role)
        if found is None:
            return url
        fixed, why = found
        p.say(f"{url}: {why}.")
        if p.confirm(f"Use {fixed} instead?", default=True):
            return fixed
        if "@" not in url.partition("://")[2].partition("/")[0]:
            return url  # the user knows their server (lint will say so again); credentials are never written
        default = fixed


def _ask_custom_urls(p: Prompter, cur: Current) -> dict[str, str]:
    url = _ask_url(p, "Base URL (https://host or https://host/v1):", cur.openai_base_url or "", "base")
    try:
        anthropic, openai = derive_base_urls(url)
    except ConfiguratorError as e:
        p.say(str(e))
    else:
        kept_pair = (url == cur.openai_base_url and cur.anthropic_base_url is not None
                     and (anthropic, openai) != (cur.anthropic_base_url, cur.openai_base_url))
        if not kept_pair:  # else the current two roots are not derived from one URL: both asked again
            return {"base_url": url}
    return {
        "anthropic_base_url": _ask_url(p, "Anthropic-compatible base URL (Claude Code appends /v1/messages):",
                                       cur.anthropic_base_url or "", "anthropic"),
        "openai_base_url": _ask_url(p, "OpenAI-compatible base URL (usually ends in /v1):",
                                    cur.openai_base_url or url, "openai"),
    }


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
    """A list to pick from (plus "another id"), or a text question when there is no list. A current model the list
    does not have is offered first."""
    pick, type_in = questions
    if not choices:
        return p.text(type_in, default=default or "", validate=lambda v: bool(v.strip()) or "Enter a model id.")
    if default and not any(mid == default for _, mid in choices):
        choices = [(f"{default} (current)", default), *choices]
    picked = p.select(pick, [*choices, ("Another model id…", _OTHER)], default=default or choices[0][1])
    if picked == _OTHER:
        return p.text(type_in, validate=lambda v: bool(v.strip()) or "Enter a model id.")
    return str(picked)


# --- the preview: a summary per file, the diff on request ----------------------------------------------------------

_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")


def _apply_diff(old_text: str, diff: str) -> str:
    """The new text from the old one and a unified diff of it (the diff's context lines may be masked: the old
    text's own lines are used for them)."""
    from configurator.text import lines_lf

    old = lines_lf(old_text)
    out: list[str] = []
    pos = 0
    in_hunk = False
    for line in diff.splitlines(keepends=True):
        m = _HUNK.match(line)
        if m is not None:
            start, count = int(m.group(1)), int(m.group(2) or 1)
            begin = start - 1 if count else start
            if begin < pos:
                raise ValueError("hunks out of order")
            out += old[pos:begin]
            pos, in_hunk = begin, True
        elif not in_hunk:
            continue
        elif line.startswith("+"):
            out.append(line[1:])
        elif line.startswith("-"):
            pos += 1
        elif line.startswith(" "):
            out.append(old[pos])
            pos += 1
    return "".join(out + old[pos:])


def _leaves(data: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    if isinstance(data, dict) and (data or not prefix):
        out: dict[tuple[str, ...], Any] = {}
        for k, v in data.items():
            out.update(_leaves(v, (*prefix, str(k))))
        return out
    return {prefix: data}


def key_changes(r: WriteResult) -> tuple[list[str], list[str], list[str]] | None:
    """(added, changed, removed) dotted key paths of one file's change, from the file as it is and the diff; None
    when that cannot be worked out (the summary then counts lines)."""
    from configurator.store import detect_format, parse_text, read_document

    fmt = next((agents.kinds()[f.kind].fmt for f in agents.user_files() if f.path == r.path), None)
    fmt = fmt or detect_format(r.path)
    try:
        if r.action == "created":
            old_text, old_data = "", {}
        else:
            doc = read_document(r.path, fmt)
            old_text, old_data = doc.text, doc.data
        if r.action == "deleted":
            new_data: Any = {}
        else:
            new_text = _apply_diff(old_text, r.diff)
            new_data = parse_text(new_text, fmt, r.path) if new_text.strip() else {}
    except (ConfiguratorError, ValueError, IndexError, OSError):
        return None
    before, after = _leaves(old_data), _leaves(new_data)
    added = [k for k in after if k not in before]
    removed = [k for k in before if k not in after]
    changed = [k for k in after if k in before and after[k] != before[k]]
    return [".".join(k) for k in added], [".".join(k) for k in changed], [".".join(k) for k in removed]


def _names(keys: list[str], limit: int = 6) -> str:
    shown = ", ".join(keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def summary(changed: Sequence[tuple[str, WriteResult]]) -> str:
    """One block per file: which tool, the file, what happens to it, and the keys added/changed/removed."""
    lines = ["Changes:"]
    for tool, r in changed:
        lines.append(f"  {agents.get(tool).display}: {r.path} (will be {r.action})")
        found = key_changes(r)
        if found is None:
            plus = sum(1 for ln in r.diff.splitlines() if ln.startswith("+") and not ln.startswith("+++"))
            minus = sum(1 for ln in r.diff.splitlines() if ln.startswith("-") and not ln.startswith("---"))
            lines.append(f"      {plus} lines added, {minus} removed")
            continue
        for sign, word, keys in zip("+~-", ("added", "changed", "removed"), found, strict=True):
            if keys:
                lines.append(f"    {sign} {len(keys)} {'key' if len(keys) == 1 else 'keys'} {word}: {_names(keys)}")
        if not any(found):
            lines.append("      formatting only (no key changes)")
    return "\n".join(lines)


def show_diffs(changed: Sequence[tuple[str, WriteResult]], p: Prompter) -> None:
    for _, r in changed:
        p.say(r.diff.rstrip("\n") if r.diff else f"{r.action}: {r.path}")


def confirm(changed: Sequence[tuple[str, WriteResult]], p: Prompter, *, diff: bool = False) -> bool:
    """Show a summary per file (the full diffs first with ``diff``), then ask: write, show the diff, or cancel.
    The question comes last, so no diff scrolls it away."""
    if diff:
        show_diffs(changed, p)
    p.say(summary(changed))
    while True:
        answer = p.select(
            "Write these changes?",
            [("Write these changes (y)", "write"), ("Show the full diff (d)", "diff"), ("Cancel (n)", "cancel")],
            default="write", keys={"y": "write", "d": "diff", "n": "cancel"},
        )
        if answer != "diff":
            return bool(answer == "write")
        show_diffs(changed, p)
