"""Hostile input through the real entry point (issue 17): what a user typed that is wrong, odd or an attack.

Every case is one line of :data:`CASES`: the arguments (and environment), the exit code, and a fragment of the
one ``error:`` line. For every case: exactly that one line on stderr, no traceback, never exit 3, nothing on
stdout (or, with ``--json``, only the error envelope), no file written in HOME, no error log, and the test key
nowhere (not in the output, not in a file). The sections after the table check what a table cannot: lint
findings in every format, the error log, dry-run diffs, the ``--json`` envelope.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest
from conftest import KNOWN_KEY, run_cli

from configurator import cli as cli_module

KEY_VAR = "HOSTILE_TEST_KEY"
#: a key with no recognisable shape: only its place on the command line says it is one
SHAPELESS_KEY = "q8zr2lmx4vt9bn1c"
PASSWORD = "hunter2-Secret-77"
URL = "https://api.example.com"
#: setup with flags, no prompt, a key in the environment; the case adds what is hostile
SETUP = ("setup", "--yes", "--dry-run", "--api-key-env", KEY_VAR)
CUSTOM = (*SETUP, "--provider", "custom")


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    says: str  # a fragment of the error line
    code: int = 2
    env: dict[str, str] = field(default_factory=dict)
    #: strings that must appear nowhere in what the user sees (besides the test key)
    hidden: tuple[str, ...] = ()


CASES = [
    # item 13: each one clear sentence, exit 2
    Case("provider-path-traversal", (*SETUP, "--provider", "../../pyproject"), "Unknown provider '../../pyproject'"),
    Case("provider-absolute-path", (*SETUP, "--provider", "/etc/passwd"), "Unknown provider '/etc/passwd'"),
    Case("provider-not-utf8", (*SETUP, "--provider", "atlas\udcff"), r"Unknown provider 'atlas\udcff'"),
    Case("provider-5000-chars", (*SETUP, "--provider", "p" * 5000), "(5000 characters)"),
    Case("model-not-utf8", (*CUSTOM, "--base-url", URL, "--model", "m\udcff"), r"--model 'm\udcff' is not a model id"),
    Case("model-newline", (*CUSTOM, "--base-url", URL, "--model", "m\nx"), r"--model 'm\nx' is not a model id"),
    Case("model-space", (*CUSTOM, "--base-url", URL, "--model", "deep seek"), "--model 'deep seek' is not a model id"),
    Case("model-empty", (*CUSTOM, "--base-url", URL, "--model", " "), "--model is empty"),
    Case("model-5000-chars", (*CUSTOM, "--base-url", URL, "--model", "m" * 5000), "(5000 characters)"),
    Case("fast-model-escape", (*SETUP, "--fast-model", "f\x1b[2J"), r"--fast-model 'f\x1b[2J' is not a model id"),
    Case("codex-version-5000-digits", ("lint", "--codex-version", "1" * 5000), "is not a version"),
    Case("codex-version-5000-digits-dot", ("lint", "--codex-version", "1" * 5000 + ".0"), "is not a version"),
    Case("url-newline", (*CUSTOM, "--model", "m", "--base-url", "https://api.example.com\n/v1"),
         "contains spaces or control characters"),
    Case("url-carriage-return", (*CUSTOM, "--model", "m", "--base-url", "https://api.exa\rmple.com"),
         "contains spaces or control characters"),
    Case("url-tab", (*CUSTOM, "--model", "m", "--base-url", "https://api.example.com/\tv1"),
         "contains spaces or control characters"),
    Case("url-space-in-host", (*CUSTOM, "--model", "m", "--base-url", "https://api.exa mple.com"),
         "contains spaces or control characters"),
    Case("url-port-99999", (*CUSTOM, "--model", "m", "--base-url", "https://api.example.com:99999"),
         "has a port that is not a number from 1 to 65535"),
    Case("url-port-abc", (*CUSTOM, "--model", "m", "--base-url", "https://api.example.com:abc/v1"),
         "has a port that is not a number from 1 to 65535"),
    Case("url-port-0", (*CUSTOM, "--model", "m", "--base-url", "https://api.example.com:0"),
         "has a port that is not a number from 1 to 65535"),
    Case("url-backslash-userinfo", (*CUSTOM, "--model", "m", "--base-url", "https://x\\@evil.com"),
         "contains a backslash"),
    Case("url-unclosed-ipv6", (*CUSTOM, "--model", "m", "--base-url", "https://[::1"), "is not a valid URL"),
    Case("url-bad-ipv6", (*CUSTOM, "--model", "m", "--base-url", "https://[::zz]/v1"), "is not a valid URL"),
    Case("url-bad-host", (*CUSTOM, "--model", "m", "--base-url", "https://-bad-.example.com"),
         "has a host name that is not valid"),
    Case("url-host-underscore", (*CUSTOM, "--model", "m", "--base-url", "https://a_b.example.com"),
         "has a host name that is not valid"),
    Case("url-no-host", (*CUSTOM, "--model", "m", "--base-url", "https://:443/v1"), "has no host name"),
    Case("url-ftp", (*CUSTOM, "--model", "m", "--base-url", "ftp://api.example.com"), "is not an http(s) URL"),
    Case("url-javascript", (*CUSTOM, "--model", "m", "--base-url", "javascript:alert(1)"), "is not an http(s) URL"),
    Case("url-5000-chars", (*CUSTOM, "--model", "m", "--base-url", "https://" + "a" * 5000 + ".com"),
         "characters long"),
    Case("url-terminal-escape", (*CUSTOM, "--model", "m", "--base-url", "https://\x1b]0;pwned\x07x.com"),
         r"\x1b]0;pwned\x07"),
    Case("anthropic-url-port", (*CUSTOM, "--model", "m", "--anthropic-base-url", "https://a.example.com:70000",
                                "--openai-base-url", "https://a.example.com/v1"), "--anthropic-base-url"),
    Case("home-empty", (*SETUP,), "HOME is empty", env={"HOME": ""}),
    Case("home-blank", ("lint",), "HOME is empty", env={"HOME": "  "}),
    Case("home-relative", ("usage",), "HOME is the relative path 'home'", env={"HOME": "home"}),
    Case("api-key-env-newline", (*SETUP[:3], "--api-key-env", "ATLAS_API_KEY\n"), "takes the NAME"),
    # item 3: the key pasted as --api-key-env, then a URL that once crashed: exit 2, the key nowhere
    Case("key-as-env-name-bad-url", (*SETUP[:3], "--api-key-env", KNOWN_KEY, "--provider", "custom", "--model", "m",
                                     "--base-url", "https://[::1"), "is not a valid URL"),
    Case("shapeless-key-as-env-name", (*SETUP[:3], "--api-key-env", SHAPELESS_KEY + "-x"), "takes the NAME",
         hidden=(SHAPELESS_KEY,)),
    # item 4: credentials in a URL are refused, and not echoed
    Case("url-user-password", (*CUSTOM, "--model", "m", "--base-url", f"https://user:{PASSWORD}@host.example.com"),
         "contains a user name or password", hidden=(PASSWORD,)),
    Case("url-token-as-user", (*CUSTOM, "--model", "m", "--base-url", f"https://{KNOWN_KEY}@host.example.com/v1"),
         "contains a user name or password"),
    Case("openai-url-password", (*CUSTOM, "--model", "m", "--anthropic-base-url", "https://a.example.com",
                                 "--openai-base-url", f"https://u:{PASSWORD}@a.example.com/v1"),
         "--openai-base-url contains a user name or password", hidden=(PASSWORD,)),
    Case("url-password-bad-port", (*CUSTOM, "--model", "m", "--base-url", f"https://u:{PASSWORD}@h.example.com:x"),
         "contains a user name or password", hidden=(PASSWORD,)),
    # click's own errors with hostile values stay one line too
    Case("tool-not-utf8", ("setup", "--tool", "co\udcffdex"), "Invalid value for '--tool'"),
    Case("unknown-option-escape", ("lint", "--\x1b[31mred"), r"No such option"),
    Case("lint-missing-path", ("lint", "/nonexistent/\x1b[2Jx.toml"), r"\x1b[2J"),
]


def _files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input_is_one_sentence(case: Case, cli, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_VAR, KNOWN_KEY)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    code, out, err = cli(*case.args)
    assert code == case.code != 3, err
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and err.endswith(".\n"), err
    assert case.says in err
    assert len(err) < 600, err  # a sentence, not the input back
    assert "Traceback" not in err and "\x1b" not in err
    for secret in (KNOWN_KEY, *case.hidden):
        assert secret not in err
    assert _files_under(home) == []  # nothing written: no config, no backup, no error log


def test_every_case_also_holds_with_json(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same inputs with --json: the error envelope on stdout, the same line on stderr."""
    monkeypatch.setenv(KEY_VAR, KNOWN_KEY)
    for case in CASES:
        if case.args[0] not in ("setup", "lint", "usage") or case.env:
            continue
        code, out, err = cli(*case.args, "--json")
        assert code == case.code, (case.id, err)
        assert err.startswith("error: ") and err.count("\n") == 1, (case.id, err)
        assert out.startswith("{"), (case.id, out)
        envelope = json.loads(out)
        assert envelope == {"version": 1, "command": case.args[0],
                            "error": {"message": err.removeprefix("error: ").rstrip("\n"), "exit_code": case.code}}
        assert KNOWN_KEY not in out and all(s not in out for s in case.hidden), case.id


