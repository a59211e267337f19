"""The import graph of the gongkai package, read from the source with ``ast`` (module-level
and function-level imports alike: a lazy import is still a dependency)."""
from __future__ import annotations

import ast
from pathlib import Path


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def import_graph(root: Path, package: str = "gongkai") -> dict[str, set[str]]:
    """Module → the package's modules it imports.  ``from pkg import name`` depends on the
    submodule ``pkg.name`` when there is one, else on ``pkg`` itself.  Alembic migration
    scripts are left out (Alembic loads them, nothing imports them)."""
    files = [p for p in (root / package).rglob("*.py") if "migrations" not in p.parts]
    names = {module_name(root, p) for p in files}
    graph: dict[str, set[str]] = {}
    for p in files:
        me = module_name(root, p)
        here = me.split(".") if p.name == "__init__.py" else me.split(".")[:-1]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(p.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here[:len(here) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for a in node.names:
                    full = f"{target}.{a.name}"
                    deps.add(full if full in names else target)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names)
        graph[me] = {d for d in deps if d in names and d != me}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
    return out
