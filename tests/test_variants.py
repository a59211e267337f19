"""Label variants: Traditional characters, full/half-width brackets and quotes, spaces
inside labels, 结转下年继续办理; reports mixing the 2019 and 2021 formats."""
import random

from conftest import VENDORED
from gongkai.synth import random_values, write

from gongkai import parse_text
from gongkai.formats import chars

SEED = (VENDORED / "seeds" / "002_98b9844beaabac24.txt").read_text("utf-8")


def _values(r):
    return {f: c.value for f, c in r.cells.items()}


def test_traditional_characters():
    to_trad = {v: k for k, v in chars()["traditional"].items()}
    trad = "".join(to_trad.get(ch, ch) for ch in SEED)
    assert trad != SEED and "結轉" in trad
    assert _values(parse_text(trad)) == _values(parse_text(SEED))


def test_bracket_quote_and_space_variants():
    v = SEED.replace("（", "(").replace("）", ")").replace("“", '"').replace("”", '"')
    v = v.replace("不予公开", "不予 公开").replace("本机关不掌握相关政府信息", "本机关 不掌握 相关政府信息")
    v = v.replace("1.属于国家秘密", "1、属于国家秘密").replace("2.重复申请", "2．重复申请")
    r = parse_text(v)
    assert _values(r) == _values(parse_text(SEED))
    assert not r.uncertain


def test_carried_forward_label_variant():
    v = SEED.replace("四、结转下年度继续办理", "四、结转下年继续办理")
    assert _values(parse_text(v)) == _values(parse_text(SEED))


def test_mixed_2021_table2_with_2019_table3():
    rng = random.Random(7)
    v21 = random_values(rng, "2021")
    v19 = random_values(rng, "2019")
    t21, _ = write(v21, "clean", "2021")
    t19, _ = write(v19, "clean", "2019")
    cut = "三、收到和处理政府信息公开申请情况"
    mixed = t21[:t21.index(cut)] + t19[t19.index(cut):]
    r = parse_text(mixed)
    assert r.meta["formats"] == {"t2": "2021", "t3": "2019"}
    assert "format.mixed" in {f.rule for f in r.findings}
    for f, x in v21.items():
        if f.startswith("t2."):
            assert r.value(f) == x, f
    for f, x in v19.items():
        if f.startswith("t3.") or f.startswith("t4."):
            assert r.value(f) == x, f
    assert "t3.other.natural" in r.cells and "t3.other.no_fee.natural" not in r.cells


def test_2019_format_in_2022_is_a_warning():
    rng = random.Random(3)
    t, _ = write(random_values(rng, "2019"), "clean", "2019", year=2022)
    r = parse_text(t)
    assert r.meta["format"] == "2019" and r.meta["year"] == 2022
    f = [x for x in r.findings if x.rule == "year.format"]
    assert f and f[0].severity == "warning"
