"""opencode: ``opencode.json`` (JSONC) ``provider.<id>`` (an OpenAI-compatible provider) and ``model``/``small_model``.

Facts read from opencode 1.18.33 (the ``opencode-ai`` npm package; see tests/conformance/test_opencode.py):

* the global config folder is ``$XDG_CONFIG_HOME/opencode`` (``~/.config/opencode``); opencode merges
  ``config.json``, ``opencode.json`` and ``opencode.jsonc`` there, in that order, and when none exists it
  creates ``opencode.jsonc`` itself. ``OPENCODE_CONFIG`` names one more file, merged over the global ones;
* project files: ``opencode.json``/``opencode.jsonc`` in the folder and its parents up to the git root,
  and ``.opencode/opencode.json(c)``; they are meant to be committed;
* the text is JSONC (comments and trailing commas, no JSON5 bare keys or single quotes), and before it is
  parsed every ``{env:VAR}`` is replaced with the variable (empty when unset) and every ``{file:path}``
  with the file's trimmed content (``~/`` is the home, a relative path is relative to the config file);
* ``model`` is ``<provider id>/<model id>``, split at the first ``/``; an unknown one fails every run, an
  unknown ``small_model`` silently falls back to the main model;
* a provider with ``npm: "@ai-sdk/openai-compatible"`` (the default for a custom provider) posts to
  ``{options.baseURL}/chat/completions`` with ``Authorization: Bearer {options.apiKey}``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from configurator.agents.base import (
    ActiveProvider,
    Agent,
    ConfigFile,
    Env,
    FileKind,
    Outcome,
    Profile,
    UsageSource,
    get_in,
    register_secrets,
    require_object,
    require_scalars,
)
from configurator.errors import ConfiguratorError

if TYPE_CHECKING:  # pragma: no cover
    from configurator.providers import ModelInfo
    from configurator.store import Transaction

ID = "opencode"
CONFIG = FileKind(ID, "json5", "opencode.json", "opencode opencode.json", ("opencode.json", "opencode.jsonc"))
SCHEMA_URL = "https://opencode.ai/config.json"
#: the AI SDK package of an OpenAI-compatible provider (the one setup writes)
OPENAI_COMPATIBLE = "@ai-sdk/openai-compatible"
#: provider packages built into opencode 1.18.33; any other ``npm`` is downloaded from the npm registry at startup
BUNDLED_PACKAGES = frozenset({
    "@ai-sdk/alibaba", "@ai-sdk/amazon-bedrock", "@ai-sdk/amazon-bedrock/mantle", "@ai-sdk/anthropic",
    "@ai-sdk/azure", "@ai-sdk/cerebras", "@ai-sdk/cohere", "@ai-sdk/deepinfra", "@ai-sdk/gateway",
    "@ai-sdk/github-copilot", "@ai-sdk/google", "@ai-sdk/google-vertex", "@ai-sdk/google-vertex/anthropic",
    "@ai-sdk/groq", "@ai-sdk/mistral", "@ai-sdk/openai", "@ai-sdk/openai-compatible", "@ai-sdk/perplexity",
    "@ai-sdk/togetherai", "@ai-sdk/vercel", "@ai-sdk/xai", "@openrouter/ai-sdk-provider", "gitlab-ai-provider",
    "venice-ai-sdk-provider",
})
#: the global files opencode merges, in load order (a later one wins on conflicting keys)
GLOBAL_NAMES = ("config.json", "opencode.json", "opencode.jsonc")
_ENV_REF = re.compile(r"\{env:([^}]+)\}")
_FILE_REF = re.compile(r"\{file:[^}]+\}")
_MISSING = object()


# --- where the files are ------------------------------------------------------------------------------


def _env(env: Env | None) -> Env:
    import os

    return os.environ if env is None else env


def config_dir(env: Env | None = None) -> Path:
    """``$XDG_CONFIG_HOME/opencode``, else ``~/.config/opencode`` (opencode's ``Global.Path.config``)."""
    from configurator.paths import home

    e = _env(env)
    xdg = e.get("XDG_CONFIG_HOME", "")
    return (Path(xdg) if xdg else home(e) / ".config") / "opencode"


def data_dir(env: Env | None = None) -> Path:
    """``$XDG_DATA_HOME/opencode`` (``auth.json``, the session database, logs)."""
    from configurator.paths import home

    e = _env(env)
    xdg = e.get("XDG_DATA_HOME", "")
    return (Path(xdg) if xdg else home(e) / ".local" / "share") / "opencode"


def global_config(env: Env | None = None) -> Path:
    """The global file opencode itself writes to: the first of opencode.jsonc, opencode.json, config.json that
    exists, else ``opencode.json`` (the name opencode's docs give)."""
    folder = config_dir(env)
    for name in ("opencode.jsonc", "opencode.json", "config.json"):
        if (folder / name).is_file():
            return folder / name
    return folder / "opencode.json"


def custom_config(env: Env | None = None) -> Path | None:
    """``$OPENCODE_CONFIG``: one more file, merged over the global ones."""
    value = _env(env).get("OPENCODE_CONFIG", "")
    return Path(value) if value else None


def target_config(env: Env | None = None) -> Path:
    """The file setup writes: ``$OPENCODE_CONFIG`` when it is set (it wins over the global files), else the global one."""
    return custom_config(env) or global_config(env)


def loaded_files(env: Env | None = None) -> list[Path]:
    """The user-level files opencode reads, in merge order (existing or not)."""
    folder = config_dir(env)
    files = [folder / name for name in GLOBAL_NAMES]
    custom = custom_config(env)
    return files + ([custom] if custom else [])


def user_files(env: Env | None = None) -> tuple[ConfigFile, ...]:
    main = global_config(env)
    out = [ConfigFile(ID, p.name, CONFIG.name, p, holds_secret=True)
           for p in loaded_files(env)[: len(GLOBAL_NAMES)] if p == main or p.is_file()]
    custom = custom_config(env)
    if custom is not None:
        out.append(ConfigFile(ID, custom.name, CONFIG.name, custom, holds_secret=True))
    return tuple(out)


def project_files(project: Path) -> tuple[ConfigFile, ...]:
    """``opencode.json`` and ``.opencode/opencode.json`` (their ``.jsonc`` twins when they exist): committed."""
    out = []
    for folder in (project, project / ".opencode"):
        for name in ("opencode.json", "opencode.jsonc"):
            path = folder / name
            if name == "opencode.json" or path.is_file():
                out.append(ConfigFile(ID, str(path.relative_to(project)), CONFIG.name, path, "project",
                                      committed=True))
    return tuple(out)


# --- references -----------------------------------------------------------------------------------------


def is_reference(value: str) -> bool:
    """``{env:VAR}`` or ``{file:path}``: opencode puts the variable or the file's content there."""
    return bool(_ENV_REF.search(value) or _FILE_REF.search(value))


def resolve(value: str, env: Env, config: Path) -> tuple[str, str | None]:
    """``value`` with ``{env:VAR}`` and ``{file:path}`` replaced the way opencode does, and what it came from."""
    from configurator.paths import home

    source: str | None = None
    envs = _ENV_REF.findall(value)
    if envs:
        source = ", ".join(f"${v}" for v in envs)
    value = _ENV_REF.sub(lambda m: env.get(m.group(1), ""), value)
    out, last = "", 0
    for m in _FILE_REF.finditer(value):
        raw = m.group(0)[len("{file:"):-1]
        path = home(env) / raw[2:] if raw.startswith("~/") else Path(raw)
        if not path.is_absolute():
            path = config.parent / path
        source = f"the file {path}"
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError:
            text = ""
        out += value[last:m.start()] + text
        last = m.end()
    return out + value[last:], source


# --- setup ------------------------------------------------------------------------------------------------


def api_key_value(profile: Profile) -> str:
    """What ``options.apiKey`` holds: the key (file mode) or ``{env:VAR}`` (env mode, and keychain mode: opencode
    cannot run a command for a key, so the variable is filled from the keychain where opencode starts)."""
    if profile.key_storage == "env":
        return "{env:" + str(profile.key_env) + "}"
    if profile.key_storage == "keychain":
        return "{env:" + keychain_var(profile) + "}"
    return str(profile.key)


def keychain_var(profile: Profile) -> str:
    """The variable opencode reads a keychain profile's key from: the profile's ``key_env`` when it names one,
    else ``AGENT_CONFIGURATOR_<NAME>_KEY``."""
    if profile.key_env:
        return profile.key_env
    name = re.sub(r"[^A-Z0-9]+", "_", str(profile.name or profile.provider_id).upper()).strip("_")
    return f"AGENT_CONFIGURATOR_{name or 'PROFILE'}_KEY"


def keychain_export(profile: Profile) -> str:
    """``export VAR="$(configurator key get NAME)"``: the one step that gives opencode a keychain profile's key
    (in the shell's environment only, never in a file)."""
    import shlex

    from configurator.tools import key_command

    return f'export {keychain_var(profile)}="$({shlex.join(key_command(str(profile.name)))})"'


def model_entry(m: ModelInfo) -> dict[str, Any]:
    return {"name": m.name, "limit": {"context": int(m.context_window), "output": int(m.max_tokens)}}


def _models(profile: Profile) -> list[ModelInfo]:
    return [profile.model] + ([profile.fast_model] if profile.fast_model.id != profile.model.id else [])


def provider_entry(profile: Profile) -> dict[str, Any]:
    return {
        "npm": OPENAI_COMPATIBLE,
        "name": profile.provider_name,
        "options": {"baseURL": profile.openai_base_url, "apiKey": api_key_value(profile)},
        "models": {m.id: model_entry(m) for m in _models(profile)},
    }


def _changes(profile: Profile, data: Any, new_file: bool) -> list[Any]:
    from configurator.store import Change

    pid = profile.provider_id
    base = ("provider", pid)
    changes = [Change(("$schema",), SCHEMA_URL)] if new_file else []
    if get_in(data, base, _MISSING) is _MISSING:
        changes.append(Change(base, provider_entry(profile)))
    else:
        changes += [
            Change(base + ("npm",), OPENAI_COMPATIBLE),
            Change(base + ("name",), profile.provider_name),
            Change(base + ("options", "baseURL"), profile.openai_base_url),
            Change(base + ("options", "apiKey"), api_key_value(profile)),
        ]
        for m in _models(profile):
            path = base + ("models", m.id)
            if get_in(data, path, _MISSING) is _MISSING:
                changes.append(Change(path, model_entry(m)))
            else:
                changes += [Change(path + ("name",), m.name),
                            Change(path + ("limit", "context"), int(m.context_window)),
                            Change(path + ("limit", "output"), int(m.max_tokens))]
    changes += [Change(("model",), f"{pid}/{profile.model.id}"),
                Change(("small_model",), f"{pid}/{profile.fast_model.id}")]
    # only what changes, so a second run leaves the file byte-identical
    return [c for c in changes if get_in(data, c.path, _MISSING) != c.value]


def apply(profile: Profile, tx: Transaction, outcome: Outcome) -> None:
    from configurator.store import apply_changes, apply_to_data

    path = target_config()
    doc = tx.open(path, "json5")
    register_secrets(doc.data)
    pid = profile.provider_id
    for kp in (("provider",), ("provider", pid), ("provider", pid, "options"), ("provider", pid, "models")):
        require_object(doc, kp)
    for m in _models(profile):
        require_object(doc, ("provider", pid, "models", m.id))
        require_object(doc, ("provider", pid, "models", m.id, "limit"))
    changes = _changes(profile, doc.data, not doc.text.strip())
    require_scalars(doc, changes)
    new_text = apply_changes(doc.text, changes, fmt="json5")
    expected = apply_to_data(doc.data, changes)
    tx.write(doc, new_text, expected=expected, secret=profile.key_storage == "file" or has_literal_key(expected))
    _notes(profile, doc.data, path, outcome)


def _notes(profile: Profile, data: Any, path: Path, outcome: Outcome) -> None:
    pid = profile.provider_id
    enabled = data.get("enabled_providers") if isinstance(data, dict) else None
    if isinstance(enabled, list) and pid not in enabled:
        outcome.notes.append(f"{path}: enabled_providers does not list {pid!r}, so opencode ignores the provider; "
                             "add it there.")
    disabled = data.get("disabled_providers") if isinstance(data, dict) else None
    if isinstance(disabled, list) and pid in disabled:
        outcome.notes.append(f"{path}: disabled_providers lists {pid!r}, so opencode ignores the provider; "
                             "remove it there.")
    if profile.key_storage == "env":
        outcome.notes.append(f"opencode reads the key from ${profile.key_env} (options.apiKey is "
                             f"\"{{env:{profile.key_env}}}\").")
    elif profile.key_storage == "keychain":
        var = keychain_var(profile)
        outcome.notes.append(f"opencode cannot run a command for its key, so it reads ${var} (options.apiKey is "
                             f"\"{{env:{var}}}\"): add `{keychain_export(profile)}` to your shell profile, or start "
                             "opencode with that variable set; the key stays out of every file.")


def has_literal_key(data: Any) -> bool:
    """True when some provider's ``options.apiKey`` holds a key itself (not an ``{env:}``/``{file:}`` reference)."""
    providers = data.get("provider") if isinstance(data, dict) else None
    for p in providers.values() if isinstance(providers, dict) else []:
        key = get_in(p, ("options", "apiKey"))
        if isinstance(key, str) and key and not is_reference(key):
            return True
    return False


# --- what opencode uses now --------------------------------------------------------------------------------


def _merge(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = _merge(a[k], v) if k in a else v
        return out
    return b


def split_model(value: str) -> tuple[str, str]:
    """``provider/model`` split at the first ``/`` (a model id may contain more)."""
    provider, _, model = value.partition("/")
    return provider, model


def active(env: Env) -> ActiveProvider | None:
    from configurator.store import read_document

    merged: dict[str, Any] = {}
    found: list[tuple[Path, Any]] = []
    for path in loaded_files(env):
        doc = read_document(path, "json5")
        if doc.exists:
            found.append((path, doc.data))
            merged = _merge(merged, doc.data if isinstance(doc.data, dict) else {})
    if not found:
        return None
    shown = found[-1][0]
    model = merged.get("model")
    if not isinstance(model, str) or "/" not in model:
        raise ConfiguratorError(f"{shown}: model is not set as <provider>/<model>; run setup.")
    pid, mid = split_model(model)
    provider = get_in(merged, ("provider", pid))
    if not isinstance(provider, dict):
        raise ConfiguratorError(
            f"{shown}: model {model!r} names provider {pid!r}, which is not defined under provider "
            "(verify checks providers defined in the config)."
        )
    where = next((p for p, d in reversed(found) if get_in(d, ("provider", pid, "options", "baseURL")) is not None),
                 shown)
    setting = f"options.baseURL of provider.{pid} in {where}"
    raw_base = get_in(provider, ("options", "baseURL"))
    if not isinstance(raw_base, str) or not raw_base:
        raise ConfiguratorError(f"{where}: provider.{pid} has no options.baseURL; run setup.")
    base = resolve(raw_base, env, where)[0].rstrip("/")
    key, source = _key(provider, pid, env, found)
    api_id = get_in(provider, ("models", mid, "id"))
    sent = api_id if isinstance(api_id, str) and api_id else mid
    npm = provider.get("npm") or OPENAI_COMPATIBLE
    if npm == "@ai-sdk/anthropic":
        return ActiveProvider(ID, pid, "anthropic-messages", base, base + "/messages", sent, key, source,
                              "x-api-key", setting)
    if npm == "@ai-sdk/openai":
        return ActiveProvider(ID, pid, "openai-responses", base, base + "/responses", sent, key, source, "bearer",
                              setting)
    return ActiveProvider(ID, pid, "openai-chat", base, base + "/chat/completions", sent, key, source, "bearer",
                          setting)


def _key(provider: dict[str, Any], pid: str, env: Env, found: list[tuple[Path, Any]]) -> tuple[str | None, str]:
    """The key opencode would send: options.apiKey (references resolved), the provider's env list, auth.json."""
    raw = get_in(provider, ("options", "apiKey"))
    if isinstance(raw, str):
        where = next((p for p, d in reversed(found) if get_in(d, ("provider", pid, "options", "apiKey")) is not None),
                     found[-1][0])
        value, source = resolve(raw, env, where)
        return value.strip() or None, source or f"options.apiKey of provider.{pid} in {where}"
    names = provider.get("env")
    for name in names if isinstance(names, list) else []:
        if isinstance(name, str) and env.get(name):
            return env[name], f"${name}"
    from configurator.store import read_document

    auth = data_dir(env) / "auth.json"
    doc = read_document(auth, "json")
    entry = doc.data.get(pid) if doc.exists and isinstance(doc.data, dict) else None
    if isinstance(entry, dict) and entry.get("type") == "api" and isinstance(entry.get("key"), str):
        return entry["key"] or None, f"{pid} in {auth}"
    return None, f"options.apiKey of provider.{pid}"


def session_path(name: str) -> Path:
    from configurator import paths

    return paths.sessions_dir() / f"{name}.opencode.json"


def session_files(name: str) -> tuple[Path, ...]:
    return (session_path(name),)


def session(profile: Profile, tx: Transaction | None) -> str:
    """A file for ``OPENCODE_CONFIG=FILE opencode`` (merged over the global config): the provider and the models.
    opencode cannot run a command for its key, so in file mode the key is in this 0600 file (in our own config
    folder, never a project); in env mode it is ``{env:VAR}``."""
    import shlex

    path = session_path(str(profile.name))
    if tx is not None:
        from configurator.store import render_document

        pid = profile.provider_id
        data = {"$schema": SCHEMA_URL, "provider": {pid: provider_entry(profile)},
                "model": f"{pid}/{profile.model.id}", "small_model": f"{pid}/{profile.fast_model.id}"}
        doc = tx.open(path, "json")
        tx.write(doc, render_document(data, fmt="json"), expected=data, secret=profile.key_storage == "file")
    if profile.key_storage == "keychain":
        from configurator.tools import key_command

        return (f'{keychain_var(profile)}="$({shlex.join(key_command(str(profile.name)))})" '
                f"OPENCODE_CONFIG={shlex.quote(str(path))} opencode")
    return f"OPENCODE_CONFIG={shlex.quote(str(path))} opencode"


AGENT = Agent(
    id=ID,
    display="opencode",
    executable="opencode",
    kinds=(CONFIG,),
    user_files=user_files,
    project_files=project_files,
    apply=apply,
    active=active,
    next_step='opencode: run `opencode` (or `opencode run "hello"`); `opencode debug config` shows the merged config.',
    protocol="openai-chat",
    usage=UsageSource("configurator.usage.discovery:opencode_files", "configurator.usage.opencode"),
    session=session,
    session_files=session_files,
)
