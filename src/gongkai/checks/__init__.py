"""The rule registry.  Each check is a small function registered with an ID, a
severity, a Chinese title and a docstring; it sees a Report and returns Findings.
Rules with ``stage="parse"`` are reported by the parser itself and are listed here
so that every finding ID is documented in one place; rules with ``stage="corpus"``
look at many reports at once (``gongkai.corpus.crosscheck``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from ..model import Finding, Report


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str              # zh
    doc: str                # en, for developers and the generated reference
    func: Callable | None
    stage: str = "check"    # "check" | "parse" | "corpus" (across reports: gongkai.corpus.crosscheck)
    corpus_func: Callable | None = None


REGISTRY: dict[str, Rule] = {}


def rule(rule_id: str, severity: str, title: str, stage: str = "check"):
    def deco(func):
        if rule_id in REGISTRY:
            raise ValueError(f"duplicate rule {rule_id}")
        REGISTRY[rule_id] = Rule(rule_id, severity, title, (func.__doc__ or "").strip(),
                                 func if stage == "check" else None, stage,
                                 func if stage == "corpus" else None)
        return func
    return deco


def finding(rule_id: str, message: str, severity: str | None = None, **kw) -> Finding:
    if rule_id not in REGISTRY:
        _load_all()
        if rule_id not in REGISTRY:          # a rule across reports
            _load_all(corpus=True)
    r = REGISTRY[rule_id]
    return Finding(rule_id, severity or r.severity, message, **kw)


def run_checks(report: Report, only: Iterable[str] | None = None) -> list[Finding]:
    _load_all()
    out: list[Finding] = []
    for r in REGISTRY.values():
        if r.func is None or (only and r.id not in only):
            continue
        out.extend(r.func(report))
    return out


def rules() -> list[Rule]:
    _load_all(corpus=True)
    return sorted(REGISTRY.values(), key=lambda r: r.id)


def _load_all(corpus: bool = False):
    """Register the rules.  The per-report checks are this package's modules; the rules
    across reports live with the corpus (stage "corpus") and are loaded only when asked for
    (listing every rule, or a corpus finding) — parsing one report needs no database layer."""
    from . import arithmetic, cells, narrative, parse_rules, structure, values, years  # noqa: F401
    if corpus:
        from ..corpus import crosscheck  # noqa: F401  (rules across reports, same registry)
