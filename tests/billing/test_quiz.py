"""`plan quiz`: by flags and --answers for scripts, by real questionary prompts in a terminal."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from configurator.billing import quiz
from configurator.billing.catalog import load_catalog

CAT = load_catalog()
ASSUMPTIONS = quiz.load_assumptions()
FLAGS = ["--active-days", "5", "--hours", "4", "--style", "agentic", "--bursts", "sometimes", "--no-wait",
         "--models", "deepseek-v4-flash", "--start", "2026-05-04"]

DOWN, UP, ENTER, SPACE, BACKSPACE, CTRL_C = "\x1b[B", "\x1b[A", "\r", " ", "\x7f", "\x03"


def test_quiz_by_flags_is_deterministic_and_shows_its_assumptions(cli) -> None:
    code, out, err = cli("plan", "quiz", *FLAGS, "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["command"] == "plan quiz" and data["version"] == 1
    assert data["answers"] == {"models": ["deepseek-v4-flash"], "mix": {"deepseek-v4-flash": 1.0}, "active_days": 5,
                               "hours": 4.0, "style": "agentic", "bursts": "sometimes", "wait": False}
    assert data["assumptions"]["style"]["requests_per_hour"] == 120
    assert data["assumptions"]["file"].endswith("assumptions.toml")
    assert data["assumptions"]["blend"] == "deepseek-v4-flash only"
    assert data["start"] == "2026-05-04" and data["horizon_days"] == 90
    assert data["recommendation"]["covers_every_day"] is True
    assert json.loads(cli("plan", "quiz", *FLAGS, "--json")[1]) == data
    code, text, _ = cli("plan", "quiz", *FLAGS)
    assert "Assumptions: " in text and "120 requests/hour" in text and "Recommendation:" in text
    assert "credits/hour (deepseek-v4-flash only)" in text and "assumptions.toml" not in text
    assert "assumptions.toml" in cli("plan", "quiz", *FLAGS, "--verbose")[1]  # the path only on request
    assert "Daily demand against" in text and "\x1b[" not in text  # a chart, without colour off a terminal


def test_trace_follows_the_answers() -> None:
    answers = quiz.finish({"active_days": 5, "hours": 2, "style": "chat", "bursts": "sometimes"}, CAT, ASSUMPTIONS)
    start = dt.date(2026, 5, 4)  # a Monday
    t = quiz.build_trace(answers, CAT, ASSUMPTIONS, start=start, days=28)
    values = [v for _, v in t.demand]
    weeks = [values[i:i + 7] for i in range(0, 28, 7)]
    assert all(w[5] == w[6] == 0 for w in weeks)  # Saturday and Sunday off
    per_day = t.credits_per_hour * 2
    assert sum(weeks[0]) == pytest.approx(5 * per_day)  # the weekly variation averages out
    assert sum(weeks[3]) == pytest.approx(2.5 * 5 * per_day)  # the 4th week of 4 is a burst week
    style = ASSUMPTIONS.styles["chat"]
    tokens = {k: v * style.requests_per_hour for k, v in style.tokens_per_request.items()}
    expected = CAT.credits_for("deepseek-v4-pro", input_tokens=tokens["input"], output_tokens=tokens["output"],
                               cache_read_tokens=tokens["cache_read"], cache_write_tokens=tokens["cache_write"])
    assert t.credits_per_hour == pytest.approx(expected)  # rule 8 on the default model


@pytest.mark.parametrize("fmt", ["json", "toml"])
def test_answers_file_gives_the_same_result_and_flags_override_it(cli, tmp_path, fmt) -> None:
    f = tmp_path / f"answers.{fmt}"
    if fmt == "json":
        f.write_text(json.dumps({"active-days": 5, "hours": 4, "style": "agentic", "bursts": "sometimes",
                                 "wait": False, "models": ["deepseek-v4-flash"]}))
    else:
        f.write_text('active_days = 5\nhours = 4.0\nstyle = "agentic"\nbursts = "sometimes"\nwait = false\n'
                     'models = "deepseek-v4-flash"\n')
    by_file = json.loads(cli("plan", "quiz", "--answers", str(f), "--start", "2026-05-04", "--json")[1])
    by_flags = json.loads(cli("plan", "quiz", *FLAGS, "--json")[1])
    assert by_file == by_flags
    override = json.loads(cli("plan", "quiz", "--answers", str(f), "--style", "chat", "--json")[1])
    assert override["answers"]["style"] == "chat" and override["answers"]["hours"] == 4.0


BAD_ANSWERS = [
    ("a.json", '{\n  "hours": 4,\n  "colour": "red"\n}', "a.json:3:3: unknown answer 'colour'"),
    ("a.json", '{\n  "hours": "lots"\n}', "a.json:2:12: hours must be a number of hours"),
    ("a.toml", 'style = "fancy"\n', "a.toml:1:9: style must be one of chat, agentic, parallel"),
    ("a.toml", 'active_days = 8\n', "a.toml:1:15: active_days must be a whole number of days from 1 to 7"),
    ("a.json", '{"hours": 4,}', "a.json:1:13: cannot parse this JSON file"),
    ("a.json", '[1, 2]', "a.json:1:1: cannot parse this JSON file: the top level must be an object"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_ANSWERS, ids=[b[2].split(": ")[-1] for b in BAD_ANSWERS])
def test_bad_answers_file_is_one_line_with_its_position(cli, tmp_path, name, text, message) -> None:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    code, out, err = cli("plan", "quiz", "--answers", str(f))
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


@pytest.mark.parametrize(("args", "message"), [
    (["--hours", "3"], "needs answers it cannot ask for without a terminal: --active-days, --style"),
    ([], "--active-days, --hours, --style (or --answers FILE"),
    (["--style", "fancy"], "--style must be one of chat, agentic, parallel"),
    (["--active-days", "0"], "--active-days must be a whole number of days from 1 to 7"),
    (["--hours", "25"], "--hours must be a number of hours, more than 0 and at most 24"),
    (["--models", "gpt-9"], "--models unknown model 'gpt-9'"),
    (["--models", "deepseek-v4-pro:70,deepseek-v4-flash"], "--models give a share for every model"),
    (["--models", "deepseek-v4-pro:lots"], "the share of deepseek-v4-pro must be a number"),
    (["--answers", "/nonexistent/answers.json"], "does not exist"),
])
def test_scripts_get_one_clear_line_naming_the_flags(cli, args, message) -> None:
    code, out, err = cli("plan", "quiz", *args)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


# --- the real questionary prompts, driven through prompt_toolkit pipe input -------------------------

@contextmanager
def piped(keys: str, *, close: bool = False) -> Iterator[quiz.QuestionaryPrompter]:
    with create_pipe_input() as inp:
        inp.send_text(keys)
        if close:
            inp.close()
        yield quiz.QuestionaryPrompter(input=inp, output=DummyOutput())


# order: models (checkbox; with several, their shares: text), days (select, default 5), hours (text, default 4),
# style (select: chat, agentic*, parallel), bursts (select: never*, sometimes, often), wait (confirm, default no)
BRANCHES = {
    "all defaults": (ENTER * 5 + ENTER, dict(models=["deepseek-v4-pro"], mix={"deepseek-v4-pro": 1.0}, active_days=5,
                                             hours=4.0, style="agentic", bursts="never", wait=False)),
    "chat, 7 days, sometimes, wait": (ENTER + DOWN * 2 + ENTER + ENTER + UP + ENTER + DOWN + ENTER + "y",
                                      dict(active_days=7, style="chat", bursts="sometimes", wait=True)),
    "parallel, 1 day, often": (ENTER + UP * 4 + ENTER + ENTER + DOWN + ENTER + DOWN * 2 + ENTER + "n",
                               dict(active_days=1, style="parallel", bursts="often", wait=False)),
    "two models, even split": (DOWN + SPACE + ENTER + ENTER + ENTER * 4 + ENTER,
                               dict(models=["deepseek-v4-pro", "deepseek-v4-flash"],
                                    mix={"deepseek-v4-pro": 0.5, "deepseek-v4-flash": 0.5})),
    "two models, 70/30": (DOWN + SPACE + ENTER + BACKSPACE * 60 + "70, 30" + ENTER + ENTER * 4 + ENTER,
                          dict(mix={"deepseek-v4-pro": 0.7, "deepseek-v4-flash": 0.3})),
    "bad shares then good": (DOWN + SPACE + ENTER + BACKSPACE * 60 + "70" + ENTER + BACKSPACE * 2 + "x, 1" + ENTER
                             + BACKSPACE * 4 + "1, 3" + ENTER + ENTER * 4 + ENTER,
                             dict(mix={"deepseek-v4-pro": 0.25, "deepseek-v4-flash": 0.75})),
    "empty checkbox is refused": (SPACE + ENTER + SPACE + ENTER + ENTER * 4 + ENTER, dict(models=["deepseek-v4-pro"])),
    "bad hours then good": (ENTER * 2 + BACKSPACE + "0" + ENTER + BACKSPACE + "abc" + ENTER + BACKSPACE * 3 + "2.5"
                            + ENTER + ENTER * 2 + ENTER, dict(hours=2.5)),
}


@pytest.mark.parametrize("branch", BRANCHES)
def test_prompts_each_branch(branch) -> None:
    keys, expected = BRANCHES[branch]
    with piped(keys) as prompter:
        answers = quiz.ask({}, prompter, CAT, ASSUMPTIONS)
    got = answers.to_dict()
    assert {k: (pytest.approx(got[k]) if k == "mix" else got[k]) for k in expected} == expected


def test_only_the_missing_answers_are_asked() -> None:
    given = quiz.from_flags({"models": "deepseek-v4-flash", "active_days": "3", "hours": "2",
                             "style": "chat", "bursts": None, "wait": None}, CAT, ASSUMPTIONS)
    with piped(DOWN + DOWN + ENTER + "y") as prompter:  # just bursts and wait
        answers = quiz.ask(given, prompter, CAT, ASSUMPTIONS)
    assert (answers.models, answers.style, answers.bursts, answers.wait) == (["deepseek-v4-flash"], "chat", "often",
                                                                              True)


@pytest.mark.parametrize(("keys", "close"), [(CTRL_C, False), (ENTER * 4 + CTRL_C, False), (ENTER * 2, True)])
def test_ctrl_c_and_end_of_input_stop_the_quiz(keys, close) -> None:
    from configurator.errors import Interrupted

    with piped(keys, close=close) as prompter, pytest.raises(Interrupted, match="^Cancelled; nothing was written"):
        quiz.ask({}, prompter, CAT, ASSUMPTIONS)


@pytest.mark.parametrize(("keys", "close", "code"), [(ENTER * 6, False, 0), (ENTER + CTRL_C, False, 130),
                                                      (ENTER, True, 130)])
def test_the_command_uses_the_prompt_layer_in_a_terminal(cli, monkeypatch, keys, close, code) -> None:
    with piped(keys, close=close) as prompter:
        monkeypatch.setattr(quiz, "can_prompt", lambda: True)
        monkeypatch.setattr(quiz, "default_prompter", lambda: prompter)
        got, out, err = cli("plan", "quiz", "--json", "--start", "2026-05-04")
    assert got == code
    if code == 0:
        assert json.loads(out)["answers"]["style"] == "agentic" and err == ""
    else:
        assert out == "" and err == "Cancelled; nothing was written.\n"


# --- end to end in a real pseudo-terminal -----------------------------------------------------------

def _spawn(home):
    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    # PROMPT_TOOLKIT_NO_CPR: pexpect does not answer cursor-position requests, which would cost a timeout each
    env.update(HOME=str(home), TERM="xterm-256color", COLUMNS="120", LINES="40", PROMPT_TOOLKIT_NO_CPR="1")
    return pexpect, pexpect.spawn(sys.executable, ["-m", "configurator", "plan", "quiz", "--start", "2026-05-04"],
                                  env=env, dimensions=(40, 120), encoding="utf-8", timeout=30)


def test_quiz_end_to_end_in_a_pseudo_terminal(home) -> None:
    pexpect, child = _spawn(home)
    child.logfile_read = log = io.StringIO()
    try:
        child.expect("Which models")
        child.send(ENTER)
        child.expect("how many days a week")
        child.send(UP + ENTER)  # 4 days
        child.expect("How many hours")
        child.send(BACKSPACE + "2" + ENTER)
        child.expect("How do you work")
        child.send(UP + ENTER)  # chat
        child.expect("burst weeks")
        child.send(ENTER)
        child.expect("wait until midnight")
        child.send("n")
        child.expect(r"Recommendation: Starter alone")
        child.expect("Stripe")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    output = log.getvalue()
    assert "4 days a week (Mon, Tue, Wed, Thu), 2 h a day, chat" in output and "Which tools" not in output
    assert "Daily demand against Starter's 800K daily allowance" in output and "\x1b[36m" in output  # colour on a tty


def test_ctrl_c_in_a_pseudo_terminal_is_one_line_and_exit_130(home) -> None:
    pexpect, child = _spawn(home)
    try:
        child.expect("Which models")
        child.sendcontrol("c")
        child.expect("Cancelled; nothing was written.")
        child.expect(pexpect.EOF)
        tail = child.before
    finally:
        child.close()
    assert child.exitstatus == 130 and "Traceback" not in tail and "error:" not in tail


def test_tools_is_deprecated_and_changes_nothing_but_a_note(cli) -> None:
    """The tool sending a request does not change its credits: --tools (or 'tools' in a file) is accepted from
    older scripts, changes neither demand nor advice, and says so in a note."""
    plain = json.loads(cli("plan", "quiz", *FLAGS, "--json")[1])
    for tools in ("claude-code", "codex,openclaw", "other"):
        code, out, err = cli("plan", "quiz", *FLAGS, "--tools", tools, "--json")
        data = json.loads(out)
        assert code == 0 and err == ""
        assert any("--tools" in n and "deprecated and ignored" in n for n in data["notes"])
        assert {k: v for k, v in data.items() if k != "notes"} == {k: v for k, v in plain.items() if k != "notes"}


def test_the_model_mix_changes_the_credits_and_says_what_it_blends(cli) -> None:
    def run(models: str) -> tuple[dict, str]:
        args = [a for a in FLAGS]
        args[args.index("deepseek-v4-flash")] = models
        return json.loads(cli("plan", "quiz", *args, "--json")[1]), cli("plan", "quiz", *args, "--no-chart")[1]

    pro, _ = run("deepseek-v4-pro")
    flash, _ = run("deepseek-v4-flash")
    mixed, text = run("deepseek-v4-pro:70,deepseek-v4-flash:30")
    per_hour = [d["assumptions"]["credits_per_hour"] for d in (pro, flash, mixed)]
    assert per_hour[2] == pytest.approx(0.7 * per_hour[0] + 0.3 * per_hour[1])
    assert mixed["answers"]["mix"] == pytest.approx({"deepseek-v4-pro": 0.7, "deepseek-v4-flash": 0.3})
    assert "credits/hour (blend of deepseek-v4-pro 70%, deepseek-v4-flash 30%)" in " ".join(text.split())
    even, _ = run("deepseek-v4-pro,deepseek-v4-flash")
    assert even["assumptions"]["blend"] == "blend of deepseek-v4-pro 50%, deepseek-v4-flash 50%"


def test_advice_compares_with_the_reference_token_prices(cli) -> None:
    """Chat, pro only, 2 h on 5 days: 15 requests/hour x (2,000 input + 400 output) tokens at $1.68/$3.38 per
    million = $0.0707 an hour; cache reads have no reference price and are named as left out."""
    args = ["--active-days", "5", "--hours", "2", "--style", "chat", "--models", "deepseek-v4-pro",
            "--start", "2026-05-04", "--days", "28"]
    data = json.loads(cli("plan", "quiz", *args, "--json")[1])
    ref = data["reference_price_comparison"]
    hours = 4 * 5 * 2  # four weeks of five 2-hour days
    assert ref["is_a_plan"] is False
    assert ref["usd"] == round(hours * 15 * (2000 * 1.68 + 400 * 3.38) / 1e6, 2)
    assert ref["unpriced_tokens"] == {"cache_read": pytest.approx(hours * 15 * 6000)}
    text = " ".join(cli("plan", "quiz", *args, "--no-chart")[1].split())
    assert (f"For comparison: the same tokens at Atlas Cloud's reference token prices would cost ${ref['usd']:.2f} "
            "over 28 days (not a plan you can buy here).") in text
    assert "no reference price for 3.6M cache-read tokens" in text


@pytest.mark.parametrize(("days", "hours", "described"), [("2", "1", "Your use is light"),
                                                           ("5", "1", "Your use is steady daily use"),
                                                           ("7", "2", "Your use is steady daily use")])
def test_a_steady_or_light_user_is_not_told_of_heavy_days(cli, days, hours, described) -> None:
    text = " ".join(cli("plan", "quiz", "--active-days", days, "--hours", hours, "--style", "chat",
                        "--start", "2026-05-04", "--no-chart")[1].split())
    assert described in text and "heavy days:" not in text and "a few heavy days)" not in text
