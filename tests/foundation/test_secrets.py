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
