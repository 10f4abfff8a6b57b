"""Claude Code: ``settings.json`` ``env`` block (and, on request, ``hasCompletedOnboarding`` in ``~/.claude.json``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from configurator import paths
from configurator.agents.base import (
    ActiveProvider,
    Agent,
    AuthHeader,
    ConfigFile,
    Env,
    FileKind,
    Outcome,
    Profile,
    UsageSource,
    keychain_name,
    register_secrets,
    require_object,
    require_scalars,
    run_key_helper,
)

if TYPE_CHECKING:  # pragma: no cover
    from configurator.prompts import Prompter
    from configurator.store import Transaction

ID = "claude-code"
SETTINGS = FileKind("claude-settings", "json", "claude-settings.json", "Claude Code settings",
                    ("settings.json", "settings.local.json", "managed-settings.json"))
STATE = FileKind("claude-state", "json", "claude-state.json", "Claude Code state (~/.claude.json)", (".claude.json",),
                 key_store=True)
#: where Claude Code sends requests when ANTHROPIC_BASE_URL is not set
DEFAULT_BASE_URL = "https://api.anthropic.com"


def user_files(env: Env | None = None) -> tuple[ConfigFile, ...]:
    return (
        ConfigFile(ID, "settings.json", SETTINGS.name, paths.claude_settings(env), holds_secret=True),
        ConfigFile(ID, ".claude.json", STATE.name, paths.claude_state(env)),
    )


def project_files(project: Path) -> tuple[ConfigFile, ...]:
    shared, local = paths.claude_project_settings(project)
    return (
        ConfigFile(ID, "settings.json", SETTINGS.name, shared, "project", committed=True),
        ConfigFile(ID, "settings.local.json", SETTINGS.name, local, "project"),
    )


@dataclass(frozen=True)
class Tier:
    """One model tier of Claude Code: the alias users and Claude Code itself pick (``/model opus``, a
    subagent's ``model: opus``, ``opusplan``, ``best``, ``sonnet[1m]`` ...) and which configured model serves it."""

    alias: str
    #: ``main``: the profile's model; ``fast``: its fast model
    role: Literal["main", "fast"]
    #: what resolves through this tier (measured with Claude Code 2.1.332), for messages
    picked_by: str = ""

    @property
    def env(self) -> str:
        """The variable that maps the alias to a model id: ``ANTHROPIC_DEFAULT_OPUS_MODEL``."""
        return f"ANTHROPIC_DEFAULT_{self.alias.upper()}_MODEL"

    @property
    def name_env(self) -> str:
        """The variable with the label ``/model`` shows for the tier: ``ANTHROPIC_DEFAULT_OPUS_MODEL_NAME``."""
        return self.env + "_NAME"


#: Every tier Claude Code 2.1.332 resolves aliases through (its ``opus``/``sonnet``/``haiku``/``fable``; ``best``,
#: ``default``, ``opusplan`` and the ``[1m]`` variants resolve to one of them). An unmapped tier sends a Claude
#: model id (``claude-opus-5-5``) to the provider. The big tiers get the main model, haiku (Claude Code's
#: background and quick-task tier) the fast one. The conformance tests check this list against the binary.
TIERS: tuple[Tier, ...] = (
    Tier("opus", "main", "`--model opus`, `best`, `default`, `opus[1m]`, plan mode under `opusplan`, and subagents "
         "or Agent calls that ask for opus"),
    Tier("sonnet", "main", "`--model sonnet`, `sonnet[1m]`, `opusplan` outside plan mode, and subagents that ask for "
         "sonnet"),
    Tier("haiku", "fast", "`--model haiku`, Claude Code's background tasks and subagents that ask for haiku"),
    Tier("fable", "main", "`--model fable`, `fable[1m]` and subagents that ask for fable"),
)
#: the model of subagents that name none (Explore, Plan, general-purpose ...): the main model, like the session's
SUBAGENT_ENV = "CLAUDE_CODE_SUBAGENT_MODEL"

#: what Claude Code takes as a model alias, not a model id (``sonnet[1m]`` is ``sonnet`` with a suffix)
ALIASES = frozenset(t.alias for t in TIERS) | {"best", "default", "opusplan"}


def is_alias(model: str) -> bool:
    m = model.strip().lower()
    return m.removesuffix("[1m]") in ALIASES


def is_anthropic(base_url: str) -> bool:
    """Does this base URL reach Anthropic itself (where Claude model ids are served)?"""
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(base_url.strip()).hostname or "").lower()
    except ValueError:
        return False
    return host == "anthropic.com" or host.endswith(".anthropic.com")


