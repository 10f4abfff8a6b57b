"""Malformed files: one clear error with path:line:column, exit 2, the file untouched; never a traceback."""

from __future__ import annotations

import hashlib
import os
import sys
import types
from pathlib import Path

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator import store
from configurator.errors import ParseError

EXAMPLES = int(os.environ.get("FOUNDATION_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# (format, text, line, column, words in the message)
POSITIONS = [
    ("json", '{\n  "a": 1,\n  "b": ,\n}\n', 3, 8, "Expecting value"),
    ("json", '{"a": 1,}', 1, 9, "property name"),
    ("json", '{\n"a" 1}', 2, 5, "':'"),
    ("json", '{"a": 1}\nx', 2, 1, "Extra data"),
    ("json", "[1, 2]", 1, 1, "top level must be an object"),
    ("json", '{"a": ' + "9" * 5000 + "}", 1, 7, "number is too long"),
    ("json5", "{\n  a: 1,\n  b: ,\n}\n", 3, 6, "value"),
    ("json5", "{\n  a: 1\n  b: 2\n}\n", 3, 3, "COMMA"),
    ("json5", "// c\n{a: [1,,2]}", 2, 7, "trailing commas"),
    ("json5", "{a: 1 /* never closed", 1, 7, "never closed with */"),
    ("json5", "{a: 1}}", 1, 7, "RBRACE"),
    ("json5", "{a: " * 3000 + "1" + "}" * 3000, 1, 1, "nested too deeply"),
    ("toml", "a = 1\nb = \n", 2, 5, "Invalid value"),
    ("toml", "[t]\nx = 1\n[t]\n", 3, 3, "twice"),
    ("toml", "a = 1\na = 2\n", 2, 6, "overwrite"),
    ("toml", "a = 1\na = 2", 2, 6, "overwrite"),
    ("toml", 'model = "x\nb = 1\n', 1, 11, "Illegal character"),
    ("toml", "a = " + "9" * 5000 + "\n", 1, 5, "number is too long"),
]


@pytest.mark.parametrize(("fmt", "text", "line", "col", "words"), POSITIONS)
def test_parse_error_names_line_and_column(tmp_path: Path, fmt: str, text: str, line: int, col: int, words: str) -> None:
    f = tmp_path / {"json": "settings.json", "json5": "openclaw.json", "toml": "config.toml"}[fmt]
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError) as info:
        store.read_document(f, fmt)
    err = info.value
    assert (err.line, err.column) == (line, col), str(err)
    assert words in str(err)
    message = str(err)
    assert message.startswith(f"{f}:{line}:{col}: cannot parse this {fmt.upper()} file")
    assert "\n" not in message and "nothing was written" in message


def test_not_utf8_names_the_position(tmp_path: Path) -> None:
    f = tmp_path / "settings.json"
    f.write_bytes(b'{\n  "a": "caf\xe9"\n}\n')
    with pytest.raises(ParseError) as info:
        store.read_document(f)
    assert (info.value.line, info.value.column) == (2, 12)  # the é byte
    assert "UTF-8" in str(info.value)


@pytest.mark.parametrize(
    ("name", "text"),
    [("settings.json", '{"model": "x",,}'), ("openclaw.json5", "{agents: {list: [}"), ("config.toml", "model = \n")],
)
def test_transaction_on_malformed_file_leaves_it_byte_identical(tmp_path: Path, name: str, text: str) -> None:
    f = tmp_path / name
    f.write_text(text)
    os.chmod(f, 0o640)
    before = hashlib.sha256(f.read_bytes()).hexdigest()
    with pytest.raises(ParseError), store.Transaction("setup") as tx:
        doc = tx.open(f)
        tx.write(doc, "{}", expected={})  # never reached
    assert hashlib.sha256(f.read_bytes()).hexdigest() == before
    assert os.stat(f).st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    assert store.list_backups() == []


def test_cli_reports_a_malformed_file_on_one_line(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any command that reads a broken file ends with `error: path:line:col: ...` and exit 2."""
    from configurator.cli import COMMANDS

    @click.command()
    @click.argument("path")
    def readit(path: str) -> int:
        store.read_document(Path(path))
        return 0

    module = types.ModuleType("_foundation_readit")
    module.readit = readit  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "_foundation_readit", module)
    monkeypatch.setitem(COMMANDS, "readit", ("_foundation_readit", "readit", "test only"))
    f = tmp_path / "config.toml"
    f.write_text('model = "gpt"\n[profiles\n')
    before = f.read_bytes()
    code, out, err = cli("readit", str(f))
    assert code == 2 and out == ""
    assert err.startswith(f"error: {f}:2:10: cannot parse this TOML file")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert f.read_bytes() == before


def test_cli_unknown_backup_id_is_one_line(cli) -> None:
    code, out, err = cli("restore", "20990101T000000-000000Z")
    assert code == 2 and out == ""
    assert err.startswith("error: There is no backup with id") and "configurator restore --list" in err
    assert len(err.strip().splitlines()) == 1


def test_unexpected_error_is_one_line_and_logged(cli, monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    from configurator.commands import restore as core

    def boom() -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(core, "_list", boom)
    code, _, err = cli("restore", "--list")
    assert code == 3
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    log = home / ".local" / "state" / "agent-configurator" / "logs" / "error.log"
    assert str(log) in err and "simulated bug" in log.read_text()
    assert os.stat(log).st_mode & 0o777 == 0o600


# ------------------------------------------------------------------ fuzz: data or ParseError, nothing else

SEEDS = {
    "json": '{\n  "env": {"A": "x\\u00e9", "B": [1, 2.5e3, -0, true, null]},\n  "model": "m"\n}\n',
    "json5": "// c\n{\n  env: {A: 'x', \"B\": [1, 2.5, +1, .5, 0x1F, Infinity, NaN,],},\n  /* k */ model: 'm',\n}\n",
    "toml": 'model = "m"\n[profiles.x]\nk = [1, 2]\nd = 1979-05-27T07:32:00Z\n[[arr]]\ne = 1.5\nf = """\nx"""\n',
}
SPICE = list('{}[]:,"\'\\/*\n\r \t=#.+-0x1eE') + ["\u2028", "\x00", "é", "\ufeff", "\ud7ff", "NaN", "true", "0x", "\\u"]


def check(path: Path, raw: bytes, fmt: str) -> None:
    path.write_bytes(raw)
    try:
        doc = store.read_document(path, fmt)
    except ParseError as e:
        assert e.line >= 1 and e.column >= 1
        assert e.line <= raw.count(b"\n") + 1, (e.line, raw)
        assert str(e).startswith(f"{path}:{e.line}:{e.column}: ")
        assert "\n" not in str(e)
    else:
        assert isinstance(doc.data, dict)


@pytest.mark.parametrize("fmt", ["json", "json5", "toml"])
@FUZZ
@given(raw=st.binary(max_size=200))
def test_fuzz_random_bytes(tmp_path: Path, fmt: str, raw: bytes) -> None:
    check(tmp_path / "f", raw, fmt)


@pytest.mark.parametrize("fmt", ["json", "json5", "toml"])
@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 2), st.sampled_from(SPICE)), min_size=1, max_size=5))
def test_fuzz_mutated_documents(tmp_path: Path, fmt: str, edits: list[tuple[int, int, str]]) -> None:
    text = SEEDS[fmt]
    for pos, op, s in edits:
        i = pos % (len(text) + 1)
        text = text[:i] + s + text[i:] if op == 0 else (text[:i] + text[i + 1 :] if op == 1 else text[:i] + s + text[i + 1 :])
    check(tmp_path / "f", text.encode("utf-8", "surrogatepass"), fmt)


SETUP_CASES = [
    ("codex", ".codex/config.toml", 'model = "x"\n[profiles\n', 2, 10, "TOML"),
    ("claude-code", ".claude/settings.json", '{\n  "env": {,}\n}\n', 2, 11, "JSON"),
    ("openclaw", ".openclaw/openclaw.json", "{\n  // mine\n  agents: {defaults: {model: }},\n}\n", 3, 30, "JSON5"),
]


@pytest.mark.parametrize(("tool", "rel", "text", "line", "col", "fmt"), SETUP_CASES)
def test_setup_on_a_malformed_file_exits_2_and_leaves_it(
    cli, home: Path, monkeypatch: pytest.MonkeyPatch, tool: str, rel: str, text: str, line: int, col: int, fmt: str
) -> None:
    """The real writing command: one line naming path:line:column, exit 2, the file's hash unchanged."""
    f = home / rel
    f.parent.mkdir(parents=True)
    f.write_text(text)
    before = hashlib.sha256(f.read_bytes()).hexdigest()
    monkeypatch.setenv("FOUNDATION_TEST_KEY", "sk-atlas-TESTKEY-1234567890abcdefWXYZ")
    code, _, err = cli("setup", "--yes", "--tool", tool, "--api-key-env", "FOUNDATION_TEST_KEY")
    if "not built yet" in err:  # pragma: no cover - before the setup issue lands
        pytest.skip("setup is not built yet")
    assert code == 2, err
    assert err.startswith(f"error: {f}:{line}:{col}: cannot parse this {fmt} file"), err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert hashlib.sha256(f.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in f.parent.iterdir()) == [f.name]


def test_unclosed_block_comment_is_a_quick_parse_error_not_a_hang() -> None:
    """json-five backtracks exponentially on an unclosed /*; the store answers at once."""
    import time

    from configurator.errors import ParseError
    from configurator.store import parse_text

    text = "{\n  a: 1, /* " + "x y z, " * 200 + "\n}"
    start = time.monotonic()
    try:
        parse_text(text, "json5", "openclaw.json")
    except ParseError as e:
        assert (e.line, e.column) == (2, 9)
    else:
        raise AssertionError("an unclosed comment must not parse")
    assert time.monotonic() - start < 5
