"""Where a stored cell came from, shown beside the data: for a PDF the page image
(pypdfium2) with the cell's box; for text the lines around it; for HTML and DOCX the
table cell in its table (the gongkai readers give the document model the parse saw).

The corpus keeps provenance (cells.line, cells.page, and bbox / table / row / col in
cells.source), not the file's bytes: ``SourceFiles`` finds them through a list of
*locators* — functions (sha256, stored path) → a local file or None — and accepts a file
only when its SHA-256 is the document's (a file changed since the import is not the
source).  The default locator is the path the document was imported from; the upload
spool plugs in its own with ``SourceFiles.add``.  Every entry point takes the reader's
scope: a report outside it is None, as for one that does not exist."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from dataclasses import field as _field
from pathlib import Path

from .accounts import Scope
from .detail import load_report
from .originals import DEFAULT_FILES, SourceFiles, _document, _file_key, _LRU, parsed_again
from .stored import STATUS_CELL_ZH, alt_text, field_labels, named_fields, visible_report

SCALE = 2.0                  # page images: 144 dpi (a 595 pt wide page → 1190 px)
CONTEXT_LINES = 8            # lines shown before and after the highlighted ones
CROP_MARGIN = 240.0          # points of page shown above and below the box (the rest: 整页)


_PAGES = _LRU(64 * 1024 * 1024)                          # (file key, page, scale) → PNG bytes
_SIZES = _LRU(4096, size=lambda _v: 1)                   # (file key, page) → (n pages, width, height)
_TEXTS = _LRU(16, size=lambda _v: 1)                     # sha256 → sections


# ------------------------------------------------------------------ PDF pages

def page_count_and_size(path: Path, page: int) -> tuple[int, float, float]:
    """(pages in the PDF, width and height of ``page`` in points); page counts from 1."""
    import pypdfium2 as pdfium
    key = (_file_key(path), page)
    got = _SIZES.get(key)
    if got is None:
        pdf = pdfium.PdfDocument(str(path))
        try:
            n = len(pdf)
            if not 1 <= page <= n:
                raise ValueError(f"第 {page} 页不存在（共 {n} 页）")
            w, h = pdf[page - 1].get_size()
        finally:
            pdf.close()
        got = _SIZES.put(key, (n, float(w), float(h)))
    return got


def page_image(path: str | Path, page: int, scale: float = SCALE) -> bytes:
    """Page ``page`` (from 1) of the PDF at ``path`` as PNG bytes, rendered by pypdfium2
    at ``scale`` pixels per point; rendered pages are kept in a bounded in-memory LRU
    (64 MB).  ValueError for a page that does not exist."""
    import pypdfium2 as pdfium
    path = Path(path)
    key = (_file_key(path), page, scale)
    png = _PAGES.get(key)
    if png is not None:
        return png
    n, w, h = page_count_and_size(path, page)
    from ..limits import check_pixels
    check_pixels(w * scale, h * scale, f"第 {page} 页", path)
    pdf = pdfium.PdfDocument(str(path))
    try:
        img = pdf[page - 1].render(scale=scale).to_pil()
    finally:
        pdf.close()
    out = io.BytesIO()
    img.convert("RGB").save(out, "PNG", compress_level=6)
    return _PAGES.put(key, out.getvalue())


# ------------------------------------------------------------------ the document model

def document_lines(doc) -> list[str]:
    """The lines the parse numbered (``Source.line`` counts from 1 in this list)."""
    if doc.kind == "text":
        t = doc.text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
        return t.split("\n")
    return [ln.serialise() for ln in doc.lines]


# ------------------------------------------------------------------ the view of a cell

@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float
    field: str | None = None


@dataclass
class SourceView:
    """What the source pane shows.  ``kind``: pdf (page image, ``box`` and ``others`` in
    image pixels, ``view`` the part of the image shown: x, y, w, h), lines (``lines``:
    (number, text, highlighted)), cell (``table``: rows of (text, colspan, highlighted)),
    none (``problem`` says why)."""
    kind: str
    report_id: int
    file: str = ""
    field: str | None = None
    label: str = ""
    status: str | None = None
    value: object = None
    raw: str | None = None
    reason: str | None = None
    alternatives: list | None = None
    finding: dict | None = None
    problem: str | None = None
    page: int | None = None
    n_pages: int | None = None
    image: tuple[int, int] | None = None       # width, height in pixels
    view: tuple[float, float, float, float] | None = None
    whole: bool = False
    box: Box | None = None
    others: list[Box] = _field(default_factory=list)
    bbox_points: tuple | None = None
    lines: list[tuple[int, str, bool]] = _field(default_factory=list)
    table: list[list[tuple[str, int, bool]]] = _field(default_factory=list)
    where: str = ""                            # 第 4 页 · 第 80 行 / 表 3 第 4 行第 10 列

    @property
    def status_zh(self) -> str:
        return STATUS_CELL_ZH.get(self.status or "", "")


def _load(corpus, report_id: int, scope: Scope, files: SourceFiles | None):
    got = load_report(corpus, report_id, scope)
    if got is None:
        return None
    row, cells, finds, name = got
    path, problem = (files or DEFAULT_FILES).find(row.sha256, row.path or "")
    return row, cells, finds, name, path, problem


def _alternatives(src: dict):
    alts = src.get("alternatives")
    return [alt_text(a) for a in alts] if alts else None


def cell_source(corpus, report_id: int, field: str | None, scope: Scope, files: SourceFiles | None = None,
                finding: int | None = None, page: int | None = None, whole: bool = False) -> SourceView | None:
    """The source of cell ``field`` (or of the finding with id ``finding``: its first
    cell with a position, every named cell and line highlighted; or a bare PDF ``page``)
    of a report in ``scope`` — None when the report is absent or outside it."""
    from .export import _number
    got = _load(corpus, report_id, scope, files)
    if got is None:
        return None
    row, cells, finds, shown, path, problem = got
    by_field = {x.id: x for x in cells}
    labels = field_labels()
    v = SourceView(kind="none", report_id=row.id, file=shown, whole=whole)
    targets: list[str] = []
    lines_named: list[int] = []
    if finding is not None:
        x = next((f for f in finds if f.id == finding), None)
        if x is None:
            v.problem = "这份报告没有这条校验发现"
            return v
        names = json.loads(x.fields) if x.fields else []
        targets = named_fields(names, list(by_field))
        lines_named = json.loads(x.lines) if x.lines else []
        v.finding = {"id": x.id, "rule": x.rule, "severity": x.severity, "message": x.message}
        field = next((t for t in targets if by_field[t].line or by_field[t].page), targets[0] if targets else None)
    elif field is not None:
        if field not in by_field:
            v.problem = "这份报告没有这个单元格"
            return v
        targets = [field]
    if field is not None:
        x = by_field[field]
        src = json.loads(x.source) if x.source else {}
        v.field, v.label, v.status = field, labels.get(field, field), x.status
        v.value, v.raw, v.reason, v.alternatives = _number(x.value), x.raw, x.reason, _alternatives(src)
    if problem:
        v.problem = problem
        return v
    try:
        return _fill(v, row, path, by_field, targets, lines_named, page)
    except Exception as e:          # a reader's or pdfium's failure on this file: say so, no 500
        from ..errors import GongkaiError
        v.kind = "none"
        v.problem = f"无法读取原始文件：{e}" if isinstance(e, (GongkaiError, ValueError)) else \
            f"无法读取原始文件（{e.__class__.__name__}）"
        return v


def _position(x) -> dict:
    src = json.loads(x.source) if x.source else {}
    return {"line": x.line, "page": x.page, **src}


def _fill(v: SourceView, row, path: Path, by_field, targets, lines_named, page) -> SourceView:
    pos = {t: _position(by_field[t]) for t in targets}
    main = pos.get(v.field) if v.field else None
    is_pdf = _is_pdf(path)
    if is_pdf and (page or (main and main.get("page") and main.get("bbox"))):
        return _pdf_view(v, path, pos, page or main["page"], main if not page else None)
    if main is not None and not main.get("line") and not main.get("table") and not lines_named:
        v.problem = "该单元格没有原文位置" + (f"（{v.reason}）" if v.reason else "")
        return v
    doc = _document(path, row.sha256)
    if main is not None and main.get("table") is not None and main.get("row") is not None:
        return _cell_view(v, doc, pos, main)
    want = sorted({p["line"] for p in pos.values() if p.get("line")} | set(lines_named))
    if not want:
        v.problem = "这条发现没有对应的原文位置" if v.finding else "请点击右侧表格中的单元格或校验发现"
        return v
    return _lines_view(v, doc, want, (main or {}).get("line") or want[0])


def _is_pdf(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(5) == b"%PDF-"


def _pdf_view(v: SourceView, path: Path, pos: dict, page: int, main: dict | None) -> SourceView:
    n, w, h = page_count_and_size(path, int(page))
    s = SCALE
    v.kind, v.page, v.n_pages = "pdf", int(page), n
    v.image = (round(w * s), round(h * s))

    def box(p, fid):
        x0, y0, x1, y1 = p["bbox"]
        pad = 2.0
        return Box(round((x0 - pad) * s, 1), round((y0 - pad) * s, 1), round((x1 - x0 + 2 * pad) * s, 1),
                   round((y1 - y0 + 2 * pad) * s, 1), fid)
    if main is not None:
        v.box = box(main, v.field)
        v.bbox_points = tuple(main["bbox"])
        v.others = [box(p, f) for f, p in pos.items()
                    if f != v.field and p.get("bbox") and p.get("page") == v.page]
        v.where = f"第 {v.page} 页" + (f" · 第 {main['line']} 行" if main.get("line") else "")
    else:
        v.where = f"第 {v.page} 页"
    if main is not None and not v.whole:
        ys = [b.y for b in [v.box, *v.others]]
        ye = [b.y + b.h for b in [v.box, *v.others]]
        top = max(0.0, min(ys) - CROP_MARGIN * s)
        bottom = min(v.image[1], max(ye) + CROP_MARGIN * s)
        v.view = (0.0, round(top, 1), float(v.image[0]), round(bottom - top, 1))
    else:
        v.whole = True
        v.view = (0.0, 0.0, float(v.image[0]), float(v.image[1]))
    return v


def _lines_view(v: SourceView, doc, want: list[int], centre: int) -> SourceView:
    lines = document_lines(doc)
    hot = set(want)
    for p in list(hot):
        if 1 <= p <= len(lines):
            continue
        hot.discard(p)
    if not hot:
        v.problem = "原文中找不到记录的行号（文件可能与导入时不同）"
        return v
    near = [p for p in sorted(hot) if abs(p - centre) <= 2 * CONTEXT_LINES] or [centre]
    a = max(1, min(near) - CONTEXT_LINES)
    b = min(len(lines), max(near) + CONTEXT_LINES)
    v.kind = "lines"
    v.lines = [(i, lines[i - 1], i in hot) for i in range(a, b + 1)]
    v.where = f"第 {centre} 行" + (f"（另有 {len(hot) - len(set(near) & hot)} 行不在此处）"
                                  if len(hot - set(near)) else "")
    return v


def _cell_view(v: SourceView, doc, pos: dict, main: dict) -> SourceView:
    """The table the cell is in, as the reader saw it: rows of (text, colspan, hot)."""
    t = main["table"]
    marked = {(p.get("row"), p.get("col")) for p in pos.values() if p.get("table") == t}
    rows: dict[int, list] = {}
    for ln in doc.lines:
        for c in ln.cells or ():
            if c.table == t and c.row is not None:
                rows.setdefault(c.row, []).append(c)
    if not rows:
        return _lines_view(v, doc, [main["line"]], main["line"]) if main.get("line") else v
    width = max((c.col or 0) + 1 for cs in rows.values() for c in cs)
    table = []
    for r in sorted(rows):
        cs = sorted(rows[r], key=lambda c: c.col or 0)
        out = []
        if cs and (cs[0].col or 0) > 0:
            out.append(("", cs[0].col, False))          # under a cell spanning rows
        for k, c in enumerate(cs):
            end = cs[k + 1].col if k + 1 < len(cs) else width
            out.append((c.text, max(1, (end or 0) - (c.col or 0)), (r, c.col) in marked))
        table.append(out)
    v.kind = "cell"
    v.table = table
    v.where = f"第 {t + 1} 个表格 · 第 {main['row'] + 1} 行第 {main['col'] + 1} 列" + \
        (f" · 第 {main['line']} 行" if main.get("line") else "")
    return v


# ------------------------------------------------------------------ page images and prose

def _visible_file(corpus, report_id: int, scope: Scope, files: SourceFiles | None):
    """(report row, its original file or None, why not) — None when the report is absent
    or outside the scope."""
    with corpus.engine.connect() as c:
        row = visible_report(c, int(report_id), scope)
    if row is None:
        return None
    path, problem = (files or DEFAULT_FILES).find(row.sha256, row.path or "")
    return row, path, problem


def report_page_image(corpus, report_id: int, page: int, scope: Scope,
                      files: SourceFiles | None = None) -> bytes | None:
    """The PNG of page ``page`` of a report's PDF — None when the report is absent or
    outside the scope, the file is gone, is not a PDF, or has no such page."""
    got = _visible_file(corpus, report_id, scope, files)
    if got is None:
        return None
    _row, path, _problem = got
    if path is None or not _is_pdf(path):
        return None
    try:
        return page_image(path, int(page))
    except ValueError:
        return None


@dataclass
class Sections:
    """The report's narrative as paragraphs: [(heading, [paragraph, …])]."""
    items: list = _field(default_factory=list)
    problem: str | None = None


