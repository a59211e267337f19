"""The package's layering: no import circles, and a layer imports only the layers below it
(the library never imports its faces; the web app and the command line never import each
other, except ``cli/web.py``, which starts the server)."""
from importgraph import cycles, import_graph

from conftest import ROOT

SRC = ROOT / "src"

# top-level module or package of gongkai → its layer; a module may import its own layer or lower ones
LAYERS = {
    "version": 0, "errors": 0, "limits": 0, "formats": 0, "model": 0,
    "read": 1, "extract": 1, "checks": 1,
    "pipeline": 2, "render": 2, "display": 2, "crash": 2, "": 2,       # "": the package's __init__
    "batch": 3, "synth": 3, "degrade": 3, "bundled": 3,
    "corpus": 4,
    "register": 5,
    "docs": 6, "web": 6,
    "cli": 7, "__main__": 8,
}
FACES_MAY_MEET = {("gongkai.cli.web", "gongkai.web")}


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_import_graph_sees_lazy_imports(tmp_path):
    pkg = tmp_path / "gongkai"
    (pkg / "a").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a" / "__init__.py").write_text("from .x import f\n")
    (pkg / "a" / "x.py").write_text("def f():\n    from ..b import g\n")
    (pkg / "b.py").write_text("from .a import x\n")
    g = import_graph(tmp_path)
    assert g["gongkai.a.x"] == {"gongkai.b"} and g["gongkai.b"] == {"gongkai.a.x"}
    assert cycles(g) == [["gongkai.a.x", "gongkai.b"]]


def test_no_import_circles():
    assert cycles(import_graph(SRC)) == []


def test_every_module_has_a_layer_and_imports_only_downwards():
    graph = import_graph(SRC)
    unknown = sorted({_top(m) for m in graph} - set(LAYERS))
    assert not unknown, f"give these a layer in LAYERS: {unknown}"
    upward = []
    for m, deps in graph.items():
        for d in deps:
            if LAYERS[_top(d)] > LAYERS[_top(m)] and not any(m == a and d.startswith(b) for a, b in FACES_MAY_MEET):
                upward.append(f"{m} → {d}")
            if {_top(m), _top(d)} == {"web", "cli"} and not any(m == a for a, _ in FACES_MAY_MEET):
                upward.append(f"{m} → {d}")
    assert not upward, upward
