"""/admin/agencies (机关名录) through the HTTP client: 管理员 list, filter, download, upload,
merge and edit; 审核人 read their scope only; other roles refused; CSRF on every change;
names escaped; a bad file answered in Chinese with nothing changed; the board's kind
filter has the new kinds."""
import io

import pytest
from webkit import XSS, build_corpus, cheap_argon2, csrf_of, login  # noqa: F401

from gongkai.corpus.accounts import EVERYTHING
from gongkai.web import create_app

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`")
SECRET = "agencies-test-secret-123"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """A corpus the read-only tests share."""
    from argon2 import PasswordHasher
    from gongkai.corpus import accounts as A
    mp = pytest.MonkeyPatch()
    mp.setattr(A, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    c = build_corpus(tmp_path_factory.mktemp("ag") / "c.db")
    mp.undo()
    return c


@pytest.fixture
def fresh(tmp_path):
    """A corpus of its own, for the tests that change it."""
    return build_corpus(tmp_path / "c.db")


def client(corpus, user="admin", tmp=None):
    from starlette.testclient import TestClient
    c = TestClient(create_app(corpus=corpus, secret=SECRET, worker=False, spool=tmp))
    if user:
        assert login(c, user).status_code == 303
    return c


def _id(corpus, name):
    import sqlalchemy as sa
    from gongkai.corpus import schema as S
    with corpus.engine.connect() as conn:
        return conn.execute(sa.select(S.agencies.c.id).where(S.agencies.c.name == name)).scalar()


def test_admin_lists_filters_and_sees_counts_and_forms(shared):
    c = client(shared)
    html = c.get("/admin/agencies").text
    assert "机关名录" in html and 'href="/admin/agencies" class="on"' in html       # linked in the nav
    assert "格尔木市公安局" in html and "/admin/agencies/export.xlsx" in html
    assert 'action="/admin/agencies/import"' in html and 'enctype="multipart/form-data"' in html
    assert 'action="/admin/agencies/merge"' in html
    for zh in ("政府", "部门", "街道", "乡镇", "开发区", "省级", "市级", "县级", "乡级"):
        assert f">{zh}</option>" in html
    body = c.get("/admin/agencies", params={"kind": "department", "region": "格尔木市"}).text.split("<tbody>")[1]
    assert "格尔木市公安局" in body and "海东市" not in body and "格尔木市人民政府" not in body
    body = c.get("/admin/agencies", params={"level": "county", "q": "公安"}).text.split("<tbody>")[1]
    assert "海东市平安区公安局" in body and "海东市公安局<" not in body and "格尔木市公安局" not in body
    r = c.get("/admin/agencies", params={"level": "地级"})
    assert r.status_code == 400 and "层级「地级」无效" in r.text
    r = c.get("/admin/agencies", params={"region": "不知道是哪里"})
    assert r.status_code == 400 and "无法识别地区" in r.text


def test_agency_names_are_escaped(shared):
    c = client(shared)
    for path in ("/admin/agencies", f"/admin/agencies/{_id(shared, XSS)}"):
        html = c.get(path).text
        assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_roles_reviewer_reads_its_scope_and_others_are_refused(shared):
    rev = client(shared, "rev_haidong")
    html = rev.get("/admin/agencies").text
    assert "海东市公安局" in html and "格尔木市公安局" not in html and "（只读）" in html
    assert 'action="/admin/agencies/import"' not in html and 'action="/admin/agencies/merge"' not in html
    assert "机关名录</a>" in html and "用户管理" not in html
    assert rev.get(f"/admin/agencies/{_id(shared, '格尔木市公安局')}").status_code == 404
    page = rev.get(f"/admin/agencies/{_id(shared, '海东市公安局')}")
    assert page.status_code == 200 and 'name="kind"' not in page.text
    csv_text = rev.get("/admin/agencies/export.csv").content.decode("utf-8-sig")
    assert "海东市公安局" in csv_text and "格尔木" not in csv_text
    tok = csrf_of(html)
    hd = _id(shared, "海东市公安局")
    assert rev.post("/admin/agencies/merge", data={"csrf_token": tok, "keep": hd, "gone": hd}).status_code == 403
    assert rev.post(f"/admin/agencies/{hd}", data={"csrf_token": tok, "kind": "government"}).status_code == 403
    for user in ("staff_golmud", "guest"):
        c = client(shared, user)
        assert c.get("/admin/agencies").status_code == 403
        assert c.get("/admin/agencies/export.csv").status_code == 403
        assert "/admin/agencies" not in c.get("/").text
    anon = client(shared, None)
    r = anon.get("/admin/agencies", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert anon.post("/admin/agencies/merge", data={"keep": 1, "gone": 2}).status_code == 401


def test_downloads_are_the_catalogue_in_csv_and_xlsx(shared):
    from openpyxl import load_workbook
    c = client(shared)
    r = c.get("/admin/agencies/export.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"] and "filename*=UTF-8''" in r.headers["content-disposition"]
    text = r.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "名称,省,市,县/区,层级,类别,上级机关,别名" and "格尔木市公安局" in text
    r = c.get("/admin/agencies/export.xlsx")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "名称" and any(x[0] == "格尔木市公安局" for x in rows)
    assert c.get("/admin/agencies/export.pdf").status_code == 404


def test_csrf_is_required_on_every_change(fresh, tmp_path):
    c = client(fresh, tmp=tmp_path / "spool")
    hd, gm = _id(fresh, "海东市公安局"), _id(fresh, "格尔木市公安局")
    for bad in ({}, {"csrf_token": "forged"}):
        assert c.post("/admin/agencies/merge", data={**bad, "keep": hd, "gone": gm}).status_code == 403
        assert c.post(f"/admin/agencies/{hd}", data={**bad, "kind": "street"}).status_code == 403
        r = c.post("/admin/agencies/import", data=bad,
                   files={"file": ("a.csv", "名称,类别\n海东市公安局,街道\n".encode(), "text/csv")})
        assert r.status_code == 403
    from gongkai.corpus.catalogue import get_agency
    a = get_agency(fresh, hd, EVERYTHING)
    assert a.kind == "department" and get_agency(fresh, gm, EVERYTHING) is not None


def test_upload_a_bad_file_tells_each_row_and_changes_nothing(fresh, tmp_path):
    from gongkai.corpus.catalogue_file import catalogue_rows
    c = client(fresh, tmp=tmp_path / "spool")
    tok = csrf_of(c.get("/admin/agencies").text)
    before = catalogue_rows(fresh)
    bad = "名称,层级,类别\n海东市公安局,市级,部门\n格尔木市公安局,地级,部门\n<b>新机关</b>,,机构\n".encode()
    r = c.post("/admin/agencies/import", data={"csrf_token": tok}, files={"file": ("名录.csv", bad, "text/csv")})
    assert r.status_code == 400
    assert "「名录.csv」：名录文件有 2 处问题，未做任何修改" in r.text
    assert "第 3 行：层级「地级」无效" in r.text and "第 4 行：类别「机构」无效" in r.text
    assert "<b>新机关</b>" not in r.text and "Traceback" not in r.text
    assert catalogue_rows(fresh) == before
    r = c.post("/admin/agencies/import", data={"csrf_token": tok},
               files={"file": ("名录.xlsx", b"PK\x03\x04not a workbook", "application/octet-stream")})
    assert r.status_code == 400 and "无法读取 XLSX 文件" in r.text
    r = c.post("/admin/agencies/import", data={"csrf_token": tok}, files={"file": ("名录.txt", b"x", "text/plain")})
    assert r.status_code == 400 and "应为 .csv 或 .xlsx" in r.text
    big = b"\xe5\x90\x8d\xe7\xa7\xb0\n" + b"x" * (5 * 1024 * 1024 + 10)
    r = c.post("/admin/agencies/import", data={"csrf_token": tok}, files={"file": ("big.csv", big, "text/csv")})
    assert r.status_code == 413 and "名录文件过大" in r.text
    assert catalogue_rows(fresh) == before
    assert not list((tmp_path / "spool" / "tmp").glob("*"))        # no upload left behind


def test_upload_download_edit_round_trip_and_merge_and_edit(fresh, tmp_path):
    from openpyxl import load_workbook, Workbook
    from gongkai.corpus.catalogue import get_agency
    c = client(fresh, tmp=tmp_path / "spool")
    tok = csrf_of(c.get("/admin/agencies").text)
    wb = load_workbook(io.BytesIO(c.get("/admin/agencies/export.xlsx").content))
    ws = wb.active
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "格尔木市公安局":
            row[1].value, row[2].value = "青海省", "海西蒙古族藏族自治州"
            row[3].value, row[4].value = "格尔木市", "县级"
    buf = io.BytesIO()
    wb.save(buf)
    r = c.post("/admin/agencies/import", data={"csrf_token": tok},
               files={"file": ("名录.xlsx", buf.getvalue(), "application/octet-stream")}, follow_redirects=False)
    assert r.status_code == 303, r.text
    html = c.get(r.headers["location"]).text
    assert "已导入名录：新增 0 个机关，修改 1 个" in html and "导入修改" in html
    gm = _id(fresh, "格尔木市公安局")
    a = get_agency(fresh, gm, EVERYTHING)
    assert (a.province, a.city, a.county, a.level, a.mapped_by) == ("青海省", "海西蒙古族藏族自治州", "格尔木市",
                                                                  "county", "user")
    # merge 格尔木市人民政府 (no report of its own here?) into 格尔木市 — use two real agencies
    keep, gone = _id(fresh, "海东市公安局"), _id(fresh, XSS)
    r = c.post("/admin/agencies/merge", data={"csrf_token": tok, "keep": keep, "gone": gone}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(f"/admin/agencies/{keep}")
    html = c.get(r.headers["location"]).text
    assert "已合并" in html and "&lt;script&gt;" in html and XSS not in html      # the merged name: an alias
    assert get_agency(fresh, gone, EVERYTHING) is None
    r = c.post("/admin/agencies/merge", data={"csrf_token": tok, "keep": keep, "gone": "abc"})
    assert r.status_code == 400 and "机关编号「abc」无效" in r.text
    r = c.post("/admin/agencies/merge", data={"csrf_token": tok, "keep": keep, "gone": 999999})
    assert r.status_code == 400 and "没有编号为 999999 的机关" in r.text
    r = c.post(f"/admin/agencies/{gm}", data={"csrf_token": tok, "kind": "devzone", "level": "city",
                                              "parent": "海东市公安局"}, follow_redirects=False)
    assert r.status_code == 303
    a = get_agency(fresh, gm, EVERYTHING)
    assert (a.kind, a.level, a.parent_id) == ("devzone", "city", keep)
    r = c.post(f"/admin/agencies/{gm}", data={"csrf_token": tok, "kind": "devzone", "parent": "查无此机关"})
    assert r.status_code == 400 and "上级机关「查无此机关」不在名录中" in r.text
    wb = Workbook()
    wb.active.append(["名称", "类别"])
    wb.active.append(["淮安经济技术开发区管理委员会", ""])
    buf = io.BytesIO()
    wb.save(buf)
    r = c.post("/admin/agencies/import", data={"csrf_token": tok},
               files={"file": ("new.xlsx", buf.getvalue(), "application/octet-stream")}, follow_redirects=False)
    assert r.status_code == 303 and "created=1" in r.headers["location"]
    html = c.get("/admin/agencies", params={"kind": "devzone"}).text.split("<tbody>")[1]
    assert "淮安经济技术开发区管理委员会" in html and "格尔木市公安局" in html


def test_board_kind_filter_has_the_new_kinds(fresh):
    with fresh.engine.begin() as conn:
        from gongkai.corpus.agencies import agency_id
        agency_id(conn, "海东市平安区平安街道办事处")
    c = client(fresh)
    html = c.get("/").text
    for k, zh in (("street", "街道"), ("township", "乡镇"), ("devzone", "开发区")):
        assert f'<option value="{k}" >{zh}</option>' in html
    board = c.get("/", params={"kind": "street"}).text.split('id="board"')[1]
    assert "海东市平安区平安街道办事处" in board and "海东市公安局" not in board and "街道" in board
