"""`configurator statusline`: one short line for Claude Code's status bar.

Claude Code runs the ``statusLine`` command after each change of the conversation (at most every
300 ms) with a JSON object on stdin, and shows what the command prints on stdout — only when it
exits 0 (a non-zero exit blanks the bar; Claude Code 2.1.332, ``vws`` in its bundle). The input
(same version; the shape its own ``/statusline`` agent documents) has ``session_id``,
``transcript_path``, ``cwd``, ``model.{id, display_name}``, ``workspace.{current_dir, project_dir,
added_dirs}``, ``version``, ``output_style.name``, ``cost.{total_cost_usd, total_duration_ms, ...}``,
``context_window.{...}``, ``exceeds_200k_tokens`` and optional ``rate_limits``, ``prompt_cache``,
``vim``, ``agent``, ``pr``, ``worktree`` (recorded: ``tests/statusline/claude_code_2.1.332.json``).
We read ``model.id`` (else ``model.display_name``) only.

The line: ``Atlas Starter · 412K/800K today (52%) · resets in 5h12m · v4-pro`` — credits used today
by every agent (Claude Code, Codex, OpenClaw, opencode share one allowance; credits from tokens by
the catalog's credits per token of each model), the daily allowance of the plan saved on the active
Claude Code profile, the time until local midnight (the user's zone: ``$TZ``, else the system's),
and the model in use, shortened. Over the allowance it says that packs are being drawn
(``--packs``: the user holds packs) or that work waits for midnight. With no plan set it shows
today's credits and tokens. Colour (green, yellow near the allowance, red over it) only when it
can be seen: ``NO_COLOR`` turns it off, ``FORCE_COLOR`` on; else on a terminal, or under Claude
Code (its input on stdin: it renders ANSI colours), and never with ``TERM=dumb``.

Every error is one line ``configurator: ...`` on stdout and exit 0, so that the bar shows it
(never a traceback). The work behind it: :mod:`configurator.usage.today`.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Mapping
from typing import Any

PLACEHOLDER = "configurator: counting today's usage…"
SEP = " · "


class StatuslineOptions:
    """The options, frozen (a plain class: ``dataclasses`` and ``inspect`` cost the status line ~10 ms to import).

    - ``stdin_text``: what Claude Code sent on stdin; ``now``: seconds since the epoch (None: now);
    - ``color``: "auto", "always" or "never"; ``tty``: stdout is a terminal (for "auto");
    - ``packs``: the user holds credit packs: over the allowance, work draws on them (else it waits for midnight);
    - ``env``: the environment (None: ``os.environ``);
    - ``inline_bytes``: a first call reads up to this many bytes itself; more is read by a background process.
    """

    __slots__ = ("stdin_text", "now", "color", "packs", "tty", "env", "inline_bytes")
    stdin_text: str
    now: float | None
    color: str
    packs: bool
    tty: bool
    env: Mapping[str, str] | None
    inline_bytes: int | None

    def __init__(self, *, stdin_text: str = "", now: float | None = None, color: str = "auto", packs: bool = False,
                 tty: bool = False, env: Mapping[str, str] | None = None, inline_bytes: int | None = None) -> None:
        for name, value in (("stdin_text", stdin_text), ("now", now), ("color", color), ("packs", packs),
                            ("tty", tty), ("env", env), ("inline_bytes", inline_bytes)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"StatuslineOptions is frozen: cannot set {name}")

    def __repr__(self) -> str:
        return "StatuslineOptions(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__) + ")"


# --- input ---------------------------------------------------------------------------------------

def parse_input(text: str) -> dict[str, Any]:
    """Claude Code's JSON (an empty input is an empty object: the line without the model)."""
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise ValueError("the input on stdin is not JSON (Claude Code sends a JSON object)") from None
    if type(data) is not dict:
        raise ValueError("the input on stdin is not a JSON object (Claude Code sends one)")
    return data


def model_of(data: Mapping[str, Any]) -> str | None:
    model = data.get("model")
    if isinstance(model, dict):
        for key in ("id", "display_name"):
            value = model.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    if isinstance(model, str) and model.strip():
        return model.strip()
    return None


def short_model(model: str) -> str:
    """``deepseek-ai/DeepSeek-V4-Pro`` -> ``v4-pro``; ``claude-sonnet-4-5-20250929`` -> ``sonnet-4-5``."""
    name = model.strip().casefold().rsplit("/", 1)[-1]
    for suffix in ("[1m]",):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    parts = name.split("-")
    if len(parts) > 1 and len(parts[-1]) == 8 and parts[-1].isdigit():
        parts = parts[:-1]  # a release date
    if len(parts) > 1 and parts[0].isalpha() and parts[1][:1].isalpha() and any(c.isdigit() for c in "".join(parts[1:])):
        parts = parts[1:]  # the vendor's name: deepseek-, claude-
    short = "-".join(parts) or name
    return "".join(c for c in short if c.isprintable())[:24]


