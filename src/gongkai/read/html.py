"""HTML → document model.  Whole saved pages (menus, scripts, footers around the
article) and fragments.  Tables: rowspan/colspan expanded into a grid, each
printed cell kept once at its top-left slot; layout tables that only contain other
tables are walked through.  &nbsp; cells are blank.  Charset from the page."""
from __future__ import annotations

import re

from ..errors import DamagedFile, InputError, UnsupportedFormat
from ..limits import checkpoint
from .document import CellRef, DocLine, Document, cell_text

_BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "dd", "dt",
          "blockquote", "pre", "ul", "ol", "center", "font"}
_SKIP = {"script", "style", "noscript", "head", "iframe", "svg", "template", "button", "select", "option",
         "textarea", "object", "embed"}
MAX_SPAN = 50


def _charset(data: bytes) -> str:
    head = data[:4096].decode("ascii", errors="replace")
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", head, re.I)
    enc = (m.group(1).lower() if m else "") or "utf-8"
    if enc in ("gb2312", "gbk", "gb_2312-80", "x-gbk"):
        enc = "gb18030"
    return enc


def decode_html(path, data: bytes) -> str:
    return decode_html_info(path, data)[0]


def decode_html_info(path, data: bytes):
    """(text, Decoded): BOM, else the page's charset, UTF-8, GB18030, tolerantly (a few
    invalid bytes or a passage in the other encoding are decoded on their own)."""
    from .encoding import Decoded, tolerant
    if data.startswith(b"\xef\xbb\xbf"):
        dec = tolerant(data[3:], "utf-8")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        t = data.decode("utf-16", errors="replace")
        dec = Decoded(t, "utf-16", replaced=t.count("\ufffd"),
                      invalid_lines=[i for i, ln in enumerate(t.split("\n"), 1) if "\ufffd" in ln])
    else:
        dec = tolerant(data, _charset(data))
    if dec is None:
        raise InputError(path, "无法识别网页的字符编码")
    return dec.text, dec


_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_XML_DECL = re.compile(r"<\?xml[^>]*\?>", re.I)
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.S | re.I)
_JS_STR = re.compile(r"'((?:[^'\\\n]|\\.)*)'|\"((?:[^\"\\\n]|\\.)*)\"", re.S)
_JS_ESC = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)
_TABLE_MARK = re.compile(r"<\s*(?:table|tr|td|th)\b", re.I)


def _js_unescape(s: str) -> str:
    def one(m):
        e = m.group(1)
        if e[0] in "ux" and len(e) > 1:
            return chr(int(e[1:], 16))
        return {"n": "\n", "t": "\t", "r": ""}.get(e, e)
    return _JS_ESC.sub(one, s)


def _script_html(m) -> str:
    """A script that writes a table (``document.write('<table>…')``, ``innerHTML``,
    string concatenation): its string literals joined, in place of the script."""
    body = m.group(1)
    if not _TABLE_MARK.search(body.replace("\\/", "/")):
        return m.group(0)
    parts = []
    for lit in _JS_STR.finditer(body):
        s = _js_unescape(lit.group(1) if lit.group(1) is not None else lit.group(2))
        if "<" in s or ">" in s or not s.isascii() or re.fullmatch(r"[\s\d.,%\-—/]*", s):
            parts.append(s)
    html = "".join(parts)
    return html if _TABLE_MARK.search(html) else m.group(0)


def unwrap(text: str) -> str:
    """Markup that is not plain HTML, made plain: the XML declaration, CDATA sections of
    an XML wrapper, tables written by scripts, a page escaped as ``&lt;td&gt;``."""
    text = _XML_DECL.sub("", text)
    if "<![CDATA[" in text:
        text = _CDATA.sub(lambda m: m.group(1), text)
    if "<script" in text.lower():
        text = _SCRIPT.sub(_script_html, text)
    if len(re.findall(r"<t[dh]\b", text, re.I)) < 4 and len(re.findall(r"&lt;t[dh]\b", text, re.I)) >= 4:
        import html as _html
        text = _html.unescape(text)
    return text


