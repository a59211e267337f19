"""The web app's security layer (ASGI middleware and helpers), applied to every request
before any route runs:

- ``SecurityHeaders``: CSP without inline script or style, frame-ancestors 'none',
  nosniff, same-origin referrer, no caching of pages (HSTS when served over HTTPS).
- ``Authenticate``: the signed session cookie → the current user (``request.state.user``);
  no user → GET/HEAD redirected to /login, anything else 401.  A session ends after
  ``SESSION_IDLE`` seconds without a request, ``SESSION_MAX`` seconds after login, and
  when the account is disabled or its password changed.
- ``CsrfProtect``: every POST/PUT/PATCH/DELETE carries the session's token (header
  ``X-CSRF-Token`` — htmx sends it — or form field ``csrf_token``; in a multipart
  upload, its first field, read from the stream's first bytes), else 403.
- ``LoginThrottle``: failed logins per name + address, and per address (→ 429).
- ``load_secret``: the key that signs cookies."""
from __future__ import annotations

import hmac
import os
import secrets
import stat
import threading
import time
from collections import deque
from pathlib import Path
from urllib.parse import parse_qs, quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse, RedirectResponse

from ..corpus.store import CorpusError

SESSION_COOKIE = "gongkai_session"
SESSION_IDLE = 8 * 3600          # the cookie's signature expires this long after the last request
SESSION_MAX = 12 * 3600          # … and the session this long after the login, whatever happens
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_FORM_BYTES = 256 * 1024      # a form body read to find its CSRF token (multipart: its first field)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
OPEN_PATHS = {"/login"}          # served without a user
OPEN_PREFIXES = ("/static/",)
SECRET_ENV = "GONGKAI_WEB_SECRET"

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class WebSetupError(CorpusError):
    """The web app cannot start (its secret cannot be read or written …)."""


# ------------------------------------------------------------------ the secret key

def load_secret(db_url: str, secret: str | None = None) -> str:
    """``secret`` (``--secret``), else ``$GONGKAI_WEB_SECRET``, else a key generated once and
    kept in a file readable by its owner only: beside a SQLite database
    (``<db>-web-secret``), or ``~/.config/gongkai/web-secret`` for another database."""
    secret = secret or os.environ.get(SECRET_ENV)
    if secret:
        if len(secret) < 16:
            raise WebSetupError("会话密钥太短：至少 16 个字符（建议用 python -c 'import secrets; "
                                "print(secrets.token_urlsafe(32))' 生成）")
        return secret
    return _secret_file(secret_path(db_url))


def secret_path(db_url: str) -> Path:
    from sqlalchemy.engine import make_url
    url = make_url(db_url)
    if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:":
        return Path(url.database + "-web-secret")
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "gongkai" / "web-secret"


def _secret_file(path: Path) -> str:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            st = path.stat()
            if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                os.chmod(path, 0o600)          # only the owner may read the key
            key = path.read_text("ascii").strip()
            if len(key) < 32:
                raise WebSetupError(f"会话密钥文件 {path} 内容无效：删除它后重新启动即可生成新密钥")
            return key
        key = secrets.token_urlsafe(48)
        with os.fdopen(fd, "w") as fh:
            fh.write(key + "\n")
        return key
    except OSError as e:
        raise WebSetupError(f"无法读写会话密钥文件 {path}（{e.strerror or e}）：可用 --secret 或环境变量 "
                            f"{SECRET_ENV} 指定密钥") from None


# ------------------------------------------------------------------ headers

class SecurityHeaders:
    def __init__(self, app, https: bool = False):
        self.app, self.https = app, https

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                have = {k.lower() for k, _ in headers}
                extra = {b"content-security-policy": CSP.encode(), b"x-content-type-options": b"nosniff",
                         b"referrer-policy": b"same-origin", b"x-frame-options": b"DENY",
                         b"cross-origin-opener-policy": b"same-origin",
                         b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
                         b"cache-control": b"public, max-age=3600" if static else b"no-store"}
                if self.https:
                    extra[b"strict-transport-security"] = b"max-age=31536000"
                headers += [(k, v) for k, v in extra.items() if k not in have]
                message = {**message, "headers": headers}
            await send(message)
        await self.app(scope, receive, send_with_headers)


# ------------------------------------------------------------------ sessions and users

def start_session(session: dict, user, stamp: str) -> None:
    """A new session for a user who just logged in (nothing of the anonymous one kept,
    a new CSRF token)."""
    session.clear()
    session.update(uid=user.id, stamp=stamp, login_at=int(time.time()), csrf=secrets.token_urlsafe(32))


def csrf_token(session: dict) -> str:
    """The session's CSRF token (created for a visitor's first form, e.g. the login form)."""
    tok = session.get("csrf")
    if not tok:
        tok = session["csrf"] = secrets.token_urlsafe(32)
    return tok


def _open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


