"""Codex CLI: ``config.toml`` (provider table, model) and ``auth.json`` (the key, file mode)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
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
    VersionFact,
    keychain_name,
    register_secrets,
    require_object,
    require_scalar,
    run_key_helper,
)
from configurator.errors import ConfiguratorError
from configurator.text import match_line_endings
from configurator.versions import Version, format_version

if TYPE_CHECKING:  # pragma: no cover
    from configurator.store import Transaction

ID = "codex"
CONFIG = FileKind("codex-config", "toml", "codex-config.json", "Codex config.toml", ("config.toml",),
                  name_suffix=".config.toml")
#: the file name of a Codex profile (``codex -p NAME`` reads ``$CODEX_HOME/NAME.config.toml``, Codex >= 0.134)
PROFILE_SUFFIX = ".config.toml"
AUTH = FileKind("codex-auth", "json", "codex-auth.json", "Codex auth.json", ("auth.json",), key_store=True)

#: provider ids built into Codex; a [model_providers.<id>] with one of these names makes Codex refuse the file
RESERVED_PROVIDER_IDS = frozenset({"openai", "ollama", "lmstudio", "amazon-bedrock"})
#: `wire_api = "chat"` was removed in Codex 0.95; newer versions refuse to load the whole file.
CHAT_REMOVED = VersionFact(
    "chat-removed", (0, 95, 0),
    'wire_api = "chat" was removed; Codex 0.95 and newer refuse to load a config.toml that uses it',
)
CHAT_REMOVED_IN: Version = CHAT_REMOVED.since
#: since Codex 0.134 a profile is a file ($CODEX_HOME/<name>.config.toml, `codex -p <name>`): a top-level
#: `profile = "x"` makes config.toml fail to load, and `codex -p x` refuses to start while [profiles.x] is there.
PROFILE_FILES = VersionFact(
    "profile-files", (0, 134, 0),
    'profiles are files (<name>.config.toml, codex -p <name>); Codex 0.134 and newer refuse a config.toml with '
    'profile = "x", and codex -p x refuses to start while [profiles.x] is in config.toml',
)
DEFAULT_PROVIDER = "openai"
DEFAULT_MODEL = "gpt-5"
DEFAULT_BASE_URL = "https://api.openai.com/v1"


def user_files(env: Env | None = None) -> tuple[ConfigFile, ...]:
    return (
        ConfigFile(ID, "config.toml", CONFIG.name, paths.codex_config(env)),
        ConfigFile(ID, "auth.json", AUTH.name, paths.codex_auth(env), holds_secret=True),
        *profile_files(env),
    )


def profile_path(name: str, env: Env | None = None) -> Path:
    """Where Codex reads the profile ``codex -p NAME`` selects."""
    return paths.codex_home(env) / f"{name}{PROFILE_SUFFIX}"


def profile_files(env: Env | None = None) -> tuple[ConfigFile, ...]:
    """The profile files there are now (``$CODEX_HOME/<name>.config.toml``), sorted by name."""
    try:
        found = sorted(p for p in paths.codex_home(env).glob("*" + PROFILE_SUFFIX)
                       if p.name != "config.toml" and p.name != PROFILE_SUFFIX)
    except OSError:
        return ()
    return tuple(ConfigFile(ID, p.name, CONFIG.name, p) for p in found)


def project_files(project: Path) -> tuple[ConfigFile, ...]:
    return (ConfigFile(ID, "config.toml", CONFIG.name, project / ".codex" / "config.toml", "project", committed=True),)


# --- which provider Codex uses ----------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """What ``config.toml`` selects: the provider id and model, and where they were set."""

    provider_id: str
    model: str
    #: the selected profile's name when ``profile = "x"`` picks one, else None
    profile: str | None
    #: the [model_providers.<id>] table, None when the id is built in or undefined
    table: dict[str, Any] | None
    #: True when the selected profile sets model_provider itself
    provider_from_profile: bool = False


def selection(data: dict[str, Any]) -> Selection:
    """The active provider and model, read the way Codex reads them (a selected profile overrides the top level)."""
    name = data.get("profile")
    profiles = data.get("profiles")
    prof = profiles.get(name) if isinstance(name, str) and isinstance(profiles, dict) else None
    prof = prof if isinstance(prof, dict) else {}
    provider_id = prof.get("model_provider") or data.get("model_provider") or DEFAULT_PROVIDER
    model = prof.get("model") or data.get("model") or DEFAULT_MODEL
    providers = data.get("model_providers")
    table = providers.get(provider_id) if isinstance(providers, dict) else None
    return Selection(str(provider_id), str(model), name if isinstance(name, str) else None,
                     table if isinstance(table, dict) else None, prof.get("model_provider") is not None)


def provider_refs(data: dict[str, Any]) -> list[tuple[tuple[str, ...], Any]]:
    """Every place that names a provider: the top-level ``model_provider`` and each profile's."""
    places: list[tuple[tuple[str, ...], Any]] = [(("model_provider",), data.get("model_provider"))]
    profiles = data.get("profiles")
    if isinstance(profiles, dict):
        for name, prof in profiles.items():
            if isinstance(prof, dict) and "model_provider" in prof:
                places.append((("profiles", name, "model_provider"), prof["model_provider"]))
    return places


