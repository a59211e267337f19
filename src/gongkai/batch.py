"""Run the pipeline over many inputs: expand paths, parse each, keep going past bad
files.  Used by the CLI; no printing here except through the progress callback."""
from __future__ import annotations

import errno
import glob
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import signal
import threading
from contextlib import contextmanager

from .crash import guarded
from .errors import InputError, LimitExceeded
from .limits import DEFAULT_SECONDS
from .pipeline import parse_file

REPORT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ".pdf", ".docx", ".doc", ".wps", ".html", ".htm",
                   ".shtml", ".xhtml", ".mht"}
SECONDS_PER_DOCUMENT = DEFAULT_SECONDS   # a document that takes longer is reported and skipped


@dataclass
class Outcome:
    path: str
    report: object = None
    error: str | None = None
    output: str | None = None
    crash_report: str | None = None   # set when the error was internal (a bug)


@dataclass
class BatchResult:
    outcomes: list = field(default_factory=list)

    @property
    def failed(self):
        return [o for o in self.outcomes if o.error]

    @property
    def reports(self):
        return [o for o in self.outcomes if o.report is not None]


def expand(inputs) -> tuple[list[str], list[str]]:
    """Files, folders (their report files, recursively) and globs → (files, problems).
    Only regular files are kept: a FIFO, device or socket is refused with a line (and
    never opened), as are dangling links and symlink loops.  Symlinked folders are
    followed once; a folder already walked (a loop) is reported and skipped.  A path
    that does not exist is kept, for the reader to say so."""
    files, problems = [], []
    for item in inputs:
        if any(ch in item for ch in "*?[") and not os.path.lexists(item):
            hits = sorted(glob.glob(item, recursive=True))
            if not hits:
                problems.append(f"{item}: 没有匹配的文件")
            for h in hits:
                kind, why = _kind(h)
                if kind == "file":
                    files.append(h)
                elif kind != "dir":
                    problems.append(why)
            continue
        kind, why = _kind(item)
        if kind == "dir":
            hits, walk_problems = _walk(item)
            problems += walk_problems
            if not hits:
                problems.append(f"{item}: 文件夹中没有可读取的报告文件（.txt/.md/.pdf/.docx/.html 等）")
            files.extend(hits)
        elif kind in ("file", "missing"):
            files.append(item)
        else:
            problems.append(why)
    return files, problems


_SPECIAL = ((stat.S_ISFIFO, "命名管道 FIFO"), (stat.S_ISCHR, "字符设备"), (stat.S_ISBLK, "块设备"),
            (stat.S_ISSOCK, "套接字"))


def _kind(path: str) -> tuple[str, str | None]:
    """file | dir | missing | bad, with the zh line for a bad one (stat only, nothing opened)."""
    try:
        st = os.stat(path)
    except OSError as e:
        if os.path.islink(path):
            if e.errno == errno.ELOOP:
                return "bad", f"{path}: 符号链接形成循环，已跳过"
            return "bad", f"{path}: 符号链接指向的文件不存在，已跳过"
        if isinstance(e, FileNotFoundError):
            return "missing", None
        return "bad", f"{path}: 无法读取（{_os_reason(e)}）"
    if stat.S_ISDIR(st.st_mode):
        return "dir", None
    if stat.S_ISREG(st.st_mode):
        return "file", None
    what = next((zh for test, zh in _SPECIAL if test(st.st_mode)), "特殊文件")
    return "bad", f"{path}: 不是普通文件（{what}），已跳过"


