"""PDF with a text layer → document model.  Tables come from pdfplumber's ruling-line
table finder (merged cells: only the top-left slot holds text, the continuation
slots are omitted); text outside the tables becomes lines.  Each table cell keeps
its page and box.  Pages with no text layer are noted (they need OCR)."""
from __future__ import annotations

import io

from ..errors import InputError, UnsupportedFormat
from .document import CellRef, DocLine, Document, cell_text

import re

MAX_PAGES = 200
_HEADER_WORDS = re.compile(r"申请人情况|自然人|法人或其他组织|结果维持|信息内容|本年制发|行政复议|勾稽")


def _continuation(cells, prev_cells) -> bool:
    """The first row of a page that only carries the rest of the previous page's last
    row (its label cell broken by the page break): text, no numbers, no header words."""
    if not prev_cells or not cells:
        return False
    text = "".join(c.text for c in cells)
    return bool(text) and not re.search(r"\d", text) and not _HEADER_WORDS.search(text)


def _merge_into(prev_cells, cells):
    for c in cells:
        if not c.text or not c.bbox:
            continue
        best, overlap = None, 0.0
        for p in prev_cells:
            if not p.bbox:
                continue
            ov = min(p.bbox[2], c.bbox[2]) - max(p.bbox[0], c.bbox[0])
            if ov > overlap:
                best, overlap = p, ov
        if best is not None:
            best.text += c.text
MAX_OCR_PAGES = 40     # ~5 s and ~0.9 GB per page on 2 cores


def _in_any(obj, boxes) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)


def read_pdf(path, data: bytes) -> Document:
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFPasswordIncorrect
    except ImportError:  # pragma: no cover - a dependency of the package
        raise UnsupportedFormat(path, "读取 PDF 需要 pdfplumber（pip install pdfplumber）")
    doc = Document(kind="pdf")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect:
        raise InputError(path, "PDF 已加密（需要密码），无法读取")
    except Exception as e:
        if "PDFPassword" in repr(e) or b"/Encrypt" in data[-4096:] or b"/Encrypt" in data[:4096]:
            raise InputError(path, "PDF 已加密（需要密码），无法读取")
        raise InputError(path, f"PDF 文件损坏或不完整，无法打开（{e.__class__.__name__}）")
    with pdf:
        try:
            n = len(pdf.pages)
        except Exception as e:
            raise InputError(path, f"PDF 文件损坏，无法读取页面（{e.__class__.__name__}）")
        if n == 0:
            raise InputError(path, "PDF 没有页面")
        if n > MAX_PAGES:
            raise InputError(path, f"PDF 页数过多（{n} 页，上限 {MAX_PAGES} 页）——年度报告通常不超过 30 页")
        empty_pages = []
        table_no = 0
        last_row = None          # cells of the last table row emitted (for page-break continuations)
        for pno, page in enumerate(pdf.pages, 1):
            try:
                chars = page.chars
            except Exception as e:
                raise InputError(path, f"PDF 第 {pno} 页损坏（{e.__class__.__name__}）")
            if not chars:
                empty_pages.append(pno)
                continue
            items: list[DocLine] = []
            boxes = []
            for t in page.find_tables():
                table_no += 1
                rows = t.extract()
                boxes.append(t.bbox)
                for ri, (row, trow) in enumerate(zip(rows, t.rows)):
                    cells = []
                    for ci, (txt, box) in enumerate(zip(row, trow.cells)):
                        if txt is None:      # continuation of a merged cell
                            continue
                        cells.append(CellRef(cell_text(txt), pno, box, table_no, ri, ci))
                    if ri == 0 and not items and _continuation(cells, last_row):
                        _merge_into(last_row, cells)
                        continue
                    if cells:
                        top = trow.bbox[1] if trow.bbox else t.bbox[1]
                        items.append(DocLine(page=pno, cells=cells, top=top))
            rest = page.filter(lambda o: o.get("object_type") != "char" or not _in_any(o, boxes)) if boxes else page
            for ln in rest.extract_text_lines(layout=False, strip=True):
                items.append(DocLine(text=ln["text"], page=pno, top=ln["top"]))
            items.sort(key=lambda x: x.top)
            doc.lines.extend(items)
            if items:
                last_row = items[-1].cells      # None when the page ends with text
    if empty_pages:
        _ocr_pages(path, data, empty_pages, doc, all_empty=len(empty_pages) == n)
    return doc


def _ocr_pages(path, data, pages, doc, all_empty: bool):
    """Pages without a text layer: OCR them when the OCR extra is installed."""
    from . import ocr
    listed = ", ".join(map(str, pages))
    if not ocr.available():
        if all_empty:
            raise UnsupportedFormat(path, "PDF 没有文字层（扫描件），" + ocr.OCR_HINT)
        doc.notes.append(f"第 {listed} 页没有文字层（扫描件），未作 OCR：" + ocr.OCR_HINT)
        return
    if len(pages) > MAX_OCR_PAGES:
        raise InputError(path, f"需要 OCR 的页数过多（{len(pages)} 页，上限 {MAX_OCR_PAGES} 页）")
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(data)
    scale = ocr.DPI / 72
    lines = list(doc.lines)
    for pno in pages:
        img = pdf[pno - 1].render(scale=scale).to_pil()
        lines.extend(ocr.ocr_lines(img, pno, scale, path))
    pdf.close()
    lines.sort(key=lambda x: (x.page or 0, x.top))
    doc.lines = lines
    doc.notes.append(f"第 {listed} 页为扫描件，已 OCR 识别（数值须经表格算术证实）")
