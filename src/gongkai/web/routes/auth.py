"""/login and /logout."""
from __future__ import annotations

from starlette.responses import RedirectResponse
from starlette.routing import Route

from ...corpus.accounts import MAX_NAME, authenticate, password_stamp
from ..security import start_session
from ..templating import render
from .common import call, corpus


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never //host or a scheme): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


async def login_page(request):
    if request.state.user is not None and request.state.user.id:
        return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    return render(request, "login.html", next=_safe_next(request.query_params.get("next")), error=None, name="")


async def login(request):
    form = await request.form()
    name = str(form.get("name") or "").strip()[:MAX_NAME]
    password = str(form.get("password") or "")
    target = _safe_next(str(form.get("next") or ""))
    address = request.client.host if request.client else ""
    throttle = request.app.state.throttle
    if throttle.blocked(name, address):
        return render(request, "login.html", status=429, next=target, name=name,
                      error="登录失败次数过多，请 15 分钟后再试")
    u = await call(authenticate, corpus(request), name, password, address)
    if u is None:
        throttle.failed(name, address)
        return render(request, "login.html", status=401, next=target, name=name, error="用户名或密码不正确")
    throttle.succeeded(name, address)
    start_session(request.session, u, await call(password_stamp, corpus(request), u.id))
    return RedirectResponse(target, status_code=303)


async def logout(request):
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


ROUTES = [Route("/login", login_page, methods=["GET"]), Route("/login", login, methods=["POST"]),
          Route("/logout", logout, methods=["POST"])]
