#!/usr/bin/env python3
"""Benchmark: the web app under load (issue 12 item 11).  Prints figures; it is no test
(tests/test_web_upload.py holds the regression tests of what it found).

    python bench/bench_web.py [concurrent] [kill] [latency] [--uploads 50] [--reports 100000]
                              [--kills 3] [--pg URL] [--dir /tmp/gongkai-bench-web]

concurrent  a real server (``gongkai web`` as a subprocess, an account made by ``gongkai web
            adduser``); ``--uploads`` clients (threads, httpx) each log in and upload one file
            of a mix at the same moment (samples, synthetic txt/html/docx/pdf, a ZIP of several,
            a broken PDF, an empty file, a file that is no report, the same content under other
            names); polls until every job is finished, then checks in the database that every
            file sent is an item, stored or failed with a one-line reason, none lost, no
            content stored twice.
kill        uploads ``--kill-files`` synthetic reports, ``kill -9`` the server when some are
            done (``--kills`` different points), restarts it, waits; checks that every item
            ended, no report lacks its cells, no content is stored twice, every stored document
            is the result of exactly one item.
latency     fills a database with ``--reports`` synthetic reports (bench/web_fill.py; kept in
            DIR for the next run), then one logged-in httpx client against the running server
            times the board (newest year; a province), the report view of random reports and
            /explore (when the tree has it): p50/p95/max over ``--requests`` each.  SQLite, and
            PostgreSQL with ``--pg`` (default: $GONGKAI_TEST_PG).

All traffic goes to 127.0.0.1 only; every loop is bounded in count and time."""
from __future__ import annotations

import argparse
import io
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
SAMPLES = ROOT / "src" / "gongkai" / "samples"
PASSWORD = "bench-password-1"
BROKEN_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> broken beyond repair\n"
NOT_A_REPORT = ("关于开展2024年度春季植树活动的通知\n\n各科室：\n为改善机关环境，定于三月十二日组织植树活动，"
                "请各科室安排人员参加。\n\n办公室\n2024年3月1日\n").encode()
FINAL = ("done", "failed", "duplicate", "not_report", "refused")


# ------------------------------------------------------------------ helpers

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))] if xs else float("nan")


def timing_line(name, secs):
    ms = [s * 1000 for s in secs]
    return (f"{name:<34} n={len(ms):<4} p50 {pct(ms, 50):7.1f} ms   p95 {pct(ms, 95):7.1f} ms   "
            f"max {max(ms):7.1f} ms")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gongkai(*args, stdin: str | None = None):
    r = subprocess.run([sys.executable, "-m", "gongkai", *args], env=ENV, input=stdin, capture_output=True,
                       text=True, timeout=300)
    if r.returncode:
        raise SystemExit(f"gongkai {' '.join(args[:2])} failed: {r.stderr[-1500:]}")
    return r.stdout


def synth(out: Path, n: int, formats: str, seed: int) -> list[Path]:
    """``gongkai synth`` once per (dir, n, formats, seed): reused from DIR on later runs."""
    mark = out / f".done-{n}-{formats.replace(',', '_')}-{seed}"
    if not mark.exists():
        shutil.rmtree(out, ignore_errors=True)
        gongkai("synth", str(n), "--out", str(out), "--formats", formats, "--seed", str(seed))
        mark.touch()
    return sorted(p for p in out.iterdir() if p.suffix in (".txt", ".html", ".docx", ".pdf"))


