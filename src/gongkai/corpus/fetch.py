"""Fetch a report from a URL for an upload job, within limits: http and https only; no
loopback, private, link-local, multicast or reserved address (checked on the connected
socket, so a name that resolves differently the second time gains nothing — also after
each redirect), unless ``allow_private``; no proxy; at most ``max_file_bytes`` and
``fetch_timeout`` seconds in all.  Standard library only (urllib)."""
from __future__ import annotations

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from .store import CorpusError

MAX_REDIRECTS = 5
USER_AGENT = "gongkai-upload/1 (+https://github.com/)"


class FetchError(CorpusError):
    """A URL that cannot or may not be fetched (the message is the item's reason)."""


def check_url(url: str) -> str | None:
    """Why ``url`` cannot be fetched at all (None: it may be tried)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "网址格式无效"
    if parts.scheme.lower() not in ("http", "https"):
        return f"只支持 http/https 网址（不支持「{parts.scheme or '无协议'}」）"
    if not parts.hostname:
        return "网址缺少主机名"
    if parts.username or parts.password:
        return "网址不能包含用户名或密码"
    return None


def address_refused(ip: str) -> bool:
    a = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped:
        a = a.ipv4_mapped
    return (a.is_private or a.is_loopback or a.is_link_local or a.is_multicast or a.is_reserved
            or a.is_unspecified or not a.is_global)


def _guarded_create(allow_private: bool):
    def create(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None, **kw):
        sock = socket.create_connection(address, timeout, source_address, **kw)
        peer = sock.getpeername()[0]
        if not allow_private and address_refused(peer):
            sock.close()
            raise FetchError(f"拒绝访问内网或本机地址（{address[0]} → {peer}）")
        return sock
    return create


def _handlers(allow_private: bool):
    create = _guarded_create(allow_private)

    class HTTPConn(http.client.HTTPConnection):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self._create_connection = create

    class HTTPSConn(http.client.HTTPSConnection):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self._create_connection = create

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(HTTPConn, req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(HTTPSConn, req, context=self._context)

    class Redirects(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS

        def redirect_request(self, req, fp, code, msg, headers, newurl):
            why = check_url(newurl)
            if why:
                raise FetchError(f"网址重定向到不允许的地址：{why}")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return [urllib.request.ProxyHandler({}), HTTPHandler(), HTTPSHandler(), Redirects()]


def fetch_url(url: str, spool, limits):
    """Download ``url`` into the spool (a ``jobs.Received``); FetchError with the reason."""
    from .spool import SpoolWriter, TooLarge, display_url
    why = check_url(url)
    if why:
        raise FetchError(why)
    opener = urllib.request.build_opener(*_handlers(limits.allow_private))
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    deadline = time.monotonic() + limits.fetch_timeout
    name = urlsplit(url).path.rsplit("/", 1)[-1] or display_url(url)
    try:
        resp = opener.open(req, timeout=limits.fetch_timeout)
    except FetchError:
        raise
    except urllib.error.HTTPError as e:
        if 300 <= e.code < 400:          # urllib refuses a redirect to another scheme, or too many
            raise FetchError(f"网址重定向到不允许的地址或次数过多（HTTP {e.code}）") from None
        raise FetchError(f"网址返回错误 HTTP {e.code}") from None
    except urllib.error.URLError as e:
        inner = e.reason
        if isinstance(inner, FetchError):
            raise inner from None
        raise FetchError(f"无法连接网址（{_why(inner)}）") from None
    except (OSError, http.client.HTTPException, ValueError) as e:
        raise FetchError(f"无法获取网址（{_why(e)}）") from None
    with resp:
        length = resp.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > limits.max_file_bytes:
            raise FetchError(f"网址内容超过大小上限（{limits.max_file_bytes // (1024 * 1024)} MB）")
        w = SpoolWriter(spool, name, limits.max_file_bytes)
        try:
            while True:
                if time.monotonic() > deadline:
                    raise FetchError(f"下载超时（超过 {limits.fetch_timeout:g} 秒）")
                chunk = resp.read(256 * 1024)
                if not chunk:
                    break
                w.write(chunk)
        except TooLarge:
            raise FetchError(f"网址内容超过大小上限（{limits.max_file_bytes // (1024 * 1024)} MB）") from None
        except FetchError:
            w.abort()
            raise
        except (OSError, http.client.HTTPException) as e:
            w.abort()
            raise FetchError(f"下载中断（{_why(e)}）") from None
        return w.close()


def _why(e) -> str:
    if isinstance(e, socket.timeout) or "timed out" in str(e):
        return "连接超时"
    if isinstance(e, socket.gaierror):
        return "域名无法解析"
    if isinstance(e, ConnectionRefusedError):
        return "连接被拒绝"
    return f"{e.__class__.__name__}: {str(e)[:120]}"
