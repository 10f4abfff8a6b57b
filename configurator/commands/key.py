"""`configurator key get NAME`: print a saved profile's key for the tools' key helpers (Claude Code's
``apiKeyHelper``, a Codex provider's ``auth.command``). Kept light: it runs every time a tool starts."""

from __future__ import annotations

import os
from dataclasses import dataclass

from configurator.errors import ConfiguratorError
from configurator.render import Result


@dataclass(frozen=True)
class KeyGetOptions:
    name: str
    #: print even when standard output is a terminal
    reveal: bool = False
    #: standard output is a terminal (the key would be shown on screen)
    to_terminal: bool = False


def get_key(name: str) -> str:
    """The key of profile ``name``: from the profiles file (file mode) or its variable (env mode)."""
    from configurator import profiles

    saved = profiles.get(name)
    if saved.key_storage == "env":
        value = os.environ.get(saved.key_env or "", "").strip()
        if not value:
            raise ConfiguratorError(f"Profile {name!r} reads its key from ${saved.key_env}, which is not set in this "
                                    f"environment; export {saved.key_env}=... where the tool starts.")
        return value
    if not saved.key:
        raise ConfiguratorError(f"Profile {name!r} has no key; set it with `configurator profile edit {name}`.")
    return saved.key


def run_get(opts: KeyGetOptions) -> tuple[str, Result | None]:
    """(the key to print, or a Result that refuses)."""
    if opts.to_terminal and not opts.reveal:
        raise ConfiguratorError(
            f"`configurator key get {opts.name}` prints the key itself, for the tools' key helpers; standard output is "
            "a terminal, so it was not shown. Pass --reveal to show it anyway.")
    return get_key(opts.name), None
