"""Saved provider profiles: ``$XDG_CONFIG_HOME/agent-configurator/profiles.toml`` (0600, written through the store).

One table per profile::

    [profiles.atlascloud]
    provider = "atlascloud"                 # a preset id, or "custom"
    provider_name = "Atlas Cloud"
    anthropic_base_url = "https://api.atlascloud.ai"
    openai_base_url = "https://api.atlascloud.ai/v1"
    model = "deepseek-ai/deepseek-v4-pro"   # main role
    fast_model = "deepseek-ai/deepseek-v4-flash"
    key_storage = "file"                    # file: the key is below; env: read from key_env;
                                            # keychain: the OS keychain (service agent-configurator, user = name)
    key = "sk-..."                          # file mode only
    key_env = "ATLASCLOUD_API_KEY"          # env mode only
    tools = [...]                           # the agent ids it applies to (`configurator setup --tool`)
    codex_wire_api = "responses"
    [profiles.atlascloud.claude_tiers]      # optional: a Claude Code tier served by another model
    haiku = "deepseek-ai/deepseek-v4-flash"

A hand edit is kept (the file is edited key by key with tomlkit); ``official`` is not a profile name (``configurator
use official`` goes back to each tool's own login).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from configurator import paths
from configurator.errors import ConfiguratorError

if TYPE_CHECKING:  # pragma: no cover
    from configurator.agents.base import Env, KeyStorage, Profile
    from configurator.store import Transaction

#: the name ``use`` takes for "each tool's own login", never a profile
OFFICIAL = "official"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}\Z")
#: the keys a Claude Code tier override may name
TIER_KEYS = ("opus", "sonnet", "haiku", "fable", "subagent")


def check_name(name: str) -> str:
    """A profile name is a file name too (``codex -p NAME`` reads ``NAME.config.toml``): letters, digits, ``.-_``."""
    from configurator.render import shown_input

    if name == OFFICIAL:
        raise ConfiguratorError(
            f"'{OFFICIAL}' is not a profile name: `configurator use {OFFICIAL}` means each tool's own login. "
            "Choose another name.")
    if not _NAME.match(name) or name.endswith(".") or ".." in name:
        raise ConfiguratorError(
            f"Profile name {shown_input(name)} is not usable: use 1-63 letters, digits, '.', '-' or '_' (starting "
            "with a letter or digit), e.g. atlascloud or work-gateway.")
    return name


@dataclass(frozen=True)
class SavedProfile:
    """One profile as saved: everything ``use`` needs to apply it again without a question."""

    name: str
    provider: str
    provider_name: str
    anthropic_base_url: str
    openai_base_url: str
    model: str
    fast_model: str
    key_storage: str
    tools: tuple[str, ...]
    key_env: str | None = None
    key: str | None = field(default=None, repr=False)
    codex_wire_api: str = "responses"
    claude_tiers: Mapping[str, str] = field(default_factory=dict)
    #: the billing plan the user is on with this provider: a catalog tier id, or "none" (packs only); None: not
    #: said. Kept when setup saves the profile again (setup does not ask it).
    plan: str | None = None
    #: Claude Code shows today's allowance in its status line (set only where the user has no statusLine)
    claude_statusline: bool = False
    #: the day the current subscription period started (YYYY-MM-DD)
    plan_since: str | None = None

    def to_profile(self) -> Profile:
        """The profile the agents apply (model names and limits from the provider's preset when it has them)."""
        from configurator.agents.base import Profile
        from configurator.providers import load_preset, preset_ids

        preset = load_preset(self.provider if self.provider in preset_ids() else "custom")
        return Profile(
            provider_id=self.provider, provider_name=self.provider_name,
            anthropic_base_url=self.anthropic_base_url, openai_base_url=self.openai_base_url,
            model=preset.model(self.model), fast_model=preset.model(self.fast_model),
            key_storage=_storage(self.key_storage), key=self.key if self.key_storage == "file" else None,
            key_env=self.key_env,
            codex_wire_api=self.codex_wire_api, name=self.name, tier_models=dict(self.claude_tiers),
            claude_statusline=self.claude_statusline,
        )

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "provider": self.provider, "provider_name": self.provider_name,
            "anthropic_base_url": self.anthropic_base_url, "openai_base_url": self.openai_base_url,
            "model": self.model, "fast_model": self.fast_model, "key_storage": self.key_storage,
        }
        if self.key_storage == "env" and self.key_env:
            data["key_env"] = self.key_env
        if self.key_storage == "file" and self.key:
            data["key"] = self.key
        data["tools"] = list(self.tools)
        data["codex_wire_api"] = self.codex_wire_api
        if self.claude_tiers:
            data["claude_tiers"] = dict(self.claude_tiers)
        if self.claude_statusline:
            data["claude_statusline"] = True
        if self.plan is not None:
            data["plan"] = self.plan
        if self.plan_since is not None:
            data["plan_since"] = self.plan_since
        return data

    def renamed(self, name: str) -> SavedProfile:
        return replace(self, name=name)


def _storage(value: str) -> KeyStorage:
    return "env" if value == "env" else "keychain" if value == "keychain" else "file"


def from_profile(name: str, profile: Profile, tools: tuple[str, ...] | list[str]) -> SavedProfile:
    return SavedProfile(
        name=name, provider=profile.provider_id, provider_name=profile.provider_name,
        anthropic_base_url=profile.anthropic_base_url, openai_base_url=profile.openai_base_url,
        model=profile.model.id, fast_model=profile.fast_model.id, key_storage=profile.key_storage,
        tools=tuple(tools), key_env=profile.key_env, key=profile.key if profile.key_storage == "file" else None,
        codex_wire_api=profile.codex_wire_api,
        claude_tiers=dict(profile.tier_models), claude_statusline=profile.claude_statusline,
    )