class Server:
    """``gongkai web --db URL --port P`` as a subprocess (its output in a log file)."""

    def __init__(self, db: str, log: Path):
        self.db, self.log, self.port, self.proc = db, log, free_port(), None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120):
        import httpx
        fh = open(self.log, "a")
        self.proc = subprocess.Popen([sys.executable, "-m", "gongkai", "web", "--db", self.db, "--port",
                                      str(self.port)], env=ENV, stdout=fh, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited ({self.proc.returncode}); see {self.log}")
            try:
                if httpx.get(self.base + "/login", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"server did not start in {timeout} s; see {self.log}")

    def children(self) -> list[int]:
        """Process ids of the server's descendants (its importer's worker processes)."""
        out = subprocess.run(["ps", "-o", "pid=,ppid=", "-A"], capture_output=True, text=True).stdout
        kids = {}
        pairs = [tuple(map(int, ln.split())) for ln in out.strip().splitlines()]
        for pid, ppid in pairs:
            kids.setdefault(ppid, []).append(pid)
        found, todo = [], [self.proc.pid]
        while todo:
            p = todo.pop()
            for k in kids.get(p, []):
                found.append(k)
                todo.append(k)
        return found

    def kill9(self) -> list[int]:
        """SIGKILL the server process only (as a crash would); returns its descendants that
        outlived it by 10 s (then killed, each by its id)."""
        kids = self.children()
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        end = time.monotonic() + 10
        alive = kids
        while alive and time.monotonic() < end:
            time.sleep(0.5)
            alive = [k for k in alive if _alive(k)]
        for k in alive:
            try:
                os.kill(k, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return alive

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not m:
        raise RuntimeError("no CSRF field in the page")
    return m.group(1)


def logged_in(base: str, name: str = "bench", timeout: float = 120):
    import httpx
    c = httpx.Client(base_url=base, timeout=timeout)
    r = c.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": csrf_of(c.get("/login").text),
                               "next": "/"})
    if r.status_code != 303:
        raise RuntimeError(f"login failed: {r.status_code}")
    return c


def upload(client, files: list[tuple[str, bytes]]) -> tuple[int, float]:
    """POST /upload with ``files``; (job id, seconds of the POST)."""
    tok = csrf_of(client.get("/upload").text)
    t = time.perf_counter()
    r = client.post("/upload", data={"csrf_token": tok},
                    files=[("files", (name, data, "application/octet-stream")) for name, data in files])
    secs = time.perf_counter() - t
    if r.status_code != 303:
        raise RuntimeError(f"upload of {[n for n, _ in files]} answered {r.status_code}")
    return int(r.headers["location"].rsplit("/", 1)[1]), secs


def new_sqlite(path: Path) -> str:
    for f in path.parent.glob(path.name + "*"):
        shutil.rmtree(f) if f.is_dir() else f.unlink()
    return f"sqlite:///{path}"


def add_admin(db: str, name: str = "bench"):
    gongkai("web", "adduser", name, "--role", "admin", "--password-stdin", "--db", db, stdin=PASSWORD + "\n")


def items_of(corpus, jobs=None) -> list:
    import sqlalchemy as sa
    from gongkai.corpus import schema as S
    it = S.upload_items
    q = sa.select(it).order_by(it.c.id)
    if jobs is not None:
        q = q.where(it.c.job_id.in_(list(jobs)))
    with corpus.engine.connect() as c:
        return c.execute(q).all()


def wait_idle(corpus, jobs, timeout: float) -> float:
    """Seconds until no item of ``jobs`` is queued or running (SystemExit past ``timeout``)."""
    t = time.perf_counter()
    while time.perf_counter() - t < timeout:
        if all(i.status in FINAL for i in items_of(corpus, jobs)):
            return time.perf_counter() - t
        time.sleep(0.5)
    raise SystemExit(f"jobs not finished after {timeout} s")


