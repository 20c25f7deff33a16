"""The engine's structure: its packages import each other without cycles (lazy imports inside functions
included), and each package's public face (``__all__``) names what it exports."""
import ast
import importlib
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parent.parent / "engine"
PACKAGES = sorted(p.parent.name for p in ENGINE.glob("*/__init__.py"))


def node(module: str) -> str:
    """The engine package or root module a dotted name belongs to: engine.train.trainer → engine.train."""
    return ".".join(module.split(".")[:2])


def imported(path: Path):
    """Every engine module named by an import statement in the file, wherever the statement is."""
    for stmt in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(stmt, ast.Import):
            yield from (alias.name for alias in stmt.names if alias.name.split(".")[0] == "engine")
        elif isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module \
                and stmt.module.split(".")[0] == "engine":
            if stmt.module == "engine":   # ``from engine import x``: x is a subpackage or the root's name
                yield from (f"engine.{a.name}" if (ENGINE / a.name).is_dir() or (ENGINE / f"{a.name}.py").exists()
                            else "engine" for a in stmt.names)
            else:
                yield stmt.module


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in ENGINE.rglob("*.py"):
        rel = path.relative_to(ENGINE.parent).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        here = node(".".join(parts))
        edges.setdefault(here, set()).update(node(m) for m in imported(path) if node(m) != here)
    return edges


def test_package_import_graph_is_acyclic():
    edges = graph()
    assert {"engine.network", "engine.train", "engine.rnorm", "engine.univariate"} <= set(edges)
    try:
        tuple(TopologicalSorter(edges).static_order())
    except CycleError as err:
        pytest.fail(f"engine packages import each other in a cycle: {' → '.join(err.args[1])}")


def test_network_is_the_ground_floor():
    """engine.network imports no other engine package; train, rnorm, kernel_regime and compress use it."""
    edges = graph()
    assert edges["engine.network"] <= {"engine.validation"}
    for package in ("engine.train", "engine.rnorm", "engine.kernel_regime", "engine.compress"):
        assert "engine.network" in edges[package], package


def test_cycle_detection_sees_lazy_imports(tmp_path):
    """The parser reads imports inside functions (how train ↔ rnorm used to hide a cycle)."""
    src = tmp_path / "lazy.py"
    src.write_text("def f():\n    from engine.train import train\n    import engine.rnorm.grid\n"
                   "from engine import interpolate, rnorm\n")
    assert sorted(imported(src)) == ["engine", "engine.rnorm", "engine.rnorm.grid", "engine.train"]


@pytest.mark.parametrize("package", ["engine", *(f"engine.{p}" for p in PACKAGES)])
def test_public_face(package):
    """Each package declares ``__all__`` and every name in it is importable from the package."""
    mod = importlib.import_module(package)
    assert isinstance(getattr(mod, "__all__", None), list) and mod.__all__, package
    assert len(set(mod.__all__)) == len(mod.__all__)
    for name in mod.__all__:
        assert getattr(mod, name, None) is not None, f"{package}.{name}"
