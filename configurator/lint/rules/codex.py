"""Codex ``config.toml`` rules (``auth.json`` is covered by the schema and the common key rules)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from configurator.agents import codex
from configurator.lint.findings import Fix
from configurator.lint.registry import rule
from configurator.lint.rules.common import jsonpath
from configurator.lint.secrets_scan import is_real_key
from configurator.secrets import is_placeholder, looks_like_secret, mask

if TYPE_CHECKING:  # pragma: no cover
    from configurator.lint.context import LintContext

CODEX = (codex.CONFIG.name,)


def providers(ctx: LintContext) -> dict[str, Any]:
    table = ctx.data.get("model_providers")
    return table if isinstance(table, dict) else {}


def _provider_items(ctx: LintContext) -> list[tuple[str, dict[str, Any]]]:
    return [(pid, p) for pid, p in providers(ctx).items() if isinstance(p, dict)]


def is_profile_file(path: Path) -> bool:
    """A Codex profile file (``$CODEX_HOME/<name>.config.toml``, an overlay on the config.toml next to it)."""
    name = path.name.lower()
    return name.endswith(codex.PROFILE_SUFFIX) and name not in codex.CONFIG.file_names


def _base_providers(ctx: LintContext) -> dict[str, Any]:
    """For a profile file: the providers of the config.toml it overlays (the profile may name one of them)."""
    if not is_profile_file(ctx.path):
        return {}
    base = ctx.state.file_data(ctx.path.parent / codex.CONFIG.file_names[0], codex.CONFIG.fmt)
    table = base.get("model_providers") if isinstance(base, dict) else None
    return table if isinstance(table, dict) else {}


def url_path_empty(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return bool(parts.scheme and parts.netloc) and parts.path in ("", "/")


def with_v1(url: str) -> str:
    parts = urlsplit(url.strip())
    return parts._replace(path="/v1").geturl()


@rule(
    "codex-wire-api-chat", severity="error", kinds=CODEX, autofix=True,
    summary='wire_api = "chat": refused by Codex 0.95 and newer.',
    rationale='Codex 0.95 removed the Chat Completions wire API; any newer Codex refuses to load a config.toml '
    'with wire_api = "chat" at all. Older Codex still accepts it (a warning then, from --codex-version or the '
    'installed codex --version).',
    example='[model_providers.atlas]\nbase_url = "https://api.atlascloud.ai/v1"\nwire_api = "chat"',
    fix='Use wire_api = "responses" (--fix does it unless your Codex is older than 0.95).',
)
def check_wire_api(ctx: LintContext) -> None:
    for pid, p in _provider_items(ctx):
        if p.get("wire_api") != "chat":
            continue
        version = ctx.state.codex_version()
        old = version is not None and version < codex.CHAT_REMOVED_IN
        kp = ("model_providers", pid, "wire_api")
        if old:
            v = ".".join(map(str, version or ()))
            ctx.report("codex-wire-api-chat", kp,
                       f'[model_providers.{pid}] uses wire_api = "chat": your Codex {v} accepts it, but Codex 0.95 and '
                       'newer refuse the whole file. Fix: switch to "responses" before upgrading.',
                       value=True, severity="warning",
                       fix=Fix('wire_api -> "responses"', "set", kp, "responses", safe=False))
        else:
            ctx.report("codex-wire-api-chat", kp,
                       f'[model_providers.{pid}] uses wire_api = "chat", which Codex 0.95 and newer refuse to load. '
                       'Fix: set wire_api = "responses".',
                       value=True, fix=Fix('wire_api -> "responses"', "set", kp, "responses"))


@rule(
    "codex-base-url-missing-v1", severity="error", kinds=CODEX, autofix=True,
    summary="A provider base_url with an empty or / path.",
    rationale="Codex appends /responses (or /chat/completions) to base_url. OpenAI-compatible APIs live under "
    "/v1, so https://host gives https://host/responses, which answers 404.",
    example='[model_providers.atlas]\nbase_url = "https://api.atlascloud.ai"',
    fix='Append /v1: base_url = "https://api.atlascloud.ai/v1" (--fix does it).',
)
def check_base_url(ctx: LintContext) -> None:
    for pid, p in _provider_items(ctx):
        url = p.get("base_url")
        if isinstance(url, str) and url_path_empty(url):
            fixed = with_v1(url)
            kp = ("model_providers", pid, "base_url")
            ctx.report("codex-base-url-missing-v1", kp,
                       f"[model_providers.{pid}] base_url {json.dumps(url)} has no path, so Codex posts to "
                       f"{url.rstrip('/')}/responses. Fix: use {json.dumps(fixed)}.",
                       value=True, fix=Fix(f"base_url -> {json.dumps(fixed)}", "set", kp, fixed))


@rule(
    "codex-reserved-provider-id", severity="error", kinds=CODEX,
    summary="[model_providers.openai|ollama|lmstudio|amazon-bedrock]: a built-in provider id.",
    rationale="These ids name providers built into Codex. Codex refuses (or, in older versions, silently "
    "ignores) a [model_providers.<id>] table that reuses one, so your base_url and key are not used.",
    example='[model_providers.openai]\nbase_url = "https://api.atlascloud.ai/v1"',
    fix="Rename the table to an id of your own (e.g. [model_providers.atlas]) and point model_provider at it.",
)
def check_reserved(ctx: LintContext) -> None:
    for pid in providers(ctx):
        if pid in codex.RESERVED_PROVIDER_IDS:
            ctx.report("codex-reserved-provider-id", ("model_providers", pid),
                       f"[model_providers.{pid}] reuses the id of a provider built into Codex. Fix: rename the table "
                       f"(e.g. [model_providers.my-{pid}]) and set model_provider to the new id.")


@rule(
    "codex-provider-undefined", severity="error", kinds=CODEX,
    summary="model_provider names no defined or built-in provider.",
    rationale="Codex stops at startup when model_provider (top level or in a profile) names a provider that is "
    "neither built in nor a [model_providers.<id>] table.",
    example='model_provider = "atlas"\n# but no [model_providers.atlas] table',
    fix="Define [model_providers.<id>] with name, base_url and wire_api, or correct the id.",
)
def check_undefined(ctx: LintContext) -> None:
    known = set(providers(ctx)) | set(_base_providers(ctx)) | codex.RESERVED_PROVIDER_IDS
    for kp, pid in codex.provider_refs(ctx.data):
        if isinstance(pid, str) and pid not in known:
            defined = ", ".join(sorted(known))
            ctx.report("codex-provider-undefined", kp,
                       f"{jsonpath(kp)} is {json.dumps(pid)}, but no such provider is defined (known: {defined}). "
                       f"Fix: add a [model_providers.{pid}] table or use one of the known ids.", value=True)


def _auth_has_key(auth_path: Path) -> bool:
    from configurator.errors import ConfiguratorError
    from configurator.store import read_document

    try:
        doc = read_document(auth_path, "json")
    except ConfiguratorError:
        return False
    if not doc.exists or not isinstance(doc.data, dict):
        return False
    key = doc.data.get("OPENAI_API_KEY")
    if isinstance(key, str) and key.strip() and not is_placeholder(key):
        return True
    tokens = doc.data.get("tokens")
    return isinstance(tokens, dict) and any(isinstance(v, str) and v for v in tokens.values())


@rule(
    "codex-auth-missing", severity="error", kinds=CODEX,
    summary="requires_openai_auth = true but the sibling auth.json holds no OPENAI_API_KEY or tokens.",
    rationale="With requires_openai_auth = true Codex takes the key from auth.json next to config.toml "
    "(OPENAI_API_KEY, or ChatGPT login tokens). Without one it shows the login screen or fails with 401.",
    example='[model_providers.atlas]\nrequires_openai_auth = true\n# ~/.codex/auth.json missing or {"OPENAI_API_KEY": null}',
    fix='Put the key in auth.json ({"OPENAI_API_KEY": "..."}; `configurator setup --key-storage file` does it), or '
    'use env_key = "VAR" with requires_openai_auth = false.',
)
def check_auth_missing(ctx: LintContext) -> None:
    needing = [pid for pid, p in _provider_items(ctx) if p.get("requires_openai_auth") is True]
    if not needing:
        return
    auth = ctx.path.parent / "auth.json"
    if _auth_has_key(auth):
        return
    for pid in needing:
        ctx.report("codex-auth-missing", ("model_providers", pid, "requires_openai_auth"),
                   f"[model_providers.{pid}] requires_openai_auth = true, but {auth} holds no OPENAI_API_KEY or login "
                   "tokens. Fix: add the key to auth.json (configurator setup) or use env_key with "
                   "requires_openai_auth = false.", value=True)


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def env_key_is_a_key(value: str) -> bool:
    """True when an ``env_key`` holds a key (pasted where the variable's name belongs): shaped like a
    credential, or not a variable name and long enough to be a key."""
    v = value.strip()
    if looks_like_secret(v):
        return True
    return (not _ENV_NAME.fullmatch(v) and is_real_key(v) and len(v) >= 16
            and any(c.isdigit() for c in v) and any(c.isalpha() for c in v))


def _suggested_var(pid: str) -> str:
    name = re.sub(r"[^A-Z0-9]+", "_", pid.upper()).strip("_")
    return f"{name or 'PROVIDER'}_API_KEY" if not name[:1].isdigit() else f"PROVIDER_{name}_API_KEY"


@rule(
    "codex-env-key-is-a-key", severity="error", kinds=CODEX,
    summary="env_key holds a key instead of the name of the variable that holds it.",
    rationale="env_key names an environment variable (ATLAS_API_KEY); Codex looks up a variable of that name. "
    "A key pasted there is never sent (Codex stops with \"Missing environment variable\"), and it now sits in "
    "a config file that is often shared or committed.",
    example='[model_providers.atlas]\nenv_key = "sk-..."   # the key itself',
    fix="Export the key in your shell profile (export ATLAS_API_KEY=...), set env_key = \"ATLAS_API_KEY\", and "
    "rotate the key if the file was shared.",
)
def check_env_key_is_a_key(ctx: LintContext) -> None:
    for pid, p in _provider_items(ctx):
        value = p.get("env_key")
        if isinstance(value, str) and env_key_is_a_key(value):
            var = _suggested_var(pid)
            ctx.report("codex-env-key-is-a-key", ("model_providers", pid, "env_key"),
                       f"[model_providers.{pid}] env_key holds a key ({mask(value.strip())}), not the name of an "
                       f"environment variable. Fix: export {var}=<that key> in your shell profile, set "
                       f'env_key = "{var}", and rotate the key if this file was shared.', value=True)


@rule(
    "codex-env-key-unset", severity="warning", kinds=CODEX,
    summary="env_key names an environment variable that is not set here.",
    rationale="Codex reads the provider's key from the variable named by env_key and stops with \"Missing "
    "environment variable\" when it is unset or empty.",
    example='[model_providers.atlas]\nenv_key = "ATLAS_API_KEY"   # but ATLAS_API_KEY is not exported',
    fix="Export the variable in your shell profile (export ATLAS_API_KEY=...), or store the key in auth.json.",
)
def check_env_key(ctx: LintContext) -> None:
    for pid, p in _provider_items(ctx):
        var = p.get("env_key")
        if not isinstance(var, str) or not var or env_key_is_a_key(var):  # a key there: codex-env-key-is-a-key
            continue
        if not (ctx.env.get(var) or "").strip():
            ctx.report("codex-env-key-unset", ("model_providers", pid, "env_key"),
                       f"[model_providers.{pid}] env_key is {json.dumps(var)}, but ${var} is not set in this "
                       f"environment. Fix: export {var}=<your key> in your shell profile.", value=True)


def safe_profile_name(name: str) -> bool:
    """True when ``name`` can be a file name in $CODEX_HOME (``<name>.config.toml``)."""
    return (bool(name.strip()) and name not in (".", "..") and not any(c in name for c in "/\\\0")
            and all(c.isprintable() for c in name))


@rule(
    "codex-legacy-profile", severity="error", kinds=CODEX, autofix=True,
    summary='profile = "x" or [profiles.x] in config.toml: Codex 0.134 and newer read profiles from x.config.toml.',
    rationale='Since Codex 0.134 a profile is a file of its own, $CODEX_HOME/<name>.config.toml, selected with '
    '`codex -p <name>`. A top-level profile = "x" makes Codex refuse to load config.toml ("legacy `profile = '
    '"x"` config is no longer supported"), and `codex -p x` refuses to start while config.toml still has a '
    '[profiles.x] table ("cannot be used while ... contains legacy ... config"). Older Codex still reads both '
    '(the rule is silent with --codex-version below 0.134).',
    example='profile = "fast"\n\n[profiles.fast]\nmodel = "deepseek-ai/deepseek-v4-flash"',
    fix='Move each [profiles.<name>] table into $CODEX_HOME/<name>.config.toml (its keys at the top level), remove '
    'profile = "x", and run `codex -p <name>`. --fix does it, unless <name>.config.toml already exists.',
)
def check_legacy_profile(ctx: LintContext) -> None:
    data = ctx.data if isinstance(ctx.data, dict) else {}
    if "profile" not in data and "profiles" not in data:
        return  # (codex --version is asked only when it matters)
    version = ctx.state.codex_version()
    if version is not None and version < codex.PROFILE_FILES.since:
        return
    in_profile_file = is_profile_file(ctx.path)
    here = "this profile file" if in_profile_file else "config.toml"
    selected = data.get("profile")
    if "profile" in data:
        shown = json.dumps(selected) if isinstance(selected, str) else "..."
        use = (f" and run `codex -p {selected}` (its settings in {selected}{codex.PROFILE_SUFFIX})"
               if isinstance(selected, str) and safe_profile_name(selected) else "")
        ctx.report("codex-legacy-profile", ("profile",),
                   f"profile = {shown} selects a legacy profile: Codex 0.134 and newer refuse to load {here} with it "
                   f"(\"legacy `profile = {shown}` config is no longer supported\"). Fix: remove it{use}; --fix does.",
                   fix=Fix(f"remove profile = {shown}", "delete", ("profile",)))
    profiles = data.get("profiles")
    if not isinstance(profiles, dict):
        return
    for name, table in profiles.items():
        kp = ("profiles", name)
        label = f"[profiles.{name}]" if _BARE_KEY.fullmatch(name) else f"[profiles.{json.dumps(name)}]"
        if in_profile_file:
            ctx.report("codex-legacy-profile", kp,
                       f"{label} in a profile file is ignored by Codex 0.134 and newer. Fix: move it by hand into "
                       f"{name}{codex.PROFILE_SUFFIX} next to config.toml (its keys at the top level), or delete it.",
                       severity="warning")
            continue
        if not isinstance(table, dict):
            continue
        if not safe_profile_name(name):
            ctx.report("codex-legacy-profile", kp,
                       f"{label} is a legacy profile table, and its name cannot be a file name, so it cannot become a "
                       f"profile file. Fix: rename it and move its keys into <new name>{codex.PROFILE_SUFFIX} by hand.",
                       severity="warning")
            continue
        dest = ctx.path.parent / f"{name}{codex.PROFILE_SUFFIX}"
        why = (f"Codex 0.134 and newer ignore {label} in config.toml and `codex -p {name}` refuses to start while it is "
               f"here (\"cannot be used while ... contains legacy ... config\")")
        if dest.exists():
            ctx.report("codex-legacy-profile", kp,
                       f"{why}. {dest} is in the way: it already exists, so --fix leaves {label} here. Fix: merge "
                       f"{label} into {dest} by hand (its keys at the top level) and delete the table.",
                       severity="warning")
            continue
        ctx.report("codex-legacy-profile", kp,
                   f"{why}. Fix: move its keys into {dest} (top level) and run `codex -p {name}`; --fix does.",
                   severity="warning",
                   fix=Fix(f"move {label} to {dest.name}", "extract", kp, str(dest)))


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
