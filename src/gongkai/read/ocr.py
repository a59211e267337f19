"""OCR for scanned pages and images, fully offline: rapidocr 3.x with onnxruntime
(models ship inside the wheel; optional extra ``gongkai[ocr]``).

Boxes → rows: box centres are de-skewed by the median angle of the text lines, then
grouped by vertical position; each row becomes a line whose OCR boxes keep their
page, box (in PDF points for PDF pages) and confidence."""
from __future__ import annotations

import logging
import math
from statistics import median

from ..errors import UnsupportedFormat
from .document import CellRef, DocLine
from .grid import grid_rows

DPI = 200
_engine = None
OCR_HINT = "需要 OCR 组件：pip install 'gongkai[ocr]'（rapidocr + onnxruntime，模型随安装包提供，完全离线）"


def available() -> bool:
    try:
        import rapidocr  # noqa: F401
        return True
    except ImportError:
        return False


def engine(path=None):
    global _engine
    if _engine is None:
        try:
            from rapidocr import RapidOCR
        except ImportError:
            raise UnsupportedFormat(path or "<ocr>", "扫描件/图片" + OCR_HINT)
        for name in ("RapidOCR", "rapidocr"):
            logging.getLogger(name).setLevel(logging.ERROR)
        _engine = RapidOCR()
    return _engine


