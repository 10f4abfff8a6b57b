"""Fuzz: >= 10,000 generated or mutated files across the five kinds, linted in-process. Never an
exception; every finding well formed; through the CLI, exit codes are always 0, 1 or 2."""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.lint import lint_text
from configurator.lint.findings import SEVERITIES
from configurator.lint.rules import load_rules

HERE = Path(__file__).resolve().parent
RULES = set(load_rules())
KIND_EXT = {"claude-settings": "settings.json", "claude-state": ".claude.json", "codex-config": "config.toml",
            "codex-auth": "auth.json", "openclaw": "openclaw.json"}
SEEDS: dict[str, list[str]] = {k: [] for k in KIND_EXT}
for f in sorted((HERE / "cases").glob("*/*")):
    if f.suffix == ".expected":
        continue
    kind = {".toml": "codex-config", ".json5": "openclaw"}.get(f.suffix, "claude-settings")
    exp = f.with_suffix(".expected")
    if exp.exists() and "# kind:" in exp.read_text():
        kind = exp.read_text().split("# kind:")[1].split()[0]
    SEEDS[kind].append(f.read_text(encoding="utf-8"))

KEYS = [
    "env", "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY", "API_TIMEOUT_MS", "model",
    "ANTHROPIC_SMALL_FAST_MODEL", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "permissions", "hooks", "statusLine",
    "model_providers", "model_provider", "profiles", "wire_api", "base_url", "env_key", "requires_openai_auth",
    "mcp_servers", "OPENAI_API_KEY", "tokens", "models", "providers", "baseUrl", "apiKey", "api", "id", "name",
    "contextWindow", "agents", "defaults", "primary", "openai", "x", "", "é", "a.b", "1", "mode", "allow",
]
STRINGS = ["chat", "responses", "https://h", "https://h/v1", "https://h/", "http://[::1", "0", "false", "10m",
           "your-api-key", "sk-xxx", "", "${VAR}", "openai-completions", "p/m", "sk-live-0123456789abcdef", "replace",
           "a\nb", "é", "\u0000", "3000000000", "600000"]
PIECES = ['"', "{", "}", "[", "]", ",", ":", "=", "\n", "#", "//", "/*", "'", "\\", "\x00", "é", "1e999", "-", " ",
          "true", "null", "[[x]]", "0x", "Infinity"]


def check(text: str, kind: str) -> None:
    findings = lint_text(text, kind, "fuzz/" + KIND_EXT[kind], env={}, codex_version="0.171.0")
    for f in findings:
        assert f.rule in RULES and f.severity in SEVERITIES
        assert f.line >= 1 and f.column >= 1 and isinstance(f.message, str) and f.message
        json.dumps(f.to_dict())


def scalar(r: random.Random) -> Any:
    c = r.randrange(7)
    if c == 0:
        return None
    if c == 1:
        return r.random() < 0.5
    if c == 2:
        return r.choice([0, 1, -1, 8192, 20000, 2**31, -(2**70), 2**70])
    if c == 3:
        return r.choice([0.5, -0.0, 1e308, float("inf"), float("nan"), 16384.0])
    if c == 4:
        return "".join(r.choice("ab/:.é$\n -") for _ in range(r.randrange(6)))
    return r.choice(STRINGS)


def value(r: random.Random, depth: int = 0) -> Any:
    c = r.randrange(10)
    if depth > 4 or c < 5:
        return scalar(r)
    if c < 7:
        return [value(r, depth + 1) for _ in range(r.randrange(4))]
    return document(r, depth + 1)


def document(r: random.Random, depth: int = 0) -> dict[str, Any]:
    return {r.choice(KEYS): value(r, depth) for _ in range(r.randrange(6))}


def mutate(text: str, r: random.Random) -> str:
    for _ in range(r.randint(1, 4)):
        op = r.randrange(5)
        i = r.randint(0, len(text))
        j = r.randint(i, min(len(text), i + 12))
        piece = r.choice(PIECES)
        if op == 0:
            text = text[:i] + text[j:]
        elif op == 1:
            text = text[:i] + piece + text[i:]
        elif op == 2:
            text = text[:i] + piece + text[j:]
        elif op == 3:
            text = text[:i]
        else:
            text = text[i:j] + text[:i] + text[j:]
    return text


def _toml_key(k: str) -> str:
    return k if k and all(c.isalnum() and c.isascii() or c in "_-" for c in k) else json.dumps(k)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if v != v else ("inf" if v == float("inf") else "-inf" if v == float("-inf") else repr(v))
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v if x is not None) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items() if x is not None) + "}"
    return '""'


