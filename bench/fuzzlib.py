"""Mutation fuzzing of ``gongkai.pipeline.parse_file`` (issue 11 item 5).

Three parts, importable by tests and driven by ``bench/fuzz.py``:

* seeds and mutators: sample reports and synthetic reports (``gongkai.synth``) as
  txt / md / HTML / DOCX / PDF bytes, and mutators per input kind;
* :class:`Pool`: child processes that each parse one file at a time under a wall-time
  limit and an address-space limit (``RLIMIT_AS``), reused across cases and restarted
  when one hangs, dies or runs out of memory; every result is classified as one of
  ``OUTCOMES``;
* :func:`campaign`: generate cases, run them, shrink the failing ones (delta debugging
  on lines or bytes, bounded time) and write reproducers plus a summary.

This module lives outside the installed package on purpose: it is a tool for
developers, not part of the library.
"""
from __future__ import annotations

import faulthandler
import io
import json
import math
import multiprocessing as mp
import os
import random
import re
import resource
import signal
import struct
import sys
import time
import traceback
import zipfile
import zlib
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("txt", "md", "html", "docx", "pdf")
EXT = {"txt": ".txt", "md": ".md", "html": ".html", "docx": ".docx", "pdf": ".pdf"}
OUTCOMES = ("ok", "rejected", "crash", "hang", "memory", "unserialisable")
FAILURES = ("crash", "hang", "memory", "unserialisable")
MB = 1024 * 1024


# ===================================================================== seeds
@dataclass
class Seed:
    kind: str
    name: str
    data: bytes


def _to_markdown(text: str) -> str:
    """A synthetic text report (tab layout) printed as OCR-style Markdown: headings and
    pipe tables."""
    out, in_table = [], False
    for ln in text.split("\n"):
        if "\t" in ln:
            cells = ln.split("\t")
            out.append("| " + " | ".join(cells) + " |")
            if not in_table:
                out.append("|" + "---|" * len(cells))
            in_table = True
            continue
        in_table = False
        if re.match(r"^[一二三四五六七八九十]+、", ln) or ln.endswith("年度报告"):
            out.append("## " + ln)
        else:
            out.append(ln)
    return "\n".join(out)


def build_seeds(cache_dir, kinds=KINDS, n_synth: int = 4, seed: int = 0, extra=None) -> dict:
    """Seeds per kind: the bundled sample reports, the files of folder ``extra`` (kind by
    extension) and ``n_synth`` synthetic reports per kind (rendered once, cached in
    ``cache_dir``)."""
    from gongkai import synth
    cache = Path(cache_dir) / f"seeds-{seed}-{n_synth}"
    seeds: dict = {k: [] for k in kinds}
    corpus = ROOT / "tests" / "corpus"
    for p in sorted((corpus / "seeds").glob("*.txt")) + sorted((corpus / "dev").glob("*.txt")):
        data = p.read_bytes()
        k = "md" if (b"\n|" in data or data.lstrip().startswith(b"#")) else "txt"
        if k in seeds:
            seeds[k].append(Seed(k, p.name, data))
    for p in sorted((corpus / "dev").glob("*.pdf")):
        if "pdf" in seeds:
            seeds["pdf"].append(Seed("pdf", p.name, p.read_bytes()))
    for p in sorted(Path(extra).iterdir()) if extra else []:
        k = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}.get(p.suffix)
        if k in seeds:
            seeds[k].append(Seed(k, "extra/" + p.name, p.read_bytes()))
    for k in kinds:
        d = cache / k
        if not d.exists():
            tmp = cache / (k + ".tmp")
            tmp.mkdir(parents=True, exist_ok=True)
            if k == "md":
                rng = random.Random(seed)
                for i in range(n_synth):
                    v = synth.random_values(rng, "2021", scale=rng.choice([2, 20, 400]))
                    text, _ = synth.write(v, "tabs", "2021", rng)
                    (tmp / f"{i:05d}_md.md").write_text(_to_markdown(text), "utf-8")
            else:
                synth.corpus(n_synth, tmp, formats=(k,), seed=seed + KINDS.index(k))
            tmp.rename(d)
        for p in sorted(d.iterdir()):
            if not p.name.endswith(".gold.json"):
                seeds[k].append(Seed(k, "synth/" + p.name, p.read_bytes()))
    return seeds


# ===================================================================== mutators
# A mutator takes (bytes, rng) and returns bytes.  Text mutators work on the decoded text.
_NUM = re.compile(r"\d+")
UNICODE_BITS = [
    "\u202e", "\u202d", "\u2066", "\u2069", "\u200f",          # bidi
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",          # zero width
    "\u0301", "\u0336", "\u20dd", "\u0323",                    # combining
    "\U00020000", "\U0001f600", "\U0001d7d9", "\U000e0031",    # astral (CJK ext B, emoji, math digit, tag)
    "\x00", "\u3000", "\u00a0", "\uff11", "\u2460", "\u3007", "\ufffd", "\r", "\x0c", "\u2028",
]


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _pos(rng, n: int) -> int:
    return rng.randint(0, max(0, n))


def m_byte_flip(data, rng):
    b = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        if b:
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def m_truncate(data, rng):
    return data[:rng.randint(1, max(1, len(data) - 1))]


