"""Section prose as paragraphs: hard wraps joined, page furniture and running titles
removed, headings kept; the narrative checks read whole sentences; rendering a
parsed report prints the paragraphs as the original."""
import re

import pytest
from conftest import VENDORED

from gongkai import parse_text
from gongkai.extract.narrative import claims
from gongkai.extract.prose import paragraphs, prose, running_lines, wrap_width
from gongkai.render.data import paragraphs as render_paragraphs

SEED = (VENDORED / "seeds" / "002_98b9844beaabac24.txt").read_text("utf-8")
TITLE = "洛阳市公安局偃师分局2024年政府信息公开工作年度报告"


def _seed_paragraphs(section_start, section_end):
    body = SEED[SEED.index(section_start) + len(section_start):SEED.index(section_end)]
    return paragraphs(body)


def _pdf_like(paras, width, footers=True):
    """Wrap paragraphs at ``width`` characters like a PDF extraction, with page
    footers and the running title inserted every 4 lines."""
    lines, page = [], 1
    for p in paras:
        lines.extend(p[i:i + width] for i in range(0, len(p), width))
    out = []
    for i, ln in enumerate(lines, 1):
        out.append(ln)
        if footers and i % 4 == 0:
            page += 1
            out.extend([f"— {page - 1} —", ["- %d -" % (page - 1), f"第 {page - 1} 页 共 9 页"][page % 2], TITLE])
    return "\n".join(out)


PROBLEMS = _seed_paragraphs("五、存在的主要问题及改进情况", "六、其他需要报告的事项")
OVERVIEW = _seed_paragraphs("一、总体情况", "二、主动公开政府信息情况")


def test_seed_section_is_paragraphs():
    assert PROBLEMS[0] == "（一）存在的主要问题" and "（二）改进情况" in PROBLEMS
    assert len(PROBLEMS) >= 6 and all("\n" not in p for p in PROBLEMS)


@pytest.mark.parametrize("width", [20, 27, 33, 40])
def test_wrapped_pdf_text_back_to_paragraphs(width):
    text = _pdf_like(PROBLEMS, width)
    assert "— 1 —" in text and text.count(TITLE) >= 2
    long = _pdf_like(OVERVIEW + PROBLEMS, width)
    assert wrap_width(long) == width
    assert _ns(paragraphs(long, running_lines(long))) == _ns(_expected(OVERVIEW + PROBLEMS, width))
    # one section with the document's wrap width (as the pipeline passes it)
    running = running_lines(TITLE + "\n" + text)
    assert _ns(paragraphs(text, running, wrap=width)) == _ns(_expected(PROBLEMS, width))


def _expected(paras, width):
    """The known limit: a paragraph whose last line is exactly full cannot be told from
    a sentence that ends at the wrap; it is read as going on (unless a heading follows)."""
    out = []
    for p in paras:
        if out and len(out[-1]) % width == 0 and not re.match(r"[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、", p):
            out[-1] += p
        else:
            out.append(p)
    return out


def _ns(paras):
    """Paragraphs without spaces (a wrap that falls on a space loses it, as in a PDF)."""
    return ["".join(p.split()) for p in paras]


def test_wrapped_with_blank_lines_between_lines():
    """Some PDF extractions put a blank line after every printed line."""
    text = _pdf_like(OVERVIEW + PROBLEMS, 25).replace("\n", "\n\n")
    assert _ns(paragraphs(text, running_lines(TITLE + "\n" + text))) == _ns(OVERVIEW + PROBLEMS)


def test_page_furniture_and_latin_join():
    text = "第一段文字在这里被折\n行了，还没有结束\n— 3 —\n第 3 页 共 9 页\n- 4 -\n2/9\n并且继续。\nThe report was\nwritten in English."
    assert paragraphs(text) == ["第一段文字在这里被折行了，还没有结束并且继续。", "The report was written in English."]


def test_headings_are_own_paragraphs_and_markdown_marks_go():
    text = "## 一、总体情况\n\n本机关认真\n贯彻落实条例。\n（一）主动公开\n主动公开信息\n100条。\n1. 规章\n**（二）依申请公开**\n无。\n#"
    assert paragraphs(text) == ["一、总体情况", "本机关认真贯彻落实条例。", "（一）主动公开", "主动公开信息100条。",
                                "1. 规章", "（二）依申请公开", "无。"]


def test_signature_and_date_stay_apart():
    text = "其他事项暂无报告内容。\n\n某市公安局\n\n2024年1月18日"
    assert paragraphs(text) == ["其他事项暂无报告内容。", "某市公安局", "2024年1月18日"]


@pytest.mark.parametrize("broken,value", [
    ("全年共收到政府信息公开申请 1\n23 件。", 123),
    ("收到政府信息公开申请\n123 件。", 123),
    ("全年共收到政府信息公开申\n— 2 —\n请 123 件。", 123),
])
def test_claim_broken_over_lines_is_found(broken, value):
    told = prose(broken)
    assert any(c.kind == "received" and c.value == value for c in claims(told)), told


def test_narrative_check_reads_the_broken_sentence():
    """In a parsed report, a count broken over lines (and a page footer) still meets 表三."""
    t3_new = parse_text(SEED).value("t3.new.total")
    stated = t3_new + 120
    s = str(stated)
    broken = f"全年共收到政府信息公开申\n— 2 —\n{TITLE}\n请 {s[:1]}\n{s[1:]} 件。\n"
    text = SEED.replace("一、总体情况\n", "一、总体情况\n" + broken, 1)
    r = parse_text(text)
    hits = [f for f in r.findings if f.rule == "narrative.applications" and f.data.get("stated") == stated]
    assert hits, [(f.rule, f.message) for f in r.findings]
    assert "— 2 —" not in r.sections["overview"] and f"申请{s}件" in r.sections["overview"].replace(" ", "")


def test_parsed_sections_render_as_the_original():
    r = parse_text(SEED)
    paras = r.sections["problems"].split("\n\n")
    assert paras == PROBLEMS
    assert render_paragraphs(r.sections["problems"]) == PROBLEMS


def test_parsed_wrapped_report_sections_are_paragraphs():
    """A whole seed report wrapped at 30 with footers: the sections come back whole."""
    head, rest = SEED.split("五、存在的主要问题及改进情况", 1)
    probs, tail = rest.split("六、其他需要报告的事项", 1)
    text = head + "五、存在的主要问题及改进情况\n" + _pdf_like(PROBLEMS, 30) + "\n六、其他需要报告的事项" + tail
    r = parse_text(text)
    assert _ns(r.sections["problems"].split("\n\n")) == _ns(PROBLEMS)
    assert {f: c.value for f, c in r.cells.items()} == {f: c.value for f, c in parse_text(SEED).cells.items()}
