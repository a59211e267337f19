"""Degraded documents: synthetic reports passed through the tools real reports pass
through before they reach the parser (PDF text extractors, a PDF-to-Markdown converter,
LibreOffice's DOCX→HTML export, CMS article bodies, crawler text, OCR-damaged labels),
each with its gold answer.  ``generate`` yields them; ``parse_and_score`` scores the
parser on them with the definitions of ``shared/tools/score.py``.

Rendering a PDF costs ~0.4 s, so each synthetic report is rendered once and the same PDF
is fed to every PDF extractor asked for.  Nothing is cached outside the folder given."""
from __future__ import annotations

import html as _html
import io
import json
import random
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .errors import GongkaiError
from .formats import national
from .synth import random_report, write

NF = national()
PDF_KINDS = ("pdftotext_raw", "pdftotext_layout", "pdfminer", "pypdf", "pypdfium2", "pdf_markdown")
KINDS = PDF_KINDS + ("docx_html_lo", "html_body", "crawler", "label_corrupt")
SUFFIX = {"pdftotext_raw": ".txt", "pdftotext_layout": ".txt", "pdfminer": ".txt", "pypdf": ".txt",
          "pypdfium2": ".txt", "pdf_markdown": ".md", "docx_html_lo": ".html", "html_body": ".html",
          "crawler": ".txt", "label_corrupt": ".txt"}
TIMEOUT = 120          # seconds for one converter call (LibreOffice: plus 10 s per file)


class MissingTool(GongkaiError):
    """A converter a degradation kind needs is not installed."""

    def __init__(self, tool: str, how: str):
        self.tool = tool
        super().__init__(f"缺少转换工具 {tool}（{how}）")


class ToolFailed(GongkaiError):
    def __init__(self, tool: str, problem: str):
        super().__init__(f"转换工具 {tool} 运行失败：{problem}")


# ---------------------------------------------------------------- synthetic sources
@dataclass
class Source:
    """One synthetic report: consistent values, how it is printed, and its gold."""
    index: int
    seed: int
    fmt: str
    agency: str
    year: int
    values: dict                # field -> int | Decimal | None (None: printed blank)
    style: object               # render.style.Style
    layout: str                 # synth.write text layout (label_corrupt)
    blank_zero: bool            # zeros of 表三/表四 left blank
    scale: int
    date: str

    def render_input(self):
        from .render import RenderInput
        return RenderInput(self.agency, self.year, self.values, self.fmt, self.fmt, self.date,
                           {"overview": "本机关持续推进政务公开工作。"})

    def gold(self, name: str, kind: str, cells: dict | None = None) -> dict:
        cells = self.values if cells is None else cells
        return {"source": name, "meta": {"agency": self.agency, "year": self.year, "format": self.fmt},
                "cells": {f: (float(x) if isinstance(x, Decimal) else x) for f, x in cells.items()},
                "notes": [f"degraded synthetic report (gongkai.degrade, kind {kind}, seed {self.seed}, "
                          f"#{self.index}); style: {self.style.describe()}; layout: {self.layout}; "
                          f"blank_zero={self.blank_zero} scale={self.scale}"]}


def source(seed: int, index: int) -> Source:
    """The index-th synthetic report of a seed (independent of how many are drawn)."""
    from .render.style import Style
    rng = random.Random(f"degrade:{seed}:{index}")
    year, fmt, agency, scale, v = random_report(rng)
    blank_zero = rng.random() < 0.2
    if blank_zero:
        v = {f: (None if x == 0 and f[:3] in ("t3.", "t4.") else x) for f, x in v.items()}
    style = Style.random(rng)
    layout = rng.choice(["clean", "tabs", "fused", "broken", "pagebreak"])
    date = f"{year + 1}-0{rng.randint(1, 3)}-{rng.randint(10, 28)}"
    return Source(index, seed, fmt, agency, year, v, style, layout, blank_zero, scale, date)


@dataclass
class Degraded:
    name: str                  # file stem, e.g. "pypdf_0007"
    kind: str
    content: bytes
    suffix: str
    gold: dict
    seconds: float = 0.0       # time to make it (for PDF kinds: the extractor, not the shared render)

    @property
    def filename(self) -> str:
        return self.name + self.suffix

    def write(self, out_dir: Path) -> Path:
        p = Path(out_dir) / self.filename
        p.write_bytes(self.content)
        (Path(out_dir) / f"{self.name}.gold.json").write_text(json.dumps(self.gold, ensure_ascii=False, indent=1),
                                                              "utf-8")
        return p


