"""The per-report checks.  Each check is a small function registered (``registry.rule``)
with an ID, a severity, a Chinese title and a docstring; it sees a Report and returns
Findings.  Rules with ``stage="parse"`` are reported by the parser itself and are listed
here so that every finding ID is documented in one place; rules with ``stage="corpus"``
look at many reports at once and register from ``gongkai.corpus.crosscheck`` (the
corpus layer builds on this one, never the reverse)."""
from __future__ import annotations

from typing import Iterable

from ..model import Finding, Report
from . import arithmetic, cells, narrative, parse_rules, structure, values, years  # noqa: F401  (register)
from .registry import REGISTRY, Rule, finding, rule

__all__ = ["REGISTRY", "Rule", "finding", "rule", "rules", "run_checks"]


def run_checks(report: Report, only: Iterable[str] | None = None) -> list[Finding]:
    out: list[Finding] = []
    for r in REGISTRY.values():
        if r.func is None or (only and r.id not in only):
            continue
        out.extend(r.func(report))
    return out


def rules() -> list[Rule]:
    """Every registered rule, by ID (the corpus rules once ``gongkai.corpus.crosscheck`` is
    imported; ``gongkai.docs.all_rules`` lists them all)."""
    return sorted(REGISTRY.values(), key=lambda r: r.id)
