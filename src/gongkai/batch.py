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

from .errors import GongkaiError, InputError
from .pipeline import parse_file

REPORT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ".pdf", ".docx", ".doc", ".wps", ".html", ".htm",
                   ".shtml", ".xhtml", ".mht"}
SECONDS_PER_DOCUMENT = 120   # a document that takes longer is reported and skipped


@dataclass
class Outcome:
    path: str
    report: object = None
    error: str | None = None
    output: str | None = None


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


class _Timeout(Exception):
    pass


@contextmanager
def time_limit(seconds: int, path):
    """Bound the time spent on one document (main thread on Unix; elsewhere no limit)."""
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise _Timeout()
    old = signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)
    try:
        yield
    except _Timeout:
        raise InputError(path, f"处理超时（超过 {seconds} 秒），已跳过")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def run(files, out_dir: str | None = None, progress=None) -> BatchResult:
    res = BatchResult()
    used: set = set()
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    for i, f in enumerate(files):
        if progress:
            progress(i, len(files), f)
        o = Outcome(f)
        try:
            with time_limit(SECONDS_PER_DOCUMENT, f):
                o.report = parse_file(f)
        except GongkaiError as e:
            o.error = str(e)
        except RecursionError:
            o.error = f"{f}: 文档结构过于复杂，无法解析"
        except Exception as e:  # a bug must not stop the batch; say so plainly
            o.error = f"{f}: 解析时出现内部错误（{e.__class__.__name__}: {e}），请反馈此文件"
        if o.report is not None and out_dir:
            name = output_name(f, used)
            target = Path(out_dir) / name
            tmp = target.with_suffix(".json.tmp")
            tmp.write_text(json.dumps(o.report.to_dict(), ensure_ascii=False, indent=1), "utf-8")
            os.replace(tmp, target)
            o.output = str(target)
        res.outcomes.append(o)
    if progress:
        progress(len(files), len(files), None)
    return res
