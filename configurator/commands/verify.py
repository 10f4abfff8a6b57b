"""`configurator verify`: one tiny real request per configured agent, to the exact URL the agent would call.

Each agent's config is read the way the agent reads it (:attr:`Agent.active <configurator.agents.base.Agent>`:
base URL, where the key comes from, which wire protocol), then the smallest request (1 output token) is
sent with the standard library's HTTP client. A failure is explained, and says which setting to change when
it is the config's: doubled or missing ``/v1``, a path not served, a rejected key (masked), a model the provider
does not know (its error text, masked, 200 characters at most), a protocol the provider does not serve. A request
that gets no answer (DNS, refused connection, TLS, timeout) is a network problem when ``configurator lint`` finds
the agent's config right, and says what lint finds otherwise.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from configurator import agents, exitcodes
from configurator.agents.base import ActiveProvider
from configurator.errors import ConfiguratorError
from configurator.render import Result
from configurator.secrets import mask, redact, register

Status = Literal["ok", "fail", "skipped"]


@dataclass(frozen=True)
class VerifyOptions:
    #: agent ids; empty: every agent
    tools: tuple[str, ...] = ()
    timeout: float = 10.0
    #: the environment the agents would run in (default: this process's)
    env: Mapping[str, str] | None = None


@dataclass
class Check:
    tool: str
    status: Status
    message: str
    url: str | None = None
    http_status: int | None = None
    key: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "status": self.status, "message": self.message, "url": self.url,
                "http_status": self.http_status, "key": self.key}


# --- sending ------------------------------------------------------------------------------------


def request_for(probe: ActiveProvider, url: str | None = None) -> urllib.request.Request:
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
    """The provider's error message from a response body: secrets masked (before cutting, so no part of a key
    survives), at most 200 characters."""
    try:
        data = json.loads(body)
    except ValueError:
        text = body.strip()
    else:
        err = data.get("error") if isinstance(data, dict) else None
        text = str(err.get("message") or err) if isinstance(err, dict) else str(err or data)
    return redact(text)[:200]


def _alt_path(probe: ActiveProvider) -> tuple[str, str] | None:
    """The URL the tool would call with /v1 toggled, and what that change would mean."""
    base = probe.base_url
    tail = probe.url[len(base):]
    if base.endswith("/v1"):
        return base[: -len("/v1")] + tail, "doubled"
    return base + "/v1" + tail, "missing"


def check(probe: ActiveProvider, timeout: float, env: Mapping[str, str] | None = None) -> Check:
    if not probe.key and probe.fetch_key is not None:  # the key helper the tool would run
        try:
            probe = dataclasses.replace(probe, key=probe.fetch_key())
        except ConfiguratorError as e:
            return Check(probe.agent, "fail", f"{e} Run it by hand to see why; `configurator status` shows where "
                         "the key comes from.", probe.url, None, None)
    masked = mask(probe.key) if probe.key else None
    c = Check(probe.agent, "fail", "", probe.url, None, masked)
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
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            c.message = f"no answer from {probe.url} within {timeout:g}s (timeout); check the URL and your network."
        else:
            c.message = _unreachable(probe, _network_reason(reason), env)
        return c
    except (OSError, ValueError) as e:
        c.message = _unreachable(probe, str(e) or type(e).__name__, env)
        return c
    c.http_status = status
    if 200 <= status < 300:
        c.status = "ok"
        c.message = f"{probe.protocol} request to {probe.url} answered {status} with key {masked}."
        return c
    error = _error_text(body)
    if status in (401, 403):
        c.message = (f"the provider rejected the key {masked} from {probe.key_source} (HTTP {status}: {error}); "
                     f"set the right key in {probe.key_source} (configurator setup can replace it).")
        return c
    if _names_the_model(status, error, probe.model):
        c.message = (f"the provider does not know the model {probe.model!r} (HTTP {status}: {error}); set "
                     f"{probe.model_setting or 'the model, next to ' + probe.setting + ','} to a model it serves.")
        return c
    if status == 404:
        c.message = _diagnose_404(probe, timeout)
        if error:
            c.message += f" The provider said: {error}"
        return c
    c.message = f"{probe.url} answered HTTP {status}: {error}"
    if status in (400, 422):
        c.status = "ok"
        c.message = (f"reachable and the key was accepted, but the provider refused the 1-token test request "
                     f"(HTTP {status}: {error}).")
    return c


_MODEL_ERROR = re.compile(r"model.{0,40}(not (be )?found|not exist|unknown|invalid|unsupported|not supported|"
                          r"not available|no such|does not)|(unknown|invalid|unsupported|no such) model|"
                          r"model_not_found|not_found_error.{0,40}model", re.IGNORECASE)


def _names_the_model(status: int, error: str, model: str) -> bool:
    """Is this error the provider not knowing the model (rather than the path or the request)?"""
    if status not in (400, 404, 422) or not error:
        return False
    return bool(_MODEL_ERROR.search(error)) or (model in error and "model" in error.lower() and status != 404)


def _network_reason(reason: object) -> str:
    """Why a connection failed, in words: DNS, refused, TLS, or what the OS said."""
    if isinstance(reason, socket.gaierror):
        return f"the name does not resolve (DNS: {reason.strerror or reason})"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (nothing listens at that address and port)"
    if isinstance(reason, ssl.SSLError) or "CERTIFICATE" in str(reason).upper():
        detail = getattr(reason, "reason", None) or getattr(reason, "verify_message", None) or reason
        return f"TLS error ({detail})"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason)


def _unreachable(probe: ActiveProvider, reason: str, env: Mapping[str, str] | None) -> str:
    """A request that never got an answer: a network problem when lint finds the agent's config right, else what
    lint finds."""
    host = urllib.parse.urlsplit(probe.url).netloc or probe.url
    problems = _config_errors(probe, os.environ if env is None else env)
    if not problems:
        return f"cannot reach {host}: {reason}; the config looks right, so check the network (DNS, proxy, VPN, firewall)."
    return f"cannot reach {host}: {reason}; and `configurator lint` finds a problem in the config: {problems[0]}"


def _config_errors(probe: ActiveProvider, env: Mapping[str, str]) -> list[str]:
    """Error findings of lint on the agent's existing user config files."""
    from configurator.lint import lint_paths

    files = [f.path for f in agents.get(probe.agent).user_files(env) if f.path.is_file()]
    if not files:
        return []
    try:
        report = lint_paths(files, env=env)
    except ConfiguratorError as e:
        return [str(e)]
    return [f"{f.file}:{f.line}:{f.column}: {f.message}" for f in report.findings if f.severity == "error"]


