"""Report metadata from every title form: agency first or year first, 关于…的报告,
（…编制） notes, a capture header, a page's <title> or headings, the opening
sentences, the file name — and each value says where it came from."""
import pytest
from conftest import VENDORED

from gongkai import parse_text
from gongkai.extract.meta import find_meta
from gongkai.pipeline import parse_document
from gongkai.read.html import read_html

# (lines of the document's top, expected agency, expected year, agency source, year source)
FORMS = [
    ("某市公安局2024年政府信息公开工作年度报告", "某市公安局", 2024, "title", "title"),
    ("某市公安局2024年度政府信息公开工作年度报告", "某市公安局", 2024, "title", "title"),
    ("某市公安局2024年政府信息公开年度报告", "某市公安局", 2024, "title", "title"),
    ("2020年某市人民政府办公室政府信息公开工作年度报告", "某市人民政府办公室", 2020, "title", "title"),
    ("2021年度某县财政局政府信息公开工作年度报告", "某县财政局", 2021, "title", "title"),
    ("2020年某市人民政府信息公开工作年度报告", "某市人民政府", 2020, "title", "title"),
    ("某县教育局关于2022年度政府信息公开工作情况的报告", "某县教育局", 2022, "title", "title"),
    ("关于某区审计局2023年政府信息公开工作年度报告", "某区审计局", 2023, "title", "title"),
    ("某市人民政府关于2019年政府信息公开工作的报告", "某市人民政府", 2019, "title", "title"),
    ("某市2022年政府信息公开工作年度报告（某市人民政府办公室编制）", "某市", 2022, "title", "title"),
    ("某镇人民政府政府信息公开工作年度报告（2023年度）", "某镇人民政府", 2023, "title", "title"),
    ("某縣衛生健康委員會2023年政府信息公開工作年度報告", "某县卫生健康委员会", 2023, "title", "title"),
    ("某市\u3000公安局\u30002024\u3000年政府信息公开工作年度报告", "某市公安局", 2024, "title", "title"),
    ("某市公安局 2024 年政府信息公开工作年\n度报告", "某市公安局", 2024, "title", "title"),
    ("某市平安区公安局 2023 年度政府信息\n\n公开工作年度报告", "某市平安区公安局", 2023, "title", "title"),
    ("某省\n某市生态环境局\n2024年政府信息公开工作年度报告", "某市生态环境局", 2024, "title", "title"),
    ("某市自然资源和规划局\n2024年政府信息公开工作年度报告", "某市自然资源和规划局", 2024, "title", "title"),
    ("# 某市公安局文件\n\n## 某市公安局 2021 年政府信息公开工作年度报告", "某市公安局", 2021, "title", "title"),
    ("某市人民政府2025年政府信息公开工作年度报告\n（2026年1月23日）", "某市人民政府", 2025, "title", "title"),
    ("标题：某区司法局2022年度政府信息公开工作年度报告\n发布日期：2023-01-20\n来源：某区人民政府",
     "某区司法局", 2022, "header", "header"),
    ("标题: 2022年政府信息公开工作年度报告\n发布机构: 某区交通运输局\n发布日期: 2023-01-20",
     "某区交通运输局", 2022, "header", "header"),
    ("单位：某县市场监督管理局\n\n本局2023年政府信息公开工作年度报告如下。\n统计期限为2023年1月1日至2023年12月31日。",
     "某县市场监督管理局", 2023, "header", "title"),
    ("根据条例规定，现予公布。\n本报告由某市住房和城乡建设局根据《中华人民共和国政府信息公开条例》编制。\n"
     "本报告所列数据的统计期限为2024年1月1日至2024年12月31日。", "某市住房和城乡建设局", 2024, "opening", "period"),
    ("某区应急管理局根据《中华人民共和国政府信息公开条例》规定，编制本报告。\n2022年，本局认真贯彻落实条例。",
     "某区应急管理局", 2022, "opening", "opening"),
    ("根据条例规定，现将《某县农业农村局2021年政府信息公开工作年度报告》予以公布。",
     "某县农业农村局", 2021, "opening", "opening"),
    ("本报告根据条例要求，汇总某实验区各有关单位政府信息公开工作情况编制而成。\n2022年，全区扎实推进政务公开。",
     "某实验区", 2022, "opening", "opening"),
]


