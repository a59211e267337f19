"""The web app (审核与研究): server-rendered pages (Starlette + Jinja2, htmx vendored) over
the corpus database.  A thin face over the library: routes call gongkai.corpus
functions (accounts, board, detail) and render templates; nothing below imports this
package.  ``create_app`` builds the ASGI app, ``serve`` runs it under uvicorn."""
from .app import create_app, serve

__all__ = ["create_app", "serve"]
