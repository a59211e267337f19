"""Upload jobs: a durable queue, in the corpus database, of files to import.

A job is one submission of a user (files, ZIP archives of them, URLs); each file is an
item.  Files are streamed into a spool directory the server controls, each stored under
its sha256 (``spool/ab/ab12…``): the name a browser sent is kept for display only and
never becomes a path.  ``run_pending`` parses the queued items with the importer's
machinery (its process pool, or Dask) and stores each one in its own transaction, after
these checks:

- the same content already in the corpus → ``duplicate`` (not parsed again);
- a report of the same agency and year already stored → ``duplicate`` with a link,
  imported (as a newer version) only when the user confirms (``confirm_replace``);
- the report's agency outside the uploader's scope (填报人: their agency; 审核人: their
  regions and agencies) → ``refused`` with the reason;
- read but not in the national format → ``not_report``; failed → ``failed`` with a
  one-line reason, and ``retry`` queues it again.

Items left ``running`` by a server that stopped go back to ``queued`` (``recover``).
URL items are fetched by the runner (``gongkai.corpus.fetch``: http/https only, no
private addresses by default, size and time limits); the URL becomes the document's path."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import schema as S
from .spool import MB, JobError, Received, UploadLimits, blob_of, display_url, expand_zip, is_archive
from .store import CorpusError

STATUS_ZH = {"queued": "排队中", "running": "解析中", "done": "已导入", "failed": "失败", "duplicate": "重复",
             "not_report": "非年报", "refused": "已拒绝"}
ACTIVE = ("queued", "running")
UPLOAD_ROLES = ("admin", "reviewer", "staff")


@dataclass
class Item:
    id: int
    name: str
    status: str
    reason: str | None
    size: int | None
    url: str | None
    agency: str | None
    year: int | None
    document_id: int | None
    report_id: int | None
    attempts: int
    replace: bool
    blob: str | None = None

    @property
    def status_zh(self) -> str:
        return STATUS_ZH.get(self.status, self.status)

    @property
    def size_text(self) -> str:
        if not self.size:
            return "—"
        if self.size >= MB // 10:
            return f"{self.size / MB:.1f} MB"
        return f"{max(1, self.size // 1024)} KB"

    @property
    def can_retry(self) -> bool:
        """Failed with something to read again: a stored file, or a URL that may be fetched."""
        from .fetch import check_url
        return self.status == "failed" and (self.blob is not None or (self.url is not None and not check_url(self.url)))

    @property
    def can_replace(self) -> bool:
        """A duplicate by agency and year (another file), which the user may import anyway."""
        return self.status == "duplicate" and self.report_id is not None and not self.replace and \
            self.document_id is None


@dataclass
class Job:
    id: int
    user_id: int
    user_name: str
    created_at: object
    items: list[Item] = field(default_factory=list)

    @property
    def counts(self) -> dict:
        out = {k: 0 for k in STATUS_ZH}
        for i in self.items:
            out[i.status] = out.get(i.status, 0) + 1
        return out

    @property
    def summary(self) -> list[tuple[str, str, int]]:
        """(status, its name, count) of the statuses present, in the order of a file's life."""
        n = self.counts
        order = ("queued", "running", "done", "duplicate", "not_report", "refused", "failed")
        return [(k, STATUS_ZH[k], n[k]) for k in order if n.get(k)]

    @property
    def active(self) -> bool:
        return any(i.status in ACTIVE for i in self.items)


# ------------------------------------------------------------------ adding work

def _now():
    return datetime.now(timezone.utc)


def _check_uploader(user):
    if user is None or not getattr(user, "active", False) or user.role not in UPLOAD_ROLES:
        raise JobError("您的账户无权上传报告")


def new_job(corpus, user) -> int:
    _check_uploader(user)
    with corpus.engine.begin() as c:
        return c.execute(S.upload_jobs.insert().values(user_id=user.id, created_at=_now(), status="open")
                         ).inserted_primary_key[0]


def _insert_items(corpus, job: int, rows: list[dict]) -> None:
    if rows:
        now = _now()
        blank = dict.fromkeys(("blob", "size", "sha256", "url", "reason", "document_id", "report_id", "agency",
                               "year"))
        with corpus.engine.begin() as c:        # every row with every column (executemany takes the first's)
            c.execute(S.upload_items.insert(), [{**blank, "job_id": job, "replace": False, "attempts": 0,
                                                 "updated_at": now, **r} for r in rows])


