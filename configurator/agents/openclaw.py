"""OpenClaw: ``openclaw.json`` (JSON5) ``models.providers.<id>`` and the default agent model."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from configurator import paths
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
    keychain_name,
    register_secrets,
    require_object,
    require_scalars,
    run_key_helper,
)
from configurator.errors import ConfiguratorError

if TYPE_CHECKING:  # pragma: no cover
    from configurator.providers import ModelInfo
    from configurator.store import Transaction

ID = "openclaw"
CONFIG = FileKind(ID, "json5", "openclaw.json", "OpenClaw openclaw.json", ("openclaw.json", "openclaw.json5"),
                  name_prefix="openclaw")
#: a model's contextWindow below this sends OpenClaw into compaction loops
MIN_CONTEXT_WINDOW = 20000
_MISSING = object()


def user_files(env: Env | None = None) -> tuple[ConfigFile, ...]:
    return (ConfigFile(ID, "openclaw.json", CONFIG.name, paths.openclaw_config(env), holds_secret=True),)


def project_files(project: Path) -> tuple[ConfigFile, ...]:
    return ()


#: the ``secrets.providers`` entry that runs ``configurator key get --openclaw`` (keychain mode)
SECRETS_PROVIDER = "agent-configurator"
#: what the exec provider passes to the helper (OpenClaw starts it with these variables only): where our profiles
#: are (HOME, XDG_CONFIG_HOME) and how to reach the Secret Service's D-Bus session (Linux)
PASS_ENV = ("HOME", "XDG_CONFIG_HOME", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")


def api_key_value(profile: Profile) -> str | dict[str, str]:
    """What ``apiKey`` holds: the key (file mode), a ``${VAR}`` reference (env mode) or an exec SecretRef to our
    secrets provider whose id is the profile name (keychain mode)."""
    if profile.key_storage == "env":
        return "${" + str(profile.key_env) + "}"
    if profile.key_storage == "keychain":
        return {"source": "exec", "provider": SECRETS_PROVIDER, "id": keychain_name(profile)}
    return str(profile.key)


def helper_command() -> list[str]:
    """``configurator key get --openclaw`` as OpenClaw's exec provider accepts it: an absolute path that is not a
    link (OpenClaw refuses links, and files others may write), so the installed ``configurator`` script itself
    (a pipx link resolved to the script in its venv), else this interpreter resolved."""
    import os
    import sys

    from configurator.tools import self_command

    command = self_command()
    if len(command) > 1:  # python -m configurator: the console script beside the interpreter, when there is one
        script = os.path.join(os.path.dirname(os.path.abspath(sys.executable)), "configurator")
        if os.path.isfile(script):
            command = [script]
    return [os.path.realpath(command[0]), *command[1:], "key", "get", "--openclaw"]


def secrets_provider() -> dict[str, Any]:
    command = helper_command()
    return {"source": "exec", "command": command[0], "args": command[1:], "passEnv": list(PASS_ENV),
            "jsonOnly": True}


def model_entry(m: ModelInfo) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.name,
        "contextWindow": max(int(m.context_window), MIN_CONTEXT_WINDOW),
        "maxTokens": int(m.max_tokens),
    }


def desired_models(profile: Profile, existing: Any) -> list[dict[str, Any]]:
    """Our models first (merged over the user's entries for them), then the user's other models of this provider."""
    ours = [model_entry(profile.model)]
    if profile.fast_model.id != profile.model.id:
        ours.append(model_entry(profile.fast_model))
    if not isinstance(existing, list):
        return ours
    ids = {m["id"] for m in ours}
    kept = [m for m in existing if isinstance(m, dict) and m.get("id") not in ids]
    by_id = {m.get("id"): m for m in existing if isinstance(m, dict)}
    merged = []
    for m in ours:
        old = by_id.get(m["id"])
        merged.append({**old, **m} if isinstance(old, dict) else m)
    return merged + kept


def apply(profile: Profile, tx: Transaction, outcome: Outcome) -> None:
    from configurator.store import Change, apply_changes, apply_to_data

    path = paths.openclaw_config()
    doc = tx.open(path, "json5")
    register_secrets(doc.data)
    pid = profile.provider_id
    for kp in (("models",), ("models", "providers"), ("models", "providers", pid), ("agents",),
               ("agents", "defaults")):
        require_object(doc, kp)
    defaults = get_in(doc.data, ("agents", "defaults"), {})
    # OpenClaw takes the default model as {primary, fallbacks} or as a plain "provider/model" string.
    model_as_string = isinstance(defaults.get("model"), str)
    if not model_as_string:
        require_object(doc, ("agents", "defaults", "model"))
    primary_path = ("agents", "defaults", "model") if model_as_string else ("agents", "defaults", "model", "primary")
    primary = f"{pid}/{profile.model.id}"
    base = ("models", "providers", pid)
    if profile.key_storage == "keychain":
        for kp in (("secrets",), ("secrets", "providers"), ("secrets", "providers", SECRETS_PROVIDER)):
            require_object(doc, kp)
    changes = [
        Change(base + ("baseUrl",), profile.openai_base_url),
        Change(base + ("apiKey",), api_key_value(profile)),
        Change(base + ("api",), "openai-completions"),
        Change(base + ("models",), desired_models(profile, get_in(doc.data, base + ("models",)))),
        Change(primary_path, primary),
    ]
    if profile.key_storage == "keychain":
        changes.append(Change(("secrets", "providers", SECRETS_PROVIDER), secrets_provider()))
    allowlist = defaults.get("models")
    if isinstance(allowlist, dict) and allowlist and primary not in allowlist and f"{pid}/*" not in allowlist:
        outcome.notes.append(
            f"{path}: agents.defaults.models (the allowlist of models OpenClaw may use) does not list {primary}; "
            "add it there, or OpenClaw may refuse the model as not allowed."
        )
    for m in (profile.model, profile.fast_model):
        if m.context_window < MIN_CONTEXT_WINDOW:
            outcome.notes.append(
                f"contextWindow for {m.id} raised from {m.context_window} to {MIN_CONTEXT_WINDOW}: smaller values send "
                "OpenClaw into compaction loops."
            )
    # Only write what changes, so a second run leaves the file byte-identical.
    changes = [c for c in changes if get_in(doc.data, c.path, _MISSING) != c.value]
    # apiKey may be a SecretRef object (a keychain profile's) that a key or ${VAR} replaces: ours to replace
    require_scalars(doc, [c for c in changes if c.path != base + ("apiKey",)
                          or not isinstance(get_in(doc.data, c.path), dict)])
    new_text = apply_changes(doc.text, changes, fmt="json5")
    expected = apply_to_data(doc.data, changes)
    holds_secret = profile.key_storage == "file" or _has_literal_key(expected)
    tx.write(doc, new_text, expected=expected, secret=holds_secret)
    if profile.key_storage == "env":
        outcome.notes.append(f"OpenClaw reads the key from ${profile.key_env} (apiKey is \"${{{profile.key_env}}}\").")
    elif profile.key_storage == "keychain":
        outcome.notes.append(f"OpenClaw reads the key from the OS keychain through its exec secret provider "
                             f"secrets.providers.{SECRETS_PROVIDER} (`configurator key get --openclaw`, id "
                             f"{profile.name!r}); no key is written.")


def _has_literal_key(data: dict[str, Any]) -> bool:
    providers = get_in(data, ("models", "providers"), {})
    for p in providers.values() if isinstance(providers, dict) else []:
        key = p.get("apiKey") if isinstance(p, dict) else None
        if isinstance(key, str) and key and not key.startswith("${"):
            return True
    return False


@lru_cache(maxsize=1)
def builtin_providers() -> frozenset[str]:
    """Provider ids built into OpenClaw (lower case, aliases included), from templates/<agent id>/builtin-providers.json
    (derived from the real OpenClaw's bundled plugin manifests; a conformance test fails when it drifts)."""
    import json

    from configurator.resources import template_path

    data = json.loads(template_path(ID, "builtin-providers.json").read_text(encoding="utf-8"))
    return frozenset(data["providers"]) | frozenset(data["aliases"])


def active(env: Env) -> ActiveProvider | None:
    from configurator.store import read_document

    path = paths.openclaw_config(env)
    doc = read_document(path, "json5")
    if not doc.exists:
        return None
    primary = get_in(doc.data, ("agents", "defaults", "model"), {})
    primary = primary.get("primary") if isinstance(primary, dict) else primary
    if not isinstance(primary, str) or "/" not in primary:
        raise ConfiguratorError(f"{path}: agents.defaults.model.primary is not set as provider/model; run setup.")
    provider_id, model = primary.split("/", 1)
    provider = get_in(doc.data, ("models", "providers", provider_id))
    if not isinstance(provider, dict) and provider_id.strip().lower() in builtin_providers():
        return None  # a provider built into OpenClaw (its own login or key): not one configured here
    if not isinstance(provider, dict):
        raise ConfiguratorError(
            f"{path}: the primary model names provider {provider_id!r}, which is not under models.providers."
        )
    base = str(provider.get("baseUrl", "")).rstrip("/")
    raw_key = provider.get("apiKey")
    key: str | None = raw_key if isinstance(raw_key, str) else None
    source = f"apiKey of models.providers.{provider_id} in {path}"
    fetch: Callable[[], str] | None = None
    if isinstance(raw_key, dict):
        source = (f"SecretRef {raw_key.get('source')}:{raw_key.get('provider')}:{raw_key.get('id')} "
                  f"(apiKey of models.providers.{provider_id} in {path})")
        fetch = _exec_fetcher(doc.data, raw_key, env)
    if key and key.startswith("${") and key.endswith("}"):
        var = key[2:-1]
        source = f"${var}"
        key = env.get(var) or None
    setting = f"baseUrl of models.providers.{provider_id} in {path}"
    api = provider.get("api", "openai-completions")
    if api == "anthropic-messages":
        return ActiveProvider(ID, provider_id, "anthropic-messages", base, base + "/v1/messages", model, key, source,
                              "x-api-key", setting, fetch_key=fetch)
    if api == "openai-responses":
        return ActiveProvider(ID, provider_id, "openai-responses", base, base + "/responses", model, key, source,
                              "bearer", setting, fetch_key=fetch)
    return ActiveProvider(ID, provider_id, "openai-chat", base, base + "/chat/completions", model, key, source,
                          "bearer", setting, fetch_key=fetch)


def _exec_fetcher(data: Any, ref: dict[str, Any], env: Env) -> Callable[[], str] | None:
    """The key an exec SecretRef names, read the way OpenClaw reads it: the provider's command with
    ``{"protocolVersion": 1, "provider": NAME, "ids": [ID]}`` on stdin, ``{"values": {ID: KEY}}`` on stdout."""
    if ref.get("source") != "exec":
        return None
    name, ref_id = str(ref.get("provider")), str(ref.get("id"))
    spec = get_in(data, ("secrets", "providers", name))
    if not isinstance(spec, dict) or not isinstance(spec.get("command"), str):
        return None
    argv = [spec["command"], *(str(a) for a in spec.get("args", []) if isinstance(spec.get("args"), list))]
    passed = spec.get("passEnv")
    child_env = ({k: v for k, v in env.items() if k in passed} if isinstance(passed, list) else dict(env))

    def fetch() -> str:
        import json

        out = run_key_helper(argv, env=child_env, stdin=json.dumps(
            {"protocolVersion": 1, "provider": name, "ids": [ref_id]}))
        try:
            value = json.loads(out)["values"][ref_id]
        except (ValueError, KeyError, TypeError):
            raise ConfiguratorError(f"the exec secret provider {name!r} did not answer with a value for "
                                    f"{ref_id!r}.") from None
        if not isinstance(value, str) or not value:
            raise ConfiguratorError(f"the exec secret provider {name!r} gave no key for {ref_id!r}.")
        from configurator.secrets import register

        register(value)
        return value

    return fetch


AGENT = Agent(
    id=ID,
    display="OpenClaw",
    executable="openclaw",
    kinds=(CONFIG,),
    user_files=user_files,
    project_files=project_files,
    apply=apply,
    active=active,
    next_step="OpenClaw: run `openclaw config validate`, then `openclaw` as usual.",
    protocol="openai-chat",
    usage=UsageSource("configurator.usage.discovery:openclaw_files", "configurator.usage.openclaw"),
    session_note=("OpenClaw reads one whole config file (OPENCLAW_CONFIG_PATH picks another whole file, not a layer "
                  "over yours), so a per-session provider would mean a second copy of your whole config that drifts; "
                  "use `configurator use NAME --tool openclaw` to switch it."),
)
