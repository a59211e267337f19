"""Screenshot of 机关名录 (/admin/agencies): python scripts/screenshot_agencies.py OUT.png
A throw-away corpus with the bundled samples and a few more agencies (a 街道, a 镇, a 开发区,
two printed names of one agency), served on loopback; Debian chromium through Playwright."""
import socket, sys, tempfile, threading, time
import uvicorn
from playwright.sync_api import sync_playwright
from gongkai.cli import sample_files
from gongkai.corpus import Corpus
from gongkai.corpus.accounts import add_user
from gongkai.corpus.agencies import agency_id
from gongkai.corpus.importer import import_paths
from gongkai.web import create_app

out = sys.argv[1]
c = Corpus(tempfile.mkdtemp() + "/shot.db")
import_paths(c, sample_files(), workers=1)
with c.engine.begin() as conn:
    for name in ("海东市平安区平安街道办事处", "海东市平安区小峡镇人民政府", "海东工业园区管理委员会", "江苏省淮安市公安局",
                 "淮安市政府办", "淮安市人民政府办公室", "江苏省沭阳县人民政府", "沭阳县人民政府"):
        agency_id(conn, name)
add_user(c, "shot", "admin", "shot-password-1")
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
server = uvicorn.Server(uvicorn.Config(create_app(corpus=c, secret="s" * 32, worker=False), host="127.0.0.1",
                                       port=port, log_level="warning"))
threading.Thread(target=server.run, daemon=True).start()
while not server.started:
    time.sleep(0.05)
base = f"http://127.0.0.1:{port}"
with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    pg = b.new_page(viewport={"width": 1360, "height": 900}, device_scale_factor=1)
    pg.goto(base + "/login"); pg.fill("input[name=name]", "shot"); pg.fill("input[name=password]", "shot-password-1")
    pg.click("button[type=submit]"); pg.wait_for_load_state()
    pg.goto(base + "/admin/agencies"); pg.wait_for_load_state("networkidle")
    pg.screenshot(path=out, full_page=True)
    b.close()
server.should_exit = True
