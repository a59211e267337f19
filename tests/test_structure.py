"""Structure-first row mapping and conservation of numbers (issue 10 items 3, 4):
rows whose labels are damaged are found by their place; numbers that no cell took make
absent readings uncertain, never blank."""
import random

import pytest

from gongkai.formats import national
from gongkai.pipeline import parse_text
from gongkai.synth import random_values, write

NF = national()
OCR = {"已": "己", "未": "末", "日": "曰", "0": "O", "人": "入", "申": "由", "处": "外"}


def corrupt(label: str, rng: random.Random) -> str:
    """Damage a label as OCR and typing do: drop/insert/replace 1–4 characters of its
    text, OCR confusions, full/half-width mixes, other numbering styles."""
    m = 0
    while m < len(label) and (label[m] in "（）()0123456789一二三四五六七八九十.、"):
        m += 1
    head, body = label[:m], list(label[m:])
    for _ in range(rng.randint(1, 4)):
        op = rng.choice(["drop", "insert", "replace", "ocr"])
        if len(body) < 4:
            break
        k = rng.randrange(1, len(body) - 1)
        if op == "drop":
            del body[k]
        elif op == "insert":
            body.insert(k, rng.choice("的之和与及了"))
        elif op == "replace":
            body[k] = rng.choice("甲乙丙丁戊")
        else:
            hits = [i for i, ch in enumerate(body) if ch in OCR]
            if hits:
                i = rng.choice(hits)
                body[i] = OCR[body[i]]
    if rng.random() < 0.3:          # another numbering style, same number
        m2 = __import__("re").fullmatch(r"[（(]?([0-9一二三四五六七八九十]+)[)）.、]?", head)
        if m2:
            n = m2.group(1)
            head = rng.choice([f"{n}、", f"{n}.", f"({n})", f"（{n}）"]) if n.isdigit() else \
                rng.choice([f"({n})", f"（{n}）", f"{n}、"])
    return head + "".join(body)


def _damaged_report(seed: int, rows_to_damage: int):
    rng = random.Random(seed)
    fmt = rng.choice(["2021", "2019"])
    values = random_values(rng, fmt, scale=rng.choice([5, 40, 300]))
    text, truth = write(values, "clean", fmt, rng)
    rows = [r for r in NF.t3_rows(fmt)]
    damaged = []
    for r in rng.sample(rows, rows_to_damage):
        if r.label in text and text.count(r.label) == 1:
            bad = corrupt(r.label, rng)
            text = text.replace(r.label, bad)
            damaged.append((r.id, bad))
    return text, truth, damaged


def test_damaged_labels_are_found_by_their_place_or_flagged():
    """1–3 rows per report with 1–4 damaged characters: never a silent wrong cell, and
    (measured on 150 reports) at least 90 % of the damaged rows read, not flagged."""
    read = total = 0
    for seed in range(150):
        text, truth, damaged = _damaged_report(seed, rows_to_damage=1 + seed % 3)
        rep = parse_text(text)
        for fid, want in truth.items():
            c = rep.cells.get(fid)
            if fid.startswith("t3.") and c.status != "uncertain":
                assert c.value == want, (seed, fid, want, c.value, c.status, damaged)
        for rid, _bad in damaged:
            total += 1
            read += all(rep.cells[f"t3.{rid}.{col}"].status != "uncertain" for col in NF.t3_columns)
    assert total > 250 and read / total >= 0.9, (read, total)


def test_label_with_several_characters_dropped_is_read():
    rng = random.Random(3)
    values = random_values(rng, "2021", scale=50)
    text, truth = write(values, "clean", "2021", rng)
    text = text.replace("2.其他法律行政法规禁止公开", "2.其他法律法禁止公开")
    rep = parse_text(text)
    for col in NF.t3_columns:
        fid = f"t3.denied.law_forbidden.{col}"
        assert rep.cells[fid].value == truth[fid] and rep.cells[fid].status == "value", fid
    assert any(f.rule == "label.typo" and "其他法律法禁止公开" in f.message for f in rep.findings)


def test_numbers_left_over_make_absent_rows_uncertain_not_blank():
    """Values detached from their row (printed after the next label): the row without
    adjacent numbers must not be declared blank while numbers lie unassigned."""
    rng = random.Random(5)
    values = random_values(rng, "2021", scale=50)
    text, truth = write(values, "clean", "2021", rng)
    lines = text.split("\n")
    i = next(k for k, ln in enumerate(lines) if ln.startswith("（一）予以公开"))
    label, _sp, nums = lines[i].partition(" ")
    lines[i] = label                      # the label alone …
    lines.insert(i + 3, nums)             # … its numbers two rows further down
    rep = parse_text("\n".join(lines))
    for col in NF.t3_columns:
        c = rep.cells[f"t3.granted.{col}"]
        assert c.status == "uncertain" or c.value == truth[f"t3.granted.{col}"], (col, c)
        assert c.status != "blank"
    assert any(f.rule == "parse.leftover_numbers" for f in rep.findings)


def test_wrapped_numbers_are_joined_under_the_arithmetic():
    """A number too wide for its cell comes out as two pieces (pypdf, pypdfium2 text)."""
    rng = random.Random(8)
    values = random_values(rng, "2021", scale=3000)
    text, truth = write(values, "clean", "2021", rng)
    row = next(ln for ln in text.split("\n") if ln.startswith("一、本年新收"))
    label, nums = row.split(" ", 1)
    pieces = []
    for x in nums.split():
        pieces.extend([x[:-1], x[-1]] if len(x) >= 4 else [x])
    text = text.replace(row, label + " " + " ".join(pieces))
    rep = parse_text(text)
    for col in NF.t3_columns:
        c = rep.cells[f"t3.new.{col}"]
        assert c.value == truth[f"t3.new.{col}"], (col, c)
    assert any(f.rule == "parse.joined_digits" for f in rep.findings)


def test_dash_run_without_spaces_is_one_blank_per_mark():
    rng = random.Random(11)
    values = random_values(rng, "2021", scale=20)
    for col in NF.t3_columns:
        values[f"t3.denied.third_party.{col}"] = None
    text, truth = write(values, "clean", "2021", rng)
    text = text.replace("4.保护第三方合法权益 - - - - - - -", "4.保护第三方合法权益———————")
    rep = parse_text(text)
    for col in NF.t3_columns:
        c = rep.cells[f"t3.denied.third_party.{col}"]
        assert c.value is None and c.status in ("blank", "uncertain"), (col, c)
