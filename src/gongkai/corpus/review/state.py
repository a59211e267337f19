"""The review state of a report and the decisions on its findings, both append-only:
``report_reviews`` (the newest row is the state: pending 待审核, approved 已通过,
returned 已退回) and ``finding_reviews`` (confirmed 已确认 / dismissed 已驳回, keyed by
rule + cells so that a recheck keeps a decision on a finding that still fails).  Every
write runs in ``lock_report``'s transaction, checks the user's scope and rights first,
and is audited."""
from __future__ import annotations

import json
from contextlib import contextmanager

from .. import schema as S
from ..indicators import INDICATORS
from .rights import REFUSED_IN, ROLE_ACTIONS, refusal
from .values import MAX_COMMENT, ReviewError, clean_text

NOT_FOUND = "没有这份报告，或它不在您的权限范围内"
REVIEW_ZH = {"pending": "待审核", "approved": "已通过", "returned": "已退回"}
DECISION_ZH = {None: "未处理", "confirmed": "已确认", "dismissed": "已驳回"}
SUMMARY_COLUMNS = ("n_uncertain", "n_errors", "n_warnings", "value_array", "status_codes",
                   *[i.id for i in INDICATORS])


@contextmanager
def lock_report(corpus, report_id):
    """A write transaction holding the report: SQLite takes the write lock at once,
    PostgreSQL locks the report's row (two reviewers get versions 1 and 2, never two 1s)."""
    import sqlalchemy as sa
    with corpus.engine.begin() as c:
        if c.dialect.name == "sqlite":
            c.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            c.execute(sa.select(S.reports.c.id).where(S.reports.c.id == _id(report_id)).with_for_update())
        yield c


def _id(report_id) -> int:
    try:
        n = int(report_id)
    except (TypeError, ValueError):
        raise ReviewError(NOT_FOUND, 404) from None
    if not 0 < n < 2 ** 31:
        raise ReviewError(NOT_FOUND, 404)
    return n


def prepare(c, user, report_id, action: str):
    """(the report's row, its review state) — after checking that the report is in the
    user's scope and the user may do ``action`` now; else ReviewError."""
    from ..accounts import scope_of
    from ..stored import visible_report
    if user is None or not getattr(user, "active", False) or not getattr(user, "id", 0):
        raise ReviewError("请先登录", 401)
    row = visible_report(c, _id(report_id), scope_of(user))
    if row is None:
        raise ReviewError(NOT_FOUND, 404)
    state = current_state(c, row.id)
    why = refusal(user, action, state)
    if why:
        raise ReviewError(why, 400 if state in REFUSED_IN[action] and user.can_write and
                          action in ROLE_ACTIONS.get(user.role, ()) else 403)
    return row, state


def current_state(c, report_id: int) -> str | None:
    import sqlalchemy as sa
    rr = S.report_reviews
    return c.execute(sa.select(rr.c.status).where(rr.c.report_id == report_id)
                     .order_by(rr.c.id.desc()).limit(1)).scalar()


def rights_of(corpus, report_id: int, user) -> dict[str, bool]:
    """What ``user`` may do now to the report (its review state read; the scope is the
    reader's concern: every action checks it again)."""
    from .rights import may
    with corpus.engine.connect() as c:
        return may(user, current_state(c, _id(report_id)))


def latest_states():
    """A subquery (report_id, status): each reviewed report's current review state."""
    import sqlalchemy as sa
    rr = S.report_reviews
    last = sa.select(rr.c.report_id, sa.func.max(rr.c.id).label("id")).group_by(rr.c.report_id).subquery()
    return sa.select(rr.c.report_id, rr.c.status).join(last, last.c.id == rr.c.id).subquery()


def versions(c, report_id: int) -> list:
    """The report's versions (report_versions rows), oldest first."""
    import sqlalchemy as sa
    v = S.report_versions
    return c.execute(sa.select(v).where(v.c.report_id == report_id).order_by(v.c.version)).all()


