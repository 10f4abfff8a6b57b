"""``plan quiz``: answers about how you work -> a deterministic demand trace for the simulator.

The answers come from flags, an ``--answers FILE`` (JSON or TOML) and, for what is still missing
when run in a terminal, questionary prompts. The prompts go through a small :class:`QuizPrompter` layer so
tests can drive the real questionary widgets with prompt_toolkit pipe input.

The numbers that turn answers into credits (tokens per request and requests per hour of each style,
the burst pattern, the weekly variation) are data: ``templates/quiz/assumptions.toml``; the result
shows the ones used.
"""

from __future__ import annotations

import datetime as _dt
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from configurator.billing.catalog import TOKEN_KINDS, Catalog
from configurator.errors import ConfiguratorError

ANSWER_FIELDS = ("tools", "models", "active_days", "hours", "style", "bursts", "wait")
#: answers a script must give (the others have defaults, shown with the result)
REQUIRED = ("active_days", "hours", "style")
FLAGS = {"tools": "--tools", "models": "--models", "active_days": "--active-days", "hours": "--hours",
         "style": "--style", "bursts": "--bursts", "wait": "--wait/--no-wait"}


# --- assumptions (data) ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Style:
    id: str
    label: str
    requests_per_hour: float
    tokens_per_request: Mapping[str, float]
    why: str


@dataclass(frozen=True)
class Bursts:
    id: str
    label: str
    cycle_weeks: int
    burst_weeks: int
    factor: float


@dataclass(frozen=True)
class Assumptions:
    path: Path
    styles: Mapping[str, Style]
    bursts: Mapping[str, Bursts]
    variation: tuple[float, ...]
    tools: Mapping[str, str]


def load_assumptions(path: str | Path | None = None) -> Assumptions:
    """Read ``templates/quiz/assumptions.toml`` (or ``path``)."""
    from configurator.resources import template_path
    from configurator.store import parse_text

    p = Path(path) if path is not None else template_path("quiz", "assumptions.toml")
    data = parse_text(p.read_text(encoding="utf-8"), "toml", p)
    try:
        styles = {
            sid: Style(sid, s["label"], float(s["requests_per_hour"]),
                       {k: float(s["tokens_per_request"].get(k, 0)) for k in TOKEN_KINDS}, s.get("why", ""))
            for sid, s in data["styles"].items()
        }
        bursts = {
            bid: Bursts(bid, b["label"], int(b["cycle_weeks"]), int(b["burst_weeks"]), float(b["factor"]))
            for bid, b in data["bursts"].items()
        }
        variation = tuple(float(x) for x in data["week"]["variation"])
        tools = {str(k): str(v) for k, v in data["tools"].items()}
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise ConfiguratorError(f"{p}: the quiz assumptions are incomplete ({e}); reinstall configurator.") from None
    if len(variation) != 7 or any(v <= 0 for v in variation):
        raise ConfiguratorError(f"{p}: week.variation needs 7 positive numbers; reinstall configurator.")
    return Assumptions(p, styles, bursts, variation, tools)


# --- answers ---------------------------------------------------------------------------------------

@dataclass
class Answers:
    tools: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    active_days: int = 5
    hours: float = 4.0
    style: str = "agentic"
    bursts: str = "never"
    wait: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, (list, tuple)):
        items = []
        for v in value:
            if not isinstance(v, str):
                raise ValueError("must be a list of names")
            items += v.split(",")
    else:
        raise ValueError("must be a list of names")
    return [i.strip() for i in items if i.strip()]


def normalize(name: str, value: Any, catalog: Catalog, assumptions: Assumptions) -> Any:
    """Check and normalise one answer; ``ValueError`` with a sentence saying what is allowed."""
    if name == "tools":
        tools = [t.lower() for t in _as_list(value)]
        bad = [t for t in tools if t not in assumptions.tools]
        if bad:
            raise ValueError(f"unknown tool {bad[0]!r} (choose from {', '.join(assumptions.tools)})")
        return list(dict.fromkeys(tools))
    if name == "models":
        out = []
        for m in _as_list(value):
            rate = catalog.model(m)
            if rate is None:
                raise ValueError(f"unknown model {m!r} (the catalog has {', '.join(x.id for x in catalog.models)})")
            out.append(rate.id)
        if not out:
            raise ValueError("pick at least one model")
        return list(dict.fromkeys(out))
    if name == "active_days":
        if isinstance(value, bool):
            raise ValueError("must be a whole number of days from 1 to 7")
        try:
            n = float(value)
        except (TypeError, ValueError):
            raise ValueError("must be a whole number of days from 1 to 7") from None
        if not n.is_integer() or not 1 <= n <= 7:
            raise ValueError("must be a whole number of days from 1 to 7")
        return int(n)
    if name == "hours":
        if isinstance(value, bool):
            raise ValueError("must be a number of hours, more than 0 and at most 24")
        try:
            h = float(value)
        except (TypeError, ValueError):
            raise ValueError("must be a number of hours, more than 0 and at most 24") from None
        if not math.isfinite(h) or not 0 < h <= 24:
            raise ValueError("must be a number of hours, more than 0 and at most 24")
        return h
    if name == "style":
        v = str(value).strip().lower()
        if v not in assumptions.styles:
            raise ValueError(f"must be one of {', '.join(assumptions.styles)}")
        return v
    if name == "bursts":
        v = str(value).strip().lower()
        if v not in assumptions.bursts:
            raise ValueError(f"must be one of {', '.join(assumptions.bursts)}")
        return v
    if name == "wait":
        if isinstance(value, bool):
            return value
        v = str(value).strip().lower()
        if v in ("yes", "y", "true", "1"):
            return True
        if v in ("no", "n", "false", "0"):
            return False
        raise ValueError("must be true or false")
    raise ValueError(f"unknown answer {name!r}")