def active(env: Env) -> ActiveProvider | None:
    from configurator.store import read_document

    path = paths.codex_config(env)
    doc = read_document(path, "toml")
    if not doc.exists:
        return None
    sel = selection(doc.data)
    table = sel.table
    if table is None:
        if sel.provider_id != DEFAULT_PROVIDER:
            raise ConfiguratorError(
                f"{path}: model_provider {sel.provider_id!r} is not defined under [model_providers]; run `configurator lint`."
            )
        table = {"base_url": env.get("OPENAI_BASE_URL", DEFAULT_BASE_URL), "requires_openai_auth": True}
    base = str(table.get("base_url", DEFAULT_BASE_URL)).rstrip("/")
    wire = table.get("wire_api", "responses")
    key: str | None
    fetch: Callable[[], str] | None = None
    auth_cmd = table.get("auth")
    if isinstance(auth_cmd, dict) and isinstance(auth_cmd.get("command"), str):
        import shlex

        raw_args = auth_cmd.get("args")
        args = [str(a) for a in raw_args] if isinstance(raw_args, list) else []
        source = f"auth.command `{shlex.join([auth_cmd['command'], *args])}`"
        key = None
        argv = [auth_cmd["command"], *args]
        fetch = lambda: run_key_helper(argv, env=env)  # noqa: E731
    elif table.get("env_key"):
        source = f"${table['env_key']}"
        key = env.get(str(table["env_key"])) or None
    else:
        auth = read_document(paths.codex_auth(env), "json")
        source = f"OPENAI_API_KEY in {paths.codex_auth(env)}"
        key = auth.data.get("OPENAI_API_KEY") or None
    setting = f"base_url of [model_providers.{sel.provider_id}] in {path}"
    if wire == "chat":
        return ActiveProvider(ID, sel.provider_id, "openai-chat", base, base + "/chat/completions", sel.model, key,
                              source, "bearer", setting, fetch_key=fetch)
    return ActiveProvider(ID, sel.provider_id, "openai-responses", base, base + "/responses", sel.model, key,
                          source, "bearer", setting, fetch_key=fetch)


# --- setup -------------------------------------------------------------------------------------------


def check_wire_api(wire_api: str, installed_version: Version | None) -> None:
    if wire_api == "responses":
        return
    if wire_api != "chat":
        raise ConfiguratorError(f"--codex-wire-api must be 'responses' or 'chat', not {wire_api!r}.")
    if installed_version is None:
        raise ConfiguratorError(
            "--codex-wire-api chat needs an installed Codex older than 0.95 (chat was removed in 0.95 and newer "
            "Codex refuses to load a config that uses it); no codex was found on PATH, so use 'responses'."
        )
    if installed_version >= CHAT_REMOVED_IN:
        raise ConfiguratorError(
            f"--codex-wire-api chat is refused: the installed Codex is {format_version(installed_version)}, and "
            "Codex 0.95 and newer refuse to load a config with wire_api = \"chat\"; use 'responses' (the default)."
        )