def _diagnose_404(probe: ActiveProvider, timeout: float) -> str:
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
            chat_status, _ = _send(request_for(dataclasses.replace(probe, protocol="openai-chat"), chat), timeout)
        except (OSError, ValueError):
            chat_status = None
        if chat_status is not None and chat_status != 404:
            return (f"404 at {probe.url}: this provider serves Chat Completions but not the Responses API, which "
                    "current Codex (0.95 and newer) requires; use a provider or gateway that serves /responses.")
    if probe.protocol in ("openai-responses", "openai-chat") and not probe.base_url.endswith("/v1"):
        return f"404 at {probe.url}: /v1 may be missing from {probe.setting}."
    return f"404 at {probe.url}: the provider does not serve this path; check {probe.setting}."


def run(opts: VerifyOptions) -> Result:
    env = os.environ if opts.env is None else opts.env
    checks: list[Check] = []
    for agent in map(agents.get, opts.tools or agents.IDS):
        try:
            probe = agent.active(env)
        except ConfiguratorError as e:
            checks.append(Check(agent.id, "fail", str(e)))
            continue
        if probe is None:
            checks.append(Check(agent.id, "skipped", "not configured (no config file)"))
            continue
        checks.append(check(probe, opts.timeout, env))
    failed = [c for c in checks if c.status == "fail"]

    def text() -> str:
        marks = {"ok": "ok     ", "fail": "FAILED ", "skipped": "skipped"}
        return "\n".join(f"{marks[c.status]} {c.tool:12} {c.message}" for c in checks)

    return Result("verify", {"checks": [c.to_dict() for c in checks], "ok": not failed}, text,
                  exit_code=exitcodes.FINDINGS if failed else exitcodes.OK)
