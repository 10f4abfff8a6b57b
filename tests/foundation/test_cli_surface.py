"""What the entry point shows around the commands: one-line errors, cancels, shell completion."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from conftest import run_cli
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from configurator import cli as cli_module
from configurator import exitcodes
from configurator.errors import CANCELLED, Aborted, ConfiguratorError, Interrupted
from configurator.prompts import Prompter

CTRL_C = "\x03"
BIN = Path(sys.executable).parent
ENTRY_POINT = BIN / "configurator"  # the console script pip installed next to this interpreter

# --- click's own errors: one `error:` line pointing at the right --help, exit 2 -----------------------

USAGE_ERRORS = [
    (["setup", "--xyzzy"], "error: No such option '--xyzzy' (see `configurator setup --help`)."),
    (["setup", "--tool", "x"], "error: Invalid value for '--tool': 'x' is not one of 'claude-code', 'codex', "
                               "'openclaw', 'opencode' (see `configurator setup --help`)."),
    (["lint", "--explain"], "error: Option '--explain' requires an argument (see `configurator lint --help`)."),
    (["plan", "quiz", "--style"], "error: Option '--style' requires an argument "
                                  "(see `configurator plan quiz --help`)."),
    (["plan", "quix"], "error: No such command 'quix'. Did you mean 'quiz'? (see `configurator plan --help`)."),
    (["frobnicate"], "error: No such command 'frobnicate' (see `configurator --help`)."),
    (["restore", "a", "b"], "error: Got unexpected extra argument (b) (see `configurator restore --help`)."),
]


@pytest.mark.parametrize(("args", "line"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_a_usage_error_is_one_error_line(args: list[str], line: str) -> None:
    proc = run_cli(*args)
    assert proc.returncode == exitcodes.USAGE
    assert proc.stdout == ""
    assert proc.stderr == line + "\n"


def test_a_near_miss_option_keeps_clicks_suggestion() -> None:
    proc = run_cli("setup", "--dry")
    assert proc.returncode == 2
    [line] = proc.stderr.splitlines()
    assert line.startswith("error: No such option '--dry'.") and "'--dry-run'" in line
    assert line.endswith("(see `configurator setup --help`).")


def test_every_usage_error_line_starts_with_error() -> None:
    # a bare group still shows its help (as before), but nothing a user sees says "Error:" or "Usage:" + error
    for args in (["setup", "--nope"], ["usage", "--since"], ["verify", "--tool", "none"], ["doctor", "x"]):
        proc = run_cli(*args)
        assert proc.returncode == 2, args
        assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1, proc.stderr
        assert "Usage:" not in proc.stderr and "Traceback" not in proc.stderr


def test_a_group_without_a_command_shows_its_help() -> None:
    proc = run_cli("plan")
    assert proc.returncode == 2
    assert proc.stderr.startswith("Usage: configurator plan [OPTIONS] COMMAND [ARGS]...")
    assert "upgrade-cost" in proc.stderr


# --- cancels through the real entry point -----------------------------------------------------------

def _fake_command(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    """``configurator boom`` raises ``exc`` from inside a command, as a real command would."""

    @click.command()
    def boom() -> None:
        raise exc

    real = cli_module.LazyGroup.get_command
    monkeypatch.setitem(cli_module.COMMANDS, "boom", ("unused", "boom", "raises"))
    monkeypatch.setattr(cli_module.LazyGroup, "get_command",
                        lambda self, ctx, name: boom if name == "boom" else real(self, ctx, name))


@pytest.mark.parametrize(("exc", "code"), [
    (Aborted(), 0),  # the user answered "No"
    (Interrupted(), 130),  # Ctrl-C or end of input in a prompt
    (KeyboardInterrupt(), 130),  # Ctrl-C outside a prompt
    (EOFError(), 130),
    (click.exceptions.Abort(), 130),  # click's own Ctrl-C
])
def test_a_cancel_is_one_plain_line(cli, monkeypatch: pytest.MonkeyPatch, exc: BaseException, code: int) -> None:
    _fake_command(monkeypatch, exc)
    got, out, err = cli("boom")
    assert (got, out, err) == (code, "", CANCELLED + "\n")


def test_a_cancel_keeps_its_own_words(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_command(monkeypatch, Aborted("quiz cancelled; nothing was saved."))
    assert cli("boom") == (0, "", "quiz cancelled; nothing was saved.\n")


def test_our_errors_and_click_exceptions_are_error_lines(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_command(monkeypatch, ConfiguratorError("that file is not there; create it first."))
    assert cli("boom") == (2, "", "error: that file is not there; create it first.\n")
    _fake_command(monkeypatch, click.FileError("x.csv", hint="no such file"))
    code, out, err = cli("boom")
    assert (code, out) == (1, "") and err.startswith("error: ") and err.count("\n") == 1 and "x.csv" in err


def test_with_json_an_error_is_also_an_envelope_on_stdout(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The entry point knows whether the running command was given --json (parsed with the command's own
    options: the value of another option is not the flag)."""

    @click.command()
    @click.option("--model")
    @click.option("--json", "as_json", is_flag=True)
    def boom(model: str | None, as_json: bool) -> None:
        raise ConfiguratorError("that model is not there; pick another.")

    real = cli_module.LazyGroup.get_command
    monkeypatch.setitem(cli_module.COMMANDS, "boom", ("unused", "boom", "raises"))
    monkeypatch.setattr(cli_module.LazyGroup, "get_command",
                        lambda self, ctx, name: boom if name == "boom" else real(self, ctx, name))
    line = "error: that model is not there; pick another.\n"
    envelope = {"version": 1, "command": "boom",
                "error": {"message": "that model is not there; pick another.", "exit_code": 2}}
    for args in (["boom", "--json"], ["boom", "--model=x", "--json"], ["boom", "--model", "x", "--json"]):
        assert cli(*args) == (2, json.dumps(envelope, indent=2) + "\n", line)
    code, out, err = cli("boom", "--frob", "--json")  # click's own error, --json after it: still an envelope
    assert code == 2 and json.loads(out)["error"]["message"] == err.removeprefix("error: ").rstrip("\n")
    assert cli("boom", "--model", "--json") == (2, "", line)  # --json is the model here
    assert cli("boom", "--", "--json")[1] == ""  # after --, nothing is an option


