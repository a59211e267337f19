"""机关名录 files: the catalogue exported to and imported from CSV or XLSX, with Chinese
headers (``COLUMNS``: 名称, 省, 市, 县/区, 层级, 类别, 上级机关, 别名).

Export → edit → import gives back what was edited.  An import finds each row's agency by
its 名称 (the name shown, else the name's key or an alias), else by one of its 别名 (then
the row renames that agency), else creates it.  A cell left empty keeps the stored value
(a new agency: the value read from its name); 「无」 removes it.  层级 and 类别 take the
Chinese name or the code.  别名 are separated by 「；」.  Changed rows are marked
``mapped_by = user`` (later automatic imports keep them) and audited.

All or nothing: every row is checked first, and a file with any problem changes nothing;
the problems are reported one per line, naming the row (the header is row 1).  The old
English headers of ``gongkai corpus agencies --export`` (key, name, province, city, county,
kind, parent) are still read."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import schema as S
from .accounts import EVERYTHING, Scope
from .export import FORMULA_START   # such a cell is written with a leading ' (CSV and XLSX alike)
from .agencies import _insert_absent, add_alias, clean_name, describe, kind_names, level_names, province_names
from .audit import record
from .catalogue import CLEAR, CatalogueError, agency_named, agency_row, all_agencies, creates_cycle, parse_kind, \
    parse_level, resolve_parent, snapshot

COLUMNS = ["名称", "省", "市", "县/区", "层级", "类别", "上级机关", "别名"]
LEGACY = {"name": "名称", "province": "省", "city": "市", "county": "县/区", "kind": "类别", "parent": "上级机关",
          "level": "层级", "key": "key"}
FIELDS = {"省": "province", "市": "city", "县/区": "county", "层级": "level", "类别": "kind"}
ALIAS_SEP = "；"
ALIAS_SPLIT = re.compile(r"[；;|\n]")
FORMATS = ("csv", "xlsx")
MAX_ROWS = 50_000
MAX_XLSX_UNPACKED = 200 * 1024 * 1024     # an XLSX is a ZIP: its members, uncompressed
MAX_NAME = 200
MAX_PLACE = 60


def format_of(name) -> str:
    """The catalogue format of a file name (.csv or .xlsx)."""
    suffix = Path(str(name)).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise CatalogueError(f"「{Path(str(name)).name[:80]}」不是名录文件：应为 .csv 或 .xlsx")
    return suffix


# ------------------------------------------------------------------ export

def _safe(v: str) -> str:
    return "'" + v if v.startswith(FORMULA_START) else v


def catalogue_rows(corpus, scope: Scope = EVERYTHING) -> list[list[str]]:
    """The header and one row per agency of ``scope``."""
    kinds, levels = kind_names(), level_names()
    out = [list(COLUMNS)]
    for x in all_agencies(corpus, scope):
        out.append([x.name, x.province or "", x.city or "", x.county or "", levels.get(x.level or "", x.level or ""),
                    kinds.get(x.kind or "", x.kind or ""), x.parent or "", ALIAS_SEP.join(x.aliases)])
    return out


def catalogue_bytes(corpus, fmt: str, scope: Scope = EVERYTHING) -> bytes:
    """The catalogue of ``scope`` as a CSV (UTF-8 with BOM, for Excel) or XLSX file."""
    rows = catalogue_rows(corpus, scope)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        for r in rows:
            w.writerow([_safe(v) for v in r])
        return buf.getvalue().encode("utf-8-sig")
    if fmt != "xlsx":
        raise CatalogueError(f"不支持的名录格式：{fmt}（可选 csv、xlsx）")
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("机关名录")
    for r in rows:
        cells = []
        for v in r:
            cell = WriteOnlyCell(ws, value=v)
            cell.data_type = "s"          # text, never a formula
            cells.append(cell)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_file(corpus, path) -> int:
    """Write the whole catalogue to ``path`` (.csv or .xlsx); returns the number of agencies."""
    data = catalogue_bytes(corpus, format_of(path))
    try:
        Path(path).write_bytes(data)
    except OSError as e:
        raise CatalogueError(f"{path}：无法写入名录文件（{e.strerror or e}）") from None
    return len(catalogue_rows(corpus)) - 1


# ------------------------------------------------------------------ reading a file

def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    if s.startswith("'") and s[1:2] and s[1] in FORMULA_START:
        s = s[1:]                         # written so by the export
    return s


def _csv_rows(data: bytes) -> list[list[str]]:
    if data[:4] == b"PK\x03\x04":
        raise CatalogueError("这是 XLSX 文件，但文件名是 .csv：请改为 .xlsx 后再导入")
    for enc in ("utf-8-sig", "gb18030"):           # Excel in Chinese saves CSV as GBK
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise CatalogueError("无法识别 CSV 文件的编码：请保存为 UTF-8 或 GBK")
    if "\x00" in text:
        raise CatalogueError("CSV 文件含有空字符，不像文本文件：请检查是否选错了文件")
    try:
        return [[_text(v) for v in r] for r in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as e:
        raise CatalogueError(f"CSV 文件格式有误（{e}）") from None


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_XLSX_UNPACKED:
                raise CatalogueError("XLSX 文件解压后过大，拒绝读取")
        from openpyxl import load_workbook
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            rows = []
            for r in ws.iter_rows(values_only=True):
                rows.append([_text(v) for v in r])
                if len(rows) > MAX_ROWS + 1:
                    break
            return rows
        finally:
            wb.close()
    except CatalogueError:
        raise
    except Exception as e:                         # a damaged or foreign file: never a traceback
        raise CatalogueError(f"无法读取 XLSX 文件（{e.__class__.__name__}）：请确认它是 Excel 工作簿") from None


def read_table(data: bytes, fmt: str) -> list[tuple[int, dict]]:
    """The rows of a catalogue file as (row number, {column: text}); the header checked.
    Raises CatalogueError for a file that cannot be read as a catalogue."""
    rows = _csv_rows(data) if fmt == "csv" else _xlsx_rows(data)
    numbered = [(i, r) for i, r in enumerate(rows, 1) if any(r)]
    if not numbered:
        raise CatalogueError("名录文件是空的：第一行应为表头 " + "、".join(COLUMNS))
    hno, header = numbered[0]
    cols = []
    for h in header:
        h = unicodedata.normalize("NFKC", h).strip()
        col = h if h in COLUMNS else LEGACY.get(h.lower()) if h else None
        if h and col is None:
            raise CatalogueError(f"第 {hno} 行：未知的列「{h[:30]}」（表头应为 {'、'.join(COLUMNS)}）")
        if col and col in cols:
            raise CatalogueError(f"第 {hno} 行：列「{h[:30]}」出现了两次")
        cols.append(col)
    if "名称" not in cols and "key" not in cols:
        raise CatalogueError(f"第 {hno} 行：缺少「名称」列（表头应为 {'、'.join(COLUMNS)}）")
    body = numbered[1:]
    if len(body) > MAX_ROWS:
        raise CatalogueError(f"名录文件行数过多（上限 {MAX_ROWS} 行）：请分成几个文件导入")
    out = []
    for no, r in body:
        row = {c: (r[i] if i < len(r) else "") for i, c in enumerate(cols) if c}
        if "key" in row:                            # the old mapping file: key is a name too
            key = row.pop("key")
            row["名称"] = row.get("名称") or key
            if key and key != row["名称"]:
                row["别名"] = ALIAS_SEP.join(x for x in (row.get("别名"), key) if x)
        out.append((no, row))
    return out


# ------------------------------------------------------------------ checking and applying

KEEP = object()                                     # an empty cell: the stored value stays


@dataclass
class _Row:
    no: int
    name: str
    values: dict = field(default_factory=dict)      # field → value, None (无) or KEEP
    parent: str = ""
    aliases: list[str] = field(default_factory=list)
    agency: int | None = None
    created: bool = False


def _bad_chars(s: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in s)


def _check(no: int, row: dict, problems: list[str]) -> _Row | None:
    here = len(problems)
    name = clean_name(row.get("名称", ""))
    if not name:
        problems.append(f"第 {no} 行：名称为空")
    elif len(name) > MAX_NAME or _bad_chars(name):
        problems.append(f"第 {no} 行：名称「{name[:40]}」过长或含控制字符")
    out = _Row(no=no, name=name, parent=row.get("上级机关", "").strip())
    provinces = province_names()
    for col, f in FIELDS.items():
        t = row.get(col, "").strip()
        if not t:
            out.values[f] = KEEP
        elif t == CLEAR:
            out.values[f] = None
        elif f == "province":
            if t not in provinces:
                problems.append(f"第 {no} 行：省「{t[:20]}」不是省级行政区的名称（如 江苏省、北京市）")
            out.values[f] = provinces.get(t)
        elif f in ("city", "county"):
            if len(t) > MAX_PLACE or _bad_chars(t):
                problems.append(f"第 {no} 行：{col}「{t[:20]}」过长或含控制字符")
            out.values[f] = t
        else:
            try:
                out.values[f] = parse_kind(t) if f == "kind" else parse_level(t)
            except CatalogueError as e:
                problems.append(f"第 {no} 行：{e}")
    for a in ALIAS_SPLIT.split(row.get("别名", "")):
        a = clean_name(a)
        if not a or a == name or a in out.aliases:
            continue
        if len(a) > MAX_NAME or _bad_chars(a):
            problems.append(f"第 {no} 行：别名「{a[:40]}」过长或含控制字符")
        out.aliases.append(a)
    return out if len(problems) == here else None


def _identify(c, r: _Row, by: str, problems: list[str]) -> None:
    """Find (or create) the row's agency: by its name, else by its aliases."""
    import sqlalchemy as sa
    a = S.agencies
    mine = agency_named(c, r.name)
    others: dict[int, str] = {}
    for alias in r.aliases:
        aid = agency_named(c, alias)
        if aid is not None and aid != mine:
            others.setdefault(aid, alias)
    if mine is not None and others:
        aid, alias = next(iter(others.items()))
        owner = c.execute(sa.select(a.c.name).where(a.c.id == aid)).scalar()
        problems.append(f"第 {r.no} 行：别名「{alias}」已是另一机关「{owner}」的名称或别名："
                        f"如是同一机关，请先在名录页合并两者")
        return
    if len(others) > 1:
        problems.append(f"第 {r.no} 行：别名 {'、'.join(f'「{x}」' for x in others.values())} 分属不同机关："
                        f"请先在名录页合并它们")
        return
    if mine is None and others:
        r.agency = next(iter(others))
        return
    if mine is not None:
        r.agency = mine
        return
    info = describe(r.name)
    c.execute(_insert_absent(c, a, dict(key=info.key, name=info.name, province=info.province, city=info.city,
                                        county=info.county, kind=info.kind, level=info.level,
                                        mapped_by="user")))
    r.agency = c.execute(sa.select(a.c.id).where(a.c.key == info.key)).scalar()
    c.execute(_insert_absent(c, S.agency_aliases, dict(key=info.key, name=info.name, agency_id=r.agency,
                                                       source="user")))
    r.created = True
    record(c, by, "agency.add", "agencies", r.agency, None, {"name": info.name, "file_row": r.no})


