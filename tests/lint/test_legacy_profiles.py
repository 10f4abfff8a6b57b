"""codex-legacy-profile --fix: [profiles.<name>] tables become $CODEX_HOME/<name>.config.toml, the selector goes,
every other byte of config.toml stays; all files change together or none does. Plus the table splitter's fuzz."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.lint.tomltables import TomlLayoutError, split_table
from configurator.store.formats import parse_text

CONFIG = """# my codex config
profile = "fast"   # the profile I use
model = "deepseek-ai/deepseek-v4-pro"
model_provider = "atlascloud"

[model_providers.atlascloud]
name = "Atlas Cloud"
base_url = "https://api.atlascloud.ai/v1"
wire_api = "responses"

# the fast profile
[profiles.fast]  # cheap and quick
model = "deepseek-ai/deepseek-v4-flash"
# the provider of config.toml
model_provider = "atlascloud"
model_reasoning_effort = "low"

# MCP servers, shared by every profile
[mcp_servers.docs]
command = "npx"
args = [
  "-y",   # no prompt
  "@example/docs-mcp",
]

[profiles.review]
model = "deepseek-ai/deepseek-v4-pro"

[profiles.fast.features]
web_search = true

[projects."/home/me/src/app"]
trust_level = "trusted"
"""

CONFIG_AFTER = """# my codex config
model = "deepseek-ai/deepseek-v4-pro"
model_provider = "atlascloud"

[model_providers.atlascloud]
name = "Atlas Cloud"
base_url = "https://api.atlascloud.ai/v1"
wire_api = "responses"

# MCP servers, shared by every profile
[mcp_servers.docs]
command = "npx"
args = [
  "-y",   # no prompt
  "@example/docs-mcp",
]

[projects."/home/me/src/app"]
trust_level = "trusted"
"""

FAST = """# the fast profile
# cheap and quick
model = "deepseek-ai/deepseek-v4-flash"
# the provider of config.toml
model_provider = "atlascloud"
model_reasoning_effort = "low"

[features]
web_search = true
"""

REVIEW = 'model = "deepseek-ai/deepseek-v4-pro"\n'


def fix(cli, *args: str) -> tuple[int, dict, str]:
    code, out, err = cli("lint", "--fix", "--format", "json", "--codex-version", "0.171.0", *args)
    return code, json.loads(out) if out.strip() else {}, err


def rules_at(data: dict) -> list[tuple[int, str, str]]:
    return [(f["line"], f["severity"], f["message"]) for f in data["findings"] if f["rule"] == "codex-legacy-profile"]


@pytest.fixture
def codex_home(home: Path) -> Path:
    d = home / ".codex"
    d.mkdir(mode=0o700)
    return d


def test_fix_moves_every_table_and_keeps_every_other_byte(cli, codex_home: Path) -> None:
    cfg = codex_home / "config.toml"
    cfg.write_text(CONFIG)
    os.chmod(cfg, 0o600)
    code, data, err = fix(cli, str(cfg))
    assert err == "" and code == 0, data
    assert cfg.read_text() == CONFIG_AFTER
    assert (codex_home / "fast.config.toml").read_text() == FAST
    assert (codex_home / "review.config.toml").read_text() == REVIEW
    assert sorted(p.name for p in codex_home.iterdir()) == ["config.toml", "fast.config.toml", "review.config.toml"]
    for name in ("fast.config.toml", "review.config.toml"):
        assert stat.S_IMODE((codex_home / name).stat().st_mode) == 0o600
    fixes = {Path(f["path"]).name: f for f in data["fixes"]}
    assert fixes["config.toml"]["changes"] == ['remove profile = "fast"', "move [profiles.fast] to fast.config.toml",
                                               "move [profiles.review] to review.config.toml"]
    assert fixes["fast.config.toml"]["action"] == "created" == fixes["review.config.toml"]["action"]
    assert len({f["backup"] for f in data["fixes"]}) == 1  # one transaction, one backup
    assert rules_at(data) == []


def test_after_the_fix_codex_reads_the_same_settings(cli, codex_home: Path) -> None:
    """config.toml + fast.config.toml hold exactly what config.toml's [profiles.fast] and the rest held."""
    cfg = codex_home / "config.toml"
    cfg.write_text(CONFIG)
    before = parse_text(CONFIG, "toml")
    fix(cli, str(cfg))
    after = parse_text(cfg.read_text(), "toml")
    assert parse_text((codex_home / "fast.config.toml").read_text(), "toml") == before["profiles"]["fast"]
    assert parse_text((codex_home / "review.config.toml").read_text(), "toml") == before["profiles"]["review"]
    del before["profiles"], before["profile"]
    assert after == before


