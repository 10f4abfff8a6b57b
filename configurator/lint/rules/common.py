"""Rules for every kind of file: parse errors, the JSON Schema, placeholder keys, where keys are kept."""

from __future__ import annotations

import json
import os
import stat
from typing import TYPE_CHECKING, Any

from configurator import agents
from configurator.lint.findings import Fix, KeyPath, as_severity
from configurator.lint.kinds import KINDS
from configurator.lint.registry import rule
from configurator.lint.secrets_scan import (
    has_string,
    is_real_key,
    is_secret_key,
    iter_strings,
    strip_scheme,
    url_credentials,
)
from configurator.secrets import is_placeholder, mask

if TYPE_CHECKING:  # pragma: no cover
    from configurator.lint.context import LintContext

ALL = tuple(KINDS)


def jsonpath(keypath: KeyPath) -> str:
    out = "$"
    for part in keypath:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.replace("_", "a").replace("-", "a").isalnum() and not part[:1].isdigit():
            out += f".{part}"
        else:
            out += "[" + json.dumps(part, ensure_ascii=False) + "]"
    return out


def shown(value: Any, keypath: KeyPath) -> str:
    """A value for a message: masked when it sits under a secret key, shortened when long."""
    if keypath and is_secret_key(keypath[-1]) and isinstance(value, str):
        return mask(value)
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- parse-error -------------------------------------------------------------------------------------------

@rule(
    "parse-error", severity="error", kinds=ALL,
    summary="The file does not parse as JSON, JSON5 or TOML.",
    rationale="A file that does not parse is ignored or rejected by the tool (Claude Code drops the whole "
    "settings file, Codex and OpenClaw refuse to start). Nothing else can be checked until it parses.",
    example='{"env": {"ANTHROPIC_MODEL": "x",}}   <- a trailing comma is not JSON',
    fix="Correct the syntax at the reported line and column (configurator never edits a file that does not parse).",
)
def _parse_error(ctx: LintContext) -> None:  # reported by the engine
    return None


# --- schema ------------------------------------------------------------------------------------------------

_TYPE_NAMES = {"object": "an object", "array": "an array", "string": "a string", "integer": "an integer",
               "number": "a number", "boolean": "a boolean (true or false)", "null": "null"}


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    return f"a {type(value).__name__}"


def _schema_messages(err: Any, kind_tool: str, unknown_note: str) -> list[tuple[KeyPath, str, str]]:
    """(keypath, message, keyword) for one jsonschema error."""
    kp: KeyPath = tuple(err.absolute_path)
    where = jsonpath(kp)
    kw = err.validator
    val = err.validator_value
    inst = err.instance
    if kw == "additionalProperties" and isinstance(inst, dict):
        props = err.schema.get("properties", {})
        pats = err.schema.get("patternProperties", {})
        import re

        extra = [k for k in inst if k not in props and not any(re.search(p, k) for p in pats)]
        out = []
        for k in extra:
            if val is False:
                out.append((kp + (k,), f"unknown key {jsonpath(kp + (k,))}: {kind_tool} {unknown_note}. "
                            "Fix: remove it or correct its spelling.", kw))
            else:
                out.append((kp + (k,), f"{jsonpath(kp + (k,))} has the wrong form. "
                            f"Fix: {_expected(val)}.", kw))
        return out
    if kw == "required" and isinstance(inst, dict):
        return [(kp, f"{where} is missing the required key {name!r}. Fix: add it.", kw)
                for name in val if name not in inst]
    if kw == "type":
        types = val if isinstance(val, list) else [val]
        want = " or ".join(_TYPE_NAMES.get(t, str(t)) for t in types)
        return [(kp, f"{where} must be {want}, not {_type_of(inst)}. Fix: change its value to {want}.", kw)]
    if kw == "enum":
        choices = ", ".join(json.dumps(c) for c in val)
        return [(kp, f"{where} is {shown(inst, kp)}, which is not one of: {choices}. Fix: use one of those.", kw)]
    if kw == "const":
        return [(kp, f"{where} must be {json.dumps(val)}. Fix: set it to {json.dumps(val)}.", kw)]
    if kw in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        rel = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}[kw]
        return [(kp, f"{where} is {shown(inst, kp)} but must be {rel} {val}. Fix: use a value {rel} {val}.", kw)]
    if kw == "minLength":
        return [(kp, f"{where} must not be empty. Fix: give it a value or remove the key.", kw)]
    if kw in ("maxLength", "minItems", "maxItems"):
        return [(kp, f"{where} violates {kw} {val}. Fix: adjust its length.", kw)]
    if kw == "pattern":
        return [(kp, f"{where} is {shown(inst, kp)}, which does not match {val!r}. Fix: correct the value.", kw)]
    if kw == "propertyNames":
        return [(kp, f"{where} has a key that is not allowed here. Fix: rename or remove it.", kw)]
    if kw == "anyOf":
        return [(kp, f"{where} has the wrong form. Fix: {_expected(err.schema)}.", kw)]
    return [(kp, f"{where} is not valid here ({kw}). Fix: correct the value.", kw)]


