"""Type by content (HTML wherever its tags are), markup never mined for numbers in the
text path, tolerant decoding with a read.encoding finding."""
import json
import random

import pytest

from gongkai import parse_file, parse_text, synth
from gongkai.errors import InputError
from gongkai.read.text import clean, sniff
from gongkai.render import RenderInput
from gongkai.render.html import body_html

PROSE = "本机关坚持以公开为常态、不公开为例外，" * 40          # ~1.1 KB of prose per copy


def _gold(seed=1):
    v = synth.random_values(random.Random(seed))
    inp = RenderInput("某某县人民政府", 2024, v, "2021", "2021", "2025-01-20",
                      sections={"overview": PROSE * 5})         # > 5 KB before the first table
    return v, body_html(inp)


def _assert_cells(path, gold):
    rep = parse_file(path)
    assert rep.meta["reader"] == "html"
    wrong = {f: (rep.value(f), x) for f, x in gold.items() if rep.value(f) != x}
    assert not wrong, list(wrong.items())[:5]
    return rep


def _styled(html):
    """Attributes as real pages carry them: widths and styles full of digits."""
    return (html.replace("<table", '<table style="width:600px" border="1" cellspacing="0"')
                .replace("<td", '<td style="width:47px;height:21px" width="47"'))


def _variants(body):
    js = body.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
    return {
        "trs_editor": f'<div class=TRS_Editor><div class="Custom_UnionStyle">{_styled(body)}</div></div>',
        "p_style": f'<p style="text-indent:2em;font-size:16px">{PROSE * 5}</p>\n{_styled(body)}',
        "js_string": ("<div id=zoom><script type='text/javascript'>\nvar s = '';\n"
                      f"document.write('{js}');\n</script></div>"),
        "cdata": ('<?xml version="1.0" encoding="UTF-8"?>\n<article><title>年度报告</title>'
                  f"<content><![CDATA[{_styled(body)}]]></content></article>"),
        "header_block": ("来源：某某县人民政府办公室\n发布时间：2025-01-20 09:30\n浏览次数：1024\n字号：大 中 小\n\n"
                         f"{_styled(body)}"),
    }


@pytest.mark.parametrize("kind", list(_variants("")))
def test_fragments_are_html_and_cells_exact(kind, tmp_path):
    gold, body = _gold(hash(kind) % 1000)
    data = _variants(body)[kind].encode("utf-8")
    assert sniff(data) == "html"
    p = tmp_path / f"{kind}.txt"                  # the extension does not decide
    p.write_bytes(data)
    _assert_cells(p, gold)


def test_plain_text_reports_stay_text():
    assert sniff("一、总体情况\n本年新收申请 12 件。\n".encode()) == "text"
    assert sniff("注：a<b 且 c>d，表中 <1> 为注释编号\n".encode()) == "text"


def test_markup_in_text_is_blanked_keeping_offsets():
    s = '行政复议\t<td style="width:47px">3</td>\n<span class=x>第二行</span>&nbsp;5'
    out = clean(s)
    assert len(out) == len(s) and out.count("\n") == s.count("\n")
    assert "47" not in out and "3" in out and "5" in out and "第二行" in out


def test_text_path_never_reads_attribute_numbers(tmp_path):
    """A text report with stray markup: ``width:47px`` is not a cell value."""
    gold = synth.random_values(random.Random(5))
    text, _ = synth.write(gold, "clean", "2021", random.Random(5))
    lines = text.split("\n")
    lines = [f'<span style="width:47px;mso-font-kerning:1.0pt">{ln}</span>' if ln[:1] in "一二三（" else ln
             for ln in lines]
    marked = "\n".join(lines)
    rep = parse_text(marked, file="r.txt")            # the text path itself
    assert not {f: x for f, x in gold.items() if rep.value(f) != x}
    p = tmp_path / "r.txt"
    p.write_text(marked, "utf-8")                      # by content this is markup: either reader is exact
    rep = parse_file(p)
    assert not {f: x for f, x in gold.items() if rep.value(f) != x}


