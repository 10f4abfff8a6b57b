"""Seeded generator of a synthetic agent-log history with realistic line shapes.

    python benchmarks/gen_corpus.py OUT_DIR [--size-mb 400] [--seed 7] [--days 30]

``OUT_DIR`` becomes a fake HOME: ``.claude/projects/…``, ``.codex/sessions/…`` and
``.openclaw/agents/main/sessions/…``. The same seed and size always give the same bytes.

What it imitates (the shapes the parsers must survive, at realistic proportions):

- Claude Code: one assistant line per content block (thinking / text / tool_use) repeating the
  response's usage — in some sessions the earlier blocks carry a partial ``output_tokens`` —,
  long tool results (a user line with ``tool_result`` content and a ``toolUseResult`` copy),
  Task results whose ``toolUseResult`` has a ``usage`` of its own, subagent transcripts
  (``<session>/subagents/agent-*.jsonl``, ``isSidechain: true``), resumed sessions that copy the
  earlier conversation into a new file (same ``message.id``/``requestId``), sessions through a
  gateway with no ``requestId``, ``isApiErrorMessage`` lines, summaries, a truncated last line.
- Codex: ``session_meta``, ``turn_context``, ``response_item`` lines with long function outputs,
  ``token_count`` events with cumulative totals, re-emitted unchanged totals, and forks that copy
  the parent's history (re-stamped) before going on.
- OpenClaw: session header, ``model_change``, user/assistant messages with ``usage`` and ``cost``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import uuid
from pathlib import Path

import msgspec

UTC = dt.timezone.utc
END = dt.datetime(2026, 10, 23, 23, 0, tzinfo=UTC)
CLAUDE_MODELS = ["claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-haiku-4-5-20251001",
                 "deepseek-v4-pro"]
CODEX_MODELS = ["gpt-5-codex", "gpt-5.1-codex", "deepseek-v4-flash"]
OPENCLAW_MODELS = [("atlascloud", "deepseek-v4-pro"), ("anthropic", "claude-sonnet-4-5")]
WORDS = ("the of and to in is that for it with as was on be by this are from or have an they which one you were "
         "all we can her has there been if more when will would who so no def return self import class None "
         "True False async await const let function => {} [] () error value result data config path file test "
         "assert raise except try yield lambda struct impl fn pub use mod match Some Ok Err unwrap").split()


def _dumps(obj: object) -> bytes:
    return msgspec.json.encode(obj)


class Text:
    """Cheap pseudo-text: slices of one large seeded word soup."""

    def __init__(self, rng: random.Random, size: int = 1 << 21) -> None:
        parts: list[str] = []
        n = 0
        while n < size:
            w = rng.choice(WORDS)
            if rng.random() < 0.08:
                w += "\n"
            elif rng.random() < 0.03:
                w += '"quoted"'
            parts.append(w)
            n += len(w) + 1
        self.soup = " ".join(parts)
        self.rng = rng

    def __call__(self, length: int) -> str:
        length = max(1, min(length, len(self.soup) - 1))
        start = self.rng.randrange(0, len(self.soup) - length)
        return self.soup[start:start + length]


def _ts(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _rid(rng: random.Random, prefix: str, n: int = 24) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return prefix + "".join(rng.choice(alphabet) for _ in range(n))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _session_start(rng: random.Random, days: int) -> dt.datetime:
    # mostly working hours in America/Los_Angeles (UTC-7), some late nights that cross local midnight
    day = END - dt.timedelta(days=rng.randrange(days))
    local_hour = rng.choice([9, 10, 11, 13, 14, 15, 16, 17, 20, 22, 23, 23])
    moment = day.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(
        hours=local_hour + 7, minutes=rng.randrange(60), seconds=rng.randrange(60), milliseconds=rng.randrange(1000))
    return min(moment, END - dt.timedelta(hours=6))


# --- Claude Code ---------------------------------------------------------------------------------


class ClaudeSession:
    def __init__(self, rng: random.Random, text: Text, *, session_id: str, cwd: str, model: str,
                 gateway: bool, partial_blocks: bool, sidechain: bool = False, agent_id: str | None = None) -> None:
        self.rng = rng
        self.text = text
        self.session_id = session_id
        self.cwd = cwd
        self.model = model
        self.gateway = gateway
        self.partial_blocks = partial_blocks
        self.sidechain = sidechain
        self.agent_id = agent_id
        self.lines: list[bytes] = []
        self.parent: str | None = None
        # 2.0.x writes "message" before "type" in assistant lines; 2.1.x writes "type" first everywhere
        self.version = rng.choice(["2.0.14", "2.0.76", "2.1.17", "2.1.58"])
        self.context = rng.randrange(8_000, 20_000)

    def _base(self, kind: str, moment: dt.datetime) -> dict:
        uid = _uuid(self.rng)
        d = {"parentUuid": self.parent, "isSidechain": self.sidechain, "userType": "external", "cwd": self.cwd,
             "sessionId": self.session_id, "version": self.version, "gitBranch": "main"}
        if self.agent_id:
            d["agentId"] = self.agent_id
        d.update({"type": kind, "message": None, "uuid": uid, "timestamp": _ts(moment)})
        self.parent = uid
        return d

    def user_prompt(self, moment: dt.datetime) -> None:
        d = self._base("user", moment)
        d["message"] = {"role": "user", "content": self.text(self.rng.randrange(40, 1500))}
        self.lines.append(_dumps(d))

    def tool_result(self, moment: dt.datetime, tool_id: str, task: bool = False) -> None:
        rng = self.rng
        size = int(rng.lognormvariate(8.3, 1.1))  # median ~4 KB, long tail
        body = self.text(min(size, 120_000))
        d = self._base("user", moment)
        d["message"] = {"role": "user", "content": [{"tool_use_id": tool_id, "type": "tool_result", "content": body}]}
        if task:
            d["toolUseResult"] = {"status": "completed", "content": [{"type": "text", "text": body[:2000]}],
                                  "totalDurationMs": rng.randrange(5_000, 90_000),
                                  "totalTokens": rng.randrange(10_000, 90_000),
                                  "usage": {"input_tokens": rng.randrange(10, 400),
                                            "cache_creation_input_tokens": rng.randrange(0, 9_000),
                                            "cache_read_input_tokens": rng.randrange(0, 80_000),
                                            "output_tokens": rng.randrange(100, 3_000)}}
        else:
            d["toolUseResult"] = {"stdout": body, "stderr": "", "interrupted": False, "isImage": False}
        self.lines.append(_dumps(d))

    def response(self, moment: dt.datetime, *, tool: bool) -> tuple[dt.datetime, str | None]:
        rng = self.rng
        mid = _rid(rng, "msg_01", 22)
        rid = _rid(rng, "req_011C", 20)
        write = rng.choice([0, 0, rng.randrange(100, 6_000)])
        out = int(rng.lognormvariate(5.5, 1.0)) + 1
        usage = {"input_tokens": rng.randrange(1, 12), "cache_creation_input_tokens": write,
                 "cache_read_input_tokens": self.context,
                 "cache_creation": {"ephemeral_5m_input_tokens": write, "ephemeral_1h_input_tokens": 0},
                 "output_tokens": out, "service_tier": "standard"}
        self.context += write + out + rng.randrange(50, 3_000)
        blocks: list[dict] = []
        if rng.random() < 0.5:
            blocks.append({"type": "thinking", "thinking": self.text(rng.randrange(100, 2_500)),
                           "signature": _rid(rng, "Eq", 300)})
        if rng.random() < 0.7 or not tool:
            blocks.append({"type": "text", "text": self.text(rng.randrange(20, 1_800))})
        tool_id = None
        if tool:
            tool_id = _rid(rng, "toolu_01", 22)
            name = rng.choice(["Bash", "Read", "Edit", "Grep", "Write", "Task"])
            inp = {"command": self.text(rng.randrange(10, 200))} if name == "Bash" else \
                {"file_path": "/home/dev/src/app/" + self.text(20).replace(" ", "_").replace("\n", "") + ".py"}
            if name in ("Write", "Edit"):
                inp["content"] = self.text(rng.randrange(200, 6_000))
            blocks.append({"type": "tool_use", "id": tool_id, "name": name, "input": inp})
        for i, block in enumerate(blocks):
            last = i == len(blocks) - 1
            u = dict(usage)
            if self.partial_blocks and not last:
                u["output_tokens"] = max(1, out // (len(blocks) - i + 1))
            d = self._base("assistant", moment)
            d["message"] = {"id": mid, "type": "message", "role": "assistant", "model": self.model,
                            "content": [block], "stop_reason": "tool_use" if (tool and last) else None,
                            "stop_sequence": None, "usage": u}
            if not self.version.startswith("2.0."):  # newer API responses carry more fields
                d["message"] = {**d["message"], "container": None, "stop_details": None}
                d["message"]["usage"] = {**u, "inference_geo": "not_available"}
                d["message"]["context_management"] = None
            if not self.gateway:
                d["requestId"] = rid
            # key order as Claude Code writes it
            head = ["parentUuid", "isSidechain", "userType", "cwd", "sessionId", "version", "gitBranch", "agentId"]
            if self.version.startswith("2.0."):
                order = head + ["message", "requestId", "type", "uuid", "timestamp"]
            else:
                order = head + ["type", "message", "requestId", "uuid", "timestamp"]
            self.lines.append(_dumps({k: d[k] for k in order if k in d}))
            moment += dt.timedelta(milliseconds=rng.randrange(50, 900))
        return moment, tool_id

    def api_error(self, moment: dt.datetime) -> None:
        d = self._base("assistant", moment)
        d["message"] = {"id": _uuid(self.rng), "model": "<synthetic>", "role": "assistant", "stop_reason":
                        "stop_sequence", "stop_sequence": "", "type": "message",
                        "usage": {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0,
                                  "cache_read_input_tokens": 0, "server_tool_use": {"web_search_requests": 0},
                                  "service_tier": None},
                        "content": [{"type": "text", "text": "API Error: 529 Overloaded"}]}
        d["isApiErrorMessage"] = True
        self.lines.append(_dumps(d))

    def turn(self, moment: dt.datetime, calls: int) -> dt.datetime:
        rng = self.rng
        self.user_prompt(moment)
        moment += dt.timedelta(seconds=rng.randrange(2, 20))
        for call in range(calls):
            tool = call < calls - 1
            moment, tool_id = self.response(moment, tool=tool)
            if tool_id:
                moment += dt.timedelta(seconds=rng.randrange(1, 30))
                self.tool_result(moment, tool_id, task=rng.random() < 0.03)
            moment += dt.timedelta(seconds=rng.randrange(3, 40))
            if rng.random() < 0.004:
                self.api_error(moment)
        return moment


def gen_claude(root: Path, rng: random.Random, text: Text, target: int, days: int) -> tuple[int, int]:
    projects = root / ".claude" / "projects"
    names = [f"-home-dev-src-{w}" for w in ("api", "web", "infra", "ml-pipeline", "cli", "docs", "billing",
                                            "auth", "mobile", "data", "search", "payments", "agent", "sdk",
                                            "design-system", "etl", "gateway", "ops", "notebooks", "site")]
    written = files = 0
    previous: dict[str, list[bytes]] = {}
    while written < target:
        project = rng.choice(names)
        folder = projects / project
        folder.mkdir(parents=True, exist_ok=True)
        sid = _uuid(rng)
        gateway = rng.random() < 0.1
        session = ClaudeSession(rng, text, session_id=sid, cwd="/home/dev/src/" + project.split("-src-")[1],
                                model=rng.choice(CLAUDE_MODELS), gateway=gateway, partial_blocks=rng.random() < 0.4)
        if project in previous and rng.random() < 0.25:
            session.lines.extend(previous[project])  # a resumed session copies the earlier conversation
        began = moment = _session_start(rng, days)
        for _ in range(rng.randrange(1, 3)):
            moment = session.turn(moment, rng.randrange(2, 6))
            moment += dt.timedelta(minutes=rng.randrange(1, 25))
        if rng.random() < 0.3:
            session.lines.append(_dumps({"type": "summary", "summary": text(60), "leafUuid": session.parent}))
        if rng.random() < 0.02:
            session.lines.append(session.lines[-1][: len(session.lines[-1]) // 2])  # killed mid-write
        data = b"\n".join(session.lines) + b"\n"
        (folder / f"{sid}.jsonl").write_bytes(data)
        previous[project] = session.lines[-40:]
        written += len(data)
        files += 1
        if rng.random() < 0.45:  # subagents of this session
            sub = folder / sid / "subagents"
            sub.mkdir(parents=True, exist_ok=True)
            for _ in range(rng.randrange(1, 3)):
                agent = _rid(rng, "", 8).lower()
                side = ClaudeSession(rng, text, session_id=sid, cwd=session.cwd, model=session.model,
                                     gateway=gateway, partial_blocks=session.partial_blocks, sidechain=True,
                                     agent_id=agent)
                side.turn(began + dt.timedelta(minutes=rng.randrange(1, 60)), rng.randrange(3, 16))
                blob = b"\n".join(side.lines) + b"\n"
                (sub / f"agent-{agent}.jsonl").write_bytes(blob)
                written += len(blob)
                files += 1
    return files, written


# --- Codex ---------------------------------------------------------------------------------------


def _codex_line(moment: dt.datetime, kind: str, payload: dict) -> bytes:
    return _dumps({"timestamp": _ts(moment), "type": kind, "payload": payload})


def _codex_session(rng: random.Random, text: Text, start: dt.datetime, sid: str, model: str,
                   fork_of: tuple[str, list[bytes]] | None) -> list[bytes]:
    lines = [_codex_line(start, "session_meta", {
        "id": sid, "timestamp": _ts(start), "cwd": "/home/dev/src/api", "originator": "codex_cli_rs",
        "cli_version": "0.58.0", "instructions": None, "source": "cli", "model_provider": "openai",
        **({"forked_from_id": fork_of[0]} if fork_of else {})})]
    total = [0, 0, 0, 0, 0]
    if fork_of:
        for raw in fork_of[1]:  # the parent's items, re-stamped to the fork instant
            obj = msgspec.json.decode(raw)
            obj["timestamp"] = _ts(start)
            lines.append(_dumps(obj))
            if obj["type"] == "event_msg" and obj["payload"].get("info"):
                total = [obj["payload"]["info"]["total_token_usage"][k] for k in
                         ("input_tokens", "cached_input_tokens", "output_tokens", "reasoning_output_tokens",
                          "total_tokens")]
    moment = start + dt.timedelta(seconds=rng.randrange(5, 60))
    for _ in range(rng.randrange(2, 8)):
        lines.append(_codex_line(moment, "turn_context", {
            "cwd": "/home/dev/src/api", "approval_policy": "on-request", "sandbox_policy": {"mode": "workspace-write"},
            "model": model, "effort": "medium", "summary": "auto"}))
        lines.append(_codex_line(moment, "response_item", {
            "type": "message", "role": "user", "content": [{"type": "input_text", "text": text(rng.randrange(40, 900))}]}))
        for _ in range(rng.randrange(2, 12)):
            moment += dt.timedelta(seconds=rng.randrange(2, 40))
            call = _rid(rng, "call_", 24)
            lines.append(_codex_line(moment, "response_item", {
                "type": "function_call", "name": "shell", "arguments": msgspec.json.encode(
                    {"command": ["bash", "-lc", text(rng.randrange(10, 150))]}).decode(), "call_id": call}))
            lines.append(_codex_line(moment, "response_item", {
                "type": "function_call_output", "call_id": call,
                "output": msgspec.json.encode({"output": text(min(int(rng.lognormvariate(8.0, 1.2)), 80_000)),
                                        "metadata": {"exit_code": 0, "duration_seconds": 0.4}}).decode()}))
            cached = rng.randrange(0, 30_000)
            last = [cached + rng.randrange(500, 12_000), cached, 0, rng.randrange(0, 1_500), 0]
            last[2] = last[3] + rng.randrange(20, 2_000)
            last[4] = last[0] + last[2]
            total = [a + b for a, b in zip(total, last, strict=True)]
            names = ("input_tokens", "cached_input_tokens", "output_tokens", "reasoning_output_tokens", "total_tokens")
            info = {"total_token_usage": dict(zip(names, total, strict=True)),
                    "last_token_usage": dict(zip(names, last, strict=True)), "model_context_window": 272_000}
            limits = {"primary": {"used_percent": rng.randrange(100), "window_minutes": 300, "resets_in_seconds": 900},
                      "secondary": {"used_percent": rng.randrange(100), "window_minutes": 10_080}}
            lines.append(_codex_line(moment, "event_msg", {"type": "token_count", "info": info,
                                                           "rate_limits": limits}))
            if rng.random() < 0.3:  # the same totals again, with fresh rate limits
                lines.append(_codex_line(moment + dt.timedelta(milliseconds=300), "event_msg",
                                         {"type": "token_count", "info": info, "rate_limits": limits}))
            if rng.random() < 0.1:
                lines.append(_codex_line(moment, "event_msg", {"type": "token_count", "info": None,
                                                               "rate_limits": limits}))
        lines.append(_codex_line(moment, "event_msg", {"type": "agent_message", "message": text(300)}))
        moment += dt.timedelta(minutes=rng.randrange(1, 20))
    return lines


def gen_codex(root: Path, rng: random.Random, text: Text, target: int, days: int) -> tuple[int, int]:
    written = files = 0
    recent: list[tuple[str, list[bytes], dt.datetime]] = []
    while written < target:
        sid = _uuid(rng)
        start = _session_start(rng, days)
        fork_of = None
        if recent and rng.random() < 0.12:
            parent_id, parent_lines, parent_start = rng.choice(recent)
            start = parent_start + dt.timedelta(hours=rng.randrange(1, 30))
            fork_of = (parent_id, parent_lines[: rng.randrange(2, len(parent_lines))])
        lines = _codex_session(rng, text, start, sid, rng.choice(CODEX_MODELS), fork_of)
        folder = root / ".codex" / "sessions" / start.strftime("%Y/%m/%d")
        folder.mkdir(parents=True, exist_ok=True)
        data = b"\n".join(lines) + b"\n"
        (folder / f"rollout-{start.strftime('%Y-%m-%dT%H-%M-%S')}-{sid}.jsonl").write_bytes(data)
        recent = (recent + [(sid, lines, start)])[-10:]
        written += len(data)
        files += 1
    return files, written


# --- OpenClaw ------------------------------------------------------------------------------------


def gen_openclaw(root: Path, rng: random.Random, text: Text, target: int, days: int) -> tuple[int, int]:
    folder = root / ".openclaw" / "agents" / "main" / "sessions"
    folder.mkdir(parents=True, exist_ok=True)
    written = files = 0
    while written < target:
        sid = _uuid(rng)
        moment = _session_start(rng, days)
        provider, model = rng.choice(OPENCLAW_MODELS)
        lines = [_dumps({"type": "session", "version": 3, "id": sid, "timestamp": _ts(moment), "cwd": "/home/dev"}),
                 _dumps({"type": "model_change", "id": _rid(rng, "", 8).lower(), "parentId": None,
                         "timestamp": _ts(moment), "provider": provider, "modelId": model})]
        parent = None
        for _ in range(rng.randrange(4, 40)):
            mid = _rid(rng, "", 8).lower()
            lines.append(_dumps({"type": "message", "id": mid, "parentId": parent, "timestamp": _ts(moment),
                                 "message": {"role": "user", "content": [{"type": "text", "text": text(300)}],
                                             "timestamp": int(moment.timestamp() * 1000)}}))
            moment += dt.timedelta(seconds=rng.randrange(3, 50))
            inp, out, cr, cw = rng.randrange(10, 3_000), rng.randrange(20, 2_000), rng.randrange(0, 60_000), 0
            aid = _rid(rng, "", 8).lower()
            lines.append(_dumps({"type": "message", "id": aid, "parentId": mid, "timestamp": _ts(moment),
                                 "message": {"role": "assistant", "content": [{"type": "text", "text":
                                                                               text(rng.randrange(50, 3_000))}],
                                             "api": "openai-completions", "provider": provider, "model": model,
                                             "usage": {"input": inp, "output": out, "cacheRead": cr,
                                                       "cacheWrite": cw, "totalTokens": inp + out + cr + cw,
                                                       "cost": {"input": 0, "output": 0, "cacheRead": 0,
                                                                "cacheWrite": 0, "total": 0}},
                                             "stopReason": "stop", "timestamp": int(moment.timestamp() * 1000)}}))
            parent = aid
            moment += dt.timedelta(minutes=rng.randrange(1, 30))
        data = b"\n".join(lines) + b"\n"
        (folder / f"{sid}.jsonl").write_bytes(data)
        written += len(data)
        files += 1
    return files, written


def generate(root: Path, *, size_mb: float = 400, seed: int = 7, days: int = 30,
             shares: tuple[float, float, float] = (0.85, 0.12, 0.03)) -> dict[str, tuple[int, int]]:
    """Write the corpus under ``root`` (a fake HOME); returns {tool: (files, bytes)}."""
    target = int(size_mb * 1_000_000)
    out = {}
    for tool, share, fn, salt in (("claude-code", shares[0], gen_claude, 1), ("codex", shares[1], gen_codex, 2),
                                  ("openclaw", shares[2], gen_openclaw, 3)):
        if share <= 0:
            continue
        rng = random.Random(seed * 1000 + salt)
        out[tool] = fn(root, rng, Text(rng), int(target * share), days)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--size-mb", type=float, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--days", type=int, default=30)
    args = ap.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        print(f"{args.out} is not empty; pick an empty folder", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    stats = generate(args.out, size_mb=args.size_mb, seed=args.seed, days=args.days)
    for tool, (files, size) in stats.items():
        print(f"{tool:12s} {files:6,d} files {size / 1e6:9,.1f} MB")
    total = sum(s for _, s in stats.values())
    print(f"{'total':12s} {sum(f for f, _ in stats.values()):6,d} files {total / 1e6:9,.1f} MB  -> {os.fspath(args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
