"""/ (年报工作台) and /reports/{id} (报告详情): both filtered by the user's scope."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.routing import Route

from ...corpus.accounts import AccountError
from ...corpus.board import KIND_ZH, STATUS_ZH, board, regions
from ...corpus.detail import report_detail
from ..templating import render
from .common import call, corpus, scope


def _year(text: str | None) -> int | None:
    if not text:
        return None
    if not text.isdigit() or not 1990 <= int(text) <= 2100:
        raise HTTPException(400, f"年度「{text[:20]}」无效")
    return int(text)


async def board_page(request):
    q = request.query_params
    year = _year(q.get("year"))
    region = (q.get("region") or "").strip()[:100] or None
    kind = q.get("kind") or None
    if kind not in (None, *KIND_ZH):
        raise HTTPException(400, "类别无效")
    sc = scope(request)
    error = None
    try:
        b = await call(board, corpus(request), year, sc, region, kind)
    except AccountError as e:
        error = str(e)
        b = await call(board, corpus(request), year, sc, None, kind)
        b.rows = []
    options = await call(regions, corpus(request), sc)
    return render(request, "board.html", board=b, regions=options, region=region or "", kind=kind or "",
                  kinds=KIND_ZH, statuses=STATUS_ZH, error=error)


async def report_page(request):
    d = await call(report_detail, corpus(request), request.path_params["report_id"], scope(request))
    if d is None:                     # absent or outside the scope: the same answer
        raise HTTPException(404, "没有这份报告，或它不在您的权限范围内")
    return render(request, "report.html", r=d)


ROUTES = [Route("/", board_page, methods=["GET"]),
          Route("/reports/{report_id:int}", report_page, methods=["GET"])]
