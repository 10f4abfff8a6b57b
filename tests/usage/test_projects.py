"""`usage --by project` and the cost columns (plan $, ref $).

The history: every fixture transcript (``conftest.py``: Claude Code project ``-home-dev-src-app``, Codex
sessions in ``/home/dev/src/api``, OpenClaw agent ``main`` in the state folder and the legacy folder),
plus, written here:

- Claude Code project ``-home-dev-src-api`` (the folder Claude Code makes for ``/home/dev/src/api``, where
  the Codex sessions ran: one project): msg_01GGG (deepseek-v4-pro, in 40, out 8, cache read 100) at
  2026-10-02T10:00Z, and a copy of msg_01FFF from session 2222… (counted once, in the project read first);
- a Codex session cccc… whose ``session_meta`` has no ``cwd``: totals (100, 0, 10, 0) at 2026-10-03T08:00Z
  (gpt-5-codex) -> "(unknown project)";
- an opencode database (``test_opencode``'s fixture): sessions in ``/home/dev/src/app`` (one project with
  Claude Code's ``-home-dev-src-app``), plus its legacy files (project unknown).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator import exitcodes
from configurator.usage import projects
from configurator.usage.report import build
from tests.conftest import KNOWN_KEY, run_cli
from tests.usage.test_opencode import default_dir
from tests.usage.test_opencode import install as install_opencode

CATALOG_TEXT = """
schema = 1
provider = "Test"
plan = "Test plan"
currency = "USD"

[tiers.small]
name = "Small"
price_usd = { value = 30.0, verified = true, source = "test" }
monthly_credits = { value = 3_000_000, verified = true, source = "test" }

[tiers.big]
name = "Big"
price_usd = { value = 60.0, verified = true, source = "test" }
monthly_credits = { value = 12_000_000, verified = false, source = "test" }

[packs.p]
name = "P"
price_usd = { value = 5.0, verified = true, source = "test" }
credits = { value = 1_000_000, verified = true, source = "test" }
valid_days = 90

[models."deepseek-v4-pro"]
name = "Pro"
credits_per_token.input = { value = 2, verified = true, source = "test" }
credits_per_token.output = { value = 4, verified = true, source = "test" }
credits_per_token.cache_read = { value = 0.5, verified = true, source = "test" }
credits_per_token.cache_write = { value = 3, verified = true, source = "test" }
usd_per_million_tokens.input = { value = 1.0, verified = true, source = "test" }
usd_per_million_tokens.output = { value = 2.0, verified = true, source = "test" }
usd_per_million_tokens.cache_read = { value = 0.1, verified = true, source = "test" }
usd_per_million_tokens.cache_write = { value = 1.0, verified = true, source = "test" }

[models."deepseek-v4-flash"]
name = "Flash"
credits_per_token.input = { value = 1, verified = true, source = "test" }
credits_per_token.output = { value = 2, verified = true, source = "test" }
credits_per_token.cache_read = { value = 0.1, verified = true, source = "test" }
credits_per_token.cache_write = { value = 1, verified = true, source = "test" }
usd_per_million_tokens.input = { value = 0.5, verified = false, source = "a guess" }
usd_per_million_tokens.output = { value = 1.0, verified = false, source = "a guess" }

