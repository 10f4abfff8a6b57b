"""Derive ``templates/openclaw/builtin-providers.json``: the model providers built into the real OpenClaw.

OpenClaw 2026.9.6 ships its providers as bundled plugins, each described by a manifest,
``dist/extensions/<plugin>/openclaw.plugin.json`` in its npm package. A provider id is built in when a
bundled manifest names it in ``providers`` (``openclaw plugins list --json`` shows these as ``providerIds``),
``cliBackends`` (``claude-cli``, ``google-gemini-cli``: models run through a local CLI), ``modelCatalog.providers``,
or as an alias in ``providerAuthAliases`` (``x-ai`` -> ``xai``; ``openclaw agent`` accepts ``x-ai/grok-4.7``).
OpenClaw compares provider ids lower-cased, and so do we.

    python tests/conformance/openclaw_providers.py <openclaw package dir> > templates/openclaw/builtin-providers.json

``test_openclaw_builtin_providers_are_derived_from_the_real_one`` regenerates it from the installed OpenClaw and
fails on any drift.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

MANIFESTS = "dist/extensions/*/openclaw.plugin.json"


def derive(package: Path) -> dict[str, Any]:
    version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    providers: set[str] = set()
    aliases: dict[str, str] = {}
    for manifest in sorted(package.glob(MANIFESTS)):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        providers.update(p for p in data.get("providers", []) if isinstance(p, str))
        providers.update(p for p in data.get("cliBackends", []) if isinstance(p, str))
        catalog = data.get("modelCatalog", {}).get("providers", {})
        providers.update(p for p in catalog if isinstance(p, str))
        aliases.update({k: v for k, v in data.get("providerAuthAliases", {}).items() if isinstance(v, str)})
    return {
        "$comment": f"The model providers built into OpenClaw {version}, from its bundled plugin manifests "
                    f"({MANIFESTS}); derived by tests/conformance/openclaw_providers.py, do not edit by hand.",
        "openclaw": version,
        "providers": sorted({p.strip().lower() for p in providers}),
        "aliases": {k.strip().lower(): v.strip().lower() for k, v in sorted(aliases.items())},
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render(derive(Path(sys.argv[1]))))
