"""The speed pass's faster forms give exactly what the plain forms give (they were
checked byte for byte on whole parses; these pin the helpers themselves)."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

import gongkai
from gongkai.extract import normalize as N
from gongkai.extract.evidence import evidence
from gongkai.extract.locate import line_starts, locate
from gongkai.read import read_text_file
from gongkai.read.text import clean

SAMPLES = sorted((Path(gongkai.__file__).parent / "samples").glob("*.txt"))
TABLES = {"norm": N._norm_list, "keep_space": N._keep_space_list, "same_length": N._same_length_list}
ALPHABET = " \t\n\r\x00\x0b\x0c\x1c\x85\xa0\u2028\u3000“”「」*#|-—–－／，。：１２ＡａＺ表開資訊请5"


def _texts():
    rng = random.Random(7)
    every = "".join(chr(i) for i in range(1, 0x11000) if not 0xD800 <= i < 0xE000)
    out = [read_text_file(f) for f in SAMPLES] + [every, every[::-1], "", "a", "表" * (N.SHORT + 1)]
    out += ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 200))) for _ in range(400)]
    return out


@pytest.mark.parametrize("name", sorted(TABLES))
def test_translate_equals_str_translate(name):
    table = TABLES[name]()
    for t in _texts():
        assert N.translate(t, name, table) == t.translate(table)


def test_norm_lines_equals_norm_of_each_line():
    for t in _texts():
        if "\x00" in t:
            continue
        same = t.translate(N._same_length_list())
        assert N.norm_lines(t, same) == [N.norm(x) for x in t.split("\n")]


def test_line_starts():
    for t in ["", "\n", "a", "a\n", "\na", "ab\n\ncd\n", *_texts()[:20]]:
        want = [0] + [i + 1 for i, ch in enumerate(t) if ch == "\n"]
        assert line_starts(t) == want


def test_compact_maps_back_to_the_original():
    for t in _texts()[-200:]:
        c = N.Compact(t)
        kept = [i for i, ch in enumerate(t.translate(N._same_length_list())) if not (ch.isspace() or ch == "\x00")]
        assert [c.orig(i) for i in range(len(c.s))] == kept


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_early_evidence_decides_the_same(path):
    lay = locate(clean(read_text_file(path)))
    assert evidence(lay, enough=True).national == evidence(lay).national is True