# --- real processes: bytes that are not UTF-8, and an empty HOME as a shell sets it ---------------------------

def test_a_model_id_in_latin1_bytes_from_a_real_shell(home: Path) -> None:
    env = {**os.environ, KEY_VAR: KNOWN_KEY}
    proc = subprocess.run([sys.executable, "-m", "configurator", *CUSTOM, "--base-url", URL, "--model", b"m\xff"],
                          capture_output=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert proc.stderr == (b"error: --model 'm\\udcff' is not a model id (spaces, control characters, bytes that "
                           b"are not UTF-8, or over 200 characters); give the id as the provider lists it.\n")


def test_an_empty_home_writes_nothing_under_the_root(tmp_path: Path) -> None:
    proc = run_cli(*SETUP, env={"HOME": "", KEY_VAR: KNOWN_KEY}, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("error: HOME is empty") and proc.stderr.count("\n") == 1
    assert not Path("/.claude").exists() and not Path("/.codex").exists()
    assert run_cli("--help", env={"HOME": ""}).returncode == 0  # help needs no HOME


# --- item 16: --json errors are an envelope on stdout (setup, usage, lint) --------------------------------------

JSON_ERRORS = [
    ("setup", (*SETUP, "--provider", "nope", "--json"), 2),
    ("setup", ("setup", "--json", "--tool", "nope"), 2),  # click's own error: the envelope too
    ("setup", ("setup", "--json", "--yes", "--dry-run", "--api-key-env", KNOWN_KEY), 2),
    ("usage", ("usage", "--json", "--since", "yesterday-ish"), 2),
    ("usage", ("usage", "--json", "--tool", "nope"), 2),
    ("lint", ("lint", "--json", "/nonexistent/config.toml"), 2),
    ("lint", ("lint", "--format", "json", "/nonexistent/config.toml"), 2),
    ("lint", ("lint", "--json", "--select", "no-such-rule"), 2),
]


@pytest.mark.parametrize(("command", "args", "code"), JSON_ERRORS, ids=[" ".join(a[:4]) for _, a, _ in JSON_ERRORS])
def test_json_errors_are_an_envelope_on_stdout(command: str, args: tuple[str, ...], code: int) -> None:
    proc = run_cli(*args, env={KEY_VAR: KNOWN_KEY})
    assert proc.returncode == code
    [line] = proc.stderr.splitlines()
    assert line.startswith("error: ")
    envelope = json.loads(proc.stdout)
    assert envelope == {"version": 1, "command": command,
                        "error": {"message": line.removeprefix("error: "), "exit_code": code}}
    assert KNOWN_KEY not in proc.stdout + proc.stderr


def test_without_json_an_error_prints_nothing_on_stdout() -> None:
    proc = run_cli("lint", "--codex-version", "--json", "/nonexistent")  # --json is the version's value here
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("error: --codex-version '--json' is not a version")


def test_json_internal_error_is_an_envelope_too(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    _boom(monkeypatch, RuntimeError("bug"))
    code, out, err = cli("boom", "--json")
    assert code == 3 and err.startswith("error: unexpected internal error (RuntimeError)")
    assert json.loads(out)["error"]["exit_code"] == 3


# --- item 3: the error log holds no key -----------------------------------------------------------------------

def _boom(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    """``configurator boom [--api-key-env X] [--json]``: a command with a bug."""

    @click.command()
    @click.option("--api-key-env")
    @click.option("--json", "as_json", is_flag=True)
    def boom(api_key_env: str | None, as_json: bool) -> None:
        raise exc

    real = cli_module.LazyGroup.get_command
    monkeypatch.setitem(cli_module.COMMANDS, "boom", ("unused", "boom", "a bug"))
    monkeypatch.setattr(cli_module.LazyGroup, "get_command",
                        lambda self, ctx, name: boom if name == "boom" else real(self, ctx, name))


def _error_log(home: Path) -> str:
    [log] = home.rglob("error.log")
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    return log.read_text(encoding="utf-8")


LOGGED = [
    (("boom", "--api-key-env", KNOWN_KEY), KNOWN_KEY, "'--api-key-env', 'sk-…WXYZ'"),
    (("boom", f"--api-key-env={KNOWN_KEY}"), KNOWN_KEY, "'--api-key-env=sk-…WXYZ'"),
    (("boom", "--api-key-env", SHAPELESS_KEY), SHAPELESS_KEY, "'--api-key-env', 'q8z…bn1c'"),
    (("boom", "--api-key-env", "ATLAS_API_KEY"), "never-there", "'--api-key-env', 'ATLAS_API_KEY'"),
    (("boom", "--api-key-env", "lowercase_key_1"), "lowercase_key_1", "'--api-key-env', 'low…ey_1'"),
]


@pytest.mark.parametrize(("args", "secret", "shown"), LOGGED, ids=["shaped", "equals", "shapeless", "a-name", "lower-case"])
def test_the_error_log_masks_argv(cli, home: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...],
                                  secret: str, shown: str) -> None:
    _boom(monkeypatch, RuntimeError("bug"))
    code, out, err = cli(*args)
    assert code == 3 and out == "" and secret not in err
    log = _error_log(home)
    assert secret not in log and shown in log


def test_the_error_log_masks_what_the_exception_says(cli, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    _boom(monkeypatch, RuntimeError(f"sent x-api-key: {KNOWN_KEY} and Authorization: Bearer {jwt} to "
                                    f"https://user:{PASSWORD}@h.example.com; bad byte \udcff"))
    code, _, err = cli("boom")
    assert code == 3
    log = _error_log(home)
    for secret in (KNOWN_KEY, jwt, PASSWORD):
        assert secret not in log and secret not in err
    assert "x-api-key: sk-…WXYZ" in log and "Bearer eyJ…sR8U" in log and "user:****@" in log


# --- items 2 and 4: lint masks every key-shaped value, in every format; the new rules -----------------------

KEY_IN_ENV_KEY = f"""model_provider = "atlas"

[model_providers.atlas]
name = "Atlas"
base_url = "https://api.atlascloud.ai/v1"
wire_api = "responses"
env_key = "{KNOWN_KEY}"
requires_openai_auth = false

[model_providers.gw]
name = "Gateway"
base_url = "https://user:{PASSWORD}@gw.example.com/v1"
wire_api = "responses"
env_key = "GW_KEY"

[profiles.p]
model_provider = "{KNOWN_KEY}"
"""

FORMATS = ["text", "json", "github", "sarif"]


def _rules_reported(fmt: str, out: str) -> set[str]:
    if fmt == "json":
        return {f["rule"] for f in json.loads(out)["findings"]}
    if fmt == "sarif":
        return {r["ruleId"] for r in json.loads(out)["runs"][0]["results"]}
    if fmt == "github":
        return {line.split("title=")[1].split("::")[0] for line in out.splitlines() if "title=" in line}
    return {line.split()[2] for line in out.splitlines() if line.startswith("/")}


@pytest.mark.parametrize("fmt", FORMATS)
def test_lint_never_prints_a_key_in_any_format(fmt: str, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(KEY_IN_ENV_KEY, encoding="utf-8")
    proc = run_cli("lint", "--format", fmt, "--codex-version", "0.171.0", str(config), env={"GW_KEY": "set"})
    assert proc.returncode == 1, proc.stderr
    output = proc.stdout + proc.stderr
    assert KNOWN_KEY not in output and PASSWORD not in output
    rules = _rules_reported(fmt, proc.stdout)
    assert {"codex-env-key-is-a-key", "url-has-credentials", "codex-provider-undefined"} <= rules
    assert "codex-env-key-unset" not in rules
    assert "sk-…WXYZ" in output and "user:****@gw.example.com" in output


def test_setup_refuses_what_lint_flags_in_a_hand_written_world_readable_file(home: Path) -> None:
    """Item 4: setup refuses the URL; a file written by hand with it, mode 644, is an error."""
    proc = run_cli(*CUSTOM, "--model", "m", "--base-url", f"https://user:{PASSWORD}@host.example.com",
                   env={KEY_VAR: KNOWN_KEY})
    assert proc.returncode == 2 and "contains a user name or password" in proc.stderr
    assert not (home / ".codex").exists()
    codex = home / ".codex"
    codex.mkdir()
    (codex / "config.toml").write_text(f'model_provider = "x"\n\n[model_providers.x]\nname = "X"\n'
                                       f'base_url = "https://user:{PASSWORD}@host.example.com/v1"\n'
                                       'wire_api = "responses"\nrequires_openai_auth = true\n')
    (codex / "config.toml").chmod(0o644)
    proc = run_cli("lint", "--select", "url-has-credentials", str(codex / "config.toml"))
    assert proc.returncode == 1 and PASSWORD not in proc.stdout
    assert "error url-has-credentials $.model_providers.x.base_url is a URL with credentials" in proc.stdout


# --- item 8: dry-run diffs mask secrets by their shape, whatever the key is called -----------------------------

def test_a_dry_run_diff_shows_no_secret_of_the_users(home: Path) -> None:
    pat = "sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    header_key = "Zx81kQ0pLm2vN7Yt5Rw3"
    settings = home / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(json.dumps({"env": {
        "ANTHROPIC_CUSTOM_HEADERS": f"x-api-key: {header_key}\nX-Trace: on",
        "OPENROUTER_PAT": pat,
        "GITHUB_THING": "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "ANTHROPIC_MODEL": "deepseek-ai/deepseek-v4-pro",
    }}, indent=2), encoding="utf-8")
    proc = run_cli("setup", "--yes", "--dry-run", "--tool", "claude-code", "--api-key-env", KEY_VAR,
                   env={KEY_VAR: KNOWN_KEY})
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert '"ANTHROPIC_CUSTOM_HEADERS"' in out and '"OPENROUTER_PAT": "sk-…cdef"' in out
    for secret in (KNOWN_KEY, pat, header_key, "ghp_abcdefghijklmnopqrstuvwxyz0123456789"):
        assert secret not in out
    assert "x-api-key: Zx8…rRw3" in out or "x-api-key: Zx8…" in out
    assert "deepseek-ai/deepseek-v4-pro" in out  # a model id is not a secret


def test_the_case_table_has_one_line_per_case() -> None:
    assert len(CASES) == len({c.id for c in CASES}) >= 40
