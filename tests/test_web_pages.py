"""The pages: 年报工作台 (statuses, the line of agencies without a report, filters), the
report page (表三 in the official layout, findings) and 用户管理 (list, add)."""
import pytest
from webkit import PASSWORD, build_corpus, cheap_argon2, csrf_of, login, report_ids  # noqa: F401

from gongkai.web import create_app

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from argon2 import PasswordHasher
    from gongkai.corpus import accounts as A
    mp = pytest.MonkeyPatch()
    mp.setattr(A, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    c = build_corpus(tmp_path_factory.mktemp("pages") / "c.db")
    mp.undo()
    return c


@pytest.fixture
def admin(corpus):
    from starlette.testclient import TestClient
    c = TestClient(create_app(corpus=corpus, secret="pages-test-secret-123"))
    assert login(c, "admin").status_code == 303
    return c


def test_board_shows_statuses_counts_and_missing_agencies(admin):
    html = admin.get("/").text
    assert "2025 年度" in html                                   # the newest year by default
    html = admin.get("/?year=2024").text
    assert "年报工作台 · 2024 年度" in html
    assert "格尔木市公安局" in html and "已收录" in html and "未收录" in html
    assert "其中 <b>" in html and "个尚无报告" in html
    assert '<option value="2021"' in html and '<option value="2024" selected' in html
    html = admin.get("/", params={"year": 2024, "region": "格尔木市"}).text
    assert "格尔木市公安局" in html and "洛阳市" not in html.split('id="board"')[1]
    html = admin.get("/", params={"year": 2024, "kind": "department"}).text.split('id="board"')[1]
    assert "格尔木市公安局" in html and "淮安市人民政府" not in html
    assert admin.get("/", params={"kind": "bogus"}).status_code == 400
    r = admin.get("/?year=2024", headers={"HX-Request": "true"})   # htmx picks #board out of the page
    assert r.status_code == 200 and 'id="board"' in r.text


def test_board_pages_keep_the_filters(admin, monkeypatch):
    from gongkai.corpus import board as B
    monkeypatch.setattr(B, "PER_PAGE", 1)
    html = admin.get("/", params={"year": 2024, "region": "格尔木市"}).text
    assert "第 1 / 2 页" in html and "本页显示第 1–1 个" in html and "共 2 个机关" in html
    assert 'href="/?year=2024&amp;region=%E6%A0%BC%E5%B0%94%E6%9C%A8%E5%B8%82&amp;kind=&amp;page=2"' in html
    page2 = admin.get("/?year=2024&region=格尔木市&kind=&page=2").text
    assert "第 2 / 2 页" in page2 and "上一页" in page2 and "下一页" not in page2
    assert admin.get("/?page=0").status_code == 400 and admin.get("/?page=x").status_code == 400


def test_report_page_shows_table_three_and_findings(admin, corpus):
    rid = report_ids(corpus)["海东市公安局"]
    html = admin.get(f"/reports/{rid}").text
    assert "海东市公安局 · 2021 年度" in html
    assert "三、收到和处理政府信息公开申请情况" in html and "自然人" in html and "rowspan=" in html
    assert 'data-field="t3.new.natural"' in html
    assert "parse.uncertain" in html and "存疑" in html
    assert "003_5f1914cbe288c934.txt" in html and "/tmp" not in html     # no server paths


def test_admin_adds_a_reviewer_with_a_scope(admin):
    page = admin.get("/admin/users")
    assert "全部用户" in page.text and "rev_haidong" in page.text and "海东市" in page.text
    r = admin.post("/admin/users", data={"name": "new_rev", "role": "reviewer", "password": PASSWORD,
                                         "regions": "格尔木市，洛阳市", "agencies": "",
                                         "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    html = admin.get(r.headers["location"]).text
    assert "已添加用户「new_rev」" in html and "格尔木市、洛阳市" in html and "<td>添加用户</td>" in html
    r = admin.post("/admin/users", data={"name": "bad", "role": "staff", "password": PASSWORD,
                                         "csrf_token": csrf_of(html)})
    assert r.status_code == 400 and "填报人须指定" in r.text and 'value="bad"' in r.text


def test_admin_disables_a_user_and_sets_a_new_password(admin, corpus):
    """停用 ends the user's logins (and sessions); 启用 gives them back; a new password
    replaces the old one; the admin cannot disable the account in use; every change is
    audited and needs the CSRF token."""
    from starlette.testclient import TestClient
    from gongkai.corpus.accounts import add_user
    add_user(corpus, "to_disable", "guest", PASSWORD)
    other = TestClient(create_app(corpus=corpus, secret="pages-test-secret-123"))
    assert login(other, "to_disable").status_code == 303 and other.get("/").status_code == 200
    page = admin.get("/admin/users").text
    tok = csrf_of(page)
    assert admin.post("/admin/users/to_disable/active", data={"active": "0"}).status_code == 403   # no token
    r = admin.post("/admin/users/to_disable/active", data={"active": "0", "csrf_token": tok}, follow_redirects=False)
    assert r.status_code == 303
    assert other.get("/", follow_redirects=False).status_code == 303         # its session ended
    fresh = TestClient(create_app(corpus=corpus, secret="pages-test-secret-123"))
    assert login(fresh, "to_disable").status_code != 303
    assert admin.post("/admin/users/to_disable/active", data={"active": "1", "csrf_token": tok},
                      follow_redirects=False).status_code == 303
    r = admin.post("/admin/users/to_disable/password", data={"password": "another-pass-9", "csrf_token": tok},
                   follow_redirects=False)
    assert r.status_code == 303
    assert login(fresh, "to_disable").status_code != 303                     # the old password no longer works
    assert login(fresh, "to_disable", "another-pass-9").status_code == 303
    r = admin.post("/admin/users/admin/active", data={"active": "0", "csrf_token": tok})
    assert r.status_code == 400 and "不能停用自己" in r.text
    r = admin.post("/admin/users/to_disable/password", data={"password": "short", "csrf_token": tok})
    assert r.status_code == 400
    html = admin.get("/admin/users").text
    assert "停用账户" in html and "启用账户" in html and "修改密码" in html
