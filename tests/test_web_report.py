"""报告详情 in the browser's terms: every 表三 cell with its status class and a link to
its source, the source pane as an htmx fragment or (without JavaScript) the whole page,
the PDF page image, the narrative, the scope, escaping."""
import re

import pytest
from webkit import XSS, build_corpus, cheap_argon2, login, report_ids  # noqa: F401

from gongkai.web import create_app

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`")
HX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from argon2 import PasswordHasher
    from gongkai.corpus import accounts as A
    mp = pytest.MonkeyPatch()
    mp.setattr(A, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    c = build_corpus(tmp_path_factory.mktemp("rep") / "c.db")
    mp.undo()
    return c


def client(corpus, name="admin"):
    from starlette.testclient import TestClient
    c = TestClient(create_app(corpus=corpus, secret="report-test-secret-123"))
    assert login(c, name).status_code == 303
    return c


def _pdf(corpus) -> int:
    return report_ids(corpus)["淮安市人民政府"]


def _cells(corpus, rid):
    import sqlalchemy as sa
    from gongkai.corpus import schema as S
    with corpus.engine.connect() as c:
        return dict(c.execute(sa.select(S.fields.c.id, S.cells.c.status)
                              .join(S.fields, S.fields.c.no == S.cells.c.field_no)
                              .where(S.cells.c.report_id == rid)).all())


def test_every_table_three_cell_has_its_status_class_and_a_source_link(corpus):
    c = client(corpus)
    for rid in (report_ids(corpus)["海东市公安局"], _pdf(corpus)):
        html = c.get(f"/reports/{rid}").text
        cells = {f: s for f, s in _cells(corpus, rid).items() if f.startswith("t3.")}
        assert len(cells) == 175
        shown = dict((f, s) for s, f in re.findall(r'<td class="num cell-(\w+)[^"]*"[^>]*data-field="(t3\.[^"]+)"',
                                                   html))
        assert shown == cells
        for f in cells:
            assert f'href="/reports/{rid}/source?field={f}" hx-get="/reports/{rid}/source?field={f}"' in html
        assert "二、主动公开政府信息情况" in html and "四、政府信息公开行政复议、行政诉讼情况" in html
        for word in ("值", "空白", "文字", "推定", "存疑", "校验未通过"):
            assert f">{word}</span>" in html
        assert " style=" not in html and "<style" not in html and "http://" not in html
        assert not re.search(r"<script[^>]*>\s*[^<\s]", html)


def test_source_pane_is_a_fragment_for_htmx_and_the_whole_page_without(corpus):
    c = client(corpus)
    rid = _pdf(corpus)
    r = c.get(f"/reports/{rid}/source", params={"field": "t3.new.total"}, headers=HX)
    assert r.status_code == 200 and "<html" not in r.text and r.text.lstrip().startswith('<section id="source"')
    assert f'<image href="/reports/{rid}/page/4.png"' in r.text and 'class="box hot"' in r.text
    assert "表三 · 一、本年新收政府信息公开申请数量 · 总计" in r.text and "3119" in r.text
    full = c.get(f"/reports/{rid}/source", params={"field": "t3.new.total"})
    assert "<html" in full.text and 'class="box hot"' in full.text and 'data-field="t3.new.total"' in full.text
    assert re.search(r'class="num cell-value sel"[^>]*data-field="t3.new.total"', full.text)
    text_rid = report_ids(corpus)["海东市公安局"]
    r = c.get(f"/reports/{text_rid}/source", params={"field": "t3.new.total"}, headers=HX)
    assert '<tr class="hot">' in r.text
    assert c.get(f"/reports/{rid}/source", params={"field": "../../etc"}).status_code == 400
    assert c.get(f"/reports/{rid}/source", params={"finding": "x"}).status_code == 400
    assert "这份报告没有这个单元格" in c.get(f"/reports/{rid}/source", params={"field": "t3.nope.x"}).text


def test_page_image_is_a_private_png(corpus):
    c = client(corpus)
    r = c.get(f"/reports/{_pdf(corpus)}/page/4.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content[:4] == b"\x89PNG"
    assert r.headers["cache-control"] == "private, max-age=3600"
    assert c.get(f"/reports/{_pdf(corpus)}/page/40.png").status_code == 404
    assert c.get(f"/reports/{report_ids(corpus)['海东市公安局']}/page/1.png").status_code == 404


def test_another_scopes_report_is_not_found(corpus):
    rev = client(corpus, "rev_haidong")                 # 海东市 only; 淮安 is outside
    rid = _pdf(corpus)
    for url in (f"/reports/{rid}", f"/reports/{rid}/source?field=t3.new.total", f"/reports/{rid}/page/4.png",
                f"/reports/{rid}/text"):
        assert rev.get(url).status_code == 404, url
        assert rev.get(url, headers=HX).status_code == 404, url
    own = report_ids(corpus)["海东市公安局"]
    assert rev.get(f"/reports/{own}/source", params={"field": "t3.new.total"}, headers=HX).status_code == 200


def test_narrative_is_paragraphs(corpus):
    c = client(corpus)
    rid = _pdf(corpus)
    assert f'hx-get="/reports/{rid}/text" hx-trigger="load"' in c.get(f"/reports/{rid}").text
    r = c.get(f"/reports/{rid}/text", headers=HX)
    assert "<html" not in r.text and "<h3>一、总体情况</h3>" in r.text and r.text.count("<p>") >= 5
    assert "<html" in c.get(f"/reports/{rid}/text").text


def test_raw_text_and_source_lines_are_escaped(corpus, tmp_path):
    import sqlalchemy as sa
    from gongkai.corpus import schema as S
    from gongkai.corpus.importer import import_paths
    src = report_ids(corpus)["海东市公安局"]
    # a report whose file has a script tag on the line before 表三's first row
    import shutil
    from pathlib import Path
    sample = Path(__file__).resolve().parents[1] / "src" / "gongkai" / "samples" / "003_5f1914cbe288c934.txt"
    lines = sample.read_text("utf-8").split("\n")
    from gongkai.corpus.source_view import cell_source
    from gongkai.corpus.accounts import EVERYTHING
    line = cell_source(corpus, src, "t3.new.total", EVERYTHING).lines[8][0]
    lines.insert(line - 1, XSS)
    f = tmp_path / "x.txt"
    f.write_text("\n".join(lines), "utf-8")
    shutil.rmtree(tmp_path / "none", ignore_errors=True)
    assert import_paths(corpus, [str(f)], workers=1).imported == 1
    with corpus.engine.connect() as k:
        rid = k.execute(sa.select(S.reports.c.id).join(S.documents).where(S.documents.c.path == str(f))).scalar()
    with corpus.engine.begin() as k:
        no = k.execute(sa.select(S.fields.c.no).where(S.fields.c.id == "t3.new.natural")).scalar()
        k.execute(S.cells.update().where(S.cells.c.report_id == rid, S.cells.c.field_no == no)
                  .values(status="text", raw=XSS, reason=XSS))
    c = client(corpus)
    page = c.get(f"/reports/{rid}").text
    pane = c.get(f"/reports/{rid}/source", params={"field": "t3.new.total"}, headers=HX).text
    cell = c.get(f"/reports/{rid}/source", params={"field": "t3.new.natural"}, headers=HX).text
    for html in (page, cell):
        assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the lines are those the parser read: markup blanked (offsets kept), never live
    assert XSS not in pane and "alert(1)" in pane