def read_html(path, data: bytes) -> Document:
    try:
        import lxml.html
        from lxml import etree
    except ImportError:  # pragma: no cover
        raise UnsupportedFormat(path, "读取 HTML 需要 lxml（pip install lxml）")
    text, dec = decode_html_info(path, data)
    text = unwrap(text)
    # no DTDs or entities: an entity-expansion document cannot grow
    text = re.sub(r"<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", "", text, count=1, flags=re.S | re.I)
    text = re.sub(r"<!ENTITY[^>]*>", "", text, flags=re.I)
    parser = lxml.html.HTMLParser(no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.LxmlError, ValueError) as e:
        raise DamagedFile(path, f"网页无法解析（{e.__class__.__name__}）")
    doc = Document(kind="html", encoding=dec.info(where="源文件第", with_lines=False))
    state = {"buf": [], "tno": 0}

    def flush():
        s = "".join(state["buf"]).strip()
        state["buf"] = []
        if s:
            for ln in s.split("\n"):
                if ln.strip():
                    doc.lines.append(DocLine(text=ln.strip()))

    def walk(el):
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in _SKIP:
            if el.tail:
                state["buf"].append(el.tail)
            return
        if tag == "table" and not el.xpath(".//table"):
            checkpoint()
            flush()
            state["tno"] += 1
            _table(el, state["tno"], doc)
        else:
            if tag in _BLOCK:
                state["buf"].append("\n")
            if el.text:
                state["buf"].append(el.text)
            for ch in el:
                walk(ch)
            if tag in _BLOCK:
                state["buf"].append("\n")
        if el.tail:
            state["buf"].append(el.tail)

    body = root.find("body")
    walk(body if body is not None else root)
    flush()
    doc.hints = _hints(root)
    return doc


def _hints(root) -> dict:
    """The page's <title> and first headings (the report's title when the body has none)."""
    out: dict = {}
    t = root.find(".//title")
    if t is not None and (t.text_content() or "").strip():
        out["title"] = " ".join(t.text_content().split())
    heads = []
    for h in root.iter("h1", "h2", "h3"):
        s = " ".join((h.text_content() or "").split())
        if s:
            heads.append(s)
        if len(heads) >= 10:
            break
    if heads:
        out["headings"] = heads
    return out


def _cell_text(td) -> str:
    parts = []

    def rec(e):
        tag = e.tag.lower() if isinstance(e.tag, str) else ""
        if tag in _SKIP:
            return
        if tag in ("br", "p", "div") and parts:
            parts.append("\n")
        if e.text:
            parts.append(e.text)
        for c in e:
            rec(c)
            if c.tail:
                parts.append(c.tail)
    rec(td)
    s = "".join(parts).replace("\xa0", " ")
    return cell_text(s)


def _span(v) -> int:
    try:
        return max(1, min(MAX_SPAN, int(str(v).strip() or 1)))
    except ValueError:
        return 1


def _table(tbl, tno: int, doc: Document):
    occupied: dict[tuple[int, int], bool] = {}
    rows = [tr for tr in tbl.iter("tr") if tr.getparent() is not None]
    for ri, tr in enumerate(rows):
        refs = []
        ci = 0
        for td in tr:
            tag = td.tag.lower() if isinstance(td.tag, str) else ""
            if tag not in ("td", "th"):
                continue
            while occupied.get((ri, ci)):
                ci += 1
            rs, cs = _span(td.get("rowspan", 1)), _span(td.get("colspan", 1))
            for dr in range(rs):
                for dc in range(cs):
                    occupied[(ri + dr, ci + dc)] = True
            refs.append(CellRef(_cell_text(td), None, None, tno, ri, ci))
            ci += cs
        if refs:
            doc.lines.append(DocLine(cells=refs))
