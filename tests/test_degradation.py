"""Real-world fidelity: synthetic reports degraded by the tools real reports pass through
(gongkai.degrade), parsed and scored per kind.  The bar for every kind: no silent error
(a wrong cell not listed as uncertain), cell accuracy ≥ 0.99, no exception other than a
GongkaiError, and no parse that runs away.  Fixed seed; ~2,100 documents in all.

Many kinds fail today: these tests measure the parser, they are not tuned to it."""
from __future__ import annotations

import random
import time

import pytest

from gongkai.degrade import (KINDS, PDF_KINDS, KindScore, MissingTool, cms_body, corrupt_label, crawler_text,
                             docx_to_html_lo, generate, parse_and_score, pdftotext, source)
from gongkai.errors import GongkaiError
from gongkai.formats import national

SEED = 20261201
# Documents per kind: cheap text kinds carry the count; every PDF is rendered once
# (0.4–1.7 s on this machine) and fed to each PDF extractor (pdfminer ~1.1 s and
# markitdown ~0.5–0.9 s per PDF, so fewer of those).  Generation: ~120 s on 2 busy cores.
COUNTS = {"pdftotext_raw": 40, "pdftotext_layout": 40, "pypdfium2": 40, "pypdf": 40,
          "pdf_markdown": 20, "pdfminer": 15, "docx_html_lo": 30,
          "html_body": 900, "crawler": 200, "label_corrupt": 700}
TIMEOUT = 10.0         # seconds for one parse (issue 11: no call over 10 s)
ALLOWANCE = 1.0        # seconds of parsing per document a kind may spend in all (at least 6 s),
MIN_BUDGET = 6.0       # so that a parser slow on a kind fails fast instead of running for hours
ACCURACY = 0.99        # the bar
# Where the bar is not reached yet (issue 10 stays open for these kinds), the test holds
# the measured level as a floor / ceiling so that a regression fails; see docs/benchmarks.md
# for why each kind stays below.  Kinds not listed must meet the bar: 0 silent, ≥ 0.99.
ACCURACY_FLOOR = {"pdftotext_raw": 0.79, "pdftotext_layout": 0.97, "pdfminer": 0.32,
                  "pdf_markdown": 0.955, "crawler": 0.925}
SILENT_CEILING: dict = {}


@pytest.fixture(scope="module")
def corpus(request, tmp_path_factory):
    """kind -> degraded documents, generated once for the kinds this run selected
    (PDF kinds share one rendering per report)."""
    wanted = set()
    for item in request.session.items:
        cs = getattr(item, "callspec", None)
        if item.module is request.module and cs and "kind" in cs.params:
            wanted.add(cs.params["kind"])
    docs = {k: [] for k in wanted}
    for d in generate(sorted(wanted), {k: COUNTS[k] for k in wanted}, SEED, tmp_path_factory.mktemp("lo")):
        docs[d.kind].append(d)
    return docs


@pytest.mark.parametrize("kind", KINDS)
def test_degraded_kind(kind, corpus, tmp_path):
    docs = corpus[kind]
    assert len(docs) == COUNTS[kind]
    score = KindScore(kind)
    budget = max(MIN_BUDGET, ALLOWANCE * len(docs))
    t0 = time.perf_counter()
    for d in docs:
        if time.perf_counter() - t0 > budget:
            break
        score.add(parse_and_score(d, tmp_path, timeout=TIMEOUT), keep=10)
    problems = []
    if score.crashes:
        problems.append(f"{score.crashes} unexpected exceptions (a parse error must be a GongkaiError)")
    if score.slow or score.docs < len(docs):
        problems.append(f"too slow: {score.slow} parses over {TIMEOUT:g} s, {score.docs}/{len(docs)} documents "
                        f"parsed within the kind's {budget:g} s")
    if score.silent > SILENT_CEILING.get(kind, 0):
        problems.append(f"{score.silent} silent errors (allowed today: {SILENT_CEILING.get(kind, 0)})")
    floor = ACCURACY_FLOOR.get(kind, ACCURACY)
    if score.accuracy < floor:
        problems.append(f"cell accuracy {score.accuracy:.4f} < {floor}")
    summary = (f"{kind} (seed {SEED}): {score.docs}/{len(docs)} documents scored, cell accuracy "
               f"{score.accuracy:.4f}, {score.silent} silent errors, {score.flagged} wrong but flagged uncertain, "
               f"{score.failures} parse failures, {score.crashes} crashes, {score.slow} over {TIMEOUT:g} s")
    assert not problems, "; ".join(problems) + "\n" + summary + "\n" + score.describe_errors(8)


def test_counts_cover_the_bar():
    """The corpus the tests score is at least 2,000 documents, every kind included."""
    assert set(COUNTS) == set(KINDS) and set(PDF_KINDS) <= set(COUNTS)
    assert sum(COUNTS.values()) >= 2000


# ---------------------------------------------------------------- the generator itself
def test_html_body_is_a_cms_fragment():
    for i in range(5):
        src = source(SEED, i)
        body = cms_body(src, random.Random(i))
        assert "<html" not in body.lower() and "<body" not in body.lower()
        assert body.startswith(('<p style="', "<div class=TRS_Editor>"))
        assert len(body[:body.index("<table")].encode()) >= 2048
        assert 'style="width:' in body and "border-width: 1px" in body


def test_crawler_text_fuses_adjacent_cells():
    fused = 0
    for i in range(10):
        src = source(SEED, i)
        text = crawler_text(src, random.Random(i))
        assert "<" not in text and "  " not in text
        row = [src.values[f"t3.new.{c}"] for c in ("natural", "commercial", "research", "social", "legal",
                                                   "other", "total")]
        printed = "".join(str(x) for x in row if x is not None)
        fused += len([x for x in row if x is not None]) > 1 and printed in text
    assert fused >= 5


def test_label_corruption_changes_labels_a_little():
    rng = random.Random(SEED)
    labels = [r.label for r in national().t3_rows("2021")]
    changed = 0
    for _ in range(20):
        for lab in labels:
            bad = corrupt_label(lab, rng)
            changed += bad != lab
            assert abs(len(bad) - len(lab)) <= 12
    assert changed >= 0.95 * 20 * len(labels)


def test_generated_gold_has_the_scorer_shape():
    docs = list(generate(["label_corrupt", "html_body"], 8, SEED))
    assert [d.kind for d in docs].count("html_body") == 8
    for d in docs:
        g = d.gold
        assert g["source"] == d.filename and set(g["meta"]) == {"agency", "year", "format"}
        assert all(v is None or isinstance(v, (int, float)) for v in g["cells"].values())
        assert g["cells"] and all(f.startswith(("t2.", "t3.", "t4.")) for f in g["cells"])
        src = source(SEED, int(d.name[-4:]))
        if d.kind == "html_body":       # printed as drawn: a blank stays null, never 0
            assert g["cells"] == {f: (None if x is None else float(x) if not isinstance(x, int) else x)
                                  for f, x in src.values.items()}
        elif src.layout != "tabs":      # synth text layouts other than tabs print zeros
            assert None not in g["cells"].values()
    with pytest.raises(GongkaiError, match="未知的退化类型"):
        list(generate(["nope"], 1, SEED))


def test_missing_converters_are_named(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingTool, match="pdftotext.*poppler-utils"):
        pdftotext(b"%PDF-1.4")
    with pytest.raises(MissingTool, match="soffice"):
        docx_to_html_lo([b"PK"], tmp_path)
