"""opencode ``opencode.json`` (JSONC) rules. Keys in a committed project file are the common rules' job
(``secret-in-project-file``, ``placeholder-api-key``): the agent lists opencode's project files as committed."""

from __future__ import annotations

import difflib
import json
from typing import TYPE_CHECKING, Any

from configurator.agents import opencode
from configurator.lint.findings import Fix, KeyPath
from configurator.lint.registry import rule
from configurator.lint.rules.codex import url_path_empty, with_v1

if TYPE_CHECKING:  # pragma: no cover
    from configurator.lint.context import LintContext

OPENCODE = (opencode.CONFIG.name,)
#: packages whose baseURL is the OpenAI-compatible root (requests go to {baseURL}/chat/completions or /responses)
_OPENAI_PACKAGES = (opencode.OPENAI_COMPATIBLE, "@ai-sdk/openai")


def _providers(ctx: LintContext) -> dict[str, dict[str, Any]]:
    table = ctx.data.get("provider")
    if not isinstance(table, dict):
        return {}
    return {pid: p for pid, p in table.items() if isinstance(p, dict)}


# --- JSONC, not JSON5 ----------------------------------------------------------------------------------


def jsonc_error(text: str) -> tuple[int, int, str] | None:
    """Where ``text`` is not JSONC (JSON plus comments and trailing commas), as opencode reads it; None when it is.

    Comments and trailing commas are blanked out (positions kept), then the standard JSON parser judges the
    rest: JSON5 bare keys, single quotes, hex numbers, NaN and the like are reported where they start."""
    out = list(text)
    i, n = 0, len(text)
    last_comma: int | None = None  # a comma outside strings with only blanks after it so far
    while i < n:
        c = text[i]
        if c == '"':
            last_comma = None
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            continue
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out[i:end] = " " * (end - i)
            i = end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out[i:end] = [ch if ch in "\r\n" else " " for ch in text[i:end]]
            i = end
            continue
        if c == ",":
            last_comma = i
        elif c in "}]":
            if last_comma is not None:
                out[last_comma] = " "
            last_comma = None
        elif not c.isspace():
            last_comma = None
        i += 1

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        json.loads("".join(out), parse_constant=no_constants)
    except json.JSONDecodeError as e:
        return e.lineno, e.colno, e.msg
    except ValueError as e:
        return 1, 1, str(e)
    return None


@rule(
    "opencode-jsonc-syntax", severity="error", kinds=OPENCODE,
    summary="JSON5-only syntax (bare keys, single quotes, hex numbers...) in an opencode file.",
    rationale="opencode reads opencode.json as JSONC: JSON plus comments and trailing commas, nothing more. A bare "
    "key or a single-quoted string makes it refuse to start (\"is not valid JSON(C)\"), and its error message "
    "prints the file with every {env:...} already replaced, keys included.",
    example='{ model: "atlascloud/deepseek-ai/deepseek-v4-pro" }   <- a bare key is JSON5, not JSONC',
    fix='Quote every key and string with double quotes: { "model": "atlascloud/deepseek-ai/deepseek-v4-pro" }.',
)
def check_jsonc(ctx: LintContext) -> None:
    err = jsonc_error(ctx.text)
    if err is not None:
        line, col, msg = err
        ctx.report("opencode-jsonc-syntax", (), f"not JSONC at line {line}, column {col} ({msg}): opencode accepts "
                   "JSON with comments and trailing commas only (no bare keys, single quotes or JSON5 numbers). "
                   "Fix: quote keys and strings with double quotes.", at=(line, col))


# --- provider --------------------------------------------------------------------------------------------


@rule(
    "opencode-base-url-missing-v1", severity="error", kinds=OPENCODE, autofix=True,
    summary="An OpenAI-compatible provider whose options.baseURL has an empty or / path.",
    rationale="With npm @ai-sdk/openai-compatible (or @ai-sdk/openai) opencode posts to {baseURL}/chat/completions "
    "(or /responses). OpenAI-compatible endpoints live under /v1, so a bare host answers 404 and every run "
    "fails.",
    example='"provider": { "atlascloud": { "npm": "@ai-sdk/openai-compatible",\n'
    '  "options": { "baseURL": "https://api.atlascloud.ai" } } }',
    fix='Append /v1: "baseURL": "https://api.atlascloud.ai/v1" (--fix does it).',
)
def check_base_url(ctx: LintContext) -> None:
    for pid, p in _providers(ctx).items():
        npm = p.get("npm")
        options = p.get("options")
        url = options.get("baseURL") if isinstance(options, dict) else None
        if npm in _OPENAI_PACKAGES and isinstance(url, str) and url_path_empty(url):
            fixed = with_v1(url)
            kp = ("provider", pid, "options", "baseURL")
            ctx.report("opencode-base-url-missing-v1", kp,
                       f"provider.{pid}.options.baseURL {json.dumps(url)} has no path but npm is {json.dumps(npm)}, "
                       f"whose requests go to {{baseURL}}/chat/completions (or /responses) under the /v1 base. "
                       f"Fix: use {json.dumps(fixed)}.",
                       value=True, fix=Fix(f"baseURL -> {json.dumps(fixed)}", "set", kp, fixed))


