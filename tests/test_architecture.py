"""The shape of the code, as ARCHITECTURE.md describes it: arrows point one
way, the pure rules know no database, and the worker starts whatever module
it imports first."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from requests_app import queue

APP = Path(__file__).resolve().parent.parent / "requests_app"
ROOT = APP.parent

# The rules at the bottom: no models, no services, no I/O of their own.
PURE = {
    "facts", "jurisdictions", "choices", "lifecycle", "dates", "stages", "letters", "explain", "guide", "validators",
    "site_operator",
}  # fmt: skip
# What the pure rules may not import (TYPE_CHECKING-only imports are types, not arrows).
STORE_AND_ABOVE = {
    "models",
    "tokens",
    "db_clock",
    "services",
    "queue",
    "tasks",
    "views",
    "wizard",
    "access",
    "receipt_views",
}
# Edge modules: nothing else of the app imports them.
EDGE = {"tasks", "views", "wizard", "receipt_views", "dev_views", "urls", "admin"}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _app_modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in APP.rglob("*.py")
        if "migrations" not in path.parts and "management" not in path.parts
    }


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imports(module: str, path: Path) -> tuple[set[str], list[tuple[int, str]]]:
    """(app modules imported at runtime, [(line, target)] of imports inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    nested: list[tuple[int, str]] = []

    def targets(node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        base = node.module or ""
        if node.level:
            parent = package.split(".")
            parent = parent[: len(parent) - (node.level - 1)]
            base = ".".join([*parent, base] if base else parent)
        # `from . import x` names a module x; `from .m import f` the module m.
        return [f"{base}.{alias.name}" for alias in node.names] + [base]

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                for target in targets(child):
                    if target.startswith("requests_app"):
                        found.add(target)
                        if in_function:
                            nested.append((child.lineno, target))
            visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(tree, False)
    return found, nested


def _graph() -> dict[str, set[str]]:
    modules = _app_modules()
    graph = {}
    for name, path in modules.items():
        runtime, _nested = _imports(name, path)
        graph[name] = {target for target in runtime if target in modules and target != name}
    return graph


def test_the_import_graph_has_no_circle():
    graph = _graph()
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycle = path[path.index(target) :] + [target]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_no_module_imports_the_app_inside_a_function():
    nested = {
        f"{name}:{line} imports {target}"
        for name, path in _app_modules().items()
        for line, target in _imports(name, path)[1]
    }
    assert nested == set()


def test_the_pure_rules_know_no_store_and_nothing_imports_the_edge():
    graph = _graph()
    # A renamed module would silently drop out of these rules.
    modules = {name.removeprefix("requests_app.").split(".")[0] for name in graph}
    assert modules >= PURE | STORE_AND_ABOVE | EDGE
    for name, targets in graph.items():
        short = name.removeprefix("requests_app.")
        imported = {target.removeprefix("requests_app.").split(".")[0] for target in targets}
        if short in PURE:
            assert not imported & STORE_AND_ABOVE, f"{short} imports {imported & STORE_AND_ABOVE}"
        if short not in {"urls"}:
            assert not imported & EDGE, f"{short} imports the edge module(s) {imported & EDGE}"


@pytest.mark.parametrize(
    "first_import",
    ["requests_app.tasks", "requests_app.services.requests", "requests_app.receipts", "requests_app.views"],
)
def test_any_module_can_be_imported_first_in_a_fresh_interpreter(first_import):
    # The worker imports requests_app.tasks first; a circle held together by
    # import order breaks exactly there.
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); "
        f"django.setup(); import {first_import}"
    )
    env = {**os.environ, "DEBUG": "1"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_every_queued_task_name_is_a_registered_task():
    names = [value for key, value in vars(queue).items() if key.isupper() and isinstance(value, str)]
    assert names
    for name in names:
        assert queue.registered_task(name).name == name
