"""OpenClaw ``openclaw.json`` (JSON5) rules."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from configurator.agents import openclaw
from configurator.lint.findings import Fix, KeyPath
from configurator.lint.registry import rule
from configurator.lint.rules.codex import url_path_empty, with_v1

if TYPE_CHECKING:  # pragma: no cover
    from configurator.lint.context import LintContext

OPENCLAW = (openclaw.CONFIG.name,)


def _providers(ctx: LintContext) -> list[tuple[str, dict[str, Any]]]:
    models = ctx.data.get("models")
    table = models.get("providers") if isinstance(models, dict) else None
    if not isinstance(table, dict):
        return []
    return [(pid, p) for pid, p in table.items() if isinstance(p, dict)]


def _model_list(p: dict[str, Any]) -> list[Any]:
    models = p.get("models")
    return models if isinstance(models, list) else []


@rule(
    "openclaw-base-url-missing-v1", severity="error", kinds=OPENCLAW, autofix=True,
    summary="An openai-* provider whose baseUrl has an empty or / path.",
    rationale="For the openai-completions / openai-responses APIs OpenClaw appends /chat/completions or "
    "/responses to baseUrl; OpenAI-compatible endpoints live under /v1, so a bare host answers 404.",
    example='models: { providers: { atlas: { baseUrl: "https://api.atlascloud.ai", api: "openai-completions" } } }',
    fix='Append /v1: baseUrl: "https://api.atlascloud.ai/v1" (--fix does it).',
)
def check_base_url(ctx: LintContext) -> None:
    for pid, p in _providers(ctx):
        api, url = p.get("api"), p.get("baseUrl")
        if isinstance(api, str) and api.startswith("openai-") and isinstance(url, str) and url_path_empty(url):
            fixed = with_v1(url)
            kp = ("models", "providers", pid, "baseUrl")
            ctx.report("openclaw-base-url-missing-v1", kp,
                       f"models.providers.{pid}.baseUrl {json.dumps(url)} has no path but api is {json.dumps(api)}, "
                       f"which needs the /v1 base. Fix: use {json.dumps(fixed)}.",
                       value=True, fix=Fix(f"baseUrl -> {json.dumps(fixed)}", "set", kp, fixed))


@rule(
    "openclaw-model-name-missing", severity="error", kinds=OPENCLAW, autofix=True,
    summary="A models[] entry without id or name.",
    rationale="OpenClaw's config schema requires both id and name on every model of a custom provider; one "
    "missing entry makes OpenClaw reject the whole file at startup.",
    example='models: [{ id: "deepseek-ai/deepseek-v4-pro", contextWindow: 1048576 }]',
    fix='Add the missing key: name: "DeepSeek V4 Pro" (--fix copies the id into a missing name).',
)
def check_model_names(ctx: LintContext) -> None:
    for pid, p in _providers(ctx):
        for i, m in enumerate(_model_list(p)):
            if not isinstance(m, dict):
                continue
            mid, name = m.get("id"), m.get("name")
            has_id = isinstance(mid, str) and mid != ""
            has_name = isinstance(name, str) and name != ""
            if has_id and has_name:
                continue
            kp = ("models", "providers", pid, "models", i)
            missing = " and ".join(k for k, ok in (("id", has_id), ("name", has_name)) if not ok)
            fix = None
            if has_id and "name" not in m:
                fix = Fix(f"models.providers.{pid}.models[{i}].name -> {json.dumps(mid)}", "set", kp + ("name",), mid)
            example = f"name: {json.dumps(mid)}" if has_id else 'id: "<the provider\'s model id>"'
            ctx.report("openclaw-model-name-missing", kp,
                       f"models.providers.{pid}.models[{i}] has no {missing}; OpenClaw rejects the file. "
                       f"Fix: add {missing} (e.g. {example}).", fix=fix)


def _model_refs(ctx: LintContext) -> list[tuple[str, KeyPath, str]]:
    """(what, key path, ``provider/model``) for the default agent's primary model and each fallback."""
    agents = ctx.data.get("agents")
    defaults = agents.get("defaults") if isinstance(agents, dict) else None
    model = defaults.get("model") if isinstance(defaults, dict) else None
    base: KeyPath = ("agents", "defaults", "model")
    if not isinstance(model, dict):
        return [("primary model", base, model)] if isinstance(model, str) else []
    refs: list[tuple[str, KeyPath, str]] = []
    if isinstance(model.get("primary"), str):
        refs.append(("primary model", (*base, "primary"), model["primary"]))
    fallbacks = model.get("fallbacks")
    if isinstance(fallbacks, list):
        refs += [(f"fallback model {i}", (*base, "fallbacks", i), f) for i, f in enumerate(fallbacks) if isinstance(f, str)]
    return refs