@pytest.mark.parametrize("home_value", ["", "   ", "relative/home"])
def test_a_home_that_is_empty_or_relative_is_refused(cli, monkeypatch: pytest.MonkeyPatch, home_value: str) -> None:
    monkeypatch.setenv("HOME", home_value)
    code, out, err = cli("lint")
    assert (code, out) == (2, "") and err.startswith("error: HOME is ") and err.count("\n") == 1
    assert cli("--version")[0] == 0 and cli("lint", "--help")[0] == 0  # help and the version need no HOME


def test_an_error_line_escapes_control_characters_and_cuts_long_words(cli) -> None:
    code, _, err = cli("restore", "\x1b]0;title\x07" + "b" * 3000)
    assert code == 2 and "\x1b" not in err and "\\x1b]0;title\\x07" in err
    assert err.count("\n") == 1 and len(err) < 600 and " characters)…" in err


def _wait_until_reading_stdin(pid: int, timeout: float = 20) -> None:
    """Until the process sleeps in a read of its stdin pipe (Linux), or a generous pause elsewhere."""
    wchan = Path(f"/proc/{pid}/wchan")
    if not wchan.exists():
        time.sleep(3)
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "pipe_read" in wchan.read_text():
            return
        time.sleep(0.05)
    pytest.fail("the command never waited for its standard input")


