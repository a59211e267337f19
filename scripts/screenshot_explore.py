"""Screenshots of 语料浏览 (with its chart drawn) and 报告对照:
python scripts/screenshot_explore.py DB OUT_DIR [QUERY] (Debian chromium through Playwright;
docs/screenshots/explore.png and compare.png were made with the bundled samples plus 80
reports of `gongkai synth 80 --formats txt --seed 7`).  报告对照 shows the first report
whose agency has a report the year before (the page's 「与上年对比」 link)."""
import socket, sys, threading, time
import sqlalchemy as sa
import uvicorn
from playwright.sync_api import sync_playwright
from gongkai.corpus import Corpus, schema as S
from gongkai.corpus.accounts import EVERYTHING, add_user
from gongkai.corpus.comparison import previous_year
from gongkai.web import create_app

db, out = sys.argv[1], sys.argv[2]
query = sys.argv[3] if len(sys.argv) > 3 else "group=year"
c = Corpus(db)
try:
    add_user(c, "shot", "admin", "shot-password-1")
except Exception:
    pass
with c.engine.connect() as conn:
    ids = list(conn.execute(sa.select(S.reports.c.id).order_by(S.reports.c.id)).scalars())
pair = next((previous_year(c, EVERYTHING, i), i) for i in ids if previous_year(c, EVERYTHING, i))
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
server = uvicorn.Server(uvicorn.Config(create_app(corpus=c, secret="s" * 32, worker=False), host="127.0.0.1",
                                       port=port, log_level="warning"))
threading.Thread(target=server.run, daemon=True).start()
while not server.started:
    time.sleep(0.05)
base = f"http://127.0.0.1:{port}"
errors = []
with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    pg = b.new_page(viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(base + "/login"); pg.fill("input[name=name]", "shot"); pg.fill("input[name=password]", "shot-password-1")
    pg.click("button[type=submit]"); pg.wait_for_load_state()
    pg.goto(f"{base}/explore?{query}"); pg.wait_for_selector("#explore-chart[data-rendered='1'] canvas")
    time.sleep(1.0)                       # the bars' entrance animation
    pg.screenshot(path=f"{out}/explore.png", full_page=True)
    pg.goto(f"{base}/reports/{pair[1]}"); pg.click("#vs-last-year"); pg.wait_for_load_state()
    print(pg.url)
    pg.screenshot(path=f"{out}/compare.png")
    b.close()
server.should_exit = True
print("console errors:", errors)
