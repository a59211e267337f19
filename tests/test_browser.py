"""Journeys in a real browser (issue 12, item 10): Playwright driving Debian's headless
chromium against a live server on loopback (tests/browserkit.py).

- a reviewer logs in, uploads a folder of mixed reports (two samples, one with a wrong 表三
  total, a broken PDF, a ZIP of two more), watches the job page update itself, opens the
  report with errors, clicks a finding and sees its source highlighted, corrects the cell,
  submits and approves it, and exports the findings XLSX (opened with openpyxl);
- a researcher (访客) filters 语料浏览, sees the chart drawn and the table change, compares a
  report with its previous year, and downloads the table as CSV;
- an admin adds a reviewer scoped to one region, who then sees only that region.

No page may log a console error, throw, or violate the CSP.  Without /usr/bin/chromium the
tests fail (scripts/system-deps.sh installs it): they never skip."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest

import browserkit as K


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    with K.cheap_argon2():
        from gongkai.corpus import Corpus
        corpus = Corpus(str(folder / "corpus.db"))
        K.seed(corpus, folder / "seed")
        with K.live_server(folder, corpus) as server:
            yield server


@pytest.fixture(scope="module")
def browser():
    try:
        K.chromium_path()
    except RuntimeError as e:                     # a failure, never a skip
        pytest.fail(str(e), pytrace=False)
    with K.chromium() as b:
        yield b


@pytest.fixture
def watched(live, browser):
    opened = []

    def open_(**kw):
        w = K.Watched.open(browser, live.base, **kw)
        opened.append(w)
        return w
    yield open_
    for w in opened:
        w.close()


def clean(w: K.Watched) -> None:
    assert w.errors == [], "console errors, page errors or CSP violations:\n" + "\n".join(w.errors)


# ------------------------------------------------------------------------------ reviewer

def job_rows(pg) -> dict[str, dict]:
    out = {}
    for tr in pg.locator("#job-rows table.jobs tbody tr").all():
        td = tr.locator("td")
        out[td.nth(0).inner_text().strip()] = {"status": td.nth(2).inner_text().strip(),
                                              "agency": td.nth(3).inner_text().strip(),
                                              "year": td.nth(4).inner_text().strip(),
                                              "reason": td.nth(5).inner_text().strip()}
    return out


def board_rows(pg) -> dict[str, dict]:
    out = {}
    for tr in pg.locator("#board table.board tbody tr").all():
        td = tr.locator("td")
        if td.count() < 8:
            continue
        link = td.nth(7).locator("a")
        out[td.nth(0).inner_text().strip()] = {
            "region": td.nth(1).inner_text().strip(), "status": td.nth(3).inner_text().strip(),
            "errors": td.nth(4).inner_text().strip(),
            "href": link.get_attribute("href") if link.count() else None}
    return out


def test_reviewer_journey(live, watched, tmp_path):
    from openpyxl import load_workbook
    from gongkai.corpus.accounts import list_users, scope_of
    from gongkai.corpus.review.findings_xlsx import HEADER, findings_rows
    w = watched(viewport=(1500, 1000))
    pg = w.page
    w.login("审核员")

    # upload a folder through the file input
    w.goto("/upload")
    files = K.upload_folder(tmp_path / "folder")
    pg.set_input_files("#files", [str(f) for f in files])
    assert pg.inner_text("#dz-list").startswith("已选择 5 个文件")
    with live.uploads.held():                         # the worker waits until the page has been seen waiting
        with pg.expect_navigation():
            pg.click("#upload-form button[type=submit]")
        assert re.search(r"/jobs/\d+$", pg.url), pg.url
        assert pg.locator("#job-rows[hx-get]").count() == 1
        assert "本页自动刷新" in pg.inner_text("#job-rows")
        assert pg.locator("#job-rows .badge", has_text="排队中").count() == 5
        assert pg.locator("#job-rows tr", has_text="洛阳市公安局偃师分局2024.txt").locator(".badge").inner_text() \
            == "已拒绝"                                  # content stored already: decided at once, not parsed
        pg.evaluate("window.__same_page = true")      # gone if the page were loaded again
    pg.wait_for_selector("#job-rows:not([hx-get])", timeout=60_000)     # htmx swapped in the final rows
    assert pg.evaluate("window.__same_page === true"), "the job page was reloaded instead of updating itself"
    assert "本页自动刷新" not in pg.inner_text("#job-rows")
    rows = job_rows(pg)
    assert len(rows) == 6, rows
    by_name = dict(rows)
    assert by_name["001_b58105edacdfa4c5.txt"]["status"] == "已导入"
    assert by_name["004_d39532dc038eb6d6.txt"]["status"] == "已导入"
    assert by_name["格尔木市公安局2024年政府信息公开工作年度报告.txt"]["status"] == "已导入"
    assert by_name["格尔木市公安局2024年政府信息公开工作年度报告.txt"]["agency"] == "格尔木市公安局"
    assert by_name["海东与洛阳.zip › 海东市公安局2021.txt"]["status"] == "已导入"
    assert by_name["海东与洛阳.zip › 海东市公安局2021.txt"]["year"] == "2021"
    refused = by_name["海东与洛阳.zip › 洛阳市公安局偃师分局2024.txt"]
    assert refused["status"] == "已拒绝" and "权限" in refused["reason"], refused    # stored, but not theirs
    assert "查看" not in refused["reason"] and "已收录" not in refused["reason"], refused
    broken = by_name["损坏的年报.pdf"]
    assert broken["status"] == "失败", broken
    assert broken["reason"] and "\n" not in broken["reason"] and "Traceback" not in broken["reason"], broken
    assert len(broken["reason"]) < 200, broken

    # the board: the report with the wrong total 有错误
    w.goto("/")
    assert "2024 年度" in pg.inner_text("#board-title")
    board = board_rows(pg)
    assert board["格尔木市公安局"]["status"] == "有错误" and int(board["格尔木市公安局"]["errors"]) >= 1, board
    assert "洛阳市公安局偃师分局" not in board
    with pg.expect_navigation():
        pg.click(f'#board a[href="{board["格尔木市公安局"]["href"]}"]')
    assert "有错误" in pg.inner_text(".page-head h1")

    # click the finding about the total: the source pane shows the printed line, highlighted
    finding = pg.locator("#findings li", has=pg.locator(".rule", has_text="t3.")).first
    assert finding.count() == 1, pg.inner_text("#findings")
    finding_text = finding.locator(".msg").inner_text()
    finding.locator("a.pick").click()
    pg.wait_for_selector("#source .src-finding")
    assert finding_text in pg.inner_text("#source .src-finding")
    hot = pg.locator("#source table.lines tr.hot")
    assert hot.count() >= 1
    assert "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 2" in " ".join(hot.all_inner_texts())
    assert "sel" in (finding.get_attribute("class") or "")

    # the cell itself: its raw text is in the highlighted line
    pg.click('td[data-field="t3.new.total"] a')
    pg.wait_for_selector("#source .cell-form")
    assert "第 267 行" in pg.inner_text("#source .src-where")
    shown_raw = pg.locator("#source .src-value .raw")       # shown when the print differs from the number
    raw = shown_raw.inner_text() if shown_raw.count() else pg.inner_text("#source .src-value b.num")
    assert raw == "2"
    hot_text = " ".join(pg.locator("#source table.lines tr.hot").all_inner_texts())
    assert raw in hot_text and "本年新收" in hot_text

    # correct it with a reason
    pg.fill(".cell-form input[name=value]", "1")
    pg.fill(".cell-form input[name=reason]", "六类之和为 1，总计印作 2，按分项更正")
    with pg.expect_navigation():
        pg.click(".cell-form button[value=correct]")
    pg.wait_for_load_state()
    assert "已更正" in pg.inner_text("p.notice")
    assert finding_text not in pg.inner_text("#findings")
    head = pg.inner_text(".page-head h1")
    assert "有错误" not in head and "已收录" in head, head
    assert pg.locator('td[data-field="t3.new.total"]').inner_text().strip() == "1"
    assert "corrected" in pg.get_attribute('td[data-field="t3.new.total"]', "class")
    assert "六类之和为 1" in pg.inner_text("#versions")

    # 提交审核, then 通过
    with pg.expect_navigation():
        pg.click("#review button[value=submit]")
    assert "待审核" in pg.inner_text("#review h2")
    with pg.expect_navigation():
        pg.click("#review button[value=approve]")
    assert "已通过" in pg.inner_text("#review h2")
    assert pg.locator("#review button[value=approve]").count() == 0
    w.goto("/")
    board = board_rows(pg)
    assert board["格尔木市公安局"]["status"] == "已通过", board

    # the findings XLSX from the board's link
    with pg.expect_download() as dl:
        pg.click('#board a[href^="/findings.xlsx"]')
    path = tmp_path / "findings.xlsx"
    dl.value.save_as(path)
    ws = load_workbook(path).active
    got = [list(r) for r in ws.iter_rows(values_only=True)]
    assert got[0] == HEADER
    reviewer = next(u for u in list_users(live.corpus) if u.name == "审核员")
    expected = findings_rows(live.corpus, scope_of(reviewer), 2024)
    assert [[("" if v is None else v) for v in r] for r in got[1:]] == \
        [[("" if v is None else v) for v in r] for r in expected]
    board_ids = {int(r["href"].rsplit("/", 1)[1]) for r in board.values() if r["href"]}
    assert {r[9] for r in got[1:]} <= board_ids
    assert all(r[1].startswith(("青海省", "格尔木市", "海东市")) for r in got[1:]), [r[1] for r in got[1:]]
    assert not any(r[0] == "格尔木市公安局" and r[2].startswith("t3.") and "总计" in r[4] for r in got[1:])
    clean(w)


# ------------------------------------------------------------------------------ researcher

def table_of(pg, selector: str) -> list[list[str]]:
    return [[td.strip() for td in tr.locator("td").all_inner_texts()]
            for tr in pg.locator(f"{selector} tbody tr").all()]


def chart_drawn(pg) -> dict:
    pg.wait_for_selector("#explore-chart[data-rendered='1'] canvas")
    box = pg.locator("#explore-chart canvas").first.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100, box
    return box


def test_researcher_journey(live, watched, tmp_path):
    w = watched(viewport=(1400, 1000))
    pg = w.page
    w.login("研究者")
    assert pg.locator(".who .role-guest").count() == 1

    # 语料浏览: the chart is drawn; a filter through the form changes the table
    w.goto("/explore")
    chart_drawn(pg)
    before = table_of(pg, "#explore-table")
    all_reports = int(pg.inner_text("#n-reports"))
    assert all_reports >= sum(len(y) for y in K.SEEDED.values())
    assert {r[0] for r in before} >= {"2023", "2024"}, before
    pg.select_option(".explore-form select[name=region]", "淮安市")
    pg.check(".explore-form input[name=year][value='2024']")
    with pg.expect_navigation():
        pg.click(".explore-form button[type=submit]")
    assert "region=" in pg.url and "year=2024" in pg.url, pg.url
    chart_drawn(pg)
    huaian_2024 = sum(1 for a, ys in K.SEEDED.items() if a.startswith("淮安市") and 2024 in ys)
    assert int(pg.inner_text("#n-reports")) == huaian_2024
    after = table_of(pg, "#explore-table")
    assert after != before
    assert [r[0] for r in after] == ["2024"] and after[0][1] == str(huaian_2024), after
    drawn = json.loads(pg.get_attribute("#explore-chart", "data-chart"))
    assert [str(g) for g in drawn["groups"]] == [r[0] for r in after], drawn
    assert pg.locator(".explore-form select[name=region]").input_value() == "淮安市"
    assert pg.locator(".explore-form input[name=year][value='2024']").is_checked()

    # its CSV: the same rows as the table on the screen
    with pg.expect_download() as dl:
        pg.click(".downloads a[href^='/explore/download.csv']")
    path = tmp_path / "explore.csv"
    dl.value.save_as(path)
    got = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    header = [th.strip() for th in pg.locator("#explore-table thead th").all_inner_texts()]
    assert got[0] == header
    assert got[1:] == [[("" if v == "—" else v) for v in r] for r in after]      # '—' on the screen: none

    # 报告对照: a report of 淮安市公安局 and its previous year, differences highlighted
    w.goto("/?year=2024&region=淮安市")
    board = board_rows(pg)
    assert set(board) >= {"淮安市公安局", "淮安市财政局"}, board
    with pg.expect_navigation():
        pg.click(f'#board a[href="{board["淮安市公安局"]["href"]}"]')
    assert pg.locator(".cell-form, .state-form, .finding-form").count() == 0     # a guest only reads
    with pg.expect_navigation():
        pg.click("a#vs-last-year")
    assert "/compare?" in pg.url
    heads = pg.inner_text("#compare-indicators thead")
    assert "淮安市公安局" in heads and "2023 年度" in heads and "2024 年度" in heads, heads
    n_differ = int(pg.inner_text("#n-differ"))
    differs = pg.locator("table.compare tr.differs[data-field]")
    assert n_differ > 0 and differs.count() == n_differ
    same = pg.locator("table.compare tr[data-field]:not(.differs)")
    assert same.count() > 0
    colour = "el => getComputedStyle(el).backgroundColor"
    hot = differs.first.locator("td").nth(1).evaluate(colour)
    plain = same.first.locator("td").nth(1).evaluate(colour)
    assert hot != plain and hot not in ("rgba(0, 0, 0, 0)", "transparent"), (hot, plain)
    a, b = differs.first.locator("td").nth(1).inner_text(), differs.first.locator("td").nth(2).inner_text()
    assert a != b
    sa, sb = same.first.locator("td").nth(1).inner_text(), same.first.locator("td").nth(2).inner_text()
    assert sa == sb
    clean(w)


# ------------------------------------------------------------------------------ admin

def report_of(corpus, agency: str, year: int) -> int:
    import sqlalchemy as sa
    from gongkai.corpus import schema as S
    with corpus.engine.connect() as c:
        return c.execute(sa.select(sa.func.max(S.reports.c.id))
                         .select_from(S.reports.join(S.agencies, S.agencies.c.id == S.reports.c.agency_id))
                         .where(S.agencies.c.name == agency, S.reports.c.year == year)).scalar_one()


def test_admin_journey(live, watched):
    w = watched()
    pg = w.page
    w.login("admin")
    w.goto("/admin/users")
    form = pg.locator("form[action='/admin/users']")
    form.locator("input[name=name]").fill("淮安审核员")
    form.locator("select[name=role]").select_option("reviewer")
    form.locator("input[name=password]").fill("huaian-password-1")
    form.locator("input[name=regions]").fill("淮安市")
    with pg.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "已添加用户「淮安审核员」" in pg.inner_text("p.notice")
    row = pg.locator("table.grid tbody tr", has=pg.locator("td", has_text="淮安审核员")).first
    cells = [t.strip() for t in row.locator("td").all_inner_texts()]
    assert cells[1] == "审核人" and cells[2] == "淮安市" and cells[3] == "启用", cells
    w.logout()

    # the new reviewer sees 淮安市 only
    w.login("淮安审核员", "huaian-password-1")
    w.goto("/?year=2024")
    board = board_rows(pg)
    huaian = {a for a in K.SEEDED if a.startswith("淮安市")}
    assert {a for a, r in board.items() if r["href"]} == huaian, board
    assert all(r["region"] == "淮安市" for r in board.values()), board
    options = pg.locator("form.filters select[name=region] option").all_inner_texts()
    assert options == ["全部", "淮安市"], options
    w.goto("/explore")
    assert int(pg.inner_text("#n-reports")) == sum(len(ys) for a, ys in K.SEEDED.items() if a in huaian)
    own = report_of(live.corpus, "淮安市公安局", 2024)
    w.goto(f"/reports/{own}")
    assert "淮安市公安局" in pg.inner_text(".page-head h1")
    other = report_of(live.corpus, "咸宁市公安局", 2024)
    w.goto(f"/reports/{other}", status=404)
    assert "咸宁" not in pg.inner_text("main") and "不在您的权限范围内" in pg.inner_text("main")
    w.goto(f"/compare?a={other}&b={own}", status=404)
    w.goto("/admin/users", status=403)
    clean(w)
