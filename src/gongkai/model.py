"""Core types: Source (provenance), Cell, Finding, Report.  The document model the
readers produce is in ``read/document.py``."""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

NOT_PRINTED = "表中未找到该行"   # reason of cells whose row was not found: value unknown (uncertain)
STATUSES = ("value", "blank", "text", "inferred", "uncertain")
SEVERITIES = ("error", "warning", "info")


def jsonable(x):
    """``x`` with every value JSON-serialisable (``json.dumps`` without ``default=``):
    Decimal → its exact string (as a cell's ``value`` in ``Cell.to_dict``), tuples and
    sets → lists, dates → ISO strings, paths → strings, objects with ``to_dict`` → their
    dict, dict keys → strings, non-finite floats and anything else → ``str``."""
    if x is None or isinstance(x, (bool, int, str)):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else str(x)
    if isinstance(x, Decimal):
        return str(x)
    if isinstance(x, dict):
        return {(k if isinstance(k, str) else str(jsonable(k))): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, (set, frozenset)):
        return sorted((jsonable(v) for v in x), key=str)
    if isinstance(x, (_dt.date, _dt.datetime, _dt.time)):
        return x.isoformat()
    if isinstance(x, PurePath):
        return str(x)
    if hasattr(x, "to_dict"):
        return jsonable(x.to_dict())
    if isinstance(x, bytes):
        return x.decode("utf-8", errors="replace")
    return str(x)


@dataclass(slots=True)
class Source:
    """Where a cell or finding came from."""
    file: str | None = None
    line: int | None = None
    line_end: int | None = None
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    row: int | None = None
    col: int | None = None
    table: int | None = None     # index of the table in the document (DOCX/HTML/PDF)
    ocr: bool | None = None      # read by OCR (its value needs the arithmetic to confirm it)

    def to_dict(self) -> dict:
        return {k: jsonable(v) for k in _SOURCE_FIELDS if (v := getattr(self, k)) is not None}


_SOURCE_FIELDS = tuple(Source.__dataclass_fields__)     # in declaration order


@dataclass(slots=True)
class Cell:
    """One table cell.  ``value`` is int, Decimal or None; a blank is never 0."""
    value: int | Decimal | None
    raw: str
    status: str                     # one of STATUSES
    reason: str | None = None       # why inferred / uncertain (zh)
    source: Source | None = None
    alternatives: list | None = None  # other readings when uncertain

    def doubt(self, why: str, alternatives: list | None = None) -> None:
        """Make this cell ``uncertain``: ``why`` goes before any earlier reason; the
        alternatives default to the reading it had."""
        self.status = "uncertain"
        self.reason = why + (f"；{self.reason}" if self.reason else "")
        self.alternatives = alternatives if alternatives is not None else (self.alternatives or [self.json_value()])

    def json_value(self):
        v = self.value
        if isinstance(v, Decimal):
            return jsonable(float(v))
        return jsonable(v)

    def to_dict(self) -> dict:
        v = self.value
        d: dict[str, Any] = {
            "value": str(v) if isinstance(v, Decimal) else v,
            "raw": self.raw,
            "status": self.status,
        }
        if self.reason:
            d["reason"] = self.reason
        if self.alternatives:
            d["alternatives"] = jsonable(self.alternatives)
        if self.source:
            d["source"] = self.source.to_dict()
        return d


@dataclass
class Finding:
    """What a check (or the parser) reports about a report."""
    rule: str
    severity: str
    message: str                     # zh, one line
    table: str | None = None         # "t2" | "t3" | "t4" | "meta" | "narrative" | ...
    fields: tuple[str, ...] = ()     # field IDs (or prefixes such as "t3.other.other")
    lines: tuple[int, ...] = ()      # source lines
    data: dict | None = None         # machine-readable details (expected/actual, …), JSON-ready

    def __post_init__(self):
        if self.data is not None:
            self.data = jsonable(self.data)

    def to_dict(self) -> dict:
        d = {"rule": self.rule, "severity": self.severity, "message": self.message}
        if self.table:
            d["table"] = self.table
        if self.fields:
            d["fields"] = list(self.fields)
        if self.lines:
            d["lines"] = list(self.lines)
        if self.data:
            d["data"] = jsonable(self.data)
        return d


@dataclass
class Report:
    """A parsed (or computed) annual report."""
    meta: dict
    cells: dict[str, Cell]
    sections: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    narrative: str = ""               # prose outside the tables (for narrative checks)
    claims: list = field(default_factory=list)   # facts stated in prose (extract.narrative)
    source: str | None = None

    @property
    def uncertain(self) -> list[str]:
        return [f for f, c in self.cells.items() if c.status == "uncertain"]

    def value(self, fid: str):
        c = self.cells.get(fid)
        return None if c is None else c.value

    def to_dict(self, detail: bool = True) -> dict:
        d = {
            "meta": jsonable(self.meta),
            "cells": {f: c.json_value() for f, c in self.cells.items()},
            "uncertain": self.uncertain,
            "findings": [f.to_dict() for f in self.findings],
        }
        if detail:
            d["detail"] = {f: c.to_dict() for f, c in self.cells.items()}
            d["sections"] = jsonable(self.sections)
        return d
