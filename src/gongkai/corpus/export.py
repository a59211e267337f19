"""Export, compare and statistics over the corpus.

Layouts: *long* — one row per report × field (value, status, raw); *wide* — one row
per report, columns = field IDs (values only; statuses are in the long layout and in
the ``n_uncertain`` column).  Formats: csv, xlsx (plus one sheet per report in the
official table layout, up to MAX_REPORT_SHEETS reports), parquet (pyarrow), json."""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

from . import schema as S
from .indicators import INDICATORS
from .store import CorpusError

META_COLUMNS = ["report_id", "agency", "province", "city", "county", "kind", "year", "format", "date", "path",
                "n_uncertain", "n_errors", "n_warnings"]
IND_COLUMNS = [i.id for i in INDICATORS]
MAX_REPORT_SHEETS = 200


def _meta_query(where=None):
    import sqlalchemy as sa
    r, a, d = S.reports, S.agencies, S.documents
    q = (sa.select(r.c.id, a.c.name, a.c.province, a.c.city, a.c.county, a.c.kind, r.c.year, r.c.format, r.c.date,
                   d.c.path, r.c.n_uncertain, r.c.n_errors, r.c.n_warnings,
                   *[getattr(r.c, i) for i in IND_COLUMNS], r.c.value_array)
         .select_from(r.join(d, d.c.id == r.c.document_id).outerjoin(a, a.c.id == r.c.agency_id))
         .order_by(r.c.id))
    for cond in where or []:
        q = q.where(cond)
    return q


def filters(year=None, province=None, agency=None) -> list:
    import sqlalchemy as sa
    out = []
    if year is not None:
        out.append(S.reports.c.year == int(year))
    if province:
        out.append(S.agencies.c.province.like(f"{province}%"))
    if agency:
        out.append(sa.or_(S.agencies.c.name.like(f"%{agency}%"), S.reports.c.agency_raw.like(f"%{agency}%")))
    return out


def _csv_cell(x) -> str:
    if x is None:
        return ""
    if type(x) is not str:
        return str(x)
    if '"' in x or "," in x or "\n" in x or "\r" in x:
        return '"' + x.replace('"', '""') + '"'
    return x


def wide_rows(corpus, where=None, as_parsed: bool = False):
    """(header, iterator of row tuples) for the wide layout: the reviewed data (parse +
    corrections), or with ``as_parsed`` the data and counts as the import stored them."""
    fids = corpus.field_ids
    header = META_COLUMNS + IND_COLUMNS + fids

    def rows():
        with corpus.engine.connect() as c:
            parsed = _parsed_summaries(c) if as_parsed else {}
            for row in c.execute(_meta_query(where)).yield_per(2000):
                if row[0] in parsed:
                    row = _as_parsed(row, parsed[row[0]])
                yield tuple(row[:-1]) + tuple(json.loads(row[-1]))
    return header, rows()


FORMATS = ("csv", "xlsx", "parquet", "json")


_SUMMARY_AT = {"n_uncertain": 10, "n_errors": 11, "n_warnings": 12,
               **{k: 13 + i for i, k in enumerate(IND_COLUMNS)}, "value_array": 13 + len(IND_COLUMNS)}


def _parsed_summaries(c) -> dict:
    """Reviewed report id → the derived columns as parsed (the review's version 0, or the
    newest re-parse's baseline: ``review.carry``)."""
    import sqlalchemy as sa
    v = S.report_versions
    return {rid: json.loads(s) for rid, s in c.execute(sa.select(v.c.report_id, v.c.summary)
                                                        .where(v.c.action == "parse", v.c.field_no.is_(None))
                                                        .order_by(v.c.report_id, v.c.version))}


def _as_parsed(row, summary: dict) -> tuple:
    """A _meta_query row with the columns the review changed put back as parsed."""
    out = list(row)
    for k, i in _SUMMARY_AT.items():
        if k in summary:
            out[i] = summary[k]
    return tuple(out)


