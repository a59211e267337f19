"""The rule registry: every rule's ID, severity, Chinese title and docstring in one place.
The per-report checks (this package) and the rules across reports
(``gongkai.corpus.crosscheck``) register here with ``rule``; ``finding`` makes a finding
of a registered rule."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..model import Finding


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
    r = REGISTRY[rule_id]
    return Finding(rule_id, severity or r.severity, message, **kw)
