"""Screenshot of 报告详情 after a correction through the page (Debian chromium through Playwright):
python scripts/screenshot_review.py OUT.png — builds a corpus in a temporary folder with sample 000 printed
with a wrong 表三 total, logs in, clicks the cell, corrects it with the htmx form and shoots the page with the
source pane, the corrected cell and 版本记录 (docs/screenshots/report-review.png)."""
import socket, sys, tempfile, threading, time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from gongkai.cli import sample_files
from gongkai.corpus import Corpus
from gongkai.corpus.accounts import add_user
from gongkai.corpus.importer import import_paths
from gongkai.web import create_app

out = sys.argv[1]
tmp = Path(tempfile.mkdtemp())
src = Path(next(f for f in sample_files() if f.endswith("000_ab214c7b681a9243.txt")))
lines = src.read_text(encoding="utf-8").split("\n")
lines[266] = "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 2"
bad = tmp / "格尔木市公安局2024年政府信息公开工作年度报告.txt"
bad.write_text("\n".join(lines), encoding="utf-8")
c = Corpus(str(tmp / "c.db"))
import_paths(c, [str(bad)], workers=1)
add_user(c, "审核员", "reviewer", "shot-password-1", regions=["格尔木市"])
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
server = uvicorn.Server(uvicorn.Config(create_app(corpus=c, secret="s" * 32, worker=False), host="127.0.0.1",
                                       port=port, log_level="warning"))
threading.Thread(target=server.run, daemon=True).start()
while not server.started:
    time.sleep(0.05)
base = f"http://127.0.0.1:{port}"
with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    pg = b.new_page(viewport={"width": 1600, "height": 1500}, device_scale_factor=1)
    pg.goto(base + "/login"); pg.fill("input[name=name]", "审核员"); pg.fill("input[name=password]", "shot-password-1")
    pg.click("button[type=submit]"); pg.wait_for_load_state()
    pg.goto(f"{base}/reports/1"); pg.wait_for_load_state("networkidle")
    pg.click('td[data-field="t3.new.total"] a')
    pg.wait_for_selector(".cell-form"); pg.wait_for_load_state("networkidle")
    pg.fill(".cell-form input[name=value]", "abc")          # a refusal, shown in place (htmx fragment)
    pg.click(".cell-form button[value=correct]")
    pg.wait_for_selector(".cell-form .alert")
    print("refused:", pg.inner_text(".cell-form .alert"))
    pg.fill(".cell-form input[name=value]", "1")
    pg.fill(".cell-form input[name=reason]", "原文第 267 行六类之和为 1，总计印作 2，按分项更正")
    with pg.expect_navigation():
        pg.click(".cell-form button[value=correct]")
    pg.wait_for_load_state("networkidle")
    form = pg.locator(".finding-form").first                # 驳回 the cells.blank warning, with a comment
    form.locator("input[name=comment]").fill("整行为「3.其他」，空白即无此类情形，不予通报")
    with pg.expect_navigation():
        form.locator("button[value=dismiss]").click()
    pg.wait_for_load_state("networkidle")
    pg.click('td[data-field="t3.new.total"] a')
    pg.wait_for_selector(".cell-form"); pg.wait_for_load_state("networkidle"); time.sleep(0.3)
    print(pg.url)
    pg.evaluate("window.scrollTo(0, document.querySelector('#review').getBoundingClientRect().top + window.scrollY - 8)")
    pg.screenshot(path=out, full_page=False)
    pg.screenshot(path=out.replace(".png", "-full.png"), full_page=True)
    b.close()
server.should_exit = True
