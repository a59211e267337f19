"""/admin/agencies (机关名录): the agencies with their region, level, kind, parent, aliases
and report counts, filtered; the catalogue downloaded as CSV/XLSX and uploaded back;
merging two agencies; editing one agency's kind, level and parent.  管理员 change (POST +
CSRF, audited); 审核人 read the agencies of their scope."""
from __future__ import annotations

from urllib.parse import quote, urlencode

from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ...corpus.accounts import AccountError
from ...corpus.agencies import kind_names, level_names
from ...corpus.catalogue import ACTION_ZH, CatalogueError, Listing, catalogue_log, get_agency, list_agencies, \
    merge_agencies, update_agency
from ...corpus.catalogue_file import COLUMNS, catalogue_bytes, import_file
from ...corpus.spool import JobError, TooLarge
from ..multipart import read_upload
from ..templating import render
from .common import call, corpus, require_role, scope

VIEW_ROLES = ("admin", "reviewer")
MAX_UPLOAD = 5 * 1024 * 1024            # a catalogue file (some 50 000 agencies as XLSX)
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _filters(request) -> dict:
    q = request.query_params
    return {k: (q.get(k) or "").strip()[:100] for k in ("region", "kind", "level", "q")}


def _page_no(request) -> int:
    p = request.query_params.get("page") or "1"
    return int(p) if p.isdigit() and 0 < int(p) < 100_000 else 1


async def _list_page(request, status=200, error=None, problems=()):
    user = require_role(request, *VIEW_ROLES)
    f = _filters(request)
    try:
        listing = await call(list_agencies, corpus(request), scope(request), f["region"] or None, f["kind"] or None,
                             f["level"] or None, f["q"] or None, _page_no(request))
    except (CatalogueError, AccountError) as e:
        error, status = error or str(e), 400 if status == 200 else status
        listing = Listing(rows=[], total=0)
    log = await call(catalogue_log, corpus(request), 15) if user.role == "admin" else []
    q = request.query_params
    done = {k: int(q[k]) for k in ("created", "updated", "unchanged") if (q.get(k) or "").isdigit()}
    others = urlencode({k: v for k, v in f.items() if v})
    return render(request, "admin_agencies.html", status=status, listing=listing, filters=f, kinds=kind_names(),
                  levels=level_names(), error=error, problems=list(problems), done=done, log=log, actions=ACTION_ZH,
                  columns=COLUMNS, max_mb=MAX_UPLOAD // (1024 * 1024), query=others)


async def agencies_page(request):
    return await _list_page(request)


async def export_file(request):
    require_role(request, *VIEW_ROLES)
    fmt = request.path_params["fmt"]
    if fmt not in MEDIA:
        raise HTTPException(404, "没有这种格式的名录文件（可下载 csv、xlsx）")
    data = await call(catalogue_bytes, corpus(request), fmt, scope(request))
    name = f"机关名录.{fmt}"
    return Response(data, media_type=MEDIA[fmt], headers={
        "Content-Disposition": f"attachment; filename=\"agencies.{fmt}\"; filename*=UTF-8''{quote(name)}"})


async def import_post(request):
    admin = require_role(request, "admin")
    up = request.app.state.uploads
    try:
        form = await read_upload(request, up.spool, MAX_UPLOAD, file_field="file")
    except TooLarge:
        return await _list_page(request, 413, f"名录文件过大：上限 {MAX_UPLOAD // (1024 * 1024)} MB")
    except JobError as e:
        return await _list_page(request, 400, str(e))
    if not form.files:
        return await _list_page(request, 400, "请选择名录文件（.csv 或 .xlsx）")
    received = form.files[0]
    try:
        result = await call(import_file, corpus(request), received.tmp, admin.name, received.name)
    except CatalogueError as e:
        return await _list_page(request, 400, f"「{received.name}」：{e}")
    finally:
        form.discard()
    if not result.applied:
        return await _list_page(request, 400, f"「{received.name}」：{result.message}", result.problems)
    return RedirectResponse("/admin/agencies?" + urlencode({"created": result.created, "updated": result.updated,
                                                            "unchanged": result.unchanged}), status_code=303)


def _id(text) -> int:
    t = str(text or "").strip()
    if not t.isdigit() or len(t) > 9:
        raise CatalogueError(f"机关编号「{t[:20]}」无效：请填写名录中的编号")
    return int(t)


async def merge_post(request):
    admin = require_role(request, "admin")
    form = await request.form()
    try:
        done = await call(merge_agencies, corpus(request), _id(form.get("keep")), _id(form.get("gone")), admin.name)
    except CatalogueError as e:
        return await _list_page(request, 400, str(e))
    return RedirectResponse(f"/admin/agencies/{_id(form.get('keep'))}?merged={done.reports}", status_code=303)


async def _agency_page(request, status=200, error=None):
    user = require_role(request, *VIEW_ROLES)
    a = await call(get_agency, corpus(request), request.path_params["agency_id"], scope(request))
    if a is None:
        raise HTTPException(404, "没有这个机关，或它不在您的权限范围内")
    q = request.query_params
    merged = q.get("merged")
    return render(request, "admin_agency.html", status=status, agency=a, kinds=kind_names(), levels=level_names(),
                  error=error, saved=q.get("saved") == "1", merged=int(merged) if (merged or "").isdigit() else None,
                  editable=user.role == "admin")


async def agency_page(request):
    return await _agency_page(request)


async def agency_post(request):
    admin = require_role(request, "admin")
    form = await request.form()
    aid = request.path_params["agency_id"]
    try:
        await call(update_agency, corpus(request), aid, admin.name, str(form.get("kind") or ""),
                   str(form.get("level") or ""), str(form.get("parent") or ""))
    except CatalogueError as e:
        return await _agency_page(request, 400, str(e))
    return RedirectResponse(f"/admin/agencies/{aid}?saved=1", status_code=303)


ROUTES = [Route("/admin/agencies", agencies_page, methods=["GET"]),
          Route("/admin/agencies/export.{fmt}", export_file, methods=["GET"]),
          Route("/admin/agencies/import", import_post, methods=["POST"]),
          Route("/admin/agencies/merge", merge_post, methods=["POST"]),
          Route("/admin/agencies/{agency_id:int}", agency_page, methods=["GET"]),
          Route("/admin/agencies/{agency_id:int}", agency_post, methods=["POST"])]
