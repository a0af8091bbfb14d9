"""The tree is the architecture: core imports no Streamlit, its packages form no cycle, paths live in one place."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "core"


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


def _core_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in CORE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        deps = {d for d in _imports(path) if d in modules and d != name}
        # importing core.x.y also runs core.x's __init__; a package's own __init__ re-exports its modules
        graph[name] = {d for d in deps if not name.startswith(d + ".")}
    return graph


def test_core_never_imports_streamlit():
    offenders = [str(p.relative_to(ROOT)) for p in CORE.rglob("*.py")
                 if any(m == "streamlit" or m.startswith(("streamlit.", "ui", "views")) for m in _imports(p))]
    assert offenders == []


def test_core_modules_form_no_import_cycle():
    graph = _core_graph()
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
    """Only core.training.loop calls an optimiser step: the CLI recipes and every live trainer go through it."""
    steppers = [str(p.relative_to(ROOT)) for folder in ("core", "ui", "views") for p in (ROOT / folder).rglob("*.py")
                if re.search(r"\.step\(\)", p.read_text(encoding="utf-8"))]
    assert steppers == ["core/training/loop.py"]