[models."gpt-5-codex"]
name = "Codex"
credits_per_token.input = { value = 1, verified = true, source = "test" }
credits_per_token.output = { value = 8, verified = true, source = "test" }
credits_per_token.cache_read = { value = 0.25, verified = true, source = "test" }
credits_per_token.cache_write = { value = 1, verified = true, source = "test" }
"""

API, APP = "/home/dev/src/api", "/home/dev/src/app"


def _claude_line(mid: str, rid: str, when: str, inp: int, out: int, cr: int = 0) -> str:
    return json.dumps({
        "type": "assistant", "timestamp": when, "requestId": rid, "sessionId": "33333333", "version": "2.1.0",
        "message": {"id": mid, "model": "deepseek-v4-pro", "role": "assistant",
                    "usage": {"input_tokens": inp, "output_tokens": out, "cache_read_input_tokens": cr,
                              "cache_creation_input_tokens": 0}},
    }, separators=(",", ":")) + "\n"


def _codex_session(home: Path, sid: str, meta: dict, totals: tuple[int, int, int, int], when: str) -> None:
    folder = home / ".codex" / "sessions" / "2026" / "10" / "03"
    folder.mkdir(parents=True, exist_ok=True)
    inp, cached, out, reasoning = totals
    usage = {"input_tokens": inp, "cached_input_tokens": cached, "output_tokens": out,
             "reasoning_output_tokens": reasoning, "total_tokens": inp + out}
    lines = [
        {"timestamp": when, "type": "session_meta", "payload": {"id": sid, "timestamp": when, **meta}},
        {"timestamp": when, "type": "turn_context", "payload": {"model": "gpt-5-codex"}},
        {"timestamp": when, "type": "event_msg",
         "payload": {"type": "token_count", "info": {"total_token_usage": usage, "last_token_usage": usage}}},
    ]
    (folder / f"rollout-2026-10-03T08-00-00-{sid}.jsonl").write_text("".join(json.dumps(x, separators=(",", ":")) + "\n" for x in lines))


@pytest.fixture
def history(logs: Path) -> Path:
    """Every agent's projects (see the module docstring)."""
    api = logs / ".claude" / "projects" / "-home-dev-src-api"
    api.mkdir(parents=True)
    (api / "33333333-3333-4333-8333-333333333333.jsonl").write_text(
        _claude_line("msg_01GGG", "req_011CGGG", "2026-10-02T10:00:00.000Z", 40, 8, 100)
        # a copy of session 2222…'s msg_01FFF: that file comes later in path order, so the copy here counts
        + _claude_line("msg_01FFF", "req_011CFFF", "2026-10-03T03:00:00.000Z", 2, 4, 10))
    _codex_session(logs, "cccccccc-cccc-4ccc-8ccc-cccccccccccc", {"originator": "codex_cli_rs"}, (100, 0, 10, 0),
                   "2026-10-03T08:00:00.000Z")
    install_opencode(default_dir(logs))
    (logs / "catalog.toml").write_text(CATALOG_TEXT)
    return logs


def _sums(rows: list[dict]) -> dict[str, int]:
    keys = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens", "requests")
    return {k: sum(r[k] for r in rows) for k in keys}


def _totals_match(day: dict, project: dict) -> None:
    for key in ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens", "requests",
                "credits_complete", "reference_usd_complete"):
        assert day[key] == project[key], key
    for key in ("credits", "plan_usd", "reference_usd"):
        assert (day[key] is None) == (project[key] is None), key
        if day[key] is not None:
            assert project[key] == pytest.approx(day[key], rel=1e-9, abs=1e-9), key


def test_projects_of_every_agent(history: Path) -> None:
    report = build(tz="UTC", by="project", catalog=history / "catalog.toml")
    by_name = {r["project"]: r for r in report.rows}
    assert set(by_name) == {API, APP, "OpenClaw agent main", projects.UNKNOWN}
    # Codex's two sessions in /home/dev/src/api and Claude Code's folder for it are one project
    assert by_name[API]["tools"] == ["claude-code", "codex"]
    # Claude Code's -home-dev-src-app and opencode's sessions in /home/dev/src/app
    assert by_name[APP]["tools"] == ["claude-code", "opencode"]
    # the session without a cwd and opencode's legacy files
    assert by_name[projects.UNKNOWN]["tools"] == ["codex", "opencode"]
    # OpenClaw: the state folder's agent and the legacy folder's agent of the same name
    main = by_name["OpenClaw agent main"]
    assert main["tools"] == ["openclaw"]
    assert (main["input_tokens"], main["output_tokens"], main["requests"]) == (100 + 10 + 1 + 3, 20 + 5 + 40 + 1 + 3, 5)
    # msg_01FFF counted once, in the project whose file was read first (-home-dev-src-api < -home-dev-src-app)
    api_claude = build(tz="UTC", by="project", tools="claude-code", catalog=history / "catalog.toml")
    claude_rows = {r["project"]: r for r in api_claude.rows}
    # with no Codex or opencode session scanned, Claude Code's folder names are shown as they are
    assert claude_rows["-home-dev-src-api"]["input_tokens"] == 40 + 2
    assert claude_rows["-home-dev-src-app"]["input_tokens"] == 3 + 5 + 7 + 1 + 11  # its sessions without msg_01FFF
    # sorted by credits, the most first; the unknown project sorts last among equals
    credits = [r["credits"] for r in report.rows]
    assert credits == sorted(credits, reverse=True)