def toml_text(doc: dict[str, Any], r: random.Random) -> str:
    """A quick TOML writer (tomlkit is too slow to generate thousands of files): scalars first, then tables."""
    lines = [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in doc.items() if v is not None and not isinstance(v, dict)]
    for k, v in doc.items():
        if isinstance(v, dict):
            lines.append(f"\n[{_toml_key(k)}]")
            for k2, v2 in v.items():
                if isinstance(v2, dict) and r.random() < 0.5:
                    lines.append(f"\n[{_toml_key(k)}.{_toml_key(k2)}]")
                    lines += [f"{_toml_key(a)} = {_toml_value(b)}" for a, b in v2.items() if b is not None]
                elif v2 is not None:
                    lines.append(f"{_toml_key(k2)} = {_toml_value(v2)}")
    return "\n".join(lines) + "\n"


def json5_text(doc: dict[str, Any], r: random.Random) -> str:
    text = json.dumps(doc, indent=r.choice([None, 2]), ensure_ascii=r.random() < 0.5)
    for key in ("env", "models", "providers", "baseUrl", "agents", "id", "name"):  # bare keys
        text = text.replace(f'"{key}":', f"{key}:")
    if r.random() < 0.5:
        text = text.replace("}", ",}").replace("{,}", "{}")  # trailing commas
    if r.random() < 0.5:
        text = "// comment\n" + text.replace('"chat"', "'chat'")
    return text


# Each example draws a seed and lints FILES files built from it by a fast generator: hypothesis's own
# recursive strategies cost ~20 ms an example, which would make 10,000 files take minutes.
# Files linted: json 900x5 + toml 500x5 + mutated 500x5 + json5 100x5 = 10,000.
FILES = 5


def examples(n: int) -> settings:
    scale = float(os.environ.get("LINT_FUZZ_SCALE", "1"))
    return settings(max_examples=max(1, int(n * scale)), deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


SEED = st.integers(min_value=0, max_value=2**32 - 1)


@examples(500)
@given(seed=SEED)
def test_mutated_real_files(seed: int) -> None:
    r = random.Random(seed)
    for _ in range(FILES):
        kind = r.choice(list(KIND_EXT))
        check(mutate(r.choice(SEEDS[kind] or ["{}"]), r), kind)


@examples(900)
@given(seed=SEED)
def test_generated_json_documents(seed: int) -> None:
    r = random.Random(seed)
    for _ in range(FILES):
        text = json.dumps(document(r), indent=r.choice([None, 1, 2]))
        check(mutate(text, r) if r.random() < 0.2 else text,
              r.choice(["claude-settings", "claude-state", "codex-auth", "openclaw"]))


@examples(500)
@given(seed=SEED)
def test_generated_toml_documents(seed: int) -> None:
    r = random.Random(seed)
    for _ in range(FILES):
        text = toml_text(document(r), r)
        check(mutate(text, r) if r.random() < 0.2 else text, "codex-config")


@examples(100)
@given(seed=SEED)
def test_generated_json5_documents(seed: int) -> None:
    r = random.Random(seed)
    for _ in range(FILES):
        text = json5_text(document(r), r)
        check(mutate(text, r) if r.random() < 0.2 else text, "openclaw")


def test_exit_codes_through_the_cli_are_0_1_or_2(tmp_path: Path) -> None:
    import random
    import subprocess

    rnd = random.Random(4)
    cases = []
    for kind, name in KIND_EXT.items():
        for i, seed in enumerate((SEEDS[kind] or ["{}"])[:3]):
            text = seed
            for _ in range(rnd.randint(0, 3)):
                k = rnd.randint(0, len(text))
                text = text[:k] + rnd.choice(['"', "}", "[", ",", "", "="]) + text[k + 1:]
            d = tmp_path / f"{kind}-{i}"
            d.mkdir()
            (d / name).write_text(text)
            cases.append(str(d / name))
    args = [sys.executable, "-m", "configurator", "lint", "--codex-version", "0.171.0"]
    for extra in ([], ["--format", "sarif"], ["--format", "github", "--fail-on", "warning"], ["--fix"]):
        proc = subprocess.run([*args, *extra, *cases], capture_output=True, text=True, timeout=120)
        assert proc.returncode in (0, 1, 2), proc.stderr
        assert "Traceback" not in proc.stderr
    proc = subprocess.run([*args, *cases, str(tmp_path / "missing.json")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
