#!/usr/bin/env python3
"""Regenerate the golden render files after an intended change of the renderer:
    python tests/golden/render/regen.py
Then look at the outputs (the PDF through pdftoppm/pypdfium2) before committing them."""
import io
import json
import pathlib
import sys
import zipfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "src"))

from gongkai.render import load_input  # noqa: E402
from gongkai.render.docx import to_docx  # noqa: E402
from gongkai.render.html import to_html  # noqa: E402


def outputs(inp):
    html = to_html(inp)
    docx = zipfile.ZipFile(io.BytesIO(to_docx(inp))).read("word/document.xml").decode("utf-8")
    return html, docx


if __name__ == "__main__":
    for src in sorted(HERE.glob("*.input.json")):
        html, docx = outputs(load_input(src))
        stem = src.name[: -len(".input.json")]
        (HERE / f"{stem}.html").write_text(html, "utf-8")
        (HERE / f"{stem}.document.xml").write_text(docx, "utf-8")
        print("wrote", stem)