class Authenticate:
    """Sets ``scope['state']['user']`` (a gongkai.corpus.accounts.User or None)."""

    def __init__(self, app, corpus, public_user=None):
        self.app, self.corpus, self.public_user = app, corpus, public_user

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        from ..corpus.accounts import session_user
        session = scope.get("session", {})
        user = None
        uid = session.get("uid")
        if uid is not None:
            fresh = time.time() - float(session.get("login_at") or 0) < SESSION_MAX
            if fresh:
                user = await run_in_threadpool(session_user, self.corpus, int(uid), str(session.get("stamp", "")))
            if user is None:
                session.clear()              # expired, disabled or password changed: logged out
        method = scope["method"]
        if user is None and self.public_user is not None and method in ("GET", "HEAD"):
            user = self.public_user
        scope.setdefault("state", {})["user"] = user
        if user is None and not _open(scope["path"]):
            if method in ("GET", "HEAD"):
                target = scope["path"] + (("?" + scope["query_string"].decode("latin-1")) if scope["query_string"]
                                          else "")
                resp = RedirectResponse("/login?next=" + quote(target, safe="/"), status_code=303)
            else:
                resp = PlainTextResponse("请先登录", status_code=401)
            return await resp(scope, receive, send)
        await self.app(scope, receive, send)


class CsrfProtect:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            return await self.app(scope, receive, send)
        expected = scope.get("session", {}).get("csrf") or ""
        conn = HTTPConnection(scope)
        given = conn.headers.get(CSRF_HEADER)
        body = None
        if given is None and conn.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            body, too_big = await _read_body(receive, MAX_FORM_BYTES)
            if too_big:
                return await PlainTextResponse("表单内容过大", status_code=413)(scope, receive, send)
            given = (parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD) or [""])[0]
        elif given is None and conn.headers.get("content-type", "").startswith("multipart/form-data"):
            # a plain (no-JS) upload form: the token is its first field, read from the first
            # bytes of the stream; the rest (the files) streams on to the route untouched
            body, given = await _first_field(receive, _boundary(conn.headers["content-type"]))
        if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
            resp = PlainTextResponse("请求无效（缺少或错误的安全令牌）：请刷新页面后重试", status_code=403)
            return await resp(scope, receive, send)
        if isinstance(body, tuple):             # multipart: the bytes read, then the rest of the stream
            receive = _replay(body, receive)
        elif body is not None:
            receive = _replay(body)
        await self.app(scope, receive, send)


MULTIPART_PEEK = 8 * 1024        # bytes of a multipart body searched for its first field (the CSRF token)


def _boundary(content_type: str) -> bytes:
    for part in content_type.split(";")[1:]:
        k, _, v = part.strip().partition("=")
        if k.lower() == "boundary":
            return v.strip().strip('"').encode("latin-1", "replace")
    return b""


async def _first_field(receive, boundary: bytes) -> tuple[tuple[bytes, bool], str | None]:
    """((the bytes read, more to come), the value of the first part if it is the
    ``csrf_token`` field)."""
    import re
    buf = b""
    more = True
    pat = re.compile(rb"^(?:\r\n)?--" + re.escape(boundary) + rb"\r\nContent-Disposition: *form-data; *name=\"?"
                     + CSRF_FIELD.encode() + rb"\"?\r\n(?:[^\r\n]*\r\n)*?\r\n([^\r\n]{1,200})\r\n--" + re.escape(boundary),
                     re.I)
    while more and len(buf) < MULTIPART_PEEK:
        msg = await receive()
        if msg["type"] == "http.disconnect":
            more = False
            break
        buf += msg.get("body", b"")
        more = msg.get("more_body", False)
        if boundary and (m := pat.match(buf)):
            return (buf, more), m.group(1).decode("ascii", "replace")
    return (buf, more), None


async def _read_body(receive, limit: int) -> tuple[bytes, bool]:
    chunks, n = [], 0
    while True:
        msg = await receive()
        if msg["type"] == "http.disconnect":
            break
        chunk = msg.get("body", b"")
        n += len(chunk)
        if n > limit:
            return b"", True
        chunks.append(chunk)
        if not msg.get("more_body"):
            break
    return b"".join(chunks), False


def _replay(body, rest=None):
    """A receive that gives ``body`` first; with ``rest`` (``body`` is then (bytes, more)),
    the remaining messages come from it."""
    more = False
    if rest is not None:
        body, more = body
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        if more:
            return await rest()
        return {"type": "http.disconnect"}
    return receive


# ------------------------------------------------------------------ login throttle

class LoginThrottle:
    """At most ``per_name`` failed logins per (name, address) and ``per_address`` per
    address within ``window`` seconds; then refused until the oldest failure ages out.
    In memory: one server process (restarting it forgets the failures)."""

    def __init__(self, per_name: int = 5, per_address: int = 30, window: float = 15 * 60):
        self.per_name, self.per_address, self.window = per_name, per_address, window
        self._fails: dict[tuple, deque] = {}
        self._lock = threading.Lock()

    def _recent(self, key, now) -> deque:
        q = self._fails.get(key)
        if q is None:
            return deque()
        while q and now - q[0] > self.window:
            q.popleft()
        if not q:
            del self._fails[key]
        return q

    def blocked(self, name: str, address: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            return (len(self._recent(("n", name.strip().lower(), address), now)) >= self.per_name
                    or len(self._recent(("a", address), now)) >= self.per_address)

    def failed(self, name: str, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._fails) > 100_000:        # a flood of distinct names: forget the oldest half
                for k in list(self._fails)[:50_000]:
                    del self._fails[k]
            for key in (("n", name.strip().lower(), address), ("a", address)):
                self._fails.setdefault(key, deque()).append(now)

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._fails.pop(("n", name.strip().lower(), address), None)
