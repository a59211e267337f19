"""PDF → document model, page by page.  Text-layer pages: characters and boxes from
pypdfium2 and ruling lines from the page's path objects, rebuilt into table grids
(``grid.py``: merged cells once, labels wrapped over many lines, a row broken by a
page break joined again); text outside tables becomes lines.  Every cell keeps its
page and box.  Pages without a text layer are OCR'd when the OCR extra is installed."""
from __future__ import annotations

from ..errors import DamagedFile, InputError, LimitExceeded, UnsupportedFormat
from ..limits import check_pixels, checkpoint, current, extend
from .document import DocLine, Document
from .grid import grid_rows, line_text

import re

MAX_PAGES = 120        # annual reports run to 8–40 pages; a text-layer page costs ~15 ms
THIN = 2.5     # points: a path thinner than this is a ruling line
_HEADER_WORDS = re.compile(r"申请人情况|自然人|法人或其他组织|结果维持|信息内容|本年制发|行政复议|勾稽")


_PDFIUM_REASONS = (("data format", "数据格式错误"), ("security", "不支持的加密方式"),
                   ("page not found", "页面不存在或内容错误"), ("load page", "页面无法加载"),
                   ("file not found", "无法打开"), ("unknown", "原因不明"), ("success", "原因不明"))


def _pdfium_why(e: Exception) -> str:
    """PDFium's English reason, in Chinese (unknown reasons are kept as PDFium gave them)."""
    msg = str(e)
    low = msg.lower()
    for key, zh in _PDFIUM_REASONS:
        if key in low:
            return zh
    return f"PDFium：{msg.strip().rstrip('.')}"


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


def page_lines(page, pno: int) -> tuple[list[DocLine], int]:
    """One text-layer page → lines: characters (pypdfium2 text page; tight boxes for x,
    loose font boxes for lines) placed into the grid of the page's ruling segments
    (thin path objects); the rest become text lines."""
    import ctypes

    import pypdfium2.raw as R
    H = page.get_height()
    tp = page.get_textpage()
    n = tp.count_chars()
    if n == 0:
        return [], 0
    text = tp.get_text_range(0, n)
    chars = []
    if len(text) == n:
        l, b, r, t = (ctypes.c_double() for _ in range(4))
        fs = R.FS_RECTF()
        raw = tp.raw
        get_box, get_loose = R.FPDFText_GetCharBox, R.FPDFText_GetLooseCharBox
        pl, pb, pr, pt = ctypes.byref(l), ctypes.byref(r), ctypes.byref(b), ctypes.byref(t)
        for i, ch in enumerate(text):
            if ch.isspace() or ch in "\ufffe\x02\x00":
                continue
            get_box(raw, i, pl, pb, pr, pt)          # left, right, bottom, top (tight)
            get_loose(raw, i, fs)                    # font box: consistent line height
            lv, rv, fb, ft = l.value, r.value, fs.bottom, fs.top
            chars.append(((lv + rv) / 2, H - (fb + ft) / 2, ch, 1.0, lv, rv, H - ft, H - fb))
    hs, vs = [], []
    praw = page.raw
    bl, bb, br, bt = (ctypes.c_float() for _ in range(4))
    refs = [ctypes.byref(x) for x in (bl, bb, br, bt)]
    forms = False
    for k in range(R.FPDFPage_CountObjects(praw)):
        obj = R.FPDFPage_GetObject(praw, k)
        kind = R.FPDFPageObj_GetType(obj)
        if kind == R.FPDF_PAGEOBJ_FORM:
            forms = True
        if kind != R.FPDF_PAGEOBJ_PATH or not R.FPDFPageObj_GetBounds(obj, *refs):
            continue
        _segment(bl.value, bb.value, br.value, bt.value, H, hs, vs)
    if forms:   # rules drawn inside form XObjects: walk them with the helper
        for obj in page.get_objects(filter=[R.FPDF_PAGEOBJ_PATH], max_depth=3):
            if obj.level > 0:
                _segment(*obj.get_bounds(), H, hs, vs)
    rows, used = grid_rows(chars, hs, vs, pno)
    rest = [c for c in chars if id(c) not in used]
    return sorted(rows + text_lines(rest, pno), key=lambda x: x.top), len(chars)


