"""Helpers shared by the route modules."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ...corpus.accounts import scope_of


def corpus(request):
    return request.app.state.corpus


def scope(request):
    return scope_of(request.state.user)


def require_role(request, *roles: str):
    u = request.state.user
    if u is None or u.role not in roles:
        raise HTTPException(403, "您的账户无权访问此页面")
    return u


async def call(fn, *args, **kw):
    """Run a (blocking) library function in a worker thread."""
    return await run_in_threadpool(fn, *args, **kw)