def export(corpus, out: str | Path, fmt: str | None = None, layout: str = "wide", where=None,
           as_parsed: bool = False) -> int:
    """Write the export; returns the number of rows written (reports or report × field).
    The data is the reviewed data (each cell's newest correction or confirmation laid over
    the parse, see ``review``); ``as_parsed``: as the import stored it."""
    out = Path(out)
    fmt = check_format(fmt or out.suffix.lstrip("."))
    if layout not in ("wide", "long"):
        raise CorpusError(f"不支持的布局：{layout}（可选 wide、long）")
    try:
        if fmt == "csv" and layout == "wide" and not as_parsed:
            return _wide_csv(corpus, out, where)
        header, rows = wide_rows(corpus, where, as_parsed) if layout == "wide" else \
            long_rows(corpus, where, as_parsed)
        if fmt == "xlsx":
            return _xlsx(corpus, out, header, rows, layout, where, as_parsed)
        return write_table(out, fmt, header, rows, float_columns=("value",) if layout == "long" else ())
    except OSError as e:
        raise CorpusError(f"{out}: 无法写入（{e.strerror or e}）")


def check_format(fmt: str | None) -> str:
    fmt = (fmt or "").lower()
    if fmt not in FORMATS:
        raise CorpusError(f"不支持的导出格式：{fmt or '（无）'}（可选 {'、'.join(FORMATS)}）")
    return fmt


