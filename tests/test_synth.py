"""The synthetic corpus generator: varied reports in every format with gold files; the
parser scores perfectly on them and every planted error is reported by its rule."""
import json
import os
import subprocess
import sys

from conftest import ROOT, scorer

from gongkai import parse_file


def test_synth_corpus_parses_perfectly_and_planted_errors_are_found(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    d = tmp_path / "syn"
    r = subprocess.run([sys.executable, "-m", "gongkai", "synth", "24", "--out", str(d), "--formats",
                        "txt,html,docx,pdf", "--seed", "5", "--error-rate", "0.5"], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    golds = sorted(d.glob("*.gold.json"))
    assert len(golds) == 24
    assert len({g.name.split("_")[1].split(".")[0] for g in golds}) == 4     # all four formats drawn
    layouts = {json.loads(g.read_text())["notes"][0].split("layout: ")[1] for g in golds}
    assert len(layouts) >= 10                    # text layouts and rendered styles vary
    out = tmp_path / "pred"
    subprocess.run([sys.executable, "-m", "gongkai", "parse", str(d), "-o", str(out), "-q"], env=env, check=True)
    s = subprocess.run([sys.executable, str(scorer()), str(d), str(out)], capture_output=True, text=True)
    assert "cell_accuracy=1.0000 silent_errors=0" in s.stdout and "missing=0" in s.stdout, s.stdout[-500:]
    planted = 0
    for g in golds:
        gold = json.loads(g.read_text())
        if not gold["findings"]:
            continue
        report = parse_file(d / gold["source"])
        for f in gold["findings"]:
            planted += 1
            hits = [x for x in report.findings if x.rule == f["rule"] and
                    any(fid == f["about"] or fid.startswith(f["about"] + ".") or f["about"].startswith(fid + ".")
                        for fid in list(x.fields) + [x.table or ""])]
            assert hits, (g.name, f, [(x.rule, x.fields[:2]) for x in report.findings])
    assert planted >= 6


def test_synth_rejects_unknown_format(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    r = subprocess.run([sys.executable, "-m", "gongkai", "synth", "2", "--out", str(tmp_path), "--formats", "odt"],
                       env=env, capture_output=True, text=True)
    assert r.returncode == 2 and "odt" in r.stderr
