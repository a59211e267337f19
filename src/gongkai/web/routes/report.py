"""/reports/{id} (报告详情: the source pane beside 表二/三/四 and the findings),
/reports/{id}/source (the source of a cell or finding: the pane alone for htmx, the
whole page otherwise), /reports/{id}/page/{n}.png (a PDF page) and /reports/{id}/text
(the narrative).  All scoped: a report outside the reader's scope is a 404."""
from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from ...corpus.comparison import previous_year
from ...corpus.detail import report_detail
from ...corpus.review import rights_of
from ...corpus.originals import DEFAULT_FILES
from ...corpus.source_view import cell_source, report_page_image, report_sections
from ..templating import render
from .common import call, corpus, scope

NOT_FOUND = "没有这份报告，或它不在您的权限范围内"
_FIELD = re.compile(r"t[234](\.[a-z0-9_]+){1,4}")


def _files(request):
    return getattr(request.app.state, "sources", None) or DEFAULT_FILES


def _int(text: str | None, what: str) -> int | None:
    if text in (None, ""):
        return None
    if not text.isdigit() or len(text) > 9:
        raise HTTPException(400, f"{what}无效")
    return int(text)


def _selection(request) -> dict:
    q = request.query_params
    f = q.get("field") or None
    if f is not None and (len(f) > 80 or not _FIELD.fullmatch(f)):
        raise HTTPException(400, "单元格编号无效")
    return {"field": f, "finding": _int(q.get("finding"), "校验发现编号"), "page": _int(q.get("page"), "页码"),
            "whole": q.get("whole") == "1"}


async def _source(request, rid: int, sel: dict):
    if not (sel["field"] or sel["finding"] or sel["page"]):
        return None
    src = await call(cell_source, corpus(request), rid, sel["field"], scope(request), _files(request),
                     finding=sel["finding"], page=sel["page"], whole=sel["whole"])
    if src is None:
        raise HTTPException(404, NOT_FOUND)
    return src


DONE = {"correct": "已更正，校验已重新运行", "confirm": "已确认，校验已重新运行", "confirmed": "已确认该校验发现",
        "dismissed": "已驳回该校验发现", "submit": "已提交审核", "approve": "已审核通过", "return": "已退回"}


async def _page(request, sel: dict, status: int = 200, error: str | None = None):
    rid = request.path_params["report_id"]
    d = await call(report_detail, corpus(request), rid, scope(request), request.state.user)
    if d is None:                     # absent or outside the scope: the same answer
        raise HTTPException(404, NOT_FOUND)
    src = await _source(request, rid, sel)
    done = DONE.get(request.query_params.get("done") or "") if not error else None
    prev = await call(previous_year, corpus(request), scope(request), rid)
    return render(request, "report.html", status=status, r=d, src=src, sel=sel, may=d.review["may"], error=error,
                  done=done, prev=prev)


async def report_page(request):
    return await _page(request, _selection(request))


async def source_pane(request):
    sel = _selection(request)
    if request.headers.get("HX-Request") != "true":
        return await _page(request, sel)       # without JavaScript: the whole page, this cell shown
    rid = request.path_params["report_id"]
    src = await _source(request, rid, sel)
    return render(request, "source.html", src=src, rid=rid,
                  may=await call(rights_of, corpus(request), rid, request.state.user))


async def page_png(request):
    png = await call(report_page_image, corpus(request), request.path_params["report_id"],
                     request.path_params["page"], scope(request), _files(request))
    if png is None:
        raise HTTPException(404, "没有这一页，或原始文件不可用")
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


async def text_page(request):
    rid = request.path_params["report_id"]
    s = await call(report_sections, corpus(request), rid, scope(request), _files(request))
    if s is None:
        raise HTTPException(404, NOT_FOUND)
    if request.headers.get("HX-Request") == "true":
        return render(request, "prose.html", s=s)
    d = await call(report_detail, corpus(request), rid, scope(request))
    return render(request, "report_text.html", r=d, s=s)


ROUTES = [Route("/reports/{report_id:int}", report_page, methods=["GET"]),
          Route("/reports/{report_id:int}/source", source_pane, methods=["GET"]),
          Route("/reports/{report_id:int}/page/{page:int}.png", page_png, methods=["GET"]),
          Route("/reports/{report_id:int}/text", text_page, methods=["GET"])]
