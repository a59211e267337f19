#!/usr/bin/env python3
"""Benchmark per input format: median ms per report and per page, peak RSS (each format in
its own process), and for text-layer PDFs the ratio to plain text extraction of the same
file by pypdfium2, measured in the same run.

    python bench/bench_formats.py [--repeat 20] [--ocr-repeat 2]

Inputs: the real text-layer PDF in tests/corpus/dev, and fixtures built from known values
(tests/fixtures.py): HTML page, DOCX, weasyprint PDF (3 pages), a scanned page (OCR)."""
import argparse
import json
import os
import pathlib
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))


def make_inputs(d: pathlib.Path) -> dict:
    from fixtures import image_pdf, scanned, to_docx, to_html, to_pdf_weasy
    from gongkai.synth import random_values
    v = random_values(random.Random(42), "2021", scale=60)
    files = {}
    (d / "report.html").write_bytes(to_html(v))
    files["html"] = d / "report.html"
    (d / "report.docx").write_bytes(to_docx(v))
    files["docx"] = d / "report.docx"
    pdf = to_pdf_weasy(v, "2021", "plain")
    (d / "weasy.pdf").write_bytes(pdf)
    files["pdf-weasyprint"] = d / "weasy.pdf"
    files["pdf-real"] = ROOT / "tests" / "corpus" / "dev" / "huaian_city_gov_2024.pdf"
    files["txt"] = ROOT / "tests" / "corpus" / "seeds" / "002_98b9844beaabac24.txt"
    files["md-ocr"] = ROOT / "tests" / "corpus" / "dev" / "shuyang_county_gov_2025_ocr.txt"
    (d / "scan.pdf").write_bytes(image_pdf(scanned(to_pdf_weasy(v, "2021", "compact"), 0, angle=0.8)))
    files["pdf-scan-ocr"] = d / "scan.pdf"
    return files


def pages_of(path: pathlib.Path) -> int:
    if path.suffix == ".pdf":
        import pypdfium2 as pdfium
        return len(pdfium.PdfDocument(str(path)))
    return 1


def one(fmt: str, path: str, repeat: int) -> dict:
    from gongkai import parse_file
    p = pathlib.Path(path)
    parse_file(p)                       # warm-up: imports, OCR model load
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        parse_file(p)
        ts.append((time.perf_counter() - t) * 1000)
    out = {"format": fmt, "ms_report": statistics.median(ts), "pages": pages_of(p)}
    if fmt.startswith("pdf") and "ocr" not in fmt:
        import pypdfium2 as pdfium
        es = []
        for _ in range(repeat):
            t = time.perf_counter()
            doc = pdfium.PdfDocument(str(p))
            for page in doc:
                page.get_textpage().get_text_range()
            doc.close()
            es.append((time.perf_counter() - t) * 1000)
        out["pypdfium2_text_ms"] = statistics.median(es)
        out["ratio"] = out["ms_report"] / out["pypdfium2_text_ms"]
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def peak_rss_mb() -> float:
    """Peak RSS of this process image (VmHWM; ru_maxrss would include the parent's peak,
    which Linux carries across exec)."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--ocr-repeat", type=int, default=2)
    ap.add_argument("--one", nargs=3, metavar=("FORMAT", "PATH", "REPEAT"))
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(a.one[0], a.one[1], int(a.one[2]))))
        return
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}; "
          "each format in its own process")
    with tempfile.TemporaryDirectory() as tmp:
        files = make_inputs(pathlib.Path(tmp))
        print(f"{'format':<16}{'pages':>6}{'ms/report':>11}{'ms/page':>10}{'RSS MB':>9}  pdf: pypdfium2 text ms, ratio")
        for fmt, path in files.items():
            rep = a.ocr_repeat if "ocr" in fmt and "md" not in fmt else a.repeat
            r = subprocess.run([sys.executable, __file__, "--one", fmt, str(path), str(rep)],
                               capture_output=True, text=True)
            if r.returncode != 0:
                print(f"{fmt:<16} failed: {r.stderr.strip().splitlines()[-1] if r.stderr else '?'}")
                continue
            d = json.loads(r.stdout.strip().splitlines()[-1])
            extra = f"  {d['pypdfium2_text_ms']:.1f} ms, {d['ratio']:.1f}x" if "ratio" in d else ""
            print(f"{fmt:<16}{d['pages']:>6}{d['ms_report']:>11.1f}{d['ms_report'] / d['pages']:>10.1f}"
                  f"{d['peak_rss_mb']:>9.0f}{extra}")


if __name__ == "__main__":
    main()
