"""Screenshot of 报告详情 with a PDF cell's source shown: python scripts/screenshot_report.py DB OUT.png REPORT_ID FIELD
(Debian chromium through Playwright; docs/screenshots/report-source.png was made with the demo database)."""
import socket, sys, threading, time
import uvicorn
from playwright.sync_api import sync_playwright
from gongkai.corpus import Corpus
from gongkai.corpus.accounts import add_user
from gongkai.web import create_app

db, out = sys.argv[1], sys.argv[2]
c = Corpus(db)
try:
    add_user(c, "shot", "admin", "shot-password-1")
except Exception:
    pass
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
server = uvicorn.Server(uvicorn.Config(create_app(corpus=c, secret="s" * 32), host="127.0.0.1", port=port, log_level="warning"))
threading.Thread(target=server.run, daemon=True).start()
while not server.started:
    time.sleep(0.05)
base = f"http://127.0.0.1:{port}"
with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    pg = b.new_page(viewport={"width": 1600, "height": 1000}, device_scale_factor=1)
    pg.goto(base + "/login"); pg.fill("input[name=name]", "shot"); pg.fill("input[name=password]", "shot-password-1")
    pg.click("button[type=submit]"); pg.wait_for_load_state()
    rid = sys.argv[3]
    pg.goto(f"{base}/reports/{rid}"); pg.wait_for_load_state("networkidle")
    pg.locator("#t3").scroll_into_view_if_needed()
    pg.click(f'td[data-field="{sys.argv[4]}"] a')
    pg.wait_for_selector("#source svg.page"); pg.wait_for_load_state("networkidle"); time.sleep(0.5)
    print(pg.url)
    pg.screenshot(path=out)
    b.close()
server.should_exit = True
