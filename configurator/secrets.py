"""Masking of API keys. Every output path goes through :func:`redact`."""

from __future__ import annotations

_KNOWN: set[str] = set()

PLACEHOLDER_KEYS = frozenset(
    {
        "",
        "your-atlas-api-key",
        "your-api-key",
        "your_api_key",
        "your-key",
        "api-key",
        "apikey",
        "changeme",
        "xxx",
        "sk-xxx",
        "sk-xxxx",
        "sk-...",
        "<your-api-key>",
        "<api-key>",
        "your-openai-api-key",
        "your-anthropic-api-key",
        "replace-me",
    }
)


def mask(secret: str | None) -> str:
    """``sk-abcdef…wxyz`` -> ``sk-…wxyz``. Short values are hidden entirely."""
    if not secret:
        return "(empty)"
    s = str(secret)
    if len(s) < 12:
        return "****"
    prefix = s[:3]
    return f"{prefix}…{s[-4:]}"


def is_placeholder(value: str | None) -> bool:
    """True for an empty key or a documentation placeholder such as ``your-atlas-api-key``."""
    if value is None:
        return True
    v = value.strip().lower()
    if v in PLACEHOLDER_KEYS:
        return True
    if v.startswith(("your-", "your_", "<")) or v.endswith(("-here", "_here", ">")):
        return True
    core = v[3:] if v.startswith("sk-") else v
    return len(core) >= 3 and set(core) <= {"x", "*", "."}


def register(secret: str | None) -> None:
    """Remember a secret so that :func:`redact` removes it from anything we print."""
    if secret and len(secret) >= 4:
        _KNOWN.add(secret)


def redact(text: str) -> str:
    for s in sorted(_KNOWN, key=len, reverse=True):
        if s in text:
            text = text.replace(s, mask(s))
    return text