def rules(arr):
    """Ruling lines of a scanned page: (cleaned image, horizontal segments, vertical
    segments).  Segments are (x0, y0, x1, y1) in pixels.  The lines are erased from the
    image, because OCR otherwise reads a rule next to a digit as "1"."""
    try:
        import cv2
    except ImportError:
        return arr, [], []
    import numpy as np
    arr = deskew(arr)
    gray = cv2.cvtColor(arr, cv2.COLOR_RGB2GRAY)
    bw = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    h, w = gray.shape
    segs = []
    mask = np.zeros_like(bw)
    for kern, horiz in ((cv2.getStructuringElement(cv2.MORPH_RECT, (max(40, w // 25), 1)), True),
                        (cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(30, h // 60))), False)):
        lines = cv2.morphologyEx(bw, cv2.MORPH_OPEN, kern)
        lines = cv2.dilate(lines, np.ones((3, 3), np.uint8))
        mask = cv2.bitwise_or(mask, lines)
        n, _lab, stats, _c = cv2.connectedComponentsWithStats(lines, connectivity=8)
        out = []
        for i in range(1, n):
            x, y, ww, hh, _a = stats[i]
            if horiz and ww >= max(40, w // 25):
                out.append((float(x), float(y + hh / 2), float(x + ww), float(y + hh / 2)))
            elif not horiz and hh >= max(30, h // 60):
                out.append((float(x + ww / 2), float(y), float(x + ww / 2), float(y + hh)))
        segs.append(out)
    clean = arr.copy()
    clean[mask > 0] = 255
    return clean, segs[0], segs[1]


def deskew(arr):
    """Rotate a scanned page so that its table rules are level (angle of the longest
    horizontal rule).  Small angles only (|a| ≤ 5°); otherwise the page is left as is."""
    import cv2
    import numpy as np
    gray = cv2.cvtColor(arr, cv2.COLOR_RGB2GRAY)
    bw = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    h, w = gray.shape
    lines = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(30, w // 40), 1)))
    lines = cv2.dilate(lines, np.ones((5, 5), np.uint8))
    n, lab, stats, _c = cv2.connectedComponentsWithStats(lines, connectivity=8)
    if n < 2:
        return arr
    big = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_WIDTH]))
    if stats[big, cv2.CC_STAT_WIDTH] < w / 4:
        return arr
    ys, xs = np.nonzero(lab == big)
    slope = np.polyfit(xs.astype(float), ys.astype(float), 1)[0]
    angle = math.degrees(math.atan(slope))
    if abs(angle) < 0.05 or abs(angle) > 5:
        return arr
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(arr, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))


def ocr_lines(img, page: int | None = None, scale: float = 1.0, path=None) -> list[DocLine]:
    """OCR one image (PIL) into lines.  scale = pixels per output unit (DPI/72 for PDF points).
    Text inside ruled tables is placed into the grid's cells; the rest becomes lines."""
    import numpy as np
    from ..limits import checkpoint
    checkpoint()
    arr, hs, vs = rules(np.array(img.convert("RGB")))
    checkpoint()
    try:
        res = engine(path)(arr, return_word_box=True)
    except TypeError:          # an engine without word boxes
        res = engine(path)(arr)
    checkpoint()
    boxes = getattr(res, "boxes", None)
    if boxes is None or len(boxes) == 0:
        return []
    words = getattr(res, "word_results", None) or [()] * len(boxes)
    # characters with positions: each word's text spread over its own box (word boxes are
    # tighter than line boxes, which may reach across a table rule)
    chars = []
    boxed = []
    for quad, txt, sc, wr in zip(boxes, res.txts, res.scores, words):
        txt = str(txt)
        pieces = [(str(w[0]), w[2]) for w in (wr or ()) if len(w) >= 3 and w[0]]
        if not pieces or "".join(p for p, _q in pieces).replace(" ", "") != txt.replace(" ", ""):
            pieces = [(txt, quad)]
        mine = []
        for ptxt, pq in pieces:
            xs = [float(p[0]) for p in pq]
            ys = [float(p[1]) for p in pq]
            x0, x1, cy = min(xs), max(xs), sum(ys) / len(ys)
            n = max(1, len(ptxt))
            top, bottom = min(ys), max(ys)
            cw = (x1 - x0) / n
            mine.extend((x0 + (i + 0.5) * cw, cy, ch, float(sc), x0 + i * cw, x0 + (i + 1) * cw, top, bottom)
                        for i, ch in enumerate(ptxt) if not ch.isspace())
        chars.extend(mine)
        boxed.append((quad, txt, float(sc), mine))
    table_lines, used = grid_rows(chars, hs, vs, page, scale, ocr=True)
    rest = [(q, t, sc) for q, t, sc, mine in boxed if not any(id(c) in used for c in mine)]
    return sorted(table_lines + _line_rows(rest, page, scale), key=lambda x: x.top)


def _line_rows(boxed, page, scale) -> list[DocLine]:
    """Boxes outside tables → text lines (de-skewed, grouped by vertical position)."""
    if not boxed:
        return []
    items = []
    angles = []
    for quad, txt, sc in boxed:
        xs = [float(p[0]) for p in quad]
        ys = [float(p[1]) for p in quad]
        w = max(xs) - min(xs)
        h = max(ys) - min(ys)
        (x0, y0), (x1, y1) = quad[0], quad[1]
        if w > 3 * max(1.0, h) and abs(x1 - x0) > 1:
            angles.append(math.atan2(float(y1 - y0), float(x1 - x0)))
        items.append((sum(xs) / 4, sum(ys) / 4, min(xs), min(ys), max(xs), max(ys), txt, sc))
    a = median(angles) if angles else 0.0
    ca, sa = math.cos(-a), math.sin(-a)
    rot = []
    for cx, cy, x0, y0, x1, y1, txt, sc in items:
        rx, ry = cx * ca - cy * sa, cx * sa + cy * ca
        rot.append((ry, rx, (x0, y0, x1, y1), txt, sc, y1 - y0))
    rot.sort()
    hmed = median(r[5] for r in rot) or 10.0
    rows: list[list] = []
    for it in rot:
        if rows and abs(it[0] - sum(x[0] for x in rows[-1]) / len(rows[-1])) < 0.5 * hmed:
            rows[-1].append(it)
        else:
            rows.append([it])
    out = []
    for row in rows:
        row.sort(key=lambda x: x[1])
        cells = [CellRef(txt, page, tuple(v / scale for v in box), None, None, None, True, sc)
                 for _ry, _rx, box, txt, sc, _h in row]
        out.append(DocLine(page=page, cells=cells, top=min(c.bbox[1] for c in cells), sep=" "))
    return out


def read_image(path, data: bytes):
    import io

    import warnings

    from PIL import Image, UnidentifiedImageError

    from ..errors import DamagedFile, LimitExceeded
    from ..limits import check_pixels
    from .document import Document
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))      # reads the header only
        check_pixels(img.width, img.height, "图片", path)   # before the pixels are decoded
        img.load()
    except Image.DecompressionBombError:
        raise LimitExceeded(path, "图片尺寸过大（疑似解压炸弹），已拒绝处理")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as e:
        raise DamagedFile(path, f"图片文件损坏，无法打开（{e.__class__.__name__}）")
    doc = Document(kind="ocr")
    from ..limits import current, extend
    extend(current().ocr_seconds_per_page)        # OCR is bounded per page
    doc.lines = ocr_lines(img, None, 1.0, path)
    return doc