def m_insert_span(data, rng):
    if rng.random() < 0.5:
        span = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    else:
        a = rng.randrange(len(data))
        span = data[a:a + rng.randint(1, 4096)]
    i = _pos(rng, len(data))
    return data[:i] + span * rng.choice([1, 1, 2, 50]) + data[i:]


def m_delete_span(data, rng):
    a = rng.randrange(len(data))
    return data[:a] + data[a + rng.randint(1, max(1, len(data) // 10)):]


def m_unicode(data, rng):
    t = _text(data)
    digits = [m.start() for m in _NUM.finditer(t)]
    for _ in range(rng.randint(1, 30)):
        ch = rng.choice(UNICODE_BITS) * rng.choice([1, 1, 1, 3, 200])
        i = rng.choice(digits) + rng.choice([0, 1]) if digits and rng.random() < 0.7 else _pos(rng, len(t))
        i = max(i, 2100) if ch.startswith("\x00") and len(t) > 2100 else i   # a NUL in the head = "binary"
        t = t[:i] + ch + t[i:]
    return t.encode("utf-8")


def m_fuse_digits(data, rng):
    lines = _text(data).split("\n")
    p = rng.choice([0.2, 0.5, 1.0])
    lines = [re.sub(r"(?<=\d)[ \t]+(?=\d)", "", ln) if rng.random() < p else ln for ln in lines]
    return "\n".join(lines).encode("utf-8")


def _replace_numbers(data, rng, make):
    t = _text(data)
    ms = list(_NUM.finditer(t))
    if not ms:
        return t.encode("utf-8") + make(rng).encode()
    for m in sorted(rng.sample(ms, min(len(ms), rng.randint(1, 5))), key=lambda m: -m.start()):
        t = t[:m.start()] + make(rng) + t[m.end():]
    return t.encode("utf-8")


def m_huge_number(data, rng):
    return _replace_numbers(data, rng, lambda r: str(r.randint(1, 9)) + "7" * r.randint(1000, 6000))


def m_long_digits(data, rng):
    return _replace_numbers(data, rng, lambda r: "".join(r.choice("0123456789") for _ in range(r.randint(40, 60))))


def m_decimal(data, rng):
    return _replace_numbers(data, rng, lambda r: r.choice(["3.5", "0.25", "1,234", "1e5", "-2", "12.", "%"]))


def m_dup_lines(data, rng):
    lines = _text(data).split("\n")
    i = rng.randrange(len(lines))
    n = rng.choice([500, 500, 50, 2000])
    block = lines[i:i + rng.choice([1, 1, 3])]
    return "\n".join(lines[:i] + block * n + lines[i:]).encode("utf-8")


def m_shuffle_lines(data, rng):
    lines = _text(data).split("\n")
    a = rng.randrange(len(lines))
    b = min(len(lines), a + rng.randint(2, 60))
    part = lines[a:b]
    rng.shuffle(part)
    return "\n".join(lines[:a] + part + lines[b:]).encode("utf-8")


def m_mixed_encoding(data, rng):
    t = _text(data)
    a = rng.randrange(max(1, len(t)))
    b = min(len(t), a + rng.randint(5, 400))
    return t[:a].encode("utf-8") + t[a:b].encode("gbk", "replace") + t[b:].encode("utf-8")


# ---- HTML
def m_html_unclosed(data, rng):
    t = _text(data)
    tags = [m.span() for m in re.finditer(r"</(td|tr|table|th|tbody|div|p)>", t)]
    for a, b in sorted(rng.sample(tags, min(len(tags), rng.randint(1, 40))), reverse=True):
        t = t[:a] + t[b:]
    return t.encode("utf-8")


def m_html_deep(data, rng):
    t = _text(data)
    n = rng.choice([1000, 5000, 30000])
    unit = rng.choice(["<div>", "<table><tr><td>", "<span>", "<td>", "<b><i>"])
    i = t.find("<table")
    i = i if i >= 0 else _pos(rng, len(t))
    return (t[:i] + unit * n + t[i:]).encode("utf-8")


def m_html_span(data, rng):
    t = _text(data)
    big = lambda: rng.choice(["1000000", "2147483648", "99999999999999999999", "-1", "0", "abc", "1e9", "65535"])
    t = re.sub(r'(colspan|rowspan)="?\d+"?', lambda m: f'{m.group(1)}="{big()}"' if rng.random() < 0.3 else m.group(0), t)
    cells = [m.end() - 1 for m in re.finditer(r"<t[dh]\b[^>]*>", t)]
    for i in sorted(rng.sample(cells, min(len(cells), rng.randint(1, 5))), reverse=True):
        t = t[:i] + f' {rng.choice(["colspan", "rowspan"])}="{big()}"' + t[i:]
    return t.encode("utf-8")


def m_html_entities(data, rng):
    t = _text(data)
    ents = ["&#0;", "&#x10FFFF;", "&#99999999999;", "&#xD800;", "&amp;", "&nbsp;", "&zwnj;", "&#65297;",
            "&#x202E;", "&lt;td&gt;", "&#12288;", "&bogus;", "&#", "&#x;"]
    nums = [m.start() for m in _NUM.finditer(t)]
    for _ in range(rng.randint(1, 30)):
        i = rng.choice(nums) if nums else _pos(rng, len(t))
        t = t[:i] + rng.choice(ents) * rng.choice([1, 1, 100]) + t[i:]
    return t.encode("utf-8")


# ---- DOCX (zip)
def _zip_entries(data: bytes):
    """Central directory entries: list of (offset of central header, name, local header offset)."""
    e = data.rfind(b"PK\x05\x06")
    if e < 0 or e + 22 > len(data):
        return []
    cd_off = struct.unpack_from("<I", data, e + 16)[0]
    out, p = [], cd_off
    while p + 46 <= len(data) and data[p:p + 4] == b"PK\x01\x02":
        nlen, elen, clen = struct.unpack_from("<HHH", data, p + 28)
        loc = struct.unpack_from("<I", data, p + 42)[0]
        out.append((p, data[p + 46:p + 46 + nlen].decode("cp437", "replace"), loc))
        p += 46 + nlen + elen + clen
    return out


def _rezip(data: bytes, edit) -> bytes:
    """Rewrite a zip with ``edit(name, content) -> content | None`` applied to each entry."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            c = edit(info.filename, src.read(info))
            if c is not None:
                # the entry's own timestamp, not the clock: a case is the same bytes every time
                zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                zi.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(zi, c)
    return buf.getvalue()


def _docx_xml_edit(data, rng, fn):
    try:
        return _rezip(data, lambda n, c: fn(c.decode("utf-8", "replace")).encode("utf-8")
                      if n == "word/document.xml" else c)
    except Exception:          # noqa: BLE001 - not a readable zip any more (stacked mutators)
        return m_byte_flip(data, rng)


def m_docx_cells(data, rng):
    """Text mutations inside table cells (the w:t runs) of word/document.xml."""
    ops = [lambda r: str(r.randint(1, 9)) + "3" * r.randint(1000, 5000),
           lambda r: "".join(r.choice("0123456789") for _ in range(r.randint(40, 60))),
           lambda r: r.choice(["3.5", "1,234", "-2", "", "１２", "〇"]),
           lambda r: r.choice(UNICODE_BITS[:-4]) * r.choice([1, 50])]

    def fn(x):
        runs = list(re.finditer(r"(<w:t(?: [^>]*)?>)([^<]*)(</w:t>)", x))
        for m in sorted(rng.sample(runs, min(len(runs), rng.randint(1, 8))), key=lambda m: -m.start()):
            op = rng.choice(ops)
            x = x[:m.start(2)] + op(rng) + m.group(2) * rng.choice([0, 1]) + x[m.end(2):]
        return x
    return _docx_xml_edit(data, rng, fn)


def m_docx_rows(data, rng):
    """Duplicate (×500), delete or shuffle table rows (w:tr)."""
    def fn(x):
        rows = [m.span() for m in re.finditer(r"<w:tr\b.*?</w:tr>", x, re.S)]
        if not rows:
            return x
        a, b = rng.choice(rows)
        r = rng.random()
        if r < 0.4:
            return x[:a] + x[a:b] * rng.choice([500, 50]) + x[b:]
        if r < 0.7:
            return x[:a] + x[b:]
        body = [x[s:e] for s, e in rows]
        rng.shuffle(body)
        return x[:rows[0][0]] + "".join(body) + x[rows[-1][1]:]
    return _docx_xml_edit(data, rng, fn)


def m_docx_truncate_xml(data, rng):
    def fn(x):
        return x[:rng.randint(0, len(x))]
    return _docx_xml_edit(data, rng, fn)


def m_docx_nest(data, rng):
    """Deeply nested tables/elements in document.xml."""
    def fn(x):
        i = x.find("<w:tbl>")
        i = i if i >= 0 else x.find("<w:body>") + 8
        unit = rng.choice(["<w:tbl><w:tr><w:tc>", "<w:p><w:r>", "<w:sdt><w:sdtContent>"])
        return x[:i] + unit * rng.choice([1000, 20000]) + x[i:]
    return _docx_xml_edit(data, rng, fn)


def m_docx_damage_entry(data, rng):
    """Flip bytes inside one entry's compressed data."""
    ents = _zip_entries(data)
    if not ents:
        return m_byte_flip(data, rng)
    _c, _n, loc = rng.choice(ents)
    if loc + 30 > len(data):
        return m_byte_flip(data, rng)
    nlen, elen = struct.unpack_from("<HH", data, loc + 26)
    csize = struct.unpack_from("<I", data, loc + 18)[0]
    a = loc + 30 + nlen + elen
    b = bytearray(data)
    for _ in range(rng.randint(1, 10)):
        if csize:
            i = a + rng.randrange(csize)
            if i < len(b):
                b[i] = rng.randrange(256)
    return bytes(b)


def _set_field(data, rng, local_off: int, central_off: int, fmt: str, values):
    """Overwrite one header field in a random entry's local and/or central header."""
    ents = _zip_entries(data)
    if not ents:
        return m_byte_flip(data, rng)
    b = bytearray(data)
    for c, _n, loc in rng.sample(ents, min(len(ents), rng.choice([1, 1, 3]))):
        v = rng.choice(values)
        where = rng.choice(["local", "central", "both"])
        if where in ("local", "both") and loc + local_off + struct.calcsize(fmt) <= len(b):
            struct.pack_into(fmt, b, loc + local_off, v)
        if where in ("central", "both"):
            struct.pack_into(fmt, b, c + central_off, v)
    return bytes(b)


def m_docx_compression(data, rng):
    return _set_field(data, rng, 8, 10, "<H", [0, 1, 9, 12, 14, 93, 99, 0xFFFF])


def m_docx_version(data, rng):
    return _set_field(data, rng, 4, 6, "<H", [0, 45, 63, 99, 0x0A3F, 0xFFFF])


def m_docx_sizes(data, rng):
    """Wrong (huge, zero, small) uncompressed/compressed sizes and local header offsets."""
    which = rng.choice([(22, 24), (18, 20), (None, 42)])
    vals = [0, 1, 0xFFFFFFFF, 0x7FFFFFFF, 0x40000000, 10]
    lo, ce = which
    if lo is None:     # local header offset (central only): points anywhere, incl. "negative seek"
        ents = _zip_entries(data)
        if not ents:
            return m_byte_flip(data, rng)
        b = bytearray(data)
        c, _n, _l = rng.choice(ents)
        struct.pack_into("<I", b, c + 42, rng.choice([0xFFFFFFF0, len(data) + 100, 1, 0x7FFFFFFF]))
        return bytes(b)
    return _set_field(data, rng, lo, ce, "<I", vals)


def m_docx_bomb(data, rng):
    """A document.xml that inflates to 50–300 MB (a real decompression bomb)."""
    n = rng.choice([50, 100, 300]) * MB

    def edit(name, c):
        if name != "word/document.xml":
            return c
        i = c.find(b"<w:body>")
        pad = rng.choice([b" ", b"<w:p/>"])
        return c[:i + 8] + pad * (n // len(pad)) + c[i + 8:] if i >= 0 else c + b" " * n
    try:
        return _rezip(data, edit)
    except Exception:          # noqa: BLE001 - not a readable zip any more (stacked mutators)
        return m_byte_flip(data, rng)


# ---- PDF
def m_pdf_stream_flip(data, rng):
    spans = [(m.end(), data.find(b"endstream", m.end())) for m in re.finditer(rb"stream\r?\n", data)]
    spans = [(a, b) for a, b in spans if b > a]
    if not spans:
        return m_byte_flip(data, rng)
    b = bytearray(data)
    for a, e in rng.sample(spans, min(len(spans), rng.randint(1, 3))):
        for _ in range(rng.randint(1, 30)):
            i = rng.randrange(a, e)
            b[i] = rng.randrange(256)
    return bytes(b)


def m_pdf_mediabox(data, rng):
    box = rng.choice(["[0 0 14400 14400]", "[0 0 99999999 99999999]", "[0 0 1e9 1]", "[0 0 -5000 -5000]",
                      "[0 0 0 0]", "[0 0 200000 842]", "[0 0 595 842 7]", "[]"])
    out = re.sub(rb"/MediaBox\s*\[[^\]]*\]", ("/MediaBox " + box).encode(), data, count=rng.choice([0, 1]))
    return out if out != data else m_pdf_stream_flip(data, rng)


def m_pdf_many_pages(data, rng):
    try:
        import logging
        logging.getLogger("pypdf").setLevel(logging.CRITICAL)
        from pypdf import PdfReader, PdfWriter
        r = PdfReader(io.BytesIO(data))
        w = PdfWriter()
        n = rng.choice([60, 120, 200, 600])      # 120: the reader's page limit
        pages = list(r.pages)
        for i in range(n):
            w.add_page(pages[i % len(pages)])
        buf = io.BytesIO()
        w.write(buf)
        return buf.getvalue()
    except Exception:       # pypdf cannot read it: fall back to a blunt mutation
        return m_byte_flip(data, rng)


def m_pdf_xref(data, rng):
    """Damage the cross-reference data or drop objects."""
    r = rng.random()
    if r < 0.4:
        return re.sub(rb"startxref\s*\d+", b"startxref\n" + str(rng.choice([0, 1, 999999999, len(data)])).encode(), data)
    objs = [m.span() for m in re.finditer(rb"\d+ \d+ obj\b.*?endobj", data, re.S)]
    if not objs:
        return m_truncate(data, rng)
    a, b = rng.choice(objs)
    if r < 0.7:
        return data[:a] + data[b:]
    return data[:a] + data[a:b].replace(b"/Length", b"/Length 99999999 0 R %", 1) + data[b:]


GENERIC = {"byte_flip": m_byte_flip, "truncate": m_truncate, "insert_span": m_insert_span,
           "delete_span": m_delete_span}
TEXT = {"unicode": m_unicode, "fuse_digits": m_fuse_digits, "huge_number": m_huge_number,
        "long_digits": m_long_digits, "decimal": m_decimal, "dup_lines": m_dup_lines,
        "shuffle_lines": m_shuffle_lines, "mixed_encoding": m_mixed_encoding}
HTML = {"html_unclosed": m_html_unclosed, "html_deep": m_html_deep, "html_span": m_html_span,
        "html_entities": m_html_entities}
DOCX = {"docx_cells": m_docx_cells, "docx_rows": m_docx_rows, "docx_truncate_xml": m_docx_truncate_xml,
        "docx_nest": m_docx_nest, "docx_damage_entry": m_docx_damage_entry, "docx_compression": m_docx_compression,
        "docx_version": m_docx_version, "docx_sizes": m_docx_sizes, "docx_bomb": m_docx_bomb}
PDF = {"pdf_stream_flip": m_pdf_stream_flip, "pdf_mediabox": m_pdf_mediabox, "pdf_many_pages": m_pdf_many_pages,
       "pdf_xref": m_pdf_xref}
# (name, weight) per kind; generic byte-level mutators get a low weight on structured kinds
_W = {
    "txt": [(n, 3) for n in TEXT] + [(n, 1) for n in GENERIC],
    "md": [(n, 3) for n in TEXT] + [(n, 1) for n in GENERIC],
    "html": [(n, 2) for n in TEXT] + [(n, 3) for n in HTML] + [(n, 1) for n in GENERIC],
    "docx": [(n, 3) for n in DOCX if n != "docx_bomb"] + [("docx_bomb", 0.3)] + [("byte_flip", 1), ("truncate", 1)],
    "pdf": [(n, 3) for n in PDF] + [("byte_flip", 1), ("truncate", 2), ("insert_span", 1), ("delete_span", 1)],
}
MUTATORS = {**GENERIC, **TEXT, **HTML, **DOCX, **PDF}


@dataclass
class Case:
    id: str
    kind: str
    seed: str
    mutators: list
    data: bytes = b""


def make_case(seeds: dict, kind: str, index: int, base_seed: int) -> Case:
    """Case ``index`` of a campaign: deterministic from (base_seed, index)."""
    rng = random.Random(f"{base_seed}:{index}")
    s = rng.choice(seeds[kind])
    names, weights = zip(*_W[kind])
    chosen = rng.choices(names, weights, k=rng.choice([1, 1, 1, 2, 2, 3]))
    data = s.data
    for name in chosen:
        data = MUTATORS[name](data, rng) or b" "
    return Case(f"{base_seed}-{index:06d}", kind, s.name, list(chosen), data)


# ===================================================================== child processes
def _default_target(path):
    from gongkai.pipeline import parse_file
    return parse_file(path)


def _frame(f) -> str:
    fn = f.filename
    for base in (str(ROOT) + "/", sys.prefix + "/"):
        if fn.startswith(base):
            fn = fn[len(base):]
    return f"{fn}:{f.lineno} in {f.name}"


def _frames(exc) -> tuple[str, str]:
    """(deepest frame, deepest frame inside gongkai) of an exception."""
    tb = traceback.extract_tb(exc.__traceback__)
    if not tb:
        return "", ""
    gk = [f for f in tb if "/gongkai/" in f.filename]
    return _frame(tb[-1]), _frame(gk[-1]) if gk else ""


def _exc_name(exc) -> str:
    t = type(exc)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _exc_info(exc) -> dict:
    last, gk = _frames(exc)
    return {"exc": _exc_name(exc), "message": str(exc)[:300], "frame": last, "gongkai_frame": gk}


def run_one(target, path) -> dict:
    """Parse one file in this process and classify the result."""
    from gongkai.errors import GongkaiError
    try:
        report = target(path)
    except GongkaiError as e:
        return {"outcome": "rejected", "exc": type(e).__name__, "message": str(e)[:300]}
    except MemoryError as e:
        return {"outcome": "memory", **_exc_info(e)}
    except Exception as e:                       # noqa: BLE001 - classifying is the point
        return {"outcome": "crash", **_exc_info(e)}
    try:
        d = report.to_dict()
        json.dumps(d)
    except MemoryError as e:
        return {"outcome": "memory", **_exc_info(e)}
    except Exception as e:                       # noqa: BLE001
        info = _exc_info(e)
        where = _bad_path(d) if "d" in locals() else ""
        if where:
            info["gongkai_frame"] = "to_dict()" + where
        return {"outcome": "unserialisable", **info}
    return {"outcome": "ok"}


_JSON = (str, int, float, bool, type(None))


def _bad_path(obj, path: str = "") -> str:
    """Where the first value JSON cannot hold sits in a report dict, with list indices
    and cell/field IDs generalised (``.cells[*].alternatives[]: Decimal``)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if not isinstance(k, _JSON):
                return f"{path}{{key}}: {type(k).__name__}"
            key = "[*]" if isinstance(k, str) and re.match(r"t[234]\.", k) else f".{k}"
            p = _bad_path(v, path + key)
            if p:
                return p
        return ""
    if isinstance(obj, (list, tuple)):
        for v in obj:
            p = _bad_path(v, path + "[]")
            if p:
                return p
        return ""
    return "" if isinstance(obj, _JSON) else f"{path}: {type(obj).__name__}"


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_mb(reset_ok: bool) -> float:
    if reset_ok:
        try:
            for ln in open("/proc/self/status"):
                if ln.startswith("VmHWM:"):
                    return int(ln.split()[1]) / 1024
        except OSError:
            pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker_main(conn, target, mem_mb, dump_path, ocr):
    soft = int(mem_mb * MB)
    resource.setrlimit(resource.RLIMIT_AS, (soft, resource.getrlimit(resource.RLIMIT_AS)[1]))
    dump = open(dump_path, "w")
    null = os.open(os.devnull, os.O_WRONLY)    # warnings of the libraries are not the parent's output
    os.dup2(null, 1)
    os.dup2(null, 2)
    faulthandler.register(signal.SIGUSR1, file=dump, all_threads=True)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not ocr:
        try:
            from gongkai.read import ocr as _ocr
            _ocr.available = lambda: False
        except ImportError:
            pass
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        path = msg
        ok = _reset_peak()
        t0 = time.perf_counter()
        try:
            res = run_one(target, path)
        except MemoryError:
            res = {"outcome": "memory", "exc": "MemoryError", "message": "while classifying"}
        res["elapsed"] = time.perf_counter() - t0
        res["rss_mb"] = round(_peak_mb(ok), 1)
        try:
            conn.send(res)
        except Exception as e:                   # noqa: BLE001 - e.g. MemoryError while pickling
            conn.send({"outcome": "crash", "exc": type(e).__name__, "message": "result not sendable",
                       "elapsed": res["elapsed"], "rss_mb": res["rss_mb"]})


def _hang_frame(dump_text: str) -> str:
    """The innermost gongkai frame of a faulthandler dump (the main thread comes first
    only when it is the current one, so look at every thread)."""
    for ln in dump_text.splitlines():
        m = re.match(r'\s*File "(.*)", line (\d+) in (\S+)', ln)
        if m and "/gongkai/" in m.group(1):
            fn = m.group(1)
            fn = fn[len(str(ROOT)) + 1:] if fn.startswith(str(ROOT)) else fn
            return f"{fn}:{m.group(2)} in {m.group(3)}"
    return ""


class _Worker:
    def __init__(self, ctx, target, mem_mb, ocr, tmp, n):
        self.dump_path = str(Path(tmp) / f"worker-{os.getpid()}-{n}-{time.time_ns()}.stack")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, target, mem_mb, self.dump_path, ocr), daemon=True)
        self.proc.start()
        child.close()
        self.task = None
        self.deadline = None
        self.done = 0

    def kill(self):
        try:
            self.proc.kill()
        except Exception:                        # noqa: BLE001
            pass
        self.proc.join(5)
        self.conn.close()
        try:
            os.unlink(self.dump_path)
        except OSError:
            pass


class Pool:
    """Reusable child processes, one file at a time each, with a per-task wall-time
    limit and an address-space limit.  ``map(items)`` yields (key, result) in completion
    order; ``items`` are (key, path)."""

    def __init__(self, workers=2, timeout=10.0, mem_mb=2048, rss_bar_mb=None, target=None, ocr=False,
                 tmp=None, recycle=300):
        self.n, self.timeout, self.mem_mb = workers, timeout, mem_mb
        self.rss_bar = rss_bar_mb if rss_bar_mb is not None else mem_mb / 2
        self.target = target or _default_target
        self.ocr, self.recycle = ocr, recycle
        self.tmp = tmp or "/tmp"
        # forkserver: children start from a fresh interpreter, not from a parent that may
        # hold hundreds of MB of address space (pytest after OCR tests), which RLIMIT_AS counts
        self.ctx = mp.get_context("forkserver")
        self.workers: list = []
        self.restarts = 0

    def _spawn(self):
        return _Worker(self.ctx, self.target, self.mem_mb, self.ocr, self.tmp, len(self.workers) + self.restarts)

    def __enter__(self):
        self.workers = [self._spawn() for _ in range(self.n)]
        return self

    def __exit__(self, *a):
        self.close()

    def close(self):
        for w in self.workers:
            try:
                w.conn.send(None)
            except Exception:                    # noqa: BLE001
                pass
        for w in self.workers:
            w.proc.join(2)
            w.kill()
        self.workers = []

    def _replace(self, w):
        i = self.workers.index(w)
        w.kill()
        self.restarts += 1
        self.workers[i] = self._spawn()

    def _finish(self, w, res):
        key = w.task
        w.task = w.deadline = None
        w.done += 1
        if res["outcome"] in ("ok", "rejected") and res.get("rss_mb", 0) > self.rss_bar:
            res = {**res, "outcome": "memory", "exc": res.get("exc", ""),
                   "message": f"peak RSS {res['rss_mb']:.0f} MB over the bar {self.rss_bar:.0f} MB"}
        if res["outcome"] == "memory" or w.done >= self.recycle:
            self._replace(w)
        return key, res

    def map(self, items):
        it = iter(items)
        pending = True
        while True:
            for w in self.workers:
                if w.task is None and pending:
                    nxt = next(it, None)
                    if nxt is None:
                        pending = False
                        break
                    w.task = nxt[0]
                    w.deadline = time.monotonic() + self.timeout
                    w.t0 = time.perf_counter()
                    w.conn.send(str(nxt[1]))
            busy = [w for w in self.workers if w.task is not None]
            if not busy:
                return
            left = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = wait([w.conn for w in busy], timeout=left)
            for w in busy:
                if w.conn in ready:
                    try:
                        res = w.conn.recv()
                    except (EOFError, OSError):
                        w.proc.join(1)
                        code = w.proc.exitcode
                        sig = -code if code is not None and code < 0 else None
                        name = signal.Signals(sig).name if sig else f"exit {code}"
                        res = {"outcome": "memory" if sig == signal.SIGKILL else "crash",
                               "exc": f"WorkerDied({name})", "message": "the child process died",
                               "elapsed": time.perf_counter() - w.t0, "rss_mb": None}
                        key = w.task
                        w.task = None
                        self._replace(w)
                        yield key, res
                        continue
                    yield self._finish(w, res)
                elif time.monotonic() >= w.deadline:
                    key, res = w.task, self._hang(w)
                    w.task = None
                    self._replace(w)          # before yielding: the caller may stop iterating here
                    yield key, res

    def _hang(self, w) -> dict:
        elapsed = time.perf_counter() - w.t0
        try:
            os.kill(w.proc.pid, signal.SIGUSR1)
            time.sleep(0.3)
            stack = Path(w.dump_path).read_text(errors="replace")
        except OSError:
            stack = ""
        return {"outcome": "hang", "exc": "Timeout", "message": f"killed after {elapsed:.1f} s",
                "frame": _hang_frame(stack), "gongkai_frame": _hang_frame(stack), "stack": stack[:4000],
                "elapsed": elapsed, "rss_mb": None}


# ===================================================================== shrinking
def signature(res: dict) -> str:
    """Root-cause key of a failing result: outcome + exception type + innermost gongkai
    frame (for a hang: the function it was in, without the line)."""
    frame = res.get("gongkai_frame") or res.get("frame") or ""
    if res["outcome"] == "hang":
        frame = re.sub(r":\d+ in ", " in ", frame)
    if res["outcome"] == "unserialisable":
        m = re.search(r"Object of type (\w+)", res.get("message", ""))
        frame = (m.group(1) if m else "") + " " + frame
    return f"{res['outcome']}:{res.get('exc', '')}@{frame}"


def ddmin(units: list, interesting, deadline: float) -> list:
    """Delta debugging (complements only): the smallest list found, before ``deadline``,
    for which ``interesting(units)`` holds."""
    n = 2
    while len(units) >= 2 and time.monotonic() < deadline:
        chunk = math.ceil(len(units) / n)
        for i in range(0, len(units), chunk):
            if time.monotonic() >= deadline:
                return units
            comp = units[:i] + units[i + chunk:]
            if comp and interesting(comp):
                units = comp
                n = max(n - 1, 2)
                break
        else:
            if n >= len(units):
                return units
            n = min(n * 2, len(units))
    return units


def shrink(data: bytes, kind: str, res: dict, pool_args: dict, budget: float, tmp: Path) -> tuple[bytes, int]:
    """Shrink a failing input while it keeps the same signature; returns (data, tests run)."""
    want = signature(res)
    seen: dict = {}
    args = dict(pool_args, workers=1)
    if res["outcome"] != "hang":
        args["timeout"] = min(args.get("timeout", 10), max(2.0, 3 * (res.get("elapsed") or 1)))
    path = tmp / ("shrink" + EXT[kind])
    with Pool(**args) as pool:
        def interesting(units):
            blob = b"".join(units)
            h = hash(blob)
            if h not in seen:
                path.write_bytes(blob)
                _k, r = next(pool.map([(0, path)]))
                seen[h] = signature(r) == want
            return seen[h]
        units = data.splitlines(keepends=True) if kind in ("txt", "md", "html") else [bytes([b]) for b in data]
        if kind in ("docx", "pdf") and len(units) > 4096:      # bytes in blocks first
            step = max(1, len(data) // 1024)
            units = [data[i:i + step] for i in range(0, len(data), step)]
        deadline = time.monotonic() + budget
        units = ddmin(units, interesting, deadline)
        if kind in ("txt", "md", "html") and len(units) <= 3 and time.monotonic() < deadline:
            line = b"".join(units)
            units = ddmin([line[i:i + 16] for i in range(0, len(line), 16)], interesting, deadline)
        blob = b"".join(units)
        if len(blob) <= 1024 and len(units) < len(blob) and time.monotonic() < deadline:
            units = ddmin([bytes([b]) for b in blob], interesting, deadline)
    return b"".join(units), len(seen)


# ===================================================================== campaign
@dataclass
class Result:
    cases: list = field(default_factory=list)        # one dict per case
    repros: list = field(default_factory=list)       # one dict per written reproducer
    wall: float = 0.0
    gen_s: float = 0.0
    peak_rss_children_mb: float = 0.0

    def failures(self):
        return [c for c in self.cases if c["outcome"] in FAILURES]


def campaign(cases: int, seed: int = 0, kinds=KINDS, workers: int = 2, out="/tmp/fuzz_out", timeout: float = 10.0,
             mem_mb: int = 2048, rss_bar_mb=None, ocr: bool = False, minimise: bool = True,
             shrink_budget: float = 60.0, shrink_total: float = 300.0, per_signature: int = 1,
             n_synth: int = 4, target=None, seeds=None, log=None) -> Result:
    """Run ``cases`` mutated inputs (kinds round-robin) and write, under ``out``:
    ``cases.jsonl`` (one line per case), ``repros/`` (the input of every failing case,
    shrunk for the first ``per_signature`` of each root cause) with ``repros.jsonl``."""
    out = Path(out)
    work, rdir = out / "work", out / "repros"
    for d in (work, rdir):
        d.mkdir(parents=True, exist_ok=True)
    seeds = seeds or build_seeds(out / "seed-cache", kinds, n_synth, seed)
    kinds = [k for k in kinds if seeds.get(k)]
    result = Result()
    meta: dict = {}
    t_start = time.perf_counter()
    pool_args = dict(timeout=timeout, mem_mb=mem_mb, rss_bar_mb=rss_bar_mb, target=target, ocr=ocr, tmp=str(work))

    def items():
        for i in range(cases):
            t0 = time.perf_counter()
            c = make_case(seeds, kinds[i % len(kinds)], i, seed)
            p = work / (c.id + EXT[c.kind])
            p.write_bytes(c.data)
            meta[c.id] = (c, p)
            result.gen_s += time.perf_counter() - t0
            yield c.id, p

    caselog = open(out / "cases.jsonl", "w")
    with Pool(workers, **pool_args) as pool:
        for n, (cid, res) in enumerate(pool.map(items()), 1):
            c, p = meta[cid]
            row = {"case": cid, "kind": c.kind, "seed": c.seed, "mutators": c.mutators, "size": len(c.data), **res}
            row.pop("stack", None)
            if res["outcome"] in FAILURES:
                row["signature"] = signature(res)
                row["stack"] = res.get("stack")
                row["_data"] = c.data
            else:
                meta.pop(cid)
            p.unlink(missing_ok=True)
            result.cases.append(row)
            caselog.write(json.dumps({k: v for k, v in row.items() if k not in ("_data", "stack")},
                                     ensure_ascii=False) + "\n")
            if log and n % 250 == 0:
                log(f"{n}/{cases} cases, {n / (time.perf_counter() - t_start):.1f}/s, "
                    f"{len(result.failures())} failing")
    caselog.close()
    result.peak_rss_children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result.wall = time.perf_counter() - t_start
    _write_repros(result, rdir, out, pool_args, minimise, shrink_budget, shrink_total, per_signature, log)
    return result


def _write_repros(result, rdir, out, pool_args, minimise, budget, total, per_signature, log):
    counts: dict = {}
    t_end = time.monotonic() + total
    with open(out / "repros.jsonl", "w") as f:
        for row in result.failures():
            data = row.pop("_data")
            stack = row.pop("stack", None)
            sig = row["signature"]
            counts[sig] = counts.get(sig, 0) + 1
            k = counts[sig]
            base = f"{row['outcome']}_{_slug(sig)}_{row['case']}"
            raw = rdir / (base + ".orig" + EXT[row["kind"]])
            raw.write_bytes(data)
            rec = {"case": row["case"], "kind": row["kind"], "seed": row["seed"], "mutators": row["mutators"],
                   "outcome": row["outcome"], "exc": row.get("exc"), "message": row.get("message"),
                   "frame": row.get("frame"), "gongkai_frame": row.get("gongkai_frame"), "signature": sig,
                   "size": len(data), "original": str(raw), "reproducer": str(raw)}
            if stack:
                (rdir / (base + ".stack.txt")).write_text(stack)
            left = t_end - time.monotonic()
            if minimise and k <= per_signature and left > 1:
                small, tests = shrink(data, row["kind"], row, pool_args, min(budget, left), out / "work")
                p = rdir / (base + ".min" + EXT[row["kind"]])
                p.write_bytes(small)
                rec.update(reproducer=str(p), minimised_size=len(small), shrink_tests=tests)
                if log:
                    log(f"shrunk {row['case']} ({sig}): {len(data)} → {len(small)} bytes in {tests} tests")
            row["reproducer"] = rec["reproducer"]
            result.repros.append(rec)
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def _slug(sig: str) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "-", sig.split("@", 1)[0].split(":", 1)[1] + "-" +
               Path(sig.split("@", 1)[1].split(":")[0]).stem).strip("-")
    return s[:60] or "x"


# ===================================================================== summary
def summary(result: Result, kinds=KINDS) -> str:
    rows = result.cases
    lines = ["| kind | cases | " + " | ".join(OUTCOMES) + " | > 10 s | median ms | max ms | peak RSS MB |",
             "|---" * (len(OUTCOMES) + 6) + "|"]
    for k in list(kinds) + ["all"]:
        rs = [r for r in rows if k == "all" or r["kind"] == k]
        if not rs:
            continue
        ms = sorted(1000 * (r.get("elapsed") or 0) for r in rs)
        rss = [r["rss_mb"] for r in rs if r.get("rss_mb")]
        cnt = [sum(r["outcome"] == o for r in rs) for o in OUTCOMES]
        slow = sum((r.get("elapsed") or 0) > 10 for r in rs)
        lines.append(f"| {k} | {len(rs)} | " + " | ".join(map(str, cnt)) +
                     f" | {slow} | {ms[len(ms) // 2]:.0f} | {ms[-1]:.0f} | {max(rss, default=0):.0f} |")
    n = len(rows)
    lines.append("")
    lines.append(f"{n} cases in {result.wall:.1f} s wall ({n / max(result.wall, 1e-9):.1f} cases/s; "
                 f"case generation {result.gen_s:.1f} s); peak RSS of any child {result.peak_rss_children_mb:.0f} MB")
    sigs: dict = {}
    for r in result.failures():
        sigs.setdefault(r["signature"], []).append(r)
    if sigs:
        lines += ["", "| outcome | exception @ innermost gongkai frame | cases | kinds | mutators | reproducer |",
                  "|---|---|---|---|---|---|"]
        for sig, rs in sorted(sigs.items(), key=lambda x: -len(x[1])):
            muts = sorted({m for r in rs for m in r["mutators"]})
            rep = next((p["reproducer"] for p in result.repros if p["signature"] == sig), "")
            lines.append(f"| {rs[0]['outcome']} | {sig.split(':', 1)[1]} | {len(rs)} | "
                         f"{','.join(sorted({r['kind'] for r in rs}))} | {','.join(muts[:6])} | {rep} |")
    return "\n".join(lines)
