"""What an agent tool is: the :class:`Agent` record every agent module fills in, and the types it uses.

Nothing heavy is imported here (the CLI reads the registry to build its ``--tool`` choices): a
module's functions import the store, tomlkit or the usage readers when they run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from configurator.errors import ConfiguratorError

if TYPE_CHECKING:  # pragma: no cover
    from configurator.prompts import Prompter
    from configurator.providers import ModelInfo
    from configurator.store import Change, Document, Transaction
    from configurator.store.formats import Format

Env = Mapping[str, str]
#: where a profile's key is: in the agents' files, in a variable, or in the OS keychain (read by a helper command)
KeyStorage = Literal["file", "env", "keychain"]
#: the wire protocol a request is sent in
Protocol = Literal["anthropic-messages", "openai-responses", "openai-chat"]
AuthHeader = Literal["bearer", "x-api-key"]
Scope = Literal["user", "project"]


@dataclass(frozen=True)
class FileKind:
    """A kind of config file (``configurator lint --kind NAME``): its format, schema and the names that tell it."""

    name: str
    fmt: Format
    schema: str  # file name in templates/schemas/
    label: str
    #: file names (lower case) that are this kind
    file_names: tuple[str, ...] = ()
    #: a name starting with this and ending in .json/.json5 is this kind too (openclaw.dev.json)
    name_prefix: str | None = None
    #: a name ending in this is this kind too (Codex profile files: ``<name>.config.toml``)
    name_suffix: str | None = None
    #: a file made to hold credentials (auth.json): a key there is expected, not a leak
    key_store: bool = False


@dataclass(frozen=True)
class ConfigFile:
    """One config file of an agent, whether it exists or not."""

    agent: str
    name: str  # what doctor shows: settings.json, .claude.json, config.toml ...
    kind: str  # its FileKind name
    path: Path
    scope: Scope = "user"
    holds_secret: bool = False
    #: a project file normally committed and shared with the team (a key there leaks)
    committed: bool = False


@dataclass(frozen=True)
class Profile:
    """One provider, resolved from flags or wizard answers: everything an agent needs to use it."""

    provider_id: str
    provider_name: str
    anthropic_base_url: str
    openai_base_url: str
    model: ModelInfo
    fast_model: ModelInfo
    key_storage: KeyStorage
    key: str | None = None  # the secret itself (file mode; never written in keychain mode)
    key_env: str | None = None  # variable holding the key (env mode)
    codex_wire_api: str = "responses"
    remove_anthropic_api_key: bool = True
    claude_skip_login: bool = False
    #: the saved profile's name (``configurator profile``), when it has one
    name: str | None = None
    #: a model for one Claude Code tier (``opus``, ``sonnet``, ``haiku``, ``fable``) or ``subagent`` other than the
    #: main/fast model that tier follows
    tier_models: Mapping[str, str] = field(default_factory=dict)
    #: show today's allowance in Claude Code's status line (``configurator statusline``), when it has none
    claude_statusline: bool = False


@dataclass
class Outcome:
    """What applying a profile to one agent has to say (notes for the user)."""

    agent: str
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ActiveProvider:
    """What an agent would send right now, read from its config the way the agent reads it: the provider,
    base URL, model, where the key comes from, and the exact URL and protocol of a request (the verify probe)."""

    agent: str
    provider_id: str | None
    protocol: Protocol
    base_url: str
    url: str
    model: str
    key: str | None
    key_source: str
    auth_header: AuthHeader
    #: the config key that holds the base URL, for messages
    setting: str
    #: the config key that holds the model, for messages ("" when the agent module does not say)
    model_setting: str = ""
    #: runs the command the agent would run for its key (a key helper), when ``key`` comes from one
    fetch_key: Callable[[], str] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class VersionFact:
    """Something that changed in an agent at a version (``since``): lint and setup ask these."""

    name: str
    since: tuple[int, int, int]
    text: str


@dataclass(frozen=True)
class UsageSource:
    """Where an agent's transcripts are and which module reads them (both imported only when usage runs)."""

    #: ``module:function`` returning ``(files, roots, notes)`` for an environment
    discover: str
    #: the module with the line parser
    reader: str
    #: other names users type for this agent in ``usage --tool`` (claude, claude_code ...)
    aliases: tuple[str, ...] = ()


