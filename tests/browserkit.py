"""A live gongkai web server on loopback and Debian's chromium driven by Playwright, for the
browser journeys (tests/test_browser.py) and the screenshots (scripts/screenshots.py).

``live_server`` starts uvicorn in a thread over a temporary SQLite corpus (with the
background upload worker, one in-process parser, which a test may hold: ``UploadGate``) and
stops it at the end; ``seed`` puts
reports of a few agencies in two years in it (synthetic, clean text) and users of every
role.  ``Watched`` wraps a page: it logs in through the form and collects console errors,
uncaught exceptions and CSP violations, so that a journey can assert there were none."""
from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
SECRET = "a-browser-test-secret-of-enough-length"
PASSWORD = "test-password-1"
USERS = {  # name: (role, regions, agencies)
    "admin": ("admin", (), ()),
    "审核员": ("reviewer", ("格尔木市", "海东市"), ()),
    "研究者": ("guest", (), ()),
}
HUAIAN = ("公安局", "财政局", "教育局", "司法局", "审计局", "交通运输局", "人民政府办公室")
SEEDED = {  # agency: years of its synthetic reports (the researcher's and the admin's data)
    **{"淮安市" + d: (2023, 2024) for d in HUAIAN},
    **{"咸宁市" + d: (2023, 2024) for d in ("公安局", "财政局", "教育局")},
    **{"榆林市" + d: (2022, 2023, 2024) for d in ("审计局", "司法局")},
    "大理市教育局": (2024,),
}
# A CSP violation is reported to the console too; this listener makes sure it is seen even
# where Chromium reports it quietly (installed before any script of the page runs).
CSP_LISTENER = """document.addEventListener('securitypolicyviolation', function (e) {
  console.error('CSP violation: ' + e.violatedDirective + ' ' + (e.blockedURI || ''));
});"""


def chromium_path() -> str:
    """Debian's chromium, or a clear failure (never a skip): the journeys need it."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run scripts/system-deps.sh (it installs Debian's chromium, "
                           "which Playwright drives; Playwright's own browser download does not work here)")
    return CHROMIUM


@contextlib.contextmanager
def cheap_argon2():
    """Fast password hashing for the users made and logged in here (the server runs in
    this process, so the patch applies to it too)."""
    import pytest
    from argon2 import PasswordHasher
    from gongkai.corpus import accounts
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield


def wrong_total_sample(folder: Path) -> Path:
    """Sample 000 (格尔木市公安局 2024) with its 表三 本年新收 printed with a total of 2 where
    the six columns add up to 1 (line 267 of the text)."""
    lines = sample("000_").read_text(encoding="utf-8").split("\n")
    assert lines[266].startswith("一、本年新收政府信息公开申请数量"), lines[266]
    lines[266] = "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 2"
    out = Path(folder) / "格尔木市公安局2024年政府信息公开工作年度报告.txt"
    out.write_text("\n".join(lines), encoding="utf-8")
    return out


def sample(stem: str) -> Path:
    """A bundled sample by the start of its file name."""
    from gongkai.bundled import sample_files
    return Path(next(f for f in sample_files() if Path(f).name.startswith(stem)))


def upload_folder(folder: Path) -> list[Path]:
    """A reviewer's folder of mixed files: samples 001 (格尔木市 2024) and 004 (海东市平安区公安局
    2023), sample 000 with a wrong total, a PDF of random bytes, and a ZIP of sample 003 (海东市公安局
    2021) and sample 002 (洛阳市公安局偃师分局 2024, outside a 青海 reviewer's scope)."""
    import os
    import zipfile
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    broken = folder / "损坏的年报.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + os.urandom(3000))
    archive = folder / "海东与洛阳.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(sample("003_"), "海东市公安局2021.txt")
        z.write(sample("002_"), "洛阳市公安局偃师分局2024.txt")
    return [sample("001_"), sample("004_"), wrong_total_sample(folder), broken, archive]


def seed(corpus, folder: Path, seed_: int = 3) -> None:
    """SEEDED's reports (synthetic) and sample 002 (洛阳市公安局偃师分局 2024: stored, but outside the
    reviewer's scope, so their upload of it is refused, not shown as stored) imported; USERS added."""
    from gongkai import synth
    from gongkai.corpus.accounts import add_user
    from gongkai.corpus.importer import import_paths
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed_)
    paths = []
    for agency, years in SEEDED.items():
        for year in years:
            text, _ = synth.write(synth.random_values(rng, "2021", scale=60), "clean", "2021", rng,
                                  agency=agency, year=year)
            p = folder / f"{agency}{year}.txt"
            p.write_text(text, encoding="utf-8")
            paths.append(str(p))
    paths.append(str(sample("002_")))
    s = import_paths(corpus, paths, workers=1)
    assert s.imported == len(paths) and not s.problems, s.problems
    for name, (role, regions, agencies) in USERS.items():
        add_user(corpus, name, role, PASSWORD, regions, agencies)


