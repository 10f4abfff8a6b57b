"""A profile's key in the OS keychain (``key_storage = "keychain"``): macOS Keychain, Windows Credential Locker,
or a Secret Service on Linux (GNOME Keyring, KWallet, KeePassXC), through the ``keyring`` library.

One entry per profile: service ``agent-configurator``, user name = the profile name. No config file, profile file,
backup, log or cache holds the key in this mode: each agent's file names a command (``configurator key get NAME``)
that the agent runs when it needs the key.

Reading is on every agent start, so :func:`get` takes the fastest path that stays portable (measured with
``benchmarks/key_helper.py``): on Linux, when keyring would pick the Secret Service anyway (no backend configured,
not a KDE session), the item keyring wrote is read straight through ``secretstorage`` (keyring's own dependency on
Linux) without keyring's backend discovery, which imports and asks every installed backend; everywhere else, and
whenever that path does not find the item, through keyring itself. There is never a fallback to a plaintext
store: a backend that keeps keys in a file (``keyrings.alt``) or none at all is refused with one sentence.

What ``setup --key-storage keychain`` needs is :func:`prepare` (check, store, read back) and :func:`rollback`;
:func:`key_holders` finds the files and backups that still hold a key by its value (migrating a profile from
file or env mode to the keychain).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from configurator.errors import ConfiguratorError

#: the keyring service name; the user name is the profile name
SERVICE = "agent-configurator"

_NO_BACKEND = (
    "no OS keychain is available: keyring found no backend (on Linux a Secret Service such as GNOME Keyring or "
    "KWallet must be running in your D-Bus session; over SSH, in a container or in CI there is usually none)")
_LOCKED = ("the OS keychain is locked; unlock it (log in to your desktop session, or run "
           "`gnome-keyring-daemon --unlock` on a headless Linux) and run the command again")


class KeychainError(ConfiguratorError):
    """The keychain cannot be used (exit 2): one sentence that says why and what to do."""


@dataclass(frozen=True)
class Usable:
    ok: bool
    reason: str
    #: the keyring backend that would be used, e.g. ``keyring.backends.SecretService.Keyring``
    backend: str = ""

    def __iter__(self) -> Iterator[Any]:  # ``ok, reason = usable()``
        return iter((self.ok, self.reason))


# --- the keyring backend ---------------------------------------------------------------------------------------


def _backend_name(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _refusal(backend: Any) -> str | None:
    """Why this keyring backend must not hold a key (None: it is an OS keychain)."""
    name = _backend_name(backend)
    subs = getattr(backend, "backends", None)
    if name.startswith("keyring.backends.chainer."):
        if not subs:
            return _NO_BACKEND
        for sub in subs:
            why = _refusal(sub)
            if why is not None:
                return why
        return None
    if name.startswith(("keyring.backends.fail.", "keyring.backends.null.")):
        return _NO_BACKEND
    if name.startswith("keyrings.alt.") or "plaintext" in name.lower():
        return (f"the keyring backend in use ({name}) keeps keys in a file, not in an OS keychain; configure an OS "
                "keychain for keyring (or remove keyrings.alt), or keep the key in an environment variable "
                "(--key-storage env)")
    try:
        priority = float(backend.priority)
    except Exception:  # noqa: BLE001 - a backend that cannot say is not used
        return _NO_BACKEND
    if priority < 1:
        return _NO_BACKEND
    return None


def _keyring() -> Any:
    """The keyring backend keyring picks (its discovery: configuration, then the highest-priority backend)."""
    try:
        import keyring
    except ImportError:
        raise KeychainError("The OS keychain cannot be used: the Python package keyring is not installed "
                            "(pip install keyring).") from None
    backend = keyring.get_keyring()
    why = _refusal(backend)
    if why is not None:
        raise KeychainError(f"The OS keychain cannot be used: {why}.")
    return backend


def _wrap(e: Exception, doing: str) -> KeychainError:
    """A keyring error as one sentence (never the key)."""
    name = type(e).__name__
    if name == "KeyringLocked" or "locked" in str(e).lower():
        return KeychainError(f"Could not {doing}: {_LOCKED}.")
    if name in ("InitError", "NoKeyringError"):
        return KeychainError(f"Could not {doing}: {_NO_BACKEND}.")
    detail = str(e).strip().splitlines()[0] if str(e).strip() else name
    return KeychainError(f"Could not {doing}: the OS keychain said {detail!r}.")


def usable() -> Usable:
    """Whether a key can be kept in the OS keychain here, and if not, why (one sentence, for the wizard and
    setup). Asks the backend once (a locked keychain answers here, not later)."""
    try:
        backend = _keyring()
    except KeychainError as e:
        return Usable(False, str(e))
    name = _backend_name(backend)
    try:
        backend.get_password(SERVICE, " probe")  # no profile has this name (D-Bus strings hold no NUL)
    except Exception as e:  # noqa: BLE001 - keyring's errors differ per backend
        return Usable(False, str(_wrap(e, "read the OS keychain")), name)
    return Usable(True, f"keys are kept in the OS keychain ({_describe(name)})", name)


def _describe(name: str) -> str:
    for part, label in (("SecretService", "Secret Service"), ("macOS", "macOS Keychain"),
                        ("Windows", "Windows Credential Locker"), ("kwallet", "KWallet"), ("libsecret", "libsecret")):
        if part.lower() in name.lower():
            return label
    return name


# --- store, get, delete ------------------------------------------------------------------------------------------


def store(name: str, key: str) -> None:
    """Keep ``key`` as profile ``name``'s entry (replacing one that is there)."""
    if not key or "\n" in key:
        raise ConfiguratorError("The key is empty or has a line break; nothing was stored.")
    backend = _keyring()
    try:
        backend.set_password(SERVICE, name, key)
    except Exception as e:  # noqa: BLE001
        raise _wrap(e, f"store the key of profile {name!r} in the OS keychain") from None