def check_profile(profile: Profile) -> None:
    """Refuse, before anything is written, a profile Codex would not load."""
    _check_reserved(profile)
    if profile.codex_wire_api != "responses":
        from configurator.tools import installed
        from configurator.versions import parse_version

        check_wire_api(profile.codex_wire_api, parse_version(installed(AGENT).version))


def _check_reserved(profile: Profile) -> None:
    if profile.provider_id in RESERVED_PROVIDER_IDS:
        raise ConfiguratorError(
            f"The provider id {profile.provider_id!r} is built into Codex ({', '.join(sorted(RESERVED_PROVIDER_IDS))}); "
            "Codex refuses a config that redefines it. Choose another id."
        )


def provider_table(profile: Profile) -> dict[str, Any]:
    table: dict[str, Any] = {
        "name": profile.provider_name,
        "base_url": profile.openai_base_url,
        "wire_api": profile.codex_wire_api,
    }
    if profile.key_storage == "env":
        table["env_key"] = profile.key_env
        table["requires_openai_auth"] = False
    elif profile.key_storage == "keychain":
        table["auth"] = auth_command(profile)
    else:
        table["requires_openai_auth"] = True
    return table


def auth_command(profile: Profile) -> dict[str, Any]:
    """``auth = { command, args }``: Codex runs ``configurator key get NAME`` for the key (keychain mode)."""
    from configurator.tools import key_command

    command = key_command(keychain_name(profile))
    return {"command": command[0], "args": command[1:]}


#: the provider-table keys of the other key storages, removed when a profile does not use them
_AUTH_KEYS = {"file": ("env_key", "auth"), "env": ("auth",), "keychain": ("env_key", "requires_openai_auth")}


def apply(profile: Profile, tx: Transaction, outcome: Outcome) -> None:
    from configurator.store import Change, apply_changes, apply_to_data

    _check_reserved(profile)
    path = paths.codex_config()
    doc = tx.open(path, "toml")
    register_secrets(doc.data)
    require_object(doc, ("model_providers",))
    require_object(doc, ("model_providers", profile.provider_id))
    require_object(doc, ("model_providers", profile.provider_id, "auth"))
    for key_path in (("model",), ("model_provider",),
                     *(("model_providers", profile.provider_id, k) for k in (*provider_table(profile), "env_key")
                       if k != "auth")):
        require_scalar(doc, key_path)
    expected = _expected_data(doc.data, profile)
    new_text = _render(doc.text, profile, outcome)
    if not _holds(new_text, expected, path) and not _has_provider(doc.data, profile.provider_id):
        # tomlkit cannot add a table next to dotted keys (`model_providers.x.name = ...`): append ours as text
        new_text = _render_appended(doc.text, profile)
    if new_text is None or not _holds(new_text, expected, path):
        raise ConfiguratorError(
            f"{path}: setup cannot edit this file's layout of [model_providers] safely (inline tables or dotted "
            "keys); nothing was written. Move that part into [model_providers.<id>] tables and run setup again."
        )
    tx.write(doc, match_line_endings(doc.text, new_text), expected=expected)

    others = doc.data.get("model_providers")
    for pid, table in (others.items() if isinstance(others, dict) else []):
        if pid != profile.provider_id and isinstance(table, dict) and table.get("wire_api") == "chat":
            outcome.notes.append(
                f"{path}: [model_providers.{pid}] still has wire_api = \"chat\"; Codex 0.95 and newer refuse to "
                "load the whole file because of it. Change it to \"responses\" (`configurator lint --fix "
                f"{path}` does) or remove that provider."
            )
    sel = selection(doc.data)
    if sel.provider_from_profile and sel.provider_id != profile.provider_id:
        outcome.notes.append(
            f"{path} selects profile {sel.profile!r}, whose model_provider {sel.provider_id!r} "
            "overrides the top-level one; change it or run `codex --profile` accordingly."
        )

    if profile.key_storage == "keychain":
        outcome.notes.append(f"Codex runs `configurator key get {profile.name}` for the key (auth.command of "
                             f"[model_providers.{profile.provider_id}]); {paths.codex_auth()} is untouched.")
    elif profile.key_storage == "file":
        auth = tx.open(paths.codex_auth(), "json")
        register_secrets(auth.data)
        ch = [Change(("OPENAI_API_KEY",), str(profile.key))]
        mode = auth.data.get("auth_mode") if isinstance(auth.data, dict) else None
        if mode is not None and mode != "apikey":
            # with auth_mode "chatgpt" Codex sends the ChatGPT access token to the provider instead of this key
            # (measured with 0.171): the user's OpenAI login would reach a third party. `use official` puts it back.
            ch.append(Change(("auth_mode",), "apikey"))
            outcome.notes.append(f"{paths.codex_auth()}: auth_mode set to \"apikey\" (it was {mode!r}), so Codex "
                                 "sends the provider key, not your ChatGPT login; `configurator use official` puts "
                                 "it back.")
        tx.write(auth, apply_changes(auth.text, ch, fmt="json"), expected=apply_to_data(auth.data, ch), secret=True)
    else:
        outcome.notes.append(f"Codex reads the key from ${profile.key_env} (env_key); {paths.codex_auth()} is untouched.")