def _expected(schema: Any) -> str:
    if isinstance(schema, dict):
        if schema.get("x-expected"):
            return str(schema["x-expected"])
        if schema.get("description"):
            return "expected " + str(schema["description"]).rstrip(".")
        t = schema.get("type")
        if isinstance(t, str):
            return f"make it {_TYPE_NAMES.get(t, t)}"
    return "see the tool's documentation for the allowed forms"


#: keywords whose finding points at the offending value (the others point at the key)
_AT_VALUE = frozenset({"type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                       "minLength", "maxLength", "pattern", "anyOf", "minItems", "maxItems"})


@rule(
    "schema", severity="error", kinds=ALL, semantic=False,
    summary="A key or value that the tool's documented configuration does not allow.",
    rationale="Each kind of file is checked against a JSON Schema in templates/schemas/, written from the tool's "
    "documented keys. Claude Code allows unknown top-level keys but checks the types of known ones (an env "
    "value must be a string); Codex ignores unknown keys (a warning here: usually a typo); OpenClaw refuses "
    "to start with an unknown key (an error).",
    example='[model_providers.atlas]\nbase_url = "https://api.example.com/v1"\nwire_ap = "responses"   <- typo',
    fix="The message names the JSON path, what is wrong and what to write instead.",
)
def check_schema(ctx: LintContext) -> None:
    from configurator.lint.schema import load_schema, schema_errors

    name = ctx.kind.schema
    root = load_schema(name)
    severities: dict[str, str] = root.get("x-severity", {})  # schema keyword -> severity of its findings
    unknown_note: str = root.get("x-unknown-note", "does not know this key")
    for err in schema_errors(name, ctx.data):
        for kp, message, kw in _schema_messages(err, ctx.kind.tool, unknown_note):
            ctx.report("schema", kp, message, severity=as_severity(severities.get(kw, "error")), value=kw in _AT_VALUE)


# --- keys ---------------------------------------------------------------------------------------------------

PLACEHOLDER_SKIP = ("tokens",)  # Codex auth.json OAuth tokens: not API keys


@rule(
    "placeholder-api-key", severity="error", kinds=ALL,
    summary="An API key that is empty or a documentation placeholder.",
    rationale="Placeholders copied from a guide (your-atlas-api-key, your-api-key, sk-xxx, <api-key>) or an "
    "empty string are sent to the provider as the key: every request fails with 401 and the tool's error "
    "rarely says why.",
    example='{"env": {"ANTHROPIC_AUTH_TOKEN": "your-atlas-api-key"}}',
    fix="Put your real key there (`configurator setup` asks for it without echoing), or keep it out of the file: "
    "an environment variable (Codex env_key, OpenClaw \"${VAR}\").",
)
def check_placeholder(ctx: LintContext) -> None:
    for kp, value in ctx.secrets():
        if any(p in PLACEHOLDER_SKIP for p in kp[:-1]):
            continue
        if is_placeholder(strip_scheme(value)):
            what = "empty" if not value.strip() else f"the placeholder {value.strip()[:40]!r}"
            ctx.report("placeholder-api-key", kp,
                       f"{jsonpath(kp)} is {what}, not a key: requests will fail with 401. Fix: put your real key "
                       "here (run `configurator setup`) or point to an environment variable.", value=True)


def _project_file(ctx: LintContext) -> str | None:
    """Why this file is likely committed (None when it is not)."""
    if not ctx.on_disk:
        return None
    try:
        real = ctx.path.resolve()
        cwd = ctx.state.cwd.resolve()
        user = {f.path.resolve() for f in agents.user_files(ctx.env)}
    except OSError:
        return None
    if real not in user:
        for f in agents.project_files(cwd):
            if f.committed and real == f.path:
                return f"{f.path.relative_to(cwd).as_posix()} is a project file that is normally committed"
    if ctx.state.git_tracked(ctx.path):
        return "the file is tracked by git"
    return None


@rule(
    "secret-in-project-file", severity="error", kinds=tuple(k.name for k in agents.kinds().values() if not k.key_store),
    summary="A real-looking key in a project file that is likely committed.",
    rationale=".claude/settings.json and .codex/config.toml are meant to be committed and shared with the team; "
    "any file tracked by git ends up in every clone and in the history. A key there is leaked.",
    example='.claude/settings.json:\n{"env": {"ANTHROPIC_AUTH_TOKEN": "sk-live-..."}}',
    fix="Remove the key from the file, rotate it at the provider, and keep it in your user settings "
    "(~/.claude/settings.json), .claude/settings.local.json (gitignored) or an environment variable.",
)
def check_secret_in_project(ctx: LintContext) -> None:
    found = [(kp, v) for kp, v in ctx.secrets() if is_real_key(v)]
    if not found:
        return
    why = _project_file(ctx)
    if why is None:
        return
    for kp, value in found:
        ctx.report("secret-in-project-file", kp,
                   f"{jsonpath(kp)} holds a key ({mask(strip_scheme(value))}) and {why}. Fix: move the key to your "
                   "user config or an environment variable, and rotate it.", value=True)


@rule(
    "secret-file-permissions", severity="warning", kinds=ALL, autofix=True,
    summary="A file holding a key is readable by group or others.",
    rationale="Other users of the machine (and processes running as them) can read a key from a file with "
    "mode 644. The tools themselves write their key files 600.",
    example="-rw-r--r--  ~/.codex/auth.json   (holds OPENAI_API_KEY)",
    fix="chmod 600 the file (--fix does it).",
)
def check_permissions(ctx: LintContext) -> None:
    if not ctx.on_disk or os.name == "nt":
        return
    found = [kp for kp, v in ctx.secrets() if is_real_key(v)]
    if not found:
        return
    try:
        mode = stat.S_IMODE(os.stat(ctx.path).st_mode)
    except OSError:
        return
    if mode & 0o077:
        ctx.report("secret-file-permissions", found[0],
                   f"this file holds a key ({jsonpath(found[0])}) and has mode {mode:03o}: group/others can read "
                   "it. Fix: chmod 600 it.",
                   fix=Fix("chmod 600", "chmod"))


@rule(
    "url-has-credentials", severity="error", kinds=ALL,
    summary="A URL with a user name or password in it (https://user:pass@host).",
    rationale="Credentials in a URL travel with it: the tools log base URLs, show them in errors and send them "
    "to proxies, and the config file keeps them in plain text where a key setting would be masked, kept in "
    "a 0600 file or read from the environment. Setup refuses such a URL; this finds one written by hand.",
    example='[model_providers.atlas]\nbase_url = "https://user:secret@api.example.com/v1"',
    fix="Remove user:password@ from the URL, give the key through the tool's key setting (an environment "
    "variable or auth file), and change the password if the file was shared.",
)
def check_url_credentials(ctx: LintContext) -> None:
    if not has_string(ctx.data, "://", "@"):
        return  # no string can be such a URL: skip building a key path for every string of a big file
    for kp, value in iter_strings(ctx.data):
        shown_url = url_credentials(value)
        if shown_url is not None:
            ctx.report("url-has-credentials", kp,
                       f"{jsonpath(kp)} is a URL with credentials in it ({shown_url}). Fix: remove user:password@ "
                       "from the URL, give the key through the tool's key setting, and change the password.",
                       value=True)


# --- key helpers ----------------------------------------------------------------------------------------------------


def helper_references(kind: str, data: Any) -> list[tuple[KeyPath, str, list[str]]]:
    """The commands a file tells its tool to run for a key: (key path, the command, its arguments). Claude Code's
    ``apiKeyHelper`` (a shell command line), a Codex provider's ``auth = { command, args }``, an OpenClaw exec
    secret provider's ``command``/``args``."""
    import shlex

    from configurator.agents import claude_code, codex, openclaw

    out: list[tuple[KeyPath, str, list[str]]] = []
    if not isinstance(data, dict):
        return out
    if kind == claude_code.SETTINGS.name:
        helper = data.get("apiKeyHelper")
        if isinstance(helper, str) and helper.strip():
            try:
                words = shlex.split(helper)
            except ValueError:
                words = helper.split()
            if words:
                out.append((("apiKeyHelper",), words[0], words[1:]))
    elif kind == codex.CONFIG.name:
        providers = data.get("model_providers")
        for pid, table in providers.items() if isinstance(providers, dict) else []:
            auth = table.get("auth") if isinstance(table, dict) else None
            if isinstance(auth, dict) and isinstance(auth.get("command"), str):
                args = auth.get("args")
                out.append((("model_providers", pid, "auth", "command"), auth["command"],
                            [str(a) for a in args] if isinstance(args, list) else []))
    elif kind == openclaw.CONFIG.name:
        secrets = data.get("secrets")
        providers = secrets.get("providers") if isinstance(secrets, dict) else None
        for name, p in providers.items() if isinstance(providers, dict) else []:
            if isinstance(p, dict) and p.get("source") == "exec" and isinstance(p.get("command"), str):
                args = p.get("args")
                out.append((("secrets", "providers", name, "command"), p["command"],
                            [str(a) for a in args] if isinstance(args, list) else []))
    return out


def missing_helper(command: str) -> str | None:
    """Why an absolute helper command cannot run (None: it can, or it is not an absolute path, which the tool looks
    up on its PATH)."""
    if not command.startswith("/"):
        return None
    if not os.path.exists(command):
        return "does not exist"
    if not os.path.isfile(command) or not os.access(command, os.X_OK):
        return "is not an executable file"
    return None


def helper_fix(args: list[str]) -> str:
    """How to write the helper's path again: ``configurator use NAME`` for configurator's own ``key get NAME``."""
    if len(args) >= 3 and args[-3:-1] == ["key", "get"] and not args[-1].startswith("-"):
        return f"run `configurator use {args[-1]}` from the configurator you use now (it writes its current path)"
    if args[-3:] == ["key", "get", "--openclaw"]:
        return "run `configurator use NAME` (your keychain profile) from the configurator you use now"
    return "point it at the program's current path"


@rule(
    "key-helper-missing", severity="error",
    kinds=tuple(k.name for k in agents.kinds().values() if not k.key_store and k.fmt in ("json", "toml", "json5")),
    summary="A key helper command (apiKeyHelper, a Codex auth command, an OpenClaw exec provider) that is not there.",
    rationale="In keychain mode each tool runs a command for its key (`configurator key get NAME` by absolute path). "
    "When that program moves or is removed (a venv recreated elsewhere, pipx reinstalled, an upgrade that "
    "changed the path), the tool cannot get a key: Claude Code and Codex fail every request, OpenClaw refuses "
    "the model.",
    example='{"apiKeyHelper": "/home/me/old-venv/bin/configurator key get work"}',
    fix="Run `configurator use NAME` again from the configurator you use now: it writes its current path.",
)
def check_key_helper(ctx: LintContext) -> None:
    for kp, command, args in helper_references(ctx.kind.name, ctx.data):
        why = missing_helper(command)
        if why is not None:
            ctx.report("key-helper-missing", kp,
                       f"{jsonpath(kp)} runs {command}, which {why}, so the tool cannot get its key. Fix: "
                       f"{helper_fix(args)}.", value=True)
