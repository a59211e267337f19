"""Differential tests (issue 10 item 12): the same report in several forms must give the
same cells, or flag the ones that differ (never two confident, different values)."""
import random

import pytest

from conftest import SHARED, VENDORED
from gongkai.pipeline import parse_file
from gongkai.render import RenderInput, render
from gongkai.render.style import Style
from gongkai.synth import random_values, write


def _agree_or_flagged(a, b, label):
    assert set(a.cells) == set(b.cells), label
    for fid in a.cells:
        ca, cb = a.cells[fid], b.cells[fid]
        if ca.value == cb.value:
            continue
        assert "uncertain" in (ca.status, cb.status), (label, fid, ca.value, ca.status, cb.value, cb.status)


def test_pingtan_crawler_text_and_saved_page_agree():
    d = SHARED / "corpus" / "dev"
    txt, page = d / "pingtan_cez_2022.txt", d / "pingtan_cez_2022_page.html"
    if not page.exists():
        pytest.skip("shared corpus without the saved page (set GONGKAI_SHARED)")
    a, b = parse_file(txt), parse_file(page)
    _agree_or_flagged(a, b, "pingtan")
    # both forms are exact on this report: the same confident cells
    assert {f: c.value for f, c in a.cells.items()} == {f: c.value for f, c in b.cells.items()}
    assert a.meta["year"] == b.meta["year"] and a.meta["format"] == b.meta["format"]


@pytest.mark.parametrize("seed", range(6))
def test_same_synthetic_report_in_every_form_agrees(seed, tmp_path):
    rng = random.Random(seed)
    fmt = "2019" if seed % 3 == 0 else "2021"
    values = random_values(rng, fmt, scale=rng.choice([3, 40, 900]))
    text, _truth = write(values, rng.choice(["clean", "broken", "tabs"]), fmt, rng, agency="某市某局", year=2023)
    (tmp_path / "r.txt").write_text(text, "utf-8")
    reports = {"txt": parse_file(tmp_path / "r.txt")}
    inp = RenderInput("某市某局", 2023, values, fmt, fmt, "2024-01-20", {"overview": "本机关持续推进政务公开。"})
    forms = ("html", "docx", "pdf") if seed < 2 else ("html", "docx")
    for to in forms:
        render(inp, to, tmp_path / f"r.{to}", force=True, style=Style.random(rng))
        reports[to] = parse_file(tmp_path / f"r.{to}")
    base = reports["txt"]
    for to, rep in reports.items():
        _agree_or_flagged(base, rep, f"txt vs {to}")


def test_vendored_seed_is_stable_under_reparse():
    p = sorted((VENDORED / "seeds").glob("*.txt"))[0]
    _agree_or_flagged(parse_file(p), parse_file(p), p.name)