def configured_models(env: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(main, fast) provider model ids an ``env`` block configures: the main model is ANTHROPIC_MODEL, else a
    big tier's mapping; the fast one the haiku mapping, else ANTHROPIC_SMALL_FAST_MODEL, else the main model."""

    def model(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if isinstance(value, str) and value.strip() and not is_alias(value) else None

    main = next(filter(None, [model("ANTHROPIC_MODEL"), *(model(t.env) for t in TIERS if t.role == "main")]), None)
    fast = next(filter(None, [*(model(t.env) for t in TIERS if t.role == "fast"),
                              model("ANTHROPIC_SMALL_FAST_MODEL")]), None)
    return main, fast or main


def desired_env(profile: Profile) -> dict[str, str]:
    env = {
        "ANTHROPIC_BASE_URL": profile.anthropic_base_url,
        "ANTHROPIC_MODEL": profile.model.id,
    }
    for tier in TIERS:
        model = profile.model if tier.role == "main" else profile.fast_model
        chosen = profile.tier_models.get(tier.alias)
        env[tier.env] = chosen or model.id
        env[tier.name_env] = chosen or model.name
    env[SUBAGENT_ENV] = profile.tier_models.get("subagent") or profile.model.id
    env["CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS"] = "1"
    if profile.key_storage == "file":
        env = {"ANTHROPIC_AUTH_TOKEN": str(profile.key), **env}
    return env


def apply(profile: Profile, tx: Transaction, outcome: Outcome) -> None:
    from configurator.store import DELETE, Change, apply_changes, apply_to_data

    path = paths.claude_settings()
    doc = tx.open(path, "json")
    register_secrets(doc.data)
    require_object(doc, ("env",))
    env = doc.data.get("env") if isinstance(doc.data.get("env"), dict) else {}
    changes = [Change(("env", k), v) for k, v in desired_env(profile).items()]
    if "ANTHROPIC_API_KEY" in env:
        if profile.remove_anthropic_api_key:
            changes.append(Change(("env", "ANTHROPIC_API_KEY"), DELETE))
            outcome.notes.append(
                f"Removed ANTHROPIC_API_KEY from the env block of {path}: with ANTHROPIC_AUTH_TOKEN set too, "
                "Claude Code warns \"Both ANTHROPIC_AUTH_TOKEN and ANTHROPIC_API_KEY set · auth may not work as "
                "expected\" (an auth conflict)."
            )
        else:
            outcome.notes.append(
                f"Kept ANTHROPIC_API_KEY in {path} as asked; Claude Code will warn about an auth conflict (both "
                "ANTHROPIC_AUTH_TOKEN and ANTHROPIC_API_KEY set) and send both headers."
            )
    if profile.key_storage == "keychain":
        import shlex

        from configurator.tools import key_command

        changes.append(Change(("apiKeyHelper",), shlex.join(key_command(keychain_name(profile)))))
    elif doc.data.get("apiKeyHelper") is not None and _is_our_helper(doc.data.get("apiKeyHelper")):
        changes.append(Change(("apiKeyHelper",), DELETE))  # a keychain profile's helper, left by an older run
    if profile.key_storage in ("env", "keychain"):
        if "ANTHROPIC_AUTH_TOKEN" in env:
            changes.append(Change(("env", "ANTHROPIC_AUTH_TOKEN"), DELETE))
            outcome.notes.append(f"Removed the stored ANTHROPIC_AUTH_TOKEN from {path} (key storage: "
                                 f"{profile.key_storage}).")
    if profile.key_storage == "keychain":
        outcome.notes.append(f"Claude Code reads the key from the OS keychain through apiKeyHelper in {path} "
                             f"(`configurator key get {profile.name}`); no key is written.")
    if profile.key_storage == "env":
        outcome.notes.append(
            f"Claude Code reads the key from ANTHROPIC_AUTH_TOKEN: add `export ANTHROPIC_AUTH_TOKEN=\"${profile.key_env}\"` "
            "to your shell profile."
        )
    if profile.claude_statusline:
        changes += _statusline(doc.data.get("statusLine"), path, outcome)
    require_scalars(doc, changes)
    new_text = apply_changes(doc.text, changes, fmt="json")
    expected = apply_to_data(doc.data, changes)
    holds_secret = isinstance(expected.get("env"), dict) and "ANTHROPIC_AUTH_TOKEN" in expected["env"]
    tx.write(doc, new_text, expected=expected, secret=holds_secret)

    if profile.claude_skip_login:
        state = tx.open(paths.claude_state(), "json")
        register_secrets(state.data)
        ch = [Change(("hasCompletedOnboarding",), True)]
        tx.write(state, apply_changes(state.text, ch, fmt="json"), expected=apply_to_data(state.data, ch))


def _statusline(current: Any, path: Path, outcome: Outcome) -> list[Any]:
    """``statusLine`` running ``configurator statusline``, only where the user has none: theirs is never
    replaced (the README shows how to call ours from theirs). Owned like every key we set: ``use official``
    removes it again."""
    from configurator.store import Change
    from configurator.tools import statusline_command

    ours = statusline_command()
    if current is None:
        return [Change(("statusLine",), {"type": "command", "command": ours})]
    if not (isinstance(current, dict) and current.get("command") in (ours, statusline_command(packs=True))):
        outcome.notes.append(f"{path} has a statusLine of your own, left as it is; to show today's allowance too, "
                             f"call `{ours}` from it (see the README, \"Usage while you work\").")
    return []


def _is_our_helper(value: Any) -> bool:
    """An ``apiKeyHelper`` that runs ``configurator key get NAME`` (written for a keychain profile)."""
    import shlex

    if not isinstance(value, str):
        return False
    try:
        words = shlex.split(value)
    except ValueError:
        return False
    return len(words) >= 3 and words[-3:-1] == ["key", "get"]


def active(env: Env) -> ActiveProvider | None:
    from configurator.store import read_document

    path = paths.claude_settings(env)
    doc = read_document(path, "json")
    block = doc.data.get("env") if isinstance(doc.data.get("env"), dict) else {}
    # settings.json env wins over the shell's environment
    merged = {**{k: v for k, v in env.items() if k.startswith(("ANTHROPIC_", "CLAUDE_"))},
              **{k: str(v) for k, v in block.items()}}
    if not doc.exists and "ANTHROPIC_BASE_URL" not in merged:
        return None
    base = merged.get("ANTHROPIC_BASE_URL", DEFAULT_BASE_URL).rstrip("/")
    header: AuthHeader
    fetch: Callable[[], str] | None = None
    if merged.get("ANTHROPIC_AUTH_TOKEN"):
        key, source, header = merged["ANTHROPIC_AUTH_TOKEN"], "ANTHROPIC_AUTH_TOKEN", "bearer"
    elif merged.get("ANTHROPIC_API_KEY"):
        key, source, header = merged["ANTHROPIC_API_KEY"], "ANTHROPIC_API_KEY", "x-api-key"
    elif isinstance(doc.data.get("apiKeyHelper"), str) and doc.data["apiKeyHelper"].strip():
        key, source, header = None, f"apiKeyHelper `{doc.data['apiKeyHelper']}`", "bearer"
        helper = doc.data["apiKeyHelper"]
        fetch = lambda: run_key_helper(helper, env=env)  # noqa: E731
    else:
        key, source, header = None, "ANTHROPIC_AUTH_TOKEN", "bearer"
    model_key = next((k for k in ("ANTHROPIC_MODEL", "ANTHROPIC_DEFAULT_SONNET_MODEL") if merged.get(k)),
                     "ANTHROPIC_MODEL")
    model = merged.get(model_key) or "claude-sonnet-4-5"
    return ActiveProvider(ID, None, "anthropic-messages", base, base + "/v1/messages", model, key, source,
                          header, f"ANTHROPIC_BASE_URL in {path}", f"{model_key} in {path}", fetch)


def session_path(name: str) -> Path:
    return paths.sessions_dir() / f"{name}.claude-settings.json"


def session_files(name: str) -> tuple[Path, ...]:
    return (session_path(name),)


def session(profile: Profile, tx: Transaction | None) -> str:
    """A settings file for ``claude --settings FILE`` (Claude Code 2.1.332 takes ``env`` from it, over
    settings.json). It holds no key: ``apiKeyHelper`` runs ``configurator key get NAME``, and an empty
    ANTHROPIC_AUTH_TOKEN hides the one settings.json may set for another provider (else that token wins over the
    helper and goes to this provider: measured)."""
    import shlex

    from configurator.tools import key_command

    name = str(profile.name)
    path = session_path(name)
    if tx is not None:
        from configurator.store import render_document

        env = {k: v for k, v in desired_env(profile).items() if k != "ANTHROPIC_AUTH_TOKEN"}
        data = {"env": {"ANTHROPIC_AUTH_TOKEN": "", **env, "ANTHROPIC_API_KEY": ""},
                "apiKeyHelper": shlex.join(key_command(name))}
        doc = tx.open(path, "json")
        tx.write(doc, render_document(data, fmt="json"), expected=data)
    return f"claude --settings {shlex.quote(str(path))}"


def _inspect(env: Mapping[str, str] | None = None) -> tuple[bool, bool, Any]:
    """(settings set ANTHROPIC_API_KEY, onboarding is done, the statusLine there is): what the wizard asks about."""
    from configurator.errors import ConfiguratorError
    from configurator.store import read_document

    has_api_key = onboarded = False
    status_line = None
    try:
        data = read_document(paths.claude_settings(env), "json").data
        env_block = data.get("env")
        has_api_key = isinstance(env_block, dict) and "ANTHROPIC_API_KEY" in env_block
        status_line = data.get("statusLine")
    except ConfiguratorError:  # the write step reports parse errors properly
        pass
    try:
        onboarded = read_document(paths.claude_state(env), "json").data.get("hasCompletedOnboarding") is True
    except ConfiguratorError:
        pass
    return has_api_key, onboarded, status_line


def ask(prompter: Prompter, given: frozenset[str]) -> dict[str, Any]:
    from configurator.tools import statusline_command

    has_api_key, onboarded, status_line = _inspect()
    answers: dict[str, Any] = {}
    ours = isinstance(status_line, dict) and status_line.get("command") in (statusline_command(),
                                                                             statusline_command(packs=True))
    if "claude_statusline" not in given:
        if status_line is None or ours:
            answers["claude_statusline"] = prompter.confirm(
                "Show today's allowance, when it resets and the model in Claude Code's status line "
                "(`configurator statusline`)?", default=ours)
        else:
            prompter.say("Claude Code has a status line of your own; it stays (the README shows how to add "
                         "today's allowance to it).")
    if has_api_key and "keep_anthropic_api_key" not in given:
        answers["keep_anthropic_api_key"] = not prompter.confirm(
            "Your Claude Code settings also set ANTHROPIC_API_KEY, which conflicts with the token. Remove it?",
            default=True,
        )
    if not onboarded and "claude_skip_login" not in given:
        answers["claude_skip_login"] = prompter.confirm(
            "Mark Claude Code onboarding as done in ~/.claude.json (skips its first-start theme picker and "
            "notes; the folder trust question still comes)?",
            default=False,
        )
    return answers


AGENT = Agent(
    id=ID,
    display="Claude Code",
    executable="claude",
    kinds=(SETTINGS, STATE),
    user_files=user_files,
    project_files=project_files,
    apply=apply,
    active=active,
    next_step="Claude Code: run `claude` (or `claude -p \"hello\"`); `/status` shows the base URL in use.",
    protocol="anthropic-messages",
    usage=UsageSource("configurator.usage.discovery:claude_files", "configurator.usage.claude",
                      aliases=("claude", "claudecode", "claude_code")),
    ask=ask,
    session=session,
    session_files=session_files,
)
