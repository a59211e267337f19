"""A stored report as the database holds it, for the pages and the review: its row (with
its agency and document, only within a scope), its parsed cells and findings, the
official field labels, and the names shown for statuses, severities and tables.  The page
assembly is ``detail``; the review (``review``) builds on this module, ``detail`` on both."""
from __future__ import annotations

from functools import lru_cache
from pathlib import PurePath

from . import schema as S
from .accounts import Scope

STATUS_CELL_ZH = {"value": "数值", "blank": "空白", "text": "文字", "inferred": "推定", "uncertain": "存疑"}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
TABLE_TITLES = {"t2": "二、主动公开政府信息情况", "t3": "三、收到和处理政府信息公开申请情况",
                "t4": "四、政府信息公开行政复议、行政诉讼情况"}
FAILING_SEVERITIES = ("error", "warning")


@lru_cache(maxsize=1)
def field_labels() -> dict[str, str]:
    """Field ID → its official label (表三 · 一、本年新收政府信息公开申请数量 · 自然人)."""
    from ..formats import national
    return {fid: label for fid, label, _fm in national().all_fields()}


def named_fields(names, present) -> list[str]:
    """The report's fields a finding names: each name is a field ID or a prefix of some
    (``t3.new`` names the row, ``t4`` the table), in the report's field order."""
    out = []
    for fid in present:
        if any(fid == n or fid.startswith(n + ".") for n in names):
            out.append(fid)
    return out


def visible_report(c, report_id: int, scope: Scope):
    """The report's row with its agency and document — None when absent or outside the
    scope (the same answer)."""
    import sqlalchemy as sa
    r, a, d = S.reports, S.agencies, S.documents
    q = (sa.select(r, a.c.name.label("agency"), a.c.province, a.c.city, a.c.county, a.c.kind,
                   d.c.path, d.c.sha256, d.c.format.label("file_format"), d.c.imported_at, d.c.parser_version)
         .select_from(r.join(d, d.c.id == r.c.document_id).outerjoin(a, a.c.id == r.c.agency_id))
         .where(r.c.id == report_id))
    cond = scope.condition()
    if cond is not None:
        q = q.where(cond)
    return c.execute(q).first()


def report_cells(c, report_id: int) -> list:
    """The report's stored cells in field order: (id, value, status, raw, reason, line, page, source JSON)."""
    import sqlalchemy as sa
    cl, f = S.cells, S.fields
    return c.execute(sa.select(f.c.id, cl.c.value, cl.c.status, cl.c.raw, cl.c.reason, cl.c.line, cl.c.page,
                               cl.c.source)
                     .select_from(cl.join(f, f.c.no == cl.c.field_no))
                     .where(cl.c.report_id == report_id).order_by(cl.c.field_no)).all()


def report_findings(c, report_id: int) -> list:
    import sqlalchemy as sa
    return c.execute(sa.select(S.findings).where(S.findings.c.report_id == report_id)
                     .order_by(S.findings.c.id)).all()


def alt_text(a) -> str:
    """One alternative reading as text (a whole 表二 row's reading: its values joined)."""
    from .export import _number
    if isinstance(a, (list, tuple)):
        return " · ".join("空" if x is None else str(_number(x)) for x in a)
    return "空" if a is None else str(_number(a))


def failing_fields(findings: list[dict]) -> set:
    """Fields named by a failing check: a check-stage rule of error or warning severity
    (parse notes are shown by the cells' own status)."""
    from ..checks import REGISTRY
    out = set()
    for f in findings:
        r = REGISTRY.get(f["rule"])
        if f["severity"] in FAILING_SEVERITIES and (r is None or r.stage == "check"):
            out.update(f["cells"])
    return out


def display_name(c, path: str | None, sha256: str | None) -> str:
    """The file's name to show: the last part of its path — or, for an uploaded file
    (stored in the spool under its sha256), the name the browser sent."""
    import sqlalchemy as sa
    from .schema import upload_items
    name = PurePath(path or "").name
    if sha256 and name == sha256:
        sent = c.execute(sa.select(upload_items.c.name).where(upload_items.c.sha256 == sha256)
                         .order_by(upload_items.c.id).limit(1)).scalar()
        if sent:
            return sent
    return name
