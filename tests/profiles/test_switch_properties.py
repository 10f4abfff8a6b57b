"""Property: switching never touches a byte the user owns, and `use official` gives the user's own files back.

Random sequences of `setup` A|B, `use` A|B|official, with random user edits to unrelated keys in between (a hook,
a permission, the statusLine, an env var in Claude Code's settings.json; an `[mcp_servers.x]` table, a top-level
key and a comment in Codex's config.toml; a JSON5 comment and a key in openclaw.json), on realistic starting
files (tests/setup/fixtures: hooks, plugins, statusLine, permissions, MCP servers, TOML and JSON5 comments, a
displaced ANTHROPIC_API_KEY, ChatGPT tokens in auth.json). The user's edits are also made to a shadow copy of
each file that configurator never touches: the shadow is what the user last had.

Invariants, after every step and for every file:

(a) the data outside the keys owned.json says configurator owns is the shadow's data, and for each owned key
    the value owned.json keeps as "before" is the shadow's value there (what `use official` will put back);
    every comment line of the shadow is in the file, verbatim;
(b) after `use official` the file's data is the shadow's, every comment line is there, and the bytes are the
    shadow's for every format: JSON (settings.json, auth.json), JSON5 (openclaw.json, opencode.json) and TOML
    (config.toml) - a displaced key comes back at its place, and no blank line tomlkit added stays behind;
    a file configurator created is removed again;
(c) the same `use` run twice: the second run says unchanged and writes no byte.

Driven in-process (configurator.commands.setup.run / use.run) for speed; the numbers (sequences, steps, bytes
compared) are printed with `-s`.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIXTURES = Path(__file__).resolve().parent.parent / "setup" / "fixtures"
KEYS = {"a": "sk-profA-TESTKEY-1111111111aaaaaaaaaa", "b": "sk-profB-TESTKEY-2222222222bbbbbbbbbb"}
URLS = {"a": "http://127.0.0.1:18001", "b": "http://127.0.0.1:18002"}
#: home-relative file -> (fixture, format)
FILES = {
    ".claude/settings.json": ("claude_settings.json", "json"),
    ".codex/config.toml": ("codex_config.toml", "toml"),
    ".codex/auth.json": ("codex_auth.json", "json"),
    ".openclaw/openclaw.json": ("openclaw.json", "json5"),
    ".config/opencode/opencode.json": (None, "json5"),  # no file before: setup creates it
}
STATS = {"sequences": 0, "steps": 0, "bytes": 0, "edits": 0}
_COMMENT = re.compile(r"^\s*(#|//|/\*)")


# --- the user's edits ------------------------------------------------------------------------------


def _json_edit(path: tuple[str, ...], value: Any) -> Any:
    def edit(text: str, fmt: str) -> str:
        from configurator.store import DELETE, Change, apply_changes

        return apply_changes(text, [Change(path, DELETE if value is None else value)], fmt=fmt)
    return edit


def _toml_edit(path: tuple[str, ...], value: Any) -> Any:
    def edit(text: str, fmt: str) -> str:
        from configurator.store import DELETE, Change, apply_toml_changes

        return apply_toml_changes(text, [Change(path, DELETE if value is None else value)])
    return edit


def _comment_after_first_line(comment: str) -> Any:
    def edit(text: str, fmt: str) -> str:
        head, sep, rest = text.partition("\n")
        return head + sep + comment + "\n" + rest
    return edit


def _toml_comment_before_table(comment: str) -> Any:
    def edit(text: str, fmt: str) -> str:
        at = text.find("\n[")
        return text + comment + "\n" if at < 0 else text[:at + 1] + comment + "\n" + text[at + 1:]
    return edit


def _edits(n: int) -> list[tuple[str, Any]]:
    """Every edit a user may make between two steps (n makes values and comments unique)."""
    hook = [{"matcher": "Read", "hooks": [{"type": "command", "command": f"echo hook-{n}"}]}]
    return [
        (".claude/settings.json", _json_edit(("hooks", "SessionStart"), hook)),
        (".claude/settings.json", _json_edit(("hooks", "PostToolUse"), None)),
        (".claude/settings.json", _json_edit(("permissions", "allow"), [f"Bash(make t{n})", "Read(~/.zshrc)"])),
        (".claude/settings.json", _json_edit(("statusLine",), {"type": "command", "command": f"st-{n}.sh"})),
        (".claude/settings.json", _json_edit(("statusLine",), None)),
        (".claude/settings.json", _json_edit(("env", f"MY_VAR_{n % 3}"), f"v{n}")),
        (".claude/settings.json", _json_edit(("env", f"MY_VAR_{n % 3}"), None)),
        (".claude/settings.json", _json_edit(("enabledPlugins", f"p{n}@market"), True)),
        (".codex/config.toml", _toml_edit(("mcp_servers", f"x{n % 3}"), {"command": "npx", "args": [f"srv-{n}"]})),
        (".codex/config.toml", _toml_edit(("mcp_servers", f"x{n % 3}"), None)),
        (".codex/config.toml", _toml_edit(("mcp_servers", "figma"), None)),
        (".codex/config.toml", _toml_edit(("approval_policy",), ["never", "on-request"][n % 2])),
        (".codex/config.toml", _toml_comment_before_table(f"# note {n} from the user")),
        (".openclaw/openclaw.json", _comment_after_first_line(f"  // note {n} from the user")),
        (".openclaw/openclaw.json", _json_edit(("ui", "seamColor"), f"#00{n % 100:02d}00")),
        (".openclaw/openclaw.json", _json_edit(("channels", "whatsapp"), None)),
    ]


# --- the files and the model of what the user has --------------------------------------------------


class Home:
    def __init__(self, root: Path) -> None:
        self.root = root
        #: what the user last had, file by file (None: no file); configurator never writes these
        self.shadow: dict[str, str | None] = {}
        for rel, (fixture, _fmt) in FILES.items():
            text = (FIXTURES / fixture).read_text() if fixture else None
            if text is not None:
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_text(text)
            self.shadow[rel] = text

    def text(self, rel: str) -> str | None:
        p = self.root / rel
        return p.read_text() if p.exists() else None

    def edit(self, rel: str, edit: Any) -> None:
        fmt = FILES[rel][1]
        now, shadow = self.text(rel), self.shadow[rel]
        if now is None or shadow is None:
            return
        (self.root / rel).write_text(edit(now, fmt))
        self.shadow[rel] = edit(shadow, fmt)
        STATS["edits"] += 1


def _parse(text: str | None, fmt: str) -> Any:
    from configurator.store import parse_text

    return {} if text is None else parse_text(text, fmt, Path("x." + fmt))


def _without(data: Any, paths: list[tuple[str, ...]]) -> Any:
    import copy

    out = copy.deepcopy(data)
    for p in sorted(paths, key=len, reverse=True):
        node = out
        for k in p[:-1]:
            node = node.get(k) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(p[-1], None)
    return out


def _comments(text: str | None) -> list[str]:
    return [ln for ln in (text or "").splitlines() if _COMMENT.match(ln)]


def _owned() -> dict[str, Any]:
    from configurator import ownership, paths
    from configurator.store import read_document

    state = ownership.from_data(read_document(paths.owned_file(), "json").data, "owned.json")
    return {p: f for st_ in state.agents.values() for p, f in st_.files.items()}


def check_a(h: Home) -> None:
    from configurator import ownership

    owned = _owned()
    for rel, (_fixture, fmt) in FILES.items():
        now, shadow = h.text(rel), h.shadow[rel]
        f = owned.get(str(h.root / rel))
        keys = [k.path for k in f.keys] + list(f.tables) if f else []
        data, want = _parse(now, fmt), _parse(shadow, fmt)
        assert _without(data, keys) == _without(want, keys), rel
        if f is not None:
            for k in f.keys:
                got = ownership.get_path(want, k.path)
                assert ownership.digest(got) == ownership.digest(k.before), (rel, k.path)
        for line in _comments(shadow):
            assert line in (now or "").splitlines(), (rel, line)
        STATS["bytes"] += len(now or "")


def check_official(h: Home) -> None:
    assert _owned() == {}
    for rel, (_fixture, fmt) in FILES.items():
        now, shadow = h.text(rel), h.shadow[rel]
        assert _parse(now, fmt) == _parse(shadow, fmt), rel
        assert now == shadow, rel
        STATS["bytes"] += len(now or "")


# --- the steps -------------------------------------------------------------------------------------


def do_setup(name: str) -> None:
    from configurator.commands import setup

    setup.run(setup.SetupOptions(provider="custom", base_url=URLS[name], model="deepseek-ai/deepseek-v4-pro",
                                 fast_model="deepseek-ai/deepseek-v4-flash", key=KEYS[name], yes=True,
                                 profile=name))


def do_use(name: str) -> bool:
    from configurator.commands import use

    return bool(use.run(use.UseOptions(name, yes=True)).data["changed"])


def _snapshot(h: Home) -> dict[str, bytes | None]:
    return {rel: (h.root / rel).read_bytes() if (h.root / rel).exists() else None for rel in FILES}


step_st = st.tuples(st.sampled_from(["setup a", "setup b", "use a", "use b", "use official"]),
                    st.lists(st.tuples(st.integers(0, 15), st.integers(0, 99)), max_size=3))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(first=st.sampled_from(["setup a", "setup b"]), steps=st.lists(step_st, min_size=1, max_size=5))
def test_switching_keeps_every_user_byte(first: str, steps: list[tuple[str, list[tuple[int, int]]]]) -> None:
    root = Path(tempfile.mkdtemp(prefix="switch-prop-"))
    old = {k: os.environ.get(k) for k in ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "CODEX_HOME")}
    os.environ["HOME"] = str(root)
    for k in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "CODEX_HOME"):
        os.environ.pop(k, None)
    try:
        h = Home(root)
        saved: set[str] = set()
        STATS["sequences"] += 1
        for action, edits in [(first, []), *steps]:
            for which, n in edits:
                rel, edit = _edits(n)[which]
                h.edit(rel, edit)
            verb, name = action.split()
            if verb == "setup":
                do_setup(name)
                saved.add(name)
            elif name != "official" and name not in saved:
                continue  # no such profile yet
            else:
                do_use(name)
                before = _snapshot(h)
                assert not do_use(name), f"second `use {name}` changed something"  # (c)
                assert _snapshot(h) == before
            STATS["steps"] += 1
            check_a(h)
            if name == "official":
                check_official(h)
        do_use("official")
        STATS["steps"] += 1
        check_official(h)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(autouse=True, scope="module")
def _report():
    yield
    print(f"\nswitch properties: {STATS['sequences']} sequences, {STATS['steps']} steps, {STATS['edits']} user "
          f"edits, {STATS['bytes']} bytes compared")
