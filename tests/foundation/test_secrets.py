"""Masking of keys and recognising placeholder keys."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator import secrets
from configurator.render import Result, emit


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("sk-atlas-TESTKEY-1234567890abcdefWXYZ", "sk-…WXYZ"),
        ("sk-ant-api03-AAAAAAAAAAAAAAAAAAAAabcd", "sk-…abcd"),
        ("0123456789abcdef", "012…cdef"),
        ("sk-short", "****"),
        ("abcdefghijk", "****"),  # 11 characters: too short to show any of it
        ("", "(empty)"),
        (None, "(empty)"),
    ],
)
def test_mask(key: str | None, shown: str) -> None:
    assert secrets.mask(key) == shown


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_mask_never_shows_more_than_seven_characters(key: str) -> None:
    shown = secrets.mask(key)
    assert len(shown.replace("…", "")) <= 7
    if len(key) >= 12:
        assert key not in shown


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [
        ("your-atlas-api-key", True),
        ("sk-xxx", True),
        ("sk-xxxxxxxxxxxx", True),
        ("", True),
        ("   ", True),
        (None, True),
        ("YOUR_API_KEY", True),
        ("<your-api-key>", True),
        ("paste-key-here", True),
        ("sk-atlas-TESTKEY-1234567890abcdefWXYZ", False),
        ("sk-ant-api03-Zx81kQ0pLm2vN7", False),
        ("a1b2c3d4e5f6g7h8", False),
        ("sk-proj-xxa", False),
    ],
)
def test_is_placeholder(value: str | None, placeholder: bool) -> None:
    assert secrets.is_placeholder(value) is placeholder


def test_registered_key_is_masked_on_every_output_path(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    key = "sk-live-abcdefghijklmnop9876"
    secrets.register(key)
    buf = io.StringIO()
    emit(Result("x", {"key": key}, f"using {key}", notes=[f"note {key}"]), as_json=True, stream=buf)
    emit(Result("x", {"key": key}, f"using {key}", notes=[f"note {key}"]), stream=buf)
    assert key not in buf.getvalue() and buf.getvalue().count("sk-…9876") == 4
    code, _, err = cli("restore", key)  # an error message that echoes the key
    assert code == 2 and key not in err and "sk-…9876" in err


# --- masking by value shape (issue 17, item 8): whatever key or text a secret sits in --------------------------

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _random(alphabet: str, n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=n, max_size=n + 24)


def _keyish(body: str) -> bool:
    """A generated body that reads like a generated key: some digits and letters (as real keys always do)."""
    return sum(c.isdigit() for c in body) >= 3 and sum(c.isalpha() for c in body) >= 6


SECRETS = st.one_of(
    _random(_ALNUM, 24).filter(_keyish).map(lambda b: "sk-" + b),
    _random(_ALNUM, 24).filter(_keyish).map(lambda b: "sk-ant-api03-" + b),
    _random("0123456789abcdef", 64).filter(_keyish).map(lambda b: "sk-or-v1-" + b),
    _random(_ALNUM, 36).filter(_keyish).map(lambda b: "ghp_" + b),
    _random(_ALNUM + "_", 60).filter(_keyish).map(lambda b: "github_pat_" + b),
    _random(_ALNUM, 24).filter(_keyish).map(lambda b: "xoxb-1234567890-" + b),
    _random(_ALNUM + "-_", 35).filter(_keyish).map(lambda b: "AIza" + b),
    _random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16).map(lambda b: "AKIA" + b[:16]),
    st.tuples(_random(_ALNUM, 20), _random(_ALNUM + "-_", 30)).filter(lambda t: _keyish(t[1])).map(
        lambda t: f"eyJhbGciOiJIUzI1NiJ9.eyJ{t[0]}.{t[1]}"),
    # a key of no known prefix: long, mixed case, digits (what most gateways hand out)
    _random(_ALNUM, 32).filter(lambda b: _keyish(b) and secrets._random_looking(b)),
)

#: the text around a secret, as outputs have it: a diff line, an env assignment, a header, a JSON member
CONTEXTS = [
    "{}",
    '+    "OPENROUTER_PAT": "{}",',
    'env.ANTHROPIC_CUSTOM_HEADERS = "x-api-key: {}"',
    '"ANTHROPIC_CUSTOM_HEADERS": "X-Trace: on\\nx-api-key: {}"',
    "Authorization: Bearer {}",
    "argv=['setup', '--api-key-env', '{}']",
    "the value {} is not a model",
    "error: {}.",
]


@settings(max_examples=300, deadline=None)
@given(SECRETS, st.sampled_from(CONTEXTS))
def test_a_secret_shaped_value_is_masked_wherever_it_sits(secret: str, context: str) -> None:
    text = context.format(secret)
    shown = secrets.redact(text)
    assert secret not in shown
    assert secret[-4:] in shown or "****" in shown  # masked, not dropped: the user can still tell which key
    assert secrets.redact(shown) == shown  # masking is idempotent


@settings(max_examples=200, deadline=None)
@given(_random(_ALNUM + "-._~", 8).filter(lambda t: any(c.isdigit() for c in t)), st.sampled_from(
    ["x-api-key: {}", "Authorization: Bearer {}", "Proxy-Authorization: Basic {}", "api-key: {}"]))
def test_a_header_value_is_masked_whatever_its_shape(value: str, context: str) -> None:
    assert value not in secrets.redact(context.format(value)) or len(value) < 4


@settings(max_examples=200, deadline=None)
@given(st.text(_ALNUM, min_size=1, max_size=12), st.text(_ALNUM + "-._~!$&'()*+,;=", min_size=1, max_size=30))
def test_a_url_password_is_hidden_entirely(user: str, password: str) -> None:
    shown = secrets.redact(f"base_url = https://{user}:{password}@api.example.com/v1")
    assert shown == f"base_url = https://{user}:****@api.example.com/v1"


# the other direction: what outputs are full of is left as it is

WORDS = ["deepseek", "ai", "v4", "pro", "flash", "claude", "sonnet", "opus", "haiku", "gpt", "mini", "qwen3", "coder",
         "480b", "a35b", "instruct", "llama", "meta", "70b", "turbo", "kimi", "k2", "glm", "4.6", "moonshotai",
         "preview", "latest", "r1", "distill", "Qwen", "Instruct", "Llama-3.3", "Meta", "GPT", "o4", "codex",
         "20250929", "2025-09-29", "fp8", "128k", "chat", "anthropic", "openai", "v1", "beta", "x", "y"]
WORD = st.sampled_from(WORDS)
MODEL_IDS = st.builds(lambda org, parts, seps: (f"{org}/" if org else "") + "".join(
    p + s for p, s in zip(parts, seps + [""], strict=False)).strip("-._"),
    st.one_of(st.none(), WORD), st.lists(WORD, min_size=1, max_size=6), st.lists(st.sampled_from("-._"), max_size=6))
HOSTS = st.lists(st.sampled_from(["api", "gw", "atlascloud", "example", "openrouter", "llm", "internal", "eu-1"]),
                 min_size=1, max_size=3).map(lambda p: ".".join(p) + ".com")
PATHS = st.lists(st.one_of(WORD, st.sampled_from([".codex", ".claude", "config.toml", "settings.json",
                                                  "rollout-2025-01-01T00-00-00-0199a213-81c0-7800-8aa1-bbab2a035a22.jsonl",
                                                  "20261130T084421-123456Z", "home", "tmp", "pytest-of-root"])),
                 min_size=1, max_size=6).map(lambda p: "/" + "/".join(p))
DATES = st.one_of(st.dates().map(str), st.datetimes().map(lambda d: d.isoformat() + "Z"),
                  st.datetimes().map(lambda d: d.strftime("%Y%m%dT%H%M%S")))


URLS = st.builds(lambda scheme, host, port, path: f"{scheme}://{host}{port}{path}",
                 st.sampled_from(["http", "https"]), HOSTS, st.sampled_from(["", ":8080", ":443"]),
                 st.one_of(st.just(""), PATHS))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(MODEL_IDS, URLS, PATHS, DATES), min_size=1, max_size=5),
       st.sampled_from(["{}", '"model": "{}"', "--model {}", "{}: 1,234 tokens", "Bearer token for {}"]))
def test_model_ids_urls_paths_and_dates_are_left_alone(values: list[str], context: str) -> None:
    text = context.format(" ".join(values))
    assert secrets.redact(text) == text


@pytest.mark.parametrize("text", [
    "deepseek-ai/deepseek-v4-pro", "Qwen/Qwen3-Coder-480B-A35B-Instruct", "meta-llama/Llama-3.3-70B-Instruct-Turbo",
    "claude-sonnet-4-5-20250929", "https://api.atlascloud.ai/v1", "2026-11-30T08:44:21Z",
    "~/.codex/sessions/2025/01/01/rollout-2025-01-01T00-00-00-0199a213-81c0-7800-8aa1-bbab2a035a22.jsonl",
    "Backup of the previous files: 20261130T084421-123456Z", "hasCompletedOnboarding ANTHROPIC_DEFAULT_HAIKU_MODEL",
    "env_key = \"ATLAS_API_KEY\"", "Authorization: Bearer ${ATLAS_API_KEY}", "with the Bearer key",
    "sk-xxxxxxxxxxxxxxxx", "your-atlas-api-key", "ssh://git@github.com/x/y", "sk-…WXYZ",
    '"$schema": "https://json.schemastore.org/sarif-2.1.0.json"', "codex-env-key-is-a-key",
])
def test_not_a_secret(text: str) -> None:
    assert secrets.redact(text) == text


@pytest.mark.parametrize(("text", "shown"), [
    ('env.ANTHROPIC_CUSTOM_HEADERS = "x-api-key: sk-atlas-TESTKEY-1234567890abcdefWXYZ"',
     'env.ANTHROPIC_CUSTOM_HEADERS = "x-api-key: sk-…WXYZ"'),
    ("x-api-key: short1", "x-api-key: ****"),
    ("OPENROUTER_PAT = sk-or-v1-0123456789abcdef0123456789abcdef", "OPENROUTER_PAT = sk-…cdef"),
    ("Authorization: Bearer abcDEF123456789", "Authorization: Bearer abc…6789"),
    ("AKIAIOSFODNN7EXAMPLE", "AKI…MPLE"),
    ("https://user:pass@host.example.com/v1", "https://user:****@host.example.com/v1"),
    ("token q8Zr2LmX4vT9bN1cK7wP3sY6 here", "token q8Z…3sY6 here"),
])
def test_masked_by_shape(text: str, shown: str) -> None:
    assert secrets.redact(text) == shown


@pytest.mark.parametrize("text", ["sk-" + "a" * 200_000, "sk-" + "a-" * 100_000, "a-" * 100_000 + "key: x",
                                  "Bearer " * 50_000, "https://" + "a:" * 100_000, "A1b2" * 50_000 + "/x"])
def test_redact_is_linear_on_hostile_text(text: str) -> None:
    import time

    start = time.perf_counter()
    secrets.redact(text)
    assert time.perf_counter() - start < 2


# --- short keys (issue 12, item 6): never a character of a key under 12 characters ---------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(_ALNUM + "-_.", min_size=1, max_size=11).filter(lambda k: k.strip(".") == k))
def test_a_short_registered_key_shows_none_of_its_characters(key: str) -> None:
    import configurator.secrets as s

    known = set(s._KNOWN)
    try:
        s.register(key)
        assert s.mask(key) == "****"
        for context in ('+    "ANTHROPIC_AUTH_TOKEN": "{}",', "OPENAI_API_KEY = {}", "export ATLAS_API_KEY={}",
                        "the key {}.", "{}"):
            shown = s.redact(context.format(key))
            assert shown == context.format("****"), (key, shown)
    finally:
        s._KNOWN.clear()
        s._KNOWN.update(known)


def test_a_very_short_key_is_not_masked_inside_other_words() -> None:
    import configurator.secrets as s

    known = set(s._KNOWN)
    try:
        s.register("ab")
        assert s.redact('"ANTHROPIC_DEFAULT_FABLE_MODEL": "fable-1", "k": "ab"') == (
            '"ANTHROPIC_DEFAULT_FABLE_MODEL": "fable-1", "k": "****"')
    finally:
        s._KNOWN.clear()
        s._KNOWN.update(known)
