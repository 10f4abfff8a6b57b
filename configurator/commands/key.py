"""`configurator key get|set|delete NAME`: a saved profile's key, for the tools' key helpers (Claude Code's
``apiKeyHelper``, a Codex provider's ``auth.command``, an OpenClaw ``exec`` secret provider).

``key get`` runs every time a tool starts or refreshes its key, so it is kept light: it imports the profiles
reader and, for a keychain profile, :mod:`configurator.keychain` (no questionary, jsonschema or tomlkit;
``benchmarks/key_helper.py`` measures it). Its errors are one line on stderr (``configurator: ...``), which the
tool shows.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from configurator.errors import ConfiguratorError

if TYPE_CHECKING:  # pragma: no cover
    from configurator.render import Result

#: the OpenClaw ``secrets.providers`` entry configurator writes (its exec provider)
OPENCLAW_PROVIDER = "agent-configurator"
#: the exec protocol version OpenClaw 2026.9 speaks
OPENCLAW_PROTOCOL = 1


@dataclass(frozen=True)
class KeyGetOptions:
    name: str
    #: print even when standard output is a terminal
    reveal: bool = False
    #: standard output is a terminal (the key would be shown on screen)
    to_terminal: bool = False


@dataclass(frozen=True)
class KeySetOptions:
    name: str
    #: the key, read from stdin or a hidden prompt by the CLI (never from argv)
    key: str


@dataclass(frozen=True)
class KeyDeleteOptions:
    name: str


def get_key(name: str) -> str:
    """The key of profile ``name``: from the profiles file (file mode), its variable (env mode) or the OS keychain
    (keychain mode)."""
    if _storage_of(name) == "keychain":  # the common helper case: no profile parsing, no agent registry
        from configurator import keychain

        return keychain.get(name)
    from configurator import profiles

    saved = profiles.get(name)
    if saved.key_storage == "keychain":
        from configurator import keychain

        return keychain.get(name)
    if saved.key_storage == "env":
        value = os.environ.get(saved.key_env or "", "").strip()
        if not value:
            raise ConfiguratorError(f"Profile {name!r} reads its key from ${saved.key_env}, which is not set in this "
                                    f"environment; export {saved.key_env}=... where the tool starts.")
        return value
    if not saved.key:
        raise ConfiguratorError(f"Profile {name!r} has no key; set it with `configurator profile edit {name}`.")
    return saved.key


def _storage_of(name: str) -> str | None:
    """The ``key_storage`` of profile ``name`` read straight from profiles.toml (None: anything unusual, which
    :func:`configurator.profiles.get` then reports properly)."""
    import importlib
    import sys

    from configurator import paths

    tomllib = importlib.import_module("tomllib" if sys.version_info >= (3, 11) else "tomli")
    try:
        with open(paths.profiles_file(), "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, ValueError):
        return None
    table = data.get("profiles")
    entry = table.get(name) if isinstance(table, dict) else None
    storage = entry.get("key_storage") if isinstance(entry, dict) else None
    return storage if isinstance(storage, str) else None


def run_get(opts: KeyGetOptions) -> str:
    """The key to print (a ConfiguratorError when it would go to a terminal without ``--reveal``)."""
    if opts.to_terminal and not opts.reveal:
        raise ConfiguratorError(
            f"`configurator key get {opts.name}` prints the key itself, for the tools' key helpers; standard output is "
            "a terminal, so it was not shown. Pass --reveal to show it anyway.")
    return get_key(opts.name)


def run_openclaw(request: str) -> str:
    """OpenClaw's exec secret provider protocol (version 1): ``{"protocolVersion": 1, "provider": "...", "ids":
    [profile names]}`` in, ``{"protocolVersion": 1, "values": {name: key}, "errors": {name: {"code": ...}}}`` out.
    A profile that does not exist or has no key is a per-id error (``NOT_FOUND``); a request that is not the
    protocol, or a keychain that cannot be read, is a ConfiguratorError (one line on stderr, exit 2)."""
    try:
        data = json.loads(request)
    except ValueError:
        raise ConfiguratorError("`key get --openclaw` expects OpenClaw's exec request on stdin (JSON with "
                                "protocolVersion and ids); it got something else.") from None
    if not isinstance(data, dict) or data.get("protocolVersion") != OPENCLAW_PROTOCOL:
        raise ConfiguratorError(f"`key get --openclaw` speaks OpenClaw's exec protocol version {OPENCLAW_PROTOCOL}; "
                                "the request on stdin has another protocolVersion or none.")
    ids = data.get("ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ConfiguratorError("`key get --openclaw`: the request's ids are not a list of profile names.")
    from configurator.keychain import KeychainError

    values: dict[str, str] = {}
    errors: dict[str, dict[str, str]] = {}
    for name in dict.fromkeys(ids):
        try:
            values[name] = get_key(name)
        except KeychainError as e:
            if "has no key" not in str(e):
                raise  # the keychain itself cannot be read: every id fails, and stderr says why
            errors[name] = {"code": "NOT_FOUND"}
        except ConfiguratorError:
            errors[name] = {"code": "NOT_FOUND"}
    out: dict[str, object] = {"protocolVersion": OPENCLAW_PROTOCOL, "values": values}
    if errors:
        out["errors"] = errors
    return json.dumps(out)


def run_set(opts: KeySetOptions) -> Result:
    """Store the key of profile NAME in the OS keychain."""
    from configurator import keychain, profiles
    from configurator.render import Result

    profiles.check_name(opts.name)
    key = opts.key.strip()
    if not key:
        raise ConfiguratorError("No key was given on standard input; nothing was stored.")
    from configurator.secrets import register

    register(key)
    keychain.store(opts.name, key)
    notes = []
    saved = profiles.load().get(opts.name)
    if saved is None:
        notes.append(f"There is no profile {opts.name!r} yet; `configurator setup --profile {opts.name} "
                     "--key-storage keychain` makes one that reads this key.")
    elif saved.key_storage != "keychain":
        notes.append(f"Profile {opts.name!r} keeps its key in {'a variable' if saved.key_storage == 'env' else 'files'}"
                     f" (key_storage = {saved.key_storage!r}), so the tools do not read this entry yet; "
                     f"`configurator setup --profile {opts.name} --key-storage keychain` moves it to the keychain.")
    return Result("key set", {"profile": opts.name, "stored": True},
                  f"Stored the key of profile {opts.name} in the OS keychain (service {keychain.SERVICE}).", notes)


def run_delete(opts: KeyDeleteOptions) -> Result:
    """Remove the key of profile NAME from the OS keychain."""
    from configurator import keychain, profiles
    from configurator.render import Result

    profiles.check_name(opts.name)
    removed = keychain.delete(opts.name)
    notes = []
    saved = profiles.load().get(opts.name)
    if removed and saved is not None and saved.key_storage == "keychain":
        notes.append(f"Profile {opts.name!r} reads its key from the keychain: the tools that use it fail until "
                     f"`configurator key set {opts.name}` stores a key again.")
    text = (f"Removed the key of profile {opts.name} from the OS keychain." if removed
            else f"The OS keychain holds no key for profile {opts.name}; nothing was removed.")
    return Result("key delete", {"profile": opts.name, "removed": removed}, text, notes)
