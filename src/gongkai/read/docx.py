"""DOCX → document model: paragraphs and tables in body order.  python-docx expands
merges (a merged cell repeats in every grid slot); the continuation slots are
omitted so that each printed cell appears once, with its table/row/column.
Zip bombs and oversized parts are refused before anything is parsed."""
from __future__ import annotations

import io
import zipfile
import zlib

from ..errors import DamagedFile, InputError, UnsupportedFormat
from ..limits import checkpoint
from .document import CellRef, DocLine, Document, cell_text

MAX_UNCOMPRESSED = 200 * 1024 * 1024   # all parts together
MAX_RATIO = 200                        # uncompressed / compressed for one part


def check_zip(path, data: bytes) -> zipfile.ZipFile:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, OSError,
            RuntimeError, UnicodeDecodeError, zlib.error) as e:
        raise DamagedFile(path, f"DOCX/ZIP 文件损坏，无法打开（{_why(e)}）")
    total = 0
    for i in infos:
        total += i.file_size
        if i.file_size > 1024 * 1024 and i.compress_size and i.file_size / i.compress_size > MAX_RATIO:
            raise InputError(path, f"压缩包内容异常（{i.filename} 压缩比超过 {MAX_RATIO}:1，疑似压缩炸弹），拒绝读取")
    if total > MAX_UNCOMPRESSED:
        raise InputError(path, f"压缩包解压后过大（{total // (1024 * 1024)} MB），拒绝读取")
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        if "xl/workbook.xml" in names:
            raise UnsupportedFormat(path, "这是 Excel 文件（.xlsx），不是 Word 年度报告")
        raise UnsupportedFormat(path, "ZIP 文件中没有 Word 文档（word/document.xml），不是 DOCX 报告")
    return z


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(path, data: bytes) -> Document:
    """Body paragraphs and tables of word/document.xml, read directly with lxml
    (no entity resolution, no network): merged cells (gridSpan, vMerge) appear once."""
    z = check_zip(path, data)
    try:
        from lxml import etree
    except ImportError:  # pragma: no cover
        raise UnsupportedFormat(path, "读取 DOCX 需要 lxml（pip install lxml）")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        xml = z.read("word/document.xml")
    except (KeyError, zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError, RuntimeError,
            zlib.error) as e:
        raise DamagedFile(path, f"DOCX 文件损坏，正文（word/document.xml）无法解压（{_why(e)}）")
    try:
        root = etree.fromstring(xml, parser)
    except (etree.LxmlError, ValueError) as e:
        raise DamagedFile(path, f"DOCX 文件损坏，正文 XML 无法解析（{_why(e)}）")
    body = root.find(f"{W}body")
    if body is None:
        raise InputError(path, "DOCX 中没有正文")
    doc = Document(kind="docx")
    tno = 0
    for k, el in enumerate(body):
        if k % 200 == 0:
            checkpoint()
        if el.tag == f"{W}p":
            for ln in _para_text(el).split("\n"):
                doc.lines.append(DocLine(text=ln))
        elif el.tag == f"{W}tbl":
            checkpoint()
            tno += 1
            _table(el, tno, doc)
        elif el.tag == f"{W}sdt":        # content controls wrap paragraphs and tables
            for sub in el.iter(f"{W}p"):
                doc.lines.append(DocLine(text=_para_text(sub)))
    return doc


def _why(e: Exception) -> str:
    """A short reason for the message: the exception class, and zip's own explanation
    (e.g. 'zip file version 12.1') for the cases that are not obvious."""
    reasons = {"error": "压缩数据损坏", "BadZipFile": "不是完整的 ZIP 文件", "NotImplementedError": "不支持的 ZIP 版本或压缩方式",
               "KeyError": "缺少必要的部件", "EOFError": "文件不完整", "RuntimeError": "ZIP 已加密或损坏",
               "XMLSyntaxError": "XML 语法错误", "ParseError": "XML 语法错误", "OSError": "数据读取失败",
               "UnicodeDecodeError": "文字编码错误", "LargeZipFile": "ZIP 过大"}
    name = e.__class__.__name__
    return reasons.get(name, name) if name != "ValueError" else "ZIP 目录损坏"


def _para_text(p) -> str:
    out = []
    for node in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
        if node.tag == f"{W}t":
            out.append(node.text or "")
        elif node.tag == f"{W}tab":
            out.append(" ")
        else:
            out.append("\n")
    return "".join(out)


def _table(tbl, tno: int, doc: Document):
    for ri, tr in enumerate(tbl.iterfind(f"{W}tr")):
        refs = []
        col = 0
        for tc in tr.iterfind(f"{W}tc"):
            span = 1
            cont = False
            pr = tc.find(f"{W}tcPr")
            if pr is not None:
                gs = pr.find(f"{W}gridSpan")
                if gs is not None:
                    try:
                        span = max(1, int(gs.get(f"{W}val", "1")))
                    except ValueError:
                        span = 1
                vm = pr.find(f"{W}vMerge")
                if vm is not None and vm.get(f"{W}val", "continue") != "restart":
                    cont = True               # vertical merge continuation: printed above
            if not cont:
                text = "\n".join(_para_text(p) for p in tc.iter(f"{W}p"))
                refs.append(CellRef(cell_text(text), None, None, tno, ri, col))
            col += span
        if refs:
            doc.lines.append(DocLine(cells=refs))