def get(name: str) -> str:
    """The key of profile ``name`` from the OS keychain; a :class:`KeychainError` when there is none."""
    value = _fast_get(name)
    if value is None:
        backend = _keyring()
        try:
            value = backend.get_password(SERVICE, name)
        except Exception as e:  # noqa: BLE001
            raise _wrap(e, f"read the key of profile {name!r} from the OS keychain") from None
    if not value:
        raise KeychainError(f"The OS keychain has no key for profile {name!r}; store it with "
                            f"`configurator key set {name}`.")
    return value


def delete(name: str) -> bool:
    """Remove profile ``name``'s entry; False when there was none."""
    backend = _keyring()
    try:
        if backend.get_password(SERVICE, name) is None:
            return False
        backend.delete_password(SERVICE, name)
    except Exception as e:  # noqa: BLE001
        if type(e).__name__ == "PasswordDeleteError":
            return False
        raise _wrap(e, f"delete the key of profile {name!r} from the OS keychain") from None
    return True


def _keyring_configured(env: Mapping[str, str]) -> bool:
    """The user picked a keyring backend (``PYTHON_KEYRING_BACKEND`` or ``keyringrc.cfg``): keyring decides."""
    if env.get("PYTHON_KEYRING_BACKEND"):
        return True
    xdg = env.get("XDG_CONFIG_HOME", "").strip()
    root = Path(xdg) if xdg else Path(env.get("HOME") or "~").expanduser() / ".config"
    return (root / "python_keyring" / "keyringrc.cfg").exists() or (
        Path(env.get("XDG_DATA_HOME") or Path(env.get("HOME") or "~").expanduser() / ".local" / "share")
        / "python_keyring" / "keyringrc.cfg").exists()


def _fast_get(name: str) -> str | None:
    """The item keyring's Secret Service backend wrote, read through secretstorage directly (None: this path does
    not apply here, or found nothing: keyring decides)."""
    env = os.environ
    if not sys.platform.startswith("linux") or _keyring_configured(env):
        return None
    if "KDE" in env.get("XDG_CURRENT_DESKTOP", "").upper():
        return None  # keyring prefers KWallet there
    try:
        import secretstorage
        from secretstorage.exceptions import SecretStorageException
    except ImportError:
        return None
    try:
        connection = secretstorage.dbus_init()
    except (SecretStorageException, OSError, ValueError):
        return None
    with closing(connection):
        try:
            collection = secretstorage.get_default_collection(connection)
            items = list(collection.search_items({"username": name, "service": SERVICE}))
        except (SecretStorageException, OSError):
            return None
        if not items:
            return None
        item = items[0]
        try:
            if item.is_locked():
                item.unlock()  # a desktop asks for the password; headless, the prompt is dismissed at once
                if item.is_locked():
                    raise KeychainError(f"Could not read the key of profile {name!r}: {_LOCKED}.")
            return item.get_secret().decode("utf-8")
        except SecretStorageException as e:
            raise _wrap(e, f"read the key of profile {name!r} from the OS keychain") from None