class UploadGate:
    """Holds the app's upload worker while a test looks at a job still waiting: the job page
    must be seen queued before the (fast) import finishes, not by luck of timing."""

    def __init__(self):
        self._open = threading.Event()
        self._open.set()

    def wrap(self, run_pending):
        def gated(*args, **kw):
            self._open.wait(60)
            return run_pending(*args, **kw)
        return gated

    @contextlib.contextmanager
    def held(self):
        self._open.clear()
        try:
            yield
        finally:
            self._open.set()


@dataclass
class Live:
    base: str
    corpus: object
    folder: Path
    uploads: UploadGate


@contextlib.contextmanager
def live_server(folder: Path, corpus=None):
    """A server over ``corpus`` (default: a new SQLite one in ``folder``), uploads spooled in
    ``folder``/spool and imported by the app's worker; stopped when the block ends."""
    import pytest
    import uvicorn
    from gongkai.corpus import Corpus, jobs
    from gongkai.web import create_app
    folder = Path(folder)
    corpus = corpus or Corpus(str(folder / "corpus.db"))
    gate = UploadGate()
    patch = pytest.MonkeyPatch()
    patch.setattr(jobs, "run_pending", gate.wrap(jobs.run_pending))     # the worker imports it when it starts
    app = create_app(corpus=corpus, secret=SECRET, spool=folder / "spool", worker=True, workers=1)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="gongkai-live", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the live server did not start")
            time.sleep(0.02)
        yield Live(f"http://127.0.0.1:{port}", corpus, folder, gate)
    finally:
        server.should_exit = True
        thread.join(15)
        patch.undo()


@contextlib.contextmanager
def chromium():
    """Playwright's sync API and Debian's chromium, headless."""
    from playwright.sync_api import sync_playwright
    path = chromium_path()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watched:
    """A page in its own browser context (its own cookies) that records what went wrong."""
    page: object
    base: str
    errors: list = field(default_factory=list)
    allowed: set = field(default_factory=set)      # URLs whose error status is the point of a step

    @classmethod
    def open(cls, browser, base: str, viewport=(1360, 900), **kw) -> "Watched":
        ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, device_scale_factor=1,
                                  accept_downloads=True, **kw)
        ctx.add_init_script(CSP_LISTENER)
        w = cls(ctx.new_page(), base)
        w.page.on("console", w._console)
        w.page.on("pageerror", lambda e: w.errors.append(f"pageerror {w.page.url}: {e}"))
        return w

    def _console(self, msg) -> None:
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        if where in self.allowed and msg.text.startswith("Failed to load resource"):
            return
        self.errors.append(f"console {self.page.url}: {msg.text}")

    def url(self, path: str) -> str:
        return self.base + path

    def goto(self, path: str, status: int = 200):
        """Open ``path``; its HTTP status must be ``status`` (an expected error is not a console error)."""
        if status >= 400:
            self.allowed.add(self.url(path))
        resp = self.page.goto(self.url(path))
        assert resp is not None and resp.status == status, f"{path}: HTTP {resp.status if resp else None}"
        return resp

    def login(self, name: str, password: str = PASSWORD) -> None:
        pg = self.page
        self.goto("/login")
        pg.fill("input[name=name]", name)
        pg.fill("input[name=password]", password)
        with pg.expect_navigation():
            pg.click("form.stack button[type=submit]")
        assert not pg.url.endswith("/login"), f"login of {name} failed: {pg.inner_text('main')[:200]}"
        assert name in pg.inner_text(".who")

    def logout(self) -> None:
        pg = self.page
        with pg.expect_navigation():
            pg.click(".who button[type=submit]")
        assert pg.locator(".who").count() == 0 or "退出" not in pg.inner_text(".who")

    def close(self) -> None:
        self.page.context.close()
