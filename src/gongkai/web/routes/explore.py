"""/explore (语料浏览: filters, indicator cards, the table and its chart), its downloads
/explore/download.{csv,xlsx,parquet,json} (the table on the page, same filters) and
/compare?a=ID&b=ID (两份报告对照).  All scoped: the library applies the reader's scope;
a report outside it is a 404."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from ...corpus.board import KIND_ZH
from ...corpus.comparison import comparison
from ...corpus.explore import GROUPS, download, explore, exploration_table, parse_filters
from ...corpus.indicators import INDICATORS
from ...corpus.store import CorpusError
from ..templating import render
from .common import call, corpus, scope
from .report import NOT_FOUND, _int


def _filters(request):
    try:
        return parse_filters(request.query_params.getlist)
    except CorpusError as e:
        raise HTTPException(400, str(e))


async def explore_page(request):
    f = _filters(request)
    e = await call(explore, corpus(request), scope(request), f)
    header, rows = exploration_table(e)
    return render(request, "explore.html", e=e, f=f, header=header, rows=rows, kinds=KIND_ZH, groups=GROUPS,
                  indicators=INDICATORS, query=f.query())


async def explore_download(request):
    f = _filters(request)
    try:
        body, media, name = await call(download, corpus(request), scope(request), f, request.path_params["fmt"])
    except CorpusError as e:
        raise HTTPException(400, str(e))
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def compare_page(request):
    q = request.query_params
    a, b = _int(q.get("a"), "报告编号"), _int(q.get("b"), "报告编号")
    if a is None or b is None:
        raise HTTPException(400, "请指定两份报告：/compare?a=编号&b=编号")
    only = q.get("only") == "diff"
    cmp = await call(comparison, corpus(request), scope(request), a, b, only)
    if cmp is None:
        raise HTTPException(404, NOT_FOUND)
    return render(request, "compare.html", c=cmp)


ROUTES = [Route("/explore", explore_page, methods=["GET"]),
          Route("/explore/download.{fmt:str}", explore_download, methods=["GET"]),
          Route("/compare", compare_page, methods=["GET"])]
