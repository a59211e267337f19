"""Per-document limits (time, pixels, memory), enforced inside the library.

The time limit is cooperative: ``parse_file`` sets a deadline in a context variable
(so it is per thread, per asyncio task and per worker process; no SIGALRM), and the
long loops call :func:`checkpoint`, which raises :class:`LimitExceeded` once the
deadline has passed.  Readers call :func:`check_pixels` before they decode or render
an image, so an oversized page or a decompression bomb is refused before any large
allocation."""
from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from .errors import LimitExceeded

DEFAULT_SECONDS = 8                    # a text-layer document (a report parses in ~0.01–2 s)
DEFAULT_OCR_SECONDS_PER_PAGE = 30      # added to the budget for each page sent to OCR
DEFAULT_MAX_PIXELS = 60_000_000        # one page or image (A4 at 200 DPI is ~3.9 million)
DEFAULT_MAX_MEMORY_MB = 2048           # estimated memory for one page or image being decoded


@dataclass(frozen=True)
class Limits:
    seconds: float | None = DEFAULT_SECONDS      # None: no time limit
    ocr_seconds_per_page: float = DEFAULT_OCR_SECONDS_PER_PAGE
    max_pixels: int = DEFAULT_MAX_PIXELS
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB   # bitmap estimate (pixels × 4 bytes × copies)


@dataclass
class _Active:
    limits: Limits
    path: str
    deadline: float | None       # time.monotonic() value, or None
    seconds: float | None


_ACTIVE: ContextVar[_Active | None] = ContextVar("gongkai_limits", default=None)


@contextmanager
def applied(limits: Limits | None, path) -> "_Active":
    """Apply ``limits`` to the document ``path`` for the duration of the block.  Nested
    blocks keep the earlier deadline (an outer budget is never extended)."""
    limits = limits or Limits()
    outer = _ACTIVE.get()
    deadline = None if limits.seconds is None else time.monotonic() + limits.seconds
    seconds = limits.seconds
    if outer is not None and outer.deadline is not None and (deadline is None or outer.deadline < deadline):
        deadline, seconds = outer.deadline, outer.seconds
    act = _Active(limits, str(path), deadline, seconds)
    token = _ACTIVE.set(act)
    try:
        yield act
    finally:
        _ACTIVE.reset(token)


def extend(seconds: float) -> None:
    """Give the current document ``seconds`` more (an OCR page is bounded per page, not by
    the budget of a text-layer document).  No effect without a time limit."""
    act = _ACTIVE.get()
    if act is not None and act.deadline is not None:
        act.deadline += seconds
        act.seconds = (act.seconds or 0) + seconds


def current() -> Limits:
    act = _ACTIVE.get()
    return act.limits if act is not None else Limits()


def _path(path=None) -> str:
    act = _ACTIVE.get()
    return str(path) if path is not None else (act.path if act is not None else "<document>")


def timeout_error(path=None, seconds=None) -> LimitExceeded:
    act = _ACTIVE.get()
    if seconds is None:
        seconds = act.seconds if act is not None else DEFAULT_SECONDS
    return LimitExceeded(_path(path), f"处理超时（超过 {_fmt(seconds)} 秒），已跳过")


def checkpoint() -> None:
    """Raise LimitExceeded when the current document's time budget is spent.  Cheap:
    call it in any loop that may run long (per page, table, row, search node batch)."""
    act = _ACTIVE.get()
    if act is not None and act.deadline is not None and time.monotonic() > act.deadline:
        raise timeout_error()


def remaining() -> float | None:
    """Seconds left for the current document (None: no limit)."""
    act = _ACTIVE.get()
    if act is None or act.deadline is None:
        return None
    return act.deadline - time.monotonic()


def check_pixels(width: float, height: float, what: str, path=None, channels: int = 4) -> None:
    """Refuse to decode or render a ``width`` × ``height`` bitmap over the pixel or memory
    limit (``what`` names it in the message, e.g. 「第 3 页」 or 「图片」)."""
    lim = current()
    w, h = int(width), int(height)
    px = w * h
    mb = px * channels * 3 / (1024 * 1024)     # the bitmap, its RGB copy and the cleaned copy
    if px > lim.max_pixels:
        raise LimitExceeded(_path(path), f"{what}尺寸过大（{w}×{h} 像素，上限 {lim.max_pixels // 1_000_000} 百万像素），已拒绝处理")
    if mb > lim.max_memory_mb:
        raise LimitExceeded(_path(path), f"{what}解码所需内存过大（约 {mb:.0f} MB，上限 {lim.max_memory_mb} MB），已拒绝处理")


def _fmt(seconds) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"