Ask = Callable[["Prompter", frozenset[str]], dict[str, Any]]


@dataclass(frozen=True)
class Agent:
    """Everything the rest of the code asks about one agent tool."""

    id: str
    display: str
    executable: str
    kinds: tuple[FileKind, ...]
    #: the user-level config files, in ``kinds`` order
    user_files: Callable[[Env | None], tuple[ConfigFile, ...]]
    #: the project-level config files under a folder
    project_files: Callable[[Path], tuple[ConfigFile, ...]]
    #: merge a provider profile into the agent's files, inside one store transaction
    apply: Callable[[Profile, Transaction, Outcome], None]
    #: the provider the agent uses now (None when it has no config); raises ConfiguratorError when unreadable
    active: Callable[[Env], ActiveProvider | None]
    #: what to run next, after setup
    next_step: str
    #: the wire protocol the agent sends model requests in, as setup configures it
    protocol: Protocol
    #: the agent sends requests to the fast (background) model too, not only to the main one
    uses_fast_model: bool = True
    usage: UsageSource | None = None
    #: refuse a profile this agent cannot take, before anything is written
    check_profile: Callable[[Profile], None] | None = None
    #: wizard questions only this agent has: (prompter, options given on the command line) -> option values
    ask: Ask | None = None
    #: provider ids built into the agent (a config may not redefine them)
    reserved_provider_ids: frozenset[str] = frozenset()
    version_facts: tuple[VersionFact, ...] = ()
    #: use a saved profile in one session without switching: write its session file(s) (when given a transaction)
    #: and return the command line that starts the agent with them
    session: Callable[[Profile, Transaction | None], str] | None = None
    #: the session files of the profile of this name (removed with the profile)
    session_files: Callable[[str], tuple[Path, ...]] | None = None
    #: why the agent has no per-session use, when ``session`` is None
    session_note: str = ""

    def files(self, env: Env | None = None) -> list[Path]:
        """The user-level config files, in ``kinds`` order."""
        return [f.path for f in self.user_files(env)]


# --- helpers the agent modules share ----------------------------------------------------------------

#: member names whose string values are credentials (ANTHROPIC_API_KEY, apiKey, botToken, refresh_token, ...)
_SECRET_NAME = re.compile(r"key|token|secret|passw|credential|bearer|cookie", re.IGNORECASE)
#: member names that hold the *name* of a variable or a file, not the secret itself
_REFERENCE_NAME = re.compile(r"env_?key|env_?var|_file$|_path$|helper$", re.IGNORECASE)
#: values that name where a key is (``${VAR}``, opencode's ``{env:VAR}`` / ``{file:path}``), not the key
_NOT_A_SECRET = re.compile(r"^(\$\{.*\}|\{(env|file):[^}]*\}|[A-Z_][A-Z0-9_]*|[~/.].*|https?://\S*|\S*\s\S*)$")


_REGISTERED: dict[int, Any] = {}


def register_secrets(data: Any) -> None:
    """Register the credentials already in a user's file (other keys, OAuth tokens) so no diff, note or error
    prints them: setup shows context lines around its changes, and those lines are the user's, not ours."""
    from configurator.secrets import register

    if id(data) in _REGISTERED and _REGISTERED[id(data)] is data:
        return  # the same document, opened again in one run (kept alive here, so its id is not reused)
    _REGISTERED[id(data)] = data
    while len(_REGISTERED) > 16:  # a few documents per run; never a growing list in a long process
        del _REGISTERED[next(iter(_REGISTERED))]
    names: dict[Any, bool] = {}  # member name -> holds credentials; a big file repeats a few names many times
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for name, value in node.items():
                if isinstance(value, str):
                    if len(value) < 8:
                        continue
                    secret = names.get(name)
                    if secret is None:
                        secret = names[name] = bool(_SECRET_NAME.search(str(name))
                                                    and not _REFERENCE_NAME.search(str(name)))
                    if secret and not _NOT_A_SECRET.match(value):
                        register(value)
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))


