"""`configurator status`: what each agent tool uses now, read from its files, and what is wrong with it.

Per agent (registry order): the state (the active saved profile, ``official``: no key configurator owns, ``edited``:
owned keys changed by hand since configurator wrote them, ``unmanaged``: a provider configured without a record
in ``owned.json``, ``unreadable``: a file the tool reads does not parse), the provider, base URL, the model per
role, where the key comes from (masked), the files, and the problems: error/warning lint findings of the agent's
own user files, a key variable that is not set here, a file that does not parse (with line:column).

Status only reads: it never runs an agent binary (whether a tool is installed is ``shutil.which``; lint runs with
the Codex version unknown instead of asking ``codex --version``), and a broken file is a problem it reports, not a
failure: the exit code is 0 whatever it finds (2 only for bad input, such as an unknown ``--tool``).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from configurator import agents, exitcodes, ownership, paths
from configurator.agents import claude_code, codex, opencode
from configurator.errors import ConfiguratorError, ParseError
from configurator.render import Result
from configurator.secrets import mask

if TYPE_CHECKING:  # pragma: no cover
    from configurator.agents.base import ActiveProvider, Agent
    from configurator.profiles import SavedProfile

#: what each state is called in the text
STATE_TEXT = {
    "profile": "profile {profile}",
    "edited": "profile {profile}, edited by hand",
    "official": "official (the tool's own login and defaults)",
    "unmanaged": "not set up by configurator",
    "unreadable": "unreadable (a file it reads does not parse)",
}
HINT = "switch with `configurator use NAME`; back to each tool's login with `configurator use official`"
#: the vendor's own endpoint: an agent that sends there, with no key of ours, is on its official login
_VENDOR_BASE = {claude_code.ID: claude_code.DEFAULT_BASE_URL, codex.ID: codex.DEFAULT_BASE_URL}
_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class StatusOptions:
    #: only these agents (default: all, in registry order)
    tools: tuple[str, ...] = ()


@dataclass
class Problem:
    """One thing wrong with an agent's setup (a lint finding, a missing key variable, a file that does not parse)."""

    kind: str  # lint | parse | key | provider | profile
    severity: str  # error | warning
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    rule: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "severity": self.severity, "message": self.message, "file": self.file,
                "line": self.line, "column": self.column, "rule": self.rule}

    def __str__(self) -> str:
        where = f" ({self.file}:{self.line})" if self.file and self.line else (f" ({self.file})" if self.file else "")
        if self.kind == "lint":
            return f"{self.severity} {self.rule}: {self.message}{where}"
        if self.kind == "parse":
            return f"{self.severity}: {self.file}:{self.line}:{self.column}: {self.message}"
        return f"{self.severity}: {self.message}"


@dataclass
class ToolStatus:
    tool: str
    display: str
    state: str
    installed: bool
    profile: str | None = None
    provider: str | None = None
    provider_name: str | None = None
    base_url: str | None = None
    models: dict[str, str | None] = field(default_factory=dict)
    key_source: str | None = None
    key: str | None = None  # masked
    files: list[str] = field(default_factory=list)
    hand_edits: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: the billing plan saved on the active profile: "starter since 2026-11-01", "packs only", None: not said
    plan: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "name": self.display, "state": self.state, "profile": self.profile,
                "provider": self.provider, "provider_name": self.provider_name, "base_url": self.base_url,
                "models": dict(self.models), "key_source": self.key_source, "key": self.key,
                "files": list(self.files),
                "hand_edits": [{"file": f, "key": list(k)} for f, k in self.hand_edits],
                "problems": [p.to_dict() for p in self.problems], "installed": self.installed, "plan": self.plan}


def _parse_problem(e: ConfiguratorError) -> Problem:
    if isinstance(e, ParseError):
        return Problem("parse", "error", f"cannot parse this {e.fmt.upper()} file: {e.detail}; fix it by hand",
                       e.path, e.line, e.column)
    return Problem("parse", "error", str(e))


