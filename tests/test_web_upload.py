"""Uploads (issue 12 item 3, limits of item 9): files, ZIP archives and URLs queued as a
job in the corpus database, parsed by the importer's machinery, each file's result on
the job page; duplicates by content and by agency + year shown, not imported silently;
scopes of the uploader; size limit (413), zip bombs, traversal names, CSRF on the
multipart form, retry, restart durability, URL fetch limits (schemes, private addresses)."""
import http.server
import io
import threading
import time
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from webkit import PASSWORD, cheap_argon2, csrf_of, login  # noqa: F401

from gongkai.corpus import jobs as J
from gongkai.corpus import spool as SP
from gongkai.corpus import schema as S

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`")

SECRET = "a-test-secret-of-enough-length"
ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "src" / "gongkai" / "samples"
GOLMUD_POLICE = SAMPLES / "000_ab214c7b681a9243.txt"       # 格尔木市公安局 2024
GOLMUD = SAMPLES / "001_b58105edacdfa4c5.txt"              # 格尔木市 2024
LUOYANG = SAMPLES / "002_98b9844beaabac24.txt"             # 洛阳市公安局偃师分局 2024
HAIDONG = SAMPLES / "003_5f1914cbe288c934.txt"             # 海东市公安局 2021
PINGTAN_TXT = SAMPLES / "pingtan_cez_2022.txt"             # 平潭综合实验区 2022
PINGTAN_HTML = ROOT / "tests" / "corpus" / "dev" / "pingtan_cez_2022_page.html"   # the same report as a web page
NEGATIVE = ROOT / "tests" / "corpus" / "negative" / "pingtan_tax_2013.txt"       # a 2013 report: not the format
BROKEN_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> broken beyond repair\n"


@pytest.fixture
def env(tmp_path):
    """An empty corpus (no reports) with the agencies the users need, and users."""
    from gongkai.corpus import Corpus
    from gongkai.corpus.accounts import add_user
    from gongkai.corpus.agencies import agency_id
    c = Corpus(str(tmp_path / "c.db"))
    with c.engine.begin() as conn:
        agency_id(conn, "格尔木市公安局")
    add_user(c, "admin", "admin", PASSWORD)
    add_user(c, "admin2", "admin", PASSWORD)
    add_user(c, "staff_golmud", "staff", PASSWORD, (), ("格尔木市公安局",))
    add_user(c, "rev_haidong", "reviewer", PASSWORD, ("海东市",), ())
    add_user(c, "guest", "guest", PASSWORD)
    return c, tmp_path / "spool"


def app_of(env, limits=None, worker=False):
    from gongkai.web import create_app
    corpus, spool = env
    return create_app(corpus=corpus, secret=SECRET, spool=spool, upload_limits=limits, worker=worker, workers=1)


def client_of(env, user="admin", **kw):
    from starlette.testclient import TestClient
    c = TestClient(app_of(env, **kw))
    assert login(c, user).status_code == 303
    return c


def upload(client, files, urls="", token=True, headers=None):
    tok = csrf_of(client.get("/upload").text)
    data = {"csrf_token": tok} if token is True else ({"csrf_token": token} if token else {})
    if urls:
        data["urls"] = urls
    parts = [("files", f) for f in files] or [("files", ("", b"", "application/octet-stream"))]   # as a browser
    return client.post("/upload", data=data, files=parts, headers=headers or {}, follow_redirects=False)


def job_id(resp) -> int:
    assert resp.status_code == 303, resp.text[:500]
    return int(resp.headers["location"].rsplit("/", 1)[1])


def run(env, limits=SP.UploadLimits(), **kw):
    corpus, spool = env
    return J.run_pending(corpus, spool, limits, workers=1, **kw)


def items(env, job) -> dict:
    corpus, _ = env
    from gongkai.corpus.accounts import get_user
    j = J.job_status(corpus, job, get_user(corpus, 1))
    return {i.name: i for i in j.items}


def counts(corpus):
    return corpus.counts()


def zip_of(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_mixed_upload_every_file_gets_its_result_on_the_job_page(env):
    corpus, spool = env
    c = client_of(env)
    archive = zip_of({"../../evil.txt": LUOYANG.read_bytes(), "sub/海东.txt": HAIDONG.read_bytes(),
                      "__MACOSX/._x": b"junk", ".hidden": b"x", "empty/": b""})
    job = job_id(upload(c, [("golmud.txt", GOLMUD_POLICE.read_bytes(), "text/plain"),
                            ("pingtan.html", PINGTAN_HTML.read_bytes(), "text/html"),
                            ("broken.pdf", BROKEN_PDF, "application/pdf"),
                            ("not.pdf", b"not a pdf", "application/pdf"),
                            ("neg.txt", NEGATIVE.read_bytes(), "text/plain"),
                            ("../../reports.zip", archive, "application/zip")]))
    page = c.get(f"/jobs/{job}")
    assert page.status_code == 200 and page.text.count("排队中") >= 7 and 'hx-trigger="every 2s"' in page.text
    assert run(env) == 7
    got = items(env, job)
    assert set(got) == {"golmud.txt", "pingtan.html", "broken.pdf", "not.pdf", "neg.txt",
                        "reports.zip › evil.txt", "reports.zip › 海东.txt"}
    assert (got["golmud.txt"].status, got["golmud.txt"].agency, got["golmud.txt"].year) == ("done", "格尔木市公安局", 2024)
    assert (got["pingtan.html"].status, got["pingtan.html"].year) == ("done", 2022)
    assert got["reports.zip › evil.txt"].status == "done" and got["reports.zip › evil.txt"].year == 2024
    assert got["reports.zip › 海东.txt"].agency == "海东市公安局"
    assert got["broken.pdf"].status == "failed" and got["broken.pdf"].reason
    assert "\n" not in got["broken.pdf"].reason and str(spool) not in got["broken.pdf"].reason
    assert got["not.pdf"].status == "not_report" and got["neg.txt"].status == "not_report"   # type by content
    assert counts(corpus)["reports"] == 4
    # nothing written outside the spool, every blob named by its sha256
    assert not list(spool.parent.glob("**/evil.txt")) and not (spool.parent.parent / "evil.txt").exists()
    blobs = [p for p in spool.rglob("*") if p.is_file()]
    assert blobs and all(p.parent.parent == spool and len(p.name) == 64 for p in blobs)
    page = c.get(f"/jobs/{job}").text
    for name in got:
        assert name in page
    assert "已导入" in page and "失败" in page and "非年报" in page and "every 2s" not in page   # polling stops
    assert got["broken.pdf"].reason in page
    rows = c.get(f"/jobs/{job}/rows")
    assert rows.status_code == 200 and "<html" not in rows.text and 'id="job-rows"' in rows.text
    assert f'/reports/{got["golmud.txt"].report_id}' in page
    # the report page names the file as it was sent, not the spool's hash
    report = c.get(f'/reports/{got["golmud.txt"].report_id}').text
    assert "golmud.txt" in report


def test_the_same_file_again_is_a_duplicate_not_reimported(env):
    corpus, _ = env
    c = client_of(env)
    job_id(upload(c, [("a.txt", GOLMUD_POLICE.read_bytes(), "text/plain")]))
    run(env)
    before = counts(corpus)
    job = job_id(upload(c, [("again.txt", GOLMUD_POLICE.read_bytes(), "text/plain"),
                            ("twice.txt", GOLMUD.read_bytes(), "text/plain"),
                            ("twice-copy.txt", GOLMUD.read_bytes(), "text/plain")]))
    got = items(env, job)
    assert got["again.txt"].status == "duplicate" and "已收录" in got["again.txt"].reason   # at once, not parsed
    assert got["again.txt"].report_id is not None
    assert got["twice-copy.txt"].status == "duplicate" and "twice.txt" in got["twice-copy.txt"].reason
    run(env)
    got = items(env, job)
    assert got["twice.txt"].status == "done"
    after = counts(corpus)
    assert after["documents"] == before["documents"] + 1 and after["reports"] == before["reports"] + 1
    assert "重复" in c.get(f"/jobs/{job}").text


def test_same_agency_and_year_is_shown_and_imported_only_when_confirmed(env):
    corpus, _ = env
    c = client_of(env)
    job_id(upload(c, [("pingtan.txt", PINGTAN_TXT.read_bytes(), "text/plain")]))
    run(env)
    job = job_id(upload(c, [("pingtan.html", PINGTAN_HTML.read_bytes(), "text/html")]))
    run(env)
    it = items(env, job)["pingtan.html"]
    assert it.status == "duplicate" and it.report_id and it.can_replace and "平潭综合实验区 2022" in it.reason
    assert counts(corpus)["reports"] == 1
    page = c.get(f"/jobs/{job}").text
    assert "仍然导入" in page and f"/reports/{it.report_id}" in page
    tok = csrf_of(page)
    assert c.post(f"/jobs/{job}/items/{it.id}/replace", follow_redirects=False).status_code == 403   # no token
    r = c.post(f"/jobs/{job}/items/{it.id}/replace", data={"csrf_token": tok}, follow_redirects=False)
    assert r.status_code == 303
    run(env)
    it = items(env, job)["pingtan.html"]
    assert it.status == "done" and counts(corpus)["reports"] == 2


def test_over_the_size_limit_is_413_and_leaves_nothing(env):
    corpus, spool = env
    c = client_of(env, limits=SP.UploadLimits(max_file_bytes=4096))
    r = upload(c, [("big.txt", b"x" * 5000, "text/plain")])
    assert r.status_code == 413 and "超过大小上限" in r.text and "4096" not in r.text
    with corpus.engine.connect() as k:
        assert k.execute(sa.select(sa.func.count()).select_from(S.upload_items)).scalar() == 0
    assert not [p for p in spool.rglob("*") if p.is_file()]
    assert job_id(upload(c, [("small.txt", b"y" * 4000, "text/plain")]))      # under it: accepted


def test_zip_bomb_and_nesting_are_refused_with_a_reason(env):
    c = client_of(env)
    bomb = zip_of({"bomb.txt": b"\0" * (30 * 1024 * 1024)})
    inner = zip_of({"inner.txt": GOLMUD.read_bytes()})
    deep = zip_of({"level2.zip": zip_of({"level3.zip": inner})})
    nested = zip_of({"level2.zip": inner})
    job = job_id(upload(c, [("bomb.zip", bomb, "application/zip"), ("deep.zip", deep, "application/zip"),
                            ("nested.zip", nested, "application/zip")]))
    got = items(env, job)
    assert got["bomb.zip"].status == "failed" and "压缩炸弹" in got["bomb.zip"].reason
    assert any(n.endswith("level3.zip") and i.status == "failed" and "嵌套" in i.reason for n, i in got.items())
    assert "nested.zip › level2.zip › inner.txt" in got and got["nested.zip › level2.zip › inner.txt"].status == "queued"


def test_csrf_is_required_on_the_multipart_form(env):
    corpus, _ = env
    c = client_of(env)
    f = [("a.txt", GOLMUD.read_bytes(), "text/plain")]
    assert upload(c, f, token=False).status_code == 403
    assert upload(c, f, token="wrong-token-value").status_code == 403
    tok = csrf_of(c.get("/upload").text)
    assert job_id(c.post("/upload", files=[("files", f[0])], headers={"X-CSRF-Token": tok}, follow_redirects=False))
    with corpus.engine.connect() as k:
        assert k.execute(sa.select(sa.func.count()).select_from(S.upload_items)).scalar() == 1


def test_scopes_staff_only_their_agency_reviewer_only_their_region_guest_never(env):
    corpus, _ = env
    staff = client_of(env, "staff_golmud")
    job = job_id(upload(staff, [("mine.txt", GOLMUD_POLICE.read_bytes(), "text/plain"),
                                ("city.txt", GOLMUD.read_bytes(), "text/plain")]))
    run(env)
    got = items(env, job)
    assert got["mine.txt"].status == "done"
    assert got["city.txt"].status == "refused" and "格尔木市" in got["city.txt"].reason and "填报人" in got["city.txt"].reason
    assert counts(corpus)["reports"] == 1
    rev = client_of(env, "rev_haidong")
    job2 = job_id(upload(rev, [("haidong.txt", HAIDONG.read_bytes(), "text/plain"),
                               ("luoyang.txt", LUOYANG.read_bytes(), "text/plain")]))
    run(env)
    got = items(env, job2)
    assert got["haidong.txt"].status == "done" and got["luoyang.txt"].status == "refused"
    # a user sees only their own jobs; an admin sees every job
    assert rev.get(f"/jobs/{job}").status_code == 404 and staff.get(f"/jobs/{job2}").status_code == 404
    assert staff.get(f"/jobs/{job}/rows").status_code == 200
    assert client_of(env, "admin").get(f"/jobs/{job2}").status_code == 200
    item = got["luoyang.txt"]
    tok = csrf_of(staff.get("/upload").text)
    assert staff.post(f"/jobs/{job2}/items/{item.id}/retry", data={"csrf_token": tok},
                      follow_redirects=False).status_code == 404
    guest = client_of(env, "guest")
    assert guest.get("/upload").status_code == 403
    tok = csrf_of(guest.get("/").text)
    assert guest.post("/upload", data={"csrf_token": tok}, files=[("files", ("a.txt", b"x", "text/plain"))],
                      follow_redirects=False).status_code == 403
    assert "上传报告" not in guest.get("/").text and "上传报告" in staff.get("/").text


def test_stored_content_outside_the_scope_is_refused_not_shown(env):
    """Found by the browser journey: a reviewer uploading a file whose content is stored as a
    report of another region got 「重复 · 同一文件已收录（洛阳市公安局偃师分局 2024 年度）」 and its
    link — the existence and id of a report outside their scope."""
    from gongkai.corpus.importer import import_paths
    corpus, _ = env
    staff = client_of(env, "staff_golmud")
    job_id(upload(staff, [("mine.txt", GOLMUD_POLICE.read_bytes(), "text/plain")]))
    run(env)
    rev = client_of(env, "rev_haidong")
    job = job_id(upload(rev, [("golmud.txt", GOLMUD_POLICE.read_bytes(), "text/plain"),     # stored: at once
                              ("luoyang.txt", LUOYANG.read_bytes(), "text/plain")]))        # stored while queued
    assert import_paths(corpus, [str(LUOYANG)], workers=1).imported == 1
    run(env)
    got = items(env, job)
    for name, agency in (("golmud.txt", "格尔木市公安局"), ("luoyang.txt", "洛阳市公安局偃师分局")):
        assert got[name].status == "refused", (name, got[name])
        assert got[name].report_id is None and got[name].document_id is None
        assert agency in got[name].reason and "权限范围" in got[name].reason and "已收录" not in got[name].reason
    page = rev.get(f"/jobs/{job}").text
    assert "已收录" not in page and "/reports/" not in page
    admin = client_of(env, "admin")             # within the scope it is still the duplicate, with its link
    job2 = job_id(upload(admin, [("again.txt", LUOYANG.read_bytes(), "text/plain")]))
    assert items(env, job2)["again.txt"].status == "duplicate" and items(env, job2)["again.txt"].report_id


class _Server:
    """A loopback HTTP server: /report.txt (a sample), /flaky (500, then the sample), /big."""

    def __init__(self):
        body = GOLMUD.read_bytes()
        state = {"flaky": 0}

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                if self.path == "/flaky":
                    state["flaky"] += 1
                    if state["flaky"] == 1:
                        self.send_response(500)
                        self.end_headers()
                        return
                if self.path in ("/report.txt", "/flaky"):
                    data = body
                elif self.path == "/big":
                    data = b"z" * (len(body) + 5000)
                elif self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", "file:///etc/passwd")
                    self.end_headers()
                    return
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.end_headers()              # no Content-Length: the limit holds while reading
                self.wfile.write(data)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.close()


def test_urls_fetched_within_limits_private_refused_by_default(env, server):
    corpus, _ = env
    c = client_of(env)
    allow = SP.UploadLimits(allow_private=True, max_file_bytes=GOLMUD.stat().st_size + 100)
    job = job_id(upload(c, [], urls=f"{server.url}/report.txt\n{server.url}/big\n{server.url}/redirect\n"
                                    "file:///etc/passwd\nftp://example.org/a.pdf"))
    got = {i.url: i for i in items(env, job).values()}
    assert got["file:///etc/passwd"].status == "failed" and "http/https" in got["file:///etc/passwd"].reason
    assert not got["file:///etc/passwd"].can_retry
    tok = csrf_of(c.get("/upload").text)
    assert c.post(f"/jobs/{job}/items/{got['file:///etc/passwd'].id}/retry", data={"csrf_token": tok},
                  follow_redirects=False).status_code == 404
    assert got["ftp://example.org/a.pdf"].status == "failed"
    run(env, allow)
    got = {i.url: i for i in items(env, job).values()}
    ok = got[f"{server.url}/report.txt"]
    assert ok.status == "done" and ok.agency == "格尔木市"
    assert "超过大小上限" in got[f"{server.url}/big"].reason
    assert "重定向" in got[f"{server.url}/redirect"].reason
    with corpus.engine.connect() as k:
        assert k.execute(sa.select(S.documents.c.path).where(S.documents.c.status == "ok")).scalar() == \
            f"{server.url}/report.txt"
    # the default limits refuse loopback (and any private) address
    job2 = job_id(upload(c, [], urls=f"{server.url}/flaky"))
    run(env)
    it = next(iter(items(env, job2).values()))
    assert it.status == "failed" and "内网或本机" in it.reason
    from gongkai.corpus.fetch import address_refused
    assert all(address_refused(a) for a in ("10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "fd00::1",
                                            "::ffff:127.0.0.1", "0.0.0.0"))
    assert not address_refused("202.108.22.5")


def test_retry_of_a_failed_item(env, server):
    c = client_of(env)
    allow = SP.UploadLimits(allow_private=True)
    job = job_id(upload(c, [], urls=f"{server.url}/flaky"))
    run(env, allow)
    it = next(iter(items(env, job).values()))
    assert it.status == "failed" and "HTTP 500" in it.reason and it.can_retry
    page = c.get(f"/jobs/{job}").text
    assert "重试" in page
    r = c.post(f"/jobs/{job}/items/{it.id}/retry", data={"csrf_token": csrf_of(page)}, follow_redirects=False)
    assert r.status_code == 303
    assert next(iter(items(env, job).values())).status == "queued"
    run(env, allow)
    it = next(iter(items(env, job).values()))
    assert it.status == "done" and it.attempts == 2
    tok = csrf_of(c.get("/upload").text)        # a done item cannot be retried
    assert c.post(f"/jobs/{job}/items/{it.id}/retry", data={"csrf_token": tok},
                  follow_redirects=False).status_code == 404


def test_jobs_survive_a_restart(env):
    """An item left running by a server that stopped is queued again when the app starts,
    and the app's background worker completes it."""
    from starlette.testclient import TestClient
    corpus, spool = env
    c = client_of(env)
    job = job_id(upload(c, [("a.txt", GOLMUD_POLICE.read_bytes(), "text/plain"),
                            ("b.txt", HAIDONG.read_bytes(), "text/plain")]))
    claimed = J._claim(corpus, 1)                 # the old server took one item … and died
    assert len(claimed) == 1
    assert {i.status for i in items(env, job).values()} == {"running", "queued"}
    with TestClient(app_of(env, worker=True)) as fresh:
        assert login(fresh, "admin").status_code == 303
        for _ in range(200):
            if {i.status for i in items(env, job).values()} == {"done"}:
                break
            time.sleep(0.1)
        assert {i.status for i in items(env, job).values()} == {"done"}
        assert "every 2s" not in fresh.get(f"/jobs/{job}").text
    assert counts(corpus)["reports"] == 2


def test_spool_writer_and_names_are_never_paths(tmp_path):
    w = SP.SpoolWriter(tmp_path, "../../x/..\\evil\u0000.txt", 10)
    w.write(b"12345")
    r = w.close()
    assert r.name == "evil.txt" and r.tmp.parent == tmp_path / "tmp" and r.size == 5
    w = SP.SpoolWriter(tmp_path, "a", 3)
    with pytest.raises(SP.TooLarge):
        w.write(b"1234")
    assert not w.path.exists()
    assert SP.display_name("") == "（未命名）"