def test_ctrl_c_outside_a_prompt_cancels_with_130(home: Path, tmp_path: Path) -> None:
    """No terminal: `setup --api-key-stdin` waits for the key; SIGINT (what Ctrl-C sends) cancels it."""
    env = {**os.environ, "PATH": str(tmp_path)}  # no agent tool to ask for its version
    # as a terminal would run it: a runner that started us in the background may have SIGINT ignored, and a
    # child inherits that (Python then installs no KeyboardInterrupt handler)
    proc = subprocess.Popen([sys.executable, "-m", "configurator", "setup", "--yes", "--api-key-stdin"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        _wait_until_reading_stdin(proc.pid)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)  # stdin stays open until it has exited: an end of input must not race the signal
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert (out, err) == ("", CANCELLED + "\n")
    assert not (home / ".claude").exists() and not (home / ".codex").exists()


# --- Prompter: Ctrl-C and end of input become Interrupted ------------------------------------------

ASK = {
    "select": lambda p: p.select("Pick:", [("one", 1), ("two", 2)]),
    "checkbox": lambda p: p.checkbox("Tick:", [("one", 1, True), ("two", 2, False)]),
    "text": lambda p: p.text("Name:"),
    "password": lambda p: p.password("Key:"),
    "confirm": lambda p: p.confirm("Sure?"),
}
ANSWERED = {"select": ("\x1b[B\r", 2), "checkbox": ("\r", [1]), "text": ("  ada \r", "ada"),
            "password": ("k\r", "k"), "confirm": ("n", False)}


def _ask(kind: str, keys: str, *, close: bool = False) -> object:
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        if close:
            pipe.close()
        return ASK[kind](Prompter(input=pipe, output=DummyOutput()))


@pytest.mark.parametrize("kind", ASK)
def test_a_prompt_answers_what_was_typed(kind: str) -> None:
    keys, answer = ANSWERED[kind]
    assert _ask(kind, keys) == answer


@pytest.mark.parametrize("kind", ASK)
@pytest.mark.parametrize(("keys", "close"), [(CTRL_C, False), ("", True)], ids=["ctrl-c", "end-of-input"])
def test_ctrl_c_or_end_of_input_in_a_prompt_is_interrupted(kind: str, keys: str, close: bool) -> None:
    with pytest.raises(Interrupted) as caught:
        _ask(kind, keys, close=close)
    assert str(caught.value) == CANCELLED == "Cancelled; nothing was written."
    assert caught.value.exit_code == 130



# --- shell completion through the console script -------------------------------------------------------

needs_entry_point = pytest.mark.skipif(not ENTRY_POINT.exists(), reason="the console script is not installed")


def _complete(instruction: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ENTRY_POINT)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "_CONFIGURATOR_COMPLETE": instruction, **env})


@needs_entry_point
@pytest.mark.parametrize(("shell", "marker"), [
    ("bash", "complete -o nosort -F _configurator_completion configurator"),
    ("zsh", "compdef _configurator_completion configurator"),
    ("fish", "complete --no-files --command configurator"),
])
def test_the_completion_script_is_printed(shell: str, marker: str) -> None:
    proc = _complete(f"{shell}_source")
    assert proc.returncode == 0 and proc.stderr == ""
    assert marker in proc.stdout


@needs_entry_point
@pytest.mark.parametrize(("words", "cword", "expected"), [
    ("configurator li", "1", ["lint"]),
    ("configurator ", "1", ["setup", "use", "status", "profile", "key", "lint", "plan", "usage", "statusline", "verify", "restore", "doctor"]),
    ("configurator plan up", "2", ["upgrade-cost"]),
    ("configurator lint --form", "2", ["--format"]),
    ("configurator lint --format s", "3", ["sarif"]),
])
def test_a_completion_request_lists_the_candidates(words: str, cword: str, expected: list[str]) -> None:
    proc = _complete("bash_complete", COMP_WORDS=words, COMP_CWORD=cword)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [f"plain,{w}" for w in expected]


@needs_entry_point
@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_bash_completes_lint_with_the_sourced_script(tmp_path: Path) -> None:
    """What a bash user gets: source the script, press tab after `configurator li`."""
    script = tmp_path / "configurator.bash"
    script.write_text(_complete("bash_source").stdout)
    probe = f'source {script}; COMP_WORDS=(configurator li); COMP_CWORD=1; _configurator_completion configurator; ' \
            'printf "%s\\n" "${COMPREPLY[@]}"'
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", probe], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["lint"]


COMPLETION_PROBE = """
import sys
from configurator.cli import main
try:
    main([])
except SystemExit:
    pass
print(sorted(m for m in sys.modules if m.startswith("configurator.cli.") or m == "questionary"))
"""


def test_completing_a_command_name_imports_no_command() -> None:
    """Tab after `configurator ` answers from the command table: no command module, no prompt library."""
    env = {**os.environ, "_CONFIGURATOR_COMPLETE": "bash_complete", "COMP_WORDS": "configurator ", "COMP_CWORD": "1"}
    proc = subprocess.run([sys.executable, "-c", COMPLETION_PROBE], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    *candidates, imported = proc.stdout.splitlines()
    assert "plain,restore" in candidates and imported == "[]"