# --- the plan (slow path: profiles, ownership, catalog; kept in the state while their files are unchanged) ---

def plan_facts(env: Mapping[str, str] | None = None) -> tuple[tuple[tuple[str, ...], tuple[Any, ...]], dict[str, Any]]:
    """((files, their stamps), facts): the plan of the active Claude Code profile, and the catalog's rates."""
    from configurator import paths
    from configurator.agents import claude_code
    from configurator.billing.catalog import default_catalog_path, load_catalog
    from configurator.usage.today import file_stamp

    watched = (str(paths.profiles_file(env)), str(paths.owned_file(env)), str(default_catalog_path()))
    key = (watched, tuple(file_stamp(p) for p in watched))
    facts: dict[str, Any] = {"plan": None, "label": None, "daily": None, "note": None, "profile": None,
                             "rates": {}, "provider": None}
    catalog = load_catalog(None)
    rates: dict[str, list[float]] = {}
    for m in catalog.models:
        rate = [m.rate(k) for k in ("input", "output", "cache_read", "cache_write")]
        for name in (m.id, *m.aliases):
            for k in (name.casefold(), name.strip().casefold().rsplit("/", 1)[-1]):
                rates.setdefault(k, rate)
    facts["rates"] = rates
    provider = catalog.provider.split()[0] if catalog.provider.split() else catalog.provider
    facts["provider"] = provider
    active = _active_profile(env, claude_code.ID)
    facts["profile"] = active
    if active is None:
        return key, facts
    from configurator import profiles

    try:
        saved = profiles.load(env).get(active)
    except Exception as e:  # noqa: BLE001 - a damaged profiles.toml: say so in the line
        facts["note"] = f"profiles.toml could not be read ({' '.join(str(e).split())[:80]})"
        return key, facts
    if saved is None or saved.plan is None:
        return key, facts
    facts["plan"] = saved.plan
    if saved.plan == "none":
        facts["label"] = f"{provider} packs"
        return key, facts
    try:
        tier = catalog.tier(saved.plan)
    except Exception:  # noqa: BLE001 - ConfiguratorError: a tier the catalog does not have
        facts["note"] = f"plan {saved.plan!r} is not in the catalog"
        facts["plan"] = None
        return key, facts
    facts["label"] = f"{provider} {tier.name}"
    facts["daily"] = tier.daily_credits
    return key, facts


def _active_profile(env: Mapping[str, str] | None, agent_id: str) -> str | None:
    from configurator import ownership, paths
    from configurator.store import read_document

    path = paths.owned_file(env)
    if not path.is_file():
        return None
    try:
        owned = ownership.from_data(read_document(path, "json").data, str(path))
    except Exception:  # noqa: BLE001 - unreadable: no profile known
        return None
    state = owned.agents.get(agent_id)
    return state.profile if state is not None else None


# --- the line ------------------------------------------------------------------------------------

def compact(n: float) -> str:
    """412K, 1.2M, 950."""
    if n < 1000:
        return f"{n:.0f}"
    if n < 10_000:
        return f"{n / 1000:.1f}K".replace(".0K", "K")
    if n < 999_500:
        return f"{n / 1000:.0f}K"
    if n < 10_000_000:
        return f"{n / 1e6:.1f}M".replace(".0M", "M")
    return f"{n / 1e6:.0f}M"


