"""The review's POSTs on 报告详情 — a cell corrected or confirmed, a finding 确认/驳回, the
report 提交审核 / 通过 / 退回 — and /findings.xlsx (the board's year and scope).  Each
handler reads its form and calls one library function (gongkai.corpus.review), which
checks the scope and the user's rights; without JavaScript a success redirects (303) to
the report, a refusal renders the report with the message; for htmx a success asks for
the report to be loaded again (HX-Redirect) and a refusal is a message fragment."""
from __future__ import annotations

import io
from urllib.parse import quote, urlencode

from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ...corpus.review import (ReviewError, approve, confirm_cell, correct_cell, findings_xlsx, return_report,
                              review_finding, submit)
from ..templating import render
from .board import _year
from .common import call, corpus, scope
from .report import _files, _page

STATE_ACTIONS = {"submit": submit, "approve": approve, "return": return_report}


def _text(form, name: str, limit: int = 4000) -> str:
    return str(form.get(name) or "")[:limit]


async def _run(request, fn, args, sel: dict, done: str, anchor: str = ""):
    rid = request.path_params["report_id"]
    try:
        await call(fn, corpus(request), request.state.user, rid, *args)
    except ReviewError as e:
        if request.headers.get("HX-Request") == "true":
            return render(request, "_review_msg.html", error=str(e))
        if e.code == 404:
            raise HTTPException(404, str(e))
        return await _page(request, {"field": None, "finding": None, "page": None, "whole": False, **sel},
                           status=e.code, error=str(e))
    url = f"/reports/{rid}?" + urlencode({**{k: v for k, v in sel.items() if v}, "done": done}) + anchor
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


async def cell_post(request):
    form = await request.form()
    field, action = _text(form, "field", 80), _text(form, "action", 20)
    if action == "confirm":
        fn, args = confirm_cell, (field, _text(form, "reason"), _files(request))
    else:
        action = "correct"
        fn, args = correct_cell, (field, _text(form, "value", 100), _text(form, "reason"), _files(request))
    return await _run(request, fn, args, {"field": field}, action)


async def finding_post(request):
    form = await request.form()
    decision = {"confirm": "confirmed", "dismiss": "dismissed"}.get(_text(form, "action", 20), "")
    return await _run(request, review_finding, (_text(form, "finding", 12), decision, _text(form, "comment")),
                      {}, decision or "confirmed", "#findings")


async def state_post(request):
    form = await request.form()
    action = _text(form, "action", 20)
    if action not in STATE_ACTIONS:
        raise HTTPException(400, "未知的审核操作")
    return await _run(request, STATE_ACTIONS[action], (_text(form, "comment"),), {}, action, "#review")


async def findings_download(request):
    q = request.query_params
    year = _year(q.get("year"))
    if year is None:
        raise HTTPException(400, "请指定年度")
    kind = q.get("kind") or None
    if kind not in (None, "government", "department"):
        raise HTTPException(400, "类别无效")
    buf = io.BytesIO()
    try:
        await call(findings_xlsx, corpus(request), scope(request), year, buf,
                   (q.get("region") or "").strip()[:100] or None, kind)
    except ReviewError as e:
        raise HTTPException(400, str(e))
    except Exception as e:               # an unknown region name (AccountError): one line
        from ...corpus.accounts import AccountError
        if isinstance(e, AccountError):
            raise HTTPException(400, str(e))
        raise
    name = f"{year}年度校验发现.xlsx"
    return Response(buf.getvalue(), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=\"findings-{year}.xlsx\"; "
                                                    f"filename*=UTF-8''{quote(name)}",
                             "Cache-Control": "no-store"})


ROUTES = [Route("/reports/{report_id:int}/review/cell", cell_post, methods=["POST"]),
          Route("/reports/{report_id:int}/review/finding", finding_post, methods=["POST"]),
          Route("/reports/{report_id:int}/review/state", state_post, methods=["POST"]),
          Route("/findings.xlsx", findings_download, methods=["GET"])]
