"""The house's floors (CONVENTIONS.md): `reports → tasks → indicators`, imports downwards only.

The import graph is read from the source with `ast`, imports inside functions included, so no
import can hide from it. It fails on an upward import, on the ledger importing a view of the
core, and on a cycle between any two of the project's modules.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {"indicators": 0, "tasks": 1, "reports": 2}  # an app may import its own layer and below
PACKAGES = (*LAYERS, "config")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports, anywhere in its source (functions included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module
            # `from . import services` imports the submodule; `from .models import Area`, the
            # module itself.
            for alias in node.names:
                sub = f"{origin}.{alias.name}"
                targets.add(sub if sub in known else origin)
    return {t for t in targets if t in known}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def layer(module: str) -> int | None:
    return LAYERS.get(module.split(".")[0])


def test_the_graph_is_read_from_every_app(graph):
    assert {"indicators.metrics", "tasks.selectors", "reports.views"} <= set(graph)
    assert "indicators.models" in graph["indicators.selectors"]
    # Relative and function-level imports are seen: the ledger registers its sheets in ready().
    assert "tasks.workbook" in graph["tasks.apps"]


def test_no_module_imports_a_higher_layer(graph):
    upward = sorted(
        f"{source} → {target}"
        for source, targets in graph.items()
        for target in targets
        if layer(source) is not None and layer(target) is not None and layer(target) > layer(source)
    )
    assert upward == []


def test_the_ledger_never_imports_a_view_of_the_core(graph):
    found = sorted(
        f"{source} → {target}"
        for source, targets in graph.items()
        if source.startswith(("tasks", "reports"))
        for target in targets
        if target.startswith("indicators.views")
    )
    assert found == []


def test_there_is_no_import_cycle(graph):
    """Tarjan's strongly connected components: every one must be a single module."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert cycles == []


def test_no_module_is_over_700_lines():
    long = {
        name: lines
        for name, path in project_modules().items()
        if (lines := len(path.read_text().splitlines())) > 700
    }
    assert long == {}
