"""Reports not in the national format (before 2019, link pages, 工作要点, notices)
are refused with one clear line and no invented numbers; real and synthetic reports
in the national format — also without 表二 or without 表四 — are never refused."""
import random

import pytest
from conftest import VENDORED

from gongkai import parse_file, parse_text
from gongkai.errors import NoTables, NotNationalFormat
from gongkai.extract.evidence import evidence
from gongkai.extract.locate import locate
from gongkai.read import read_document
from gongkai.read.text import clean
from gongkai.synth import random_values, write

MESSAGE = "未找到国家格式的表二、表三、表四：可能是 2019 年以前的报告或不是年度报告"

OLD_2013 = """某市国土资源局2013年政府信息公开工作年度报告

本报告根据《中华人民共和国政府信息公开条例》要求编制。本报告中所列数据的统计期限自2013年1月1日起至2013年12月31日止。

一、概述
2013年，我局进一步加强政府信息公开工作。

二、主动公开政府信息情况
主动公开政府信息 1234 条
其中：
规范性文件 12 条
行政许可 45 条
行政处罚 6 条
行政强制 3 条
行政事业性收费 2 条
网站公开 1100 条

三、依申请公开政府信息情况
受理政府信息公开申请 56 件
其中：当面申请 20 件，网上申请 30 件，信函申请 6 件。
已答复 56 件，其中：
予以公开 30 件
部分公开 2 件
不予公开 5 件
属于国家秘密 1 件
信息不存在 3 件
本机关不掌握相关政府信息 4 件
申请内容不明确 1 件
重复申请 2 件
要求提供公开出版物 1 件

四、政府信息公开的收费及减免情况
本年度未收取任何费用。

五、因政府信息公开申请行政复议、提起行政诉讼的情况
行政复议 0 件
行政诉讼 0 件
维持 0 件
纠正 0 件

六、政府信息公开工作存在的主要问题及改进措施
工作仍需加强。
"""

YAODIAN = """某市2023年政务公开工作要点

为深入贯彻落实《中华人民共和国政府信息公开条例》，做好2023年政务公开工作，现提出以下要点。

一、加强政策发布解读
（一）做好规章、行政规范性文件公开。行政规范性文件要及时在政府网站公开，现行有效件数要动态更新。
（二）做好行政许可、行政处罚、行政强制、行政事业性收费等信息公开。
二、规范依申请公开
（三）规范办理政府信息公开申请，对予以公开、部分公开、不予公开的答复要依法说明理由；对本机关不掌握相关政府信息、没有现成信息需要另行制作、补正后申请内容仍不明确的，要告知申请人。
（四）做好行政复议、行政诉讼案件的应诉工作，对结果纠正的案件要及时整改，尚未审结的要跟踪。
三、做好年度报告编制
（五）各单位要按照国家格式编制政府信息公开工作年度报告，填写表二、表三、表四，于1月31日前公布。
"""

NOTICE = """关于做好2023年度政府信息公开工作年度报告编制和发布工作的通知

各区县人民政府，市政府各部门：
现就做好2023年度政府信息公开工作年度报告编制和发布工作通知如下。
一、严格按照《中华人民共和国政府信息公开工作年度报告格式》编制，收到和处理政府信息公开申请情况表中本年新收政府信息公开申请数量、上年结转政府信息公开申请数量、结转下年度继续办理等数据要准确，勾稽关系要正确。
二、政府信息公开行政复议、行政诉讼情况要如实填写结果维持、结果纠正、其他结果、尚未审结、总计等数据。
"""

LINKS = """<html><head><title>政府信息公开年报_某市人民政府</title></head><body>
<div class="nav"><a>首页</a><a>政务公开</a><a>政府信息公开年报</a></div>
<ul>
<li><a href="1.htm">某市公安局2023年政府信息公开工作年度报告</a> 2024-01-20</li>
<li><a href="2.htm">某市财政局2023年政府信息公开工作年度报告</a> 2024-01-19</li>
<li><a href="3.htm">某市人民政府2023年政府信息公开工作年度报告</a> 2024-01-18</li>
<li><a href="4.htm">某市审批局2022年政府信息公开工作年度报告（收到和处理政府信息公开申请情况）</a></li>
<li><a href="5.htm">行政复议</a> <a href="6.htm">行政诉讼</a> <a href="7.htm">行政许可</a> <a href="8.htm">行政处罚</a></li>
</ul>
<div>上一页 下一页 共 5 页</div></body></html>
"""


def _refused(path):
    with pytest.raises(NotNationalFormat) as e:
        parse_file(path)
    assert str(e.value) == f"{path}: {MESSAGE}"
    assert isinstance(e.value, NoTables)      # callers that catch NoTables still do


def test_negative_2013_report_is_refused():
    _refused(VENDORED / "negative" / "pingtan_tax_2013.txt")


@pytest.mark.parametrize("name,text", [("old_2013.txt", OLD_2013), ("yaodian.txt", YAODIAN),
                                       ("notice.txt", NOTICE), ("links.html", LINKS)])
def test_not_national_is_refused(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, "utf-8")
    _refused(p)


def test_parse_text_refuses_too():
    with pytest.raises(NotNationalFormat) as e:
        parse_text(OLD_2013)
    assert MESSAGE in str(e.value)


def _corpus_files():
    return sorted(p for sub in ("seeds", "dev") for p in (VENDORED / sub).iterdir()
                  if not p.name.endswith(".json"))


@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: p.name)
def test_real_reports_have_national_evidence(path):
    ev = evidence(locate(clean(read_document(path).text)))
    assert ev.national and ev.tables["t3"], ev.summary()


def _drop(text, start, end):
    return text[:text.index(start)] + text[text.index(end):]


@pytest.mark.parametrize("fmt", ["2021", "2019"])
@pytest.mark.parametrize("layout", ["clean", "broken", "tabs", "fused", "missing", "pagebreak"])
@pytest.mark.parametrize("drop", [None, "t2", "t4"])
def test_synthetic_reports_are_not_refused(fmt, layout, drop):
    rng = random.Random(hash((fmt, layout)) % 1000)
    values = random_values(rng, fmt)
    text, truth = write(values, layout, fmt, rng)
    if drop == "t2":
        text = _drop(text, "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况")
    elif drop == "t4":
        text = _drop(text, "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况")
    r = parse_text(text)
    assert r.value("t3.new.total") == truth["t3.new.total"]
    assert r.value("t3.total.total") == truth["t3.total.total"]
