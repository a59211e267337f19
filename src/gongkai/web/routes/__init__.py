"""Route modules: each handler reads the request, calls one or two library functions
(in a worker thread: they block on the database) and renders a template."""
from . import admin, auth, board, explore, report, upload

ROUTES = auth.ROUTES + board.ROUTES + report.ROUTES + explore.ROUTES + admin.ROUTES + upload.ROUTES