def answers_from_file(path: str | Path, catalog: Catalog, assumptions: Assumptions) -> dict[str, Any]:
    """Answers from a JSON or TOML file (keys as in :data:`ANSWER_FIELDS`; ``-`` or ``_`` both fine)."""
    from configurator import store

    p = Path(path).expanduser()
    fmt = "toml" if p.suffix.lower() == ".toml" else "json"
    doc = store.read_document(p, fmt)
    if not doc.exists:
        raise ConfiguratorError(f"{p} does not exist; pass an answers file (JSON or TOML) with --answers FILE.")
    if not isinstance(doc.data, dict):
        raise ConfiguratorError(f"{p}:1:1: the answers file must hold one object of answers.")
    out: dict[str, Any] = {}
    for key, value in doc.data.items():
        name = key.replace("-", "_")
        if name not in ANSWER_FIELDS:
            line, col = store.locate(doc.text, fmt, (key,))
            raise ConfiguratorError(f"{p}:{line}:{col}: unknown answer {key!r}; the answers are "
                                    f"{', '.join(ANSWER_FIELDS)}.")
        try:
            out[name] = normalize(name, value, catalog, assumptions)
        except ValueError as e:
            line, col = store.locate(doc.text, fmt, (key,), value=True)
            raise ConfiguratorError(f"{p}:{line}:{col}: {key} {e}.") from None
    return out


def from_flags(flags: Mapping[str, Any], catalog: Catalog, assumptions: Assumptions) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in flags.items():
        if value is None or value == () or value == []:
            continue
        try:
            out[name] = normalize(name, value, catalog, assumptions)
        except ValueError as e:
            raise ConfiguratorError(f"{FLAGS[name].split('/')[0]} {e}.") from None
    return out


# --- prompts ---------------------------------------------------------------------------------------

class QuizPrompter(Protocol):
    """The quiz's questions (tests may answer them without a terminal)."""

    def checkbox(self, message: str, choices: Sequence[tuple[str, str]], default: Sequence[str]) -> list[str]: ...
    def select(self, message: str, choices: Sequence[tuple[Any, str]], default: Any) -> Any: ...
    def text(self, message: str, default: str, validate: Callable[[str], str | None]) -> str: ...
    def confirm(self, message: str, default: bool) -> bool: ...


class QuestionaryPrompter:
    """The real prompts: the shared :class:`configurator.prompts.Prompter` (questionary), with the quiz's
    choice shapes. ``input``/``output`` go to prompt_toolkit (tests pass a pipe and DummyOutput). Ctrl-C
    and end of input raise :class:`~configurator.errors.Interrupted` (``Cancelled; nothing was written.``,
    exit 130), as in every prompt.
    """

    def __init__(self, input: Any = None, output: Any = None) -> None:
        from configurator.prompts import Prompter as _Shared

        self._p = _Shared(input, output)

    def checkbox(self, message: str, choices: Sequence[tuple[str, str]], default: Sequence[str]) -> list[str]:
        return self._p.checkbox(
            message, [(label, v, v in default) for v, label in choices],
            validate=lambda picked: True if picked else "Pick at least one (space ticks, enter confirms).",
            instruction="(space to tick, enter to confirm)")

    def select(self, message: str, choices: Sequence[tuple[Any, str]], default: Any) -> Any:
        return self._p.select(message, [(label, v) for v, label in choices], default=default)

    def text(self, message: str, default: str, validate: Callable[[str], str | None]) -> str:
        return self._p.text(message, default=default, validate=lambda s: validate(s) or True)

    def confirm(self, message: str, default: bool) -> bool:
        return self._p.confirm(message, default=default)


def default_prompter() -> QuizPrompter:
    return QuestionaryPrompter()