def _set_top_level(tdoc: Any, profile: Profile) -> None:
    for key, value in (("model_provider", profile.provider_id), ("model", profile.model.id)):
        if tdoc.get(key) != value:
            tdoc[key] = value


def _render(text: str, profile: Profile, outcome: Outcome) -> str | None:
    """The file with our keys set, edited in place with tomlkit (comments and layout kept)."""
    import tomlkit
    from tomlkit.items import InlineTable

    try:
        tdoc = tomlkit.parse(text)
        _set_top_level(tdoc, profile)
        wanted = provider_table(profile)
        providers = tdoc.get("model_providers")
        if providers is None:
            providers = tomlkit.table(is_super_table=True)
            tdoc["model_providers"] = providers
        existing = providers.get(profile.provider_id)
        if existing is None:
            if isinstance(providers, InlineTable):  # model_providers = { other = { ... } }
                table: Any = tomlkit.inline_table()
                table.update(wanted)
            else:
                table = tomlkit.table()
                for k, v in wanted.items():
                    table[k] = _inline(v) if isinstance(v, dict) else v
                if text.strip():
                    table.add(tomlkit.nl())
            providers[profile.provider_id] = table
        else:
            for k, v in wanted.items():
                if existing.get(k) != v:
                    existing[k] = _inline(v) if isinstance(v, dict) else v
            for k in _AUTH_KEYS[profile.key_storage]:
                if k in existing:
                    del existing[k]
                    outcome.notes.append(
                        f"Removed {k} from [model_providers.{profile.provider_id}] (key storage: "
                        f"{profile.key_storage})."
                    )
        new_text = tomlkit.dumps(tdoc)
    except Exception:  # noqa: BLE001 - tomlkit refuses some layouts (e.g. a table inside an inline table)
        return None
    return _tidy(text, new_text)


def _inline(value: dict[str, Any]) -> Any:
    """``auth = { command = "...", args = [...] }`` on one line, as Codex's docs write it."""
    import tomlkit

    table = tomlkit.inline_table()
    table.update(value)
    return table


def _render_appended(text: str, profile: Profile) -> str | None:
    """Top-level keys edited with tomlkit, our provider appended as a new ``[model_providers.<id>]`` table."""
    import tomlkit

    try:
        tdoc = tomlkit.parse(text)
        _set_top_level(tdoc, profile)
        head = tomlkit.dumps(tdoc)
        table = tomlkit.dumps({"model_providers": {profile.provider_id: provider_table(profile)}})
    except Exception:  # noqa: BLE001
        return None
    head = head.rstrip("\n")
    return _tidy(text, (head + "\n\n" if head else "") + table.lstrip("\n"))