def add_files(corpus, user, files: list[Received], spool: Path, limits: UploadLimits = UploadLimits(),
              job: int | None = None) -> int:
    """Queue received files (ZIP archives expanded) in ``job`` (a new job if None);
    returns the job id.  A file whose content is already in the corpus is a duplicate
    at once; an empty file fails at once."""
    _check_uploader(user)
    job = job or new_job(corpus, user)
    rows, accepted = [], []
    for r in files:
        if r.size == 0:
            r.tmp.unlink(missing_ok=True)
            rows.append({"name": r.name, "size": 0, "status": "failed", "reason": "文件为空"})
            continue
        if is_archive(r.tmp):
            members, refused = expand_zip(spool, r, limits)
            r.tmp.unlink(missing_ok=True)
            rows += [{"name": n[:300], "status": "failed", "reason": why} for n, why in refused]
            if not members and not refused:
                rows.append({"name": r.name, "size": r.size, "status": "failed",
                             "reason": "压缩包中没有可导入的文件"})
            accepted += members
        else:
            accepted.append(r)
    if len(accepted) > limits.max_files:
        for r in accepted:
            r.tmp.unlink(missing_ok=True)
        raise JobError(f"一次最多上传 {limits.max_files} 个文件（本次 {len(accepted)} 个）：请分批上传")
    known = _documents_by_hash(corpus, [r.sha256 for r in accepted])
    seen: dict[str, str] = {}
    for r in accepted:
        blob = blob_of(spool, r)
        row = {"name": r.name[:300], "blob": blob, "size": r.size, "sha256": r.sha256, "status": "queued"}
        doc = known.get(r.sha256)
        if doc is not None and doc["status"] != "error":
            row.update(_duplicate_of_document(corpus, user, doc))
        elif r.sha256 in seen:
            row.update(status="duplicate", reason=f"与本次上传的「{seen[r.sha256]}」内容相同，未重复导入")
        seen.setdefault(r.sha256, r.name)
        rows.append(row)
    _insert_items(corpus, job, rows)
    return job


def add_urls(corpus, user, urls: list[str], limits: UploadLimits = UploadLimits(), job: int | None = None) -> int:
    """Queue URLs (fetched by the runner); a URL that is not http(s) fails at once."""
    from .fetch import check_url
    _check_uploader(user)
    urls = [u.strip() for u in urls if u and u.strip()]
    urls = list(dict.fromkeys(urls))
    if len(urls) > limits.max_urls:
        raise JobError(f"一次最多提交 {limits.max_urls} 个网址（本次 {len(urls)} 个）")
    job = job or new_job(corpus, user)
    rows = []
    for u in urls:
        why = check_url(u)
        shown = display_url(u)
        rows.append({"name": shown, "url": u[:2000], "status": "failed" if why else "queued", "reason": why})
    _insert_items(corpus, job, rows)
    return job


def _documents_by_hash(corpus, hashes) -> dict:
    import sqlalchemy as sa
    d, r = S.documents, S.reports
    if not hashes:
        return {}
    out = {}
    with corpus.engine.connect() as c:
        for row in c.execute(sa.select(d.c.id, d.c.sha256, d.c.status, r.c.id.label("report_id"), r.c.agency_raw,
                                       r.c.agency_id, r.c.year).select_from(d.outerjoin(r, r.c.document_id == d.c.id))
                             .where(d.c.sha256.in_(list(set(hashes))))):
            out[row.sha256] = dict(row._mapping)
    return out


def _duplicate_of_document(corpus, user, doc: dict) -> dict:
    """The item of a file whose content is stored already: a duplicate with a link — or,
    when the stored report's agency is outside the uploader's scope, refused like any
    report of that agency (neither its existence nor its id is shown)."""
    if doc.get("report_id") is not None:
        why = _scope_check(corpus, user, doc.get("agency_raw"), doc.get("agency_id"))
        if why:
            return {"status": "refused", "reason": why, "agency": doc.get("agency_raw"), "year": doc.get("year")}
    if doc["status"] == "not_report":
        why = "同一文件此前已登记为非年报文档，未重复导入"
    else:
        what = "".join(x for x in (doc.get("agency_raw") or "", f" {doc['year']} 年度" if doc.get("year") else "") if x)
        why = f"同一文件已收录{('（' + what.strip() + '）') if what.strip() else ''}，未重复导入"
    return {"status": "duplicate", "reason": why, "document_id": doc["id"], "report_id": doc.get("report_id"),
            "agency": doc.get("agency_raw"), "year": doc.get("year")}


# ------------------------------------------------------------------ reading jobs

