"""Masking of API keys. Every output path goes through :func:`redact`.

:func:`redact` hides two kinds of values: the secrets this run knows (:func:`register`: the key setup read,
the credentials already in a user's file), and any value *shaped* like a credential, whatever key or text it
sits in: known key prefixes (``sk-``, ``sk-ant-``, ``sk-or-``, ``ghp_``, ``github_pat_``, ``xoxb-``,
``AIza``, ``AKIA``, JWTs), ``Bearer``/``Basic`` credentials, header values such as ``x-api-key: ...``, the
password of a URL (``https://user:pass@host``) and long high-entropy tokens. Model ids, URLs, paths and dates
are left as they are.
"""

from __future__ import annotations

import math
import re
from collections import Counter

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


#: a key shorter than this is shown as :data:`HIDDEN`: none of its characters, not even its length
SHORT_KEY = 12
HIDDEN = "****"


def mask(secret: str | None) -> str:
    """``sk-abcdef…wxyz`` -> ``sk-…wxyz``. A key shorter than :data:`SHORT_KEY` characters is hidden entirely
    (``****``): with a prefix and a tail shown, most of it would be in clear."""
    if not secret:
        return "(empty)"
    s = str(secret)
    if len(s) < SHORT_KEY:
        return HIDDEN
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
    """Remember a secret so that :func:`redact` removes it from anything we print. However short: a key of a local
    server (``abc``) is a key too. One under 8 characters is masked where it stands as a value of its own (quoted,
    after ``=`` or ``:``, between spaces), not inside longer words, so that ``ab`` does not eat ``fable``."""
    if secret and secret.strip() and secret != HIDDEN:
        _KNOWN.add(secret)


# --- value shapes ---------------------------------------------------------------------------------------------

_WORD = r"A-Za-z0-9_\-"
#: keys with a documented prefix (the provider's or the platform's)
_PREFIXED = re.compile(
    rf"(?<![{_WORD}])(?:"
    r"sk-[A-Za-z0-9_\-]{12,}"  # OpenAI (sk-proj-), Anthropic (sk-ant-), OpenRouter (sk-or-), most gateways
    r"|[sr]k_(?:live|test)_[A-Za-z0-9]{12,}"  # Stripe
    r"|gh[pousr]_[A-Za-z0-9]{20,}"  # GitHub tokens
    r"|github_pat_[A-Za-z0-9_]{20,}"
    r"|xox[abposr]-[A-Za-z0-9\-]{10,}"  # Slack
    r"|AIza[A-Za-z0-9_\-]{30,}"  # Google
    r"|(?:AKIA|ASIA)[A-Z0-9]{16}"  # AWS access key ids
    r"|eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*"  # JWT
    r"|hf_[A-Za-z0-9]{20,}|gsk_[A-Za-z0-9]{20,}|glpat-[A-Za-z0-9_\-]{20,}|npm_[A-Za-z0-9]{30,}"
    rf")(?![{_WORD}])"
)
#: ``Bearer <credential>`` / ``Basic <credential>``
_SCHEME = re.compile(r"(?<![A-Za-z0-9_\-])([Bb]earer|[Bb]asic)(\s+)([A-Za-z0-9._~+/=\-]{8,})")
#: a header line ``x-api-key: <value>`` (also inside a TOML/JSON string, where lines end at ``\n``)
_HEADER = re.compile(
    r"(?i:(?<![A-Za-z0-9_\-/])("  # after a slash it is a URL's user name (https://APIKEY:pw@host), not a header
    r"(?:proxy-)?authorization|api-?key|(?:[a-z0-9]+-)+(?:api-?key|key|token|secret|auth|password)"
    r")(\s*:\s*))"
    r"(?:([Bb]earer|[Bb]asic)\s+)?"
    r"([^\s\"'\\,;]{4,})"
)
#: the userinfo of a URL: ``scheme://user:password@``
_USERINFO = re.compile(r"(?<![A-Za-z0-9+.\-])([A-Za-z][A-Za-z0-9+.\-]*://)([^\s/@\"\\<>?#]+)@")
#: candidates for the high-entropy rule: a word not inside a path, a host name or a file name
_TOKEN = re.compile(rf"(?<![{_WORD}/\\.:@%])[{_WORD}]{{20,}}(?![{_WORD}]|[/\\.:][A-Za-z0-9])")
_ALNUM_RUN = re.compile(r"[A-Za-z0-9]{20,}")
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_SEPARATOR = re.compile(r"[-_]")