def write_table(out, fmt: str, header: list, rows, sheet: str = "数据", float_columns=()) -> int:
    """Rows (tuples in ``header`` order) as csv (UTF-8 with BOM), json (a list of objects),
    parquet or xlsx (one sheet) to ``out``, a path or a binary file object; returns the
    number of rows.  Decimals are written as floats."""
    fmt = check_format(fmt)
    if fmt == "csv":
        with _text(out, "utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            n = 0
            for r in rows:
                w.writerow(r)
                n += 1
            return n
    if fmt == "json":
        n = 0
        with _text(out, "utf-8") as fh:
            fh.write("[\n")
            for r in rows:
                fh.write(("," if n else "") + json.dumps(dict(zip(header, r)), ensure_ascii=False,
                                                         default=_default) + "\n")
                n += 1
            fh.write("]\n")
        return n
    if fmt == "parquet":
        return _parquet(out, header, rows, float_columns)
    wb, n = _workbook(header, rows, sheet)
    wb.save(out)
    return n


class _text:
    """A text stream over a path (opened and closed) or a binary file object (left open)."""

    def __init__(self, out, encoding: str, newline=None):
        self.out, self.encoding, self.newline = out, encoding, newline

    def __enter__(self):
        if isinstance(self.out, (str, Path)):
            self.fh = open(self.out, "w", encoding=self.encoding, newline=self.newline)
        else:
            self.fh = io.TextIOWrapper(self.out, encoding=self.encoding, newline=self.newline)
        return self.fh

    def __exit__(self, *exc):
        if isinstance(self.out, (str, Path)):
            self.fh.close()
        else:
            self.fh.flush()
            self.fh.detach()


def _default(x):
    if isinstance(x, Decimal):
        return float(x)
    return str(x)


def _wide_csv(corpus, out, where) -> int:
    """Fast path: the stored JSON array of a report's values is already its CSV tail."""
    fids = corpus.field_ids
    n = 0
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        fh.write(",".join(META_COLUMNS + IND_COLUMNS + fids) + "\r\n")
        buf = []
        for row in _raw_rows(corpus, _meta_query(where)):
            head = ",".join([_csv_cell(x) for x in row[:-1]])
            buf.append(head + "," + row[-1][1:-1].replace("null", "") + "\r\n")
            n += 1
            if len(buf) >= 5000:
                fh.write("".join(buf))
                buf.clear()
        fh.write("".join(buf))
    return n


def _raw_rows(corpus, query, size: int = 5000):
    """Rows straight from the DBAPI cursor (no per-row SQLAlchemy processing: the wide
    export of 100,000 reports is this loop)."""
    sql = str(query.compile(dialect=corpus.engine.dialect, compile_kwargs={"literal_binds": True}))
    with corpus.engine.connect() as c:
        cur = c.connection.dbapi_connection.cursor()
        try:
            cur.execute(sql)
            while rows := cur.fetchmany(size):
                yield from rows
        finally:
            cur.close()


def long_rows(corpus, where=None, as_parsed: bool = False):
    """(header, rows) of the long layout: a row per report × field, the reviewed value and
    status (``as_parsed``: the parse's); ``raw`` is always as printed."""
    import sqlalchemy as sa
    r, a, cl, f = S.reports, S.agencies, S.cells, S.fields
    header = ["report_id", "agency", "year", "field", "value", "status", "raw"]
    q = (sa.select(cl.c.report_id, a.c.name, r.c.year, f.c.id, cl.c.value, cl.c.status, cl.c.raw)
         .select_from(cl.join(r, r.c.id == cl.c.report_id).join(f, f.c.no == cl.c.field_no)
                      .outerjoin(a, a.c.id == r.c.agency_id))
         .order_by(cl.c.report_id, cl.c.field_no))
    for cond in where or []:
        q = q.where(cond)

    def rows():
        with corpus.engine.connect() as c:
            newest = {} if as_parsed else _newest_versions(c)
            for row in c.execute(q).yield_per(5000):
                v = _number(row[4])
                raw = row[6] if row[6] is not None else ("" if v is None else str(v))
                got = newest.get((row[0], row[3]))
                if got is not None:
                    yield (row[0], row[1], row[2], row[3], _number(got[0]), got[1], raw)
                else:
                    yield (row[0], row[1], row[2], row[3], v, row[5], raw)
    return header, rows()


def _newest_versions(c) -> dict:
    """(report id, field ID) → (value, status) of each reviewed cell's newest version."""
    import sqlalchemy as sa
    v, f = S.report_versions, S.fields
    out = {}
    for rid, fid, value, status in c.execute(sa.select(v.c.report_id, f.c.id, v.c.new_value, v.c.new_status)
                                             .join(f, f.c.no == v.c.field_no).order_by(v.c.report_id, v.c.version)):
        out[(rid, fid)] = (value, status)
    return out


def _number(v):
    if isinstance(v, (Decimal, float)):
        d = Decimal(str(v)).normalize()
        return int(d) if d == d.to_integral_value() else d
    return v


def _parquet(out, header, rows, float_columns=()) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise CorpusError("导出 parquet 需要 pyarrow：pip install 'gongkai[parquet]'")
    cols = {h: [] for h in header}
    n = 0
    for r in rows:
        for h, x in zip(header, r):
            cols[h].append(float(x) if isinstance(x, Decimal) else x)
        n += 1
    for h in float_columns:
        cols[h] = [None if x is None else float(x) for x in cols[h]]
    table = pa.table(cols)
    pq.write_table(table, out)
    return n


FORMULA_START = tuple("=+-@\t\r")    # a spreadsheet would run a cell that starts so: written as text


def as_text_if_formula(row_cells) -> None:
    """Mark the string cells of one written worksheet row that a spreadsheet would run
    as a formula (an agency or comment 「=HYPERLINK(…)」) as plain text."""
    for cell in row_cells:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            cell.data_type = "s"


def _workbook(header, rows, sheet: str):
    from openpyxl import Workbook
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    n = 0
    for r in rows:
        ws.append([float(x) if isinstance(x, Decimal) else x for x in r])
        as_text_if_formula(ws[ws.max_row])
        n += 1
    return wb, n


def _xlsx(corpus, out, header, rows, layout, where, as_parsed=False) -> int:
    wb, n = _workbook(header, rows, "数据" if layout == "wide" else "明细")
    if layout == "wide":
        if n <= MAX_REPORT_SHEETS:
            _report_sheets(corpus, wb, where, as_parsed)
        else:
            note = wb.create_sheet("说明")
            note.append([f"报告数 {n} 超过 {MAX_REPORT_SHEETS}，未按国家表格样式逐份生成工作表；"
                         "请用 --year/--province/--agency 缩小范围后再导出。"])
    wb.save(out)
    return n


def _report_sheets(corpus, wb, where, as_parsed=False):
    from ..render.grids import t2_grid, t3_grid, t4_grid
    from ..render.template import write_grid
    header, rows = wide_rows(corpus, where, as_parsed)
    nmeta = len(META_COLUMNS) + len(IND_COLUMNS)
    used = set()
    for r in rows:
        meta = dict(zip(header[:nmeta], r[:nmeta]))
        values = {f: _number(v) for f, v in zip(header[nmeta:], r[nmeta:])}
        fmt = meta["format"] or "2021"
        title = f"{meta['report_id']}-{(meta['agency'] or '')[:18]}-{meta['year'] or ''}"
        title = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]
        while title in used:
            title = title[:28] + f"~{len(used) % 100}"
        used.add(title)
        ws = wb.create_sheet(title)
        ws.append([f"{meta['agency'] or ''}{meta['year'] or ''}年政府信息公开工作年度报告（表二、表三、表四）"])
        row = 3
        for cap, grid in (("二、主动公开政府信息情况", t2_grid(values, fmt)), ("三、收到和处理政府信息公开申请情况",
                                                                      t3_grid(values, fmt)),
                          ("四、政府信息公开行政复议、行政诉讼情况", t4_grid(values))):
            ws.cell(row, 1, cap)
            row = write_grid(ws, grid, row + 1, lambda text, cell: _xl_value(text)) + 1


