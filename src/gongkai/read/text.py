"""Text decoding and cleanup for text-form reports."""
from __future__ import annotations

import re

from ..errors import InputError

_PAGE_LINE = re.compile(
    r"^[ \t]*(?:[-—–－]+[ \t]*\d{1,4}[ \t]*[-—–－]+|第[ \t]*\d{1,4}[ \t]*页(?:[ \t]*[，,/]?[ \t]*共[ \t]*\d{1,4}[ \t]*页)?"
    r"|\d{1,4}[ \t]*/[ \t]*\d{1,4}|page[ \t]*\d+)[ \t]*$", re.M | re.I)


def sniff(data: bytes) -> str:
    """Decide the file type from its first bytes."""
    head = data[:2048]
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "image"
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return "text"
    if _utf16_guess(head):
        return "text"
    low = head.lower()
    if b"<html" in low or b"<!doctype html" in low or (b"<table" in low and b"</" in low):
        return "html"
    if head.count(b"\x00") > 0:
        return "binary"
    ctrl = len(head) - len(head.translate(None, _CTRL_BYTES))
    if ctrl > len(head) * 0.02:
        return "binary"
    return "text"


_IMPLAUSIBLE = re.compile("[^\u4e00-\u9fff\x20-\x7e\n\r\t\u3000-\u303f\uff00-\uffef\u2000-\u206f]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")


_CTRL_BYTES = bytes(b for b in range(32) if b < 9 or 13 < b)


def _plausible(text: str) -> float:
    """Share of characters that occur in Chinese report text (CJK, ASCII, CJK and
    full-width punctuation, general punctuation)."""
    if not text:
        return 0.0
    return 1 - len(_IMPLAUSIBLE.findall(text)) / len(text)


def _utf16_guess(head: bytes) -> str | None:
    """utf-16-le / utf-16-be when the bytes read as plausible text in that encoding."""
    if len(head) < 4 or b"\x00" not in head:
        return None          # UTF-16 of a report has NUL bytes (its newlines, digits, ASCII)
    h = head[: len(head) // 2 * 2]
    best, score = None, 0.0
    for enc in ("utf-16-le", "utf-16-be"):
        sc = _plausible(h.decode(enc, errors="replace"))
        if sc > score:
            best, score = enc, sc
    if score < 0.95:
        return None
    # plain UTF-8/GBK text must not be taken for UTF-16: compare with those readings
    for enc in ("utf-8", "gb18030"):
        try:
            if _plausible(h.decode(enc)) >= score:
                return None
        except UnicodeDecodeError:
            pass
    return best


def decode(data: bytes, path) -> str:
    """Bytes → str: BOM, then UTF-16 without BOM, UTF-8, GB18030 (a superset of GBK/GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="strict") if _ok(data[3:], "utf-8") else None
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16") if _ok(data, "utf-16") else None
    else:
        enc = _utf16_guess(data[:2048])
        text = None
        for e in ([enc] if enc else []) + ["utf-8", "gb18030"]:
            if _ok(data, e):
                text = data.decode(e)
                break
    if text is None:
        raise InputError(path, "无法识别文本编码（已尝试 UTF-8、GB18030/GBK、UTF-16）")
    if not text.strip():
        raise InputError(path, "文件中没有文字")
    bad = len(_CONTROL.findall(text, 0, 20000))
    if bad > max(20, len(text[:20000]) * 0.01):
        raise InputError(path, "文件内容不像文本报告（含大量控制字符）")
    return clean(text)


def _ok(data: bytes, enc: str) -> bool:
    try:
        data.decode(enc)
        return True
    except (UnicodeDecodeError, LookupError):
        return False


def clean(text: str) -> str:
    """Normalise newlines and blank out page-number lines (offsets and line numbers kept)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    return _PAGE_LINE.sub(lambda m: " " * len(m.group(0)), text)
