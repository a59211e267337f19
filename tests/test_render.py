"""Rendering: every rendered DOCX, PDF and HTML parses back to the same cells and meta
(property test over random consistent reports of both formats); errors refuse unless
--force, which stamps the document; blanks stay blank unless --blank-as-zero."""
import json
import os
import random
import subprocess
import sys

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from gongkai.synth import random_values

from gongkai import parse_file
from gongkai.render import RenderInput, render
from gongkai.render.build import STAMP, RenderRefused
from gongkai.render.style import BLANK_MARKS, FONTS, Style


def _inp(v, fmt, **kw):
    return RenderInput("某某县人民政府", 2024, v, fmt, fmt, "2025-01-20",
                       {"overview": "本县持续推进政务公开。", "problems": "仍需加强。"}, **kw)


styles = st.builds(Style, body_font=st.sampled_from(sorted(FONTS)), table_font=st.sampled_from(sorted(FONTS)),
                   body_pt=st.sampled_from([14.0, 16.0]), table_pt=st.sampled_from([9.0, 10.5, 12.0, 14.0]),
                   label_scale=st.sampled_from([0.7, 1.0, 1.2]), t3_new_page=st.booleans(),
                   blank_mark=st.sampled_from(BLANK_MARKS), margin_cm=st.sampled_from([1.8, 2.2, 2.8]))


def _values(seed, fmt, scale, blank_zeros):
    v = random_values(random.Random(seed), fmt, scale=scale)
    if blank_zeros:        # an agency that leaves its zero cells blank
        v = {f: (None if x == 0 and f[:3] in ("t3.", "t4.") else x) for f, x in v.items()}
    return v


def _round_trip(tmp_path, v, fmt, to, style=None):
    out = tmp_path / f"r.{to}"
    render(_inp(v, fmt), to, out, style=style)
    r = parse_file(out)
    assert r.meta["agency"] == "某某县人民政府" and r.meta["year"] == 2024 and r.meta["format"] == fmt
    wrong = [(f, x, r.value(f)) for f, x in v.items() if r.value(f) != x]
    assert not wrong, wrong[:5]
    blanks = [f for f, x in v.items() if x is None and r.cells[f].status != "blank"]
    assert not blanks, blanks[:5]
    assert not r.uncertain


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**9), fmt=st.sampled_from(["2021", "2019"]), to=st.sampled_from(["html", "docx"]),
       scale=st.sampled_from([3, 60, 900, 5000]), blank_zeros=st.booleans(), style=styles)
def test_round_trip_html_docx(tmp_path, seed, fmt, to, scale, blank_zeros, style):
    _round_trip(tmp_path, _values(seed, fmt, scale, blank_zeros), fmt, to, style)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**9), fmt=st.sampled_from(["2021", "2019"]), scale=st.sampled_from([3, 60, 5000]),
       blank_zeros=st.booleans(), style=styles)
def test_round_trip_pdf(tmp_path, seed, fmt, scale, blank_zeros, style):
    _round_trip(tmp_path, _values(seed, fmt, scale, blank_zeros), fmt, "pdf", style)


def test_t3_header_repeats_on_every_page_it_crosses(tmp_path):
    """PDF: the three header rows of 表三 are printed again on each page the table
    continues on; DOCX marks them as repeating header rows (w:tblHeader)."""
    import pypdfium2 as pdfium
    v = _values(1, "2021", 3000, False)
    style = Style(table_pt=14.0, t3_new_page=False)        # large type: 表三 cannot fit one page
    render(_inp(v, "2021"), "pdf", tmp_path / "r.pdf", style=style)
    pages = [p.get_textpage().get_text_range() for p in pdfium.PdfDocument(tmp_path / "r.pdf")]
    t3_pages = [i for i, t in enumerate(pages) if "属于" in t or "本年度办理结果" in t or "结转下年度" in t]
    assert len(t3_pages) >= 2
    for i in t3_pages:
        assert "申请人情况" in pages[i] and "法人或其他组织" in pages[i], i
    render(_inp(v, "2021"), "docx", tmp_path / "r.docx", style=style)
    import zipfile
    xml = zipfile.ZipFile(tmp_path / "r.docx").read("word/document.xml").decode()
    assert xml.count("<w:tblHeader/>") == 6            # 表三's 3 header rows + 表四's 3


def test_blanks_stay_blank_unless_asked(tmp_path):
    v = random_values(random.Random(2), "2021")
    v["t3.partial.research"] = None
    render(_inp(v, "2021"), "html", tmp_path / "a.html")
    assert parse_file(tmp_path / "a.html").cells["t3.partial.research"].status == "blank"
    render(_inp(v, "2021"), "html", tmp_path / "b.html", blank_as_zero=True)
    assert parse_file(tmp_path / "b.html").value("t3.partial.research") == 0


def test_errors_refuse_unless_forced_and_stamped(tmp_path):
    v = random_values(random.Random(3), "2021")
    v["t3.total.total"] += 5                       # breaks the arithmetic
    with pytest.raises(RenderRefused) as e:
        render(_inp(v, "2021"), "html", tmp_path / "x.html")
    assert any(f.rule == "t3.outcome_total" for f in e.value.findings)
    assert not (tmp_path / "x.html").exists()
    for to in ("html", "docx", "pdf"):
        render(_inp(v, "2021"), to, tmp_path / f"x.{to}", force=True)
    assert STAMP in (tmp_path / "x.html").read_text("utf-8")
    from gongkai.read import read_document
    for to in ("docx", "pdf"):
        assert STAMP in read_document(tmp_path / f"x.{to}").text


