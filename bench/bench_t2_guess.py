"""Best-guess hit rate of fused 表二 rows (issue 10 item 7).

Crawler text fuses a 表二 row's numbers (``5845546`` for 58 / 45 / 546).  表二 has no
arithmetic, so such cells stay ``uncertain``; the parser still ranks the readings (numbers
the prose states first).  This prints how often the top-ranked reading is right, with and
without a prose sentence that states one of the row's numbers.

    python bench/bench_t2_guess.py --reports 300 --seed 1
"""
import argparse
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from gongkai.formats import national  # noqa: E402
from gongkai.pipeline import parse_text  # noqa: E402
from gongkai.synth import random_values, write  # noqa: E402


def fused_report(rng, prose: bool):
    fmt = rng.choice(["2021", "2021", "2019"])
    values = random_values(rng, fmt, scale=rng.choice([20, 300, 3000]))
    text, truth = write(values, "clean", fmt, rng)
    t2_ids = {rid for rid, _f in national().t2_rows(fmt)}
    lines = text.split("\n")
    start = lines.index("二、主动公开政府信息情况")
    end = lines.index("三、收到和处理政府信息公开申请情况")
    for i in range(start + 1, end):
        lines[i] = re.sub(r"(?<=\d) (?=\d)", "", lines[i])      # digits of a row run together
    text = "\n".join(lines)
    if prose:
        n = truth.get("t2.normative.issued")
        if n:
            text = text.replace("持续推进政务公开。", f"持续推进政务公开。全年制发规范性文件{n}件。", 1)
    return text, {f: v for f, v in truth.items() if f.split(".")[1] in t2_ids and f.startswith("t2.")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    for prose in (False, True):
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
