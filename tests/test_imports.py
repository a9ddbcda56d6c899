"""The backend's modules import each other in one direction only: no circle, and no app
imports another app's HTTP layer (``api``). Imports inside functions count too: a
lazy import only hides a circle until the day it runs at the wrong moment."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BACKEND = ROOT / "backend"
APPS = {"accounts", "programs", "tracker", "reminders", "care", "privacy", "reports"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in BACKEND.rglob("*.py")
        if "migrations" not in path.parts and "management" not in path.parts
    }


def _imports(path: Path, known: set[str]) -> set[str]:
    """The backend modules ``path`` imports (a name imported from a package counts as
    its module when it is one)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            if name in known:
                found.add(name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph = {}
    for name, path in modules.items():
        # A package's __init__ is passed through on the way to its modules.
        graph[name] = {m for m in _imports(path, known) if m != name and not _is_package(m, modules)}
    return graph


def _is_package(name: str, modules: dict[str, Path]) -> bool:
    return modules[name].name == "__init__.py"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_in_a_circle():
    assert cycles(import_graph()) == []


def test_no_app_imports_another_apps_views():
    graph = import_graph()
    crossing = sorted(
        (source, target)
        for source, targets in graph.items()
        for target in targets
        if target.endswith(".api")
        and source.split(".")[1] in APPS
        and target.split(".")[1] != source.split(".")[1]
    )
    assert crossing == []


def test_the_walk_sees_a_circle_when_there_is_one():
    """The check itself can fail."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_settings_import_no_app_code():
    """Settings are read before any app is ready: only the core plumbing may be imported."""
    graph = import_graph()
    assert sorted(m for m in graph["backend.settings"] if not m.startswith("backend.core.")) == []