# ---------------------------------------------------------------- PDF extractors
def _run(cmd: list, tool: str, how: str, data: bytes | None = None, timeout: float = TIMEOUT) -> bytes:
    try:
        r = subprocess.run(cmd, input=data, capture_output=True, timeout=timeout)
    except FileNotFoundError:
        raise MissingTool(tool, how)
    except subprocess.TimeoutExpired:
        raise ToolFailed(tool, f"超时（{timeout:g} 秒）")
    if r.returncode != 0:
        raise ToolFailed(tool, r.stderr.decode("utf-8", "replace").strip()[:200] or f"退出码 {r.returncode}")
    return r.stdout


def pdftotext(pdf: bytes, layout: bool = False) -> str:
    cmd = ["pdftotext"] + (["-layout"] if layout else []) + ["-enc", "UTF-8", "-", "-"]
    return _run(cmd, "pdftotext", "Debian 包 poppler-utils", pdf).decode("utf-8")


def pdfminer_text(pdf: bytes) -> str:
    try:
        from pdfminer.high_level import extract_text
    except ImportError:
        raise MissingTool("pdfminer.six", "pip install pdfminer.six")
    return extract_text(io.BytesIO(pdf))


def pypdf_text(pdf: bytes) -> str:
    try:
        import pypdf
    except ImportError:
        raise MissingTool("pypdf", "pip install pypdf")
    return "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def pdfium_text(pdf: bytes) -> str:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(pdf)
    out = []
    try:
        for page in doc:
            tp = page.get_textpage()
            out.append(tp.get_text_range())
            tp.close()
            page.close()
    finally:
        doc.close()
    return "\n".join(out)


_MARKITDOWN = None


def markdown_text(pdf: bytes) -> str:
    """markitdown (Microsoft's converter used by LLM pipelines; offline: pdfminer + pdfplumber)."""
    global _MARKITDOWN
    if _MARKITDOWN is None:
        try:
            from markitdown import MarkItDown
        except ImportError:
            raise MissingTool("markitdown", "pip install 'markitdown[pdf]'")
        _MARKITDOWN = MarkItDown(enable_plugins=False)
    return _MARKITDOWN.convert_stream(io.BytesIO(pdf), file_extension=".pdf").text_content


PDF_EXTRACTORS = {"pdftotext_raw": pdftotext, "pdftotext_layout": lambda b: pdftotext(b, layout=True),
                  "pdfminer": pdfminer_text, "pypdf": pypdf_text, "pypdfium2": pdfium_text,
                  "pdf_markdown": markdown_text}


