"""/admin/users: the list of accounts, a form to add one, and per account a new
password and 停用/启用 (管理员 only; every change a POST with the CSRF token, audited)."""
from __future__ import annotations

import re

from starlette.responses import RedirectResponse
from starlette.routing import Route

from ...corpus.accounts import (ACTION_ZH, ROLES, AccountError, add_user, audit_log, list_users, set_active,
                                set_password)
from ..templating import render
from .common import call, corpus, require_role


def _names(text: str) -> list[str]:
    return [x for x in (s.strip() for s in re.split(r"[,，、;；\n]", text or "")) if x]


async def _page(request, status=200, error=None, form=None):
    users = await call(list_users, corpus(request))
    log = await call(audit_log, corpus(request), 20)
    return render(request, "admin_users.html", status=status, users=users, roles=ROLES, error=error,
                  form=form or {}, log=log, actions=ACTION_ZH, added=request.query_params.get("added"),
                  changed=request.query_params.get("changed"))


async def users_page(request):
    require_role(request, "admin")
    return await _page(request)


async def add_user_post(request):
    admin = require_role(request, "admin")
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in ("name", "role", "regions", "agencies")}
    try:
        u = await call(add_user, corpus(request), values["name"], values["role"], str(form.get("password") or ""),
                       _names(values["regions"]), _names(values["agencies"]), by=admin.name)
    except AccountError as e:
        return await _page(request, 400, str(e), values)
    from urllib.parse import quote
    return RedirectResponse("/admin/users?added=" + quote(u.name), status_code=303)


async def password_post(request):
    admin = require_role(request, "admin")
    name = request.path_params["name"]
    form = await request.form()
    try:
        await call(set_password, corpus(request), name, str(form.get("password") or ""), by=admin.name)
    except AccountError as e:
        return await _page(request, 400, str(e))
    from urllib.parse import quote
    return RedirectResponse("/admin/users?changed=" + quote(name), status_code=303)


async def active_post(request):
    admin = require_role(request, "admin")
    name = request.path_params["name"]
    form = await request.form()
    active = str(form.get("active") or "") == "1"
    if name == admin.name and not active:
        return await _page(request, 400, "不能停用自己正在使用的管理员账户")
    try:
        await call(set_active, corpus(request), name, active, by=admin.name)
    except AccountError as e:
        return await _page(request, 400, str(e))
    from urllib.parse import quote
    return RedirectResponse("/admin/users?changed=" + quote(name), status_code=303)


ROUTES = [Route("/admin/users", users_page, methods=["GET"]),
          Route("/admin/users", add_user_post, methods=["POST"]),
          Route("/admin/users/{name}/password", password_post, methods=["POST"]),
          Route("/admin/users/{name}/active", active_post, methods=["POST"])]