def consistency(corpus, items) -> list[str]:
    """What is wrong with the stored state (empty: nothing): items not finished, failures
    without a one-line reason, reports without cells, contents stored twice or stored
    without the item that stored them, items pointing at nothing."""
    import sqlalchemy as sa
    from gongkai.corpus import schema as S
    bad = []
    with corpus.engine.connect() as c:
        docs = {r.id: r for r in c.execute(sa.select(S.documents))}
        reports = {r.document_id: r.id for r in c.execute(sa.select(S.reports.c.id, S.reports.c.document_id))}
        n_cells = dict(c.execute(sa.select(S.cells.c.report_id, sa.func.count()).group_by(S.cells.c.report_id)).all())
    for i in items:
        if i.status not in FINAL:
            bad.append(f"item {i.id} {i.name}: still {i.status}")
        if i.status in ("failed", "duplicate", "refused") and (not i.reason or "\n" in i.reason):
            bad.append(f"item {i.id} {i.name}: {i.status} without a one-line reason")
        if i.status in ("done", "not_report"):
            d = docs.get(i.document_id)
            if d is None or d.sha256 != i.sha256:
                bad.append(f"item {i.id} {i.name}: {i.status} but its document {i.document_id} is not its content")
            elif i.status == "done" and reports.get(d.id) != i.report_id:
                bad.append(f"item {i.id} {i.name}: done but report {i.report_id} is not its document's")
    stored = {d.sha256 for d in docs.values()}
    for i in items:                     # a duplicate: of stored content, or of a stored agency + year
        if i.status == "duplicate" and not (i.sha256 in stored or (i.report_id and i.document_id is None)):
            bad.append(f"item {i.id} {i.name}: a duplicate of nothing stored")
    for doc_id, rid in reports.items():
        if not n_cells.get(rid):
            bad.append(f"report {rid} (document {doc_id}): no cells (a partial report)")
    by_doc, failed = {}, {}
    for i in items:
        if i.status in ("done", "not_report"):
            by_doc.setdefault(i.document_id, []).append(i.id)
        elif i.status == "failed" and i.sha256:
            failed.setdefault(i.sha256, []).append(i.id)
    for doc_id, d in docs.items():      # a file that failed to parse is kept as an error document
        owners = by_doc.get(doc_id, []) or (failed.get(d.sha256, [])[:1] if d.status == "error" else [])
        if len(owners) != 1:
            bad.append(f"document {doc_id} ({d.path[-40:]}): stored by {len(owners)} items {owners}")
    shas = [d.sha256 for d in docs.values()]
    if len(shas) != len(set(shas)):
        bad.append("the same content stored twice")
    return bad


