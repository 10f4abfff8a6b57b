"""Running the rules over files: parsing through the store, contexts, selection, de-duplication."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from configurator.errors import ConfiguratorError, ParseError
from configurator.lint.findings import FileResult, Finding, Fix, KeyPath, LintReport
from configurator.lint.kinds import KINDS, Kind, resolve_kind

_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


def parse_version(text: str | None) -> tuple[int, int, int] | None:
    """``0.94``, ``0.94.1``, ``codex-cli 0.95.0`` -> a comparable tuple (None when there is no version)."""
    if not text:
        return None
    m = _VERSION.search(text)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


@dataclass
class RunState:
    """What every file of one run shares: the environment, the cwd, lazily found facts."""

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    cwd: Path = field(default_factory=Path.cwd)
    codex_version_arg: str | None = None
    _codex_version: tuple[tuple[int, int, int] | None] | None = None
    _git: dict[Path, bool] = field(default_factory=dict)

    def codex_version(self) -> tuple[int, int, int] | None:
        """``--codex-version`` when given, else the installed ``codex --version`` (asked once, only if needed)."""
        if self._codex_version is None:
            if self.codex_version_arg:
                self._codex_version = (parse_version(self.codex_version_arg),)
            else:
                from configurator.tools import installed

                self._codex_version = (parse_version(installed("codex").version),)
        return self._codex_version[0]

    def git_tracked(self, path: Path) -> bool:
        """True when ``path`` is inside a git work tree and tracked there (``git ls-files --error-unmatch``)."""
        try:
            real = path.resolve()
        except OSError:
            return False
        if real in self._git:
            return self._git[real]
        tracked = False
        if any((parent / ".git").exists() for parent in real.parents):
            try:
                proc = subprocess.run(
                    ["git", "ls-files", "--error-unmatch", "--", real.name],
                    cwd=real.parent, capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL,
                )
                tracked = proc.returncode == 0
            except (OSError, subprocess.SubprocessError):
                tracked = False
        self._git[real] = tracked
        return tracked


class LintContext:
    """One file being linted: its text, data, kind, and where rules report findings."""

    def __init__(self, state: RunState, path: Path, display: str, kind: Kind, text: str, data: Any,
                 selected: set[str], *, on_disk: bool) -> None:
        self.state = state
        self.path = path
        self.display = display
        self.kind = kind
        self.text = text
        self.data = data
        self.selected = selected
        self.on_disk = on_disk
        self.findings: list[Finding] = []
        self._positions: dict[tuple[KeyPath, bool], tuple[int, int]] = {}
        self._index: Any = None  # store.Positions, built on the first finding that needs a position

    @property
    def env(self) -> Mapping[str, str]:
        return self.state.env

    def position(self, keypath: KeyPath, *, value: bool = False) -> tuple[int, int]:
        key = (tuple(keypath), value)
        if key not in self._positions:
            if self._index is None:
                from configurator.store import Positions

                self._index = Positions(self.text or "", self.kind.fmt)
            self._positions[key] = self._index.locate(keypath, value=value)
        return self._positions[key]

    def report(self, rule_id: str, keypath: KeyPath, message: str, *, value: bool = False,
               fix: Fix | None = None, severity: str | None = None, at: tuple[int, int] | None = None) -> None:
        from configurator.lint.registry import RULES

        rule = RULES[rule_id]
        kp = tuple(keypath)
        finding = Finding(rule_id, severity or rule.severity, self.display, message, kp, fix)
        if at is not None:
            finding._pos = (max(1, at[0]), max(1, at[1]))
        else:
            finding._locate = lambda: self.position(kp, value=value)
        self.findings.append(finding)


def _parse(text: str, kind: Kind, path: Path) -> Any:
    from configurator.store import parse_text

    return parse_text(text, kind.fmt, path)


def _parse_error(ctx: LintContext, err: ParseError) -> None:
    ctx.report(
        "parse-error", (),
        f"cannot parse this {ctx.kind.fmt.upper()} file: {err.detail}. Fix the syntax here; no other check runs "
        "until the file parses.",
        at=(err.line, err.column),
    )


def _supersede(findings: list[Finding]) -> list[Finding]:
    """Drop schema findings at (or under) a key path that a semantic rule already reports."""
    from configurator.lint.registry import RULES

    semantic = {f.keypath for f in findings if RULES[f.rule].semantic}
    if not semantic:
        return findings

    def covered(kp: KeyPath) -> bool:
        return any(kp[: len(s)] == s for s in semantic)

    return [f for f in findings if f.rule != "schema" or not covered(f.keypath)]


def run_rules(state: RunState, path: Path, display: str, kind: Kind, text: str | None, selected: set[str], *,
              data: Any = None, error: ParseError | None = None, on_disk: bool = False) -> FileResult:
    from configurator.lint.registry import load_rules

    rules = load_rules()
    ctx = LintContext(state, path, display, kind, text or "", data, selected, on_disk=on_disk)
    result = FileResult(display, kind.name, source=path, text=text)
    if error is None and text is not None and data is None:
        try:
            ctx.data = data = _parse(text, kind, path)
        except ParseError as e:
            error = e
    if error is None and kind.fmt != "toml" and not isinstance(data, dict):
        error = ParseError(str(path), kind.fmt, 1, 1, "the top level must be an object ({ ... })")
    if error is not None:
        result.parsed = False
        if "parse-error" in selected:
            _parse_error(ctx, error)
        result.findings = ctx.findings
        return result
    for rule_id, rule in rules.items():
        if rule.check is not None and rule_id in selected and kind.name in rule.kinds:
            rule.check(ctx)
    result.findings = _supersede(ctx.findings)
    return result


def lint_text(text: str, kind: str, path: str | os.PathLike[str] = "<text>", *, select: Iterable[str] | None = None,
              ignore: Iterable[str] | None = None, codex_version: str | None = None,
              env: Mapping[str, str] | None = None, cwd: Path | None = None) -> list[Finding]:
    """Lint ``text`` as a file of ``kind`` named ``path``. Never raises for bad input: it becomes findings."""
    from configurator.lint.registry import resolve_selection

    state = RunState(env=dict(os.environ) if env is None else env, cwd=cwd or Path.cwd(), codex_version_arg=codex_version)
    k = resolve_kind(path, kind)
    p = Path(path)
    on_disk = p.is_file()
    res = run_rules(state, p, str(path), k, text, resolve_selection(select, ignore), on_disk=on_disk)
    res.findings.sort(key=Finding.sort_key)
    return res.findings


def _kinds_for(paths: Sequence[Path], kinds: str | Sequence[str | None] | Mapping[Any, str] | None) -> list[str | None]:
    if kinds is None:
        return [None] * len(paths)
    if isinstance(kinds, str):
        return [kinds] * len(paths)
    if isinstance(kinds, Mapping):
        return [kinds.get(p, kinds.get(str(p))) for p in paths]
    out = list(kinds)
    if len(out) != len(paths):
        raise ConfiguratorError("kinds must give one kind per path.")
    return out


def display_path(path: Path, cwd: Path) -> str:
    try:
        return str(path.resolve().relative_to(cwd.resolve()))
    except (ValueError, OSError):
        return str(path)


def lint_paths(paths: Sequence[str | os.PathLike[str]], *, kinds: str | Sequence[str | None] | Mapping[Any, str] | None = None,
               select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
               codex_version: str | None = None, env: Mapping[str, str] | None = None,
               cwd: Path | None = None, display: Sequence[str] | None = None) -> LintReport:
    """Lint files on disk. A path that does not exist, or whose kind cannot be told, is a ConfiguratorError."""
    from configurator.lint.registry import resolve_selection
    from configurator.store import read_document

    state = RunState(env=dict(os.environ) if env is None else env, cwd=cwd or Path.cwd(), codex_version_arg=codex_version)
    selected = resolve_selection(select, ignore)
    ps = [Path(p) for p in paths]
    resolved: list[tuple[Path, Kind, str]] = []
    for i, (p, given) in enumerate(zip(ps, _kinds_for(ps, kinds), strict=True)):
        if not p.exists():
            raise ConfiguratorError(f"{p} does not exist; pass the path of an existing config file.")
        if p.is_dir():
            raise ConfiguratorError(f"{p} is a folder, not a file; pass the config file itself.")
        shown = display[i] if display is not None else str(p)
        resolved.append((p, resolve_kind(p, given), shown))
    report = LintReport()
    for p, kind, shown in resolved:
        text = None
        data = None
        error: ParseError | None = None
        try:
            doc = read_document(p, kind.fmt)
            text, data = doc.text, doc.data
        except ParseError as e:
            error = e
        report.files.append(run_rules(state, p, shown, kind, text, selected, data=data, error=error, on_disk=True))
    return report


def default_targets(cwd: Path, env: Mapping[str, str] | None = None) -> list[tuple[Path, str]]:
    """Every existing config of the three tools for this user, plus the project files under ``cwd``."""
    from configurator import paths

    kind_of = {"settings.json": "claude-settings", "settings.local.json": "claude-settings",
               ".claude.json": "claude-state", "config.toml": "codex-config", "auth.json": "codex-auth",
               "openclaw.json": "openclaw"}
    out: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for loc in [*paths.user_locations(env), *paths.project_locations(cwd)]:
        try:
            if not loc.path.is_file():
                continue
            real = loc.path.resolve()
        except OSError:
            continue
        if real in seen:
            continue
        seen.add(real)
        out.append((loc.path, kind_of.get(loc.kind, KINDS["claude-settings"].name)))
    return out
