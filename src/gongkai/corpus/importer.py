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

from .. import PARSER_VERSION
from ..batch import SECONDS_PER_DOCUMENT, expand, time_limit
from ..errors import GongkaiError


@dataclass
class ImportSummary:
    files: int = 0
    imported: int = 0
    failed: int = 0
    skipped: int = 0            # same content already stored (and parsed by this parser version)
    duplicates: int = 0         # same content twice in this batch
    problems: list = field(default_factory=list)    # zh messages (inputs not found, failures)
    seconds: float = 0.0


def file_hash(path: str) -> tuple[str, int]:
    h = hashlib.sha256()
    n = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n


def parse_one(path: str, fields=None, as_float=True) -> tuple[str, dict | None, str | None, str | None]:
    """Worker: (path, rows prepared for the database or None, reader kind, error message).
    Never raises: a bug becomes a one-line message and a crash report (``gongkai.crash``)."""
    from ..crash import guarded
    g = guarded(path, _parse_prepare, path, fields, as_float)
    if g.error:
        return path, None, None, g.error
    rows, reader = g.value
    return path, rows, reader, None


def _parse_prepare(path, fields, as_float):
    from ..pipeline import parse_file
    from .store import prepare
    from ..errors import InputError
    with time_limit(SECONDS_PER_DOCUMENT, path):
        rep = parse_file(path)
        big = [f for f, c in rep.cells.items() if isinstance(c.value, int) and abs(c.value) >= 2 ** 63]
        if big:     # no SQL integer column holds it: this document fails, not the whole import
            raise InputError(path, f"单元格 {big[0]} 的数值过大（{len(str(rep.cells[big[0]].value))} 位数字），无法存入语料库")
        return prepare(rep, fields, as_float), rep.meta.get("reader")


def _plan(corpus, inputs, reparse_older: bool, summary: ImportSummary):
    files, problems = expand(inputs)
    summary.problems += problems
    summary.files = len(files)
    known = corpus.known_hashes()
    seen = set()
    todo = []
    for f in files:
        try:
            sha, size = file_hash(f)
        except OSError as e:
            summary.failed += 1
            summary.problems.append(f"{f}: 无法读取（{e.strerror or e}）")
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
        todo.append((f, sha, size))
    return todo


def import_paths(corpus, inputs, workers: int | None = None, progress=None, executor: str = "process",
                 scheduler: str | None = None, reparse_older: bool = False) -> ImportSummary:
    """Import files/folders/globs into ``corpus``; ``progress(done, total, path)``."""
    import time
    t0 = time.perf_counter()
    summary = ImportSummary()
    todo = _plan(corpus, inputs, reparse_older, summary)
    info = {f: (sha, size) for f, sha, size in todo}
    paths = [f for f, _s, _n in todo]
    done = 0
    job = partial(parse_one, fields=tuple(corpus.field_ids), as_float=corpus.as_float)
    for path, rep, reader, error in _results(job, paths, workers, executor, scheduler):
        sha, size = info[path]
        doc = {"sha256": sha, "path": os.path.abspath(path), "size": size, "format": reader,
               "parser_version": PARSER_VERSION, "status": "error" if error else "ok", "error": error}
        corpus.store(doc, rep)
        if error:
            summary.failed += 1
            summary.problems.append(error)
        else:
            summary.imported += 1
        done += 1
        if progress:
            progress(done, len(paths), path)
    summary.seconds = time.perf_counter() - t0
    return summary


def _results(job, paths, workers, executor, scheduler):
    if not paths:
        return
    if executor == "dask":
        yield from _dask_results(job, paths, scheduler)
        return
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(paths) < 4:
        for p in paths:
            yield job(p)
        return
    chunk = max(1, min(64, len(paths) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers) as ex:
        yield from ex.map(job, paths, chunksize=chunk)


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
        except OSError:
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