def test_render_cli_from_parse_output(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    src = ROOT / "tests" / "corpus" / "seeds" / "002_98b9844beaabac24.txt"
    subprocess.run([sys.executable, "-m", "gongkai", "parse", str(src), "-o", str(tmp_path), "-q"], env=env, check=True)
    js = tmp_path / "002_98b9844beaabac24.json"
    r = subprocess.run([sys.executable, "-m", "gongkai", "render", str(js), "-o", str(tmp_path / "out.docx")],
                       env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    back = parse_file(tmp_path / "out.docx")
    orig = json.loads(js.read_text())
    # sections keep the prose only: the tables are data (rendering them twice once made
    # the round trip read two conflicting 表四s)
    assert orig["sections"]["overview"] and not any(
        w in orig["sections"].get(s, "") for s in ("proactive", "requests", "review") for w in ("结果维持", "予以公开"))
    assert {f: back.value(f) for f in orig["cells"]} == {
        f: (v if not isinstance(v, float) else back.value(f)) for f, v in orig["cells"].items()}
    assert back.meta["agency"] == orig["meta"]["agency"]
    # a report whose arithmetic is broken is refused with exit 1 and the findings listed
    bad = json.loads(js.read_text())
    bad["cells"]["t3.new.total"] = 9
    (tmp_path / "bad.json").write_text(json.dumps(bad, ensure_ascii=False))
    r = subprocess.run([sys.executable, "-m", "gongkai", "render", str(tmp_path / "bad.json"), "-o",
                        str(tmp_path / "bad.html")], env=env, capture_output=True, text=True)
    assert r.returncode == 1 and "t3." in r.stderr and not (tmp_path / "bad.html").exists()
    # blank cells printed with a mark on request, read back as blank
    blank = json.loads(js.read_text())
    blank["cells"]["t4.review.upheld"] = None
    (tmp_path / "blank.json").write_text(json.dumps(blank, ensure_ascii=False))
    r = subprocess.run([sys.executable, "-m", "gongkai", "render", str(tmp_path / "blank.json"), "-o",
                        str(tmp_path / "blank.html"), "--blank-mark", "/"], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "<td>/</td>" in (tmp_path / "blank.html").read_text("utf-8")
    assert parse_file(tmp_path / "blank.html").cells["t4.review.upheld"].status == "blank"


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_templates_fill_and_render(tmp_path, fmt):
    """XLSX and YAML templates: filled with values, rendered, parsed back to the values."""
    import yaml
    from openpyxl import load_workbook
    v = random_values(random.Random(9), fmt)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    for kind in ("xlsx", "yaml"):
        t = tmp_path / f"t.{kind}"
        subprocess.run([sys.executable, "-m", "gongkai", "template", "--year", "2025", "--format", kind,
                        "--table-format", fmt, "-o", str(t)], env=env, check=True, capture_output=True)
        if kind == "xlsx":
            wb = load_workbook(t)
            wb["说明"]["B1"] = "某某区教育局"
            for fid, sheet, addr, _l in wb["字段"].iter_rows(min_row=2, values_only=True):
                x = v[fid]
                wb[sheet][addr] = float(x) if hasattr(x, "as_tuple") else x
            wb.save(t)
        else:
            doc = yaml.safe_load(t.read_text("utf-8"))
            assert set(doc["cells"]) == set(v)
            doc["meta"]["agency"] = "某某区教育局"
            doc["cells"] = {f: (str(x) if hasattr(x, "as_tuple") else x) for f, x in v.items()}
            doc["sections"]["overview"] = "全年依法公开。"
            t.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
        out = tmp_path / f"from-{kind}.html"
        r = subprocess.run([sys.executable, "-m", "gongkai", "render", str(t), "-o", str(out)], env=env,
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        back = parse_file(out)
        assert back.meta["agency"] == "某某区教育局" and back.meta["year"] == 2025
        wrong = [(f, x, back.value(f)) for f, x in v.items() if back.value(f) != x]
        assert not wrong, (kind, wrong[:4])


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_golden_render_files(fmt, tmp_path):
    """One report per format rendered to files that were checked by eye once
    (tests/golden/render; regenerate with regen.py after an intended change)."""
    import importlib.util
    gold = ROOT / "tests" / "golden" / "render"
    spec = importlib.util.spec_from_file_location("regen", gold / "regen.py")
    regen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(regen)
    from gongkai.render import load_input
    inp = load_input(gold / f"report-{fmt}.input.json")
    html, docx = regen.outputs(inp)
    assert html == (gold / f"report-{fmt}.html").read_text("utf-8")
    assert docx == (gold / f"report-{fmt}.document.xml").read_text("utf-8")
    # and the PDF of the same input parses back to the input's cells
    out = tmp_path / "r.pdf"
    render(inp, "pdf", out)
    back = parse_file(out)
    assert {f: back.value(f) for f in inp.values} == dict(inp.values)