def _from_data(name: str, raw: Any, where: str) -> SavedProfile:
    from configurator import agents
    from configurator.secrets import register

    def bad(what: str) -> ConfiguratorError:
        return ConfiguratorError(f"{where}: profile {name!r} {what}; fix it with `configurator profile edit {name}` "
                                 "or in the file.")

    if not isinstance(raw, dict):
        raise bad("is not a table")
    strings: dict[str, str] = {}
    for field_name in ("provider", "provider_name", "anthropic_base_url", "openai_base_url", "model", "fast_model",
                       "key_storage"):
        value = raw.get(field_name)
        if not isinstance(value, str) or not value.strip():
            raise bad(f"has no {field_name}")
        strings[field_name] = value
    storage = strings["key_storage"]
    if storage not in ("file", "env", "keychain"):
        raise bad(f"has key_storage {storage!r} (file, env or keychain)")
    key = raw.get("key")
    if isinstance(key, str):
        register(key)
    key_env = raw.get("key_env")
    if storage == "file" and not (isinstance(key, str) and key):
        raise bad("keeps its key in this file (key_storage = \"file\") but has no key")
    if storage == "env" and not (isinstance(key_env, str) and key_env):
        raise bad("reads its key from a variable (key_storage = \"env\") but has no key_env")
    tools = raw.get("tools", list(agents.IDS))
    if not isinstance(tools, list) or not all(isinstance(t, str) and t in agents.AGENTS for t in tools):
        raise bad(f"has tools that are not {', '.join(agents.IDS)}")
    tiers = raw.get("claude_tiers", {})
    if not isinstance(tiers, dict) or not all(k in TIER_KEYS and isinstance(v, str) and v for k, v in tiers.items()):
        raise bad(f"has claude_tiers other than model ids for {', '.join(TIER_KEYS)}")
    wire = raw.get("codex_wire_api", "responses")
    plan, since = raw.get("plan"), raw.get("plan_since")
    if plan is not None and not (isinstance(plan, str) and plan):
        raise bad("has a plan that is not a tier id (or \"none\")")
    if since is not None:
        import datetime as _dt

        try:
            since = _dt.date.fromisoformat(str(since)).isoformat()
        except ValueError:
            raise bad(f"has plan_since {str(since)[:40]!r}, not a date (YYYY-MM-DD)") from None
    return SavedProfile(
        name=name, provider=strings["provider"], provider_name=strings["provider_name"],
        anthropic_base_url=strings["anthropic_base_url"], openai_base_url=strings["openai_base_url"],
        model=strings["model"], fast_model=strings["fast_model"], key_storage=storage,
        tools=tuple(tools), key_env=key_env if isinstance(key_env, str) else None,
        key=key if isinstance(key, str) and storage == "file" else None, codex_wire_api=str(wire), claude_tiers=dict(tiers),
        plan=plan, plan_since=since, claude_statusline=raw.get("claude_statusline") is True,
    )


def parse(data: Any, where: str) -> dict[str, SavedProfile]:
    table = data.get("profiles", {}) if isinstance(data, dict) else {}
    if not isinstance(table, dict):
        raise ConfiguratorError(f"{where}: `profiles` is not a table; fix the file or move it away.")
    return {str(name): _from_data(str(name), raw, where) for name, raw in table.items()}


def load(env: Env | None = None) -> dict[str, SavedProfile]:
    """Every saved profile, by name (none when the file does not exist)."""
    from configurator.store import read_document

    path = paths.profiles_file(env)
    return parse(read_document(path, "toml").data, str(path))


def get(name: str, env: Env | None = None) -> SavedProfile:
    found = load(env)
    if name not in found:
        known = ", ".join(sorted(found)) or "none yet (`configurator setup` saves one)"
        raise ConfiguratorError(f"No profile named {name!r}; saved profiles: {known}. "
                                "`configurator profile list` shows them.")
    return found[name]


_HEADER = ("# agent-configurator profiles (`configurator profile list`). This file may hold API keys: keep it "
           "private (0600).\n")


def write(tx: Transaction, put: SavedProfile | None = None, remove: str | None = None) -> None:
    """Save ``put`` (replacing the profile of that name) and/or remove ``remove``, in transaction ``tx``: key by key,
    so a comment or a key the user added to a profile stays."""
    import tomlkit

    from configurator.store import parse_text

    path = paths.profiles_file()
    doc = tx.open(path, "toml")
    parse(doc.data, str(path))  # a broken file is reported, never overwritten
    tdoc = tomlkit.parse(doc.text or _HEADER)
    table = tdoc.get("profiles")
    if table is None:
        table = tomlkit.table(is_super_table=True)
        tdoc["profiles"] = table
    if remove is not None and remove in table:
        del table[remove]
    if put is not None:
        wanted = put.to_data()
        current = table.get(put.name)
        if current is None:
            new = tomlkit.table()
            for k, v in wanted.items():
                new[k] = v
            table[put.name] = new
        else:
            for k in ("key", "key_env", "claude_tiers", "claude_statusline"):
                if k in current and k not in wanted:
                    del current[k]
            for k, v in wanted.items():
                if current.get(k) != v:
                    current[k] = v
    text = tomlkit.dumps(tdoc)
    tx.write(doc, text, expected=parse_text(text, "toml", path), secret=True)
