"""Legacy Word (.doc) and WPS (.wps) files: converted to DOCX by LibreOffice when it
is installed (``soffice``), then read as DOCX; otherwise a clear message."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time

from ..errors import InputError, UnsupportedFormat
from ..limits import extend

TIMEOUT = 120


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_legacy(path, data: bytes):
    exe = find_soffice()
    if not exe:
        raise UnsupportedFormat(path, "旧版 Word/WPS 文件（.doc/.wps）需要先安装 LibreOffice 才能转换读取"
                                      "（Debian：apt-get install libreoffice-writer-nogui），或另存为 .docx")
    from .docx import read_docx
    with tempfile.TemporaryDirectory(prefix="gongkai-lo-") as tmp:
        src = os.path.join(tmp, "in.doc")
        with open(src, "wb") as fh:
            fh.write(data)
        profile = "file://" + os.path.join(tmp, "profile")
        t0 = time.monotonic()
        try:
            subprocess.run([exe, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx",
                            "--outdir", tmp, src], capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise InputError(path, f"LibreOffice 转换超时（{TIMEOUT} 秒）")
        finally:
            # the conversion is bounded by its own timeout; the document's budget is for
            # reading and parsing, so the time LibreOffice took is given back
            extend(time.monotonic() - t0)
        out = os.path.join(tmp, "in.docx")
        if not os.path.exists(out):
            raise InputError(path, "LibreOffice 无法转换该文件（文件可能已损坏）")
        with open(out, "rb") as fh:
            doc = read_docx(path, fh.read())
    doc.kind = "doc"
    return doc
