from __future__ import annotations


def test_version_and_help(cli) -> None:
    code, out, _ = cli("--version")
    assert code == 0 and "configurator" in out
    code, out, _ = cli("--help")
    assert code == 0
    for name in ("setup", "lint", "plan", "usage", "verify", "restore", "doctor"):
        assert name in out


def test_restore_unknown_id_is_one_line(cli) -> None:
    code, out, err = cli("restore", "nope")
    assert code == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
