"""Import report files into the corpus: expand inputs, skip contents already stored
(sha256), parse in worker processes (or on a Dask cluster), write each document in its
own transaction from the main process.  A file that fails is stored with its error and
the batch goes on; an interrupted import leaves only whole documents and is resumed by
running it again."""
from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from ..version import PARSER_VERSION
from ..batch import SECONDS_PER_DOCUMENT, expand, time_limit
from ..errors import GongkaiError


NOT_REPORT = "not_report"      # documents.status of a file read but not in the national format


@dataclass
class ImportSummary:
    files: int = 0
    imported: int = 0
    failed: int = 0
    skipped: int = 0            # same content already stored (and parsed by this parser version)
    duplicates: int = 0         # same content twice in this batch
    not_reports: int = 0        # stored as documents without a report (not in the national format)
    problems: list = field(default_factory=list)    # zh messages (inputs not found, failures)
    notes: list = field(default_factory=list)       # zh messages that are no failure (not a report)
    corpus_findings: int | None = None              # findings across reports, when checked
    t2_reranked: int = 0        # fused 表二 cells whose best guess the neighbouring years re-ranked
    seconds: float = 0.0


def file_hash(path: str, limit: int | None = None) -> tuple[str, int]:
    """sha256 and size of a regular file, read in chunks.  Opened without blocking and
    checked to be a regular file first (a FIFO or device is never read); more than
    ``limit`` bytes (default: the readers' limit) → InputError, without reading further."""
    import stat
    from ..errors import InputError
    from ..read import MAX_BINARY_BYTES
    limit = MAX_BINARY_BYTES if limit is None else limit
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(path, "不是普通文件（管道、设备或套接字），已跳过")
        if st.st_size > limit:
            raise InputError(path, f"文件过大（{st.st_size // (1024 * 1024)} MB，上限 {limit // (1024 * 1024)} MB）")
        h = hashlib.sha256()
        n = 0
        while chunk := fh.read(1 << 20):
            n += len(chunk)
            if n > limit:                   # grew while being read
                raise InputError(path, f"文件过大（超过上限 {limit // (1024 * 1024)} MB）")
            h.update(chunk)
    return h.hexdigest(), n


def parse_one(path: str, fields=None, as_float=True) -> tuple[str, dict | None, str | None, str | None]:
    """Worker: (path, rows prepared for the database or None, reader kind, error message).
    Never raises: a bug becomes a one-line message and a crash report (``gongkai.crash``)."""
    from ..crash import guarded
    from ..errors import NoTables
    g = guarded(path, _parse_prepare, path, fields, as_float)
    if isinstance(g.exc, NoTables):   # read, but not a national-format report: a document without a report
        return path, None, NOT_REPORT, g.error
    if g.error:
        return path, None, None, g.error
    rows, reader = g.value
    return path, rows, reader, None


def _parse_prepare(path, fields, as_float):
    from ..pipeline import parse_file
    from .store import prepare
    with time_limit(SECONDS_PER_DOCUMENT, path):
        rep = parse_file(path)
        return prepare(rep, fields, as_float), rep.meta.get("reader")


def _plan(corpus, inputs, reparse_older: bool, summary: ImportSummary):
    """(path, sha256, size, replace) of the files to parse.  Empty, oversized and
    non-regular files are refused before any hashing (an empty file is no duplicate)."""
    from ..batch import _os_reason
    files, problems = expand(inputs)
    summary.problems += problems
    summary.files = len(files)
    known = corpus.known_hashes()
    seen = set()
    todo = []
    for f in files:
        try:
            if os.stat(f).st_size == 0:
                summary.failed += 1
                summary.problems.append(f"{f}: 文件为空")
                continue
            sha, size = file_hash(f)
        except GongkaiError as e:
            summary.failed += 1
            summary.problems.append(str(e))
            continue
        except OSError as e:
            summary.failed += 1
            summary.problems.append(f"{f}: 无法读取（{_os_reason(e)}）")
            continue
        if sha in seen:
            summary.duplicates += 1
            continue
        seen.add(sha)
        k = known.get(sha)
        if k is not None:
            _id, status, version = k
            if not (reparse_older and (version or 0) < PARSER_VERSION):
                summary.skipped += 1
                continue
        todo.append((f, sha, size, k is not None))
    return todo


