"""`configurator verify`: one tiny real request per configured tool, to the exact URL the tool would call.

Each tool's config is read the way the tool reads it (base URL, where the key comes from, which wire
protocol), then the smallest request (1 output token) is sent with the standard library's HTTP client.
A failure is explained: doubled or missing ``/v1``, a rejected key (masked), a protocol the provider does
not serve, a timeout, a TLS or DNS error.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from configurator import exitcodes, paths
from configurator.errors import ConfiguratorError
from configurator.render import Result
from configurator.secrets import mask, register
from configurator.store import read_document

DEFAULT_ANTHROPIC = "https://api.anthropic.com"
DEFAULT_OPENAI = "https://api.openai.com/v1"


@dataclass
class Probe:
    """What a tool would send: where, with which key, in which protocol."""

    tool: str
    protocol: str  # anthropic-messages | openai-responses | openai-chat
    base_url: str
    url: str
    model: str
    key: str | None
    key_source: str
    auth_header: str  # "bearer" | "x-api-key"
    setting: str  # the config key that holds the base URL, for messages


@dataclass
class Check:
    tool: str
    status: str  # ok | fail | skipped
    message: str
    url: str | None = None
    http_status: int | None = None
    key: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "status": self.status, "message": self.message, "url": self.url,
                "http_status": self.http_status, "key": self.key}


# --- reading each tool's config the way the tool does -------------------------------------------


def claude_probe(env: Mapping[str, str]) -> Probe | None:
    path = paths.claude_settings(env)
    doc = read_document(path, "json")
    block = doc.data.get("env") if isinstance(doc.data.get("env"), dict) else {}
    # settings.json env wins over the shell's environment
    merged = {**{k: v for k, v in env.items() if k.startswith(("ANTHROPIC_", "CLAUDE_"))},
              **{k: str(v) for k, v in block.items()}}
    if not doc.exists and "ANTHROPIC_BASE_URL" not in merged:
        return None
    base = merged.get("ANTHROPIC_BASE_URL", DEFAULT_ANTHROPIC).rstrip("/")
    if merged.get("ANTHROPIC_AUTH_TOKEN"):
        key, source, header = merged["ANTHROPIC_AUTH_TOKEN"], "ANTHROPIC_AUTH_TOKEN", "bearer"
    elif merged.get("ANTHROPIC_API_KEY"):
        key, source, header = merged["ANTHROPIC_API_KEY"], "ANTHROPIC_API_KEY", "x-api-key"
    else:
        key, source, header = None, "ANTHROPIC_AUTH_TOKEN", "bearer"
    model = merged.get("ANTHROPIC_MODEL") or merged.get("ANTHROPIC_DEFAULT_SONNET_MODEL") or "claude-sonnet-4-5"
    return Probe("claude-code", "anthropic-messages", base, base + "/v1/messages", model, key, source, header,
                 f"ANTHROPIC_BASE_URL in {path}")


def codex_probe(env: Mapping[str, str]) -> Probe | None:
    path = paths.codex_config(env)
    doc = read_document(path, "toml")
    if not doc.exists:
        return None
    data = doc.data
    profile_name = data.get("profile")
    profile = data.get("profiles", {}).get(profile_name, {}) if isinstance(profile_name, str) else {}
    provider_id = profile.get("model_provider") or data.get("model_provider") or "openai"
    model = profile.get("model") or data.get("model") or "gpt-5"
    providers = data.get("model_providers", {})
    table = providers.get(provider_id) if isinstance(providers, dict) else None
    if not isinstance(table, dict):
        if provider_id != "openai":
            raise ConfiguratorError(
                f"{path}: model_provider {provider_id!r} is not defined under [model_providers]; run `configurator lint`."
            )
        table = {"base_url": env.get("OPENAI_BASE_URL", DEFAULT_OPENAI), "requires_openai_auth": True}
    base = str(table.get("base_url", DEFAULT_OPENAI)).rstrip("/")
    wire = table.get("wire_api", "responses")
    key: str | None
    if table.get("env_key"):
        source = f"${table['env_key']}"
        key = env.get(str(table["env_key"])) or None
    else:
        auth = read_document(paths.codex_auth(env), "json")
        source = f"OPENAI_API_KEY in {paths.codex_auth(env)}"
        key = auth.data.get("OPENAI_API_KEY") or None
    protocol = "openai-chat" if wire == "chat" else "openai-responses"
    suffix = "/chat/completions" if wire == "chat" else "/responses"
    return Probe("codex", protocol, base, base + suffix, str(model), key, source, "bearer",
                 f"base_url of [model_providers.{provider_id}] in {path}")


def openclaw_probe(env: Mapping[str, str]) -> Probe | None:
    path = paths.openclaw_config(env)
    doc = read_document(path, "json5")
    if not doc.exists:
        return None
    primary = doc.data.get("agents", {}).get("defaults", {}).get("model", {})
    primary = primary.get("primary") if isinstance(primary, dict) else primary
    if not isinstance(primary, str) or "/" not in primary:
        raise ConfiguratorError(f"{path}: agents.defaults.model.primary is not set as provider/model; run setup.")
    provider_id, model = primary.split("/", 1)
    provider = doc.data.get("models", {}).get("providers", {}).get(provider_id)
    if not isinstance(provider, dict):
        raise ConfiguratorError(
            f"{path}: the primary model names provider {provider_id!r}, which is not under models.providers."
        )
    base = str(provider.get("baseUrl", "")).rstrip("/")
    raw_key = provider.get("apiKey")
    key: str | None = raw_key if isinstance(raw_key, str) else None
    source = f"apiKey of models.providers.{provider_id} in {path}"
    if key and key.startswith("${") and key.endswith("}"):
        var = key[2:-1]
        source = f"${var}"
        key = env.get(var) or None
    api = provider.get("api", "openai-completions")
    if api == "anthropic-messages":
        return Probe("openclaw", "anthropic-messages", base, base + "/v1/messages", model, key, source, "x-api-key",
                     f"baseUrl of models.providers.{provider_id} in {path}")
    if api == "openai-responses":
        return Probe("openclaw", "openai-responses", base, base + "/responses", model, key, source, "bearer",
                     f"baseUrl of models.providers.{provider_id} in {path}")
    return Probe("openclaw", "openai-chat", base, base + "/chat/completions", model, key, source, "bearer",
                 f"baseUrl of models.providers.{provider_id} in {path}")


PROBES = {"claude-code": claude_probe, "codex": codex_probe, "openclaw": openclaw_probe}


# --- sending ------------------------------------------------------------------------------------


def request_for(probe: Probe, url: str | None = None) -> urllib.request.Request:
    if probe.protocol == "anthropic-messages":
        body: dict[str, Any] = {"model": probe.model, "max_tokens": 1,
                                "messages": [{"role": "user", "content": "ping"}]}
    elif probe.protocol == "openai-responses":
        body = {"model": probe.model, "input": "ping", "max_output_tokens": 1}
    else:
        body = {"model": probe.model, "max_tokens": 1, "messages": [{"role": "user", "content": "ping"}]}
    headers = {"content-type": "application/json", "user-agent": "agent-configurator-verify"}
    if probe.protocol == "anthropic-messages":
        headers["anthropic-version"] = "2023-06-01"
    if probe.key:
        if probe.auth_header == "x-api-key":
            headers["x-api-key"] = probe.key
        else:
            headers["authorization"] = f"Bearer {probe.key}"
    return urllib.request.Request(url or probe.url, data=json.dumps(body).encode(), headers=headers, method="POST")


def _send(req: urllib.request.Request, timeout: float) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - URL comes from the user's config
            return resp.status, resp.read(4096).decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        try:
            body = e.read(4096).decode("utf-8", "replace")
        except OSError:
            body = ""
        return e.code, body


def _error_text(body: str) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return body.strip()[:200]
    err = data.get("error") if isinstance(data, dict) else None
    if isinstance(err, dict):
        return str(err.get("message") or err)[:200]
    return str(err or data)[:200]


def _alt_path(probe: Probe) -> tuple[str, str] | None:
    """The URL the tool would call with /v1 toggled, and what that change would mean."""
    base = probe.base_url
    tail = probe.url[len(base):]
    if base.endswith("/v1"):
        return base[: -len("/v1")] + tail, "doubled"
    return base + "/v1" + tail, "missing"


def check(probe: Probe, timeout: float) -> Check:
    masked = mask(probe.key) if probe.key else None
    c = Check(probe.tool, "fail", "", probe.url, None, masked)
    if not probe.key:
        c.message = f"no API key found ({probe.key_source} is not set); run `configurator setup` or export it."
        return c
    register(probe.key)
    try:
        status, body = _send(request_for(probe), timeout)
    except TimeoutError:
        c.message = f"no answer from {probe.url} within {timeout:g}s (timeout); check the URL and your network."
        return c
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, ssl.SSLError) or "CERTIFICATE" in str(reason).upper():
            c.message = f"TLS error talking to {probe.url}: {reason}. Check the URL's scheme and host (and any proxy)."
        elif isinstance(reason, socket.gaierror):
            c.message = f"DNS error: the host of {probe.url} cannot be resolved; check {probe.setting}."
        elif isinstance(reason, TimeoutError) or "timed out" in str(reason):
            c.message = f"no answer from {probe.url} within {timeout:g}s (timeout); check the URL and your network."
        elif isinstance(reason, ConnectionRefusedError):
            c.message = f"connection refused by {probe.url}; is the provider (or proxy) running at that address?"
        else:
            c.message = f"cannot reach {probe.url}: {reason}"
        return c
    except (OSError, ValueError) as e:
        c.message = f"cannot reach {probe.url}: {e}"
        return c
    c.http_status = status
    if 200 <= status < 300:
        c.status = "ok"
        c.message = f"{probe.protocol} request to {probe.url} answered {status} with key {masked}."
        return c
    if status in (401, 403):
        c.message = (f"the provider rejected the key {masked} from {probe.key_source} (HTTP {status}); "
                     "check the key (configurator setup can replace it).")
        return c
    if status == 404:
        c.message = _diagnose_404(probe, timeout)
        return c
    c.message = f"{probe.url} answered HTTP {status}: {_error_text(body)}"
    if status in (400, 422):
        c.status = "ok"
        c.message = (f"reachable and the key was accepted, but the provider refused the 1-token test request "
                     f"(HTTP {status}: {_error_text(body)}); the model id {probe.model!r} may be wrong.")
    return c


def _diagnose_404(probe: Probe, timeout: float) -> str:
    alt = _alt_path(probe)
    if "/v1/v1/" in probe.url:
        return f"404 at {probe.url}: the /v1 is doubled; remove the trailing /v1 from {probe.setting}."
    alt_status = None
    if alt:
        try:
            alt_status, _ = _send(request_for(probe, alt[0]), timeout)
        except (OSError, ValueError):
            alt_status = None
    if alt and alt_status is not None and alt_status != 404:
        if alt[1] == "doubled":
            return (f"404 at {probe.url}, but {alt[0]} answers: the /v1 is doubled; remove the trailing /v1 from "
                    f"{probe.setting}.")
        return f"404 at {probe.url}, but {alt[0]} answers: /v1 is missing; append /v1 to {probe.setting}."
    if probe.protocol == "openai-responses":
        chat = probe.base_url + "/chat/completions"
        try:
            chat_status, _ = _send(request_for(Probe(**{**probe.__dict__, "protocol": "openai-chat"}), chat), timeout)
        except (OSError, ValueError):
            chat_status = None
        if chat_status is not None and chat_status != 404:
            return (f"404 at {probe.url}: this provider serves Chat Completions but not the Responses API, which "
                    "current Codex (0.95 and newer) requires; use a provider or gateway that serves /responses.")
    if probe.protocol in ("openai-responses", "openai-chat") and not probe.base_url.endswith("/v1"):
        return f"404 at {probe.url}: /v1 may be missing from {probe.setting}."
    return f"404 at {probe.url}: the provider does not serve this path; check {probe.setting}."


def run(tools: list[str] | None = None, *, timeout: float = 10.0, env: Mapping[str, str] | None = None) -> Result:
    env = os.environ if env is None else env
    checks: list[Check] = []
    for tool in tools or list(PROBES):
        try:
            probe = PROBES[tool](env)
        except ConfiguratorError as e:
            checks.append(Check(tool, "fail", str(e)))
            continue
        if probe is None:
            checks.append(Check(tool, "skipped", "not configured (no config file)"))
            continue
        checks.append(check(probe, timeout))
    failed = [c for c in checks if c.status == "fail"]

    def text() -> str:
        marks = {"ok": "ok     ", "fail": "FAILED ", "skipped": "skipped"}
        return "\n".join(f"{marks[c.status]} {c.tool:12} {c.message}" for c in checks)

    return Result("verify", {"checks": [c.to_dict() for c in checks], "ok": not failed}, text,
                  exit_code=exitcodes.FINDINGS if failed else exitcodes.OK)
