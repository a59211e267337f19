"""Layout style of a rendered report.  The default is the conforming publication style;
``Style.random`` draws the layout variety real reports show (fonts, sizes, column
widths, page breaks, how blanks are printed) for the synthetic corpus."""
from __future__ import annotations

import random as _random
from dataclasses import dataclass

# East Asian font families: (name used in DOCX, CSS font stack).  The CSS stacks end in
# Noto CJK, which is what the PDF embeds where the official fonts are not installed.
FONTS = {
    "fangsong": ("仿宋_GB2312", '"FangSong", "仿宋_GB2312", "仿宋", "Noto Serif CJK SC", serif'),
    "song": ("宋体", '"SimSun", "宋体", "Noto Serif CJK SC", serif'),
    "hei": ("黑体", '"SimHei", "黑体", "Noto Sans CJK SC", sans-serif'),
    "kai": ("楷体_GB2312", '"KaiTi", "楷体_GB2312", "楷体", "Noto Serif CJK SC", serif'),
}

# Blank cells may be printed empty, or with a mark readers take for "nothing filled in"
# (formats/chars.toml blank_markers).
BLANK_MARKS = ("", "/", "—", "-")


@dataclass(frozen=True)
class Style:
    body_font: str = "fangsong"       # key of FONTS
    table_font: str = "song"
    body_pt: float = 16.0
    table_pt: float = 10.5
    label_scale: float = 1.0          # widen (>1) or narrow (<1) the label columns
    t3_new_page: bool = True          # start 表三's section on a new page
    blank_mark: str = ""              # how a blank cell is printed (unless blank_as_zero)
    margin_cm: float = 2.2            # left/right page margin

    def __post_init__(self):
        if self.body_font not in FONTS or self.table_font not in FONTS:
            raise ValueError(f"unknown font key: {self.body_font}/{self.table_font}")
        if self.blank_mark not in BLANK_MARKS:
            raise ValueError(f"unknown blank mark: {self.blank_mark!r}")

    @classmethod
    def random(cls, rng: _random.Random) -> "Style":
        return cls(body_font=rng.choice(list(FONTS)), table_font=rng.choice(["song", "fangsong", "hei"]),
                   body_pt=rng.choice([14.0, 15.0, 16.0]), table_pt=rng.choice([9.0, 10.5, 12.0, 14.0]),
                   label_scale=rng.choice([0.7, 0.85, 1.0, 1.2]), t3_new_page=rng.random() < 0.5,
                   blank_mark=rng.choice(BLANK_MARKS), margin_cm=rng.choice([1.8, 2.2, 2.8]))

    def widths(self, base: list[float], n_labels: int) -> list[float]:
        """Scale the first n_labels columns; the rest share what is left (same total)."""
        total = sum(base)
        labels = [w * self.label_scale for w in base[:n_labels]]
        rest = base[n_labels:]
        left = total - sum(labels)
        return labels + [w * left / sum(rest) for w in rest] if rest else labels

    def describe(self) -> str:
        return (f"body={self.body_font}/{self.body_pt:g}pt table={self.table_font}/{self.table_pt:g}pt "
                f"labels×{self.label_scale:g} t3_new_page={self.t3_new_page} blank={self.blank_mark or '∅'} "
                f"margin={self.margin_cm:g}cm")


DEFAULT = Style()
LABEL_COLUMNS = {"t2": 1, "t3": 3, "t4": 0}
