"""Reading text reports: encodings, file type by content, limits."""
import pytest
from conftest import VENDORED

from gongkai import parse_file
from gongkai.errors import InputError, NoTables, UnsupportedFormat
from gongkai.read import read_text_file

SEED = VENDORED / "seeds" / "002_98b9844beaabac24.txt"


@pytest.mark.parametrize("enc,bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b""), ("gbk", b""),
                                     ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b""),
                                     ("utf-16-be", b"")])
def test_encodings_give_the_same_report(tmp_path, enc, bom):
    text = SEED.read_text("utf-8")
    p = tmp_path / f"r-{enc}.txt"
    p.write_bytes(bom + text.encode(enc))
    ref = parse_file(SEED)
    got = parse_file(p)
    assert got.meta["agency"] == ref.meta["agency"]
    assert {f: c.value for f, c in got.cells.items()} == {f: c.value for f, c in ref.cells.items()}


def test_crlf_and_page_footers(tmp_path):
    text = SEED.read_text("utf-8").replace("\n", "\r\n")
    text = text.replace("3.其他 0 0 0 0 0 0 0", "- 3 -\r\n3.其他 0 0 0 0 0 0 0\r\n第 4 页 共 6 页")
    p = tmp_path / "crlf.txt"
    p.write_text(text, "utf-8", newline="")
    r = parse_file(p)
    assert r.value("t3.other.other.total") == 0 and not r.uncertain


@pytest.mark.parametrize("content,err,word", [
    (b"", InputError, "为空"),
    (b"%PDF-1.4\n...", UnsupportedFormat, "PDF"),
    (b"PK\x03\x04rest", UnsupportedFormat, "DOCX"),
    (b"\x89PNG\r\n\x1a\n....", UnsupportedFormat, "图片"),
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", UnsupportedFormat, "HTML"),
    (bytes(range(256)) * 10, InputError, "二进制"),
])
def test_type_by_content_not_extension(tmp_path, content, err, word):
    p = tmp_path / "report.txt"
    p.write_bytes(content)
    with pytest.raises(err) as e:
        read_text_file(p)
    assert word in str(e.value) and str(p) in str(e.value)


def test_no_tables(tmp_path):
    p = tmp_path / "x.md"
    p.write_text("# 某局2024年政府信息公开工作年度报告\n\n一、总体情况\n\n无。\n", "utf-8")
    with pytest.raises(NoTables):
        parse_file(p)


def test_directory_and_missing(tmp_path):
    with pytest.raises(InputError):
        read_text_file(tmp_path)
    with pytest.raises(InputError):
        read_text_file(tmp_path / "nope.txt")
