"""The layout rules a newcomer relies on: no import cycles, agent ids only in the registry, thin CLI modules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from configurator.agents import AGENTS

PACKAGE = Path(__file__).resolve().parents[2] / "configurator"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(path: Path) -> set[str]:
    """Every configurator module ``path`` imports, at module level or inside functions, except under
    ``if TYPE_CHECKING:`` (those never run)."""
    name = _module_name(path)
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if _type_checking_only(node):
            for child in getattr(node, "orelse", []):
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            subs = {f"{mod}.{a.name}" for a in node.names} & MODULES.keys()  # `from pkg import submodule`
            found.update(subs)
            if len(subs) < len(node.names):  # some names are the module's own
                found.add(mod)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m in MODULES and m != name}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_in_the_package() -> None:
    graph = {name: _imports(path) for name, path in MODULES.items()}
    assert sum(len(v) for v in graph.values()) > 100, "the import graph was not built"
    assert _cycles(graph) == []


def test_agent_ids_appear_only_in_the_registry() -> None:
    """Adding an agent is one module in configurator/agents/: nothing else lists agent ids."""
    ids = "|".join(re.escape(i) for i in AGENTS)
    literal = re.compile(rf"""(["'])({ids})\1""")
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.is_relative_to(PACKAGE / "agents"):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if literal.search(line):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{n}: {line.strip()}")
    assert offenders == []


@pytest.mark.parametrize("path", sorted((PACKAGE / "cli").glob("*.py")), ids=lambda p: p.name)
def test_cli_modules_only_parse_and_call_a_command(path: Path) -> None:
    """cli/ is click only: at import time a command module reads nothing from the core but registries (agent ids,
    lint's reporters, severities and kinds: its choices), and each click callback calls configurator.commands.<name>."""
    if path.name in ("__init__.py", "_common.py"):
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {n.module for n in tree.body if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("configurator")}
    registries = {"configurator.agents", "configurator.lint.reporters", "configurator.lint.findings",
                  "configurator.lint.kinds"}
    assert top <= registries | {"configurator.cli._common"}, top
    called = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
              and n.module.startswith("configurator.commands")}
    assert called == {f"configurator.commands.{path.stem}"}