@pytest.mark.parametrize("use_cache", [False, True])
@pytest.mark.parametrize("window", [(None, None), ("2026-10-01", "2026-10-02")])
def test_totals_equal_a_full_scan(history: Path, use_cache: bool, window: tuple[str | None, str | None]) -> None:
    import datetime as dt

    since, until = (dt.date.fromisoformat(d) if d else None for d in window)
    kw = {"tz": "America/Los_Angeles", "catalog": history / "catalog.toml", "since": since, "until": until,
          "plan": _plan("small")}
    full = build(**kw)  # no cache: every file read
    for _ in range(2 if use_cache else 1):  # with the cache: the first run fills it, the second reads it
        day = build(**kw, use_cache=use_cache)
        project = build(**kw, use_cache=use_cache, by="project")
        for one in (day, project):
            _totals_match(full.totals, one.totals)
        assert _sums(project.rows) == _sums(day.rows) == {k: full.totals[k] for k in _sums(day.rows)}
        assert sum(r["credits"] for r in project.rows) == pytest.approx(full.totals["credits"], rel=1e-9)
        assert sum(r["plan_usd"] for r in project.rows) == pytest.approx(full.totals["plan_usd"], rel=1e-9)
        assert sum(r["reference_usd"] for r in project.rows) == pytest.approx(full.totals["reference_usd"], rel=1e-9)


def test_in_worker_processes_too(history: Path) -> None:
    kw = {"tz": "UTC", "catalog": history / "catalog.toml"}
    one = build(**kw, by="project", workers=1)
    from configurator.usage import scanner

    real = scanner.POOL_THRESHOLD
    try:
        scanner.POOL_THRESHOLD = 0
        many = build(**kw, by="project", workers=2)
    finally:
        scanner.POOL_THRESHOLD = real
    assert many.rows == one.rows and many.totals == one.totals


def _plan(tier: str, source: str = "--plan"):
    from configurator.usage.costs import PlanChoice

    return PlanChoice(tier, source)


def test_costs_by_hand(history: Path) -> None:
    report = build(tz="UTC", tools="openclaw", catalog=history / "catalog.toml", plan=_plan("small"))
    rows = {(r["date"], r["model"]): r for r in report.rows}
    # 2026-10-01 pro: in 100 + 3, out 20 + 40 + 3, cache read 1000
    pro = rows[("2026-10-01", "deepseek-v4-pro")]
    assert pro["credits"] == 103 * 2 + 63 * 4 + 1000 * 0.5
    assert pro["plan_usd"] == pytest.approx(pro["credits"] * 30 / 3_000_000)  # $30 for 3M credits
    assert pro["reference_usd"] == pytest.approx((103 * 1.0 + 63 * 2.0 + 1000 * 0.1) / 1e6)
    assert pro["reference_usd_complete"] is True
    # flash: cache write 50 has no reference price: left out, marked incomplete
    flash = rows[("2026-10-02", "deepseek-v4-flash")]
    assert flash["reference_usd"] == pytest.approx((10 * 0.5 + 5 * 1.0) / 1e6)
    assert flash["reference_usd_complete"] is False
    assert report.totals["reference_usd_complete"] is False
    costs = report.costs
    assert costs["plan"]["label"] == "plan $ (Small, $10.00/M credits)"  # every figure behind it verified
    assert costs["plan"]["verified"] is True and costs["plan"]["source"] == "--plan"
    assert costs["reference"]["label"] == "ref $ (Test reference token prices) [from unverified figures]"
    assert costs["reference"]["unverified_figures"] == ["models.deepseek-v4-flash.usd_per_million_tokens.input",
                                                        "models.deepseek-v4-flash.usd_per_million_tokens.output"]
    assert costs["reference"]["missing_prices"] == {"deepseek-v4-flash": ["cache_write"]}
    assert any("no reference price for cache write tokens of deepseek-v4-flash" in n for n in report.notes)


def test_unverified_plan_and_packs_only(history: Path) -> None:
    big = build(tz="UTC", tools="openclaw", catalog=history / "catalog.toml", plan=_plan("big"))
    assert big.costs["plan"]["label"] == "plan $ (Big, $5.00/M credits) [from unverified figures]"
    assert big.costs["plan"]["unverified_figures"] == ["tiers.big.monthly_credits"]
    packs = build(tz="UTC", tools="openclaw", catalog=history / "catalog.toml", plan=_plan("none"))
    assert packs.costs["plan"]["label"] == "plan $ (packs only: P, $5.00/M credits)"
    assert packs.totals["plan_usd"] == pytest.approx(packs.totals["credits"] * 5 / 1e6)


