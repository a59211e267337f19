"""One place where a document's unexpected exception is turned into a clean line.

``guarded(path, fn, ...)`` runs ``fn`` for one input document: the project's own errors
become their Chinese message; any other exception (a bug) becomes one Chinese line
naming the file and a crash report written under the crash folder (``$GONGKAI_CRASH_DIR``
or ``./gongkai-crash/``): traceback, versions and the input's path, size and sha256,
never its content.  Writing the report never fails the caller.  Used by the batch
(CLI), the corpus importer and the renderer; web workers should call it too."""
from __future__ import annotations

import hashlib
import os
import platform
import stat
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

from .errors import GongkaiError

DEFAULT_DIR = "gongkai-crash"
MAX_HASH_BYTES = 1 << 30        # inputs larger than this are not hashed (size is reported)


@dataclass
class Guarded:
    value: Any = None
    error: str | None = None          # one Chinese line naming the file
    crash_report: str | None = None   # path of the crash report (internal errors only)
    exc: BaseException | None = None  # the project's own error, when that is what stopped it

    @property
    def ok(self) -> bool:
        return self.error is None


def crash_dir() -> str:
    return os.environ.get("GONGKAI_CRASH_DIR") or DEFAULT_DIR


def guarded(path, fn: Callable, *args, **kw) -> Guarded:
    """Run ``fn(*args, **kw)`` for the document ``path``; never raises (except on
    KeyboardInterrupt / SystemExit)."""
    try:
        return Guarded(value=fn(*args, **kw))
    except GongkaiError as e:
        msg = str(e)
        return Guarded(error=msg if str(path) in msg else f"{path}: {msg}", exc=e)
    except RecursionError:
        return Guarded(error=f"{path}: 文档结构过于复杂，无法解析")
    except MemoryError:
        return Guarded(error=f"{path}: 内存不足，无法处理该文件，已跳过")
    except Exception as e:      # a bug: it must not stop the batch
        return internal_error(path, e)


def internal_error(path, exc: BaseException) -> Guarded:
    report = write_crash_report(path, exc)
    if report:
        return Guarded(error=f"{path}: 内部错误，已写入 crash 报告 {report}，请将该文件与报告一并反馈",
                       crash_report=report)
    return Guarded(error=f"{path}: 内部错误（{exc.__class__.__name__}；无法写入 crash 报告），请将该文件反馈")


def crash_text(path, exc: BaseException) -> str:
    from .version import PARSER_VERSION, __version__
    size, sha = _describe(path)
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return "\n".join([
        "gongkai crash report",
        f"time: {time.strftime('%Y-%m-%d %H:%M:%S %z')}",
        f"gongkai: {__version__}",
        f"parser_version: {PARSER_VERSION}",
        f"python: {sys.version.split()[0]} ({platform.python_implementation()}, {platform.platform()})",
        f"input: {os.path.abspath(str(path))}",
        f"size: {size}",
        f"sha256: {sha}",
        "",
        tb,
    ])


def write_crash_report(path, exc: BaseException) -> str | None:
    """Write the report; returns its path, or None when no folder could take it."""
    try:
        text = crash_text(path, exc)
    except Exception as e:      # describing the input must not fail either
        text = f"gongkai crash report\ninput: {path}\n(describe failed: {e!r})\n\n" + "".join(
            traceback.format_exception(type(exc), exc, exc.__traceback__))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = os.path.splitext(os.path.basename(str(path)))[0][:60] or "input"
    name = f"crash-{stamp}-{os.getpid()}-{base}"
    for folder in (crash_dir(), os.path.join(tempfile.gettempdir(), DEFAULT_DIR)):
        try:
            os.makedirs(folder, exist_ok=True)
            for k in range(100):
                target = os.path.join(folder, f"{name}{'' if k == 0 else f'-{k}'}.txt")
                try:
                    with open(target, "x", encoding="utf-8") as fh:
                        fh.write(text)
                    return target
                except FileExistsError:
                    continue
        except (OSError, ValueError):
            continue
    return None


def _describe(path) -> tuple[str, str]:
    try:
        st = os.stat(str(path))
    except (OSError, ValueError) as e:
        return f"unknown ({e.__class__.__name__})", "not computed"
    if not stat.S_ISREG(st.st_mode):
        return f"{st.st_size} (not a regular file)", "not computed"
    if st.st_size > MAX_HASH_BYTES:
        return str(st.st_size), "not computed (file too large)"
    h = hashlib.sha256()
    try:
        with open(str(path), "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except OSError as e:
        return str(st.st_size), f"not computed ({e.__class__.__name__})"
    return str(st.st_size), h.hexdigest()
