"""Fill-in templates for agencies: YAML (text) and XLSX laid out like the official tables
(a sheet per table in the printed structure; the sheet 字段 maps every field ID to its
cell).  Both are read back by ``load_template`` as render input."""
from __future__ import annotations

import io
from pathlib import Path

from ..errors import InputError
from ..formats import national
from .grids import t2_grid, t3_grid, t4_grid

SECTIONS_HINT = {"overview": "一、总体情况（正文）", "problems": "五、存在的主要问题及改进情况（正文）",
                 "other": "六、其他需要报告的事项（正文）"}


def _fields(fmt: str):
    nf = national()
    labels = {f: l for f, l, _m in nf.all_fields()}
    return [(f, labels[f]) for f in nf.field_ids(fmt, fmt)]


def yaml_template(year: int, fmt: str = "2021") -> str:
    out = [f"# 政府信息公开工作年度报告数据模板（{fmt} 格式）。填写后运行：gongkai render 本文件 -o 报告.docx",
           "# 空白请保留 null；若确为 0 请填 0。金额单位：万元。", "meta:",
           '  agency: ""        # 机关名称，与标题一致，如：某某市人民政府',
           f"  year: {year}", f'  format: "{fmt}"', '  date: ""          # 成文日期 YYYY-MM-DD', "sections:"]
    for sid, hint in SECTIONS_HINT.items():
        out += [f"  {sid}: |          # {hint}", "    "]
    out.append("cells:")
    for fid, label in _fields(fmt):
        out.append(f"  {fid}: null    # {label}")
    return "\n".join(out) + "\n"


def write_grid(ws, grid, first_row: int = 1, place=None) -> int:
    """Write a (text, rowspan, colspan) grid into an openpyxl sheet from ``first_row``,
    merged and ruled; ``place(text, cell)`` returns the value to write (default: text).
    Returns the next free row."""
    from openpyxl.styles import Alignment, Border, Side
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    occ = set()
    last = first_row
    for k, row in enumerate(grid):
        ri = first_row + k
        ci = 1
        for text, rs, cs in row:
            while (ri, ci) in occ:
                ci += 1
            cell = ws.cell(ri, ci)
            cell.value = place(text, cell) if place else text
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            if rs > 1 or cs > 1:
                ws.merge_cells(start_row=ri, start_column=ci, end_row=ri + rs - 1, end_column=ci + cs - 1)
            for dr in range(rs):
                for dc in range(cs):
                    occ.add((ri + dr, ci + dc))
                    ws.cell(ri + dr, ci + dc).border = border
            last = max(last, ri + rs)
            ci += cs
    return last


def xlsx_template(year: int, fmt: str = "2021") -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    info = wb.active
    info.title = "说明"
    rows = [("机关名称", ""), ("年度", year), ("格式", fmt), ("成文日期", ""),
            ("说明", "在表二、表三、表四工作表的空白格填写数字；空白表示未填，确为 0 请填 0；金额单位万元。")]
    for r, (k, v) in enumerate(rows, 1):
        info.cell(r, 1, k)
        info.cell(r, 2, v)
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 60
    fields = wb.create_sheet("字段")
    fields.append(["字段 ID", "工作表", "单元格", "名称"])
    marker = {f: f"§{f}" for f, _l in _fields(fmt)}
    grids = {"表二": t2_grid(marker, fmt), "表三": t3_grid(marker, fmt), "表四": t4_grid(marker)}
    labels = dict(_fields(fmt))
    for name, grid in grids.items():
        ws = wb.create_sheet(name)

        def place(text, cell, name=name):
            if text.startswith("§"):
                fid = text[1:]
                fields.append([fid, name, cell.coordinate, labels[fid]])
                return None
            return text
        write_grid(ws, grid, 1, place)
        from openpyxl.utils import get_column_letter
        for col in range(1, 16):
            ws.column_dimensions[get_column_letter(col)].width = 9 if name != "表三" or col > 3 else 16
    fields.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def load_template(path: Path):
    """A filled YAML or XLSX template → RenderInput."""
    from .data import RenderInput, _num
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        try:
            from openpyxl import load_workbook
            wb = load_workbook(io.BytesIO(data), data_only=True)
            info = {wb["说明"].cell(r, 1).value: wb["说明"].cell(r, 2).value for r in range(1, 6)}
            values = {}
            for fid, sheet, addr, _label in wb["字段"].iter_rows(min_row=2, values_only=True):
                v = wb[sheet][addr].value
                values[fid] = None if v in (None, "") else _num(v if not isinstance(v, str) else v.strip())
        except (KeyError, ValueError, OSError) as e:
            raise InputError(path, f"不是 gongkai 生成的 XLSX 模板，或模板已被改动（{e}）")
        meta = {"agency": info.get("机关名称"), "year": info.get("年度"), "format": info.get("格式"),
                "date": info.get("成文日期")}
        sections = {}
    else:
        import yaml
        try:
            doc = yaml.safe_load(data.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            raise InputError(path, f"YAML 模板无法解析（{e.__class__.__name__}）")
        if not isinstance(doc, dict):
            raise InputError(path, "YAML 模板格式不对：应有 meta、cells")
        meta = doc.get("meta") or {}
        values = {k: _num(v) for k, v in (doc.get("cells") or {}).items()}
        sections = {k: (v or "").strip() for k, v in (doc.get("sections") or {}).items()}
    if not meta.get("agency") or not meta.get("year"):
        raise InputError(path, "模板中缺少机关名称或年度")
    fmt = str(meta.get("format") or "2021")
    date = meta.get("date")
    date = str(date)[:10] if date else None
    return RenderInput(str(meta["agency"]), int(meta["year"]), values, fmt, fmt, date or None, sections)
