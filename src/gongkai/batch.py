"""Run the pipeline over many inputs: expand paths, parse each, keep going past bad
files.  Used by the CLI; no printing here except through the progress callback."""
from __future__ import annotations

import glob
import json
import os
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
    """Files, folders (their report files, recursively) and globs → (files, problems)."""
    files, problems = [], []
    for item in inputs:
        if any(ch in item for ch in "*?[") and not os.path.exists(item):
            hits = sorted(glob.glob(item, recursive=True))
            if not hits:
                problems.append(f"{item}: 没有匹配的文件")
            files.extend(h for h in hits if os.path.isfile(h))
        elif os.path.isdir(item):
            hits = sorted(str(p) for p in Path(item).rglob("*")
                          if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)
            if not hits:
                problems.append(f"{item}: 文件夹中没有可读取的报告文件（.txt/.md/.pdf/.docx/.html 等）")
            files.extend(hits)
        else:
            files.append(item)
    return files, problems


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
