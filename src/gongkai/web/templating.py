"""Templates (Jinja2, autoescaped) and the context every page gets: the user, the CSRF
token, the navigation."""
from __future__ import annotations

import jinja2
from starlette.templating import Jinja2Templates

from .security import csrf_token


def _context(request) -> dict:
    user = getattr(request.state, "user", None)
    return {"user": user, "csrf": csrf_token(request.session), "path": request.url.path,
            "public": getattr(request.app.state, "public", False)}


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.PackageLoader("gongkai.web", "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    return Jinja2Templates(env=env, context_processors=[_context])


def render(request, template: str, status: int = 200, **context):
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)
