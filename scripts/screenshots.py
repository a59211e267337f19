"""The web app's main pages as screenshots, in one run: python scripts/screenshots.py [OUT_DIR]
(default docs/screenshots).  A throw-away corpus in a temporary folder — the bundled samples
but 000, the synthetic reports of tests/browserkit.py (two years of 淮安市, 咸宁市, 榆林市 …)
and a few more agencies for 机关名录 — served on loopback (tests/browserkit.py: the same live
server and Debian chromium as the browser journeys).  A reviewer of 格尔木市 and 海东市 uploads
the journeys' mixed folder (sample 000 printed with a wrong 表三 total among them) and
corrects that total.  Writes login, board, report, report-t3, report-source (a PDF cell: the
page image and its box), upload, job, explore, compare, admin-users, admin-agencies and
report-review (.png); exits non-zero when a page logs a console error or violates the CSP."""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

import browserkit as K  # noqa: E402

MORE_AGENCIES = ("海东市平安区平安街道办事处", "海东市平安区小峡镇人民政府", "海东工业园区管理委员会", "江苏省淮安市公安局",
                 "淮安市政府办", "淮安市人民政府办公室", "江苏省沭阳县人民政府", "沭阳县人民政府")


def build(folder: Path):
    from gongkai.bundled import sample_files
    from gongkai.corpus import Corpus
    from gongkai.corpus.agencies import agency_id
    from gongkai.corpus.importer import import_paths
    corpus = Corpus(str(folder / "corpus.db"))
    K.seed(corpus, folder / "seed")
    import_paths(corpus, [f for f in sample_files() if not Path(f).name.startswith(("000_", "001_", "004_"))],
                 workers=1)
    with corpus.engine.begin() as c:
        for name in MORE_AGENCIES:
            agency_id(c, name)
    return corpus


def shoot(pg, out: Path, name: str, full: bool = True) -> None:
    pg.wait_for_load_state("networkidle")
    pg.screenshot(path=str(out / f"{name}.png"), full_page=full)
    print(name, pg.url)


def reviewer_pages(w, out: Path, folder: Path) -> int:
    """upload, job, report-review; returns the id of the report with the wrong total."""
    pg = w.page
    w.login("审核员")
    w.goto("/upload")
    pg.set_input_files("#files", [str(f) for f in K.upload_folder(folder / "upload")])
    shoot(pg, out, "upload")
    with pg.expect_navigation():
        pg.click("#upload-form button[type=submit]")
    pg.wait_for_selector("#job-rows:not([hx-get])", timeout=120_000)
    shoot(pg, out, "job")
    rid = int(pg.locator("tr", has_text="格尔木市公安局2024年").locator("a[href^='/reports/']").get_attribute("href")
              .rsplit("/", 1)[1])
    w.goto(f"/reports/{rid}")
    pg.set_viewport_size({"width": 1600, "height": 1500})
    pg.click('td[data-field="t3.new.total"] a')
    pg.wait_for_selector(".cell-form")
    pg.fill(".cell-form input[name=value]", "1")
    pg.fill(".cell-form input[name=reason]", "原文第 267 行六类之和为 1，总计印作 2，按分项更正")
    with pg.expect_navigation():
        pg.click(".cell-form button[value=correct]")
    pg.click('td[data-field="t3.new.total"] a')
    pg.wait_for_selector(".cell-form")
    pg.wait_for_load_state("networkidle")
    pg.evaluate("window.scrollTo(0, document.querySelector('#review').getBoundingClientRect().top + window.scrollY - 8)")
    shoot(pg, out, "report-review", full=False)
    return rid


def admin_pages(w, out: Path, corpus, rid: int) -> None:
    from gongkai.corpus.accounts import EVERYTHING
    from gongkai.corpus.comparison import previous_year
    pg = w.page
    w.login("admin")
    w.goto("/?year=2024")
    shoot(pg, out, "board")
    w.goto(f"/reports/{rid}")
    shoot(pg, out, "report", full=False)
    pg.locator("#t3").scroll_into_view_if_needed()
    pg.locator("#t3").screenshot(path=str(out / "report-t3.png"))
    print("report-t3", pg.url)
    pdf = pdf_report(corpus)
    w.goto(f"/reports/{pdf}")
    pg.locator("#t3").scroll_into_view_if_needed()
    pg.click('td[data-field="t3.new.total"] a')
    pg.wait_for_selector("#source svg.page rect.box.hot")
    time.sleep(0.3)
    shoot(pg, out, "report-source", full=False)
    w.goto("/explore?group=city")
    pg.wait_for_selector("#explore-chart[data-rendered='1'] canvas")
    time.sleep(1.0)                                 # the bars' entrance animation
    shoot(pg, out, "explore")
    now = pg_report(corpus, "淮安市公安局", 2024)
    assert previous_year(corpus, EVERYTHING, now)
    w.goto(f"/reports/{now}")
    with pg.expect_navigation():
        pg.click("#vs-last-year")
    shoot(pg, out, "compare", full=False)
    w.goto("/admin/users")
    shoot(pg, out, "admin-users")
    w.goto("/admin/agencies")
    shoot(pg, out, "admin-agencies")
    w.logout()
    shoot(pg, out, "login")


def pdf_report(corpus) -> int:
    import sqlalchemy as sa
    from gongkai.corpus import schema as S
    with corpus.engine.connect() as c:
        return c.execute(sa.select(sa.func.max(S.reports.c.id))
                         .select_from(S.reports.join(S.documents, S.documents.c.id == S.reports.c.document_id))
                         .where(S.documents.c.format == "pdf")).scalar_one()


def pg_report(corpus, agency: str, year: int | None = None) -> int:
    import sqlalchemy as sa
    from gongkai.corpus import schema as S
    q = (sa.select(sa.func.max(S.reports.c.id))
         .select_from(S.reports.join(S.agencies, S.agencies.c.id == S.reports.c.agency_id))
         .where(S.agencies.c.name == agency))
    if year:
        q = q.where(S.reports.c.year == year)
    with corpus.engine.connect() as c:
        found = c.execute(q).scalar_one()
    assert found, f"no report of {agency}"
    return found


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="gongkai-shots-"))
    with K.cheap_argon2():
        corpus = build(folder)
        with K.live_server(folder, corpus) as live, K.chromium() as browser:
            reviewer = K.Watched.open(browser, live.base, viewport=(1400, 900))
            rid = reviewer_pages(reviewer, out, folder)
            admin = K.Watched.open(browser, live.base, viewport=(1400, 1000))
            admin_pages(admin, out, corpus, rid)
            errors = reviewer.errors + admin.errors
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"))
