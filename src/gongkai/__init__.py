"""gongkai (公开): exact, checked data from 政府信息公开工作年度报告.

Library first: ``parse_file`` turns a report file into a :class:`Report` with
every cell's value, raw text, status and provenance, plus the findings of the
checks.  The command line (``gongkai``) is a thin layer over these functions.
"""
from .version import PARSER_VERSION, __version__  # noqa: E402
from .errors import GongkaiError, InputError  # noqa: E402
from .model import Cell, Finding, Report, Source  # noqa: E402
from .pipeline import parse_file, parse_text  # noqa: E402

__all__ = ["parse_file", "parse_text", "Report", "Cell", "Finding", "Source",
           "GongkaiError", "InputError", "__version__", "PARSER_VERSION"]