def _apply(c, r: _Row, by: str, problems: list[str]) -> bool:
    """Write the row's values to its agency; True when something changed."""
    a = S.agencies
    row = agency_row(c, r.agency)
    new = {}
    if r.name != row.name:
        new["name"] = r.name
        add_alias(c, r.agency, r.name, "user")
    for f, v in r.values.items():
        if v is not KEEP and v != row._mapping[f]:
            new[f] = v
    try:
        if r.parent:
            pid = resolve_parent(c, r.agency, r.parent)
        elif r.created:                               # not said: the parent the name tells, if listed
            key = describe(r.name).parent_key
            pid = agency_named(c, key) if key else None
        else:
            pid = row.parent_id
    except CatalogueError as e:
        problems.append(f"第 {r.no} 行：{e}")
        return False
    if pid != row.parent_id:
        new["parent_id"] = pid
    added = [x for x in r.aliases if add_alias(c, r.agency, x, "user")]
    if not (new or added):
        return r.created
    c.execute(a.update().where(a.c.id == r.agency).values(**new, mapped_by="user"))
    if not r.created:
        old = {k: v for k, v in snapshot(row).items() if k in new}
        record(c, by, "agency.import", "agencies", r.agency, old, {**new, "aliases": added, "file_row": r.no})
    return True


