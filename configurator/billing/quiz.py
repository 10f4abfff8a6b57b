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

ANSWER_FIELDS = ("models", "active_days", "hours", "style", "bursts", "wait")
#: answers still accepted from older scripts that change nothing (a note says so)
DEPRECATED = {"tools": "--tools"}
TOOLS_NOTE = ("--tools (and 'tools' in an answers file) is deprecated and ignored: the tool sending the requests "
              "does not change their credits (every tool pays the same token rates), so the quiz no longer asks; "
              "give the hours of all tools together with --hours.")
#: answers a script must give (the others have defaults, shown with the result)
REQUIRED = ("active_days", "hours", "style")
FLAGS = {"models": "--models", "active_days": "--active-days", "hours": "--hours",
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
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise ConfiguratorError(f"{p}: the quiz assumptions are incomplete ({e}); reinstall configurator.") from None
    if len(variation) != 7 or any(v <= 0 for v in variation):
        raise ConfiguratorError(f"{p}: week.variation needs 7 positive numbers; reinstall configurator.")
    return Assumptions(p, styles, bursts, variation)


# --- answers ---------------------------------------------------------------------------------------

@dataclass
class Answers:
    models: list[str] = field(default_factory=list)
    #: share of the requests each model gets (sums to 1); even when not given
    mix: dict[str, float] = field(default_factory=dict)
    active_days: int = 5
    hours: float = 4.0
    style: str = "agentic"
    bursts: str = "never"
    wait: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def shares(self) -> dict[str, float]:
        if self.mix:
            return dict(self.mix)
        return {m: 1 / len(self.models) for m in self.models} if self.models else {}

    def blend(self) -> str:
        """``deepseek-v4-pro only`` or ``blend of deepseek-v4-pro 70%, deepseek-v4-flash 30%``."""
        shares = self.shares()
        if len(shares) == 1:
            return f"{next(iter(shares))} only"
        return "blend of " + ", ".join(f"{m} {_percent(x)}" for m, x in shares.items())


def _percent(share: float) -> str:
    pct = 100 * share
    return f"{pct:.0f}%" if abs(pct - round(pct)) < 0.05 else f"{pct:.1f}%"


def parse_mix(value: Any, catalog: Catalog) -> dict[str, float | None]:
    """Models with optional weights: ``a,b``, ``a:70,b:30``, a list of those, or a table ``{a = 70}``."""
    pairs: list[tuple[str, Any]] = []
    if isinstance(value, Mapping):
        pairs = [(str(k), v) for k, v in value.items()]
    else:
        for item in _as_list(value):
            name, sep, weight = item.partition(":")
            pairs.append((name.strip(), weight.strip().rstrip("%") if sep else None))
    out: dict[str, float | None] = {}
    for name, weight in pairs:
        rate = catalog.model(name)
        if rate is None:
            raise ValueError(f"unknown model {name!r} (the catalog has {', '.join(x.id for x in catalog.models)})")
        w: float | None = None
        if weight is not None:
            if isinstance(weight, bool):
                raise ValueError(f"the share of {name} must be a number (a percentage)")
            try:
                w = float(weight)
            except (TypeError, ValueError):
                raise ValueError(f"the share of {name} must be a number (a percentage), not {weight!r}") from None
            if not math.isfinite(w) or w < 0:
                raise ValueError(f"the share of {name} must be a number >= 0")
        out[rate.id] = (out.get(rate.id) or 0.0) + w if w is not None else out.get(rate.id)
    if not out:
        raise ValueError("pick at least one model")
    given = [w for w in out.values() if w is not None]
    if given and len(given) != len(out):
        raise ValueError("give a share for every model (deepseek-v4-pro:70,deepseek-v4-flash:30) or for none "
                         "(an even split)")
    if given and sum(given) <= 0:
        raise ValueError("the shares add up to 0; give at least one model a share above 0")
    return out


def mix_shares(weights: Mapping[str, float | None]) -> dict[str, float]:
    """Shares summing to 1 from weights (None everywhere: an even split)."""
    if all(w is None for w in weights.values()):
        return {m: 1 / len(weights) for m in weights}
    total = math.fsum(w or 0.0 for w in weights.values())
    return {m: (w or 0.0) / total for m, w in weights.items()}


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
    if name == "models":
        return parse_mix(value, catalog)
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
        if name in DEPRECATED:
            out[name] = value
            continue
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
        if name in DEPRECATED:
            out[name] = value
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
    if "models" not in got and catalog.models:
        picked = prompter.checkbox(
            "Which models do your tools use?", [(m.id, f"{m.id} ({m.name})") for m in catalog.models],
            default.models)
        got["models"] = dict.fromkeys(picked)
        if len(picked) > 1:
            even = ", ".join(f"{m} {100 / len(picked):g}" for m in picked)

            def check_mix(text: str) -> str | None:
                try:
                    _mix_answer(text, picked, catalog)
                except ValueError as e:
                    return f"Shares: {e}."
                return None

            got["models"] = _mix_answer(prompter.text(
                f"What share of your requests goes to each model, in % (e.g. {even})?", even, check_mix),
                picked, catalog)
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
            value = normalize(name, got[name], catalog, assumptions)
            if name == "models":
                out.models = list(value)
                out.mix = mix_shares(value)
            else:
                setattr(out, name, value)
    if not out.mix and out.models:
        out.mix = mix_shares(dict.fromkeys(out.models))
    return out


def _mix_answer(text: str, picked: Sequence[str], catalog: Catalog) -> dict[str, float | None]:
    """``deepseek-v4-pro 70, deepseek-v4-flash 30`` (or the numbers alone, in the order picked)."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if len(parts) != len(picked):
        raise ValueError(f"give one share for each of {', '.join(picked)}")
    items = []
    for model, part in zip(picked, parts, strict=True):
        words = part.replace(":", " ").split()
        name, weight = (words[0], words[-1]) if len(words) > 1 else (model, words[0] if words else "")
        items.append(f"{name}:{weight}")
    return parse_mix(items, catalog)


# --- answers -> demand ----------------------------------------------------------------------------

@dataclass
class QuizTrace:
    demand: list[tuple[_dt.date, float]]
    credits_per_hour: float
    assumptions: dict[str, Any]
    #: tokens by kind per model in one hour (the demand is hours of this)
    tokens_per_hour: dict[str, dict[str, float]] = field(default_factory=dict)

    def tokens_by_day(self) -> dict[_dt.date, dict[str, dict[str, float]]]:
        """The tokens behind each day's credits (hours of work x tokens per hour)."""
        out: dict[_dt.date, dict[str, dict[str, float]]] = {}
        for day, credits in self.demand:
            hours = credits / self.credits_per_hour if self.credits_per_hour else 0.0
            out[day] = {m: {k: v * hours for k, v in kinds.items()} for m, kinds in self.tokens_per_hour.items()}
        return out


def tokens_per_hour(answers: Answers, assumptions: Assumptions) -> dict[str, dict[str, float]]:
    """Tokens by kind each model gets in one hour of the chosen style, by the answers' model mix."""
    style = assumptions.styles[answers.style]
    return {m: {k: style.tokens_per_request.get(k, 0.0) * style.requests_per_hour * share for k in TOKEN_KINDS}
            for m, share in answers.shares().items()}


def credits_per_hour(answers: Answers, catalog: Catalog, assumptions: Assumptions) -> float:
    """Credits one hour of the chosen style costs, the requests split over the models by the mix (rule 8)."""
    per_model = []
    for m, tokens in tokens_per_hour(answers, assumptions).items():
        rate = catalog.model(m)
        if rate is not None:
            per_model.append(rate.credits(input_tokens=tokens["input"], output_tokens=tokens["output"],
                                          cache_read_tokens=tokens["cache_read"],
                                          cache_write_tokens=tokens["cache_write"]))
    if not per_model:
        raise ConfiguratorError("the catalog has no model rates, so the quiz cannot turn hours into credits; "
                                "add [models.*] to the catalog or use plan simulate --usage FILE.csv.")
    return math.fsum(per_model)


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
        "models": answers.models, "model_mix": answers.shares(), "blend": answers.blend(),
        "credits_per_hour": per_hour, "credits_per_active_day": base,
    }
    return QuizTrace(demand, per_hour, used, tokens_per_hour(answers, assumptions))
