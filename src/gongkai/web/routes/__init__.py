"""Route modules: each handler reads the request, calls one or two library functions
(in a worker thread: they block on the database) and renders a template."""
from . import admin, agencies, auth, board, explore, report, review, upload

ROUTES = (auth.ROUTES + board.ROUTES + report.ROUTES + review.ROUTES + explore.ROUTES + admin.ROUTES
          + agencies.ROUTES + upload.ROUTES)