@dataclass
class ImportResult:
    applied: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if not self.applied:
            return f"名录文件有 {len(self.problems)} 处问题，未做任何修改"
        return f"已导入名录：新增 {self.created} 个机关，修改 {self.updated} 个，{self.unchanged} 个无变化"


def import_catalogue(corpus, data: bytes, fmt: str, by: str = "") -> ImportResult:
    """Check every row of a catalogue file, then apply them all in one transaction, or
    (any problem) none.  Raises CatalogueError for a file that cannot be read at all."""
    import sqlalchemy as sa
    if fmt not in FORMATS:
        raise CatalogueError(f"不支持的名录格式：{fmt}（可选 csv、xlsx）")
    table = read_table(data, fmt)
    problems: list[str] = []
    checked = [r for r in (_check(no, row, problems) for no, row in table) if r is not None]
    result = ImportResult(applied=False, problems=problems)
    with corpus.engine.connect() as c:
        tx = c.begin()
        try:
            seen: dict[int, int] = {}
            rows = []
            for r in checked:
                _identify(c, r, by, problems)
                if r.agency is None:
                    continue
                if r.agency in seen:
                    problems.append(f"第 {r.no} 行：「{r.name}」与第 {seen[r.agency]} 行是同一机关")
                    continue
                seen[r.agency] = r.no
                rows.append(r)
            for r in rows:
                changed = _apply(c, r, by, problems)
                result.created += r.created
                result.updated += changed and not r.created
                result.unchanged += not changed
            for r in rows:
                parent = c.execute(sa.select(S.agencies.c.parent_id).where(S.agencies.c.id == r.agency)).scalar()
                if parent is not None and creates_cycle(c, r.agency, parent):
                    problems.append(f"第 {r.no} 行：上级机关「{r.parent}」使上下级关系形成循环")
            if problems:
                tx.rollback()
                return ImportResult(applied=False, problems=problems)
            tx.commit()
        except BaseException:
            tx.rollback()
            raise
    result.applied = True
    return result


def import_file(corpus, path, by: str = "", name: str | None = None) -> ImportResult:
    """Import the catalogue file at ``path``, a .csv or .xlsx by its ``name`` (default:
    the path; an upload is stored under another name)."""
    fmt = format_of(name or path)
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise CatalogueError(f"{path}：无法读取名录文件（{e.strerror or e}）") from None
    return import_catalogue(corpus, data, fmt, by)