@rule(
    "opencode-unknown-npm", severity="warning", kinds=OPENCODE,
    summary="A provider's npm package is not one of the AI SDK packages built into opencode.",
    rationale="opencode bundles the common AI SDK provider packages (@ai-sdk/openai-compatible, @ai-sdk/anthropic, "
    "...). Any other npm name is downloaded from the npm registry when opencode starts: a misspelt one fails "
    "every run (an error here when it is one letter or two from a bundled package), and any unbundled one fails "
    "offline.",
    example='"provider": { "atlascloud": { "npm": "@ai-sdk/openai-compatable" } }',
    fix='Use a bundled package; for an OpenAI-compatible API that is "@ai-sdk/openai-compatible".',
)
def check_npm(ctx: LintContext) -> None:
    bundled = sorted(opencode.BUNDLED_PACKAGES)
    for pid, p in _providers(ctx).items():
        npm = p.get("npm")
        if not isinstance(npm, str) or npm in opencode.BUNDLED_PACKAGES:
            continue
        kp = ("provider", pid, "npm")
        close = difflib.get_close_matches(npm, bundled, n=1, cutoff=0.9)
        if close:
            ctx.report("opencode-unknown-npm", kp,
                       f"provider.{pid}.npm {json.dumps(npm)} is not a package opencode knows; it looks like a typo of "
                       f"{json.dumps(close[0])}, and opencode will fail to install it. Fix: use {json.dumps(close[0])}.",
                       value=True, severity="error",
                       fix=Fix(f"npm -> {json.dumps(close[0])}", "set", kp, close[0], safe=False))
        else:
            ctx.report("opencode-unknown-npm", kp,
                       f"provider.{pid}.npm {json.dumps(npm)} is not bundled with opencode: it is downloaded from the "
                       "npm registry at startup, and runs fail offline or if the name is wrong. Fix: use a bundled "
                       f"package such as {json.dumps(opencode.OPENAI_COMPATIBLE)} if the API is OpenAI-compatible.",
                       value=True)


# --- model / small_model ---------------------------------------------------------------------------------


def _model_problem(ctx: LintContext, value: str) -> str | None:
    """Why opencode cannot resolve ``value`` (``provider/model``) from this file, or None."""
    if "/" not in value:
        return "is not written <provider id>/<model id>"
    pid, mid = opencode.split_model(value)
    disabled = ctx.data.get("disabled_providers")
    if isinstance(disabled, list) and pid in disabled:
        return f"names provider {json.dumps(pid)}, which disabled_providers turns off"
    enabled = ctx.data.get("enabled_providers")
    if isinstance(enabled, list) and pid not in enabled:
        return f"names provider {json.dumps(pid)}, which enabled_providers does not list"
    provider = _providers(ctx).get(pid)
    # a provider with its own npm package is a custom one: its models are only the ones listed here
    if provider is None or "npm" not in provider:
        return None
    models = provider.get("models")
    ids = sorted(models) if isinstance(models, dict) else []
    if mid in ids:
        return None
    listed = ", ".join(json.dumps(f"{pid}/{i}") for i in ids) or "none"
    return f"names model {json.dumps(mid)}, which provider.{pid}.models does not define (defined: {listed})"


@rule(
    "opencode-model-undefined", severity="error", kinds=OPENCODE,
    summary="model or small_model names a provider/model opencode cannot find.",
    rationale="model is <provider id>/<model id> (split at the first /). A custom provider (one with its own npm "
    "package) has only the models listed under its models, and a provider turned off by disabled_providers or "
    "left out of enabled_providers has none: an unknown model fails every run; an unknown small_model is "
    "silently replaced by the main model (a warning).",
    example='"model": "atlascloud/deepseek-v4-pro"\n'
    '// but provider.atlascloud.models only has "deepseek-ai/deepseek-v4-pro"',
    fix="Write <provider id>/<model id> exactly as defined under provider.<id>.models, or add the model there.",
)
def check_models(ctx: LintContext) -> None:
    for key in ("model", "small_model"):
        value = ctx.data.get(key)
        if not isinstance(value, str):
            continue
        problem = _model_problem(ctx, value)
        if problem is None:
            continue
        kp: KeyPath = (key,)
        if key == "model":
            ctx.report("opencode-model-undefined", kp,
                       f"model {json.dumps(value)} {problem}: every opencode run fails. Fix: use a defined "
                       "<provider>/<model>, or define it under provider.", value=True)
        else:
            ctx.report("opencode-model-undefined", kp,
                       f"small_model {json.dumps(value)} {problem}: opencode silently uses the main model for titles "
                       "and summaries instead. Fix: use a defined <provider>/<model>, or define it under provider.",
                       value=True, severity="warning")