def _read_files(agent: Agent, owned: dict[str, ownership.OwnedFile], env: Mapping[str, str]
                ) -> tuple[dict[str, Any], list[tuple[Path, str, str, Any]], list[Problem]]:
    """Read every existing user file of ``agent`` and every file it has owned keys in, once:
    (data by path, [(path, kind name, text, data)] to lint, parse problems)."""
    from configurator.store import read_document

    kinds = agents.kinds()
    data: dict[str, Any] = {}
    to_lint: list[tuple[Path, str, str, Any]] = []
    problems: list[Problem] = []
    wanted: list[tuple[Path, str | None, str]] = [(f.path, f.kind, kinds[f.kind].fmt) for f in agent.user_files(env)]
    seen = {str(p) for p, _, _ in wanted}
    wanted += [(Path(p), None, f.format) for p, f in owned.items() if p not in seen]
    for path, kind, fmt in wanted:
        try:
            doc = read_document(path, fmt)
        except ConfiguratorError as e:
            problems.append(_parse_problem(e))
            data[str(path)] = None  # there, but not readable
            continue
        if not doc.exists:
            continue
        data[str(path)] = doc.data
        if kind is not None:
            to_lint.append((path, kind, doc.text, doc.data))
    return data, to_lint, problems


def _lint(files: list[tuple[Path, str, str, Any]], env: Mapping[str, str]) -> list[Problem]:
    """Error and warning findings of the agent's files, read already. The Codex version is left unknown (the
    rules then judge for a current Codex) so that status never runs ``codex --version``."""
    if not files:
        return []
    from configurator.lint.context import RunState
    from configurator.lint.engine import run_rules
    from configurator.lint.findings import Finding
    from configurator.lint.kinds import resolve_kind
    from configurator.lint.selection import resolve_selection

    state = RunState(env=env, cwd=Path.cwd(), _codex_version=(None,))
    selected = resolve_selection(None, None)
    out: list[Problem] = []
    try:
        for path, kind, text, data in files:
            result = run_rules(state, path, str(path), resolve_kind(path, kind), text, selected, data=data,
                               on_disk=True)
            for f in sorted(result.findings, key=Finding.sort_key):
                if f.severity in ("error", "warning"):
                    out.append(Problem("lint", str(f.severity), f.message, f.file, f.line, f.column, f.rule))
    except ConfiguratorError as e:
        out.append(Problem("lint", "warning", f"lint could not check the files: {e}"))
    return out