def can_prompt() -> bool:
    """Prompts need a terminal on both ends (stdin to type, stdout to draw the question)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def ask(given: Mapping[str, Any], prompter: QuizPrompter, catalog: Catalog, assumptions: Assumptions) -> Answers:
    """Ask for every answer not in ``given``, in the issue's order; return the full answers."""
    got = dict(given)
    default = Answers(models=[catalog.models[0].id] if catalog.models else [])
    if "tools" not in got:
        got["tools"] = prompter.checkbox("Which tools do you use?", list(assumptions.tools.items()),
                                        list(assumptions.tools)[:1])
    if "models" not in got and catalog.models:
        got["models"] = prompter.checkbox(
            "Which models?", [(m.id, f"{m.id} ({m.name})") for m in catalog.models], default.models)
    if "active_days" not in got:
        got["active_days"] = prompter.select(
            "On how many days a week do you use them?",
            [(n, f"{n} day{'s' if n > 1 else ''} a week") for n in range(1, 8)], 5)
    if "hours" not in got:
        def check(s: str) -> str | None:
            try:
                normalize("hours", s, catalog, assumptions)
            except ValueError as e:
                return f"Hours {e}."
            return None

        got["hours"] = prompter.text("How many hours on an active day (all tools together)?", "4", check)
    if "style" not in got:
        got["style"] = prompter.select("How do you work with them?",
                                       [(s.id, s.label) for s in assumptions.styles.values()], "agentic")
    if "bursts" not in got:
        got["bursts"] = prompter.select("Do you have burst weeks (a big refactor, a deadline)?",
                                        [(b.id, b.label) for b in assumptions.bursts.values()], "never")
    if "wait" not in got:
        got["wait"] = prompter.confirm("If a day's credits run out, is it OK to wait until midnight?", False)
    return finish(got, catalog, assumptions)


def finish(got: Mapping[str, Any], catalog: Catalog, assumptions: Assumptions) -> Answers:
    """Full answers from what was given: required ones must be there; the others take their defaults."""
    missing = [n for n in REQUIRED if n not in got]
    if missing:
        flags = ", ".join(FLAGS[n] for n in missing)
        raise ConfiguratorError(
            f"plan quiz needs answers it cannot ask for without a terminal: {flags} (or --answers FILE with "
            f"{', '.join(missing)}); run it in a terminal to be asked."
        )
    out = Answers(models=[catalog.models[0].id] if catalog.models else [])
    for name in ANSWER_FIELDS:
        if name in got:
            setattr(out, name, normalize(name, got[name], catalog, assumptions))
    return out


# --- answers -> demand ----------------------------------------------------------------------------

@dataclass
class QuizTrace:
    demand: list[tuple[_dt.date, float]]
    credits_per_hour: float
    assumptions: dict[str, Any]


def credits_per_hour(answers: Answers, catalog: Catalog, assumptions: Assumptions) -> float:
    """Credits one hour of the chosen style costs, split evenly over the chosen models (rule 8)."""
    style = assumptions.styles[answers.style]
    tokens = {k: style.tokens_per_request.get(k, 0.0) * style.requests_per_hour for k in TOKEN_KINDS}
    rates = [r for r in map(catalog.model, answers.models) if r is not None]
    if not rates:
        raise ConfiguratorError("the catalog has no model rates, so the quiz cannot turn hours into credits; "
                                "add [models.*] to the catalog or use plan simulate --usage FILE.csv.")
    per_model = [r.credits(input_tokens=tokens["input"], output_tokens=tokens["output"],
                           cache_read_tokens=tokens["cache_read"], cache_write_tokens=tokens["cache_write"])
                 for r in rates]
    return math.fsum(per_model) / len(per_model)


def build_trace(answers: Answers, catalog: Catalog, assumptions: Assumptions, *, start: _dt.date,
                days: int) -> QuizTrace:
    """A deterministic day-by-day trace: the same answers always give the same credits on the same dates."""
    per_hour = credits_per_hour(answers, catalog, assumptions)
    base = per_hour * answers.hours
    weights = assumptions.variation[: answers.active_days]
    mean = math.fsum(weights) / len(weights)
    bursts = assumptions.bursts[answers.bursts]
    monday = start - _dt.timedelta(days=start.weekday())
    demand: list[tuple[_dt.date, float]] = []
    for i in range(days):
        day = start + _dt.timedelta(days=i)
        wd = day.weekday()
        credits = 0.0
        if wd < answers.active_days:
            credits = base * weights[wd] / mean
            week = (day - monday).days // 7
            if bursts.burst_weeks and week % bursts.cycle_weeks >= bursts.cycle_weeks - bursts.burst_weeks:
                credits *= bursts.factor
        demand.append((day, credits))
    style = assumptions.styles[answers.style]
    used = {
        "file": str(assumptions.path),
        "style": {"id": style.id, "label": style.label, "requests_per_hour": style.requests_per_hour,
                  "tokens_per_request": dict(style.tokens_per_request), "why": style.why},
        "bursts": {"id": bursts.id, "label": bursts.label, "cycle_weeks": bursts.cycle_weeks,
                   "burst_weeks": bursts.burst_weeks, "factor": bursts.factor},
        "active_days": [["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][d] for d in range(answers.active_days)],
        "variation": [round(w / mean, 4) for w in weights],
        "models": answers.models, "model_split": "even",
        "credits_per_hour": per_hour, "credits_per_active_day": base,
    }
    return QuizTrace(demand, per_hour, used)
