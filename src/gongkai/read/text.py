"""Text decoding and cleanup for text-form reports."""
from __future__ import annotations

import re

from ..errors import InputError
from .encoding import Decoded, tolerant

_PAGE_LINE = re.compile(
    r"^[ \t]*(?:[-—–－]{1,2}[ \t]*\d{1,4}[ \t]*[-—–－]{1,2}|第[ \t]*\d{1,4}[ \t]*页(?:[ \t]*[，,/]?[ \t]*共[ \t]*\d{1,4}[ \t]*页)?"
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
    if looks_like_html(data):
        return "html"
    if head.count(b"\x00") > 0:
        return "binary"
    ctrl = len(head) - len(head.translate(None, _CTRL_BYTES))
    if ctrl > len(head) * 0.02:
        return "binary"
    return "text"


_TAG_B = re.compile(rb"<(/?)(html|body|head|p|div|span|table|tbody|thead|tr|td|th|br|font|b|strong|i|em|u|a|img"
                    rb"|h[1-6]|li|ul|ol|section|article|center|meta|style|script|title|content|colgroup|col)"
                    rb"(?=[\s>/\\])[^<>]{0,2000}>", re.I)
_CELL_B = re.compile(rb"(?:<|&lt;)(?:td|th)(?=[\s>/\\&])", re.I)
_ROW_B = re.compile(rb"(?:<|&lt;)tr(?=[\s>/\\&])", re.I)
HTML_SCAN = 16 * 1024 * 1024


def looks_like_html(data: bytes) -> bool:
    """HTML wherever its tags are: a page (``<html``/doctype near the start), or markup
    by density over the whole file: table rows and cells (also inside a JS string, a
    CDATA section of an XML wrapper, or escaped as ``&lt;td``), or many block tags.
    A few plain-text header lines before a fragment do not matter."""
    low = data[:4096].lower()
    if b"<html" in low or b"<!doctype html" in low:
        return True
    body = data[:HTML_SCAN]
    if b"<" not in body and b"&lt;" not in body:
        return False
    if len(_ROW_B.findall(body)) >= 2 and len(_CELL_B.findall(body)) >= 4:
        return True
    tags = _TAG_B.findall(body)
    return len(tags) >= 10 and sum(1 for t in tags if t[0]) >= 3


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
    """Bytes → str (see :func:`decode_info`)."""
    return decode_info(data, path)[0]


def decode_info(data: bytes, path) -> tuple[str, Decoded]:
    """Bytes → (cleaned text, how it was decoded): BOM, then UTF-16 without BOM, then the
    best of UTF-8 and GB18030 (a superset of GBK/GB2312), with spans that do not fit it
    decoded on their own (``encoding.tolerant``).  Only bytes that are not text are refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        dec = tolerant(data[3:], "utf-8")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        dec = _utf16(data, "utf-16")
    else:
        enc = _utf16_guess(data[:2048])
        dec = _utf16(data, enc) if enc else tolerant(data)
    if dec is None:
        raise InputError(path, "无法识别文本编码（已尝试 UTF-8、GB18030/GBK、UTF-16）")
    text = dec.text
    if not text.strip():
        raise InputError(path, "文件中没有文字")
    bad = len(_CONTROL.findall(text, 0, 20000)) - text.count("\ufffd", 0, 20000)
    if bad > max(20, len(text[:20000]) * 0.01):
        raise InputError(path, "文件内容不像文本报告（含大量控制字符）")
    return clean(text), dec


def _utf16(data: bytes, enc: str) -> Decoded | None:
    text = data.decode(enc, errors="replace")
    n = text.count("\ufffd")
    if n > max(20, len(text) * 0.2):
        return None
    lines = [i for i, ln in enumerate(text.split("\n"), 1) if "\ufffd" in ln] if n else []
    return Decoded(text.lstrip("\ufeff"), enc.replace("-le", "").replace("-be", "") if n == 0 else enc,
                   invalid_lines=lines, replaced=n)


_MARKUP = re.compile(r"<!--.*?-->|<!\[CDATA\[|\]\]>|</?[A-Za-z][A-Za-z0-9:-]{0,30}(?:[\s/][^<>]{0,2000})?>"
                     r"|&(?:nbsp|#160|#xa0);", re.S | re.I)


def _blank(m) -> str:
    """Spaces in place of the match, newlines kept (offsets and line numbers unchanged)."""
    return re.sub(r"[^\n]", " ", m.group(0))


def clean(text: str) -> str:
    """Normalise newlines, blank out page-number lines and any markup left in the text
    (tags with their attributes, comments, &nbsp;), so that ``style="width:47px"`` is
    never read as a number; offsets and line numbers are kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    if "<" in text or "&" in text:
        text = _MARKUP.sub(_blank, text)
    return _PAGE_LINE.sub(lambda m: " " * len(m.group(0)), text)
