"""Finding key-like values in config data: which keys hold secrets, which values are real keys."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from configurator.lint.findings import KeyPath
from configurator.secrets import is_placeholder

_ENV_REF = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\{env:[A-Za-z_][A-Za-z0-9_]*\}|\{file:[^}]+\}|[A-Z][A-Z0-9_]*")
_SECRET_ENDINGS = ("apikey", "token", "secret", "password", "authorization")
_NOT_SECRET_ENDINGS = ("envvar", "envkey", "helper", "tokens", "file", "path", "url", "env")


def is_secret_key(key: Any) -> bool:
    """``apiKey``, ``ANTHROPIC_AUTH_TOKEN``, ``OPENAI_API_KEY``, ``experimental_bearer_token``, ``Authorization``..."""
    if not isinstance(key, str):
        return False
    return _is_secret_name(key)


_NOT_ALNUM = re.compile(r"[^a-z0-9]")


@lru_cache(maxsize=4096)
def _is_secret_name(key: str) -> bool:
    # cached: a big file repeats the same few member names thousands of times
    norm = _NOT_ALNUM.sub("", key.lower())
    return norm.endswith(_SECRET_ENDINGS) and not norm.endswith(_NOT_SECRET_ENDINGS)


def strip_scheme(value: str) -> str:
    v = value.strip()
    for prefix in ("Bearer ", "bearer ", "Basic ", "basic "):
        if v.startswith(prefix):
            return v[len(prefix):].strip()
    return v


def is_env_reference(value: str) -> bool:
    """``${VAR}``, ``$VAR``, ``{env:VAR}``, ``{file:path}`` or a bare ``VAR_NAME``: a pointer to a key, not a key."""
    return bool(_ENV_REF.fullmatch(value.strip()))


def is_real_key(value: str) -> bool:
    """A value that looks like an actual credential (not empty, not a placeholder, not a variable reference)."""
    v = strip_scheme(value)
    if is_placeholder(v) or is_env_reference(v):
        return False
    return len(v) >= 12 and not any(c.isspace() for c in v)


def iter_secrets(data: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Every string value stored under a secret-looking key, with its key path (in document order)."""
    if not isinstance(data, (dict, list)):
        return
    # iterative, depth first in document order: no generator per nested object or array
    stack: list[tuple[KeyPath, Iterator[tuple[Any, Any]], bool]] = [
        (path, iter(data.items()) if isinstance(data, dict) else enumerate(data), isinstance(data, dict))]
    while stack:
        kp, items, in_object = stack[-1]
        for key, value in items:
            if isinstance(value, str):
                if in_object and is_secret_key(key):
                    yield kp + (key,), value
            elif isinstance(value, dict):
                stack.append((kp + (key,), iter(value.items()), True))
                break
            elif isinstance(value, list):
                stack.append((kp + (key,), enumerate(value), False))
                break
        else:
            stack.pop()


def has_string(data: Any, first: str, *more: str) -> bool:
    """Whether some string value in ``data`` (any depth) contains ``first`` and every one of ``more``: a cheap
    first pass that builds no key paths, so a scan over a big file's strings can stop early when none can match."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            node = node.values()
        elif not isinstance(node, list):
            if isinstance(node, str) and first in node and all(p in node for p in more):
                return True
            continue
        for value in node:
            if isinstance(value, str):
                if first in value and all(p in value for p in more):
                    return True
            elif isinstance(value, (dict, list)):
                stack.append(value)
    return False


def iter_strings(data: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Every string value in ``data`` (objects and arrays, any depth), with its key path."""
    stack: list[tuple[KeyPath, Any]] = [(path, data)]
    while stack:
        kp, node = stack.pop()
        if isinstance(node, str):
            yield kp, node
        elif isinstance(node, dict):
            stack.extend((kp + (k,), v) for k, v in reversed(list(node.items())) if isinstance(k, str))
        elif isinstance(node, list):
            stack.extend((kp + (i,), v) for i, v in reversed(list(enumerate(node))))


#: schemes whose user name alone is a credential when sent (http basic auth, a token in the user part)
_WEB_SCHEMES = frozenset({"http", "https", "ws", "wss"})


def url_credentials(value: str) -> str | None:
    """``value`` shown with its credentials masked when it is a URL carrying them (``https://user:pass@host``,
    ``https://TOKEN@host``, any scheme with a password), else None."""
    from urllib.parse import urlsplit

    v = value.strip()
    if "://" not in v or "@" not in v or any(c.isspace() for c in v):
        return None
    try:
        parts = urlsplit(v)
    except ValueError:
        return None
    if not parts.scheme or "@" not in parts.netloc:
        return None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, colon, _password = userinfo.partition(":")
    if not colon and parts.scheme.lower() not in _WEB_SCHEMES:
        return None  # ssh://git@host: a user name, no secret
    from configurator.secrets import mask

    shown_user = mask(user) if len(user) >= 12 else user
    masked = f"{shown_user}:****" if colon else shown_user
    return parts._replace(netloc=f"{masked}@{hostport}").geturl()