def keychain_name(profile: Profile) -> str:
    """The profile name a keychain-mode helper reference names (``configurator key get NAME``); a profile without
    one cannot be applied in keychain mode (its key would have no entry to be read from)."""
    if not profile.name:
        raise ConfiguratorError("Keychain key storage needs a saved profile (its name names the keychain entry); "
                                "give --profile NAME.")
    return profile.name


def require_object(doc: Document, key_path: tuple[str, ...]) -> None:
    """Refuse to merge when a key we must write into exists but is not an object (we never overwrite it)."""
    node: Any = doc.data
    for i, key in enumerate(key_path):
        if not isinstance(node, dict) or key not in node:
            return
        node = node[key]
        if not isinstance(node, dict):
            dotted = ".".join(key_path[: i + 1])
            raise ConfiguratorError(
                f"{doc.path}: `{dotted}` is a {type(node).__name__}, not an object, so setup cannot merge into it; "
                "fix it by hand (see `configurator lint`) and run setup again. Nothing was written."
            )


def require_scalar(doc: Document, key_path: tuple[str, ...]) -> None:
    """Refuse to merge when a key we set to a value exists as a table or a list (we never overwrite it)."""
    node = get_in(doc.data, key_path)
    if isinstance(node, (dict, list)):
        from configurator.store import locate

        line, col = locate(doc.text, doc.fmt, key_path)
        what = ("a table" if doc.fmt == "toml" else "an object") if isinstance(node, dict) else "a list"
        raise ConfiguratorError(
            f"{doc.path}:{line}:{col}: `{'.'.join(key_path)}` is {what} where a value belongs, so setup would "
            "replace it; fix it by hand (see `configurator lint`) and run setup again. Nothing was written."
        )


def require_scalars(doc: Document, changes: Iterable[Change]) -> None:
    """:func:`require_scalar` for every change that sets a plain value (not a table or a list; deletions aside)."""
    from configurator.store import DELETE

    for change in changes:
        if change.value is not DELETE and not isinstance(change.value, (dict, list)):
            require_scalar(doc, tuple(str(k) for k in change.path))


def run_key_helper(command: str | list[str], *, stdin: str | None = None, env: Env | None = None,
                   timeout: float = 30) -> str:
    """What a key helper prints (a shell command string, or argv), as the agent would run it: one sentence when
    it fails, never its output (which may be a key)."""
    import os
    import subprocess

    shown = command if isinstance(command, str) else " ".join(command)
    try:
        proc = subprocess.run(command, shell=isinstance(command, str), input=stdin, capture_output=True, text=True,
                              timeout=timeout, env=dict(env) if env is not None else os.environ.copy())
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ConfiguratorError(f"the key helper `{shown}` could not run ({e.__class__.__name__}: "
                                f"{getattr(e, 'strerror', None) or 'timed out'}).") from None
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [""])[-1][:200]
        raise ConfiguratorError(f"the key helper `{shown}` failed (exit {proc.returncode}){': ' + last if last else ''}.")
    value = proc.stdout.strip()
    if not value:
        raise ConfiguratorError(f"the key helper `{shown}` printed nothing.")
    from configurator.secrets import register

    register(value)
    return value


def get_in(data: Any, path: tuple[str, ...], default: Any = None) -> Any:
    """``data[path[0]][path[1]]...``, or ``default`` where a step is missing or not an object."""
    for k in path:
        if not isinstance(data, dict) or k not in data:
            return default
        data = data[k]
    return data