def _item(row) -> Item:
    return Item(id=row.id, name=row.name, status=row.status, reason=row.reason, size=row.size, url=row.url,
                agency=row.agency, year=row.year, document_id=row.document_id, report_id=row.report_id,
                attempts=row.attempts or 0, replace=bool(row.replace), blob=row.blob)


def _visible(user, job_user_id: int) -> bool:
    return user is not None and getattr(user, "active", False) and (user.role == "admin" or user.id == job_user_id)


def job_status(corpus, job_id: int, user) -> Job | None:
    """A job with its items, if ``user`` may see it (their own; an admin: any), else None."""
    import sqlalchemy as sa
    j, u, it = S.upload_jobs, S.users, S.upload_items
    with corpus.engine.connect() as c:
        row = c.execute(sa.select(j.c.id, j.c.user_id, j.c.created_at, u.c.name)
                        .select_from(j.join(u, u.c.id == j.c.user_id)).where(j.c.id == job_id)).first()
        if row is None or not _visible(user, row.user_id):
            return None
        items = [_item(r) for r in c.execute(sa.select(it).where(it.c.job_id == job_id).order_by(it.c.id))]
    return Job(id=row.id, user_id=row.user_id, user_name=row.name, created_at=row.created_at, items=items)


def list_jobs(corpus, user, limit: int = 20) -> list[Job]:
    """The latest jobs the user may see (items included, for their counts)."""
    import sqlalchemy as sa
    j = S.upload_jobs
    q = sa.select(j.c.id).order_by(j.c.id.desc()).limit(limit)
    if user is None or user.role != "admin":
        q = q.where(j.c.user_id == (user.id if user else -1))
    with corpus.engine.connect() as c:
        ids = [r.id for r in c.execute(q)]
    return [x for x in (job_status(corpus, i, user) for i in ids) if x is not None]


def _own_item(c, user, job_id: int, item_id: int):
    import sqlalchemy as sa
    j, it = S.upload_jobs, S.upload_items
    row = c.execute(sa.select(it.c.id, it.c.status, it.c.report_id, it.c.document_id, it.c.replace, it.c.blob,
                              it.c.url, j.c.user_id)
                    .select_from(it.join(j, j.c.id == it.c.job_id))
                    .where(it.c.id == item_id, it.c.job_id == job_id)).first()
    if row is None or not _visible(user, row.user_id):
        return None
    return row


def retry(corpus, user, job_id: int, item_id: int) -> bool:
    """Queue a failed item again (its file is parsed, or its URL fetched, anew)."""
    it = S.upload_items
    from .fetch import check_url
    with corpus.engine.begin() as c:
        row = _own_item(c, user, job_id, item_id)
        if row is None or row.status != "failed" or not (row.blob or (row.url and not check_url(row.url))):
            return False
        c.execute(it.update().where(it.c.id == item_id, it.c.status == "failed")
                  .values(status="queued", reason=None, updated_at=_now()))
    return True


def confirm_replace(corpus, user, job_id: int, item_id: int) -> bool:
    """Import a duplicate by agency and year anyway (as the newer version of that report)."""
    it = S.upload_items
    with corpus.engine.begin() as c:
        row = _own_item(c, user, job_id, item_id)
        if row is None or row.status != "duplicate" or row.document_id is not None or row.report_id is None:
            return False
        c.execute(it.update().where(it.c.id == item_id).values(status="queued", replace=True, reason=None,
                                                                 updated_at=_now()))
    return True


def recover(corpus, spool: Path | None = None, tmp_age: float = 24 * 3600) -> int:
    """At startup: items left ``running`` (the server stopped mid-import) → ``queued``;
    temporary files of interrupted uploads older than ``tmp_age`` removed.  Returns the
    number of items queued again."""
    it = S.upload_items
    with corpus.engine.begin() as c:
        n = c.execute(it.update().where(it.c.status == "running").values(status="queued", updated_at=_now())).rowcount
    if spool is not None and (Path(spool) / "tmp").is_dir():
        cutoff = time.time() - tmp_age
        for p in (Path(spool) / "tmp").iterdir():
            try:
                if p.stat().st_mtime < cutoff:
                    p.unlink()
            except OSError:
                pass
    return n


def pending(corpus) -> int:
    import sqlalchemy as sa
    it = S.upload_items
    with corpus.engine.connect() as c:
        return c.execute(sa.select(sa.func.count()).select_from(it).where(it.c.status == "queued")).scalar()


# ------------------------------------------------------------------ running

@dataclass
class _Work:
    id: int
    name: str
    blob: str | None
    sha256: str | None
    size: int | None
    url: str | None
    replace: bool
    user_id: int
    path: str | None = None          # the file to parse