# --- what setup calls --------------------------------------------------------------------------------------------


def prepare(profile_name: str, key: str) -> None:
    """Everything ``setup --key-storage keychain`` does with the key before it writes a file: check that an OS
    keychain is usable (else one sentence, exit 2: never a plaintext fallback), store the key as the profile's
    entry and read it back. Call :func:`rollback` when the write that follows fails."""
    ok = usable()
    if not ok.ok:
        why = ok.reason.removeprefix("The OS keychain cannot be used: ").rstrip(".")
        raise KeychainError(f"--key-storage keychain cannot be used here: {why}. Use --key-storage env (the key "
                            "stays in a variable) or file.")
    store(profile_name, key)
    if get(profile_name) != key:
        raise KeychainError(f"The OS keychain did not give back the key just stored for profile {profile_name!r}; "
                            "nothing else was changed.")


def rollback(profile_name: str, previous: str | None = None) -> None:
    """Undo :func:`prepare`: put back the entry there was (``previous``), or remove the new one. Never raises."""
    try:
        if previous is not None:
            store(profile_name, previous)
        else:
            delete(profile_name)
    except ConfiguratorError:
        pass


def previous(profile_name: str) -> str | None:
    """The entry profile ``profile_name`` has now (None: none, or no usable keychain), for :func:`rollback`."""
    try:
        return get(profile_name)
    except ConfiguratorError:
        return None


# --- migration: where the key still is ----------------------------------------------------------------------------

#: files larger than this are not read for a key (transcripts can be big; a config file is not)
MAX_SCAN_BYTES = 64 * 1024 * 1024
MAX_SCAN_FILES = 50_000


@dataclass
class KeyHolders:
    """The files that hold a key, by value: live files (configs, profiles, logs, caches) and backups."""

    files: list[Path] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)
    #: folders the scan stopped in (too many files)
    incomplete: list[Path] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.files or self.backups)


def scan_roots(env: Mapping[str, str] | None = None) -> list[Path]:
    """Where a key configurator or an agent wrote may be: every agent's config files and folders, ours (profiles,
    owned.json, session files, backups, logs, caches)."""
    from configurator import agents, paths

    roots: list[Path] = [paths.config_dir(env), paths.state_dir(env), paths.cache_dir(env),
                         paths.claude_config_dir(env), paths.claude_state(env), paths.codex_home(env),
                         paths.openclaw_state_dir(env), paths.openclaw_config(env)]
    roots += [f.path for f in agents.user_files(env)]  # opencode's files, Codex profile files ...
    out: list[Path] = []
    for r in roots:
        if r not in out:
            out.append(r)
    return out


def key_holders(value: str, env: Mapping[str, str] | None = None,
                roots: list[Path] | None = None) -> KeyHolders:
    """Which files under the agents' and configurator's folders hold ``value`` (the key itself, by value), split
    into live files and backups. Links are not followed; unreadable files are skipped."""
    from configurator import paths

    if len(value) < 8:
        raise ConfiguratorError("A key shorter than 8 characters cannot be looked for by value.")
    needle = value.encode("utf-8")
    backups = paths.backups_dir(env)
    found = KeyHolders()
    seen: set[tuple[int, int]] = set()
    count = 0
    for root in roots if roots is not None else scan_roots(env):
        for path in _walk(root, found):
            count += 1
            if count > MAX_SCAN_FILES:
                found.incomplete.append(root)
                return found
            try:
                st = path.lstat()
                ident = (st.st_dev, st.st_ino)
                if ident in seen or st.st_size > MAX_SCAN_BYTES or st.st_size < len(needle):
                    continue
                seen.add(ident)
                if needle not in path.read_bytes():
                    continue
            except OSError:
                continue
            (found.backups if _under(path, backups) else found.files).append(path)
    return found


def _under(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def _walk(root: Path, found: KeyHolders) -> Iterator[Path]:
    import stat

    try:
        st = root.lstat()
    except OSError:
        return
    if stat.S_ISREG(st.st_mode):
        yield root
        return
    if not stat.S_ISDIR(st.st_mode):
        return
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in ("node_modules",):
                        stack.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    yield Path(entry.path)
            except OSError:
                continue
