"""Rerun the checks on a report's effective data, as the import ran them: the same
``checks.run_checks`` over a ``Report`` whose cells are the effective cells.

The corpus keeps no prose, so the rest of that Report — the narrative, the claims it
states, the parse's meta (tables and sections found, the period, the years named) — comes
from parsing the original file again (``originals.parsed_again``, cached; the file is
accepted only with the document's SHA-256).  Without the file only the rules over the
cells (``CELL_RULES``) are rerun and the other rules' findings are kept as they were.

Findings of the parser (stage "parse") describe the reading and are kept, except
``parse.uncertain``, made again from the cells still uncertain, and those all of whose
cells a reviewer has since corrected or confirmed (their doubt is settled)."""
from __future__ import annotations

import json

from ...model import Cell, Report, Source

# rules that read only the cells and the table formats: rerun even without the original file
CELL_RULES = ("t3.balance", "t3.row_total", "t3.outcome_total", "t4.group_total", "cells.blank", "cells.text",
              "value.type")
_SOURCE_KEYS = ("line_end", "bbox", "row", "col", "table", "ocr")


def recheck_rules() -> tuple[str, ...]:
    return CELL_RULES


def as_report_cells(cells) -> dict[str, Cell]:
    """Effective cells → the model's Cells (values as the parser gives them: int or Decimal)."""
    from ..export import _number
    out = {}
    for x in cells:
        extra = json.loads(x.source) if x.source else {}
        src = Source(line=x.line, page=x.page, **{k: extra[k] for k in _SOURCE_KEYS if k in extra})
        v = _number(x.value)
        raw = x.raw if x.raw is not None else ("" if v is None else str(v))
        out[x.id] = Cell(v, raw, x.status, x.reason, src, extra.get("alternatives") if x.status == "uncertain" else None)
    return out


def check_report(row, cells, files=None) -> tuple[Report, bool]:
    """(the Report to check, whether it has the original's prose and meta)."""
    m = row._mapping
    rc = as_report_cells(cells)
    parsed = _parsed(m, files)
    if parsed is not None:
        return Report(meta=parsed.meta, cells=rc, sections=parsed.sections, narrative=parsed.narrative,
                      claims=parsed.claims, source=parsed.source), True
    meta = {"agency": m["agency_raw"], "year": m["year"], "format": m["format"],
            "formats": {k: v for k, v in (("t2", m["format"]), ("t3", m["t3_format"] or m["format"])) if v}}
    return Report(meta=meta, cells=rc), False


def _parsed(m, files):
    from ..originals import DEFAULT_FILES, parsed_again
    try:
        path, _problem = (files or DEFAULT_FILES).find(m["sha256"], m["path"] or "")
        return parsed_again(path, m["sha256"]) if path is not None else None
    except Exception:           # the file cannot be read again: the rules over the cells still run
        return None


def recheck(c, row, cells, previous: list, files=None) -> tuple[list, bool]:
    """(the report's findings for its effective ``cells``, whether the original was read).
    ``previous``: its current findings (``state.finding_rows``)."""
    from ...checks import REGISTRY, run_checks
    from ...pipeline import uncertain_finding
    from ..stored import named_fields
    report, with_source = check_report(row, cells, files)
    reviewed = {x.id for x in cells if x.version}
    present = [x.id for x in cells]

    def stage(f) -> str:
        r = REGISTRY.get(f.rule)
        return r.stage if r is not None else "parse"

    out = []
    for f in previous:
        if f.rule == "parse.uncertain" or stage(f) == "check":
            continue
        named = named_fields(f.fields, present)
        if named and all(x in reviewed for x in named):
            continue
        out.append(f)
    unc = uncertain_finding([x.id for x in cells if x.status == "uncertain"])
    if unc is not None:
        out.append(unc)
    if with_source:
        out += run_checks(report)
    else:
        out += run_checks(report, only=CELL_RULES)
        out += [f for f in previous if stage(f) == "check" and f.rule not in CELL_RULES]
    return out, with_source