def _xl_value(text):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


# ---------------------------------------------------------------- compare and stats

def find_reports(corpus, spec: str) -> list[int]:
    """A report id, or "AGENCY" / "AGENCY:YEAR" (matched on name) → report ids."""
    import sqlalchemy as sa
    r, a = S.reports, S.agencies
    if spec.isdigit():
        with corpus.engine.connect() as c:
            return [x for x in c.execute(sa.select(r.c.id).where(r.c.id == int(spec))).scalars()]
    name, _, year = spec.partition(":")
    q = sa.select(r.c.id).select_from(r.outerjoin(a, a.c.id == r.c.agency_id)).where(
        sa.or_(a.c.name == name, a.c.key == name, r.c.agency_raw == name))
    if year:
        q = q.where(r.c.year == int(year))
    with corpus.engine.connect() as c:
        return list(c.execute(q.order_by(r.c.year, r.c.id)).scalars())


def compare(corpus, a_id: int, b_id: int) -> dict:
    """Two reports side by side: meta and every field, differences marked."""
    import sqlalchemy as sa
    fids = corpus.field_ids
    out = {"reports": [], "fields": []}
    vals = []
    with corpus.engine.connect() as c:
        for rid in (a_id, b_id):
            row = c.execute(_meta_query([S.reports.c.id == rid])).first()
            if row is None:
                raise CorpusError(f"语料库中没有编号为 {rid} 的报告")
            out["reports"].append({"report_id": rid, "agency": row[1], "year": row[6], "format": row[7]})
            st = c.execute(sa.select(S.reports.c.status_codes).where(S.reports.c.id == rid)).scalar()
            vals.append((json.loads(row[-1]), st))
    (va, sa_), (vb, sb) = vals
    for i, f in enumerate(fids):
        x, y = va[i], vb[i]
        if sa_[i] == "-" and sb[i] == "-":
            continue
        out["fields"].append({"field": f, "a": x, "b": y, "a_status": S.STATUS_NAME[sa_[i]],
                              "b_status": S.STATUS_NAME[sb[i]], "differs": x != y})
    return out


def stats(corpus, by=("province", "year", "kind"), where=None) -> list[dict]:
    """Reports, applications and mean indicators grouped by region / year / kind."""
    import sqlalchemy as sa
    r, a = S.reports, S.agencies
    cols = {"province": a.c.province, "city": a.c.city, "year": r.c.year, "kind": a.c.kind, "format": r.c.format}
    bad = [b for b in by if b not in cols]
    if bad:
        raise CorpusError(f"无法按 {', '.join(bad)} 分组（可选 {', '.join(cols)}）")
    keys = [cols[b].label(b) for b in by]
    q = (sa.select(*keys, sa.func.count().label("reports"),
                   sa.func.sum(r.c.applications).label("applications"),
                   sa.func.avg(r.c.disclosure_rate).label("disclosure_rate"),
                   sa.func.avg(r.c.carry_rate).label("carry_rate"),
                   sa.func.sum(r.c.n_errors).label("errors"),
                   sa.func.sum(r.c.n_uncertain).label("uncertain_cells"))
         .select_from(r.outerjoin(a, a.c.id == r.c.agency_id))
         .group_by(*[cols[b] for b in by]).order_by(*[cols[b] for b in by]))
    for cond in where or []:
        q = q.where(cond)
    with corpus.engine.connect() as c:
        return [dict(row._mapping) for row in c.execute(q)]


def to_text_table(rows: list[dict]) -> str:
    if not rows:
        return "（无数据）"
    head = list(rows[0])
    fmt = [[("" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))) for v in r.values()] for r in rows]
    widths = [max(_w(h), *(_w(r[i]) for r in fmt)) for i, h in enumerate(head)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(head, widths))]
    lines += ["  ".join(_pad(x, w) for x, w in zip(r, widths)) for r in fmt]
    return "\n".join(lines)


def _w(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _pad(s: str, w: int) -> str:
    return s + " " * (w - _w(s))


def csv_text(rows: list[dict]) -> str:
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return buf.getvalue()