def _os_reason(e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return "文件不存在"
    if isinstance(e, PermissionError):
        return "没有读取权限"
    if e.errno == errno.ELOOP:
        return "符号链接形成循环"
    return e.strerror or e.__class__.__name__


def _walk(top: str) -> tuple[list[str], list[str]]:
    """The report files under ``top`` (sorted), following symlinked folders once."""
    files, problems = [], []
    seen = set()

    def visit(d: str, st):
        key = (st.st_dev, st.st_ino)
        if key in seen:
            problems.append(f"{d}: 符号链接指向已读取过的文件夹（循环或重复），已跳过")
            return
        seen.add(key)
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            problems.append(f"{d}: 无法读取文件夹（{_os_reason(e)}）")
            return
        for e in entries:
            try:
                est = e.stat(follow_symlinks=True)
            except OSError as err:
                if e.is_symlink():
                    if err.errno == errno.ELOOP:
                        problems.append(f"{e.path}: 符号链接形成循环，已跳过")
                    elif Path(e.name).suffix.lower() in REPORT_SUFFIXES or not Path(e.name).suffix:
                        problems.append(f"{e.path}: 符号链接指向的文件不存在，已跳过")
                else:
                    problems.append(f"{e.path}: 无法读取（{_os_reason(err)}）")
                continue
            if stat.S_ISDIR(est.st_mode):
                visit(e.path, est)
            elif Path(e.name).suffix.lower() in REPORT_SUFFIXES:
                if stat.S_ISREG(est.st_mode):
                    files.append(e.path)
                else:
                    problems.append(_kind(e.path)[1])
    try:
        visit(top, os.stat(top))
    except OSError as e:
        problems.append(f"{top}: 无法读取文件夹（{_os_reason(e)}）")
    return sorted(files), problems


def output_name(path: str, used: set) -> str:
    stem = Path(path).stem
    name = stem
    k = 2
    while name in used:
        name = f"{stem}-{k}"
        k += 1
    used.add(name)
    return name + ".json"


class _Timeout(BaseException):
    """Raised by the SIGALRM safety net; a BaseException, so that third-party code that
    catches ``Exception`` (an OCR engine, a C extension's wrapper) cannot swallow it."""


SAFETY_GRACE = 30   # the outer SIGALRM net fires this long after the library's own deadline


@contextmanager
def time_limit(seconds: int, path):
    """Outer safety net for one document (main thread on Unix; elsewhere no-op).  The
    limit proper is the library's cooperative deadline (``gongkai.limits``); this alarm
    only catches a loop that never reaches a checkpoint."""
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        from .limits import remaining
        left = remaining()            # the library's deadline, extended per OCR page
        if left is not None and left > -SAFETY_GRACE:
            signal.alarm(max(1, int(left + SAFETY_GRACE) + 1))
            return
        raise _Timeout()
    old = signal.signal(signal.SIGALRM, handler)
    signal.alarm(int(seconds) + SAFETY_GRACE)
    try:
        yield
    except _Timeout:
        raise LimitExceeded(path, f"处理超时（超过 {seconds} 秒），已跳过") from None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _parse_and_write(f: str, out_dir: str | None, used: set, o: "Outcome", limits):
    with time_limit(SECONDS_PER_DOCUMENT if limits is None or limits.seconds is None else limits.seconds, f):
        rep = parse_file(f, limits=limits)
    if out_dir:
        name = output_name(f, used)
        target = Path(out_dir) / name
        tmp = target.with_suffix(".json.tmp")
        try:
            tmp.write_text(json.dumps(rep.to_dict(), ensure_ascii=False, indent=1), "utf-8")
            os.replace(tmp, target)
        except OSError as e:
            raise InputError(f, f"无法写入结果文件 {target}（{e.strerror or e}）")
        finally:
            if tmp.exists():
                tmp.unlink(missing_ok=True)
        o.output = str(target)
    return rep


def run(files, out_dir: str | None = None, progress=None, limits=None) -> BatchResult:
    """Parse each file (and write its JSON into ``out_dir``); a file that fails, for
    any reason, becomes an outcome with a one-line Chinese error and the batch goes on."""
    res = BatchResult()
    used: set = set()
    if out_dir:
        try:
            os.makedirs(out_dir, exist_ok=True)
        except OSError as e:
            raise InputError(out_dir, f"无法创建输出文件夹（{e.strerror or e}）")
    for i, f in enumerate(files):
        if progress:
            progress(i, len(files), f)
        o = Outcome(f)
        g = guarded(f, _parse_and_write, f, out_dir, used, o, limits)
        o.report, o.error, o.crash_report = g.value, g.error, g.crash_report
        if o.error:
            o.output = None
        res.outcomes.append(o)
    if progress:
        progress(len(files), len(files), None)
    return res
