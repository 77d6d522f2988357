"""The modules of an app import one way: each only from the layers below its own, at module level.

The layers are those the package docstrings state (``ocop/monitoring/__init__.py``,
``ocop/jobs/__init__.py``). A module imported from inside a function, an import up or across the
layers, or a module placed in no layer fails here, with the line that does it. ``apps.py`` is
the one exception to "at module level": Django loads it before the models, so its ``ready()``
imports what it registers.
"""

import ast
from pathlib import Path

import pytest

import ocop

ROOT = Path(ocop.__file__).resolve().parent.parent

# Lowest layer first. A name stands for the module or for every module below that folder.
LAYERS = {
    "ocop.monitoring": [
        {"choices", "progress", "charts"},
        {"units", "models", "maps"},
        {"selectors"},
        {"measures"},
        {"figures"},
        {"dashboard", "services"},
        {"presenting", "forms", "demo"},
        {"reports"},
        {"tasks", "views", "api", "templatetags", "management", "apps"},
        {"urls"},
    ],
    "ocop.jobs": [
        {"choices", "kinds", "backends"},
        {"models"},
        {"runner", "periodic", "selectors"},
        {"tasks"},
        {"services"},
        {"views", "api", "admin", "management", "apps"},
        {"urls"},
    ],
}
SKIPPED = ("tests", "migrations")


def _modules(package: str) -> dict[str, Path]:
    """Dotted name below the package -> file, for every module but tests and migrations."""
    folder = ROOT / package.replace(".", "/")
    found = {}
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(folder).with_suffix("").parts
        if parts[0] in SKIPPED or parts == ("__init__",):
            continue
        found[".".join(p for p in parts if p != "__init__")] = path
    return found


def _layer(package: str, name: str) -> int | None:
    for number, layer in enumerate(LAYERS[package]):
        if name in layer or name.split(".")[0] in layer:
            return number
    return None


def _imports(package: str, name: str, path: Path):
    """(sibling imported, line, inside a function) for each import of the package's modules,
    and (None, line, True) for any other import made inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = f"{package}.{name}".split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inside.update(id(child) for child in ast.walk(node) if child is not node)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        local = id(node) in inside
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            targets = [f"{module}.{alias.name}" for alias in node.names]
        siblings = {t[len(package) + 1 :].split(".")[0] for t in targets if t.startswith(f"{package}.")}
        siblings &= {n.split(".")[0] for n in _modules(package)}
        for sibling in siblings:
            yield sibling, node.lineno, local
        if local and not siblings:
            yield None, node.lineno, local


@pytest.mark.parametrize("package", LAYERS)
def test_every_module_imports_only_from_the_layers_below_it(package):
    problems = []
    for name, path in _modules(package).items():
        layer = _layer(package, name)
        if layer is None:
            problems.append(f"{name}: in no layer")
            continue
        for sibling, line, local in _imports(package, name, path):
            where = f"{path.relative_to(ROOT)}:{line}"
            if local and name != "apps":
                problems.append(f"{where}: imports inside a function")
            below = _layer(package, sibling) if sibling is not None else None
            if below is not None and not below < layer:
                problems.append(f"{where}: {name} imports {sibling}, which is not below it")
    assert problems == [], "\n".join(problems)
