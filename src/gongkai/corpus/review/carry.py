"""A review survives a re-import or re-parse of its document (``store`` updates the report
in place, keeping its id, and calls ``before_replace`` then ``after_replace`` in the same
transaction).  Nothing of the review is deleted: versions, finding decisions and the state
log stay attached to the report id; then the effective data is made again over the new
parse:

- each corrected or confirmed cell keeps the reviewer's value (a person's decision beats a
  machine's).  Where the new parse reads the cell differently from the old parse, a
  ``reparse`` version notes it (「解析结果已变更：原解析 X，新解析 Y，保留审核更正 Z」, or
  「与审核更正 Z 一致」 when the parser now reads what the reviewer set); a cell the new
  parse no longer has is noted and its correction no longer applies;
- a version with action ``parse`` and no field records the new parse as the baseline
  (its findings and derived columns, as version 0 did for the first parse: the as-parsed
  export reads the newest such row);
- the checks rerun (``recheck``) and the counts are recomputed, dismissed findings not
  counted;
- an approved (已通过) report stays approved only when its effective data — every cell's
  effective value and status, the year, agency name and formats — is unchanged; otherwise an
  automatic, audited state entry (by 「系统」) puts it back to 待审核.  待审核 and 已退回 stay."""
from __future__ import annotations

import json
from dataclasses import dataclass

from .. import schema as S
from ..store import keep_on_replace
from .cells import ACTION_ZH, _bind, _now, _same, _shown, effective_cells, newest_versions, versions
from .state import REVIEW_ZH, SUMMARY_COLUMNS, current_state, finding_rows, refresh_counts

SYSTEM = "系统"                 # by_user of the entries a re-parse writes
MAX_NAMED = 5                  # cells named in the reason of an automatic return to 待审核
META = ("year", "agency_raw", "format", "t3_format")
META_ZH = {"year": "年度", "agency_raw": "机关名称", "format": "表二格式", "t3_format": "表三格式"}


@dataclass
class Before:
    """What the report was before its parse was replaced."""
    readings: dict         # field ID → (value, status) as the old parse read it
    effective: dict        # field ID → (value, status) as reviewed
    meta: dict


def before_replace(c, report_id: int) -> Before | None:
    """The report's readings and effective data (None: the report has no review)."""
    import sqlalchemy as sa
    from ..stored import report_cells
    if not any(c.execute(sa.select(t.c.id).where(t.c.report_id == report_id).limit(1)).first()
               for t in (S.report_versions, S.finding_reviews, S.report_reviews)):
        return None
    readings = {x.id: _reading(x) for x in report_cells(c, report_id)}
    r = S.reports
    meta = dict(c.execute(sa.select(*[r.c[k] for k in META]).where(r.c.id == report_id)).one()._mapping)
    return Before(readings, _effective(readings, newest_versions(c, report_id)[0]), meta)


def after_replace(c, corpus, report_id: int, before: Before) -> list[str]:
    """Lay the review over the report's new parse (see the module); returns the notes."""
    from ..accounts import EVERYTHING
    from ..stored import report_cells, visible_report
    parsed = report_cells(c, report_id)
    readings = {x.id: _reading(x) for x in parsed}
    newest, decided = newest_versions(c, report_id)
    row = visible_report(c, report_id, EVERYTHING)
    notes = []
    if newest:
        notes = _lay_over(c, corpus, row, parsed, readings, newest, decided, before)
    elif c.execute(S.finding_reviews.select().where(S.finding_reviews.c.report_id == report_id).limit(1)).first():
        refresh_counts(c, corpus, row, None, None)          # dismissed findings are not counted
    _reopen_if_changed(c, row, before, _effective(readings, newest))
    return notes


