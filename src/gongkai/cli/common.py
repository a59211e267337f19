"""What the command modules share: exit codes, the progress bar, the database guard."""
from __future__ import annotations

import sys

EXIT_OK, EXIT_STRICT, EXIT_INPUT = 0, 1, 2


class Progress:
    """A one-line progress bar on stderr, only on a terminal."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()

    def __call__(self, i, n, path):
        if not self.enabled or n < 2:
            return
        if path is None:
            sys.stderr.write("\r" + " " * 70 + "\r")
            return
        bar = "#" * int(30 * i / n)
        sys.stderr.write(f"\r[{bar:<30}] {i}/{n} {str(path)[-30:]:<30}")
        sys.stderr.flush()


def guarded(func):
    """A database error while a command runs becomes one clear line (exit 2), never a traceback."""
    import functools

    @functools.wraps(func)
    def run(args):
        from sqlalchemy.exc import SQLAlchemyError

        from ..corpus.store import CorpusError, _explain
        try:
            return func(args)
        except SQLAlchemyError as e:
            raise CorpusError(_explain(args.db or "gongkai.db", e.orig if getattr(e, "orig", None) else e)) from None
    return run
