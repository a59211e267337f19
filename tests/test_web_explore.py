"""语料浏览 (/explore, its downloads) and 报告对照 (/compare, 与上年对比 on the report page)
through the HTTP test client: login required, the scope applied (a report id changed in
the URL to one outside the scope is a 404), the page's table equal to its downloads,
escaped agency and region names, ECharts served from the package, the CSP unchanged."""
import csv
import hashlib
import html as H
import io
import json
import re

import pytest
import sqlalchemy as sa
from webkit import XSS, build_corpus, cheap_argon2, login, report_ids  # noqa: F401

from gongkai.corpus import schema as S
from gongkai.corpus.accounts import EVERYTHING
from gongkai.corpus.explore import Filters, explore
from gongkai.corpus.indicators import BY_ID, formula
from gongkai.web import create_app
from gongkai.web.security import CSP

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`")
SECRET = "explore-test-secret-123"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The web test corpus, plus 格尔木市公安局's report again as of 2023, and 洛阳's report
    moved to the agency named like a script (in a city named like one too)."""
    from argon2 import PasswordHasher
    from gongkai.cli import sample_files
    from gongkai.corpus import accounts as A
    from gongkai.corpus.importer import import_paths
    from pathlib import Path
    mp = pytest.MonkeyPatch()
    mp.setattr(A, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    d = tmp_path_factory.mktemp("explore")
    c = build_corpus(d / "c.db")
    mp.undo()
    golmud = next(f for f in sample_files() if Path(f).name.startswith("000_"))
    (d / "golmud_2023.txt").write_text(Path(golmud).read_text("utf-8").replace("2024", "2023"), "utf-8")
    assert import_paths(c, [str(d / "golmud_2023.txt")], workers=1).imported == 1
    a, r = S.agencies, S.reports
    with c.engine.begin() as x:
        xss = x.execute(sa.select(a.c.id).where(a.c.name == XSS)).scalar()
        x.execute(a.update().where(a.c.id == xss).values(city=XSS, kind="department"))
        luoyang = report_ids(c)["洛阳市公安局偃师分局"]
        x.execute(r.update().where(r.c.id == luoyang).values(agency_id=xss))
        x.execute(S.report_indicators.update().where(S.report_indicators.c.report_id == luoyang)
                  .values(agency_id=xss))          # the copy the explorer reads (as a catalogue merge does)
    return c


def _client(corpus, user=None, **kw):
    from starlette.testclient import TestClient
    c = TestClient(create_app(corpus=corpus, secret=SECRET, worker=False, **kw))
    if user:
        assert login(c, user).status_code == 303
    return c


def _ids(corpus) -> dict:
    with corpus.engine.connect() as x:
        return {(n, y): i for n, y, i in x.execute(
            sa.select(S.agencies.c.name, S.reports.c.year, S.reports.c.id)
            .select_from(S.reports.join(S.agencies, S.agencies.c.id == S.reports.c.agency_id)))}


def _table(page: str) -> list[list[str]]:
    """The cells of the page's table (#explore-table), header first, as text."""
    body = page.split('id="explore-table"', 1)[1].split("</table>", 1)[0]
    return [[H.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def _chart(page: str) -> dict:
    m = re.search(r"data-chart='([^']*)'", page)
    assert m, "no chart data"
    return json.loads(H.unescape(m.group(1)))


def test_explorer_and_compare_need_a_login(corpus):
    c = _client(corpus)
    for path in ("/explore", "/explore?year=2024", "/explore/download.csv", "/compare?a=1&b=2"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/"), path
    assert c.post("/explore", follow_redirects=False).status_code in (401, 405)


def test_explore_page_shows_formulas_samples_table_and_chart(corpus):
    c = _client(corpus, "admin")
    r = c.get("/explore", params={"year": ["2023", "2024"], "group": "city", "indicator": "disclosure_rate"})
    assert r.status_code == 200 and r.headers["content-security-policy"] == CSP
    page = r.text
    assert '<a href="/explore" class="on">语料浏览</a>' in page
    assert '<form method="get" action="/explore"' in page                        # works without JavaScript
    assert 'name="year" value="2024" checked' in page and 'name="year" value="2021" >' in page
    for ind in BY_ID.values():
        assert H.escape(formula(ind), quote=False) in page, ind.id
    e = explore(corpus, EVERYTHING, Filters(years=(2023, 2024), group="city"))
    assert f'id="n-reports">{e.reports}</b>' in page
    assert "样本不足（n=" in page                                                 # 5 reports at most per city
    rows = _table(page)
    assert rows[0] == ["地市", "报告数", "样本数", "平均值（%）", "中位数（%）", "合计比率（%）", "排名", "说明"]
    assert [row[0] for row in rows[1:]] == [g.key for g in e.groups]
    assert _chart(page) == e.chart()
    for fmt in ("csv", "xlsx", "parquet", "json"):
        assert (f'href="/explore/download.{fmt}?year=2023&amp;year=2024&amp;indicator=disclosure_rate'
                f'&amp;group=city"') in page
    assert '<script src="/static/vendor/echarts/echarts.min.js" defer></script>' in page
    for bad in ({"year": "20x4"}, {"kind": "army"}, {"indicator": "nope"}, {"group": "agency"}):
        r = c.get("/explore", params=bad)
        assert r.status_code == 400 and "无效" in r.text, bad


def test_the_downloads_are_the_table_on_the_page(corpus):
    c = _client(corpus, "admin")
    q = {"year": ["2021", "2023", "2024"], "group": "kind", "indicator": "carry_rate"}
    rows = _table(c.get("/explore", params=q).text)
    r = c.get("/explore/download.csv", params=q)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="explore-carry_rate-by-kind.csv"'
    got = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert got == [[("" if x == "—" else x) for x in row] for row in rows]
    j = c.get("/explore/download.json", params=q)
    assert j.headers["content-type"] == "application/json"
    assert [[("—" if v is None else str(v)) for v in d.values()] for d in j.json()] == rows[1:]
    x = c.get("/explore/download.xlsx", params=q)
    from openpyxl import load_workbook
    sheet = [[("—" if v is None else str(v)) for v in row]
             for row in load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True)]
    assert [[("—" if v == "" else v) for v in row] for row in rows] == sheet
    import pyarrow.parquet as pq
    p = c.get("/explore/download.parquet", params=q)
    t = pq.read_table(io.BytesIO(p.content))
    assert t.column_names == rows[0] and len(t) == len(rows) - 1
    assert c.get("/explore/download.exe").status_code == 400
    r = c.get("/explore/download.csv", params={"region": "火星"})
    assert r.status_code == 400 and "无法识别地区「火星」" in r.text


def test_the_explorer_shows_the_scope_only(corpus):
    rev = _client(corpus, "rev_haidong")
    page = rev.get("/explore").text
    assert 'id="n-reports">2</b>' in page                                        # the two 海东市 reports
    assert "格尔木市" not in page.split('name="region"')[1].split("</select>")[0]
    assert 'id="n-reports">0</b>' in rev.get("/explore", params={"region": "格尔木市"}).text
    got = rev.get("/explore/download.csv", params={"group": "city"}).content.decode("utf-8-sig")
    assert "海东市" in got and "格尔木市" not in got
    staff = _client(corpus, "staff_golmud")
    assert 'id="n-reports">2</b>' in staff.get("/explore").text                   # its agency's two years
    guest = _client(corpus, "guest")                                             # 访客 reads every agency
    assert f'id="n-reports">{len(_ids(corpus))}</b>' in guest.get("/explore").text


def test_compare_side_by_side_and_last_year_from_the_report_page(corpus):
    ids = _ids(corpus)
    now, before = ids[("格尔木市公安局", 2024)], ids[("格尔木市公安局", 2023)]
    c = _client(corpus, "staff_golmud")
    report = c.get(f"/reports/{now}").text
    assert f'<a id="vs-last-year" href="/compare?a={before}&amp;b={now}">与上年对比</a>' in report
    assert "没有该机关 2022 年度的报告" in c.get(f"/reports/{before}").text
    r = c.get(f"/compare?a={before}&b={now}")
    assert r.status_code == 200 and r.headers["content-security-policy"] == CSP
    assert "格尔木市公安局" in r.text and "表三 · 一、本年新收政府信息公开申请数量 · 自然人" in r.text
    admin = _client(corpus, "admin")
    other = ids[("格尔木市", 2024)]
    page = admin.get(f"/compare?a={now}&b={other}").text
    n = int(re.search(r'id="n-differ">(\d+)</b>', page).group(1))
    assert n > 0 and page.count('<tr class="differs" data-field=') == n
    only = admin.get(f"/compare?a={now}&b={other}&only=diff").text
    assert only.count("data-field=") == n and "显示全部单元格" in only
    for bad in ("/compare", f"/compare?a={now}", f"/compare?a=x&b={now}"):
        assert admin.get(bad).status_code == 400, bad


def test_compare_by_url_outside_the_scope_is_not_found(corpus):
    ids = _ids(corpus)
    golmud, haidong = ids[("格尔木市公安局", 2024)], ids[("海东市公安局", 2021)]
    haidong2 = ids[("海东市平安区公安局", 2023)]
    rev = _client(corpus, "rev_haidong")
    assert rev.get(f"/compare?a={haidong}&b={haidong2}").status_code == 200
    for a, b in ((haidong, golmud), (golmud, haidong), (golmud, golmud), (haidong, 999999)):
        r = rev.get(f"/compare?a={a}&b={b}")
        assert r.status_code == 404 and "格尔木市公安局" not in r.text, (a, b)
    staff = _client(corpus, "staff_golmud")
    assert staff.get(f"/compare?a={golmud}&b={haidong}").status_code == 404
    assert _client(corpus, "guest").get(f"/compare?a={golmud}&b={haidong}").status_code == 200


def test_agency_and_region_names_are_escaped(corpus):
    c = _client(corpus, "admin")
    xss_report = report_ids(corpus)[XSS]
    other = _ids(corpus)[("格尔木市公安局", 2024)]
    pages = [c.get(f"/compare?a={xss_report}&b={other}").text,
             c.get("/explore", params={"group": "city"}).text,
             c.get("/explore", params={"region": XSS}).text]
    for page in pages:
        assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert XSS in _chart(pages[1])["groups"]                                     # the JSON carries it escaped
    assert "\\u003cscript\\u003e" in pages[1]


def test_echarts_is_served_from_the_package_and_pages_keep_the_csp(corpus):
    from gongkai.web import app as web_app
    from pathlib import Path
    vendor = Path(web_app.__file__).parent / "static" / "vendor"
    c = _client(corpus, "admin")
    r = c.get("/static/vendor/echarts/echarts.min.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert r.content == (vendor / "echarts" / "echarts.min.js").read_bytes() and len(r.content) > 500_000
    readme = (vendor / "README.md").read_text("utf-8")
    assert hashlib.sha256(r.content).hexdigest() in readme and "echarts@5.6.0" in readme
    assert "Apache" in (vendor / "echarts" / "NOTICE").read_text("utf-8")
    js = c.get("/static/explore.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert 'renderMode: "richText"' in js.text
    ids = _ids(corpus)
    for path in ("/explore", f"/compare?a={ids[('格尔木市公安局', 2024)]}&b={ids[('格尔木市公安局', 2023)]}"):
        r = c.get(path)
        assert r.headers["content-security-policy"] == CSP
        for tag in re.findall(r"<script[^>]*>", r.text):
            assert 'src="/static/' in tag, tag
        assert not re.search(r"<script[^>]*>\s*[^<\s]", r.text)
        assert " style=" not in r.text and "<style" not in r.text
        assert "http://" not in r.text and "https://" not in r.text
