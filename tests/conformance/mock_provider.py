"""Offline mock LLM provider for conformance tests of the real agent CLIs.

Stdlib only.  Serves, on 127.0.0.1 and a random free port:

* Anthropic Messages      ``POST /v1/messages`` (also ``?beta=true``), SSE when
  the body has ``"stream": true``; ``POST /v1/messages/count_tokens``.
* OpenAI Responses        ``POST /v1/responses`` (SSE as the Codex CLI expects).
* OpenAI Chat Completions ``POST /v1/chat/completions`` (stream and not).
* ``GET /v1/models`` (OpenAI and Anthropic list shapes merged); ``model_fields`` adds fields per model id
  (e.g. the protocols a model speaks), so a test can serve a list with or without them.

Every request (also 401/404 ones) is recorded in ``.requests`` as a dict:
``method``, ``path`` (incl. query string), ``auth`` (``Authorization`` or
``x-api-key`` header value, else ``None``), ``headers`` (lower-cased dict),
``json`` (parsed body or ``None``), ``status`` (the status code answered).

A wrong/missing key gets 401, an unknown path 404 (checked before the key), a
known path with the wrong method 405.  ``GET|HEAD /api/hello`` (Claude Code's
unauthenticated preflight) gets 200.  The server stops by itself
after ``max_lifetime`` seconds or ``max_requests`` requests.

    with MockProvider(api_key="sk-test-123") as mock:
        run_cli(base_url=mock.url)
        assert mock.requests[0]["path"] == "/v1/messages?beta=true"
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

MARKER = "MOCK-PONG"

__all__ = ["MARKER", "MockProvider"]


def _sse(event: str | None, data: Any) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


class _Handler(BaseHTTPRequestHandler):
    server_version = "MockProvider/1.0"
    protocol_version = "HTTP/1.1"
    mock: MockProvider  # set on the subclass per instance

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    # ------------------------------------------------------------------ utils
    def _read_body(self) -> tuple[bytes, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw and self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            raw = b"".join(chunks)
        if self.headers.get("Content-Encoding", "").lower() == "zstd" and raw:
            return raw, None  # cannot decode without 3rd-party libs
        if self.headers.get("Content-Encoding", "").lower() == "gzip" and raw:
            import gzip

            raw = gzip.decompress(raw)
        try:
            return raw, json.loads(raw) if raw else None
        except ValueError:
            return raw, None

    def _auth_value(self) -> str | None:
        return self.headers.get("Authorization") or self.headers.get("x-api-key")

    def _auth_ok(self) -> bool:
        key = self.mock.api_key
        if self.headers.get("x-api-key") == key:
            return True
        return self.headers.get("Authorization") == f"Bearer {key}"

    def _send_json(self, status: int, obj: Any, extra: dict[str, str] | None = None) -> None:
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_sse(self, events: list[bytes]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        for ev in events:
            self.wfile.write(ev)
            self.wfile.flush()

    # --------------------------------------------------------------- dispatch
    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        mock = self.mock
        raw, body = self._read_body() if method in ("POST", "PUT") else (b"", None)
        rec: dict[str, Any] = {
            "method": method,
            "path": self.path,
            "auth": self._auth_value(),
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "json": body,
            "raw_len": len(raw),
            "status": None,
            "time": time.time(),
        }
        with mock._lock:
            mock.requests.append(rec)
            count = len(mock.requests)
        if count >= mock.max_requests:
            threading.Thread(target=mock.stop, daemon=True).start()
        route = urlsplit(self.path).path.rstrip("/") or "/"
        if route == "/api/hello" and method in ("GET", "HEAD"):
            # Claude Code probes HEAD {base}/api/hello (no auth) before the first call.
            rec["status"] = 200
            self._send_json(200, {"message": "hello"})
            return
        routes = {
            ("POST", "/v1/messages"): self._anthropic_messages,
            ("POST", "/v1/messages/count_tokens"): self._anthropic_count_tokens,
            ("POST", "/v1/responses"): self._openai_responses,
            ("POST", "/v1/chat/completions"): self._openai_chat,
            ("GET", "/v1/models"): self._models,
        }
        handler = routes.get((method, route))
        if handler is None and route not in mock.disabled and any(r == route for _, r in routes):
            # known route, wrong method (codex doctor probes HEAD /v1/responses)
            rec["status"] = 405
            self._send_json(405, {"type": "error", "error": {"type": "invalid_request_error", "message": f"mock: {method} not allowed on {route}"}})
            return
        if handler is None or route in mock.disabled:
            rec["status"] = 404
            self._send_json(
                404,
                {"type": "error", "error": {"type": "not_found_error", "message": f"mock: no route {method} {route}"}},
            )
            return
        if not self._auth_ok():
            rec["status"] = 401
            self._send_json(
                401,
                {
                    "type": "error",
                    "error": {
                        "type": "authentication_error",
                        "code": "invalid_api_key",
                        "message": "mock: invalid api key",
                    },
                },
            )
            return
        rec["status"] = 200
        handler(body if isinstance(body, dict) else {})

    # --------------------------------------------------------------- handlers
    def _models(self, _body: dict) -> None:
        ids = self.mock.models
        self._send_json(
            200,
            {
                "object": "list",
                "data": [
                    {
                        "id": m,
                        "object": "model",
                        "type": "model",
                        "display_name": m,
                        "created": 1700000000,
                        "created_at": "2025-01-01T00:00:00Z",
                        "owned_by": "mock",
                        **self.mock.model_fields.get(m, {}),
                    }
                    for m in ids
                ],
                "has_more": False,
                "first_id": ids[0] if ids else None,
                "last_id": ids[-1] if ids else None,
            },
        )

    def _anthropic_count_tokens(self, _body: dict) -> None:
        self._send_json(200, {"input_tokens": 10})

    def _anthropic_messages(self, body: dict) -> None:
        text = self.mock.reply
        model = body.get("model", "mock-model")
        msg_id = f"msg_mock_{uuid.uuid4().hex[:16]}"
        usage_in = {"input_tokens": 10, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 1}
        if not body.get("stream"):
            self._send_json(
                200,
                {
                    "id": msg_id,
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [{"type": "text", "text": text}],
                    "stop_reason": "end_turn",
                    "stop_sequence": None,
                    "usage": {**usage_in, "output_tokens": 3},
                },
                {"request-id": f"req_{msg_id}"},
            )
            return
        events = [
            _sse(
                "message_start",
                {
                    "type": "message_start",
                    "message": {
                        "id": msg_id,
                        "type": "message",
                        "role": "assistant",
                        "model": model,
                        "content": [],
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": usage_in,
                    },
                },
            ),
            _sse(
                "content_block_start",
                {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            ),
            _sse("ping", {"type": "ping"}),
            _sse(
                "content_block_delta",
                {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}},
            ),
            _sse("content_block_stop", {"type": "content_block_stop", "index": 0}),
            _sse(
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": 3},
                },
            ),
            _sse("message_stop", {"type": "message_stop"}),
        ]
        self._send_sse(events)

    def _openai_responses(self, body: dict) -> None:
        text = self.mock.reply
        model = body.get("model", "mock-model")
        resp_id = f"resp_mock_{uuid.uuid4().hex[:16]}"
        item_id = f"msg_mock_{uuid.uuid4().hex[:16]}"
        created = int(time.time())
        usage = {
            "input_tokens": 10,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 3,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 13,
        }
        base = {"id": resp_id, "object": "response", "created_at": created, "model": model}
        part = {"type": "output_text", "text": text, "annotations": []}
        item_done = {"type": "message", "id": item_id, "status": "completed", "role": "assistant", "content": [part]}
        if not body.get("stream"):
            self._send_json(200, {**base, "status": "completed", "output": [item_done], "usage": usage})
            return
        seq = iter(range(1000))
        ev = lambda t, **kw: _sse(t, {"type": t, "sequence_number": next(seq), **kw})  # noqa: E731
        events = [
            ev("response.created", response={**base, "status": "in_progress", "output": []}),
            ev("response.in_progress", response={**base, "status": "in_progress", "output": []}),
            ev(
                "response.output_item.added",
                output_index=0,
                item={"type": "message", "id": item_id, "status": "in_progress", "role": "assistant", "content": []},
            ),
            ev(
                "response.content_part.added",
                item_id=item_id,
                output_index=0,
                content_index=0,
                part={"type": "output_text", "text": "", "annotations": []},
            ),
            ev("response.output_text.delta", item_id=item_id, output_index=0, content_index=0, delta=text),
            ev("response.output_text.done", item_id=item_id, output_index=0, content_index=0, text=text),
            ev("response.content_part.done", item_id=item_id, output_index=0, content_index=0, part=part),
            ev("response.output_item.done", output_index=0, item=item_done),
            ev("response.completed", response={**base, "status": "completed", "output": [item_done], "usage": usage}),
        ]
        self._send_sse(events)

    def _openai_chat(self, body: dict) -> None:
        text = self.mock.reply
        model = body.get("model", "mock-model")
        cid = f"chatcmpl-mock{uuid.uuid4().hex[:16]}"
        created = int(time.time())
        usage = {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13}
        if not body.get("stream"):
            self._send_json(
                200,
                {
                    "id": cid,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": usage,
                },
            )
            return

        def chunk(delta: dict, finish: str | None, with_usage: bool = False) -> bytes:
            obj: dict[str, Any] = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            if with_usage:
                obj["usage"] = usage
            return _sse(None, obj)

        events = [
            chunk({"role": "assistant", "content": ""}, None),
            chunk({"content": text}, None),
            chunk({}, "stop", with_usage=True),
            _sse(None, "[DONE]"),
        ]
        self._send_sse(events)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-request (resets) are not test failures


class MockProvider:
    """Threaded mock provider; see module docstring."""

    def __init__(
        self,
        api_key: str = "sk-test-mock",
        *,
        reply: str = MARKER,
        models: list[str] | None = None,
        max_lifetime: float = 300.0,
        max_requests: int = 1000,
        host: str = "127.0.0.1",
        disabled: tuple[str, ...] = (),
        model_fields: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.api_key = api_key
        #: routes (e.g. "/v1/responses") answered 404 as if the provider did not serve them
        self.disabled = set(disabled)
        self.reply = reply
        self.models = models or ["deepseek-ai/deepseek-v4-pro", "deepseek-ai/deepseek-v4-flash"]
        #: model id -> extra fields of its /v1/models entry
        self.model_fields = model_fields or {}
        self.max_lifetime = max_lifetime
        self.max_requests = max_requests
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        handler = type("_BoundHandler", (_Handler,), {"mock": self})
        self._server = _Server((host, 0), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None
        self._stopped = False

    def start(self) -> MockProvider:
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, name="mock-provider", daemon=True)
            self._thread.start()
            self._timer = threading.Timer(self.max_lifetime, self.stop)
            self._timer.daemon = True
            self._timer.start()
        return self

    def stop(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
        if self._thread is not None:
            self._server.shutdown()
        self._server.server_close()

    def paths(self) -> list[str]:
        return [r["path"] for r in self.requests]

    def models_requested(self) -> list[str]:
        """The ``model`` of every model request (messages, responses, chat completions), in order."""
        return [r["json"]["model"] for r in self.requests
                if isinstance(r.get("json"), dict) and isinstance(r["json"].get("model"), str)
                and urlsplit(r["path"]).path.rstrip("/") in ("/v1/messages", "/v1/responses", "/v1/chat/completions")]

    def __enter__(self) -> MockProvider:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


if __name__ == "__main__":  # manual use: python mock_provider.py KEY [SECONDS] [LOGFILE]
    import sys

    key = sys.argv[1] if len(sys.argv) > 1 else "sk-test-mock"
    secs = float(sys.argv[2]) if len(sys.argv) > 2 else 300.0
    log = sys.argv[3] if len(sys.argv) > 3 else None
    with MockProvider(api_key=key, max_lifetime=secs) as m:
        print(m.url, flush=True)
        deadline = time.time() + secs
        seen = 0
        while time.time() < deadline and not m._stopped:
            time.sleep(0.2)
            if log and len(m.requests) != seen:
                seen = len(m.requests)
                with open(log, "w") as fh:
                    json.dump(m.requests, fh, indent=1, default=str)
