"""Review and sign-off in the browser's terms (HTTP client): a cell corrected through the
form (plain POST and htmx), the board's status following it, scope by report id and
field id, CSRF, guests and the public, escaping of reasons and comments, finding
decisions, 提交 / 退回 / 通过, and the findings XLSX download."""
import io
import re

import pytest
from test_review import NEW_TOTAL, bad_copy
from webkit import XSS, build_corpus, cheap_argon2, csrf_of, login, report_ids  # noqa: F401

from gongkai.web import create_app

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`")
HX = {"HX-Request": "true"}


@pytest.fixture()
def corpus(tmp_path):
    from gongkai.corpus.importer import import_paths
    c = build_corpus(tmp_path / "c.db")
    s = import_paths(c, [str(bad_copy(tmp_path))], workers=1)
    assert s.imported == 1
    return c


def _bad(corpus) -> int:
    import sqlalchemy as sa
    from gongkai.corpus import schema as S
    with corpus.engine.connect() as c:
        return c.execute(sa.select(S.reports.c.id).join(S.documents).where(S.documents.c.path.like("%bad.txt"))).scalar()


def client(corpus, name="admin", public=False):
    from starlette.testclient import TestClient
    c = TestClient(create_app(corpus=corpus, secret="review-test-secret-123", public=public, worker=False))
    if name:
        assert login(c, name).status_code == 303
    return c


def _token(c, rid):
    return csrf_of(c.get(f"/reports/{rid}").text)


def _board_status(c, agency="格尔木市公安局", year=2024):
    html = c.get("/", params={"year": year}).text
    row = re.search(r"<tr class=\"row-(\w+)\">\s*<td>" + agency + "</td>", html)
    return row.group(1)


def _correct(c, rid, tok, field=NEW_TOTAL, value="1", reason="原文核对", headers=None):
    return c.post(f"/reports/{rid}/review/cell", data={"csrf_token": tok, "field": field, "value": value,
                                                       "reason": reason, "action": "correct"},
                  headers=headers or {}, follow_redirects=False)


def test_staff_correction_fixes_the_error_and_the_board_follows(corpus):
    c = client(corpus, "staff_golmud")
    rid = _bad(corpus)
    assert _board_status(c) == "errors"
    page = c.get(f"/reports/{rid}?field={NEW_TOTAL}").text
    assert 'class="cell-form"' in page and 't3.row_total' in page and "版本记录（0）" in page
    r = _correct(c, rid, csrf_of(page), reason="第 267 行总计应为 1")
    assert r.status_code == 303 and r.headers["location"].startswith(f"/reports/{rid}?field={NEW_TOTAL}")
    page = c.get(r.headers["location"]).text
    assert "已更正，校验已重新运行" in page and "t3.row_total" not in page and "t3.balance" not in page
    assert "版本记录（1）" in page and "第 267 行总计应为 1" in page and "2 → <b>1</b>" in page
    assert re.search(r'class="num cell-value[^"]*\bcorrected\b[^"]*"[^>]*data-field="t3.new.total"', page)
    assert _board_status(c) == "imported"
    # submit; the state shows on the board
    r = c.post(f"/reports/{rid}/review/state", data={"csrf_token": _token(c, rid), "action": "submit",
                                                     "comment": ""}, follow_redirects=False)
    assert r.status_code == 303 and _board_status(c) == "pending"
    page = c.get(f"/reports/{rid}").text
    assert 'value="approve"' not in page and 'value="submit"' not in page      # staff cannot approve


def test_htmx_correction_redirects_and_errors_are_fragments(corpus):
    c = client(corpus, "admin")
    rid = _bad(corpus)
    tok = _token(c, rid)
    pane = c.get(f"/reports/{rid}/source", params={"field": NEW_TOTAL}, headers=HX).text
    assert 'hx-post="/reports/%d/review/cell"' % rid in pane and "<html" not in pane
    r = _correct(c, rid, tok, value="-3", headers=HX)
    assert r.status_code == 200 and "<html" not in r.text and "应填非负整数" in r.text and 'role="alert"' in r.text
    r = _correct(c, rid, tok, headers=HX)
    assert r.status_code == 204 and r.headers["HX-Redirect"].startswith(f"/reports/{rid}?")


def test_scope_is_enforced_by_report_id_and_field_id(corpus):
    ids = report_ids(corpus)
    staff = client(corpus, "staff_golmud")
    rid = _bad(corpus)
    tok = _token(staff, rid)
    other = ids["海东市公安局"]
    r = _correct(staff, other, tok, field="t3.new.natural")     # the form aimed at another agency's report
    assert r.status_code == 404
    rev = client(corpus, "rev_haidong")
    r = _correct(rev, rid, _token(rev, other))
    assert r.status_code == 404
    r = _correct(staff, rid, tok, field="t2.fees.prev_items")    # a field this report does not have
    assert r.status_code == 400 and "这份报告没有单元格" in r.text
    r = _correct(staff, rid, tok, field="../t3")
    assert r.status_code == 400 and "单元格编号" in r.text
    r = staff.post(f"/reports/{rid}/review/finding", data={"csrf_token": tok, "finding": "1", "action": "dismiss",
                                                           "comment": "x"}, follow_redirects=False)
    assert r.status_code == 403 and "填报人不能审核校验发现" in r.text
    import sqlalchemy as sa
    from gongkai.corpus import schema as S
    with corpus.engine.connect() as k:
        assert k.execute(sa.select(sa.func.count()).select_from(S.report_versions)).scalar() == 0


def test_csrf_guests_and_the_public_are_refused(corpus):
    rid = _bad(corpus)
    admin = client(corpus, "admin")
    r = admin.post(f"/reports/{rid}/review/cell", data={"field": NEW_TOTAL, "value": "1", "reason": "r"},
                   follow_redirects=False)
    assert r.status_code == 403 and "安全令牌" in r.text
    guest = client(corpus, "guest")
    page = guest.get(f"/reports/{rid}?field={NEW_TOTAL}").text
    assert 'class="cell-form"' not in page and "/review/state" not in page and "finding-form" not in page
    r = _correct(guest, rid, csrf_of(page))
    assert r.status_code == 403 and "访客只能查看" in r.text
    public = client(corpus, None, public=True)
    page = public.get(f"/reports/{rid}").text
    assert 'class="cell-form"' not in page
    r = public.post(f"/reports/{rid}/review/state", data={"action": "approve"}, follow_redirects=False)
    assert r.status_code in (401, 403)
    assert _board_status(admin) == "errors"


def test_reasons_and_comments_are_escaped(corpus):
    c = client(corpus, "admin")
    rid = _bad(corpus)
    assert _correct(c, rid, _token(c, rid), reason=XSS).status_code == 303
    fid = re.search(r'name="finding" value="(\d+)"', c.get(f"/reports/{rid}").text).group(1)
    r = c.post(f"/reports/{rid}/review/finding", data={"csrf_token": _token(c, rid), "finding": fid,
                                                       "action": "dismiss", "comment": XSS}, follow_redirects=False)
    assert r.status_code == 303
    r = c.post(f"/reports/{rid}/review/state", data={"csrf_token": _token(c, rid), "action": "return",
                                                     "comment": XSS}, follow_redirects=False)
    assert r.status_code == 303
    page = c.get(f"/reports/{rid}").text
    assert XSS not in page and page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3
    assert not re.search(r"<script[^>]*>\s*[^<\s]", page) and " style=" not in page


def test_finding_decisions_and_the_review_states(corpus):
    c = client(corpus, "admin")
    rid = _bad(corpus)
    page = c.get(f"/reports/{rid}").text
    fid = re.search(r'name="finding" value="(\d+)"', page).group(1)
    r = c.post(f"/reports/{rid}/review/finding", data={"csrf_token": csrf_of(page), "finding": fid,
                                                       "action": "dismiss", "comment": ""}, follow_redirects=False)
    assert r.status_code == 400 and "请填写驳回理由" in r.text
    r = c.post(f"/reports/{rid}/review/finding", data={"csrf_token": csrf_of(page), "finding": fid,
                                                       "action": "confirm", "comment": "属实"}, follow_redirects=False)
    assert r.status_code == 303 and "已确认" in c.get(r.headers["location"]).text
    r = c.post(f"/reports/{rid}/review/state", data={"csrf_token": csrf_of(page), "action": "return", "comment": ""},
               follow_redirects=False)
    assert r.status_code == 400 and "请填写退回意见" in r.text
    r = c.post(f"/reports/{rid}/review/state", data={"csrf_token": csrf_of(page), "action": "return",
                                                     "comment": "表三总计与分项不符"}, follow_redirects=False)
    assert r.status_code == 303 and _board_status(c) == "returned"
    r = c.post(f"/reports/{rid}/review/state", data={"csrf_token": csrf_of(page), "action": "approve",
                                                     "comment": "已核实"}, follow_redirects=False)
    assert r.status_code == 303 and _board_status(c) == "approved"
    page = c.get(f"/reports/{rid}?field={NEW_TOTAL}").text
    assert 'class="cell-form"' not in page and "表三总计与分项不符" in page
    r = _correct(c, rid, csrf_of(page))
    assert r.status_code == 400 and "已通过审核" in r.text
    assert c.post(f"/reports/{rid}/review/state", data={"csrf_token": csrf_of(page), "action": "nope"},
                  follow_redirects=False).status_code == 400


def test_findings_xlsx_download_of_the_board_year_and_scope(corpus):
    from openpyxl import load_workbook
    rid = _bad(corpus)
    admin = client(corpus, "admin")
    board = admin.get("/", params={"year": 2024}).text
    assert 'href="/findings.xlsx?year=2024' in board
    r = admin.get("/findings.xlsx", params={"year": 2024})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][:8] == ("机关", "地区", "规则", "严重程度", "说明", "单元格", "状态", "意见")
    mine = [x for x in rows[1:] if x[9] == rid]
    assert {x[2] for x in mine} >= {"t3.row_total", "t3.balance", "cells.blank"}
    assert {x[0] for x in rows[1:]} >= {"格尔木市公安局", "格尔木市"}
    staff = client(corpus, "staff_golmud")
    rows = list(load_workbook(io.BytesIO(staff.get("/findings.xlsx?year=2024").content)).active
                .iter_rows(values_only=True))
    assert {x[0] for x in rows[1:]} == {"格尔木市公安局"} and all(x[9] == rid for x in rows[1:])
    assert admin.get("/findings.xlsx").status_code == 400
    assert admin.get("/findings.xlsx", params={"year": 2024, "region": "火星"}).status_code == 400


def test_the_report_page_at_the_same_url_shows_the_correction_after_a_reparse(corpus):
    from gongkai import PARSER_VERSION
    from gongkai.corpus import schema as S
    from gongkai.corpus.importer import reparse
    c = client(corpus, "staff_golmud")
    rid = _bad(corpus)
    assert _correct(c, rid, _token(c, rid), reason="第 267 行总计应为 1").status_code == 303
    with corpus.engine.begin() as k:
        k.execute(S.documents.update().values(parser_version=PARSER_VERSION - 1))
    s = reparse(corpus, workers=1)
    assert s.imported >= 1 and not s.problems
    assert _bad(corpus) == rid
    page = c.get(f"/reports/{rid}?field={NEW_TOTAL}").text
    assert "版本记录（2）" in page and "第 267 行总计应为 1" in page and "2 → <b>1</b>" in page
    assert "重新解析" in page and "解析结果未变" in page
    assert "t3.row_total" not in page and "t3.balance" not in page
    assert re.search(r'class="num cell-value[^"]*\bcorrected\b[^"]*"[^>]*data-field="t3.new.total"', page)
    assert _board_status(c) == "imported"
    assert c.get(f"/reports/{rid}/source", params={"field": NEW_TOTAL}).status_code == 200