def test_a_profile_file_in_the_way_is_never_overwritten(cli, codex_home: Path) -> None:
    cfg = codex_home / "config.toml"
    cfg.write_text(CONFIG)
    mine = 'model = "my own"\n'
    (codex_home / "fast.config.toml").write_text(mine)
    code, data, _ = fix(cli, "--fail-on", "warning", str(cfg))
    assert code == 1
    assert (codex_home / "fast.config.toml").read_text() == mine
    assert (codex_home / "review.config.toml").read_text() == REVIEW
    text = cfg.read_text()
    assert "[profiles.fast]" in text and "[profiles.fast.features]" in text and "[profiles.review]" not in text
    assert 'profile = "fast"' not in text
    (finding,) = rules_at(data)
    assert finding[1] == "warning" and f"{codex_home / 'fast.config.toml'} is in the way" in finding[2]


def test_names_that_are_not_file_names_stay(cli, codex_home: Path) -> None:
    cfg = codex_home / "config.toml"
    text = '[profiles."../x"]\nmodel = "a"\n\n[profiles."a/b"]\nmodel = "b"\n\n[profiles.""]\nmodel = "c"\n'
    cfg.write_text(text)
    code, data, _ = fix(cli, "--fail-on", "warning", str(cfg))
    assert code == 1 and cfg.read_text() == text and data["fixes"] == []
    assert [ln for ln, *_ in rules_at(data)] == [1, 4, 7]
    assert all("cannot be a file name" in m for *_, m in rules_at(data))
    assert sorted(p.name for p in codex_home.iterdir()) == ["config.toml"]


def test_a_table_written_with_dotted_keys_is_left_for_the_user(cli, codex_home: Path) -> None:
    cfg = codex_home / "config.toml"
    text = 'model = "m"\nprofiles.fast.model = "f"\n\n[profiles.slow]\nmodel = "s"\n'
    cfg.write_text(text)
    code, data, _ = fix(cli, "--fail-on", "warning", str(cfg))
    assert cfg.read_text() == 'model = "m"\nprofiles.fast.model = "f"\n'
    assert (codex_home / "slow.config.toml").read_text() == 'model = "s"\n'
    assert not (codex_home / "fast.config.toml").exists()
    (note,) = [c for f in data["fixes"] for c in f["changes"] if "left in place" in c]
    assert "[profiles.fast]" in note and "by hand" in note
    assert code == 1 and [ln for ln, *_ in rules_at(data)] == [2]


def test_old_codex_is_left_alone(cli, codex_home: Path) -> None:
    cfg = codex_home / "config.toml"
    cfg.write_text(CONFIG)
    code, out, err = cli("lint", "--fix", "--format", "json", "--codex-version", "0.133.0", str(cfg))
    assert code == 0 and cfg.read_text() == CONFIG and json.loads(out)["fixes"] == []
    assert sorted(p.name for p in codex_home.iterdir()) == ["config.toml"]


def test_crlf_config_stays_crlf(cli, codex_home: Path) -> None:
    cfg = codex_home / "config.toml"
    cfg.write_bytes(CONFIG.replace("\n", "\r\n").encode())
    code, _, _ = fix(cli, str(cfg))
    assert code == 0
    assert cfg.read_bytes() == CONFIG_AFTER.replace("\n", "\r\n").encode()
    assert (codex_home / "fast.config.toml").read_bytes() == FAST.replace("\n", "\r\n").encode()


def test_selector_only(cli, codex_home: Path) -> None:
    cfg = codex_home / "config.toml"
    cfg.write_text('# top\nprofile = "gone"  # old\nmodel = "m"\n')
    code, data, _ = fix(cli, str(cfg))
    assert code == 0 and cfg.read_text() == '# top\nmodel = "m"\n'
    assert rules_at(data) == []


def _fail_on(monkeypatch: pytest.MonkeyPatch, name: str, what: str) -> None:
    from configurator.store import atomic

    real = getattr(atomic, what)

    def failing(*args, **kwargs):
        paths = [a for a in args if isinstance(a, Path)]
        if any(p.name == name or p.name.startswith(name + ".") for p in paths):
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(atomic, what, failing)


@pytest.mark.parametrize("what", ["stage", "replace"])
def test_all_or_nothing_when_the_second_profile_file_cannot_be_written(cli, codex_home: Path,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      what: str) -> None:
    """``stage``: the second new file cannot be staged; ``replace``: it cannot be renamed into place at commit."""
    cfg = codex_home / "config.toml"
    cfg.write_text(CONFIG)
    _fail_on(monkeypatch, "review.config.toml", what)
    code, out, err = cli("lint", "--fix", "--codex-version", "0.171.0", str(cfg))
    assert code == 2 and "No space left on device" in err and "no file was changed" in err.lower()
    assert cfg.read_text() == CONFIG
    assert sorted(p.name for p in codex_home.iterdir()) == ["config.toml"]


