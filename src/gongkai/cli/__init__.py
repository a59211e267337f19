"""Command line: each command parses its arguments, calls one library function and
prints.  Messages for users are in Chinese.  ``main`` is the ``gongkai`` entry point;
``app`` holds the file commands, ``corpus``, ``register`` and ``web`` their groups."""
from ..bundled import sample_files
from .app import build_parser, main

__all__ = ["build_parser", "main", "sample_files"]
