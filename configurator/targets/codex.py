"""Codex CLI: ``config.toml`` (provider table, model) and ``auth.json`` (the key, file mode)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from configurator import paths
from configurator.errors import ConfiguratorError
from configurator.providers import CODEX_RESERVED_IDS
from configurator.store import Change, Transaction, apply_changes, apply_to_data
from configurator.targets.base import Outcome, Profile, match_line_endings, register_secrets, require_object

TOOL = "codex"
DISPLAY = "Codex"
EXECUTABLE = "codex"
LINT_KINDS = ("codex-config", "codex-auth")  # `configurator lint --kind`, in files() order
#: `wire_api = "chat"` was removed in Codex 0.95; newer versions refuse to load the whole file.
CHAT_REMOVED_IN = (0, 95, 0)


def files() -> list[Path]:
    return [paths.codex_config(), paths.codex_auth()]


def check_wire_api(wire_api: str, installed_version: tuple[int, int, int] | None) -> None:
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
        v = ".".join(map(str, installed_version))
        raise ConfiguratorError(
            f"--codex-wire-api chat is refused: the installed Codex is {v}, and Codex 0.95 and newer refuse to "
            "load a config with wire_api = \"chat\"; use 'responses' (the default)."
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
    else:
        table["requires_openai_auth"] = True
    return table


def _tomllib() -> Any:
    from configurator.store.formats import _tomllib as t

    return t()


def apply(profile: Profile, tx: Transaction, outcome: Outcome) -> None:
    if profile.provider_id in CODEX_RESERVED_IDS:
        raise ConfiguratorError(
            f"The provider id {profile.provider_id!r} is built into Codex ({', '.join(sorted(CODEX_RESERVED_IDS))}); "
            "Codex refuses a config that redefines it. Choose another id."
        )
    path = paths.codex_config()
    doc = tx.open(path, "toml")
    register_secrets(doc.data)
    require_object(doc, ("model_providers",))
    require_object(doc, ("model_providers", profile.provider_id))
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
    new_text = match_line_endings(doc.text, new_text)
    tx.write(doc, new_text, expected=expected)

    others = doc.data.get("model_providers")
    for pid, table in (others.items() if isinstance(others, dict) else []):
        if pid != profile.provider_id and isinstance(table, dict) and table.get("wire_api") == "chat":
            outcome.notes.append(
                f"{path}: [model_providers.{pid}] still has wire_api = \"chat\"; Codex 0.95 and newer refuse to "
                "load the whole file because of it. Change it to \"responses\" (`configurator lint --fix "
                f"{path}` does) or remove that provider."
            )
    active_profile = doc.data.get("profile")
    profiles = doc.data.get("profiles")
    if isinstance(active_profile, str) and isinstance(profiles, dict):
        prof = profiles.get(active_profile, {})
        if isinstance(prof, dict) and prof.get("model_provider") not in (None, profile.provider_id):
            outcome.notes.append(
                f"{path} selects profile {active_profile!r}, whose model_provider {prof.get('model_provider')!r} "
                "overrides the top-level one; change it or run `codex --profile` accordingly."
            )

    if profile.key_storage == "file":
        auth_path = paths.codex_auth()
        auth = tx.open(auth_path, "json")
        register_secrets(auth.data)
        ch = [Change(("OPENAI_API_KEY",), str(profile.key))]
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
                    table[k] = v
                if text.strip():
                    table.add(tomlkit.nl())
            providers[profile.provider_id] = table
        else:
            for k, v in wanted.items():
                if existing.get(k) != v:
                    existing[k] = v
            if profile.key_storage == "file" and "env_key" in existing:
                del existing["env_key"]
                outcome.notes.append(
                    f"Removed env_key from [model_providers.{profile.provider_id}] (key storage: file)."
                )
        new_text = tomlkit.dumps(tdoc)
    except Exception:  # noqa: BLE001 - tomlkit refuses some layouts (e.g. a table inside an inline table)
        return None
    return _tidy(text, new_text)


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
    import copy

    out = copy.deepcopy(data)
    out["model_provider"] = profile.provider_id
    out["model"] = profile.model.id
    providers = out.setdefault("model_providers", {})
    table = providers.setdefault(profile.provider_id, {})
    table.update(provider_table(profile))
    if profile.key_storage == "file":
        table.pop("env_key", None)
    return out
