"""/ (年报工作台), filtered by the user's scope (报告详情 is ``report``)."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.routing import Route

from ...corpus.accounts import AccountError
from ...corpus.board import KIND_ZH, STATUS_ZH, board, regions
from ..templating import render
from .common import call, corpus, scope


def _page(text: str | None) -> int:
    if not text:
        return 1
    if not text.isdigit() or len(text) > 6 or int(text) < 1:
        raise HTTPException(400, f"页码「{text[:20]}」无效")
    return int(text)


def _year(text: str | None) -> int | None:
    if not text:
        return None
    if not text.isdigit() or not 1990 <= int(text) <= 2100:
        raise HTTPException(400, f"年度「{text[:20]}」无效")
    return int(text)


async def board_page(request):
    q = request.query_params
    year, page = _year(q.get("year")), _page(q.get("page"))
    region = (q.get("region") or "").strip()[:100] or None
    kind = q.get("kind") or None
    if kind not in (None, *KIND_ZH):
        raise HTTPException(400, "类别无效")
    sc = scope(request)
    error = None
    try:
        b = await call(board, corpus(request), year, sc, region, kind, page)
    except AccountError as e:
        error = str(e)
        b = await call(board, corpus(request), year, sc, None, kind)
        b.rows = []
    options = await call(regions, corpus(request), sc)
    return render(request, "board.html", board=b, regions=options, region=region or "", kind=kind or "",
                  kinds=KIND_ZH, statuses=STATUS_ZH, error=error)


ROUTES = [Route("/", board_page, methods=["GET"])]
