"""DOCX → document model: paragraphs and tables in body order.  python-docx expands
merges (a merged cell repeats in every grid slot); the continuation slots are
omitted so that each printed cell appears once, with its table/row/column.
Zip bombs and oversized parts are refused before anything is parsed."""
from __future__ import annotations

import io
import zipfile

from ..errors import InputError, UnsupportedFormat
from .document import CellRef, DocLine, Document, cell_text

MAX_UNCOMPRESSED = 200 * 1024 * 1024   # all parts together
MAX_RATIO = 200                        # uncompressed / compressed for one part


def check_zip(path, data: bytes) -> zipfile.ZipFile:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError) as e:
        raise InputError(path, f"DOCX/ZIP 文件损坏，无法打开（{e.__class__.__name__}）")
    total = 0
    for i in infos:
        total += i.file_size
        if i.file_size > 1024 * 1024 and i.compress_size and i.file_size / i.compress_size > MAX_RATIO:
            raise InputError(path, f"压缩包内容异常（{i.filename} 压缩比超过 {MAX_RATIO}:1，疑似压缩炸弹），拒绝读取")
    if total > MAX_UNCOMPRESSED:
        raise InputError(path, f"压缩包解压后过大（{total // (1024 * 1024)} MB），拒绝读取")
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        if "xl/workbook.xml" in names:
            raise UnsupportedFormat(path, "这是 Excel 文件（.xlsx），不是 Word 年度报告")
        raise UnsupportedFormat(path, "ZIP 文件中没有 Word 文档（word/document.xml），不是 DOCX 报告")
    return z


def read_docx(path, data: bytes) -> Document:
    check_zip(path, data)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover
        raise UnsupportedFormat(path, "读取 DOCX 需要 python-docx（pip install python-docx）")
    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as e:
        raise InputError(path, f"DOCX 文件损坏，无法读取（{e.__class__.__name__}）")
    doc = Document(kind="docx")
    tno = 0
    body = d.element.body
    for el in body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(el, d).text
            for ln in text.split("\n"):
                doc.lines.append(DocLine(text=ln))
        elif tag == "tbl":
            tno += 1
            _table(Table(el, d), tno, doc)
    return doc


def _table(table, tno: int, doc: Document):
    prev = None
    for ri, row in enumerate(table.rows):
        try:
            cells = list(row.cells)
        except Exception:       # malformed grid: fall back to the cells as stored
            cells = [c for c in row._tr.tc_lst]
            cells = [type(row.cells[0])(c, row) if False else c for c in cells]
        tcs = [c._tc for c in cells]
        refs = []
        for ci, c in enumerate(cells):
            tc = tcs[ci]
            if ci > 0 and tc is tcs[ci - 1]:
                continue                       # horizontal merge continuation
            if prev is not None and ci < len(prev) and prev[ci] is tc:
                continue                       # vertical merge continuation
            refs.append(CellRef(cell_text(c.text), None, None, tno, ri, ci))
        prev = tcs
        if refs:
            doc.lines.append(DocLine(cells=refs))
