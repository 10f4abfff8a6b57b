"""Claude Code ``settings.json`` (user, project, local) rules."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from configurator.lint.findings import Fix
from configurator.lint.registry import rule
from configurator.lint.rules.common import shown

if TYPE_CHECKING:  # pragma: no cover
    from configurator.lint.context import LintContext

CLAUDE = ("claude-settings",)
_MISPLACED = re.compile(r"^(ANTHROPIC_|CLAUDE_CODE_)[A-Z0-9_]*$")
_FALSY = {"0", "false", "no", "off", ""}
TIMEOUT_MAX = 2147483647


def _env(ctx: LintContext) -> dict[str, Any]:
    env = ctx.data.get("env") if isinstance(ctx.data, dict) else None
    return env if isinstance(env, dict) else {}


@rule(
    "claude-base-url-v1-suffix", severity="error", kinds=CLAUDE, autofix=True,
    summary="ANTHROPIC_BASE_URL ends with /v1.",
    rationale="Claude Code appends /v1/messages to ANTHROPIC_BASE_URL itself. A base URL ending in /v1 makes it "
    "post to /v1/v1/messages, which providers answer with 404.",
    example='{"env": {"ANTHROPIC_BASE_URL": "https://api.atlascloud.ai/v1"}}',
    fix='Strip the trailing /v1: "https://api.atlascloud.ai".',
)
def check_base_url(ctx: LintContext) -> None:
    url = _env(ctx).get("ANTHROPIC_BASE_URL")
    if not isinstance(url, str):
        return
    stripped = url.rstrip("/")
    if stripped.endswith("/v1"):
        fixed = stripped[: -len("/v1")]
        ctx.report("claude-base-url-v1-suffix", ("env", "ANTHROPIC_BASE_URL"),
                   f"ANTHROPIC_BASE_URL {json.dumps(url)} ends with /v1, so Claude Code posts to /v1/v1/messages. "
                   f"Fix: use {json.dumps(fixed)}.", value=True,
                   fix=Fix(f"ANTHROPIC_BASE_URL -> {json.dumps(fixed)}", "set", ("env", "ANTHROPIC_BASE_URL"), fixed))


@rule(
    "claude-env-misplaced", severity="error", kinds=CLAUDE, autofix=True,
    summary="ANTHROPIC_* / CLAUDE_CODE_* keys at the top level instead of inside env.",
    rationale="Claude Code reads environment variables only from the env object; at the top level they are "
    "unknown settings and silently do nothing (the token or base URL is simply not used).",
    example='{"ANTHROPIC_BASE_URL": "https://api.atlascloud.ai", "env": {}}',
    fix="Move the key into env (--fix does it when env does not already set it differently).",
)
def check_misplaced(ctx: LintContext) -> None:
    env = ctx.data.get("env")
    for key, value in ctx.data.items():
        if not _MISPLACED.match(key):
            continue
        fix = None
        # a fix only when env is absent or an object (never over `"env": null` or another value)
        if isinstance(value, str) and ("env" not in ctx.data or (isinstance(env, dict) and env.get(key, value) == value)):
            fix = Fix(f"moved {key} into env", "move", (key,), value, ("env", key))
        ctx.report("claude-env-misplaced", (key,),
                   f"{key} is at the top level, where Claude Code ignores it. Fix: move it inside \"env\".", fix=fix)


@rule(
    "claude-env-not-string", severity="error", kinds=CLAUDE, autofix=True,
    summary="An env value that is not a string.",
    rationale="Every value in env must be a string. Claude Code rejects a settings file whose env holds a "
    "number or boolean (\"Expected string\") and then ignores the whole file.",
    example='{"env": {"API_TIMEOUT_MS": 600000, "DISABLE_TELEMETRY": true}}',
    fix='Quote it: "600000", "true" (--fix does it for numbers and booleans).',
)
def check_env_types(ctx: LintContext) -> None:
    for key, value in _env(ctx).items():
        if isinstance(value, str):
            continue
        fix = None
        if isinstance(value, bool):
            text = "true" if value else "false"
            fix = Fix(f"env.{key} -> {json.dumps(text)}", "set", ("env", key), text)
        elif isinstance(value, int) or (isinstance(value, float) and value == value and abs(value) != float("inf")):
            text = json.dumps(value)
            fix = Fix(f"env.{key} -> {json.dumps(text)}", "set", ("env", key), text)
        hint = f"write it as {json.dumps(fix.value)}" if fix else "replace it with a string"
        ctx.report("claude-env-not-string", ("env", key),
                   f"env.{key} is {shown(value, ('env', key))}, not a string; Claude Code rejects the settings file. "
                   f"Fix: {hint}.", value=True, fix=fix)


@rule(
    "claude-auth-conflict", severity="warning", kinds=CLAUDE,
    summary="Both ANTHROPIC_AUTH_TOKEN and ANTHROPIC_API_KEY are set.",
    rationale="With both set Claude Code warns \"Auth conflict\" and which one is sent depends on the version; "
    "a provider key in one and an old Anthropic key in the other gives confusing 401s.",
    example='{"env": {"ANTHROPIC_AUTH_TOKEN": "sk-...", "ANTHROPIC_API_KEY": "sk-ant-..."}}',
    fix="Remove ANTHROPIC_API_KEY (`configurator setup` offers to); not applied by --fix since it deletes a key.",
)
def check_auth_conflict(ctx: LintContext) -> None:
    env = _env(ctx)
    if env.get("ANTHROPIC_AUTH_TOKEN") and env.get("ANTHROPIC_API_KEY"):
        ctx.report("claude-auth-conflict", ("env", "ANTHROPIC_API_KEY"),
                   "both ANTHROPIC_AUTH_TOKEN and ANTHROPIC_API_KEY are set (Claude Code reports an auth conflict). "
                   "Fix: remove ANTHROPIC_API_KEY and keep the token.",
                   fix=Fix("remove env.ANTHROPIC_API_KEY", "delete", ("env", "ANTHROPIC_API_KEY"), safe=False))


@rule(
    "claude-deprecated-env", severity="warning", kinds=CLAUDE, autofix=True,
    summary="ANTHROPIC_SMALL_FAST_MODEL is deprecated.",
    rationale="Claude Code replaced ANTHROPIC_SMALL_FAST_MODEL with ANTHROPIC_DEFAULT_HAIKU_MODEL; the old name "
    "may stop working in any release.",
    example='{"env": {"ANTHROPIC_SMALL_FAST_MODEL": "deepseek-ai/deepseek-v4-flash"}}',
    fix="Rename it to ANTHROPIC_DEFAULT_HAIKU_MODEL (--fix does it unless that is already set to another value).",
)
def check_deprecated(ctx: LintContext) -> None:
    env = _env(ctx)
    if "ANTHROPIC_SMALL_FAST_MODEL" not in env:
        return
    old = env["ANTHROPIC_SMALL_FAST_MODEL"]
    new = env.get("ANTHROPIC_DEFAULT_HAIKU_MODEL")
    fix = None
    if isinstance(old, str) and (new is None or new == old):
        fix = Fix("renamed ANTHROPIC_SMALL_FAST_MODEL to ANTHROPIC_DEFAULT_HAIKU_MODEL", "move",
                  ("env", "ANTHROPIC_SMALL_FAST_MODEL"), old, ("env", "ANTHROPIC_DEFAULT_HAIKU_MODEL"))
    ctx.report("claude-deprecated-env", ("env", "ANTHROPIC_SMALL_FAST_MODEL"),
               "ANTHROPIC_SMALL_FAST_MODEL is deprecated. Fix: rename it to ANTHROPIC_DEFAULT_HAIKU_MODEL.", fix=fix)


@rule(
    "claude-nonessential-traffic-falsy", severity="warning", kinds=CLAUDE,
    summary='CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC set to "0"/"false" still disables the traffic.',
    rationale="Claude Code treats the variable as set when it has any value: \"0\" or \"false\" still turns off "
    "telemetry, error reporting, auto-update checks and other non-essential traffic.",
    example='{"env": {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "0"}}',
    fix='Remove the variable to keep that traffic, or set it to "1" to make the intent explicit.',
)
def check_nonessential(ctx: LintContext) -> None:
    value = _env(ctx).get("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC")
    if isinstance(value, str) and value.strip().lower() in _FALSY:
        ctx.report("claude-nonessential-traffic-falsy", ("env", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"),
                   f"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC is {json.dumps(value)}, which still disables "
                   "non-essential traffic. Fix: remove it to keep that traffic, or set \"1\" if you meant to disable it.",
                   value=True,
                   fix=Fix("remove env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "delete",
                           ("env", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"), safe=False))


@rule(
    "claude-api-timeout-range", severity="error", kinds=CLAUDE,
    summary="API_TIMEOUT_MS is not an integer in 1..2147483647.",
    rationale="API_TIMEOUT_MS is handed to a Node.js timer: a value that is not a whole number of milliseconds, "
    "is 0 or negative, or exceeds 2147483647 overflows the timer and every request fails at once.",
    example='{"env": {"API_TIMEOUT_MS": "3000000000"}}',
    fix='Use a whole number of milliseconds between 1 and 2147483647, e.g. "600000" (10 minutes).',
)
def check_timeout(ctx: LintContext) -> None:
    env = _env(ctx)
    if "API_TIMEOUT_MS" not in env:
        return
    value = env["API_TIMEOUT_MS"]
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        ok = False
    elif isinstance(value, int):
        ok = 1 <= value <= TIMEOUT_MAX
    else:
        text = str(value).strip()
        ok = text.isascii() and text.isdigit() and 1 <= int(text) <= TIMEOUT_MAX
    if not ok:
        ctx.report("claude-api-timeout-range", ("env", "API_TIMEOUT_MS"),
                   f"API_TIMEOUT_MS is {shown(value, ('env', 'API_TIMEOUT_MS'))}, not a whole number of milliseconds "
                   f"in 1..{TIMEOUT_MAX}; requests would fail immediately. Fix: use e.g. \"600000\".", value=True)


@rule(
    "claude-model-tier-unmapped", severity="warning", kinds=CLAUDE, autofix=True,
    summary="ANTHROPIC_BASE_URL points away from Anthropic and provider models are set, but a model tier (opus, "
    "sonnet, haiku, fable) is unmapped.",
    rationale="Claude Code resolves every model alias through a tier: `/model opus`, `best`, `default`, plan mode "
    "under `opusplan` and subagents with `model: opus` use ANTHROPIC_DEFAULT_OPUS_MODEL; `sonnet`, `haiku` and "
    "`fable` have their own variables. ANTHROPIC_MODEL covers only the session's starting model. A tier without a "
    "mapping sends a Claude model id (claude-opus-5-5, claude-fable-5-2 ...) to the provider, which does not serve "
    "it and answers with an error, mid-session. (A file that sets no model at all is left alone: a gateway that "
    "maps Claude model ids needs none.)",
    example='{"env": {"ANTHROPIC_BASE_URL": "https://api.atlascloud.ai", "ANTHROPIC_MODEL": "deepseek-ai/deepseek-v4-pro",\n'
    '         "ANTHROPIC_DEFAULT_SONNET_MODEL": "deepseek-ai/deepseek-v4-pro"}}\n'
    "// opus, haiku and fable are unmapped",
    fix="Set ANTHROPIC_DEFAULT_<TIER>_MODEL to a model of your provider (`configurator setup` writes all of them). "
    "--fix sets opus, sonnet and fable to the main model (ANTHROPIC_MODEL, else the sonnet/opus/fable mapping), and "
    "haiku to the fast model (ANTHROPIC_SMALL_FAST_MODEL, else the main model).",
)
def check_model_tiers(ctx: LintContext) -> None:
    from configurator.agents import claude_code

    env = _env(ctx)
    url = env.get("ANTHROPIC_BASE_URL")
    if not isinstance(url, str) or not url.strip() or claude_code.is_anthropic(url):
        return

    # keys misplaced at the top level count as if in env: claude-env-misplaced moves them there
    misplaced = {k: v for k, v in ctx.data.items() if _MISPLACED.match(k) and k not in env}
    effective = {**misplaced, **env}

    def mapped(name: str) -> bool:
        value = effective[name] if name in effective else ctx.env.get(name)
        return isinstance(value, str) and value.strip() != ""

    # only a file that picks provider models: with none, every request names a Claude model (a gateway that maps
    # them, or a different problem), and there would be nothing to map the tiers to
    main, fast = claude_code.configured_models(effective)
    if main is None:
        return
    for tier in claude_code.TIERS:
        if mapped(tier.env):
            continue
        if tier.role == "fast" and "ANTHROPIC_SMALL_FAST_MODEL" in effective:
            continue  # claude-deprecated-env renames it to ANTHROPIC_DEFAULT_HAIKU_MODEL (one problem, one finding)
        model = main if tier.role == "main" else fast
        which = "the main model" if model == main else "the fast model"
        fix = None
        if model:
            fix = Fix(f"env.{tier.env} -> {json.dumps(model)} ({which})", "set", ("env", tier.env), model)
        hint = f"(--fix sets {which}, {json.dumps(model)})" if model else "(no provider model is set in this file)"
        ctx.report("claude-model-tier-unmapped", ("env", "ANTHROPIC_BASE_URL"),
                   f"ANTHROPIC_BASE_URL points to a provider other than Anthropic, but {tier.env} is not set: "
                   f"{tier.picked_by} send a Claude model id to that provider. Fix: set {tier.env} to one of its "
                   f"models {hint}.", fix=fix)