def _lay_over(c, corpus, row, parsed, readings, newest, decided, before) -> list[str]:
    from ... import PARSER_VERSION
    from ..audit import record as audit
    from ..stored import field_labels
    from .recheck import recheck
    labels = field_labels()
    last = versions(c, row.id)[-1].version
    parse_findings = finding_rows(c, row.id)
    m = row._mapping
    base = _version_row(row.id, last + 1, "parse", None, parse_findings, {k: m[k] for k in SUMMARY_COLUMNS})
    changed = [f for f in readings.keys() | before.readings.keys()
               if f not in readings or f not in before.readings or _differs(readings[f], before.readings[f])]
    per_field = []                      # (field ID, the new reading, the reviewer's, note)
    for f, v in newest.items():
        act = ACTION_ZH[decided.get(f, v).action]
        z = (v.new_value, v.new_status)
        if f not in readings:
            per_field.append((f, None, z, f"新解析没有此单元格，审核{act} {_shown(*z)} 不再适用"))
            continue
        was, now = before.readings.get(f), readings[f]
        if was is not None and not _differs(was, now):
            continue
        old = _shown(*was) if was is not None else "无此单元格"
        tail = f"与审核{act} {_shown(*z)} 一致" if not _differs(now, z) else f"保留审核{act} {_shown(*z)}"
        per_field.append((f, now, z, f"解析结果已变更：原解析 {old}，新解析 {_shown(*now)}，{tail}"))
    notes = [f"「{labels.get(f, f)}」{note}" for f, _n, _z, note in per_field]
    head = f"重新解析（解析器第 {PARSER_VERSION} 版）："
    if not changed:
        base["reason"] = head + "解析结果未变，审核更正和确认均保留"
    else:
        base["reason"] = head + f"{len(changed)} 个单元格的解析结果有变化" + \
            ("；" + "；".join(notes) if notes else "，均不是审核过的单元格")
    vid = c.execute(S.report_versions.insert().values(**base)).inserted_primary_key[0]
    cells = effective_cells(c, row.id, parsed)
    findings, _with_source = recheck(c, row, cells, parse_findings)
    summary = refresh_counts(c, corpus, row, cells, findings)
    bind = _bind(corpus)
    for k, (f, now, z, note) in enumerate(x for x in per_field if x[1] is not None):
        c.execute(S.report_versions.insert().values(**_version_row(
            row.id, last + 2 + k, "reparse", _field_no(c, f), findings, summary, reason=note,
            old_value=bind(now[0]), old_status=now[1], new_value=bind(z[0]), new_status=z[1])))
    audit(c, SYSTEM, "report.reparse", "report_versions", vid, old={"report_id": row.id, "version": last},
          new={"report_id": row.id, "version": last + 1, "changed_cells": len(changed), "notes": notes,
               "n_errors": summary["n_errors"], "n_warnings": summary["n_warnings"]})
    return notes


def _reopen_if_changed(c, row, before: Before, effective: dict):
    """已通过 → 待审核 (an automatic, audited entry) when the effective data changed."""
    from ..audit import record as audit
    from ..stored import field_labels
    state = current_state(c, row.id)
    if state != "approved":
        return
    m = row._mapping
    cells = sorted(f for f in effective.keys() | before.effective.keys()
                   if f not in effective or f not in before.effective or _differs(effective[f], before.effective[f]))
    meta = [META_ZH[k] for k in META if before.meta[k] != m[k]]
    if not cells and not meta:
        return
    labels = field_labels()
    what = []
    if cells:
        named = "、".join(f"「{labels.get(f, f)}」" for f in cells[:MAX_NAMED])
        what.append(f"{len(cells)} 个单元格：{named}" + ("等" if len(cells) > MAX_NAMED else ""))
    what += meta
    comment = f"重新解析后有效数据已变化（{'；'.join(what)}），原「{REVIEW_ZH[state]}」自动改为待审核，请重新审核"
    rid = c.execute(S.report_reviews.insert().values(report_id=row.id, status="pending", comment=comment,
                                                     by_user=SYSTEM, at=_now())).inserted_primary_key[0]
    audit(c, SYSTEM, "report.reopen", "report_reviews", rid, old={"status": state},
          new={"report_id": row.id, "status": "pending", "comment": comment})


def _version_row(report_id, version, action, field_no, findings, summary, **more) -> dict:
    return {"report_id": report_id, "version": version, "action": action, "field_no": field_no, "by_user": SYSTEM,
            "at": _now(), "findings": json.dumps([f.to_dict() for f in findings], ensure_ascii=False),
            "summary": json.dumps(summary, ensure_ascii=False, default=str), **more}


def _field_no(c, fid: str) -> int:
    import sqlalchemy as sa
    return c.execute(sa.select(S.fields.c.no).where(S.fields.c.id == fid)).scalar()


def _reading(x) -> tuple:
    """(value, status) as the parser read a stored cell (before a re-rank by the 表二 priors,
    which run again after the import)."""
    src = json.loads(x.source) if x.source else {}
    parse = src.get("parse") if isinstance(src, dict) else None
    return (parse.get("value") if isinstance(parse, dict) else x.value), x.status


def _effective(readings: dict, newest: dict) -> dict:
    return {f: ((newest[f].new_value, newest[f].new_status) if f in newest else r) for f, r in readings.items()}


def _differs(a: tuple, b: tuple) -> bool:
    return a[1] != b[1] or not _same(a[0], b[0])


keep_on_replace(before_replace, after_replace)