def test_no_plan_no_column_and_a_note(history: Path, cli) -> None:
    code, out, _ = cli("usage", "--tz", "UTC", "--catalog", str(history / "catalog.toml"))
    assert code == exitcodes.OK
    head = out.splitlines()[2]
    assert "plan $" not in head and head.rstrip().endswith("credits     ref $")
    assert "note: no plan $ column: pass --plan TIER (a tier of the catalog, or none for packs only), or save " \
           "your plan on the active Claude Code profile." in out
    code, out, _ = cli("usage", "--json", "--tz", "UTC", "--catalog", str(history / "catalog.toml"))
    data = json.loads(out)
    assert data["costs"]["plan"] is None and data["totals"]["plan_usd"] is None
    assert all(r["plan_usd"] is None for r in data["rows"])


def test_the_text_tables(history: Path, cli) -> None:
    code, out, _ = cli("usage", "--tz", "UTC", "--catalog", str(history / "catalog.toml"), "--plan", "big",
                       "--by", "project")
    assert code == exitcodes.OK
    lines = out.splitlines()
    assert lines[0].startswith("Token usage per project (UTC dates), the most credits first")
    assert lines[2].split() == ["project", "tools", "input", "cache", "read", "cache", "write", "output", "requests",
                                "credits", "plan", "$", "ref", "$"]
    assert any(line.startswith("OpenClaw agent main") for line in lines)
    assert any(line.startswith(projects.UNKNOWN) for line in lines)
    assert "plan $ (Big, $5.00/M credits) [from unverified figures]" in lines
    assert "ref $ (Test reference token prices) [from unverified figures]" in lines
    code, out, _ = cli("usage", "--tz", "UTC", "--catalog", str(history / "catalog.toml"), "--plan", "small")
    assert code == exitcodes.OK
    assert "plan $ (Small, $10.00/M credits)" in out.splitlines()


def test_json_carries_both_costs(history: Path, cli) -> None:
    code, out, _ = cli("usage", "--json", "--tz", "UTC", "--catalog", str(history / "catalog.toml"), "--plan",
                       "small", "--by", "project")
    data = json.loads(out)
    assert code == exitcodes.OK and data["by"] == "project"
    for row in [*data["rows"], data["totals"]]:
        assert {"credits", "plan_usd", "reference_usd", "reference_usd_complete"} <= row.keys()
    assert data["costs"]["plan"]["usd_per_million_credits"] == 10.0
    assert data["costs"]["reference"]["verified"] is False


@pytest.mark.parametrize(("args", "message"), [
    (["--by", "week"], "error: --by 'week' is not a grouping: use day or project.\n"),
    (["--by", ""], "error: --by '' is not a grouping: use day or project.\n"),
    (["--plan", "platinum"], "error: unknown tier 'platinum'"),
])
def test_bad_by_or_plan_is_one_sentence(home: Path, cli, args: list[str], message: str) -> None:
    code, out, err = cli("usage", *args)
    assert code == exitcodes.USAGE
    assert err.startswith(message) and err.count("\n") == 1 and out == ""


def test_the_plan_of_the_active_profile(history: Path) -> None:
    done = run_cli("setup", "--yes", "--api-key-stdin", "--tool", "claude-code", input=KNOWN_KEY + "\n",
                   env={"HOME": str(history)})
    assert done.returncode == 0, done.stderr
    import tomlkit

    path = history / ".config" / "agent-configurator" / "profiles.toml"
    doc = tomlkit.parse(path.read_text())
    (name,) = list(doc["profiles"])  # type: ignore[arg-type]
    doc["profiles"][name]["plan"] = "small"  # type: ignore[index]
    path.write_text(tomlkit.dumps(doc))
    proc = run_cli("usage", "--json", "--tz", "UTC", "--tool", "openclaw", "--catalog", str(history / "catalog.toml"),
                   env={"HOME": str(history)})
    assert proc.returncode == 0, proc.stderr
    plan = json.loads(proc.stdout)["costs"]["plan"]
    assert (plan["tier"], plan["source"]) == ("small", f"profile {name!r}")
    # --plan wins over the profile's
    proc = run_cli("usage", "--json", "--tz", "UTC", "--tool", "openclaw", "--catalog", str(history / "catalog.toml"),
                   "--plan", "big", env={"HOME": str(history)})
    assert json.loads(proc.stdout)["costs"]["plan"]["tier"] == "big"
    # a saved plan the catalog does not have is a note, not an error
    doc["profiles"][name]["plan"] = "platinum"  # type: ignore[index]
    path.write_text(tomlkit.dumps(doc))
    proc = run_cli("usage", "--json", "--tz", "UTC", "--tool", "openclaw", "--catalog", str(history / "catalog.toml"),
                   env={"HOME": str(history)})
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["costs"]["plan"] is None
    assert any("the plan 'platinum' of profile" in n for n in data["notes"])


