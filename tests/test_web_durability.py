"""Durability of uploads when the server dies (found by bench/bench_web.py kill, issue 12
item 11): a kill right after a document is stored leaves its item done, not a duplicate
of itself; the parser's worker processes do not outlive a server killed with -9."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import sqlalchemy as sa
from webkit import PASSWORD, cheap_argon2  # noqa: F401

from gongkai.corpus import jobs as J
from gongkai.corpus import schema as S

from test_web_upload import GOLMUD_POLICE, HAIDONG, client_of, env, job_id, upload  # noqa: F401

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Killed(BaseException):
    """The process dies here (nothing after this point runs, no handler catches it)."""


def test_a_kill_right_after_a_document_is_stored_leaves_its_item_done(env, monkeypatch):
    corpus, spool = env
    c = client_of(env)
    job = job_id(upload(c, [("a.txt", GOLMUD_POLICE.read_bytes(), "text/plain"),
                            ("b.txt", HAIDONG.read_bytes(), "text/plain")]))
    real = type(corpus).store_document

    def store_then_die(self, *a, **kw):
        real(self, *a, **kw)
        raise Killed()
    monkeypatch.setattr(type(corpus), "store_document", store_then_die)
    with pytest.raises(Killed):
        J.run_pending(corpus, spool, workers=1)
    monkeypatch.setattr(type(corpus), "store_document", real)
    J.recover(corpus, spool)                       # the restarted server
    J.run_pending(corpus, spool, workers=1)
    with corpus.engine.connect() as conn:
        rows = conn.execute(sa.select(S.upload_items).where(S.upload_items.c.job_id == job)
                            .order_by(S.upload_items.c.id)).all()
        docs = dict(conn.execute(sa.select(S.documents.c.sha256, S.documents.c.id)).all())
        reports = dict(conn.execute(sa.select(S.reports.c.document_id, S.reports.c.id)).all())
    assert [r.status for r in rows] == ["done", "done"], [(r.status, r.reason) for r in rows]
    for r in rows:                                 # each item points at the document of its own content
        assert r.document_id == docs[r.sha256] and r.report_id == reports[r.document_id]
    assert len(docs) == 2


POOL_SCRIPT = textwrap.dedent("""
    import sys, threading, time
    from gongkai.corpus.importer import _results
    def run():
        for _ in _results(time.sleep, [60, 60, 60, 60], 2, "process", None, pool_from=1):
            pass
    if sys.argv[1] == "thread":          # as the web app's upload worker runs it (forkserver)
        threading.Thread(target=run, daemon=True).start()
        time.sleep(120)
    else:                                # as `gongkai corpus import` runs it (fork)
        run()
""")


def _descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=,ppid=", "-A"], capture_output=True, text=True).stdout
    kids: dict = {}
    for line in out.strip().splitlines():
        p, pp = map(int, line.split())
        kids.setdefault(pp, []).append(p)
    found, todo = [], [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            found.append(k)
            todo.append(k)
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("where", ["thread", "main"])
def test_parser_workers_do_not_outlive_a_killed_parent(where):
    env = {**os.environ, "PYTHONPATH": os.path.join(ROOT, "src")}
    p = subprocess.Popen([sys.executable, "-c", POOL_SCRIPT, where], env=env, start_new_session=True)
    kids = []
    try:
        end = time.monotonic() + 30
        while time.monotonic() < end:              # the pool's two workers are parsing (sleeping)
            kids = _descendants(p.pid)
            if len(kids) >= 2 and time.monotonic() > end - 27:
                break
            time.sleep(0.2)
        assert len(kids) >= 2, kids
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        end = time.monotonic() + 10
        while time.monotonic() < end and any(_alive(k) for k in kids):
            time.sleep(0.2)
        left = [k for k in kids if _alive(k)]
        assert not left, f"processes left behind by the killed parent: {left}"
    finally:
        for k in kids:
            try:
                os.kill(k, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if p.poll() is None:
            p.kill()
