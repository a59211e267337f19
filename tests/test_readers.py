"""Readers: HTML, DOCX, PDF (text layer) into the same exact, checked data; hostile
and broken input gets a clear message within bounded time and memory."""
import io
import random
import time
import zipfile

import pytest
from conftest import VENDORED
from fixtures import to_docx, to_html
from gongkai.synth import random_values

from gongkai import parse_file
from gongkai.errors import InputError, NoTables, UnsupportedFormat


def _exact(path, values):
    r = parse_file(path)
    wrong = [(f, x, r.value(f)) for f, x in values.items() if r.value(f) != x]
    assert not wrong, wrong[:5]
    assert not r.uncertain
    return r


@pytest.mark.parametrize("fmt", ["2021", "2019"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_html_page_and_fragment(tmp_path, fmt, seed):
    v = random_values(random.Random(seed), fmt)
    p = tmp_path / "page.html"
    p.write_bytes(to_html(v, fmt))
    r = _exact(p, v)
    assert r.meta["agency"] == "某某市某某局" and r.meta["format"] == fmt and r.meta["reader"] == "html"
    c = r.cells["t3.new.total"]
    assert c.source.table is not None and c.source.row is not None and c.source.col is not None
    f = tmp_path / "fragment.htm"
    f.write_bytes(to_html(v, fmt, page=False))
    _exact(f, v)


def test_html_gbk_charset_and_nbsp_blanks(tmp_path):
    v = random_values(random.Random(9), "2021")
    for k in ("t3.partial.research", "t4.review.other", "t2.coercion.decisions"):
        v[k] = None
    p = tmp_path / "gbk.html"
    p.write_bytes(to_html(v, "2021", charset="gbk"))
    r = parse_file(p)
    assert all(r.value(f) == x for f, x in v.items())
    assert r.cells["t3.partial.research"].status == "blank"
    assert "cells.blank" in {f.rule for f in r.findings}


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_docx_with_merged_cells(tmp_path, fmt):
    v = random_values(random.Random(4), fmt)
    p = tmp_path / "r.docx"
    p.write_bytes(to_docx(v, fmt))
    r = _exact(p, v)
    assert r.meta["reader"] == "docx" and r.meta["format"] == fmt
    src = r.cells["t3.total.total"].source
    assert src.table == 2 and src.col is not None


def test_real_text_layer_pdf_with_page_break_inside_table3():
    r = parse_file(VENDORED / "dev" / "huaian_city_gov_2024.pdf")
    assert r.meta["agency"] == "淮安市人民政府" and r.meta["year"] == 2024
    assert r.value("t3.new.total") == 3119 and r.value("t3.unavailable.needs_creation.total") == 11
    src = r.cells["t3.carried_forward.total"].source
    assert src.page == 5 and src.bbox and len(src.bbox) == 4
    assert not {f.rule for f in r.findings} & {"t3.balance", "t3.row_total", "t3.outcome_total", "t4.group_total"}


def test_type_by_content_not_extension(tmp_path):
    v = random_values(random.Random(2), "2021")
    p = tmp_path / "actually-docx.pdf"
    p.write_bytes(to_docx(v))
    assert parse_file(p).meta["reader"] == "docx"
    q = tmp_path / "actually-html.txt"
    q.write_bytes(to_html(v))
    assert parse_file(q).meta["reader"] == "html"


# ---------------------------------------------------------------- hostile input
def _raises_fast(path, err, words, seconds=10):
    t = time.perf_counter()
    with pytest.raises(err) as e:
        parse_file(path)
    assert time.perf_counter() - t < seconds
    msg = str(e.value)
    assert str(path) in msg and any(w in msg for w in words), msg
    return msg


def test_truncated_pdf(tmp_path):
    data = (VENDORED / "dev" / "huaian_city_gov_2024.pdf").read_bytes()
    p = tmp_path / "cut.pdf"
    p.write_bytes(data[: len(data) // 3])
    try:
        r = parse_file(p)        # a truncated PDF may still yield its first pages …
        assert r.meta["reader"] == "pdf"
    except (InputError, NoTables) as e:   # … or a clear message
        assert str(p) in str(e)


def _pdf_with_pages(n: int) -> bytes:
    objs = ["<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [" + " ".join(f"{3 + i} 0 R" for i in range(n)) + f"] /Count {n} >>"]
    objs += ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * n
    out = b"%PDF-1.4\n"
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += f"{i} 0 obj\n{o}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offs)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_pdf_of_500_pages_is_refused_quickly(tmp_path):
    p = tmp_path / "big.pdf"
    p.write_bytes(_pdf_with_pages(500))
    _raises_fast(p, InputError, ["页数过多"])


def test_image_only_pdf_without_ocr_extra_says_so(tmp_path, monkeypatch):
    from gongkai.read import ocr
    monkeypatch.setattr(ocr, "available", lambda: False)
    p = tmp_path / "scan.pdf"
    p.write_bytes(_pdf_with_pages(2))
    msg = _raises_fast(p, UnsupportedFormat, ["OCR"])
    assert "gongkai[ocr]" in msg


def test_garbage_pdf(tmp_path):
    p = tmp_path / "bad.pdf"
    p.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 50)
    _raises_fast(p, InputError, ["PDF"])


def test_200mb_file_refused_without_reading(tmp_path):
    p = tmp_path / "huge.txt"
    with open(p, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)     # sparse: no disk used
    _raises_fast(p, InputError, ["过大"], seconds=2)


def test_docx_zip_bomb(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (120 * 1024 * 1024))
    p = tmp_path / "bomb.docx"
    p.write_bytes(buf.getvalue())
    _raises_fast(p, InputError, ["压缩炸弹", "过大"])


LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
          + "]>")


def test_docx_entity_expansion(tmp_path):
    v = random_values(random.Random(1), "2021")
    data = to_docx(v)
    zin = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in zin.infolist():
            b = zin.read(i.filename)
            if i.filename == "word/document.xml":
                s = b.decode("utf-8")
                head, rest = s.split("?>", 1)
                b = (head + "?>" + LAUGHS + rest.replace("本机关持续推进", "&lol9;", 1)).encode("utf-8")
            z.writestr(i, b)
    p = tmp_path / "laughs.docx"
    p.write_bytes(buf.getvalue())
    t = time.perf_counter()
    try:
        r = parse_file(p)
        assert r is not None
    except InputError as e:
        assert str(p) in str(e)
    assert time.perf_counter() - t < 10


def test_html_entity_expansion_and_no_table(tmp_path):
    p = tmp_path / "laughs.html"
    p.write_text(LAUGHS + "<html><body><p>&lol9;</p><p>某局2024年政府信息公开工作年度报告</p></body></html>", "utf-8")
    t = time.perf_counter()
    with pytest.raises(NoTables):
        parse_file(p)
    assert time.perf_counter() - t < 10
    q = tmp_path / "notable.html"
    q.write_text("<html><body><h1>通知公告</h1><p>没有表格的网页</p></body></html>", "utf-8")
    _raises_fast(q, NoTables, ["未找到"])


def test_xlsx_and_random_zip_are_not_reports(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    p = tmp_path / "a.docx"
    p.write_bytes(buf.getvalue())
    _raises_fast(p, UnsupportedFormat, ["Excel"])


def test_html_cells_built_from_p_and_div(tmp_path):
    import re
    v = random_values(random.Random(8), "2021")
    html = to_html(v).decode("utf-8")
    # split long labels into <p> pieces and wrap numbers in <div>, as some CMSs print them
    html = re.sub(r"<td([^>]*)>([^<]{8,})</td>",
                  lambda m: f"<td{m.group(1)}><p>{m.group(2)[:5]}</p><p>{m.group(2)[5:]}</p></td>", html)
    html = re.sub(r"<td>(\d+)</td>", r"<td><div><span>\1</span></div></td>", html)
    p = tmp_path / "p.html"
    p.write_text(html, "utf-8")
    _exact(p, v)


def test_legacy_doc_through_libreoffice(tmp_path, monkeypatch):
    import os
    import shutil
    import subprocess
    from gongkai.read import legacy
    v = random_values(random.Random(6), "2021")
    src = tmp_path / "r.docx"
    src.write_bytes(to_docx(v))
    if shutil.which("soffice") is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice missing: scripts/system-deps.sh installs it")
        pytest.skip("LibreOffice not installed")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/prof", "--headless", "--convert-to",
                    "doc", "--outdir", str(tmp_path), str(src)], capture_output=True, timeout=180, check=True)
    doc = tmp_path / "r.doc"
    assert doc.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    r = _exact(doc, v)
    assert r.meta["reader"] == "doc"
    # without LibreOffice: one clear line
    monkeypatch.setattr(legacy, "find_soffice", lambda: None)
    with pytest.raises(UnsupportedFormat) as e:
        parse_file(doc)
    assert "LibreOffice" in str(e.value) and str(doc) in str(e.value)
