"""Claude Code: ``settings.json`` ``env`` block (and, on request, ``hasCompletedOnboarding``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from configurator import paths
from configurator.store import DELETE, Change, Transaction, apply_changes, apply_to_data
from configurator.targets.base import Outcome, Profile, register_secrets, require_object

TOOL = "claude-code"
DISPLAY = "Claude Code"
EXECUTABLE = "claude"
LINT_KINDS = ("claude-settings", "claude-state")  # `configurator lint --kind`, in files() order


def files() -> list[Path]:
    return [paths.claude_settings(), paths.claude_state()]


def desired_env(profile: Profile) -> dict[str, str]:
    env = {
        "ANTHROPIC_BASE_URL": profile.anthropic_base_url,
        "ANTHROPIC_MODEL": profile.model.id,
        "ANTHROPIC_DEFAULT_SONNET_MODEL": profile.model.id,
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": profile.fast_model.id,
        "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS": "1",
    }
    if profile.key_storage == "file":
        env = {"ANTHROPIC_AUTH_TOKEN": str(profile.key), **env}
    return env


def inspect() -> dict[str, Any]:
    """What the wizard needs to ask: is there a conflicting ANTHROPIC_API_KEY, is onboarding done."""
    from configurator.store import read_document

    out: dict[str, Any] = {"has_api_key": False, "onboarded": False, "exists": False}
    try:
        doc = read_document(paths.claude_settings(), "json")
        out["exists"] = doc.exists
        env = doc.data.get("env")
        out["has_api_key"] = isinstance(env, dict) and "ANTHROPIC_API_KEY" in env
    except Exception:  # noqa: BLE001 - the write step reports parse errors properly
        pass
    try:
        state = read_document(paths.claude_state(), "json")
        out["onboarded"] = state.data.get("hasCompletedOnboarding") is True
    except Exception:  # noqa: BLE001
        pass
    return out


def apply(profile: Profile, tx: Transaction, outcome: Outcome) -> None:
    path = paths.claude_settings()
    doc = tx.open(path, "json")
    register_secrets(doc.data)
    require_object(doc, ("env",))
    env = doc.data.get("env") if isinstance(doc.data.get("env"), dict) else {}
    changes = [Change(("env", k), v) for k, v in desired_env(profile).items()]
    if "ANTHROPIC_API_KEY" in env:
        if profile.remove_anthropic_api_key:
            changes.append(Change(("env", "ANTHROPIC_API_KEY"), DELETE))
            outcome.notes.append(
                f"Removed ANTHROPIC_API_KEY from the env block of {path}: with ANTHROPIC_AUTH_TOKEN set too, "
                "Claude Code warns \"Both ANTHROPIC_AUTH_TOKEN and ANTHROPIC_API_KEY set · auth may not work as "
                "expected\" (an auth conflict)."
            )
        else:
            outcome.notes.append(
                f"Kept ANTHROPIC_API_KEY in {path} as asked; Claude Code will warn about an auth conflict (both "
                "ANTHROPIC_AUTH_TOKEN and ANTHROPIC_API_KEY set) and send both headers."
            )
    if profile.key_storage == "env":
        if "ANTHROPIC_AUTH_TOKEN" in env:
            changes.append(Change(("env", "ANTHROPIC_AUTH_TOKEN"), DELETE))
            outcome.notes.append(f"Removed the stored ANTHROPIC_AUTH_TOKEN from {path} (key storage: env).")
        outcome.notes.append(
            f"Claude Code reads the key from ANTHROPIC_AUTH_TOKEN: add `export ANTHROPIC_AUTH_TOKEN=\"${profile.key_env}\"` "
            "to your shell profile."
        )
    new_text = apply_changes(doc.text, changes, fmt="json")
    expected = apply_to_data(doc.data, changes)
    holds_secret = isinstance(expected.get("env"), dict) and "ANTHROPIC_AUTH_TOKEN" in expected["env"]
    tx.write(doc, new_text, expected=expected, secret=holds_secret)

    if profile.claude_skip_login:
        state_path = paths.claude_state()
        state = tx.open(state_path, "json")
        register_secrets(state.data)
        ch = [Change(("hasCompletedOnboarding",), True)]
        tx.write(state, apply_changes(state.text, ch, fmt="json"), expected=apply_to_data(state.data, ch))