def docx_to_html_lo(docx: list[bytes], workdir: Path) -> list[bytes]:
    """DOCX files → HTML through one LibreOffice run (its profile kept inside workdir)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise MissingTool("soffice", "Debian 包 libreoffice-writer-nogui")
    work = Path(tempfile.mkdtemp(prefix="lo-", dir=workdir))
    names = []
    for i, b in enumerate(docx):
        (work / f"d{i:04d}.docx").write_bytes(b)
        names.append(str(work / f"d{i:04d}.docx"))
    (work / "out").mkdir()
    _run([exe, "--headless", "--norestore", f"-env:UserInstallation=file://{work / 'profile'}",
          "--convert-to", "html", "--outdir", str(work / "out"), *names], "soffice", "Debian 包 libreoffice-writer-nogui",
         timeout=TIMEOUT + 10 * len(docx))
    out = []
    for i in range(len(docx)):
        p = work / "out" / f"d{i:04d}.html"
        if not p.exists():
            raise ToolFailed("soffice", f"没有生成 {p.name}")
        out.append(p.read_bytes())
    shutil.rmtree(work, ignore_errors=True)
    return out


# ---------------------------------------------------------------- CMS article body
FILLER = [
    "{y}年，本机关坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实《中华人民共和国政府信息公开条例》，"
    "围绕中心工作，不断深化政务公开，全年通过门户网站发布各类信息{a}条，其中政策文件{b}件，工作动态{c}条。",
    "（一）主动公开方面。严格落实“五公开”要求，及时更新机构职能、领导信息、财政预决算等栏目{b}个，"
    "发布政策解读{c}篇，图文解读{d}篇，召开新闻发布会{d}场，回应社会关切{c}次。",
    "（二）依申请公开方面。进一步规范依申请公开受理、审查、答复等流程，严格按照法定时限答复，"
    "做到件件有回复、事事有着落，答复按期率达到100%。",
    "（三）政府信息管理方面。对{y}年以前制发的规范性文件进行全面清理，共清理文件{a}件，保留{b}件，"
    "废止{c}件，并在门户网站集中公布清理结果。",
    "（四）平台建设方面。优化政府网站栏目设置，全年网站总访问量{a}万人次，政务新媒体发布信息{b}条，"
    "“12345”热线办结群众诉求{c}件，满意率{d}%。",
    "（五）监督保障方面。将政务公开工作纳入年度绩效考核，组织开展业务培训{d}次，参训人员{c}人次，"
    "开展网站自查{d}次，整改问题{d}个。",
    "本机关将以此次年度报告发布为契机，持续提升政务公开质效，更好地保障人民群众的知情权、参与权、表达权和监督权。",
]
TRS_CSS = (".TRS_Editor P{margin-top:0px;margin-bottom:12px;line-height:1.8;font-family:宋体;font-size:12pt;}"
           ".TRS_Editor DIV{margin-top:0px;margin-bottom:12px;line-height:1.8;font-family:宋体;font-size:12pt;}"
           ".TRS_Editor TD{margin-top:0px;margin-bottom:12px;line-height:1.8;font-family:宋体;font-size:12pt;}")


def _prose(rng: random.Random, year: int, kb: float) -> list[str]:
    out = []
    while sum(len(x.encode()) for x in out) < kb * 1024:
        t = rng.choice(FILLER)
        out.append(t.format(y=year, a=rng.randint(100, 99999), b=rng.randint(3, 400), c=rng.randint(1, 900),
                            d=rng.randint(1, 99)))
    return out


def _p(text: str, rng: random.Random, indent=True) -> str:
    fs = rng.choice([16, 18, 21, 14])
    sty = (f"text-indent:2em;line-height:{rng.choice([28, 30, 36])}px;margin-top:0px;margin-bottom:0px" if indent
           else "text-align:center")
    return (f'<p style="{sty}"><span style="font-family:仿宋_GB2312;font-size:{fs}px">'
            f"{_html.escape(text)}</span></p>")


def cms_body(src: Source, rng: random.Random, td_sep: str = "\n") -> str:
    """The report as a CMS stores an article body: a fragment, inline styles full of
    numbers, several KB of prose before the first table, cells wrapped in p/span."""
    from .render.data import section_plan, table_grids
    blank = src.style.blank_mark
    grids = table_grids(src.render_input(), blank)
    nbsp = rng.random() < 0.5            # Word-made pages print empty cells as &nbsp;
    out = []
    if rng.random() < 0.5:
        out.append(f'<div class=TRS_Editor><style type="text/css">{TRS_CSS}</style>')
        close = "</div>"
    else:
        close = ""
    out.append(_p(f"{src.agency}{src.year}年政府信息公开工作年度报告", rng, indent=False))
    out.append(_p(f"本报告所列数据的统计期限为{src.year}年1月1日至{src.year}年12月31日。", rng))
    for _n, heading, sid, table in section_plan(src.render_input()):
        out.append(f'<p style="text-indent:2em;line-height:30px"><strong><span style="font-family:黑体;'
                   f'font-size:16px">{_html.escape(heading)}</span></strong></p>')
        if sid == "overview":
            out.extend(_p(t, rng) for t in _prose(rng, src.year, rng.uniform(2.5, 6)))
        elif not table:
            out.append(_p(rng.choice(FILLER[-1:] + ["无。"]), rng))
        if table:
            w = rng.choice([554, 568, 600, 615, 640])
            out.append(f'<table border="1" cellspacing="0" cellpadding="0" width="{w}" '
                       f'style="width:{w}px;border-collapse:collapse;border:none">')
            out.append("<tbody>")
            ncols = max(sum(cs for _t, _rs, cs in row) for row in grids[table])
            for row in grids[table]:
                cells = []
                for text, rs, cs in row:
                    cw = round(w / ncols * cs)
                    attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
                    inner = _html.escape(text) if text else ("&nbsp;" if nbsp else "")
                    cells.append(f'<td width="{cw}"{attrs} style="width:{cw}px;border-width: 1px;'
                                 f'border-style:solid;border-color:windowtext;padding:0px 7px 0px 7px">'
                                 f'<p style="text-align:center;line-height:{rng.choice([20, 24])}px">'
                                 f'<span style="font-family:仿宋_GB2312;font-size:{rng.choice([12, 14])}px">'
                                 f"{inner}</span></p></td>")
                out.append(f'<tr style="height:{rng.choice([27, 31, 40])}px">' + td_sep.join(cells) + "</tr>")
            out.append("</tbody></table>")
    out.append(_p(f"{src.agency}", rng, indent=False))
    out.append(_p(f"{src.year + 1}年{int(src.date[5:7])}月{int(src.date[8:])}日", rng, indent=False))
    return "\n".join(out) + close


def crawler_text(src: Source, rng: random.Random) -> str:
    """Tags stripped and whitespace collapsed the way scrapers store pages: adjacent
    cells of a row fuse (``5845546``); sometimes the whole body is one line."""
    body = cms_body(src, rng, td_sep="")
    body = re.sub(r"<style[^>]*>.*?</style>", "", body, flags=re.S)
    text = _html.unescape(re.sub(r"<[^>]+>", "", body))
    if rng.random() < 0.3:
        return re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"[ \t\u3000\xa0]+", " ", text)
    return re.sub(r"\s*\n\s*", "\n", text).strip()


# ---------------------------------------------------------------- OCR-damaged labels
OCR = {"已": "己巳", "己": "已巳", "未": "末", "日": "曰", "0": "O", "人": "入", "于": "干", "土": "士",
       "准": "淮", "处": "外", "申": "甲", "请": "清", "复": "夏", "理": "埋"}
WIDTH = {"（": "(", "）": ")", "(": "（", ")": "）", "“": "\"", "”": "\"", "，": ",", "、": ",", ".": "．",
         "1": "１", "2": "２", "3": "３", "4": "４", "5": "５", "6": "６", "7": "７", "8": "８"}
NOISE = "的一了是在不和有人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
_NUM = re.compile(r"^(?:(\d)\.|（([一二三四五六七])）|([一二三四])、)")


def corrupt_label(label: str, rng: random.Random) -> str:
    """A row label as OCR or hand-typing damages it: numbering style, width mixes, OCR
    confusions, and 1–4 characters dropped/inserted/replaced (fewer on short labels)."""
    m = _NUM.match(label)
    num, core = (m.group(0), label[m.end():]) if m else ("", label)
    if m and m.group(1):
        d = m.group(1)
        num = rng.choice([f"{d}、", f"{d}.", f"({d})", f"（{d}）", f"{d}．", f"{chr(0xFF10 + int(d))}.", f"{d}"])
    elif m and m.group(2):
        c = m.group(2)
        num = rng.choice([f"({c})", f"（{c})", f"{c}、", f"（{c}）"])
    chars = list(core)
    ops = rng.randint(1, 3)
    for _ in range(ops):
        op = rng.random()
        ocr = [i for i, ch in enumerate(chars) if ch in OCR]
        wide = [i for i, ch in enumerate(chars) if ch in WIDTH]
        if op < 0.35 and ocr:
            i = rng.choice(ocr)
            chars[i] = rng.choice(OCR[chars[i]])
        elif op < 0.5 and wide:
            i = rng.choice(wide)
            chars[i] = WIDTH[chars[i]]
        else:
            k = rng.randint(1, min(4, max(1, len(chars) // 5)))
            for _ in range(k):
                if len(chars) <= 3:
                    break
                i = rng.randrange(len(chars))
                e = rng.random()
                if e < 0.4:
                    del chars[i]
                elif e < 0.7:
                    chars.insert(i, rng.choice(NOISE + " "))
                else:
                    chars[i] = rng.choice(NOISE)
    return num + "".join(chars)


def _row_labels(fmt: str) -> list[str]:
    labels = {r.label for r in NF.t3_rows(fmt)} | {g["label"] for g in NF.raw["t3"]["groups"]}
    for r in NF.raw["t2"]["rows"]:
        labels.add(r["label"])
        if r.get("label_2019"):
            labels.add(r["label_2019"])
    return sorted(labels, key=len, reverse=True)


def label_corrupt_text(src: Source, rng: random.Random) -> tuple[str, dict]:
    """A clean synthetic text (synth.write) whose row labels are damaged."""
    from .synth import T3_HEADER
    vv = dict(src.values)
    if src.layout != "tabs":               # synth prints blanks only where tabs keep the columns
        vv = {f: (0 if x is None else x) for f, x in vv.items()}
    text, truth = write(vv, src.layout, src.fmt, rng, agency=src.agency, year=src.year)
    pat = re.compile("|".join(re.escape(x) for x in _row_labels(src.fmt)))
    head = set(T3_HEADER.split("\n"))
    lines = text.split("\n")
    zone = False
    done = 0
    for i, line in enumerate(lines):
        if line.startswith("二、主动公开"):
            zone = True
            continue
        if line.startswith("四、政府信息公开行政复议"):
            break
        if not zone or line in head or line.startswith(("信息内容", "第二十条", "三、收到和处理")):
            continue

        def sub(m):
            nonlocal done
            if rng.random() < 0.7:
                done += 1
                return corrupt_label(m.group(0), rng)
            return m.group(0)
        lines[i] = pat.sub(sub, line)
    return "\n".join(lines), truth


# ---------------------------------------------------------------- the generator
def generate(kinds=KINDS, per_kind: int | dict = 10, seed: int = 0, workdir: str | Path | None = None,
             timings: dict | None = None):
    """Yield Degraded documents: ``per_kind`` (an int, or kind → count) of each kind.
    Report i of a seed is the same synthetic report in every kind.  ``workdir`` holds
    LibreOffice's scratch files (a temporary folder when not given).  ``timings`` (a
    dict) receives the shared costs: seconds spent rendering PDFs and DOCX files."""
    kinds = list(kinds)
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise GongkaiError(f"未知的退化类型：{', '.join(bad)}（可选 {', '.join(KINDS)}）")
    count = {k: (per_kind.get(k, 0) if isinstance(per_kind, dict) else per_kind) for k in kinds}
    tmp = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="gongkai-degrade-")
        workdir = tmp.name
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        timings = {} if timings is None else timings
        yield from _pdf_kinds(kinds, count, seed, timings)
        if count.get("docx_html_lo"):
            yield from _docx_kind(count["docx_html_lo"], seed, workdir, timings)
        for kind in ("html_body", "crawler", "label_corrupt"):
            for i in range(count.get(kind, 0)):
                t0 = time.perf_counter()
                src = source(seed, i)
                rng = random.Random(f"{kind}:{seed}:{i}")
                name = f"{kind}_{i:04d}"
                if kind == "html_body":
                    data, gold = cms_body(src, rng), src.gold(name + ".html", kind)
                elif kind == "crawler":
                    data, gold = crawler_text(src, rng), src.gold(name + ".txt", kind)
                else:
                    text, truth = label_corrupt_text(src, rng)
                    data, gold = text, src.gold(name + ".txt", kind, truth)
                yield Degraded(name, kind, data.encode("utf-8"), SUFFIX[kind], gold, time.perf_counter() - t0)
    finally:
        if tmp is not None:
            tmp.cleanup()


def _pdf_kinds(kinds, count, seed, timings):
    from .render.pdf import to_pdf
    pk = [k for k in PDF_KINDS if count.get(k)]
    for i in range(max((count[k] for k in pk), default=0)):
        src = source(seed, i)
        t0 = time.perf_counter()
        pdf = to_pdf(src.render_input(), blank=src.style.blank_mark, style=src.style)
        timings["render_pdf"] = timings.get("render_pdf", 0.0) + time.perf_counter() - t0
        for kind in pk:
            if i < count[kind]:
                name = f"{kind}_{i:04d}"
                t0 = time.perf_counter()
                text = PDF_EXTRACTORS[kind](pdf)
                yield Degraded(name, kind, text.encode("utf-8"), SUFFIX[kind], src.gold(name + SUFFIX[kind], kind),
                               time.perf_counter() - t0)


def _docx_kind(n, seed, workdir, timings, chunk=40):
    from .render.docx import to_docx
    for start in range(0, n, chunk):
        srcs = [source(seed, i) for i in range(start, min(n, start + chunk))]
        t0 = time.perf_counter()
        docs = [to_docx(s.render_input(), blank=s.style.blank_mark, style=s.style) for s in srcs]
        timings["render_docx"] = timings.get("render_docx", 0.0) + time.perf_counter() - t0
        t0 = time.perf_counter()
        htmls = docx_to_html_lo(docs, workdir)
        each = (time.perf_counter() - t0) / len(srcs)
        for s, h in zip(srcs, htmls):
            name = f"docx_html_lo_{s.index:04d}"
            yield Degraded(name, "docx_html_lo", h, ".html", s.gold(name + ".html", "docx_html_lo"), each)


# ---------------------------------------------------------------- scoring
def same(a, b) -> bool:
    """The scorer's equality (shared/tools/score.py): numbers to 6 decimals, null = null."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    try:
        return round(float(a), 6) == round(float(b), 6)
    except (TypeError, ValueError):
        return False


