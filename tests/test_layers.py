"""The layers a newcomer reads in the tree, kept true by reading every import (module-level and inside functions):

    faces      app.py, ui/, cli/        parse input, show results, turn errors into sentences
    actions    actions/                 one function per user action, shared by every face
    pipelines  pipelines/               model backends, orchestration, the services held once
    studio     studio/                  the domain: no torch, nothing from the layers above

Imports point down only; inside studio/ its packages have an order of their own; the kinds of backend in
pipelines/ do not know each other; and no set of modules imports itself in a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"app": 3, "ui": 3, "cli": 3, "actions": 2, "pipelines": 1, "studio": 0}
# studio/'s packages, lowest first: a package imports only lower ranks (and the root modules, rank 0).
STUDIO_RANKS = {"project": 1, "safety": 1, "text": 2, "sound": 2, "compose": 3, "export": 4}
ENTRY_POINTS = {"studio.__main__"}  # `python -m studio` runs the CLI: the one upward name, imported by nothing
HEAVY = {"torch", "diffusers", "transformers", "accelerate", "xgrammar"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    files = [ROOT / "app.py", *[p for top in ("ui", "cli", "actions", "pipelines", "studio")
                                for p in (ROOT / top).rglob("*.py")]]
    return {_module_name(p): p for p in files}


SOURCES = _sources()


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every module ``path`` imports (``from a.b import c`` names ``a.b.c`` when that is a module), with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.append((child if child in SOURCES else node.module, node.lineno))
    return found


IMPORTS = {name: _imports(path) for name, path in SOURCES.items()}


def _ours(module: str) -> str | None:
    """The project module ``module`` names (itself, or the nearest package above it), else None."""
    while module:
        if module in SOURCES:
            return module
        module = module.rpartition(".")[0]
    return None


def _top(module: str) -> str:
    return module.split(".")[0]


def test_every_top_level_package_has_a_layer():
    assert {_top(m) for m in SOURCES} == set(LAYERS)


def test_imports_point_down_only():
    upward = [f"{SOURCES[m].relative_to(ROOT)}:{line} imports {target}"
              for m, imports in IMPORTS.items() if m not in ENTRY_POINTS
              for target, line in imports
              if _top(target) in LAYERS and LAYERS[_top(target)] > LAYERS[_top(m)]]
    assert not upward, "\n".join(upward)


def test_the_domain_never_imports_torch_or_the_model_libraries():
    heavy = [f"{SOURCES[m].relative_to(ROOT)}:{line} imports {target}" for m, imports in IMPORTS.items()
             if _top(m) == "studio" for target, line in imports if _top(target) in HEAVY]
    assert not heavy, "\n".join(heavy)


def _studio_rank(module: str) -> int:
    parts = module.split(".")
    return STUDIO_RANKS.get(parts[1], 0) if len(parts) > 2 else 0


def test_studio_packages_import_only_lower_ones():
    assert {p.name for p in (ROOT / "studio").iterdir() if (p / "__init__.py").is_file()} == set(STUDIO_RANKS)
    wrong = []
    for m, imports in IMPORTS.items():
        if _top(m) != "studio" or m in ENTRY_POINTS:
            continue
        for target, line in imports:
            target = _ours(target)
            if target is None or _top(target) != "studio" or target.split(".")[:2] == m.split(".")[:2]:
                continue
            if _studio_rank(target) >= _studio_rank(m) and _studio_rank(target) > 0:
                wrong.append(f"{SOURCES[m].relative_to(ROOT)}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("kind", ["script", "video", "voice"])
def test_a_kind_of_backend_knows_no_other_kind_and_nothing_above_it(kind):
    above = {"pipelines.shots", "pipelines.make", "pipelines.batch", "pipelines.services"}
    others = {f"pipelines.{k}" for k in ("script", "video", "voice")} - {f"pipelines.{kind}"}
    wrong = [f"{SOURCES[m].relative_to(ROOT)}:{line} imports {target}"
             for m, imports in IMPORTS.items() if m.startswith(f"pipelines.{kind}")
             for target, line in imports
             if (ours := _ours(target)) and (ours in above or any(ours.startswith(o) for o in others))]
    assert not wrong, "\n".join(wrong)


def test_backend_files_import_their_contract_not_their_service():
    """A backend imports the contract of its kind; only the service (writers, backends) imports backends."""
    services = {"pipelines.script.writers", "pipelines.video.backends", "pipelines.voice.backends"}
    wrong = [f"{SOURCES[m].relative_to(ROOT)}:{line} imports {target}"
             for m, imports in IMPORTS.items()
             if m.startswith(("pipelines.script.", "pipelines.video.", "pipelines.voice."))
             for target, line in imports if _ours(target) in services and m not in services]
    assert not wrong, "\n".join(wrong)


def test_no_module_imports_itself_through_others():
    """No circles, counting imports inside functions too (package faces that only hand names on excepted)."""
    graph: dict[str, set[str]] = {m: set() for m in SOURCES}
    for m, imports in IMPORTS.items():
        for target, _ in imports:
            ours = _ours(target)
            if ours and ours != m and SOURCES[ours].name != "__init__.py":
                graph[m].add(ours)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert not circles, f"import circles: {circles}"