def report_sections(corpus, report_id: int, scope: Scope, files: SourceFiles | None = None) -> Sections | None:
    """The narrative sections (一、总体情况 … 六、其他需要报告的事项) as paragraphs.  The
    corpus does not store the prose: it is read again from the original file (the same
    reader and section splitter as the import; cached by content hash)."""
    got = _visible_file(corpus, report_id, scope, files)
    if got is None:
        return None
    row, path, problem = got
    if path is None:
        return Sections(problem=problem.replace("无法显示原文", "无法显示正文"))
    got = _TEXTS.get(row.sha256)
    if got is None:
        try:
            got = _TEXTS.put(row.sha256, _read_sections(path, row.sha256))
        except Exception as e:
            return Sections(problem=f"无法读取正文（{e.__class__.__name__}）")
    return got


def _read_sections(path: Path, sha256: str) -> Sections:
    from ..formats import national
    rep = parsed_again(path, sha256)
    titles = {s["id"]: f"{s['number']}、{s['label']}" for s in national().sections}
    items = []
    for sid, text in rep.sections.items():
        paras = [p.strip() for p in (text or "").split("\n\n") if p.strip()]
        if paras:
            items.append((titles.get(sid, sid), paras))
    return Sections(items=items, problem=None if items else "未能从原文中分出正文段落")
