"""The ASGI app: middleware (outermost first) security headers → signed session cookie →
authentication → CSRF → routes; static files from the package; Chinese error pages."""
from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from ..corpus import Corpus
from ..corpus.accounts import User
from ..corpus.originals import SourceFiles
from .security import (SESSION_COOKIE, SESSION_IDLE, Authenticate, CsrfProtect, LoginThrottle, SecurityHeaders,
                       load_secret)
from .templating import make_templates, render

PUBLIC_USER = User(id=0, name="公众访问", role="guest")
MESSAGES = {400: "请求无效", 401: "请先登录", 403: "无权访问", 404: "页面不存在", 405: "不支持的请求方法",
            413: "内容过大", 429: "请求过于频繁"}


async def _http_error(request, exc: HTTPException):
    title = MESSAGES.get(exc.status_code, "出错了")
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail not in ("Not Found", "Method Not Allowed") \
        else title
    if not hasattr(request.state, "user"):
        request.state.user = None
    return render(request, "error.html", status=exc.status_code, title=title, detail=detail,
                  code=exc.status_code)


class Uploads:
    """Where uploads go (the spool), their limits, and the background worker (None: the
    queue is run by someone else, e.g. a test calling ``jobs.run_pending``)."""

    def __init__(self, spool, limits, worker=None):
        self.spool, self.limits, self.worker = spool, limits, worker

    def wake(self):
        if self.worker is not None:
            self.worker.wake()


def create_app(db_url: str | None = None, secret: str | None = None, public: bool = False, https: bool = False,
               corpus: Corpus | None = None, throttle: LoginThrottle | None = None, spool=None,
               upload_limits=None, worker: bool = True, workers: int | None = None, executor: str = "process",
               scheduler: str | None = None) -> Starlette:
    """The web app over the corpus at ``db_url`` (migrated on opening).  ``public``:
    visitors without an account may read (GET) as 访客.  ``https``: cookies marked
    Secure and HSTS sent (serve over TLS, or behind a TLS proxy).  Uploads are spooled
    in ``spool`` (default beside a SQLite database) within ``upload_limits``
    (``corpus.jobs.UploadLimits``); with ``worker``, a background thread started with
    the app imports them (``workers`` processes, or ``executor="dask"`` on ``scheduler``)."""
    import contextlib
    from importlib import resources
    from pathlib import Path
    from ..corpus.spool import UploadLimits, default_spool
    from .routes import ROUTES
    from .worker import UploadWorker
    corpus = corpus or Corpus(db_url)
    key = load_secret(corpus.url, secret)
    static = str(resources.files("gongkai.web").joinpath("static"))
    middleware = [
        Middleware(SecurityHeaders, https=https),
        Middleware(SessionMiddleware, secret_key=key, session_cookie=SESSION_COOKIE, max_age=SESSION_IDLE,
                   same_site="lax", https_only=https),
        Middleware(Authenticate, corpus=corpus, public_user=PUBLIC_USER if public else None),
        Middleware(CsrfProtect),
    ]
    limits = upload_limits or UploadLimits()
    spool = Path(spool) if spool else default_spool(corpus.url)
    runner = UploadWorker(corpus, spool, limits, workers, executor, scheduler) if worker else None
    uploads = Uploads(spool, limits, runner)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        if runner is not None:
            runner.start()
        try:
            yield
        finally:
            if runner is not None:
                runner.stop()

    app = Starlette(routes=ROUTES + [Mount("/static", StaticFiles(directory=static), name="static")],
                    middleware=middleware, exception_handlers={HTTPException: _http_error}, lifespan=lifespan)
    app.state.uploads = uploads
    app.state.corpus = corpus
    app.state.templates = make_templates()
    app.state.throttle = throttle or LoginThrottle()
    app.state.public = public
    app.state.sources = SourceFiles()      # where a report's original bytes are (the upload spool adds itself)
    return app


def serve(db_url: str | None = None, host: str = "127.0.0.1", port: int = 8000, public: bool = False,
          secret: str | None = None, https: bool = False, upload_limits=None, workers: int | None = None,
          executor: str = "process", scheduler: str | None = None) -> None:
    """Run the app under uvicorn (one process; proxy headers trusted from loopback only);
    the upload options as ``create_app``'s."""
    import uvicorn
    app = create_app(db_url, secret=secret, public=public, https=https, upload_limits=upload_limits,
                     workers=workers, executor=executor, scheduler=scheduler)
    uvicorn.run(app, host=host, port=port, proxy_headers=True, server_header=False, log_level="info")