# ------------------------------------------------------------------ findings

def finding_rows(c, report_id: int) -> list:
    """The report's own findings (not those across reports) as ``Finding`` objects, in
    stored order, each with its row id as ``.id``."""
    from ...model import Finding
    import sqlalchemy as sa
    fi = S.findings
    out = []
    for x in c.execute(sa.select(fi).where(fi.c.report_id == report_id, fi.c.scope == "report").order_by(fi.c.id)):
        f = Finding(x.rule, x.severity, x.message, x.table_id, tuple(json.loads(x.fields)) if x.fields else (),
                    tuple(json.loads(x.lines)) if x.lines else (), json.loads(x.data) if x.data else None)
        f.id = x.id
        out.append(f)
    return out


def finding_key(rule: str, fields) -> tuple[str, str]:
    """A finding's identity across rechecks: its rule and the cells it names."""
    if isinstance(fields, str):
        fields = json.loads(fields) if fields else []
    return rule, json.dumps(sorted(fields or ()), ensure_ascii=False)


def decisions(c, report_id: int) -> dict:
    """(rule, cells) → the newest decision row on a finding with that identity."""
    import sqlalchemy as sa
    fr = S.finding_reviews
    out = {}
    for x in c.execute(sa.select(fr).where(fr.c.report_id == report_id).order_by(fr.c.id)):
        out[(x.rule, x.cells)] = x
    return out


def refresh_counts(c, corpus, row, cells, findings) -> dict:
    """Write the report's derived columns from its effective ``cells`` and ``findings``
    (``None``: the stored ones): n_uncertain, n_errors and n_warnings (a dismissed
    finding is not counted), value_array, status_codes and the indicators.  Returns them."""
    from ..indicators import stored_row
    stored_findings = findings is None
    if stored_findings:
        findings = finding_rows(c, row.id)
    dec = decisions(c, row.id)
    live = [f for f in findings if getattr(dec.get(finding_key(f.rule, f.fields)), "decision", None) != "dismissed"]
    m = row._mapping
    vals = json.loads(m["value_array"])
    codes = list(m["status_codes"])
    numbers = {}
    summary = {}
    if cells is not None:
        from ..export import _number
        pos = {f: i for i, f in enumerate(corpus.field_ids)}
        for x in cells:
            v = _number(x.value)
            numbers[x.id] = v
            k = pos.get(x.id)
            if k is not None and x.version:
                vals[k] = float(v) if hasattr(v, "as_tuple") else v
                codes[k] = S.STATUS_CODE.get(x.status, "u")
        indicators = stored_row(numbers)
        summary = {"n_uncertain": sum(x.status == "uncertain" for x in cells),
                   "value_array": json.dumps(vals, separators=(",", ":")), "status_codes": "".join(codes),
                   **{i.id: indicators[i.id] for i in INDICATORS}}
        c.execute(S.report_indicators.update().where(S.report_indicators.c.report_id == row.id).values(**indicators))
    summary["n_errors"] = sum(f.severity == "error" for f in live)
    summary["n_warnings"] = sum(f.severity == "warning" for f in live)
    if not stored_findings:
        c.execute(S.findings.delete().where(S.findings.c.report_id == row.id, S.findings.c.scope == "report"))
        if findings:
            c.execute(S.findings.insert(), [
                {"report_id": row.id, "scope": "report", "rule": f.rule, "severity": f.severity,
                 "message": f.message, "table_id": f.table,
                 "fields": json.dumps(list(f.fields), ensure_ascii=False) if f.fields else None,
                 "lines": json.dumps(list(f.lines)) if f.lines else None,
                 "data": json.dumps(f.data, ensure_ascii=False, default=str) if f.data else None,
                 "reports": None} for f in findings])
    c.execute(S.reports.update().where(S.reports.c.id == row.id).values(**summary))
    return {**{k: m[k] for k in SUMMARY_COLUMNS}, **summary}


