"""Best-guess hit rate of fused 表二 rows (issue 10 item 7).

Crawler text fuses a 表二 row's numbers (``5845546`` for 58 / 45 / 546).  表二 has no
arithmetic, so such cells stay ``uncertain``; the parser still ranks the readings (numbers
the prose states first).  This prints how often the top-ranked reading is right, with and
without a prose sentence that states one of the row's numbers.

Corpus mode (``--series N``): N agencies' series of consecutive years (``synth.random_t2_series``:
each agency's own size, yearly counts ×0.5–2 about it, stocks that carry over — 现行有效件数 =
last year's + 制发 − 废止 — exactly, or with ``--noise`` of the years slipping), 表二 fused in
about half the years, imported into a temporary SQLite corpus with ``import_paths`` (what
``gongkai corpus import`` runs); prints the hit rate of the parse's guess and of the guess
re-ranked by the neighbouring years (``corpus.t2prior``).

    python bench/bench_t2_guess.py --reports 300 --seed 1
    python bench/bench_t2_guess.py --reports 0 --series 150 --seed 1
"""
import argparse
import json
import random
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from gongkai.formats import national  # noqa: E402
from gongkai.pipeline import parse_text  # noqa: E402
from gongkai.synth import DEPARTMENTS, PLACES, random_t2_series, random_values, write  # noqa: E402


def fuse_t2(text: str) -> str:
    """The digits of every 表二 row run together (as crawler text prints them)."""
    lines = text.split("\n")
    start = lines.index("二、主动公开政府信息情况")
    end = lines.index("三、收到和处理政府信息公开申请情况")
    for i in range(start + 1, end):
        lines[i] = re.sub(r"(?<=\d) (?=\d)", "", lines[i])      # digits of a row run together
    return "\n".join(lines)


def add_prose(text: str, truth: dict) -> str:
    n = truth.get("t2.normative.issued", truth.get("t2.normative.new_made"))
    if n:
        text = text.replace("持续推进政务公开。", f"持续推进政务公开。全年制发规范性文件{n}件。", 1)
    return text


def fused_report(rng, prose: bool):
    fmt = rng.choice(["2021", "2021", "2019"])
    values = random_values(rng, fmt, scale=rng.choice([20, 300, 3000]))
    text, truth = write(values, "clean", fmt, rng)
    t2_ids = {rid for rid, _f in national().t2_rows(fmt)}
    text = fuse_t2(text)
    if prose:
        text = add_prose(text, truth)
    return text, {f: v for f, v in truth.items() if f.split(".")[1] in t2_ids and f.startswith("t2.")}


def series_files(rng, n_series: int, prose: bool, noise: float, out: Path) -> dict:
    """Write n agencies' series; returns {path: truth of its 表二} for the fused years."""
    fused = {}
    names = set()
    for k in range(n_series):
        while True:
            agency = rng.choice(PLACES) + rng.choice(DEPARTMENTS)
            if agency not in names:
                break
            if len(names) >= len(PLACES) * len(DEPARTMENTS):
                raise SystemExit("more series than distinct synthetic agency names")
        names.add(agency)
        first = rng.randint(2019, 2023)
        years = list(range(first, min(2025, first + rng.randint(2, 5) - 1) + 1))
        fmts = ["2019" if y <= 2020 else "2021" for y in years]
        t2 = random_t2_series(rng, years, fmts, noise)
        which = [rng.random() < 0.5 for _ in years]
        if not any(which):
            which[rng.randrange(len(years))] = True
        for y, fmt, fuse in zip(years, fmts, which):
            values = {**random_values(rng, fmt, scale=rng.choice([5, 20, 300])), **t2[y]}
            text, truth = write(values, "clean", fmt, rng, agency=agency, year=y)
            path = out / f"s{k:04d}_{y}.txt"
            if fuse:
                text = fuse_t2(text)
                if prose:
                    text = add_prose(text, truth)
                fused[str(path.resolve())] = {f: v for f, v in truth.items() if f.startswith("t2.")}
            path.write_text(text, "utf-8")
    return fused


def corpus_mode(seed: int, n_series: int, prose: bool, noise: float):
    import sqlalchemy as sa
    from gongkai.corpus import Corpus
    from gongkai.corpus import schema as S
    from gongkai.corpus.importer import import_paths
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="t2guess-") as tmp:
        files = Path(tmp, "files")
        files.mkdir()
        fused = series_files(rng, n_series, prose, noise, files)
        corpus = Corpus(f"sqlite:///{tmp}/c.db")
        s = import_paths(corpus, [str(files)], workers=1, check=False)
        d, r, cl, f = S.documents, S.reports, S.cells, S.fields
        q = (sa.select(d.c.path, f.c.id, cl.c.value, cl.c.status, cl.c.source)
             .select_from(cl.join(r, r.c.id == cl.c.report_id).join(d, d.c.id == r.c.document_id)
                          .join(f, f.c.no == cl.c.field_no)).where(f.c.id.like("t2.%")))
        with corpus.engine.connect() as c:
            rows = c.execute(q).all()
    cells = unc = parse_hit = prior_hit = silent = by_cont = cont_hit = 0
    for path, fid, value, status, source in rows:
        truth = fused.get(path)
        if truth is None or fid not in truth:
            continue
        want = truth[fid]
        cells += 1
        if status != "uncertain":
            silent += _num(value) != want
            continue
        unc += 1
        src = json.loads(source or "{}")
        parsed = (src.get("parse") or {}).get("value", _num(value))
        parse_hit += _num(parsed) == want
        prior_hit += _num(value) == want
        if any(e.startswith("continuity") for e in (src.get("prior") or {}).get("evidence", [])):
            by_cont += 1
            cont_hit += _num(value) == want
    print(f"corpus series={n_series} reports={s.imported} noise={noise:.0%} prose={'yes' if prose else 'no '} "
          f"fused_t2_cells={cells} uncertain={unc} parse_guess_right={parse_hit} ({parse_hit / max(1, unc):.1%}) "
          f"with_corpus_priors={prior_hit} ({prior_hit / max(1, unc):.1%}) "
          f"[continuity used {by_cont}: {cont_hit / max(1, by_cont):.1%} right] silent_errors={silent}")


def _num(v):
    from decimal import Decimal
    if isinstance(v, (float, Decimal)):
        return int(v) if v == int(v) else Decimal(str(v))
    return v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--series", type=int, default=0, help="corpus mode: agencies' series of consecutive years")
    ap.add_argument("--noise", type=float, nargs="*", default=[0.0, 0.3],
                    help="corpus mode: shares of years whose stock does not carry over exactly")
    a = ap.parse_args()
    for noise in a.noise if a.series else ():
        for prose in (False, True):
            corpus_mode(a.seed, a.series, prose, noise)
    for prose in (False, True) if a.reports else ():
        rng = random.Random(a.seed)
        unc = hit = silent = cells = 0
        for _ in range(a.reports):
            text, truth = fused_report(rng, prose)
            rep = parse_text(text, checks=False)
            for fid, want in truth.items():
                c = rep.cells.get(fid)
                cells += 1
                if c.status == "uncertain":
                    unc += 1
                    hit += c.value == want
                elif c.value != want:
                    silent += 1
        print(f"prose={'yes' if prose else 'no '} reports={a.reports} t2_cells={cells} uncertain={unc} "
              f"best_guess_right={hit} ({hit / max(1, unc):.1%}) silent_errors={silent}")


if __name__ == "__main__":
    main()
