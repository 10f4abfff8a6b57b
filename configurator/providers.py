"""Provider presets (data in templates/providers) and base-URL derivation."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from configurator.errors import ConfiguratorError
from configurator.render import shown_input
from configurator.resources import template_path


@dataclass(frozen=True)
class ModelInfo:
    id: str
    name: str
    context_window: int
    max_tokens: int


@dataclass
class Preset:
    id: str
    name: str
    anthropic_base_url: str | None
    openai_base_url: str | None
    env_var: str
    main_model: str | None
    fast_model: str | None
    models: list[ModelInfo] = field(default_factory=list)
    docs_url: str | None = None
    checked: str | None = None
    default_context_window: int = 131072
    default_max_tokens: int = 8192

    @property
    def is_custom(self) -> bool:
        return self.anthropic_base_url is None

    def model(self, model_id: str) -> ModelInfo:
        for m in self.models:
            if m.id == model_id:
                return m
        return ModelInfo(model_id, model_id, self.default_context_window, self.default_max_tokens)


def preset_ids() -> list[str]:
    folder = template_path("providers")
    ids = sorted(p.stem for p in folder.glob("*.toml"))
    # the default first, custom last
    ids.sort(key=lambda i: (i != "atlascloud", i == "custom", i))
    return ids


def load_preset(preset_id: str) -> Preset:
    from configurator.store import parse_text

    ids = preset_ids()
    if preset_id not in ids:  # only a preset's own file: never a path (--provider ../../pyproject)
        raise ConfiguratorError(
            f"Unknown provider {shown_input(preset_id)}; choose one of: {', '.join(ids)} (or 'custom' with --base-url)."
        )
    path = template_path("providers", f"{preset_id}.toml")
    raw: dict[str, Any] = parse_text(path.read_text(encoding="utf-8"), "toml", path)
    models = [
        ModelInfo(m["id"], m.get("name", m["id"]), int(m["context_window"]), int(m["max_tokens"]))
        for m in raw.get("models", [])
    ]
    return Preset(
        id=raw["id"],
        name=raw["name"],
        anthropic_base_url=raw.get("anthropic_base_url"),
        openai_base_url=raw.get("openai_base_url"),
        env_var=raw.get("env_var", "PROVIDER_API_KEY"),
        main_model=raw.get("main_model"),
        fast_model=raw.get("fast_model"),
        models=models,
        docs_url=raw.get("docs_url"),
        checked=raw.get("checked"),
        default_context_window=int(raw.get("default_context_window", 131072)),
        default_max_tokens=int(raw.get("default_max_tokens", 8192)),
    )


#: the longest base URL taken (browsers and proxies stop long before a config should)
MAX_URL = 2048
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def _url_error(flag: str, url: str, problem: str) -> ConfiguratorError:
    return ConfiguratorError(f"{flag} {shown_input(url)} {problem}; give it like https://api.example.com/v1.")


def _check_host(flag: str, url: str, netloc: str, host: str) -> None:
    if "[" in netloc:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise _url_error(flag, url, "has a host that is not a valid IPv6 address") from None
        return
    try:
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        raise _url_error(flag, url, "has a host name that is not valid") from None
    labels = ascii_host.removesuffix(".").split(".")
    if len(ascii_host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise _url_error(flag, url, "has a host name that is not valid (letters, digits, - and . only)")


def _check_url(url: str, flag: str) -> tuple[str, str, str]:
    """(scheme, netloc, path) of an http(s) base URL, or a one-sentence ConfiguratorError saying what is wrong.

    Refused: other schemes, no host, a query or fragment, whitespace or control characters anywhere (a URL
    parser silently drops a newline), a backslash (``https://x\\@evil.com``: browsers read the host as ``x``,
    Python as ``evil.com``), a user name or password (the tools would keep them in plain config files), a
    host name that is not one, a port outside 1-65535.
    """
    if len(url) > MAX_URL:
        raise ConfiguratorError(f"{flag} is {len(url)} characters long; give a base URL like https://api.example.com/v1.")
    url = url.strip(" ")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise _url_error(flag, url, "contains spaces or control characters (a line break?)")
    if "\\" in url:
        raise _url_error(flag, url, "contains a backslash, which tools read differently")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise _url_error(flag, url, "is not a valid URL") from None
    if "@" in parts.netloc:
        raise ConfiguratorError(
            f"{flag} contains a user name or password (user:pass@host), which the tools would keep in plain config "
            "files; give the URL without it (https://host/v1) and the key with --api-key-env or --api-key-stdin."
        )
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _url_error(flag, url, "is not an http(s) URL")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise _url_error(flag, url, "has a port that is not a number from 1 to 65535")
    host = parts.hostname or ""
    if not host:
        raise _url_error(flag, url, "has no host name")
    _check_host(flag, url, parts.netloc, host)
    if parts.query or parts.fragment:
        raise ConfiguratorError(f"{flag} {shown_input(url)} has a query or fragment; give only scheme, host and path.")
    return parts.scheme, parts.netloc, parts.path


def derive_base_urls(base_url: str) -> tuple[str, str]:
    """``https://host`` or ``https://host/v1`` -> (Anthropic base without /v1, OpenAI base with /v1)."""
    scheme, netloc, path = _check_url(base_url, "--base-url")
    norm = path.rstrip("/")
    if norm not in ("", "/v1"):
        raise ConfiguratorError(
            f"--base-url {base_url!r} has the path {path!r}, from which the two API roots cannot be derived; "
            "give both --anthropic-base-url (the root Claude Code appends /v1/messages to) and "
            "--openai-base-url (the OpenAI-compatible root, usually ending in /v1)."
        )
    root = urlunsplit((scheme, netloc, "", "", ""))
    return root, root + "/v1"


def normalize_anthropic_url(url: str) -> str:
    scheme, netloc, path = _check_url(url, "--anthropic-base-url")
    path = path.rstrip("/")
    if path.endswith("/v1"):
        path = path[: -len("/v1")]
    return urlunsplit((scheme, netloc, path, "", ""))


def normalize_openai_url(url: str) -> str:
    scheme, netloc, path = _check_url(url, "--openai-base-url")
    return urlunsplit((scheme, netloc, path.rstrip("/"), "", ""))


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


def key_is_printable(key: str) -> bool:
    """Provider keys go into HTTP headers: printable ASCII, no whitespace or quotes."""
    return all(33 <= ord(c) < 127 and c not in "\"'`" for c in key)