def review_finding(corpus, user, report_id: int, finding_id: int, decision: str, comment: str = "") -> str:
    """确认 (``confirmed``) or 驳回 (``dismissed``, a comment required) a finding of the
    report; returns the decision.  A dismissed finding no longer counts in the report's
    errors and warnings.  Raises ReviewError."""
    import sqlalchemy as sa
    from ..audit import record as audit
    if decision not in ("confirmed", "dismissed"):
        raise ReviewError("审核意见只能是「确认」或「驳回」")
    comment = clean_text(comment, "驳回理由" if decision == "dismissed" else "意见", decision == "dismissed",
                         MAX_COMMENT)
    with lock_report(corpus, report_id) as c:
        row, _state = prepare(c, user, report_id, "finding")
        fi = S.findings
        try:
            fid = int(finding_id)
        except (TypeError, ValueError):
            fid = -1
        f = c.execute(sa.select(fi).where(fi.c.id == fid, fi.c.report_id == row.id,
                                          fi.c.scope == "report")).first() if 0 < fid < 2 ** 31 else None
        if f is None:
            raise ReviewError("这份报告没有这条校验发现（报告可能刚被更正、重新校验过，请刷新页面）")
        rule, cells = finding_key(f.rule, f.fields)
        have = versions(c, row.id)
        before = decisions(c, row.id).get((rule, cells))
        rid = c.execute(S.finding_reviews.insert().values(
            report_id=row.id, rule=rule, cells=cells, finding_id=f.id, version=have[-1].version if have else 0,
            decision=decision, comment=comment, by_user=user.name, at=_now())).inserted_primary_key[0]
        audit(c, user.name, f"finding.{decision}", "finding_reviews", rid,
              old=None if before is None else {"decision": before.decision, "comment": before.comment},
              new={"report_id": row.id, "finding": f.id, "rule": rule, "decision": decision, "comment": comment})
        refresh_counts(c, corpus, row, None, None)
    return decision


# ------------------------------------------------------------------ the report's state

def _set_state(corpus, user, report_id, action: str, status: str, comment: str, required: bool) -> str:
    from ..audit import record as audit
    comment = clean_text(comment, "退回意见" if action == "return" else "意见", required, MAX_COMMENT)
    with lock_report(corpus, report_id) as c:
        row, before = prepare(c, user, report_id, action)
        if action == "approve" and (row.n_errors or 0) > 0 and not comment:
            raise ReviewError(f"报告仍有 {row.n_errors} 个错误：通过审核须填写意见（说明为何可以通过）")
        rid = c.execute(S.report_reviews.insert().values(report_id=row.id, status=status, comment=comment,
                                                         by_user=user.name, at=_now())).inserted_primary_key[0]
        audit(c, user.name, f"report.{action}", "report_reviews", rid, old={"status": before},
              new={"report_id": row.id, "status": status, "comment": comment})
    return status


def submit(corpus, user, report_id: int, comment: str = "") -> str:
    """提交审核: → pending (staff of the agency, or a reviewer)."""
    return _set_state(corpus, user, report_id, "submit", "pending", comment, False)


def approve(corpus, user, report_id: int, comment: str = "") -> str:
    """通过: → approved (a reviewer in scope; with errors left, a comment is required)."""
    return _set_state(corpus, user, report_id, "approve", "approved", comment, False)


def return_report(corpus, user, report_id: int, comment: str) -> str:
    """退回: → returned, with the comments for the agency (required)."""
    return _set_state(corpus, user, report_id, "return", "returned", comment, True)


def state_history(c, report_id: int) -> list[dict]:
    import sqlalchemy as sa
    rr = S.report_reviews
    return [{"status": x.status, "status_zh": REVIEW_ZH.get(x.status, x.status), "comment": x.comment or "",
             "by": x.by_user, "at": x.at}
            for x in c.execute(sa.select(rr).where(rr.c.report_id == report_id).order_by(rr.c.id.desc()))]


def _now():
    from datetime import datetime, timezone
    return datetime.now(timezone.utc)
