"""PDF with a text layer → document model.  Tables come from pdfplumber's ruling-line
table finder (merged cells: only the top-left slot holds text, the continuation
slots are omitted); text outside the tables becomes lines.  Each table cell keeps
its page and box.  Pages with no text layer are noted (they need OCR)."""
from __future__ import annotations

import io

from ..errors import InputError, UnsupportedFormat
from .document import CellRef, DocLine, Document, cell_text

MAX_PAGES = 200


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
                    if cells:
                        top = trow.bbox[1] if trow.bbox else t.bbox[1]
                        items.append(DocLine(page=pno, cells=cells, top=top))
            rest = page.filter(lambda o: o.get("object_type") != "char" or not _in_any(o, boxes)) if boxes else page
            for ln in rest.extract_text_lines(layout=False, strip=True):
                items.append(DocLine(text=ln["text"], page=pno, top=ln["top"]))
            items.sort(key=lambda x: x.top)
            doc.lines.extend(items)
        if empty_pages:
            doc.notes.append(f"第 {', '.join(map(str, empty_pages))} 页没有文字层（可能是扫描件），需要 OCR")
            if len(empty_pages) == n:
                raise UnsupportedFormat(path, "PDF 没有文字层（扫描件），需要 OCR；当前版本尚未提供 OCR（将以 gongkai[ocr] 提供）")
    return doc