def _duration(seconds: float) -> str:
    minutes = max(0, int(seconds // 60))
    h, m = divmod(minutes, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m"


def credits_today(rows: Mapping[tuple[str, str], list[int]], rates: Mapping[str, list[float]]
                  ) -> tuple[float, int, bool]:
    """(credits, tokens, every model had a rate) over today's rows (credits per row, as ``usage`` computes them)."""
    total = 0.0
    tokens = 0
    complete = True
    for (_tool, model), (inp, cr, cw, out, _n) in rows.items():
        tokens += inp + cr + cw + out
        key = model.strip().casefold()
        rate = rates.get(key) or rates.get(key.rsplit("/", 1)[-1])
        if rate is None:
            if inp or cr or cw or out:
                complete = False
            continue
        total += math.fsum(c * r for c, r in zip((inp, out, cr, cw), rate, strict=True) if c)
    return total, tokens, complete


def _colored(opts: StatuslineOptions, from_claude: bool) -> bool:
    env = os.environ if opts.env is None else opts.env
    if opts.color == "always":
        return True
    if opts.color == "never" or env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    return opts.tty or from_claude


def _paint(text: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if on else text


def render(rows: Mapping[tuple[str, str], list[int]], facts: Mapping[str, Any], *, model: str | None, now: float,
           packs: bool, color: bool) -> str:
    from configurator.usage.today import local_midnight

    used, tokens, complete = credits_today(rows, facts.get("rates") or {})
    at_least = "" if complete else "≥"
    _, _, midnight = local_midnight(now)
    left = _duration(midnight - now)
    parts: list[str] = []
    daily = facts.get("daily")
    label = facts.get("label")
    if daily and label:
        pct = used / daily * 100
        code = "31" if used > daily else "33" if pct >= 80 else "32"
        parts.append(_paint(label, "1", color))
        parts.append(_paint(f"{at_least}{compact(used)}/{compact(daily)} today ({pct:.0f}%)", code, color))
        if used > daily:
            if packs:
                parts.append(_paint(f"{compact(used - daily)} over: drawing on packs", "31", color))
                parts.append(f"resets in {left}")
            else:
                parts.append(_paint(f"allowance used up: work waits for midnight ({left})", "31", color))
        else:
            parts.append(f"resets in {left}")
    elif facts.get("plan") == "none" and label:
        parts.append(_paint(label, "1", color))
        parts.append(f"{at_least}{compact(used)} credits today from packs")
    else:
        parts.append(f"{at_least}{compact(used)} credits{SEP}{compact(tokens)} tokens today")
        if facts.get("note"):
            parts.append(str(facts["note"]))
    if model:
        parts.append(_paint(short_model(model), "36", color))
    return SEP.join(parts)


def run(opts: StatuslineOptions) -> str:
    """The line (raises on an error: :func:`main` turns that into a ``configurator:`` line)."""
    from configurator.usage import today

    data = parse_input(opts.stdin_text)
    now = time.time() if opts.now is None else opts.now
    try:
        transcript = data.get("transcript_path")
        rows, facts = today.today_rows(now, opts.env, plan=plan_facts,
                                       transcript=transcript if isinstance(transcript, str) else None,
                                       inline_bytes=today.INLINE_BYTES if opts.inline_bytes is None
                                       else opts.inline_bytes)
    except today.Pending:
        return PLACEHOLDER
    return render(rows, facts, model=model_of(data), now=now, packs=opts.packs,
                  color=_colored(opts, "session_id" in data or "model" in data))


def command_line(packs: bool = False) -> str:
    """The absolute command for Claude Code's ``statusLine.command``: :func:`configurator.tools.statusline_command`
    (the launcher as an absolute path not resolved through links, so a pipx or ``uv tool`` link survives a
    reinstall; else this interpreter with ``-m configurator``)."""
    from configurator.tools import statusline_command

    return statusline_command(packs)


# --- the fast entry (before click: configurator/__main__.py) -------------------------------------

_USAGE = ("usage: configurator statusline [--packs] [--color auto|always|never]\n"
          "Reads Claude Code's status-line JSON on stdin and prints one line.")


def main(argv: list[str]) -> int | None:
    """``configurator statusline ARGS``; None for arguments it leaves to the CLI (``--help``, a typo)."""
    import gc

    gc.disable()  # a short-lived process that builds many small objects: collection would only cost time
    packs = False
    color = "auto"
    fill = False
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--packs":
            packs = True
        elif arg == "--fill":
            fill = True
        elif arg.startswith("--color="):
            color = arg.split("=", 1)[1]
        elif arg == "--color" and args:
            color = args.pop(0)
        else:
            return None
    if color not in ("auto", "always", "never"):
        return None
    if fill:
        from configurator.usage.today import fill as run_fill

        try:
            return run_fill(plan=plan_facts)
        except Exception:  # noqa: BLE001 - a background helper: the next call tries again
            return 1
    out = sys.stdout
    try:
        text = sys.stdin.read(4 << 20) if not sys.stdin.isatty() else ""
        line = run(StatuslineOptions(stdin_text=text, color=color, packs=packs,
                                     tty=hasattr(out, "isatty") and out.isatty()))
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - the status bar shows one line, never a traceback
        line = error_line(e)
    out.write(line + "\n")
    out.flush()
    return 0


def error_line(e: BaseException) -> str:
    message = " ".join(str(e).split()) or type(e).__name__
    if not isinstance(e, (ValueError, OSError)) and type(e).__name__ != "ConfiguratorError":
        message = f"internal error ({type(e).__name__}: {message})"
    text = "configurator: " + message
    text = "".join(c for c in text if c.isprintable())
    return text if len(text) <= 160 else text[:159] + "…"
