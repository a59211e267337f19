"""Readers: bytes of a file → text lines (the common document model).

This version reads text reports (.txt from PDF extraction, .md from OCR) in
UTF-8, GB18030/GBK or UTF-16.  The file type is decided by content, not by the
extension; other types get a clear message."""
from __future__ import annotations

from pathlib import Path

import struct
import zipfile
import zlib

from ..errors import DamagedFile, GongkaiError, InputError, UnsupportedFormat
from .document import Document
from .text import decode, decode_info, sniff

MAX_BYTES = 50 * 1024 * 1024   # text reports are < 1 MB; anything larger is not a report
MAX_BINARY_BYTES = 100 * 1024 * 1024   # PDF/DOCX/HTML files (scanned reports can be large)


def read_document(path: str | Path) -> Document:
    """Read a report file of any supported type into the common document model."""
    p = Path(path)
    data = _read_bytes(p, MAX_BINARY_BYTES)
    kind = sniff(data)
    try:
        return _read(p, data, kind)
    except GongkaiError:
        raise
    except _third_party_errors() as e:    # a reader's library gave up on a damaged file
        raise DamagedFile(p, f"{_KIND_ZH.get(kind, '文件')}文件损坏，无法读取（{e.__class__.__name__}）")


_KIND_ZH = {"pdf": "PDF ", "zip": "DOCX/ZIP ", "html": "网页", "ole": "旧版 Word ", "image": "图片", "text": "文本"}


def _third_party_errors() -> tuple:
    """Exceptions the readers' libraries raise for damaged input (not our own bugs)."""
    errs = [zlib.error, zipfile.BadZipFile, zipfile.LargeZipFile, struct.error, EOFError, UnicodeDecodeError]
    try:
        from lxml import etree
        errs.append(etree.LxmlError)
    except ImportError:  # pragma: no cover
        pass
    try:
        import pypdfium2
        errs.append(pypdfium2.PdfiumError)
    except ImportError:  # pragma: no cover
        pass
    try:
        from PIL import Image, UnidentifiedImageError
        errs += [UnidentifiedImageError, Image.DecompressionBombError]
    except ImportError:  # pragma: no cover
        pass
    return tuple(errs)


def _read(p: Path, data: bytes, kind: str) -> Document:
    if kind == "text":
        if len(data) > MAX_BYTES:
            raise InputError(p, f"文本文件过大（{len(data) // (1024 * 1024)} MB，上限 {MAX_BYTES // (1024 * 1024)} MB）")
        text, dec = decode_info(data, p)
        return Document(kind="text", _text=text, encoding=dec.info())
    if kind == "pdf":
        from .pdf import read_pdf
        return read_pdf(p, data)
    if kind == "zip":
        from .docx import read_docx
        return read_docx(p, data)
    if kind == "html":
        from .html import read_html
        return read_html(p, data)
    if kind == "ole":
        from .legacy import read_legacy
        return read_legacy(p, data)
    if kind == "image":
        from .ocr import read_image
        return read_image(p, data)
    raise InputError(p, "不是可识别的报告文件（内容为二进制数据）")


def _read_bytes(p: Path, limit: int) -> bytes:
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise InputError(p, "文件不存在")
    except OSError as e:
        raise InputError(p, f"无法读取文件（{e.strerror or e}）")
    if p.is_dir():
        raise InputError(p, "这是一个文件夹，不是报告文件")
    if size == 0:
        raise InputError(p, "文件为空")
    if size > limit:
        raise InputError(p, f"文件过大（{size // (1024 * 1024)} MB，上限 {limit // (1024 * 1024)} MB）")
    try:
        return p.read_bytes()
    except OSError as e:
        raise InputError(p, f"无法读取文件（{e.strerror or e}）")


def read_text_file(path: str | Path) -> str:
    """A text report's decoded text (other file types: UnsupportedFormat)."""
    p = Path(path)
    data = _read_bytes(p, MAX_BYTES)
    kind = sniff(data)
    if kind != "text":
        names = {"pdf": "PDF", "zip": "DOCX/ZIP", "ole": "旧版 Word（.doc/.wps）", "html": "HTML",
                 "image": "图片", "binary": "二进制"}
        if kind == "binary":
            raise InputError(p, "不是文本文件（内容为二进制数据）")
        raise UnsupportedFormat(p, f"不是文本文件：{names.get(kind, kind)}（请用 read_document 读取）")
    return decode(data, p)
