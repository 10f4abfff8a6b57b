"""The provider's own model list (``GET {openai_base}/models``), for setup: which ids exist, and which API
each model speaks when the list says so.

The key goes in the ``Authorization`` header only; it is never logged, and the cache (one JSON file per
base URL under ``$XDG_CACHE_HOME/agent-configurator/models``, 0600, kept 24 hours) holds ids and
protocols, never the key. A provider that cannot be reached is not an error: setup offers the preset's
models and says so in one note. ``AGENT_CONFIGURATOR_OFFLINE=1`` turns the request off (tests, air gaps).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from configurator import paths

if TYPE_CHECKING:  # pragma: no cover
    from configurator.agents.base import Protocol

#: seconds a fetched list is trusted
CACHE_SECONDS = 24 * 3600
#: seconds to wait for the provider
TIMEOUT = 3.0
OFFLINE_VAR = "AGENT_CONFIGURATOR_OFFLINE"
#: fields in which gateways list the APIs a model serves (new-api/one-api, OpenRouter-like lists, ...)
_PROTOCOL_FIELDS = ("supported_endpoint_types", "supported_protocols", "protocols", "supported_apis", "endpoints",
                    "api_types")
#: how those lists name the three APIs the agents use
_PROTOCOL_NAMES: dict[str, Protocol] = {
    "anthropic": "anthropic-messages", "anthropic-messages": "anthropic-messages", "messages": "anthropic-messages",
    "claude": "anthropic-messages", "/v1/messages": "anthropic-messages",
    "openai-response": "openai-responses", "openai-responses": "openai-responses", "responses": "openai-responses",
    "/v1/responses": "openai-responses",
    "openai": "openai-chat", "openai-chat": "openai-chat", "chat": "openai-chat", "chat-completions": "openai-chat",
    "chat_completions": "openai-chat", "/v1/chat/completions": "openai-chat",
}
PROTOCOL_LABELS: dict[Protocol, str] = {
    "anthropic-messages": "Anthropic Messages", "openai-responses": "OpenAI Responses",
    "openai-chat": "OpenAI Chat Completions",
}


@dataclass(frozen=True)
class ProviderModels:
    """The ids a provider lists, in its order, and the APIs of the models whose entry says."""

    ids: tuple[str, ...]
    protocols: Mapping[str, frozenset[Protocol]] = field(default_factory=dict)
    source: Literal["provider", "cache"] = "provider"

    def serves(self, model: str, protocol: Protocol) -> bool | None:
        """True/False when the list says which APIs ``model`` speaks, None when it does not say."""
        known = self.protocols.get(model)
        return None if known is None else protocol in known

    def closest(self, model: str, n: int = 3) -> list[str]:
        import difflib

        by_lower = {i.lower(): i for i in self.ids}
        hits = difflib.get_close_matches(model.lower(), list(by_lower), n=n, cutoff=0.5)
        if not hits:  # a bare name for a namespaced id: deepseek-v4-pro -> deepseek-ai/deepseek-v4-pro
            hits = [k for k in by_lower if k.rsplit("/", 1)[-1] == model.lower().rsplit("/", 1)[-1]][:n]
        return [by_lower[h] for h in hits]


def parse(body: Any) -> ProviderModels | None:
    """An OpenAI or Anthropic ``/models`` answer (``{"data": [...]}`` or a bare list) -> ids and protocols."""
    entries = body.get("data") if isinstance(body, dict) else body
    if not isinstance(entries, list):
        return None
    ids: list[str] = []
    protocols: dict[str, frozenset[Protocol]] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"].strip():
            continue
        mid = entry["id"].strip()
        if mid in protocols or mid in ids:
            continue
        ids.append(mid)
        for name in _PROTOCOL_FIELDS:
            listed = entry.get(name)
            if isinstance(listed, list) and listed:
                protocols[mid] = frozenset(_protocols(listed))
                break
    return ProviderModels(tuple(ids), protocols)


def _protocols(names: Iterable[Any]) -> Iterable[Protocol]:
    for n in names:
        p = _PROTOCOL_NAMES.get(str(n).strip().lower()) if isinstance(n, str) else None
        if p is not None:
            yield p


#: one answer per (base URL, cache folder) for the life of the process (the wizard and the apply step ask the same)
_SEEN: dict[tuple[str, str], tuple[ProviderModels | None, str | None]] = {}


def fetch(openai_base_url: str, key: str | None, *, env: Mapping[str, str] | None = None,
          timeout: float = TIMEOUT) -> tuple[ProviderModels | None, str | None]:
    """The provider's models, or (None, one sentence why not). From the cache when it is less than a day old."""
    e = os.environ if env is None else env
    if e.get(OFFLINE_VAR, "").strip() not in ("", "0"):
        return None, None
    base = openai_base_url.rstrip("/")
    seen = (base, str(paths.cache_dir(e)))
    if seen not in _SEEN:
        cached = _read_cache(base, e)
        if cached is not None:
            _SEEN[seen] = (cached, None)
        else:
            models, note = _request(base, key, timeout)
            if models is not None:
                _write_cache(base, models, e)
            _SEEN[seen] = (models, note)
    return _SEEN[seen]


def _request(base: str, key: str | None, timeout: float) -> tuple[ProviderModels | None, str | None]:
    import urllib.error
    import urllib.request
    from urllib.parse import urlsplit

    host = urlsplit(base).hostname or base
    headers = {"accept": "application/json", "user-agent": "agent-configurator"}
    if key:
        headers["authorization"] = f"Bearer {key}"
    req = urllib.request.Request(base + "/models", headers=headers, method="GET")
    why: str
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - the URL the user configures
            body = json.loads(resp.read(4 << 20).decode("utf-8", "replace"))
    except urllib.error.HTTPError as err:
        why = f"{base}/models answered HTTP {err.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        reason = getattr(err, "reason", err)
        why = f"cannot reach {host} ({reason})"
    except ValueError:
        why = f"{base}/models did not answer JSON"
    else:
        models = parse(body)
        if models is not None and models.ids:
            return models, None
        why = f"{base}/models listed no models"
    return None, f"could not list the provider's models: {why}; the preset's models are offered and not checked."


def _cache_file(base: str, env: Mapping[str, str]) -> Any:
    digest = hashlib.blake2b(base.encode("utf-8"), digest_size=12).hexdigest()
    return paths.cache_dir(env) / "models" / f"{digest}.json"


def _read_cache(base: str, env: Mapping[str, str]) -> ProviderModels | None:
    try:
        data = json.loads(_cache_file(base, env).read_text(encoding="utf-8"))
        if data.get("url") != base or not 0 <= time.time() - float(data["fetched"]) < CACHE_SECONDS:
            return None
        protocols = {m: frozenset(_protocols(p)) for m, p in data.get("protocols", {}).items()}
        return ProviderModels(tuple(str(i) for i in data["ids"]), protocols, "cache")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_cache(base: str, models: ProviderModels, env: Mapping[str, str]) -> None:
    """Best effort: a cache that cannot be written only means asking again next time."""
    path = _cache_file(base, env)
    data = {"url": base, "fetched": time.time(), "ids": list(models.ids),
            "protocols": {m: sorted(p) for m, p in models.protocols.items()}}
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, path)
    except OSError:
        pass
