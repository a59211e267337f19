"""HTML → document model.  Whole saved pages (menus, scripts, footers around the
article) and fragments.  Tables: rowspan/colspan expanded into a grid, each
printed cell kept once at its top-left slot; layout tables that only contain other
tables are walked through.  &nbsp; cells are blank.  Charset from the page."""
from __future__ import annotations

import re

from ..errors import InputError, UnsupportedFormat
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
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    enc = _charset(data)
    for e in (enc, "utf-8", "gb18030"):
        try:
            return data.decode(e)
        except (UnicodeDecodeError, LookupError):
            continue
    raise InputError(path, "无法识别网页的字符编码")


def read_html(path, data: bytes) -> Document:
    try:
        import lxml.html
        from lxml import etree
    except ImportError:  # pragma: no cover
        raise UnsupportedFormat(path, "读取 HTML 需要 lxml（pip install lxml）")
    text = decode_html(path, data)
    # no DTDs or entities: an entity-expansion document cannot grow
    text = re.sub(r"<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", "", text, count=1, flags=re.S | re.I)
    text = re.sub(r"<!ENTITY[^>]*>", "", text, flags=re.I)
    parser = lxml.html.HTMLParser(no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as e:
        raise InputError(path, f"网页无法解析（{e}）")
    doc = Document(kind="html")
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