def test_lint_with_no_path_covers_profile_files(cli, codex_home: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (codex_home / "config.toml").write_text(
        '[model_providers.atlascloud]\nname = "Atlas Cloud"\nbase_url = "https://api.atlascloud.ai/v1"\n'
        'wire_api = "responses"\nauth = { command = "/usr/bin/env", args = ["configurator", "key", "get", "atlascloud"] }\n')
    (codex_home / "fast.config.toml").write_text('model_provider = "atlascloud"\nmodel = "deepseek-ai/deepseek-v4-flash"\n')
    (codex_home / "bad.config.toml").write_text('model_provider = "nowhere"\nprofile = "x"\n')
    code, out, err = cli("lint", "--format", "json", "--codex-version", "0.171.0")
    data = json.loads(out)
    assert [Path(f["path"]).name for f in data["files"]] == ["config.toml", "bad.config.toml", "fast.config.toml"]
    assert sorted((Path(f["file"]).name, f["rule"]) for f in data["findings"]) == [
        ("bad.config.toml", "codex-legacy-profile"), ("bad.config.toml", "codex-provider-undefined")]


# --- the splitter: fuzz --------------------------------------------------------------------------------------

KEYS = st.sampled_from(["model", "a", "b-c", "x_1", "é", "a.b", "with space", "q\"uote", "#", "[x]", ""])
SCALARS = st.one_of(st.integers(-5, 5), st.booleans(), st.sampled_from(
    ["", "x", "a\nb", "[profiles.p]", "# not a comment", "'", '"""', "\\", "é"]))


VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3))


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, list):
        return "[\n  " + ",\n  ".join(_toml_value(x) for x in v) + (",\n]" if v else "]")
    if "\n" in v and '"""' not in v and "\\" not in v and not v.endswith('"'):
        return '"""\n' + v + '"""'
    return json.dumps(v)


def _key(k: str) -> str:
    import re

    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


@st.composite
def documents(draw) -> tuple[str, str]:
    """A TOML text with top-level keys, [profiles.<name>] tables (some with sub-tables, some split in two
    places), other tables and comments; and the name of one profile."""
    names = draw(st.lists(st.sampled_from(["fast", "slow", "a.b", "x y", "é"]), min_size=1, max_size=3, unique=True))
    chunks: list[str] = []

    def keyvals(prefix: str = "") -> str:
        kv = draw(st.dictionaries(KEYS, VALUES, max_size=3))
        lines = []
        for k, v in kv.items():
            if draw(st.booleans()):
                lines.append(draw(st.sampled_from(["# c", "", "  # indented [profiles.fast]"])))
            lines.append(f"{_key(k)} = {_toml_value(v)}" + draw(st.sampled_from(["", "  # trailing", " #"])))
        return "".join(line + "\n" for line in lines)

    chunks.append(keyvals())
    tables = [("model_providers", "p")] + [("profiles", n) for n in names] + [("profiles", n, "sub") for n in names
                                                                               if draw(st.booleans())]
    tables += [("mcp_servers", "docs")]
    order = draw(st.permutations(tables))
    for t in order:
        head = "[" + ".".join(_key(k) for k in t) + "]"
        before = draw(st.sampled_from(["", "\n", "# about it\n", "\n# about it\n"]))
        chunks.append(before + head + draw(st.sampled_from(["", "  # h"])) + "\n" + keyvals())
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    return "".join(chunks).replace("\n", eol), draw(st.sampled_from(names))


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(doc=documents())
def test_split_keeps_the_data_and_every_other_line(doc: tuple[str, str]) -> None:
    text, name = doc
    data = parse_text(text, "toml")
    split = split_table(text, ("profiles", name))
    rest = parse_text(split.rest, "toml")
    table = parse_text(split.table, "toml")
    assert table == data["profiles"][name]
    want = dict(data)
    want["profiles"] = {k: v for k, v in data["profiles"].items() if k != name}
    if not want["profiles"]:
        del want["profiles"]
    assert rest == want
    # every line left is a line of the original, in order (only whole lines were cut)
    lines = iter(text.splitlines(keepends=True))
    for line in split.rest.splitlines(keepends=True):
        assert any(line == orig for orig in lines), line
    if "\r\n" in text:  # a CRLF text stays CRLF, and so does the table's own
        assert split.rest.count("\r\n") == split.rest.count("\n")
        assert split.table.count("\r\n") == split.table.count("\n")


def test_split_refuses_what_it_cannot_cut() -> None:
    with pytest.raises(TomlLayoutError):
        split_table('profiles.fast.model = "x"\n', ("profiles", "fast"))
    with pytest.raises(TomlLayoutError):
        split_table('[[profiles.fast]]\nmodel = "x"\n', ("profiles", "fast"))
