"""/upload (the form and the user's recent jobs), /jobs/{id} (per-file progress; the
rows refresh by htmx while any file waits), retry and confirm-replace of one item."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse
from starlette.routing import Route

from ...corpus.jobs import STATUS_ZH, UPLOAD_ROLES, add_files, add_urls, confirm_replace, job_status, list_jobs, retry
from ...corpus.spool import JobError, TooLarge
from ..multipart import read_upload
from ..templating import render
from .common import call, corpus, require_role


def _uploads(request):
    return request.app.state.uploads


async def upload_page(request, status=200, error=None):
    user = require_role(request, *UPLOAD_ROLES)
    jobs = await call(list_jobs, corpus(request), user, 10)
    up = _uploads(request)
    return render(request, "upload.html", status=status, error=error, jobs=jobs, statuses=STATUS_ZH,
                  max_mb=up.limits.max_file_bytes // (1024 * 1024))


async def upload_post(request):
    user = require_role(request, *UPLOAD_ROLES)
    up = _uploads(request)
    try:
        form = await read_upload(request, up.spool, up.limits.max_file_bytes)
    except TooLarge as e:
        return await upload_page(request, 413, str(e))
    except JobError as e:
        return await upload_page(request, 400, str(e))
    urls = (form.fields.get("urls") or "").split()
    if not form.files and not urls:
        return await upload_page(request, 400, "请选择文件或填写网址")
    try:
        job = None
        if form.files:
            job = await call(add_files, corpus(request), user, form.files, up.spool, up.limits)
        if urls:
            job = await call(add_urls, corpus(request), user, urls, up.limits, job)
    except JobError as e:
        form.discard()
        return await upload_page(request, 400, str(e))
    up.wake()
    return RedirectResponse(f"/jobs/{job}", status_code=303)


async def _job(request):
    user = require_role(request, *UPLOAD_ROLES)
    job = await call(job_status, corpus(request), request.path_params["job_id"], user)
    if job is None:
        raise HTTPException(404, "没有这个上传任务，或它不属于您")
    return job


async def job_page(request):
    return render(request, "job.html", job=await _job(request))


async def job_rows(request):
    return render(request, "_job_rows.html", job=await _job(request))


async def _item_action(request, action):
    user = require_role(request, *UPLOAD_ROLES)
    job_id, item_id = request.path_params["job_id"], request.path_params["item_id"]
    if not await call(action, corpus(request), user, job_id, item_id):
        raise HTTPException(404, "没有这个文件，或它现在不能这样处理")
    _uploads(request).wake()
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


async def retry_post(request):
    return await _item_action(request, retry)


async def replace_post(request):
    return await _item_action(request, confirm_replace)


ROUTES = [Route("/upload", upload_page, methods=["GET"]), Route("/upload", upload_post, methods=["POST"]),
          Route("/jobs/{job_id:int}", job_page, methods=["GET"]),
          Route("/jobs/{job_id:int}/rows", job_rows, methods=["GET"]),
          Route("/jobs/{job_id:int}/items/{item_id:int}/retry", retry_post, methods=["POST"]),
          Route("/jobs/{job_id:int}/items/{item_id:int}/replace", replace_post, methods=["POST"])]