def _segment(l, b, r, t, H, hs, vs):
    """A thin path is a ruling line: horizontal (x0, y, x1, y) or vertical (x, y0, x, y1)."""
    if t - b < THIN and r - l > 2 * THIN:
        y = H - (b + t) / 2
        hs.append((l, y, r, y))
    elif r - l < THIN and t - b > 2 * THIN:
        x = (l + r) / 2
        vs.append((x, H - t, x, H - b))


def text_lines(chars, pno) -> list[DocLine]:
    """Characters outside tables → lines (by their font box), spaces at wide gaps."""
    if not chars:
        return []
    chars = sorted(chars, key=lambda c: c[1])
    lines: list[list] = []
    for c in chars:
        h = max(1.0, c[7] - c[6])
        if lines and abs(lines[-1][0][1] - c[1]) < 0.5 * h:
            lines[-1].append(c)
        else:
            lines.append([c])
    out = []
    for ln in lines:
        text = line_text(ln)
        out.append(DocLine(text=text, page=pno, top=min(c[6] for c in ln)))
    return out


def read_pdf(path, data: bytes) -> Document:
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - a dependency of the package
        raise UnsupportedFormat(path, "读取 PDF 需要 pypdfium2（pip install pypdfium2）")
    doc = Document(kind="pdf")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower() or b"/Encrypt" in data[-4096:] or b"/Encrypt" in data[:4096]:
            raise InputError(path, "PDF 已加密（需要密码），无法读取")
        raise DamagedFile(path, f"PDF 文件损坏或不完整，无法打开（{_pdfium_why(e)}）")
    try:
        n = len(pdf)
        if n == 0:
            raise InputError(path, "PDF 没有页面")
        if n > MAX_PAGES:
            raise InputError(path, f"PDF 页数过多（{n} 页，上限 {MAX_PAGES} 页）——年度报告通常不超过 30 页")
        empty_pages = []
        last_row = None          # cells of the last table row emitted (for page-break continuations)
        for pno in range(1, n + 1):
            checkpoint()
            try:
                items, nchars = page_lines(pdf[pno - 1], pno)
            except pdfium.PdfiumError as e:
                raise DamagedFile(path, f"PDF 第 {pno} 页损坏（{_pdfium_why(e)}）")
            if nchars == 0:
                empty_pages.append(pno)
                continue
            if items and items[0].cells and _continuation(items[0].cells, last_row):
                _merge_into(last_row, items[0].cells)
                items = items[1:]
            doc.lines.extend(items)
            if items:
                last_row = items[-1].cells      # None when the page ends with text
    finally:
        pdf.close()
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
    scale = ocr.DPI / 72
    lines = list(doc.lines)
    refused, done = [], []
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        raise DamagedFile(path, f"PDF 文件损坏，无法渲染扫描页（{e}）")
    try:
        for pno in pages:
            checkpoint()
            extend(current().ocr_seconds_per_page)     # OCR is bounded per page
            try:
                page = pdf[pno - 1]
                w, h = page.get_size()
                check_pixels(w * scale, h * scale, f"第 {pno} 页", path)   # before any bitmap exists
                img = page.render(scale=scale).to_pil()
            except LimitExceeded as e:
                refused.append(e.problem)
                continue
            except pdfium.PdfiumError as e:
                raise DamagedFile(path, f"PDF 第 {pno} 页无法渲染（{e}）")
            lines.extend(ocr.ocr_lines(img, pno, scale, path))
            del img
            done.append(pno)
    finally:
        pdf.close()
    if refused and not done and all_empty:
        raise LimitExceeded(path, "；".join(refused))
    doc.notes.extend(refused)
    lines.sort(key=lambda x: (x.page or 0, x.top))
    doc.lines = lines
    if done:
        doc.notes.append(f"第 {', '.join(map(str, done))} 页为扫描件，已 OCR 识别（数值须经表格算术证实）")
