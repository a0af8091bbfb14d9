"""The tree is the architecture: core imports no Streamlit, the project's modules form no cycle and import each other at
the top only, views hold widgets and rendering (no cache, no tensor, no array), paths live in one place."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "core"
FIRST_PARTY = ("core", "ui", "views")
PROJECT = [*(p for folder in FIRST_PARTY for p in (ROOT / folder).rglob("*.py")), ROOT / "app.py", ROOT / "server.py"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module imported by ``path`` (absolute names, function-level imports included)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names)
    return out


def _graph(paths: list[Path]) -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in paths}
    graph = {}
    for name, path in modules.items():
        deps = {d for d in _imports(path) if d in modules and d != name}
        # importing core.x.y also runs core.x's __init__; a package's own __init__ re-exports its modules
        graph[name] = {d for d in deps if not name.startswith(d + ".")}
    return graph


def _function_imports(path: Path) -> list[str]:
    """The project's own modules that ``path`` imports inside a function (a hidden cycle, or a cost hidden from
    its reader): ``line: statement``."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for sub in ast.walk(node):
                names = ([a.name for a in sub.names] if isinstance(sub, ast.Import)
                         else [sub.module or ""] if isinstance(sub, ast.ImportFrom) else [])
                if any(n.split(".")[0] in FIRST_PARTY for n in names):
                    out.append(f"{sub.lineno}: {ast.unparse(sub)}")
    return out


def test_core_never_imports_streamlit():
    offenders = [str(p.relative_to(ROOT)) for p in CORE.rglob("*.py")
                 if any(m == "streamlit" or m.startswith(("streamlit.", "ui", "views")) for m in _imports(p))]
    assert offenders == []


def test_the_projects_modules_form_no_import_cycle():
    graph = _graph(PROJECT)
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*path[path.index(dep):], dep]))
            if dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])


def test_nothing_outside_core_paths_spells_an_asset_path():
    pattern = re.compile(r"""["'/]assets["'/]|"lessons"|/ "views" /|"runs"\b""")
    offenders = []
    for folder in ("core", "ui", "views", "benchmarks"):
        for p in (ROOT / folder).rglob("*.py"):
            if p == CORE / "paths.py":
                continue
            code = "\n".join(line for line in p.read_text(encoding="utf-8").splitlines()
                             if not line.lstrip().startswith(("#", '"', "'")))
            if pattern.search(code):
                offenders.append(str(p.relative_to(ROOT)))
    assert offenders == []


def test_there_is_one_training_loop():
    """Only core.training.loop takes optimiser steps, and its vectorised form for a class's runs trained together
    (core.training.together, which gives each run the loop's own result: tests/test_together.py); the CLI recipes and
    every live trainer go through them."""
    steppers = sorted(str(p.relative_to(ROOT)) for folder in ("core", "ui", "views") for p in (ROOT / folder).rglob("*.py")
                      if re.search(r"\.step\(\)", p.read_text(encoding="utf-8")))
    assert steppers == ["core/training/loop.py", "core/training/together.py"]


def test_the_project_imports_its_own_modules_at_the_top_only():
    offenders = {str(p.relative_to(ROOT)): found for p in PROJECT if (found := _function_imports(p))}
    assert offenders == {}


def test_views_hold_widgets_and_rendering_only():
    """A page's computations and caches live in ``ui/figures/<page>.py``: a view imports no tensor, array or picture
    library and caches nothing itself."""
    offenders = {}
    for view in (ROOT / "views").glob("*.py"):
        text = view.read_text(encoding="utf-8")
        found = sorted(m for m in _imports(view) if m.split(".")[0] in ("torch", "numpy", "PIL", "random", "scipy"))
        found += re.findall(r"st\.cache_\w+", text)
        if found:
            offenders[view.name] = found
    assert offenders == {}


def test_every_page_has_its_figure_module():
    views = {p.stem for p in (ROOT / "views").glob("*.py")}
    figures = {p.stem for p in (ROOT / "ui" / "figures").glob("*.py")} - {"__init__", "mosaic", "loss", "animation", "answers"}  # shared
    assert figures <= views, figures - views  # no figure module without its page
    assert views - figures == set(), "pages whose computations have no ui/figures module"


def test_every_colour_of_a_figure_comes_from_the_theme():
    literal = re.compile(r"""["'](#[0-9a-fA-F]{3,8}|rgba?\([^)]*\))["']""")
    offenders = {str(p.relative_to(ROOT)): literal.findall(p.read_text(encoding="utf-8"))
                 for folder in ("ui", "views") for p in (ROOT / folder).rglob("*.py") if p.name != "theme.py"}
    assert {k: v for k, v in offenders.items() if v} == {}
