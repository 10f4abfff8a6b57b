"""A table or list where setup writes a value is refused alike by every agent, with the line; nothing is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import KNOWN_KEY

CASES = [
    # (agent, home-relative file, text, the key path in the message, its line)
    ("codex", ".codex/config.toml", 'model_provider = "atlascloud"\n\n[model]\nid = "x"\n', "model", 3),
    ("codex", ".codex/config.toml", '[model_providers.atlascloud]\nname = "A"\n\n[model_providers.atlascloud.wire_api]\n'
     "x = 1\n", "model_providers.atlascloud.wire_api", 4),
    ("codex", ".codex/config.toml", 'model_provider = ["atlascloud"]\n', "model_provider", 1),
    ("claude-code", ".claude/settings.json", '{\n  "env": {\n    "ANTHROPIC_MODEL": {"x": 1}\n  }\n}\n',
     "env.ANTHROPIC_MODEL", 3),
    ("openclaw", ".openclaw/openclaw.json", "{\n  models: {providers: {atlascloud: {\n    baseUrl: [1]}}}\n}\n",
     "models.providers.atlascloud.baseUrl", 3),
    ("opencode", ".config/opencode/opencode.json", '{\n  "model": {"id": "x"}\n}\n', "model", 2),
]


@pytest.mark.parametrize(("agent", "rel", "text", "key", "line"), CASES, ids=[c[3] for c in CASES])
def test_a_table_where_a_value_belongs_is_refused_with_its_line(cli, home: Path, agent: str, rel: str, text: str,
                                                                 key: str, line: int) -> None:
    path = home / rel
    path.parent.mkdir(parents=True)
    path.write_text(text)
    code, out, err = cli("setup", "--yes", "--tool", agent, "--api-key-stdin", input=KNOWN_KEY + "\n")
    assert code == 2 and out == ""
    assert re.fullmatch(rf"error: {re.escape(str(path))}:{line}:\d+: `{re.escape(key)}` is (a table|an object|a list) where a "
                        r"value belongs, so setup would replace it; .* Nothing was written\.\n", err), err
    assert path.read_text() == text
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