def _claim(corpus, limit: int) -> list[_Work]:
    """Mark up to ``limit`` queued items running (each claimed once, also with several runners)."""
    import sqlalchemy as sa
    it, j = S.upload_items, S.upload_jobs
    with corpus.engine.connect() as c:
        rows = c.execute(sa.select(it.c.id, it.c.name, it.c.blob, it.c.sha256, it.c.size, it.c.url, it.c.replace,
                                   j.c.user_id).select_from(it.join(j, j.c.id == it.c.job_id))
                         .where(it.c.status == "queued").order_by(it.c.id).limit(limit)).all()
    out = []
    with corpus.engine.begin() as c:
        for r in rows:
            n = c.execute(it.update().where(it.c.id == r.id, it.c.status == "queued")
                          .values(status="running", attempts=it.c.attempts + 1, updated_at=_now())).rowcount
            if n:
                out.append(_Work(r.id, r.name, r.blob, r.sha256, r.size, r.url, bool(r.replace), r.user_id))
    return out


def _set(corpus, item_id: int, **values) -> None:
    with corpus.engine.begin() as c:
        _set_in(c, item_id, **values)


def _set_in(c, item_id: int, **values) -> None:
    """``_set`` on an open connection (inside the transaction that stores the document)."""
    it = S.upload_items
    if values.get("reason"):
        values["reason"] = one_line(values["reason"])
    c.execute(it.update().where(it.c.id == item_id).values(updated_at=_now(), **values))


def one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


def _reason(error: str, w: _Work) -> str:
    """A reader's message without the server's spool path (``/srv/…/ab/ab12…: 原因`` → ``原因``)."""
    text = str(error or "解析失败")
    if w.path:
        text = text.replace(w.path + ": ", "").replace(w.path, w.name)
    return one_line(text)


def _fetch(corpus, w: _Work, spool: Path, limits: UploadLimits, fetcher) -> bool:
    """Fetch a URL item into the spool; False (and the item failed) when it cannot be."""
    from .fetch import FetchError
    try:
        r = fetcher(w.url, spool, limits)
    except FetchError as e:
        _set(corpus, w.id, status="failed", reason=str(e))
        return False
    if r.size == 0:
        r.tmp.unlink(missing_ok=True)
        _set(corpus, w.id, status="failed", reason="网址返回的内容为空")
        return False
    if is_archive(r.tmp):
        r.tmp.unlink(missing_ok=True)
        _set(corpus, w.id, status="failed", reason="网址返回的是压缩包：请下载后上传")
        return False
    w.blob, w.sha256, w.size = blob_of(spool, r), r.sha256, r.size
    _set(corpus, w.id, blob=w.blob, sha256=w.sha256, size=w.size)
    return True


def _scope_check(corpus, user, agency: str | None, known_id: int | None = None) -> str | None:
    """Why ``user`` may not store a report of ``agency`` (None: they may).  The agency is
    ``known_id`` (a stored report's), or resolved as an import would resolve it, inside a
    transaction that is rolled back."""
    import sqlalchemy as sa
    from .accounts import AccountError, scope_of
    from .agencies import agency_id
    if user is None or not user.active or user.role not in UPLOAD_ROLES:
        return "上传者的账户已停用或无权上传"
    try:
        scope = scope_of(user)
    except AccountError as e:
        return str(e)
    if scope.everything:
        return None
    if not agency and known_id is None:
        return "未能从内容识别报告的机关，无法确认属于您的权限范围：请联系审核人或管理员导入"
    a = S.agencies
    with corpus.engine.connect() as c:
        tx = c.begin()
        try:
            aid = known_id if known_id is not None else agency_id(c, agency)
            ok = aid is not None and c.execute(sa.select(a.c.id).where(a.c.id == aid, scope.condition())).first()
        finally:
            tx.rollback()
    if ok:
        return None
    if user.role == "staff":
        mine = "、".join(user.agency_names) or "本机关"
        return f"报告属于「{agency}」，不是您的机关（{mine}）：填报人只能上传本机关的报告"
    return f"报告属于「{agency}」，不在您的权限范围内"


def _same_agency_year(corpus, agency: str | None, year: int | None) -> int | None:
    """The newest stored report of the same agency (by its names and aliases) and year."""
    import sqlalchemy as sa
    from .agencies import find_agency
    if not agency or not year:
        return None
    r = S.reports
    with corpus.engine.connect() as c:
        aid = find_agency(c, agency)
        if aid is None:
            return None
        return c.execute(sa.select(r.c.id).where(r.c.agency_id == aid, r.c.year == year)
                         .order_by(r.c.id.desc())).scalars().first()