@pytest.mark.parametrize("top,agency,year,asrc,ysrc", FORMS)
def test_title_forms(top, agency, year, asrc, ysrc):
    from gongkai.extract.meta import find_period
    from gongkai.extract.normalize import norm
    lines = (top + "\n\n一、总体情况\n\n工作平稳。\n").split("\n")
    m = find_meta(lines, opening="\n".join(lines), period=find_period(norm(top)))
    assert (m["agency"], m["year"]) == (agency, year)
    assert (m["agency_source"], m["year_source"]) == (asrc, ysrc)


@pytest.mark.parametrize("name,agency,year", [
    ("某县民政局2023年政府信息公开工作年度报告.pdf", "某县民政局", 2023),
    ("某县民政局_2023.txt", "某县民政局", 2023),
    ("huaian_city_gov_2024.pdf", None, 2024),
    ("000_ab2019cd.txt", None, None),          # digits inside a hash are no year
])
def test_from_file_name(name, agency, year):
    m = find_meta(["一、总体情况", "工作平稳。"], file=f"/some/dir/{name}")
    assert (m["agency"], m["year"]) == (agency, year)
    if year:
        assert m["year_source"] == "filename"


def test_page_title_and_headings(tmp_path):
    page = ("<html><head><title>某市公安局2023年度政府信息公开工作年度报告_年报_某市人民政府网</title></head>"
            "<body><div>首页</div><div>政务公开</div>" + "<div>栏目</div>" * 60 + "</body></html>")
    doc = read_html(tmp_path / "a.html", page.encode("utf-8"))
    assert doc.hints["title"].startswith("某市公安局2023")
    m = find_meta([ln.serialise() for ln in doc.lines], hints=doc.hints)
    assert (m["agency"], m["year"], m["agency_source"]) == ("某市公安局", 2023, "html_title")
    m = find_meta([], hints={"title": "政务公开", "headings": ["2022年某区财政局政府信息公开工作年度报告"]})
    assert (m["agency"], m["year"], m["agency_source"]) == ("某区财政局", 2022, "html_title")


def _body(text):
    """A real seed report's body from 一、总体情况 on (its own title removed)."""
    return text[text.index("一、总体情况"):]


SEED = (VENDORED / "seeds" / "002_98b9844beaabac24.txt").read_text("utf-8")


def test_inferred_from_opening_is_a_finding():
    text = "本报告由某市公安局依据《中华人民共和国政府信息公开条例》编制。\n\n" + _body(SEED)
    r = parse_text(text)
    assert r.meta["agency"] == "某市公安局" and r.meta["agency_source"] == "opening"
    f = [x for x in r.findings if x.rule == "meta.inferred"]
    assert f and f[0].severity == "info" and "某市公安局" in f[0].message
    assert not any(x.rule == "meta.missing" and "机关" in x.message for x in r.findings)


def test_inferred_from_file_name_is_a_finding(tmp_path):
    p = tmp_path / "某县司法局2024年政府信息公开工作年度报告.txt"
    p.write_text(_body(SEED).replace("2024年", "当年"), "utf-8")
    from gongkai import parse_file
    r = parse_file(p)
    assert (r.meta["agency"], r.meta["agency_source"]) == ("某县司法局", "filename")
    assert r.meta["year"] == 2024
    assert any(x.rule == "meta.inferred" and "文件名" in x.message for x in r.findings)


def test_title_in_body_is_no_inference():
    r = parse_text(SEED)
    assert r.meta["agency_source"] == "title" and r.meta["year_source"] == "title"
    assert not any(x.rule == "meta.inferred" for x in r.findings)


def test_saved_page_meta():
    from gongkai.read import read_document
    p = VENDORED / "dev" / "pingtan_cez_2022_page.html"
    r = parse_document(read_document(p), file=str(p))
    assert (r.meta["agency"], r.meta["year"], r.meta["format"]) == ("平潭综合实验区", 2022, "2021")