# ------------------------------------------------------------------ encodings
def _report_text(seed=7):
    gold = synth.random_values(random.Random(seed))
    text, _ = synth.write(gold, "clean", "2021", random.Random(seed))
    return gold, text


def _enc_finding(rep):
    return [f for f in rep.findings if f.rule == "read.encoding"]


def test_one_flipped_byte_in_utf8(tmp_path):
    gold, text = _report_text()
    data = bytearray(text.encode("utf-8"))
    i = data.index("总体情况".encode())              # a lead byte in the prose → invalid
    data[i] = 0xFF
    p = tmp_path / "r.txt"
    p.write_bytes(bytes(data))
    rep = parse_file(p)
    (f,) = _enc_finding(rep)
    line = text[:text.index("总体情况")].count("\n") + 1
    assert f.lines == (line,) and f.data["invalid_lines"] == [line] and "UTF-8" in f.message
    assert not {k: x for k, x in gold.items() if rep.value(k) != x}
    json.dumps(rep.to_dict())


def test_gbk_passage_in_utf8(tmp_path):
    gold, text = _report_text()
    lines = text.split("\n")
    k = next(i for i, ln in enumerate(lines) if "总体情况" in ln) + 1
    lines.insert(k, "（本段由办公室另行提供，采用旧系统编码保存。）")
    data = b"\n".join(ln.encode("gbk") if i == k else ln.encode("utf-8") for i, ln in enumerate(lines))
    p = tmp_path / "r.txt"
    p.write_bytes(data)
    rep = parse_file(p)
    (f,) = _enc_finding(rep)
    assert f.data["other_encoding_lines"] == [k + 1] and not f.data["invalid_lines"]
    assert "另行提供" in rep.narrative
    assert not {x: y for x, y in gold.items() if rep.value(x) != y}


def test_utf8_passage_in_gbk(tmp_path):
    gold, text = _report_text()
    lines = text.split("\n")
    k = next(i for i, ln in enumerate(lines) if "总体情况" in ln) + 1
    lines.insert(k, "（本段从网页复制，保留了网页的编码。）")
    data = b"\n".join(ln.encode("utf-8") if i == k else ln.encode("gbk") for i, ln in enumerate(lines))
    p = tmp_path / "r.txt"
    p.write_bytes(data)
    rep = parse_file(p)
    (f,) = _enc_finding(rep)
    assert f.data["encoding"] == "gb18030" and f.data["other_encoding_lines"] == [k + 1]
    assert "从网页复制" in rep.narrative
    assert not {x: y for x, y in gold.items() if rep.value(x) != y}


def test_clean_files_have_no_finding(tmp_path):
    _gold_v, text = _report_text()
    for enc in ("utf-8", "gbk", "utf-16"):
        p = tmp_path / f"{enc}.txt"
        p.write_bytes(text.encode(enc))
        rep = parse_file(p)
        assert not _enc_finding(rep), enc


def test_random_binary_still_rejected(tmp_path):
    rng = random.Random(0)
    p = tmp_path / "x.txt"
    p.write_bytes(bytes(rng.randrange(256) for _ in range(20000)))
    with pytest.raises(InputError, match="二进制|编码|控制字符"):
        parse_file(p)
    # high bytes only (no control characters): neither UTF-8 nor GBK
    p.write_bytes(bytes(rng.choice([0x80, 0xFF, 0xC0, 0xC1]) for _ in range(5000)))
    with pytest.raises(InputError, match="编码"):
        parse_file(p)


def test_html_with_a_gbk_passage(tmp_path):
    gold, body = _gold(3)
    page = ('<html><head><meta charset="utf-8"></head><body>' + body + "</body></html>").encode("utf-8")
    page = page.replace("</h1>".encode(), "</h1><p>".encode() + "旧系统导入的段落".encode("gbk") + b"</p>", 1)
    p = tmp_path / "r.html"
    p.write_bytes(page)
    rep = _assert_cells(p, gold)
    (f,) = _enc_finding(rep)
    assert f.data["other_encoding_lines"] and "源文件第" in f.message
