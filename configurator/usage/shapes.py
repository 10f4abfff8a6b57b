"""Typed shapes of the log lines the usage scan reads, decoded by msgspec.

A line is decoded straight into these structs: only the fields named here become Python objects;
message contents, tool inputs and everything else are skipped by msgspec's C parser without being
built. The types are the rules of :func:`configurator.usage.claude.parse_record` that can be stated
as types (non-negative integers, strings, booleans); a line that does not fit them raises
``msgspec.ValidationError`` and goes the slow way (a plain dict and ``parse_record``), which decides
whether it is no record at all or an invalid one. So these shapes only make the common line fast;
they never decide anything the slow path would decide otherwise (``tests/usage`` checks both paths
on the same lines).

Imported only by the scan (msgspec is loaded inside the ``usage`` command).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

Count = Annotated[int, msgspec.Meta(ge=0)]


class CacheBuckets(msgspec.Struct):
    ephemeral_5m_input_tokens: Count = 0
    ephemeral_1h_input_tokens: Count = 0


class ClaudeUsage(msgspec.Struct):
    input_tokens: Count
    output_tokens: Count
    cache_creation_input_tokens: Count = 0
    cache_read_input_tokens: Count = 0
    cache_creation: CacheBuckets | None = None
    speed: Literal["standard", "fast"] | None = None


class ClaudeMessage(msgspec.Struct):
    id: str | None = None
    model: str | None = None
    usage: ClaudeUsage | None = None


class ClaudeProgress(msgspec.Struct):
    message: ClaudeLine | None = None


class ClaudeLine(msgspec.Struct):
    """A transcript line, and also the ``data.message`` of a subagent progress line (same fields)."""

    message: ClaudeMessage | None = None
    data: ClaudeProgress | None = None
    requestId: str | None = None  # noqa: N815 - the field's name in the log
    timestamp: str | None = None
    isSidechain: bool | None = None  # noqa: N815
    sessionId: str | None = None  # noqa: N815
    version: str | None = None
    isApiErrorMessage: Any = None  # noqa: N815 - only `true` matters; any other value is ignored
    costUSD: float | None = None  # noqa: N815


claude_line = msgspec.json.Decoder(ClaudeLine)
