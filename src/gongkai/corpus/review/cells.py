"""A report's data as reviewed: the parse's cells (never changed) with each field's
newest version laid over them (``effective_cells``); ``correct_cell`` and
``confirm_cell`` add a version, rerun the checks at once and audit the change;
``history`` lists the versions."""
from __future__ import annotations

import json
from collections import namedtuple
from dataclasses import dataclass

from .. import schema as S
from .state import NOT_FOUND, finding_rows, lock_report, prepare, refresh_counts, versions
from .values import MAX_REASON, ReviewError, clean_text, parse_value

# a cell as the report view and the checks see it (stored.report_cells' columns + the version that set it)
EffectiveCell = namedtuple("EffectiveCell", "id value status raw reason line page source version")
ACTION_ZH = {"parse": "解析结果", "correct": "更正", "confirm": "确认", "reparse": "重新解析"}
STATUS_ZH = {"value": "数值", "blank": "空白", "text": "文字", "inferred": "推定", "uncertain": "存疑"}


def newest_versions(c, report_id: int) -> tuple[dict, dict]:
    """(field ID → its newest version row, field ID → its newest correction or
    confirmation): they differ where a re-parse noted a change (``carry``)."""
    import sqlalchemy as sa
    newest, decided = {}, {}
    rows = versions(c, report_id)
    if rows:
        fid = dict(c.execute(sa.select(S.fields.c.no, S.fields.c.id)).all())
        for v in rows:
            if v.field_no is not None:
                newest[fid[v.field_no]] = v
                if v.action != "reparse":
                    decided[fid[v.field_no]] = v
    return newest, decided


def effective_cells(c, report_id: int, parsed: list | None = None) -> list[EffectiveCell]:
    """The report's cells in field order, each with its newest correction or confirmation
    (``version`` > 0) or as parsed (``version`` 0).  ``parsed``: the cells already read
    (``stored.report_cells``)."""
    from ..stored import report_cells
    parsed = report_cells(c, report_id) if parsed is None else parsed
    newest, decided = newest_versions(c, report_id)
    out = []
    for x in parsed:
        v = newest.get(x.id)
        if v is None:
            out.append(EffectiveCell(*x, 0))
            continue
        d = decided.get(x.id, v)
        why = f"{ACTION_ZH[d.action]}（{d.by_user}）：{d.reason}" if d.reason else ACTION_ZH[d.action]
        if v is not d:
            why += f"；{v.reason}"
        printed = x.raw if x.raw is not None else _printed(x.value)
        out.append(EffectiveCell(x.id, v.new_value, v.new_status, printed if printed != _printed(v.new_value) else None,
                                 why, x.line, x.page, x.source, v.version))
    return out


def _plain(v):
    """A value for JSON: an int, or a decimal's exact text (None: blank)."""
    from ..export import _number
    v = _number(v)
    return v if v is None or isinstance(v, int) else str(v)


def _printed(v) -> str:
    from ..export import _number
    v = _number(v)
    return "" if v is None else str(v)


def _shown(value, status) -> str:
    if status == "blank" or (value is None and status != "text"):
        return "空白"
    p = _printed(value)
    return p if status == "value" else f"{p}（{STATUS_ZH.get(status, status)}）"


@dataclass
class Change:
    """What a correction or confirmation did: the new version, the report's counts after
    the recheck, and whether the checks could read the original file (else only the
    rules over the cells were rerun)."""
    version: int
    n_errors: int
    n_warnings: int
    n_uncertain: int
    rechecked_with_source: bool


def correct_cell(corpus, user, report_id: int, field_id: str, value: str, reason: str, files=None) -> Change:
    """Correct cell ``field_id`` of the report to ``value`` (typed text: a number of the
    field's kind, or 「空白」), with a reason.  Raises ReviewError."""
    reason = clean_text(reason, "更正理由", True, MAX_REASON)
    return _change(corpus, user, report_id, field_id, "correct", value, reason, files)


def confirm_cell(corpus, user, report_id: int, field_id: str, reason: str = "", files=None) -> Change:
    """Confirm an uncertain (or inferred) cell as the value it has (checked against the
    original).  Raises ReviewError."""
    reason = clean_text(reason, "确认说明", False, MAX_REASON) or "已对照原文核实"
    return _change(corpus, user, report_id, field_id, "confirm", None, reason, files)