@dataclass
class DocScore:
    doc: str
    kind: str
    cells: int
    right: int
    silent: list = field(default_factory=list)     # (field, gold, got, raw, status/reason)
    flagged: int = 0                               # wrong but listed as uncertain
    meta_wrong: list = field(default_factory=list)
    failure: str | None = None                     # GongkaiError message (parse failure)
    crash: str | None = None                       # any other exception: a bug
    slow: str | None = None                        # parse stopped by the time limit
    seconds: float = 0.0                           # parse time


def score_report(doc: Degraded, report) -> DocScore:
    d = report.to_dict(detail=False)
    unc = set(d["uncertain"])
    s = DocScore(doc.filename, doc.kind, len(doc.gold["cells"]), 0)
    for fid, want in doc.gold["cells"].items():
        got = d["cells"].get(fid, "<absent>")
        if same(got, want):
            s.right += 1
        elif fid in unc:
            s.flagged += 1
        else:
            c = report.cells.get(fid)
            s.silent.append((fid, want, got, c.raw if c else None,
                             (f"{c.status}: {c.reason}" if c and c.reason else (c.status if c else "absent"))))
    for k, want in doc.gold["meta"].items():
        if d["meta"].get(k) != want:
            s.meta_wrong.append((k, want, d["meta"].get(k)))
    return s


