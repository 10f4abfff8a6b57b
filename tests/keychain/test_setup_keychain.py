"""`configurator setup --key-storage keychain` against a real Secret Service (GNOME Keyring on a private bus):
the key goes into the keychain, every file gets only a command that reads it, and a failed write leaves the
keychain as it was. Without a keychain: one sentence, exit 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import KNOWN_KEY

KEY = KNOWN_KEY
SETUP = ("setup", "--yes", "--api-key-stdin", "--key-storage", "keychain", "--provider", "custom",
         "--base-url", "https://llm.example.com/v1", "--model", "m-main", "--profile", "work")


def _all_bytes(home: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in home.rglob("*") if p.is_file()}


def test_setup_keychain_stores_the_key_and_writes_only_helpers(cli, os_keychain: str, home: Path) -> None:
    from configurator import keychain

    code, out, err = cli(*SETUP, input=KEY + "\n")
    assert code == 0, err
    assert keychain.get("work") == KEY
    holding = [p for p, data in _all_bytes(home).items() if KEY.encode() in data]
    assert holding == [], holding  # no config, profile, owned.json, session file or backup holds it
    settings = json.loads((home / ".claude/settings.json").read_text())
    assert "key get work" in settings["apiKeyHelper"] and "ANTHROPIC_AUTH_TOKEN" not in settings["env"]
    from configurator.store import parse_text

    codex = parse_text((home / ".codex/config.toml").read_text(), "toml")["model_providers"]["custom"]
    assert codex["auth"]["args"][-3:] == ["key", "get", "work"] and "env_key" not in codex
    assert not (home / ".codex/auth.json").exists()
    assert KEY not in out + err


def test_moving_a_file_key_into_the_keychain_names_what_still_holds_it(cli, os_keychain: str, home: Path) -> None:
    code, _, err = cli("setup", "--yes", "--api-key-stdin", "--provider", "custom", "--base-url",
                       "https://llm.example.com/v1", "--model", "m-main", "--profile", "work", input=KEY + "\n")
    assert code == 0, err
    code, out, err = cli(*SETUP, input=KEY + "\n")
    assert code == 0, err
    # the live files no longer hold it (the engine replaced every owned key); the backups still do, and we say so
    assert "backup(s) still hold the key in plain text" in out
    live = [p for p, data in _all_bytes(home).items()
            if KEY.encode() in data and "backups" not in p.parts and p.name != "owned.json"]
    assert live == [], live


def test_a_failed_write_puts_the_keychain_entry_back(cli, os_keychain: str, home: Path) -> None:
    from configurator import keychain

    keychain.store("work", "sk-previous-entry-000000000000")
    (home / ".codex").mkdir()
    (home / ".codex/config.toml").write_text("model = [broken\n")  # setup refuses before writing anything
    code, out, err = cli(*SETUP, input=KEY + "\n")
    assert code == 2
    assert keychain.get("work") == "sk-previous-entry-000000000000"


def test_no_keychain_is_one_sentence_and_nothing_written(cli, no_keychain: None, home: Path) -> None:
    before = _all_bytes(home)
    code, out, err = cli(*SETUP, input=KEY + "\n")
    assert code == 2
    assert "--key-storage keychain cannot be used here" in err and "--key-storage env" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert _all_bytes(home) == before


def _wizard(keys: str, opts=None):  # type: ignore[no-untyped-def]
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from configurator.commands.setup import SetupOptions, run
    from configurator.prompts import Prompter

    asked: list[tuple[str, object]] = []

    class Recorder(Prompter):
        def select(self, message, choices, default=None, **kw):  # type: ignore[no-untyped-def]
            asked.append((message, [v for _, v in choices]))
            return super().select(message, choices, default, **kw)

        def password(self, message, *a, **kw):  # type: ignore[no-untyped-def]
            asked.append((message, None))
            return super().password(message, *a, **kw)

        def confirm(self, message, *a, **kw):  # type: ignore[no-untyped-def]
            asked.append((message, None))
            return super().confirm(message, *a, **kw)

        def text(self, message, *a, **kw):  # type: ignore[no-untyped-def]
            asked.append((message, None))
            return super().text(message, *a, **kw)

    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        opts = opts or SetupOptions(interactive=True, tools=("claude-code",), given=frozenset({"tools"}))
        try:
            return run(opts, prompter=Recorder(input=pipe, output=DummyOutput())), asked
        except BaseException:
            print(asked)
            raise


def test_the_wizard_offers_the_keychain_first_when_there_is_one(os_keychain: str, home: Path) -> None:
    from configurator import keychain

    # provider: Atlas (default); key storage: the default, which is the keychain; the key; models; write
    result, asked = _wizard("\r" + "\r" + KEY + "\r" + "\r" + "\r" + "n" + "n" + "y")
    storage = next(choices for message, choices in asked if message.startswith("Where should the API key live"))
    assert storage[0] == "keychain"
    assert keychain.get("atlascloud") == KEY
    settings = json.loads((home / ".claude/settings.json").read_text())
    assert "apiKeyHelper" in settings and KEY not in (home / ".claude/settings.json").read_text()


def test_without_a_keychain_the_wizard_says_why_and_does_not_offer_it(no_keychain: None, home: Path) -> None:
    result, asked = _wizard("\r" + "\r" + KEY + "\r" + "\r" + "\r" + "n" + "n" + "y")
    storage = next(choices for message, choices in asked if message.startswith("Where should the API key live"))
    assert "keychain" not in storage and storage[0] == "file"


def test_verify_reads_the_key_through_each_tools_helper(cli, os_keychain: str, home: Path) -> None:
    from mock_provider import MockProvider

    with MockProvider(api_key=KEY) as mock:
        code, _, err = cli("setup", "--yes", "--api-key-stdin", "--key-storage", "keychain", "--provider", "custom",
                           "--base-url", mock.url, "--model", "m-main", "--profile", "work",
                           "--tool", "claude-code", "--tool", "codex", "--tool", "openclaw", input=KEY + "\n")
        assert code == 0, err
        code, out, err = cli("verify", "--json", "--timeout", "10")
        assert KEY not in out + err
        checks = {c["tool"]: c for c in json.loads(out)["checks"]}
        assert {checks[t]["status"] for t in ("claude-code", "codex", "openclaw")} == {"ok"}, checks
        posts = [r for r in mock.requests if r["method"] == "POST"]
        assert len(posts) == 3 and all(r["auth"] in (f"Bearer {KEY}", KEY) for r in posts)


def test_on_a_terminal_the_backups_that_hold_the_key_can_be_deleted(cli, os_keychain: str, home: Path) -> None:
    from configurator import store

    code, _, err = cli("setup", "--yes", "--api-key-stdin", "--tool", "claude-code", "--profile", "work",
                       input=KEY + "\n")
    assert code == 0, err
    code, _, err = cli("setup", "--yes", "--api-key-stdin", "--tool", "claude-code", "--profile", "work",
                       "--provider", "custom", "--base-url", "https://other.example.com/v1", "--model", "m",
                       input=KEY + "\n")  # a second backup, holding the key too
    assert code == 0, err
    holding = [b.id for b in store.list_backups()]
    assert len(holding) == 2
    # the wizard, keychain chosen: provider, key (kept), models as they are; write; then yes: delete the backups
    from configurator.commands.setup import SetupOptions

    opts = SetupOptions(interactive=True, tools=("claude-code",), key_storage="keychain", profile="work",
                        given=frozenset({"tools", "key_storage", "claude_statusline", "claude_skip_login", "profile"}))
    result, asked = _wizard("\r\r\r\r\r" + "y" + "y", opts)
    assert any("Deleted 2 backup(s) that held the key" in n for n in result.notes), result.notes
    remaining = [p for p in home.rglob("*") if p.is_file() and KEY.encode() in p.read_bytes()
                 and p.name != "owned.json"]
    assert remaining == [], remaining
