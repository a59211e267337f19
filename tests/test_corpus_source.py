"""The source beside the data (corpus.source_view, corpus.detail): a PDF cell's page
image and box, a text cell's lines, an HTML cell in its table, a finding's cells, the
original file gone or changed, a pluggable locator for the bytes, the scope."""
import shutil
from pathlib import Path

import pytest
from webkit import build_corpus, cheap_argon2, report_ids  # noqa: F401

from gongkai.corpus import accounts as A
from gongkai.corpus import originals as O
from gongkai.corpus import source_view as V
from gongkai.corpus.detail import report_detail

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "tests" / "corpus" / "dev" / "pingtan_cez_2022_page.html"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from argon2 import PasswordHasher
    from gongkai.corpus.importer import import_paths
    mp = pytest.MonkeyPatch()
    mp.setattr(A, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    c = build_corpus(tmp_path_factory.mktemp("src") / "c.db")
    mp.undo()
    s = import_paths(c, [str(HTML)], workers=1)
    assert s.imported == 1
    return c


def _rid(corpus, name_part: str) -> int:
    import sqlalchemy as sa
    from gongkai.corpus import schema as S
    with corpus.engine.connect() as c:
        rows = c.execute(sa.select(S.reports.c.id, S.documents.c.path)
                         .select_from(S.reports.join(S.documents))).all()
    return next(i for i, p in rows if name_part in p)


def _cell(corpus, rid, fid):
    import sqlalchemy as sa
    from gongkai.corpus import schema as S
    with corpus.engine.connect() as c:
        return c.execute(sa.select(S.cells).join(S.fields, S.fields.c.no == S.cells.c.field_no)
                         .where(S.cells.c.report_id == rid, S.fields.c.id == fid)).first()


def test_pdf_cell_gives_its_page_image_and_a_box_around_its_number(corpus):
    import io

    import pypdfium2 as pdfium
    from PIL import Image
    rid = _rid(corpus, "huaian_city_gov_2024.pdf")
    v = V.cell_source(corpus, rid, "t3.new.total", A.EVERYTHING)
    assert v.kind == "pdf" and v.page == 4 and v.n_pages == 6 and v.value == 3119 and not v.problem
    w, h = v.image
    b = v.box
    assert 0 <= b.x < b.x + b.w <= w and 0 <= b.y < b.y + b.h <= h
    vx, vy, vw, vh = v.view                         # the crop shown holds the box
    assert vy <= b.y and b.y + b.h <= vy + vh and vh < h
    png = V.page_image(ROOT / "src" / "gongkai" / "samples" / "huaian_city_gov_2024.pdf", 4)
    img = Image.open(io.BytesIO(png))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and img.size == (w, h)
    # the box, back in PDF points (bottom-left origin), holds exactly the printed number
    pdf = pdfium.PdfDocument(str(ROOT / "src" / "gongkai" / "samples" / "huaian_city_gov_2024.pdf"))
    page = pdf[3]
    H = page.get_height()
    x0, y0, x1, y1 = (b.x / V.SCALE, b.y / V.SCALE, (b.x + b.w) / V.SCALE, (b.y + b.h) / V.SCALE)
    text = page.get_textpage().get_text_bounded(left=x0, bottom=H - y1, right=x1, top=H - y0)
    pdf.close()
    assert text.strip() == "3119"
    # and the pixels there are ink, not paper
    crop = img.convert("L").crop((int(b.x), int(b.y), int(b.x + b.w), int(b.y + b.h)))
    assert crop.getextrema()[0] < 100
    whole = V.cell_source(corpus, rid, "t3.new.total", A.EVERYTHING, whole=True)
    assert whole.view == (0.0, 0.0, float(w), float(h))
    bare = V.cell_source(corpus, rid, None, A.EVERYTHING, page=2)
    assert bare.kind == "pdf" and bare.page == 2 and bare.box is None


def test_page_images_are_cached_and_bounded(tmp_path):
    pdf = ROOT / "src" / "gongkai" / "samples" / "huaian_city_gov_2024.pdf"
    a = V.page_image(pdf, 1, scale=0.5)
    assert V.page_image(pdf, 1, scale=0.5) is a                   # from the cache
    with pytest.raises(ValueError):
        V.page_image(pdf, 7)
    lru = O._LRU(10)
    for k in range(5):
        lru.put(k, b"abcd")
    assert lru.used <= 10 and list(lru.items) == [3, 4]


def test_text_cell_gives_the_lines_around_it_with_its_line_highlighted(corpus):
    rid = report_ids(corpus)["海东市公安局"]
    x = _cell(corpus, rid, "t3.new.total")
    v = V.cell_source(corpus, rid, "t3.new.total", A.EVERYTHING)
    assert v.kind == "lines" and not v.problem
    hot = [(no, text) for no, text, on in v.lines if on]
    assert [no for no, _t in hot] == [x.line]
    assert str(int(x.value)) in hot[0][1]
    numbers = [no for no, _t, _on in v.lines]
    assert numbers == list(range(x.line - V.CONTEXT_LINES, x.line + V.CONTEXT_LINES + 1))
    from gongkai.read import read_document
    sample = read_document(ROOT / "src" / "gongkai" / "samples" / "003_5f1914cbe288c934.txt")
    assert v.lines[0][1] == sample.text.split("\n")[numbers[0] - 1]


def test_html_cell_is_shown_in_its_table(corpus):
    rid = _rid(corpus, "pingtan_cez_2022_page.html")
    v = V.cell_source(corpus, rid, "t3.new.total", A.EVERYTHING)
    assert v.kind == "cell" and not v.problem
    hot = [(r, text) for r, line in enumerate(v.table) for text, _span, on in line if on]
    assert len(hot) == 1 and hot[0][1] == "74"
    row = [text for text, _s, _on in v.table[hot[0][0]]]
    assert row[0] == "一、本年新收政府信息公开申请数量" and row[-1] == "74"
    assert sum(span for _t, span, _on in v.table[hot[0][0]]) == sum(span for _t, span, _on in v.table[0])


def test_a_finding_shows_every_cell_it_names(corpus):
    rid = report_ids(corpus)["海东市公安局"]
    d = report_detail(corpus, rid, A.EVERYTHING)
    f = next(x for x in d.findings if len(x["cells"]) > 1)
    v = V.cell_source(corpus, rid, None, A.EVERYTHING, finding=f["id"])
    assert v.finding["rule"] == f["rule"] and v.field in f["cells"]
    lines = {_cell(corpus, rid, c).line for c in f["cells"]} - {None}
    shown = {no for no, _t, on in v.lines if on}
    assert shown and shown <= lines | set(f["lines"])
    assert V.cell_source(corpus, rid, None, A.EVERYTHING, finding=10 ** 6).problem


def test_report_detail_has_three_tables_statuses_and_failing_cells(tmp_path):
    from gongkai.corpus import Corpus
    from gongkai.corpus.importer import import_paths
    from gongkai.synth import corpus as synth
    synth(3, tmp_path / "syn", ["txt"], seed=5, error_rate=1.0)
    c = Corpus(str(tmp_path / "e.db"))
    import_paths(c, [str(tmp_path / "syn")], workers=1)
    import sqlalchemy as sa
    from gongkai.corpus import schema as S
    with c.engine.connect() as k:
        ids = [r for (r,) in k.execute(sa.select(S.reports.c.id).where(S.reports.c.n_errors > 0))]
    assert ids
    d = report_detail(c, ids[0], A.EVERYTHING)
    assert [t for t, _title, _g in d.tables] == ["t2", "t3", "t4"]
    cells = {x.field: x for _t, _title, g in d.tables for line in g for x in line if x.field}
    errors = [f for f in d.findings if f["severity"] == "error" and f["cells"]]
    assert errors and set(errors[0]["cells"]) <= d.failing
    assert all(cells[f].failing for f in errors[0]["cells"] if f in cells)
    assert not all(x.failing for x in cells.values())
    assert all(x.status for x in cells.values()) and len([f for f in cells if f.startswith("t3.")]) == 175


def test_missing_or_changed_file_is_said_and_a_locator_can_supply_the_bytes(tmp_path):
    from gongkai.corpus import Corpus
    from gongkai.corpus.importer import import_paths
    src = ROOT / "src" / "gongkai" / "samples" / "003_5f1914cbe288c934.txt"
    f = tmp_path / "in" / "r.txt"
    f.parent.mkdir()
    shutil.copy(src, f)
    c = Corpus(str(tmp_path / "m.db"))
    import_paths(c, [str(f)], workers=1)
    rid = _rid(c, "r.txt")
    assert V.cell_source(c, rid, "t3.new.total", A.EVERYTHING).kind == "lines"
    spool = tmp_path / "spool"
    spool.mkdir()
    shutil.move(f, spool / "kept")
    v = V.cell_source(c, rid, "t3.new.total", A.EVERYTHING)
    assert v.kind == "none" and v.problem == O.MISSING_FILE and v.value is not None
    assert "不在服务器上" in V.report_sections(c, rid, A.EVERYTHING).problem
    f.write_text(src.read_text("utf-8") + "\n改过了\n", "utf-8")
    assert V.cell_source(c, rid, "t3.new.total", A.EVERYTHING).problem == O.CHANGED_FILE
    files = O.SourceFiles()
    files.add(lambda sha, path: spool / "kept")                 # e.g. the upload spool, by content hash
    assert V.cell_source(c, rid, "t3.new.total", A.EVERYTHING, files).kind == "lines"


def test_sections_are_paragraphs(corpus):
    rid = _rid(corpus, "huaian_city_gov_2024.pdf")
    s = V.report_sections(corpus, rid, A.EVERYTHING)
    titles = [t for t, _p in s.items]
    assert titles[0] == "一、总体情况" and "五、存在的主要问题及改进情况" in titles
    assert all(p and "\n\n" not in p for _t, ps in s.items for p in ps)
    assert len(s.items[0][1]) >= 3


def test_nothing_outside_the_scope(corpus):
    rev = A.scope_of(next(u for u in A.list_users(corpus) if u.name == "rev_haidong"))
    rid = _rid(corpus, "huaian_city_gov_2024.pdf")
    assert V.cell_source(corpus, rid, "t3.new.total", rev) is None
    assert V.report_page_image(corpus, rid, 4, rev) is None
    assert V.report_sections(corpus, rid, rev) is None
    assert V.report_page_image(corpus, rid, 4, A.EVERYTHING)[:4] == b"\x89PNG"
    assert V.report_page_image(corpus, rid, 99, A.EVERYTHING) is None
    own = report_ids(corpus)["海东市公安局"]
    assert V.cell_source(corpus, own, "t3.new.total", rev).kind == "lines"
    assert V.report_page_image(corpus, own, 1, rev) is None          # a text report has no pages


def test_only_failing_checks_mark_cells():
    from gongkai.corpus.detail import failing_fields
    got = failing_fields([{"rule": "parse.uncertain", "severity": "warning", "cells": ["a"]},
                          {"rule": "t3.balance", "severity": "error", "cells": ["b"]},
                          {"rule": "cells.blank", "severity": "warning", "cells": ["d"]},
                          {"rule": "label.typo", "severity": "info", "cells": ["c"]}])
    assert got == {"b", "d"}