class _Slow(Exception):
    pass


def _alarm(_sig, _frame):
    raise _Slow()


def parse_and_score(doc: Degraded, out_dir: str | Path, timeout: float | None = None) -> DocScore:
    """Write the document (and its gold) into out_dir, parse it in-process, score it.
    ``timeout`` (seconds, main thread only) ends a parse that runs away: recorded as a
    failure of its own (``slow``), since a parse that long is a bug too."""
    import signal
    import threading

    from .pipeline import parse_file
    path = doc.write(Path(out_dir))
    base = DocScore(doc.filename, doc.kind, len(doc.gold["cells"]), 0)
    use_alarm = bool(timeout) and threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGALRM, _alarm) if use_alarm else None
    t0 = time.perf_counter()
    try:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, timeout)
        report = parse_file(path)
    except _Slow:
        base.slow = f"解析超过 {timeout:g} 秒，已中止"
        return base
    except GongkaiError as e:
        base.failure = str(e)
        return base
    except Exception as e:     # noqa: BLE001 - a crash is what the corpus is there to find
        import traceback
        tb = traceback.extract_tb(e.__traceback__)[-1]
        base.crash = f"{type(e).__name__}: {e} ({Path(tb.filename).name}:{tb.lineno})"
        return base
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
        base.seconds = time.perf_counter() - t0
    s = score_report(doc, report)
    s.seconds = base.seconds
    return s