def _tidy(old: str, new: str) -> str:
    if not old.strip() and new.startswith("\n"):
        new = new.lstrip("\n")
    if new.endswith("\n\n") and not old.endswith("\n\n"):
        new = new.rstrip("\n") + "\n"  # the blank line we add before a following table, not at EOF
    return new


def _holds(text: str | None, expected: dict[str, Any], path: Path) -> bool:
    from configurator.errors import ParseError
    from configurator.store import parse_text, same_data

    if text is None:
        return False
    try:
        return same_data(parse_text(text, "toml", path), expected)
    except ParseError:
        return False


def _has_provider(data: dict[str, Any], pid: str) -> bool:
    providers = data.get("model_providers")
    return isinstance(providers, dict) and pid in providers


def _expected_data(data: dict[str, Any], profile: Profile) -> dict[str, Any]:
    out = copy.deepcopy(data)
    out["model_provider"] = profile.provider_id
    out["model"] = profile.model.id
    providers = out.setdefault("model_providers", {})
    table = providers.setdefault(profile.provider_id, {})
    table.update(provider_table(profile))
    for k in _AUTH_KEYS[profile.key_storage]:
        table.pop(k, None)
    return out


def session_files(name: str) -> tuple[Path, ...]:
    return (profile_path(name),)


def session_provider_id(name: str) -> str:
    """The provider id in profile NAME's Codex profile file."""
    return f"profile-{name}"


def session(profile: Profile, tx: Transaction | None) -> str:
    """The Codex profile file ``$CODEX_HOME/NAME.config.toml`` (Codex >= 0.134 layers it over config.toml for
    ``codex -p NAME``): the provider table and model, with the key read by ``configurator key get NAME`` (file
    mode; never written there) or from the variable (env mode)."""
    name = str(profile.name)
    path = profile_path(name)
    # its own provider id: under the active profile's id, this table would merge with the one in config.toml
    # (Codex refuses `auth` beside that table's `requires_openai_auth`, measured with 0.171)
    pid = session_provider_id(name)
    if tx is not None:
        from configurator.store import apply_toml_changes, parse_text
        from configurator.store.jsonedit import DELETE, Change
        from configurator.tools import key_command

        table: dict[str, Any] = {"name": profile.provider_name, "base_url": profile.openai_base_url,
                                 "wire_api": profile.codex_wire_api}
        if profile.key_storage == "env":
            table["env_key"] = profile.key_env
        else:
            command = key_command(name)
            table["auth"] = {"command": command[0], "args": command[1:]}
        doc = tx.open(path, "toml")
        old = doc.data.get("model_providers", {}).get(pid, {}) if doc.exists else {}
        changes = [Change(("model_provider",), pid), Change(("model",), profile.model.id)]
        changes += [Change(("model_providers", pid, k), DELETE)
                    for k in ("env_key", "auth", "requires_openai_auth") if isinstance(old, dict) and k in old]
        changes += [Change(("model_providers", pid, k), v) for k, v in table.items()]
        text = apply_toml_changes(doc.text, changes)
        tx.write(doc, text, expected=parse_text(text, "toml", path))
    return f"codex -p {name}"


AGENT = Agent(
    id=ID,
    display="Codex",
    executable="codex",
    kinds=(CONFIG, AUTH),
    user_files=user_files,
    project_files=project_files,
    apply=apply,
    active=active,
    next_step="Codex: run `codex`; `codex doctor` checks that the config loads and the key is found.",
    protocol="openai-responses",
    uses_fast_model=False,
    usage=UsageSource("configurator.usage.discovery:codex_files", "configurator.usage.codex"),
    check_profile=check_profile,
    reserved_provider_ids=RESERVED_PROVIDER_IDS,
    version_facts=(CHAT_REMOVED, PROFILE_FILES),
    session=session,
    session_files=session_files,
)