def run_pending(corpus, spool: Path, limits: UploadLimits = UploadLimits(), workers: int | None = None,
                executor: str = "process", scheduler: str | None = None, batch: int = 64, fetcher=None,
                stop=None) -> int:
    """Parse and store queued items, ``batch`` at a time, until none is left (or
    ``stop()`` is true); returns the number of items finished."""
    from .accounts import get_user
    from .fetch import fetch_url
    fetcher = fetcher or fetch_url
    spool = Path(spool)
    finished = 0
    users: dict = {}
    while not (stop and stop()):
        work = _claim(corpus, batch)
        if not work:
            break
        for w in work:
            if w.user_id not in users:
                users[w.user_id] = get_user(corpus, w.user_id)
        ready = []
        for w in work:
            if not w.blob and not w.url:
                _set(corpus, w.id, status="failed", reason="没有可读取的文件")
                finished += 1
                continue
            if w.url and not w.blob and not _fetch(corpus, w, spool, limits, fetcher):
                finished += 1
                continue
            known = _documents_by_hash(corpus, [w.sha256]).get(w.sha256)
            if known is not None and known["status"] != "error":
                _set(corpus, w.id, **_duplicate_of_document(corpus, users.get(w.user_id), known))
                finished += 1
                continue
            w.path = str((spool / w.blob).resolve())
            ready.append(w)
        finished += _parse_and_store(corpus, ready, users, workers, executor, scheduler)
    return finished


def _parse_and_store(corpus, ready: list[_Work], users: dict, workers, executor, scheduler) -> int:
    from ..version import PARSER_VERSION
    from .importer import NOT_REPORT, parse_results
    from .store import DocumentError
    if not ready:
        return 0
    by_path = {}
    for w in ready:
        by_path.setdefault(w.path, []).append(w)
    stored = []
    for path, rep, reader, error in parse_results(corpus, list(by_path), workers, executor, scheduler, pool_from=1):
        first, *again = by_path[path]
        for w in again:                        # the same content twice in one batch
            _set(corpus, w.id, status="duplicate", reason=f"与「{first.name}」内容相同，未重复导入")
        w = first
        meta = (rep or {}).get("report") or {}
        agency, year = meta.get("agency_raw"), meta.get("year")
        if rep is not None:
            why = _scope_check(corpus, users.get(w.user_id), agency)
            if why:
                _set(corpus, w.id, status="refused", reason=why, agency=agency, year=year)
                continue
            other = None if w.replace else _same_agency_year(corpus, agency, year)
            if other is not None:
                _set(corpus, w.id, status="duplicate", report_id=other, agency=agency, year=year,
                     reason=f"已有{agency} {year} 年度的报告（另一文件）：确认后可作为新版本导入")
                continue
        status = (NOT_REPORT if reader == NOT_REPORT else "error") if error else "ok"
        doc = {"sha256": w.sha256, "path": w.url or w.path, "size": w.size,
               "format": None if reader == NOT_REPORT else reader, "parser_version": PARSER_VERSION,
               "status": status, "error": error}
        try:
            doc_id, written = corpus.store_document(doc, rep, True, also=_result_of(w, status, error, agency, year))
        except DocumentError as e:
            _set(corpus, w.id, status="failed", reason=_reason(str(e), w), agency=agency, year=year)
            continue
        except CorpusError as e:
            _set(corpus, w.id, status="queued", reason=one_line(str(e)))     # the database: try again later
            raise
        if status == "ok":
            stored.append(doc_id)
    if stored:
        from .t2prior import apply_for_documents
        apply_for_documents(corpus, stored)
    return len(ready)


def _result_of(w: _Work, status: str, error: str | None, agency, year):
    """The item's result, written in the transaction that stores its document: a server
    killed in between leaves both or neither (never a stored document whose item is
    queued again and then calls it a duplicate of itself)."""
    from .importer import NOT_REPORT

    def record(c, doc_id: int, report_id: int | None) -> None:
        if status == "ok":
            _set_in(c, w.id, status="done", reason=None, document_id=doc_id, report_id=report_id, agency=agency,
                    year=year)
        elif status == NOT_REPORT:
            _set_in(c, w.id, status="not_report", document_id=doc_id,
                    reason=_reason(error, w) or "不是国家格式的政府信息公开年度报告")
        else:
            _set_in(c, w.id, status="failed", reason=_reason(error, w))
    return record
