"""The bundled sample reports (``gongkai demo``, ``gongkai web --demo``, the tests)."""
from __future__ import annotations

from importlib import resources


def sample_files() -> list[str]:
    d = resources.files("gongkai").joinpath("samples")
    return sorted(str(p) for p in d.iterdir() if p.is_file() and not p.name.startswith("."))
