"""Readers: bytes of a file → text lines (the common document model).

This version reads text reports (.txt from PDF extraction, .md from OCR) in
UTF-8, GB18030/GBK or UTF-16.  The file type is decided by content, not by the
extension; other types get a clear message."""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError, UnsupportedFormat
from .document import Document
from .text import decode, sniff

MAX_BYTES = 50 * 1024 * 1024   # text reports are < 1 MB; anything larger is not a report
MAX_BINARY_BYTES = 100 * 1024 * 1024   # PDF/DOCX/HTML files (scanned reports can be large)


def read_document(path: str | Path) -> Document:
    """Read a report file of any supported type into the common document model."""
    p = Path(path)
    data = _read_bytes(p, MAX_BINARY_BYTES)
    kind = sniff(data)
    if kind == "text":
        if len(data) > MAX_BYTES:
            raise InputError(p, f"文本文件过大（{len(data) // (1024 * 1024)} MB，上限 {MAX_BYTES // (1024 * 1024)} MB）")
        return Document(kind="text", _text=decode(data, p))
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