def _entropy(s: str) -> float:
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values())


def _random_looking(run: str) -> bool:
    """A run of letters and digits that reads like a generated credential, not a word, id, date or hash-free
    name: letters and digits mixed, many distinct characters, high entropy; mixed case below 32 characters."""
    digits = sum(c.isdigit() for c in run)
    letters = len(run) - digits
    if digits < 2 or letters < 2 or len(set(run)) < 10 or _entropy(run) < 3.3:
        return False
    if len(run) >= 32:
        return True
    return any(c.isupper() for c in run) and any(c.islower() for c in run)


def looks_like_secret(value: str) -> bool:
    """True when ``value`` (a whole value, e.g. a config string) is shaped like a credential."""
    v = value.strip()
    if not v or is_placeholder(v):
        return False
    return shape_redact(v) != v


def _prefixed(m: re.Match[str]) -> str:
    s = m.group(0)
    if is_placeholder(s):
        return s
    if s.startswith("sk-") and not any(len(part) >= 8 and any(c.isdigit() for c in part)
                                       for part in _SEPARATOR.split(s[3:])):
        return s  # sk-<words>: not a generated key (keys carry digits)
    return mask(s)


def _masked_or_reference(value: str) -> bool:
    """Already masked (``sk-…WXYZ``, ``****``), a variable reference, or a placeholder: nothing to hide."""
    return "…" in value or set(value) == {"*"} or value.startswith(("$", "{", "<")) or is_placeholder(value)


def _credential(value: str) -> bool:
    """A value after ``Bearer``/``Basic``, or in a key header, that is a credential rather than prose or a
    variable reference."""
    if _masked_or_reference(value):
        return False
    if _ENV_NAME.fullmatch(value) and not any(c.isdigit() for c in value):
        return False  # a variable's name (TOKEN, MY_API_KEY) in prose; one with digits may be the token itself
    return any(c.isdigit() for c in value) or any(c.isupper() for c in value[1:]) or any(c in "+/=" for c in value)


def _scheme(m: re.Match[str]) -> str:
    word, space, cred = m.groups()
    return f"{word}{space}{mask(cred)}" if _credential(cred) else m.group(0)


def _header(m: re.Match[str]) -> str:
    name, sep, scheme, value = m.groups()
    if _masked_or_reference(value):
        return m.group(0)  # in a key header whatever else is there is the credential, whatever its shape
    return f"{name}{sep}{scheme + ' ' if scheme else ''}{mask(value)}"


def _userinfo(m: re.Match[str]) -> str:
    scheme, info = m.groups()
    user, colon, password = info.partition(":")
    if colon:  # a password: hidden entirely (no characters of it shown, unlike a key)
        return f"{scheme}{user}:{'****' if password else ''}@"
    return f"{scheme}{mask(user) if len(user) >= 12 and '…' not in user else user}@"


def _token(m: re.Match[str]) -> str:
    s = m.group(0)
    if any(_random_looking(run) for run in _ALNUM_RUN.findall(s)):
        return mask(s)
    return s


def shape_redact(text: str) -> str:
    """Mask every value in ``text`` that is shaped like a credential (see the module docstring)."""
    if not text:
        return text
    text = _USERINFO.sub(_userinfo, text)
    text = _HEADER.sub(_header, text)
    text = _SCHEME.sub(_scheme, text)
    text = _PREFIXED.sub(_prefixed, text)
    return _TOKEN.sub(_token, text)


#: characters a key is made of: a registered key under :data:`_WORDLIKE` characters is masked only where none of
#: these is next to it (a full stop may follow: the end of a sentence; ``=`` may come before: ``VAR=key``)
_KEY_CHAR = r"A-Za-z0-9_\-~+/"
#: shorter registered keys could be a word or part of one (``ollama``, ``test``)
_WORDLIKE = 8


def redact(text: str) -> str:
    """``text`` with every registered secret and every credential-shaped value masked."""
    for s in sorted(_KNOWN, key=len, reverse=True):
        if s not in text:
            continue
        if len(s) >= _WORDLIKE:
            text = text.replace(s, mask(s))
        else:  # a very short key: only where it stands alone, never inside a longer word
            text = re.sub(rf"(?<![{_KEY_CHAR}.]){re.escape(s)}(?![{_KEY_CHAR}=])", HIDDEN, text)
    return shape_redact(text)
