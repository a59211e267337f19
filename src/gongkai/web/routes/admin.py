"""/admin/users: the list of accounts and a form to add one (管理员 only)."""
from __future__ import annotations

import re

from starlette.responses import RedirectResponse
from starlette.routing import Route

from ...corpus.accounts import ACTION_ZH, ROLES, AccountError, add_user, audit_log, list_users
from ..templating import render
from .common import call, corpus, require_role


def _names(text: str) -> list[str]:
    return [x for x in (s.strip() for s in re.split(r"[,，、;；\n]", text or "")) if x]


async def _page(request, status=200, error=None, form=None):
    users = await call(list_users, corpus(request))
    log = await call(audit_log, corpus(request), 20)
    return render(request, "admin_users.html", status=status, users=users, roles=ROLES, error=error,
                  form=form or {}, log=log, actions=ACTION_ZH, added=request.query_params.get("added"))


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


ROUTES = [Route("/admin/users", users_page, methods=["GET"]),
          Route("/admin/users", add_user_post, methods=["POST"])]