def import_paths(corpus, inputs, workers: int | None = None, progress=None, executor: str = "process",
                 scheduler: str | None = None, reparse_older: bool = False, check: bool = False) -> ImportSummary:
    """Import files/folders/globs into ``corpus``; ``progress(done, total, path)``.

    Each document is written in its own transaction; one that cannot be written is
    recorded as failed and the batch goes on (only a database that cannot be written at
    all stops it).  ``check``: recompute the findings across reports at the end — also
    when nothing new was stored, so an import killed before its check is healed by
    running it again."""
    import time
    from .store import DocumentError, ReviewKept
    t0 = time.perf_counter()
    summary = ImportSummary()
    todo = _plan(corpus, inputs, reparse_older, summary)
    info = {f: (sha, size, replace) for f, sha, size, replace in todo}
    paths = [f for f, _s, _n, _r in todo]
    done = 0
    stored = []                     # documents written with a report (their neighbours get re-ranked)
    job = partial(parse_one, fields=tuple(corpus.field_ids), as_float=corpus.as_float)
    for path, rep, reader, error in _results(job, paths, workers, executor, scheduler):
        sha, size, replace = info[path]
        status = (NOT_REPORT if reader == NOT_REPORT else "error") if error else "ok"
        doc = {"sha256": sha, "path": os.path.abspath(path), "size": size,
               "format": None if reader == NOT_REPORT else reader, "parser_version": PARSER_VERSION,
               "status": status, "error": error}
        try:
            _id, written = corpus.store_document(doc, rep, replace)
        except ReviewKept as e:             # a reviewed report not replaced by no report: kept as it was
            summary.failed += 1
            summary.problems.append(str(e))
            done += 1
            if progress:
                progress(done, len(paths), path)
            continue
        except DocumentError as e:          # this document's data cannot be stored: record it as failed
            status, error = "error", str(e)
            doc.update(status=status, error=error)
            try:
                _id, written = corpus.store_document(doc, None, replace)
            except DocumentError:
                written = True              # not even its failure could be stored: said below
        if not written:
            summary.skipped += 1            # stored meanwhile by another importer (已存在)
        elif status == "ok":
            summary.imported += 1
            stored.append(_id)
        elif status == NOT_REPORT:
            summary.not_reports += 1
            summary.notes.append(f"{error}（已作为非报告文档登记）")
        else:
            summary.failed += 1
            summary.problems.append(error)
        done += 1
        if progress:
            progress(done, len(paths), path)
    if stored:
        from .t2prior import apply_for_documents
        summary.t2_reranked = apply_for_documents(corpus, stored)
    if check:
        from .crosscheck import run_corpus_checks
        summary.corpus_findings = len(run_corpus_checks(corpus))
    summary.seconds = time.perf_counter() - t0
    return summary


def parse_results(corpus, paths, workers: int | None = None, executor: str = "process", scheduler: str | None = None,
                  pool_from: int = 4):
    """(path, rows, reader, error) for each path, as ``parse_one`` gives it, parsed in
    worker processes (``pool_from`` paths or more; fewer: here) or on a Dask cluster."""
    job = partial(parse_one, fields=tuple(corpus.field_ids), as_float=corpus.as_float)
    yield from _results(job, paths, workers, executor, scheduler, pool_from)


def _results(job, paths, workers, executor, scheduler, pool_from: int = 4):
    if not paths:
        return
    if executor == "dask":
        yield from _dask_results(job, paths, scheduler)
        return
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(paths) < pool_from:
        for p in paths:
            yield job(p)
        return
    import threading
    ctx = None
    if threading.current_thread() is not threading.main_thread():
        import multiprocessing
        ctx = multiprocessing.get_context("forkserver")    # no fork of a process running other threads
    chunk = max(1, min(64, len(paths) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=min(workers, len(paths)), mp_context=ctx, initializer=die_with,
                             initargs=(os.getpid(),)) as ex:
        yield from ex.map(job, paths, chunksize=chunk)


def die_with(pid: int) -> None:
    """Worker initializer: end this worker when process ``pid`` (the importer or web server
    that started the pool) ends.  A parent killed with -9 runs no clean-up, and its
    workers would otherwise live on for good, blocked on a result nobody reads (and, under
    forkserver, keep the fork server and the resource tracker alive with them)."""
    import threading

    def watch():
        try:
            fd = os.pidfd_open(pid)          # readable once the process has ended (Linux ≥ 5.3)
        except (AttributeError, OSError):
            fd = None
        if fd is not None:
            import select
            select.select([fd], [], [])
        else:
            import time
            while True:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                except OSError:
                    pass
                time.sleep(1.0)
        os._exit(1)
    threading.Thread(target=watch, name="gongkai-parent-watch", daemon=True).start()


def _dask_results(job, paths, scheduler):
    try:
        from dask.distributed import Client, as_completed
    except ImportError as e:
        raise GongkaiError(f"--executor dask 需要 dask.distributed：pip install 'gongkai[dask]'（{e}）")
    if not scheduler:
        raise GongkaiError("--executor dask 需要 --scheduler 地址（如 tcp://127.0.0.1:8786）")
    try:
        client = Client(scheduler, timeout="10s")
    except Exception as e:
        raise GongkaiError(f"无法连接 Dask 调度器 {scheduler}：{e}")
    try:
        # tasks of DASK_BATCH documents: a task per document costs more in scheduling than parsing
        batches = [paths[i:i + DASK_BATCH] for i in range(0, len(paths), DASK_BATCH)]
        futures = client.map(_run_batch, batches, job=job, pure=False)
        where = {f.key: b for f, b in zip(futures, batches)}
        for fut in as_completed(futures):
            try:
                yield from fut.result()
            except Exception as e:
                for p in where[fut.key]:
                    yield (p, None, None, f"{p}: Dask 任务失败：{e}")
    finally:
        client.close()


DASK_BATCH = 32


def _run_batch(paths, job):
    return [job(p) for p in paths]


def reparse(corpus, workers: int | None = None, progress=None, executor="process", scheduler=None) -> ImportSummary:
    """Parse again the documents stored by an older parser version (from their paths;
    a file that moved or changed is reported and its stored report kept)."""
    import sqlalchemy as sa
    from . import schema as S
    d = S.documents
    with corpus.engine.connect() as c:
        old = c.execute(sa.select(d.c.path, d.c.sha256).where(
            sa.or_(d.c.parser_version < PARSER_VERSION, d.c.parser_version.is_(None)))).all()
    paths, problems = [], []
    for path, sha in old:
        try:
            now, _n = file_hash(path)
        except (OSError, GongkaiError):
            problems.append(f"{path}: 文件已不存在，保留原解析结果")
            continue
        if now != sha:
            problems.append(f"{path}: 文件内容已改变，保留原解析结果（如需更新请重新导入）")
            continue
        paths.append(path)
    s = import_paths(corpus, paths, workers, progress, executor, scheduler, reparse_older=True)
    s.problems = problems + s.problems
    s.failed += len(problems)
    return s