def machine_line() -> str:
    load = os.getloadavg()
    return (f"{date.today()} · {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()} · "
            f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


# ------------------------------------------------------------------ 1. concurrent uploads

def upload_mix(d: Path, n: int) -> list[tuple[str, str, list[tuple[str, bytes]]]]:
    """``n`` uploads (kind, name, [(name, bytes)]): the samples, synthetic reports in four
    formats, a ZIP of four, a broken PDF, an empty file, a notice (no report) and the same
    content as another upload under another name."""
    syn = synth(d / "mix", 40, "txt,html,docx,pdf", 21)
    samples = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".txt", ".pdf"))
    plain = [("sample", p) for p in samples] + [("synth-" + p.suffix[1:], p) for p in syn]
    zipped = [p for p in syn if p.suffix == ".txt"][-4:]
    plain = [x for x in plain if x[1] not in zipped]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for p in zipped:
            z.write(p, "年报/" + p.name)
    special = [("zip", "reports.zip", [("reports.zip", buf.getvalue())]),
               ("broken-pdf", "broken.pdf", [("broken.pdf", BROKEN_PDF)]),
               ("empty", "empty.txt", [("empty.txt", b"")]),
               ("not-report", "notice.txt", [("notice.txt", NOT_A_REPORT)])]
    n_dup = max(2, n // 10)
    n_plain = max(0, n - len(special) - n_dup)
    out = special + [(k, p.name, [(p.name, p.read_bytes())]) for k, p in plain[:n_plain]]
    originals = [x for x in out if x[0].startswith(("sample", "synth"))]
    for k in range(n_dup):                      # the same bytes again, under another name
        kind, name, files = originals[k % max(1, min(3, len(originals)))]
        out.append(("duplicate", f"copy{k}-{name}", [(f"copy{k}-{name}", files[0][1])]))
    return out[:n]


def bench_concurrent(a, d: Path) -> dict:
    from gongkai.corpus import Corpus
    print(f"\n== concurrent uploads ({a.uploads} clients at once)")
    mix = upload_mix(d, a.uploads)
    db = new_sqlite(d / "concurrent.db")
    add_admin(db)
    server = Server(db, d / "concurrent-server.log").start()
    results, errors = [None] * len(mix), []
    started = []
    barrier = threading.Barrier(len(mix), action=lambda: started.append(time.perf_counter()))

    def client(k):
        kind, name, files = mix[k]
        try:
            c = logged_in(server.base)
            barrier.wait(timeout=600)
            results[k] = upload(c, files)
        except Exception as e:            # counted below: a file the server did not take
            errors.append(f"{name}: {e.__class__.__name__}: {e}")
            barrier.abort()

    try:
        threads = [threading.Thread(target=client, args=(k,)) for k in range(len(mix))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(900)
        t0 = started[0] if started else time.perf_counter()
        t_up = time.perf_counter() - t0
        corpus = Corpus(db)
        jobs = {r[0]: k for k, r in enumerate(results) if r}
        t_idle = wait_idle(corpus, jobs, 1200)
        wall = time.perf_counter() - t0
    finally:
        server.stop()
    items = items_of(corpus, jobs)
    bad = consistency(corpus, items) + errors
    by_job = {}
    for i in items:
        by_job.setdefault(i.job_id, []).append(i)
    table: dict[tuple, int] = {}
    for job, k in jobs.items():
        kind, name, files = mix[k]
        got = by_job.get(job, [])
        expect = len(zipfile.ZipFile(io.BytesIO(files[0][1])).namelist()) if kind == "zip" else 1
        if len(got) != expect:
            bad.append(f"{name}: {len(got)} items for {expect} files (lost or doubled)")
        for i in got:
            table[(kind, i.status)] = table.get((kind, i.status), 0) + 1
    statuses = {}
    for i in items:
        statuses[i.status] = statuses.get(i.status, 0) + 1
    counts = corpus.counts()
    post = [r[1] for r in results if r]
    print(machine_line())
    print(f"inputs: {len(mix)} uploads, {sum(len(f) for _k, _n, f in mix)} files sent, "
          f"{sum(len(b) for _k, _n, f in mix for _x, b in f) / 2**20:.1f} MiB")
    print("kind × result: " + ", ".join(f"{k} {s} {n}" for (k, s), n in sorted(table.items())))
    print(f"items: {len(items)} ({', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))}); "
          f"database: {counts['documents']} documents, {counts['reports']} reports")
    print(timing_line("upload POST (50 at once)", post))
    print(f"wall (from the moment all {len(mix)} clients were logged in): uploads answered in {t_up:.1f} s, "
          f"all jobs finished {t_idle:.1f} s later, {wall:.1f} s in all")
    print("check: " + ("OK — every file an item, stored or failed with its reason, none lost, none stored twice"
                       if not bad else f"{len(bad)} PROBLEMS:\n  " + "\n  ".join(bad[:30])))
    return {"bad": bad}


# ------------------------------------------------------------------ 2. kill -9 mid-import

def bench_kill(a, d: Path) -> dict:
    from gongkai.corpus import Corpus
    print(f"\n== kill -9 mid-import ({a.kills} rounds, {a.kill_files} files each)")
    print(machine_line())
    files = synth(d / "kill", a.kill_files, "txt", 33)
    fractions = [0.05, 0.4, 0.8, 0.2, 0.6, 0.95][:a.kills]
    all_bad = []
    for n, frac in enumerate(fractions, 1):
        db = new_sqlite(d / f"kill{n}.db")
        add_admin(db)
        log = d / f"kill{n}-server.log"
        log.unlink(missing_ok=True)
        server = Server(db, log).start()
        c = logged_in(server.base)
        jobs = []
        per = max(1, len(files) // 4)
        for k in range(0, len(files), per):
            jobs.append(upload(c, [(p.name, p.read_bytes()) for p in files[k:k + per]])[0])
        c.close()
        corpus = Corpus(db)
        target = max(1, int(frac * len(files)))
        t0, done = time.perf_counter(), 0
        while time.perf_counter() - t0 < 600:
            done = sum(i.status in FINAL for i in items_of(corpus, jobs))
            if done >= target:
                break
            time.sleep(0.05)
        outlived = server.kill9()
        at_kill = items_of(corpus, jobs)
        done = sum(i.status in FINAL for i in at_kill)
        running = sum(i.status == "running" for i in at_kill)
        before = corpus.counts()
        restarted = Server(db, log)
        restarted.port = server.port
        t1 = time.perf_counter()
        restarted.start()
        try:
            t_rest = wait_idle(corpus, jobs, 900)
        finally:
            restarted.stop()
        items = items_of(corpus, jobs)
        bad = consistency(corpus, items)
        if len(items) != len(files):
            bad.append(f"{len(items)} items for {len(files)} files")
        if outlived:
            bad.append(f"{len(outlived)} worker processes outlived the killed server: {outlived}")
        st = {}
        for i in items:
            st[i.status] = st.get(i.status, 0) + 1
        again = sum((i.attempts or 0) > 1 for i in items)
        print(f"round {n}: killed at {done}/{len(files)} finished ({running} running, "
              f"{before['reports']} reports stored); restart + resume {time.perf_counter() - t1:.1f} s "
              f"(idle after {t_rest:.1f} s); items: {', '.join(f'{k} {v}' for k, v in sorted(st.items()))}; "
              f"{again} parsed again; " + ("OK" if not bad else f"{len(bad)} PROBLEMS"))
        for b in bad[:20]:
            print("   ", b)
        all_bad += bad
    return {"bad": all_bad}


# ------------------------------------------------------------------ 3. latency at 100,000 reports

def filled(a, url: str, label: str) -> str:
    """A database with ``--reports`` synthetic reports (filled once; reused when its marker
    says the same size)."""
    import web_fill
    from gongkai.corpus import Corpus
    mark = Path(a.dir) / f".filled-{label}-{a.reports}"
    if mark.exists() and not a.refill:
        c = Corpus(url)                    # migrated here if the tree has new revisions
        print(f"reusing the {label} database ({a.reports} reports; --refill to fill anew)")
        return url
    mark.unlink(missing_ok=True)
    c = Corpus(url)
    t = time.perf_counter()
    info = web_fill.fill(c, a.reports)
    n = c.counts()
    print(f"filled {label}: {n['reports']} reports, {n['agencies']} agencies, {n['cells']} cells in "
          f"{time.perf_counter() - t:.0f} s ({info['reports'] / info['seconds']:.0f} reports/s, "
          f"{info['templates']} parsed templates of {info['cells_per_report']:.0f} cells); "
          f"database {web_fill.db_size(c) / 2**20:.0f} MiB")
    mark.touch()
    return url


def pg_database(base_url: str, name: str, fresh: bool) -> str:
    import psycopg
    with psycopg.connect(base_url, autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if fresh and exists:
            c.execute(f"DROP DATABASE {name} WITH (FORCE)")
        if fresh or not exists:
            c.execute(f"CREATE DATABASE {name}")
    return base_url.rsplit("/", 1)[0] + "/" + name


def time_pages(a, server: Server, corpus) -> dict:
    import sqlalchemy as sa
    from gongkai.corpus import schema as S
    with corpus.engine.connect() as c:
        ids = [r for (r,) in c.execute(sa.select(S.reports.c.id))]
        prov = c.execute(sa.select(S.agencies.c.province).where(S.agencies.c.province.is_not(None))
                         .group_by(S.agencies.c.province).order_by(sa.func.count().desc())).scalars().first()
    rng = random.Random(1)
    c = logged_in(server.base)
    pages = [("board (newest year, all)", lambda: "/"),
             (f"board (region {prov})", lambda: f"/?region={prov}"),
             ("report view (random)", lambda: f"/reports/{rng.choice(ids)}")]
    probe = c.get("/explore")
    if probe.status_code == 200:
        with corpus.engine.connect() as c2:
            provs = c2.execute(sa.select(S.agencies.c.province).where(S.agencies.c.province.is_not(None))
                               .distinct()).scalars().all()
        combos = [f"/explore?group={g}&indicator={i}" + (f"&year={y}" if y else "") + (f"&region={p}" if p else "")
                  for g in ("year", "province", "city", "county", "kind")
                  for i in ("disclosure_rate", "carry_rate", "applications", "denial_share")
                  for y in (None, 2023, 2024) for p in (None, *provs[:4])]
        rng.shuffle(combos)
        pages.append(("explore (same page again: kept)", lambda: "/explore"))
        pages.append(("explore (a new filter each time)", lambda: combos.pop()))
    else:
        print(f"/explore: not present (HTTP {probe.status_code})")
    out = {}
    for name, path in pages:
        for _ in range(3):                # warm the caches (templates, the database's pages)
            c.get(path())
        secs, sizes = [], []
        t_end = time.monotonic() + a.page_seconds
        for _ in range(a.requests):
            p = path()
            t = time.perf_counter()
            r = c.get(p)
            secs.append(time.perf_counter() - t)
            if r.status_code != 200:
                raise SystemExit(f"{p}: HTTP {r.status_code}")
            sizes.append(len(r.content))
            if time.monotonic() > t_end:
                print(f"  ({name}: stopped after {len(secs)} requests, --page-seconds {a.page_seconds})")
                break
        print(timing_line(name, secs) + f"   {statistics.mean(sizes) / 1024:.0f} KiB")
        out[name] = secs
    c.close()
    return out


def bench_latency(a, d: Path) -> dict:
    from gongkai.corpus import Corpus
    print(f"\n== page latency with {a.reports} reports (one logged-in httpx client, real server)")
    lite = d / f"latency-{a.reports}.db"
    fresh = a.refill or not (Path(a.dir) / f".filled-sqlite-{a.reports}").exists()
    targets = [("SQLite", new_sqlite(lite) if fresh else f"sqlite:///{lite}")]
    pg = a.pg if a.pg is not None else os.environ.get("GONGKAI_TEST_PG")
    if pg:
        targets.append(("PostgreSQL", None))
    out = {}
    for label, url in targets:
        if url is None:
            fresh = a.refill or not (Path(a.dir) / f".filled-pg-{a.reports}").exists()
            url = pg_database(pg, f"gongkai_bench_web_{a.reports}", fresh)
        print(f"-- {label}")
        url = filled(a, url, "pg" if label == "PostgreSQL" else "sqlite")
        corpus = Corpus(url)
        import sqlalchemy as sa
        from gongkai.corpus import schema as S
        with corpus.engine.connect() as c:
            have = c.execute(sa.select(S.users.c.id).where(S.users.c.name == "bench")).first()
        if not have:
            add_admin(url)
        server = Server(url, d / f"latency-{label}.log").start()
        try:
            print(machine_line())
            out[label] = time_pages(a, server, corpus)
        finally:
            server.stop()
        corpus.engine.dispose()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sections", nargs="*", help="concurrent, kill, latency (default: all three)")
    ap.add_argument("--uploads", type=int, default=50, help="concurrent upload clients (default 50)")
    ap.add_argument("--kills", type=int, default=3, help="kill -9 rounds, each at another point (default 3)")
    ap.add_argument("--kill-files", type=int, default=120, help="files uploaded per kill round (default 120)")
    ap.add_argument("--reports", type=int, default=100_000, help="reports in the latency database (default 100000)")
    ap.add_argument("--requests", type=int, default=200, help="requests per page (default 200)")
    ap.add_argument("--page-seconds", type=float, default=120, help="at most this long per page (default 120)")
    ap.add_argument("--pg", default=None, help="PostgreSQL server URL for the latency section "
                                                "(default $GONGKAI_TEST_PG; '' to skip)")
    ap.add_argument("--refill", action="store_true", help="fill the latency databases anew")
    ap.add_argument("--dir", default="/tmp/gongkai-bench-web")
    a = ap.parse_args()
    d = Path(a.dir)
    d.mkdir(parents=True, exist_ok=True)
    sections = a.sections or ["concurrent", "kill", "latency"]
    for s in sections:
        if s not in ("concurrent", "kill", "latency"):
            ap.error(f"unknown section {s!r}")
    t = time.perf_counter()
    bad = []
    for s in sections:
        r = {"concurrent": bench_concurrent, "kill": bench_kill, "latency": bench_latency}[s](a, d)
        bad += r.get("bad", []) if isinstance(r, dict) else []
    print(f"\n{' '.join(sections)}: {time.perf_counter() - t:.0f} s" + (f", {len(bad)} problems" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
