"""OpenClaw: ``openclaw.json`` (JSON5) ``models.providers.<id>`` and the default agent model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from configurator import paths
from configurator.providers import MIN_CONTEXT_WINDOW, ModelInfo
from configurator.store import Change, Transaction, apply_changes, apply_to_data
from configurator.targets.base import Outcome, Profile, register_secrets, require_object

TOOL = "openclaw"
DISPLAY = "OpenClaw"
EXECUTABLE = "openclaw"
LINT_KINDS = ("openclaw",)  # `configurator lint --kind`, in files() order


def files() -> list[Path]:
    return [paths.openclaw_config()]


def model_entry(m: ModelInfo) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.name,
        "contextWindow": max(int(m.context_window), MIN_CONTEXT_WINDOW),
        "maxTokens": int(m.max_tokens),
    }


def desired_models(profile: Profile, existing: Any) -> list[dict[str, Any]]:
    ours = [model_entry(profile.model)]
    if profile.fast_model.id != profile.model.id:
        ours.append(model_entry(profile.fast_model))
    ids = {m["id"] for m in ours}
    kept = [m for m in existing if isinstance(m, dict) and m.get("id") not in ids] if isinstance(existing, list) else []
    # entries the user added for other models of this provider are kept, after ours
    if isinstance(existing, list):
        by_id = {m.get("id"): m for m in existing if isinstance(m, dict)}
        merged = []
        for m in ours:
            old = by_id.get(m["id"])
            merged.append({**old, **m} if isinstance(old, dict) else m)
        return merged + kept
    return ours


def apply(profile: Profile, tx: Transaction, outcome: Outcome) -> None:
    path = paths.openclaw_config()
    doc = tx.open(path, "json5")
    register_secrets(doc.data)
    pid = profile.provider_id
    for kp in (("models",), ("models", "providers"), ("models", "providers", pid), ("agents",),
               ("agents", "defaults")):
        require_object(doc, kp)
    defaults = doc.data.get("agents", {}).get("defaults", {})
    # OpenClaw takes the default model as {primary, fallbacks} or as a plain "provider/model" string.
    model_as_string = isinstance(defaults.get("model"), str)
    if not model_as_string:
        require_object(doc, ("agents", "defaults", "model"))
    primary_path = ("agents", "defaults", "model") if model_as_string else ("agents", "defaults", "model", "primary")
    primary = f"{pid}/{profile.model.id}"
    existing = doc.data.get("models", {}).get("providers", {}).get(pid, {})
    base = ("models", "providers", pid)
    changes = [
        Change(base + ("baseUrl",), profile.openai_base_url),
        Change(base + ("apiKey",), profile.api_key_value_for_openclaw()),
        Change(base + ("api",), "openai-completions"),
        Change(base + ("models",), desired_models(profile, existing.get("models") if isinstance(existing, dict) else None)),
        Change(primary_path, primary),
    ]
    allowlist = defaults.get("models")
    if isinstance(allowlist, dict) and allowlist and primary not in allowlist and f"{pid}/*" not in allowlist:
        outcome.notes.append(
            f"{path}: agents.defaults.models (the allowlist of models OpenClaw may use) does not list {primary}; "
            "add it there, or OpenClaw may refuse the model as not allowed."
        )
    for m in (profile.model, profile.fast_model):
        if m.context_window < MIN_CONTEXT_WINDOW:
            outcome.notes.append(
                f"contextWindow for {m.id} raised from {m.context_window} to {MIN_CONTEXT_WINDOW}: smaller values send "
                "OpenClaw into compaction loops."
            )
    data = doc.data
    # Only write what changes, so a second run leaves the file byte-identical.
    changes = [c for c in changes if _get(data, c.path) != c.value]
    new_text = apply_changes(doc.text, changes, fmt="json5")
    expected = apply_to_data(data, changes)
    holds_secret = profile.key_storage == "file" or _has_literal_key(expected)
    tx.write(doc, new_text, expected=expected, secret=holds_secret)
    if profile.key_storage == "env":
        outcome.notes.append(f"OpenClaw reads the key from ${profile.key_env} (apiKey is \"${{{profile.key_env}}}\").")


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for k in path:
        if not isinstance(data, dict) or k not in data:
            return object()
        data = data[k]
    return data


def _has_literal_key(data: dict[str, Any]) -> bool:
    providers = data.get("models", {}).get("providers", {})
    for p in providers.values() if isinstance(providers, dict) else []:
        key = p.get("apiKey") if isinstance(p, dict) else None
        if isinstance(key, str) and key and not key.startswith("${"):
            return True
    return False