@rule(
    "openclaw-primary-undefined", severity="error", kinds=OPENCLAW,
    summary="agents.defaults.model.primary (or a fallback) names no defined or built-in provider/model.",
    rationale="The primary model and each fallback are written provider/model. When provider is one of "
    "models.providers, model must be one of its models[] ids. Otherwise provider must be built into OpenClaw "
    "(anthropic, openai, openrouter, ...; off when models.mode is \"replace\"). Any other reference passes "
    "`openclaw config validate`, then every run fails with \"Unknown model\".",
    example='agents: { defaults: { model: { primary: "atlas/deepseek-ai/deepseek-v4-pro" } } }\n'
    '// but the provider is defined as models.providers.atlascloud',
    fix="Set it to <provider id>/<model id> exactly as defined under models.providers, or name a built-in provider.",
)
def check_primary(ctx: LintContext) -> None:
    defined = dict(_providers(ctx))
    lowered = {pid.lower(): pid for pid in defined}
    models_cfg = ctx.data.get("models")
    replace = isinstance(models_cfg, dict) and models_cfg.get("mode") == "replace"
    for what, kp, ref in _model_refs(ctx):
        if "/" not in ref:
            continue
        provider, model_id = ref.split("/", 1)
        pid = provider if provider in defined else lowered.get(provider.strip().lower())
        if pid is not None:
            ids = [m.get("id") for m in _model_list(defined[pid]) if isinstance(m, dict)]
            if model_id in ids:
                continue
            listed = ", ".join(json.dumps(f"{pid}/{i}") for i in ids if isinstance(i, str)) or "none"
            ctx.report("openclaw-primary-undefined", kp,
                       f"{what} {json.dumps(ref)}: provider {json.dumps(pid)} defines no model "
                       f"{json.dumps(model_id)} (defined: {listed}). Fix: use one of those, or add the model.",
                       value=True)
        elif replace:
            ctx.report("openclaw-primary-undefined", kp,
                       f"{what} {json.dumps(ref)}: provider {json.dumps(provider)} is not in models.providers "
                       "and models.mode is \"replace\" (built-in providers are off). Fix: define the provider or "
                       "correct the id.", value=True)
        elif provider.strip().lower() not in openclaw.builtin_providers():
            listed = ", ".join(json.dumps(p) for p in defined) or "none"
            ctx.report("openclaw-primary-undefined", kp,
                       f"{what} {json.dumps(ref)}: provider {json.dumps(provider)} is neither defined under "
                       f"models.providers (defined: {listed}) nor built into OpenClaw, so "
                       f"{'every run' if kp[-1] == 'primary' or kp[-1] == 'model' else 'falling back to it'} fails "
                       "with \"Unknown model\". Fix: use <provider id>/<model id> of a defined provider, or define "
                       f"{json.dumps(provider)}.", value=True)


@rule(
    "openclaw-context-window-small", severity="warning", kinds=OPENCLAW,
    summary="contextWindow below 20000 tokens.",
    rationale="OpenClaw compacts the conversation when it nears contextWindow; with a small window its own "
    "system prompt and tools nearly fill it, so it compacts over and over and never gets work done.",
    example='models: [{ id: "m", name: "M", contextWindow: 8192 }]',
    fix="Set contextWindow to the model's real context size (at least 20000).",
)
def check_context_window(ctx: LintContext) -> None:
    for pid, p in _providers(ctx):
        places: list[tuple[KeyPath, Any]] = [(("models", "providers", pid, "contextWindow"), p.get("contextWindow"))]
        places += [(("models", "providers", pid, "models", i, "contextWindow"), m.get("contextWindow"))
                   for i, m in enumerate(_model_list(p)) if isinstance(m, dict)]
        for kp, cw in places:
            if isinstance(cw, (int, float)) and not isinstance(cw, bool) and cw < openclaw.MIN_CONTEXT_WINDOW:
                ctx.report("openclaw-context-window-small", kp,
                           f"contextWindow is {json.dumps(cw)}, below {openclaw.MIN_CONTEXT_WINDOW}: OpenClaw will compact in a loop. "
                           "Fix: set the model's real context size (at least 20000).", value=True)
