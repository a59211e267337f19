"""Security of the web app, each property through Starlette's TestClient: login required,
the session cookie (signed, HttpOnly, SameSite=Lax, Secure with --https, expiry), CSRF
tokens on every state change, the login throttle, security headers, escaping, the
secret key file, and scopes that a URL or a form field cannot widen."""
import base64
import json
import os
import stat
import time

import pytest
from webkit import PASSWORD, XSS, build_corpus, cheap_argon2, csrf_of, login, report_ids  # noqa: F401

from gongkai.web import create_app

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`")
from gongkai.web import security as SEC

SECRET = "a-test-secret-of-enough-length"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from argon2 import PasswordHasher
    from gongkai.corpus import accounts as A
    mp = pytest.MonkeyPatch()
    mp.setattr(A, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    c = build_corpus(tmp_path_factory.mktemp("sec") / "c.db")
    mp.undo()
    return c


def client(corpus, **kw):
    from starlette.testclient import TestClient
    return TestClient(create_app(corpus=corpus, secret=SECRET, **kw))


def test_pages_need_a_login(corpus):
    c = client(corpus)
    for path in ("/", "/reports/1", "/admin/users", "/?year=2024"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/"), path
    assert c.post("/admin/users", data={"name": "x"}, follow_redirects=False).status_code == 401
    assert c.post("/logout", follow_redirects=False).status_code == 401
    assert c.get("/login").status_code == 200 and c.get("/static/app.css").status_code == 200


def test_login_then_logout(corpus):
    c = client(corpus)
    r = login(c, "admin", next_="/reports/1")
    assert r.status_code == 303 and r.headers["location"] == "/reports/1"
    assert c.get("/", follow_redirects=False).status_code == 200
    tok = csrf_of(c.get("/").text)
    assert c.post("/logout", data={"csrf_token": tok}, follow_redirects=False).status_code == 303
    assert c.get("/", follow_redirects=False).status_code == 303


def test_no_open_redirect_after_login(corpus):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        r = login(client(corpus), "admin", next_=target)
        assert r.status_code == 303 and r.headers["location"] == "/", target


def test_wrong_password_is_refused(corpus):
    c = client(corpus)
    r = login(c, "admin", "not-the-password")
    assert r.status_code == 401 and "用户名或密码不正确" in r.text
    assert c.get("/", follow_redirects=False).status_code == 303


def _cookie_header(response) -> str:
    return next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("gongkai_session="))


def test_session_cookie_is_signed_httponly_samesite_and_secure_with_https(corpus):
    cookie = _cookie_header(login(client(corpus), "admin")).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert f"max-age={SEC.SESSION_IDLE}" in cookie
    https = client(corpus, https=True)
    https.base_url = "https://testserver"
    r = login(https, "admin")
    assert "secure" in _cookie_header(r).lower()
    assert "max-age=31536000" in r.headers["strict-transport-security"]


def test_forged_or_tampered_session_is_ignored(corpus):
    c = client(corpus)
    login(c, "guest")
    value = c.cookies["gongkai_session"]
    payload, rest = value.split(".", 1)
    data = json.loads(base64.b64decode(payload))
    data["uid"] = 1                                             # become the admin
    forged = base64.b64encode(json.dumps(data).encode()).decode() + "." + rest
    c.cookies.set("gongkai_session", forged)
    assert c.get("/admin/users", follow_redirects=False).status_code == 303
    from itsdangerous import TimestampSigner                   # signed with another key
    c.cookies.set("gongkai_session", TimestampSigner("another-key").sign(
        base64.b64encode(json.dumps(data).encode())).decode())
    assert c.get("/", follow_redirects=False).status_code == 303


def _signed(data: dict, age: float) -> str:
    from itsdangerous import TimestampSigner

    class Old(TimestampSigner):
        def get_timestamp(self):
            return int(time.time() - age)
    return Old(SECRET).sign(base64.b64encode(json.dumps(data).encode())).decode()


def test_sessions_expire(corpus):
    c = client(corpus)
    login(c, "admin")
    data = json.loads(base64.b64decode(c.cookies["gongkai_session"].split(".")[0]))
    c.cookies.set("gongkai_session", _signed(data, 60))
    assert c.get("/", follow_redirects=False).status_code == 200           # a minute idle: still in
    c.cookies.set("gongkai_session", _signed(data, SEC.SESSION_IDLE + 60))
    assert c.get("/", follow_redirects=False).status_code == 303           # idle too long
    old_login = {**data, "login_at": int(time.time() - SEC.SESSION_MAX - 60)}
    c.cookies.set("gongkai_session", _signed(old_login, 60))
    assert c.get("/", follow_redirects=False).status_code == 303           # logged in too long ago


def test_password_change_ends_other_sessions(corpus):
    from gongkai.corpus.accounts import add_user, set_password
    add_user(corpus, "changer", "guest", PASSWORD)
    c = client(corpus)
    login(c, "changer")
    assert c.get("/", follow_redirects=False).status_code == 200
    set_password(corpus, "changer", "a-new-password-9")
    assert c.get("/", follow_redirects=False).status_code == 303


def test_csrf_token_required_on_every_state_change(corpus):
    c = client(corpus)
    page = c.get("/login")
    anon_token = csrf_of(page.text)
    form = {"name": "admin", "password": PASSWORD, "next": "/"}
    assert c.post("/login", data=form, follow_redirects=False).status_code == 403          # missing
    assert c.post("/login", data={**form, "csrf_token": "x" + anon_token},
                  follow_redirects=False).status_code == 403                                # wrong
    assert c.post("/login", data={**form, "csrf_token": anon_token}, follow_redirects=False).status_code == 303
    token = csrf_of(c.get("/admin/users").text)
    assert token != anon_token                                     # a new token for the new session
    new = {"name": "csrf_victim", "role": "guest", "password": PASSWORD}
    for bad in ({}, {"csrf_token": ""}, {"csrf_token": anon_token}, {"csrf_token": token[:-1]}):
        r = c.post("/admin/users", data={**new, **bad}, follow_redirects=False)
        assert r.status_code == 403 and "安全令牌" in r.text, bad
    r = c.post("/admin/users", json={**new}, follow_redirects=False)             # not a form, no header
    assert r.status_code == 403
    r = c.post("/admin/users", data=new, headers={"X-CSRF-Token": "wrong"}, follow_redirects=False)
    assert r.status_code == 403
    assert "csrf_victim" not in c.get("/admin/users").text
    other = client(corpus)                                          # another session's token is no good
    login(other, "admin")
    r = other.post("/admin/users", data={**new, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 403
    for method in ("put", "delete", "patch"):
        assert getattr(c, method)("/admin/users", follow_redirects=False).status_code == 403
    r = c.post("/admin/users", data=new, headers={"X-CSRF-Token": token}, follow_redirects=False)  # htmx
    assert r.status_code == 303
    assert "csrf_victim" in c.get("/admin/users").text


def test_login_is_rate_limited_per_name_and_address(corpus):
    c = client(corpus)
    for _ in range(5):
        assert login(c, "rev_haidong", "wrong-password-0").status_code == 401
    r = login(c, "rev_haidong")                                   # even the right password now
    assert r.status_code == 429 and "登录失败次数过多" in r.text and "15 分钟" in r.text
    assert login(c, "guest").status_code == 303                   # another name from this address
    later = SEC.LoginThrottle()
    for _ in range(5):
        later.failed("rev_haidong", "1.2.3.4", now=0)
    assert later.blocked("rev_haidong", "1.2.3.4", now=60)
    assert not later.blocked("rev_haidong", "1.2.3.4", now=15 * 60 + 1)     # the window has passed
    assert not later.blocked("rev_haidong", "5.6.7.8", now=60)               # another address
    spray = SEC.LoginThrottle(per_address=30)
    for i in range(30):
        spray.failed(f"user{i}", "9.9.9.9", now=0)
    assert spray.blocked("someone-else", "9.9.9.9", now=1)                  # many names, one address


HEADERS = {"content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options"}


def test_security_headers_on_every_response(corpus):
    c = client(corpus)
    responses = [c.get("/login"), c.get("/", follow_redirects=False), c.get("/static/app.css"),
                 c.get("/static/vendor/htmx.min.js"), c.get("/nope", follow_redirects=False), c.post("/login", follow_redirects=False)]
    login(c, "staff_golmud")
    responses += [c.get("/"), c.get("/admin/users"), c.get("/reports/999999"), c.get("/?year=abc")]
    assert [r.status_code for r in responses] == [200, 303, 200, 200, 303, 403, 200, 403, 404, 400]
    for r in responses:
        assert HEADERS <= set(r.headers), r.url
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
        assert "server" not in r.headers


def test_pages_have_no_inline_script_or_style(corpus):
    import re
    c = client(corpus)
    pages = [c.get("/login").text]
    login(c, "admin")
    ids = report_ids(corpus)
    pages += [c.get("/").text, c.get("/admin/users").text, c.get(f"/reports/{ids['海东市公安局']}").text]
    for html in pages:
        for tag in re.findall(r"<script[^>]*>", html):
            assert 'src="/static/' in tag, tag                    # scripts from this server only
        assert not re.search(r"<script[^>]*>\s*[^<\s]", html)     # … and never inline
        assert " style=" not in html and "<style" not in html
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html)      # no event handler attributes
        assert "hx-on" not in html and "javascript:" not in html
        assert "http://" not in html and "https://" not in html   # no CDN


def test_user_strings_are_escaped(corpus):
    from gongkai.corpus.accounts import add_user
    add_user(corpus, XSS, "guest", PASSWORD)
    c = client(corpus)
    login(c, "admin")
    for html in (c.get("/?year=2024").text, c.get("/admin/users").text):
        assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    r = c.get("/", params={"region": XSS})                         # echoed back in the error message
    assert XSS not in r.text
    page = c.get("/admin/users")
    r = c.post("/admin/users", data={"name": XSS + "2", "role": "reviewer", "password": PASSWORD,
                                     "regions": XSS, "csrf_token": csrf_of(page.text)})
    assert r.status_code == 400 and XSS not in r.text and "&lt;script&gt;" in r.text
    x = client(corpus)
    assert login(x, XSS).status_code == 303 and XSS not in x.get("/").text


def test_secret_key_file_beside_the_database(tmp_path, monkeypatch):
    monkeypatch.delenv(SEC.SECRET_ENV, raising=False)
    db = tmp_path / "g.db"
    create_app(str(db))
    path = tmp_path / "g.db-web-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.read_text().strip()
    assert len(key) >= 48
    assert SEC.load_secret(f"sqlite:///{db}") == key               # the same key after a restart
    os.chmod(path, 0o644)
    SEC.load_secret(f"sqlite:///{db}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    monkeypatch.setenv(SEC.SECRET_ENV, "from-the-environment-1234")
    assert SEC.load_secret(f"sqlite:///{db}") == "from-the-environment-1234"
    assert SEC.load_secret(f"sqlite:///{db}", "from-the-command-line-1") == "from-the-command-line-1"
    with pytest.raises(SEC.WebSetupError, match="太短"):
        SEC.load_secret(f"sqlite:///{db}", "short")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert SEC.secret_path("postgresql+psycopg://u@h/db") == tmp_path / "cfg" / "gongkai" / "web-secret"


def test_sessions_do_not_survive_another_key(corpus):
    from starlette.testclient import TestClient
    a = client(corpus)
    login(a, "admin")
    b = TestClient(create_app(corpus=corpus, secret="a-different-secret-of-length"))
    b.cookies.set("gongkai_session", a.cookies["gongkai_session"])
    assert b.get("/", follow_redirects=False).status_code == 303


def test_scope_cannot_be_widened_by_url(corpus):
    ids = report_ids(corpus)
    c = client(corpus)
    login(c, "rev_haidong")
    html = c.get("/?year=2024").text
    assert "格尔木市公安局" not in html and "淮安市人民政府" not in html
    html = c.get("/", params={"year": 2024, "region": "格尔木市"}).text
    assert "格尔木市公安局" not in html and "没有符合条件的机关" in html
    html = c.get("/", params={"year": 2024, "region": "江苏省南京市"}).text
    assert "南京市人民政府" not in html
    for name in ("格尔木市公安局", "淮安市人民政府", "洛阳市公安局偃师分局"):
        r = c.get(f"/reports/{ids[name]}")
        assert r.status_code == 404 and name not in r.text
    assert c.get(f"/reports/{ids['海东市公安局']}").status_code == 200
    assert c.get("/admin/users").status_code == 403
    page = c.get("/")
    r = c.post("/admin/users", data={"name": "self_made", "role": "admin", "password": PASSWORD,
                                     "csrf_token": csrf_of(page.text)})
    assert r.status_code == 403
    s = client(corpus)
    login(s, "staff_golmud")
    assert c.get(f"/reports/{ids['格尔木市公安局']}").status_code == 404
    assert s.get(f"/reports/{ids['格尔木市公安局']}").status_code == 200
    assert s.get(f"/reports/{ids['格尔木市']}").status_code == 404      # the parent government: not its own


def test_public_mode_reads_without_an_account_and_writes_nothing(corpus):
    c = client(corpus, public=True)
    r = c.get("/", follow_redirects=False)
    assert r.status_code == 200 and "公众访问" in r.text
    assert c.get("/admin/users").status_code == 403
    assert c.post("/admin/users", data={}, follow_redirects=False).status_code == 401
    assert client(corpus).get("/", follow_redirects=False).status_code == 303   # not public by default