def _claude_env_block(data: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    settings = data.get(str(paths.claude_settings(env)))
    block = settings.get("env") if isinstance(settings, dict) else None
    return block if isinstance(block, dict) else {}


def _models(agent: Agent, active: ActiveProvider, data: dict[str, Any], env: Mapping[str, str]
            ) -> dict[str, str | None]:
    """The model per role the agent uses: main; fast where the agent has a setting for it; Claude Code's tiers."""
    if agent.id == claude_code.ID:
        block = _claude_env_block(data, env)
        merged = {**{k: v for k, v in env.items() if k.startswith(("ANTHROPIC_", "CLAUDE_"))},
                  **{k: str(v) for k, v in block.items()}}
        model_key = active.model_setting.split(" in ")[0]
        models: dict[str, str | None] = {"main": active.model if merged.get(model_key) else None}
        for tier in claude_code.TIERS:
            models[tier.alias] = merged.get(tier.env) or None
        models["subagent"] = merged.get(claude_code.SUBAGENT_ENV) or None
        return models
    models = {"main": active.model}
    if agent.id == opencode.ID:
        fast = None
        for path in opencode.loaded_files(env):
            doc = data.get(str(path))
            value = doc.get("small_model") if isinstance(doc, dict) else None
            if isinstance(value, str) and value:
                fast = value
        if fast is not None:
            pid, mid = opencode.split_model(fast)
            fast = mid if pid == active.provider_id else fast
        models["fast"] = fast or active.model  # opencode falls back to the main model
    return models


def _key_source(agent: Agent, active: ActiveProvider, data: dict[str, Any], env: Mapping[str, str]) -> str:
    """Where the key comes from, said the way a user looks for it."""
    source = active.key_source
    if agent.id == claude_code.ID and _VAR.fullmatch(source):
        path = paths.claude_settings(env)
        block = _claude_env_block(data, env)
        return f"{source} in {path}" if block.get(source) else f"${source} in the environment"
    return source


def _from_helper(source: str) -> bool:
    """The key is read by a command the tool runs (Claude Code's apiKeyHelper, Codex's auth.command, an OpenClaw
    exec SecretRef: the keychain profiles' ``configurator key get NAME``)."""
    return "`" in source or source.startswith("SecretRef")


def _key_problem(agent: Agent, active: ActiveProvider, saved: SavedProfile | None, env: Mapping[str, str],
                 lint: list[Problem]) -> Problem | None:
    """No key where the agent looks for one (only said for a provider set up by us or by hand: the official login
    has its own)."""
    if active.key or _from_helper(active.key_source):
        return None  # a helper command gives the key when the tool starts: status does not run it
    source = active.key_source
    keychain = saved.name if saved is not None and saved.key_storage == "keychain" else None
    if source.startswith("$") and _VAR.fullmatch(source[1:]):
        var = source[1:]
        if any(p.kind == "lint" and f"${var} " in f"{p.message} " for p in lint):
            return None  # lint said it already, with the place
        value = "<your key>"
        if keychain is not None:
            import shlex

            from configurator.tools import key_command

            value = f'"$({shlex.join(key_command(keychain))})"'
        return Problem("key", "error", f"{source} is not set in this environment: {agent.display} reads its key "
                       f"from it; export {var}={value} in your shell profile")
    if _VAR.fullmatch(source):
        ref = saved.key_env if saved is not None and saved.key_storage == "env" and saved.key_env else None
        fix = f'export {source}="${ref}"' if ref else f"export {source}=<your key>"
        unset = f" (and ${ref} is not set either)" if ref and not env.get(ref) else ""
        return Problem("key", "error", f"no key: {source} is set neither in the config nor in this environment; "
                       f"{fix} in your shell profile{unset}")
    return Problem("key", "error", f"no key: {source} is missing or empty")


def _tool_status(agent: Agent, state: ownership.AgentState | None, saved: dict[str, SavedProfile],
                 env: Mapping[str, str]) -> ToolStatus:
    owned = state.files if state is not None else {}
    st = ToolStatus(agent.id, agent.display, "official", shutil.which(agent.executable) is not None)
    data, to_lint, parse_problems = _read_files(agent, owned, env)
    st.files = [p for p in dict.fromkeys([*(str(f.path) for f in agent.user_files(env)), *owned])
                if p in data or p in owned]
    st.problems += parse_problems
    lint = _lint(to_lint, env)

    unreadable = False
    for p, f in owned.items():
        if data.get(p) is not None:
            st.hand_edits += [(p, k) for k in f.hand_edits(data[p])]
        elif not Path(p).exists():
            st.hand_edits += [(p, k) for k in f.hand_edits({})]
        else:
            unreadable = True
    if state is not None:
        st.profile = state.profile
        if state.profile is not None and state.profile not in saved:
            st.problems.append(Problem("profile", "warning", f"profile {state.profile!r} is not saved any more; "
                                       "`configurator use NAME` picks another"))

    active: ActiveProvider | None = None
    try:
        active = agent.active(env)
    except ParseError:
        unreadable = True  # already a problem, with its line:column
    except ConfiguratorError as e:
        st.problems.append(Problem("provider", "error", str(e)))
    profile = saved.get(st.profile) if st.profile else None
    if profile is not None and profile.plan is not None:
        st.plan = "packs only" if profile.plan == "none" else (
            profile.plan + (f" since {profile.plan_since}" if profile.plan_since else ""))

    if unreadable:
        st.state = "unreadable"
    elif state is not None:
        st.state = "edited" if st.hand_edits else "profile"
    elif active is None:
        st.state = "unmanaged" if any(p.kind == "provider" for p in st.problems) else "official"
    else:
        vendor = _VENDOR_BASE.get(agent.id)
        official = vendor is not None and active.base_url.rstrip("/") == vendor.rstrip("/")
        st.state = "official" if official else "unmanaged"

    if active is not None:
        st.provider = active.provider_id or (profile.provider if profile is not None else None)
        if profile is not None and active.provider_id in (None, profile.provider):
            st.provider_name = profile.provider_name
        st.base_url = active.base_url
        st.models = _models(agent, active, data, env)
        st.key_source = _key_source(agent, active, data, env)
        st.key = mask(active.key) if active.key else None
        if st.state != "official":
            missing = _key_problem(agent, active, profile, env, lint)
            if missing is not None:
                st.problems.append(missing)
    st.problems += lint
    return st


def _load_profiles(env: Mapping[str, str], problems: list[Problem]) -> dict[str, SavedProfile] | None:
    from configurator import profiles

    try:
        return profiles.load(env)
    except ConfiguratorError as e:
        problems.append(_parse_problem(e) if isinstance(e, ParseError) else Problem("profile", "error", str(e)))
        return None


def _load_owned(env: Mapping[str, str], problems: list[Problem]) -> ownership.Owned:
    from configurator.store import read_document

    path = paths.owned_file(env)
    try:
        return ownership.from_data(read_document(path, "json").data, str(path))
    except ConfiguratorError as e:
        problems.append(_parse_problem(e) if isinstance(e, ParseError) else Problem("profile", "error", str(e)))
        return ownership.Owned()


def run(opts: StatusOptions) -> Result:
    env: Mapping[str, str] = dict(os.environ)
    chosen = [agents.get(t) for t in opts.tools] if opts.tools else list(agents.AGENTS.values())
    chosen.sort(key=lambda a: agents.IDS.index(a.id))
    chosen = [a for i, a in enumerate(chosen) if a not in chosen[:i]]
    problems: list[Problem] = []
    saved = _load_profiles(env, problems)
    owned = _load_owned(env, problems)
    tools = [_tool_status(a, owned.agents.get(a.id), saved or {}, env) for a in chosen]
    profiles_file = str(paths.profiles_file(env))

    def text() -> str:
        lines: list[str] = []
        if saved is None:
            lines.append(f"Profiles: {profiles_file} cannot be read (below).")
        elif saved:
            lines.append(f"Profiles: {len(saved)} saved ({', '.join(sorted(saved))}) in {profiles_file}")
        else:
            lines.append(f"Profiles: none saved yet ({profiles_file}); `configurator setup --profile NAME` saves one.")
        lines += [f"  {p}" for p in problems]
        for t in tools:
            lines += ["", *_tool_text(t)]
        lines += ["", HINT[0].upper() + HINT[1:] + "."]
        return "\n".join(lines)

    data = {"profiles_file": profiles_file, "profiles": sorted(saved) if saved is not None else None,
            "problems": [p.to_dict() for p in problems], "tools": [t.to_dict() for t in tools], "hint": HINT}
    return Result("status", data, text, exit_code=exitcodes.OK)


def _tool_text(t: ToolStatus) -> list[str]:
    label = 12

    def row(name: str, value: str) -> str:
        return f"  {name:{label}}{value}"

    head = STATE_TEXT[t.state].format(profile=t.profile or "(unknown)")
    if t.state == "unreadable" and t.profile:
        head += f"; configurator last set profile {t.profile}"
    lines = [f"{t.display}: {head}"]
    if t.provider or t.provider_name:
        shown = t.provider or ""
        if t.provider_name and t.provider_name != t.provider:
            shown = f"{shown} ({t.provider_name})" if shown else t.provider_name
        lines.append(row("provider", shown))
    if t.base_url is not None:
        lines.append(row("base URL", t.base_url or "(empty)"))
    set_models = {r: m for r, m in t.models.items() if m}
    if t.models and not set_models:
        lines.append(row("models", "the tool's defaults"))
    elif t.models:
        width = max(len(r) for r in t.models)
        for i, (role, model) in enumerate(t.models.items()):
            lines.append(row("models" if i == 0 else "", f"{role:{width}}  {model or '(the tool default)'}"))
    if t.plan is not None:
        lines.append(row("plan", t.plan))
    elif t.profile and t.state in ("profile", "edited"):
        lines.append(row("plan", "not set (`configurator plan set TIER --since DATE` for the status line)"))
    if t.key is not None:
        lines.append(row("key", f"{t.key}  ({t.key_source})"))
    elif t.key_source is not None and _from_helper(t.key_source):
        lines.append(row("key", f"read when the tool starts, by {t.key_source}"))
    elif t.key_source is not None:
        lines.append(row("key", "the tool's own login" if t.state == "official" else f"none found ({t.key_source})"))
    for i, f in enumerate(t.files):
        lines.append(row("files" if i == 0 else "", f))
    for i, (f, k) in enumerate(t.hand_edits):
        lines.append(row("edited" if i == 0 else "", f"{f}: {'.'.join(k)}"))
    if t.state == "edited" and t.profile:
        lines.append(row("", f"`configurator use {t.profile} --force` writes the profile's values again"))
    for i, p in enumerate(t.problems):
        lines.append(row("problems" if i == 0 else "", str(p)))
    if not t.installed:
        lines.append(row("note", f"not installed (no `{agents.get(t.tool).executable}` on PATH)"))
    return lines