@dataclass
class KindScore:
    kind: str
    docs: int = 0
    cells: int = 0
    right: int = 0
    silent: int = 0
    flagged: int = 0
    failures: int = 0
    crashes: int = 0
    slow: int = 0
    meta_wrong: int = 0
    exact: int = 0
    seconds: float = 0.0
    examples: list = field(default_factory=list)      # DocScore with silent errors / failures / crashes

    def add(self, s: DocScore, keep: int = 20):
        self.docs += 1
        self.cells += s.cells
        self.right += s.right
        self.silent += len(s.silent)
        self.flagged += s.flagged
        self.failures += s.failure is not None
        self.crashes += s.crash is not None
        self.slow += s.slow is not None
        self.seconds += s.seconds
        self.meta_wrong += bool(s.meta_wrong)
        self.exact += s.right == s.cells and not s.meta_wrong
        if (s.silent or s.failure or s.crash or s.slow) and len(self.examples) < keep:
            self.examples.append(s)

    @property
    def accuracy(self) -> float:
        """Cell accuracy as the scorer counts it (a failed parse's cells are all wrong)."""
        return self.right / self.cells if self.cells else 0.0

    def describe_errors(self, n: int = 8) -> str:
        out = []
        for s in self.examples:
            if s.crash:
                out.append(f"{s.doc}: 异常 {s.crash}")
            elif s.slow:
                out.append(f"{s.doc}: {s.slow}")
            elif s.failure:
                out.append(f"{s.doc}: 解析失败 {s.failure}")
            for fid, want, got, raw, why in s.silent[:3]:
                out.append(f"{s.doc}: {fid} gold={want!r} got={got!r} raw={raw!r} ({why})")
            if len(out) >= n:
                break
        return "\n".join(out[:n])
