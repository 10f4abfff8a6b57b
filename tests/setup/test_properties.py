"""Invariants over generated existing files: only our keys change, the user's data survives, a rerun is a no-op."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from setup_helpers import KNOWN_KEY, assert_only_lines_with, parse_json5, parse_toml

from configurator.agents import claude_code
from configurator.commands.setup import SetupOptions, build_profile, execute

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
OURS = ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL",
        *(name for tier in claude_code.TIERS for name in (tier.env, tier.name_env)), claude_code.SUBAGENT_ENV,
        "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS", "ANTHROPIC_API_KEY")

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True)
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), texts)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
                      max_leaves=8)


def _run(home: Path, tools: list[str]) -> list[str]:
    profile, _ = build_profile(SetupOptions(key=KNOWN_KEY))
    return [r.action for _, r in execute(profile, tools, dry_run=False).results]


def _fresh(home: Path) -> None:
    for name in (".claude", ".codex", ".openclaw", ".local"):
        shutil.rmtree(home / name, ignore_errors=True)


@SETTINGS
@given(
    env=st.dictionaries(st.one_of(names, st.sampled_from(OURS)), texts, max_size=6),
    others=st.dictionaries(names.filter(lambda n: n != "env"), values, max_size=4),
    indent=st.sampled_from([2, 4, "\t"]),
)
def test_claude_settings_invariants(home: Path, env: dict, others: dict, indent: int | str) -> None:
    _fresh(home)
    path = home / ".claude" / "settings.json"
    path.parent.mkdir()
    old = json.dumps({**others, "env": env}, indent=indent, ensure_ascii=False) + "\n"
    path.write_text(old, encoding="utf-8")
    assert _run(home, ["claude-code"]) in (["updated"], ["unchanged"])
    new = path.read_text(encoding="utf-8")
    assert_only_lines_with(old, new, (*OURS, "\"env\": {"))
    data = json.loads(new)
    assert {k: v for k, v in data.items() if k != "env"} == others
    assert {k: v for k, v in data["env"].items() if k not in OURS} == {k: v for k, v in env.items() if k not in OURS}
    assert data["env"]["ANTHROPIC_AUTH_TOKEN"] == KNOWN_KEY and "ANTHROPIC_API_KEY" not in data["env"]
    assert _run(home, ["claude-code"]) == ["unchanged"] and path.read_text(encoding="utf-8") == new


@SETTINGS
@given(
    top=st.dictionaries(names.filter(lambda n: n not in ("model", "model_provider", "model_providers")),
                        st.one_of(st.booleans(), st.integers(0, 99), texts), max_size=4),
    providers=st.dictionaries(names.filter(lambda n: n != "atlascloud"),
                              st.fixed_dictionaries({"name": texts, "base_url": texts}), max_size=3),
    comment=st.booleans(),
)
def test_codex_config_invariants(home: Path, top: dict, providers: dict, comment: bool) -> None:
    _fresh(home)
    path = home / ".codex" / "config.toml"
    path.parent.mkdir()
    old = ("# my config\n" if comment else "") + tomlkit.dumps({**top, "model_providers": providers})
    path.write_text(old, encoding="utf-8")
    _run(home, ["codex"])
    new = path.read_text(encoding="utf-8")
    data = parse_toml(new)
    assert {k: v for k, v in data.items() if k not in ("model", "model_provider", "model_providers")} == top
    assert {k: v for k, v in data["model_providers"].items() if k != "atlascloud"} == providers
    assert data["model_provider"] == "atlascloud"
    assert not comment or new.startswith("# my config\n")
    assert _run(home, ["codex"]) == ["unchanged", "unchanged"] and path.read_text(encoding="utf-8") == new


@SETTINGS
@given(
    others=st.dictionaries(st.sampled_from(["channels", "gateway", "tools", "session", "ui"]),
                           st.dictionaries(names, values, max_size=3), max_size=3),
    providers=st.dictionaries(names.filter(lambda n: n != "atlascloud"),
                              st.fixed_dictionaries({"baseUrl": texts, "api": st.just("openai-completions")}),
                              max_size=2),
    trailing=st.booleans(),
)
def test_openclaw_invariants(home: Path, others: dict, providers: dict, trailing: bool) -> None:
    _fresh(home)
    path = home / ".openclaw" / "openclaw.json"
    path.parent.mkdir()
    old = "// mine\n" + json.dumps({**others, "models": {"providers": providers}}, indent=2, ensure_ascii=False)
    if trailing:
        old = old.replace("\n}", ",\n}")  # JSON5 trailing commas
    path.write_text(old + "\n", encoding="utf-8")
    _run(home, ["openclaw"])
    new = path.read_text(encoding="utf-8")
    data = parse_json5(new)
    assert {k: v for k, v in data.items() if k not in ("models", "agents")} == others
    assert {k: v for k, v in data["models"]["providers"].items() if k != "atlascloud"} == providers
    assert new.startswith("// mine\n")
    assert _run(home, ["openclaw"]) == ["unchanged"] and path.read_text(encoding="utf-8") == new