def _change(corpus, user, report_id, field_id, action, typed, reason, files) -> Change:
    import sqlalchemy as sa
    from ..audit import record as audit
    from ..stored import field_labels
    from .recheck import recheck
    if not isinstance(field_id, str) or field_id not in field_labels():
        raise ReviewError(f"单元格编号「{str(field_id)[:40]}」无效")
    label = field_labels()[field_id]
    with lock_report(corpus, report_id) as c:
        row, _state = prepare(c, user, report_id, action)
        cells = effective_cells(c, row.id)
        by = {x.id: x for x in cells}
        old = by.get(field_id)
        if old is None:
            raise ReviewError(f"这份报告没有单元格「{label}」")
        if action == "correct":
            new_value, new_status = parse_value(field_id, typed, label)
            if new_status == old.status and _same(new_value, old.value):
                raise ReviewError(f"单元格「{label}」已是 {_shown(new_value, new_status)}，无需更正"
                                  + ("（存疑单元格请用「确认」）" if old.status == "uncertain" else ""))
        else:
            if old.status not in ("uncertain", "inferred"):
                raise ReviewError(f"单元格「{label}」不是存疑或推定的单元格，无需确认")
            if old.value is None:
                raise ReviewError(f"单元格「{label}」没有读数，请用「更正」填写原文的数值")
            new_value, new_status = old.value, "value"
        have = versions(c, row.id)
        if not have:
            _baseline(c, row)
        version = (have[-1].version if have else 0) + 1
        cells[cells.index(old)] = old._replace(value=new_value, status=new_status, version=version)
        findings, with_source = recheck(c, row, cells, finding_rows(c, row.id), files)
        summary = refresh_counts(c, corpus, row, cells, findings)
        no = c.execute(sa.select(S.fields.c.no).where(S.fields.c.id == field_id)).scalar()
        bind = _bind(corpus)
        vid = c.execute(S.report_versions.insert().values(
            report_id=row.id, version=version, action=action, field_no=no, old_value=bind(old.value),
            old_status=old.status, old_raw=old.raw, new_value=bind(new_value), new_status=new_status, reason=reason,
            by_user=user.name, at=_now(), findings=json.dumps([f.to_dict() for f in findings], ensure_ascii=False),
            summary=json.dumps(summary, ensure_ascii=False, default=str))).inserted_primary_key[0]
        audit(c, user.name, f"cell.{action}", "report_versions", vid,
              old={"report_id": row.id, "field": field_id, "value": _plain(old.value), "status": old.status},
              new={"report_id": row.id, "field": field_id, "value": _plain(new_value), "status": new_status,
                   "version": version, "reason": reason})
    return Change(version, summary["n_errors"], summary["n_warnings"], summary["n_uncertain"], with_source)


def _same(a, b) -> bool:
    from decimal import Decimal
    if a is None or b is None:
        return a is None and b is None
    return Decimal(str(a)) == Decimal(str(b))


def _bind(corpus):
    """A value as the database binds it (SQLite: float, as the import stores cells)."""
    from decimal import Decimal

    def bind(v):
        if isinstance(v, Decimal) and corpus.as_float:
            return float(v)
        if isinstance(v, float) and not corpus.as_float:
            return Decimal(str(v))
        return v
    return bind


def _baseline(c, row):
    """Version 0: the parse's findings and the reports row's derived columns as they were
    before the first change (the as-parsed export reads them)."""
    from .state import SUMMARY_COLUMNS
    m = row._mapping
    summary = {k: m[k] for k in SUMMARY_COLUMNS}
    c.execute(S.report_versions.insert().values(
        report_id=row.id, version=0, action="parse", by_user="", at=_now(),
        findings=json.dumps([f.to_dict() for f in finding_rows(c, row.id)], ensure_ascii=False),
        summary=json.dumps(summary, ensure_ascii=False, default=str)))


def _now():
    from datetime import datetime, timezone
    return datetime.now(timezone.utc)


def history(corpus, report_id: int, scope) -> list[dict] | None:
    """The versions of the report's data, newest first (None: absent or outside ``scope``):
    version, action (更正 / 确认), field and label, old → new, reason, who and when."""
    import sqlalchemy as sa
    from ..stored import field_labels, visible_report
    labels = field_labels()
    with corpus.engine.connect() as c:
        row = visible_report(c, int(report_id), scope)
        if row is None:
            return None
        fid = dict(c.execute(sa.select(S.fields.c.no, S.fields.c.id)).all())
        out = []
        for v in reversed(versions(c, row.id)):
            if v.version == 0:
                continue
            if v.field_no is None:          # a re-parse (``carry``): the new parse's baseline
                out.append({"version": v.version, "action": "reparse", "action_zh": ACTION_ZH["reparse"],
                            "field": "", "label": "", "old": "", "new": "", "reason": v.reason or "",
                            "by": v.by_user, "at": v.at})
                continue
            f = fid.get(v.field_no, "")
            out.append({"version": v.version, "action": v.action, "action_zh": ACTION_ZH.get(v.action, v.action),
                        "field": f, "label": labels.get(f, f), "old": _shown(v.old_value, v.old_status),
                        "new": _shown(v.new_value, v.new_status), "reason": v.reason or "", "by": v.by_user,
                        "at": v.at})
    return out


__all__ = ["Change", "EffectiveCell", "NOT_FOUND", "confirm_cell", "correct_cell", "effective_cells", "history",
           "newest_versions"]