# --- hostile names -----------------------------------------------------------------------------------

_HOSTILE = st.text(st.characters(codec="utf-8", exclude_characters="\x00/"), min_size=1, max_size=60) | \
    st.sampled_from(["\x1b[31mred", "a\nb", "\u202eevil", "-" * 300, "..", "\x7f", "tab\there"])


def _printable_line(name: str) -> None:
    assert name and "\n" not in name and "\r" not in name and "\x1b" not in name
    assert all(c.isprintable() or c == "…" for c in name)
    assert len(name) <= projects.MAX_NAME + len("OpenClaw agent ")


@given(st.text(max_size=400))
def test_any_name_is_shown_escaped(text: str) -> None:
    for key in ("claude:" + text, "cwd:" + text, "openclaw:" + text, text):
        name = projects.labels([key])[key]
        if text or key != "cwd:":
            if name:
                _printable_line(name)


@given(st.text(max_size=200), st.text(max_size=200))
def test_keys_of_any_path(a: str, b: str) -> None:
    for path in (f"/r/projects/{a}/{b}.jsonl", f"{a}/projects/{b}", f"/s/agents/{a}/sessions/{b}", f"{a}/{b}"):
        projects.claude_key(path, ["/r"])
        projects.openclaw_key(path)
    assert projects.cwd_key(a) == (f"cwd:{a}" if a else None)
    assert projects.cwd_key(5) is None and projects.cwd_key(None) is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(folder=_HOSTILE, cwd=_HOSTILE | st.sampled_from([None, 7, ["x"], {"a": 1}]))
def test_hostile_folders_and_cwds_never_crash(tmp_path_factory, monkeypatch, folder: str, cwd: object) -> None:
    home = tmp_path_factory.mktemp("hostile")
    monkeypatch.setenv("HOME", str(home))
    for var in ("CLAUDE_CONFIG_DIR", "CODEX_HOME", "OPENCLAW_STATE_DIR", "OPENCLAW_HOME", "XDG_CONFIG_HOME",
                "XDG_DATA_HOME", "OPENCODE_DATA_DIR", "OPENCODE_DB"):
        monkeypatch.delenv(var, raising=False)
    safe = folder if folder not in (".", "..") else folder + "x"
    try:
        claude = home / ".claude" / "projects" / safe
        claude.mkdir(parents=True)
        agent = home / ".openclaw" / "agents" / safe / "sessions"
        agent.mkdir(parents=True)
    except (OSError, UnicodeEncodeError):
        return  # a name this file system does not take
    (claude / "s.jsonl").write_text(_claude_line("msg_H", "req_H", "2026-10-02T10:00:00.000Z", 1, 1))
    (agent / "s.jsonl").write_text(
        '{"type":"message","id":"m1","timestamp":"2026-10-02T10:00:00.000Z","message":{"role":"assistant",'
        '"model":"deepseek-v4-pro","usage":{"input":1,"output":1}}}\n')
    meta = {} if cwd is None else {"cwd": cwd}
    _codex_session(home, "dddddddd-dddd-4ddd-8ddd-dddddddddddd", meta, (5, 0, 1, 0), "2026-10-03T08:00:00.000Z")
    report = build(tz="UTC", by="project")
    assert report.totals["requests"] == 3
    for row in report.rows:
        _printable_line(row["project"])
    names = {r["project"] for r in report.rows}
    if not isinstance(cwd, str):
        assert projects.UNKNOWN in names
    day = build(tz="UTC")
    assert _sums(report.rows) == _sums(day.rows)
