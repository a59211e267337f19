"""信息处理费 (国办函〔2020〕109号): 按件 per applicant per calendar month, 按量 per
application, both progressive; the bands are data (fees.toml).  Amounts in whole 元."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import GongkaiError
from .validate import PAGES_MAX as COUNT_MAX


@lru_cache(maxsize=1)
def scale() -> dict:
    return tomllib.loads((Path(__file__).parent / "fees.toml").read_text("utf-8"))


@dataclass
class FeeLine:
    first: int          # first unit of the band (1-based)
    last: int           # last unit charged in the band
    rate: int           # 元 per unit

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    @property
    def amount(self) -> int:
        return self.count * self.rate


def _bands(spec: dict):
    """(from, to, rate) bands, to None for open-ended, after the free part."""
    lo = spec["free"] + 1
    for hi, rate in spec["bands"]:
        yield lo, hi, rate
        lo = hi + 1
    if "above" in spec:
        yield lo, None, spec["above"]
        return
    rate = spec["bands"][-1][1] if spec["bands"] else 0
    while True:
        rate += spec["then_step"]
        yield lo, lo + spec["then_every"] - 1, rate
        lo += spec["then_every"]


def breakdown(n: int, method: str) -> list[FeeLine]:
    """The charged bands for n 件 (method "per_application") or n 页 ("per_page")."""
    if method not in ("per_application", "per_page"):
        raise GongkaiError(f"未知的计费方式：{method}（按件 per_application 或按量 per_page）")
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise GongkaiError(f"数量应为非负整数，而不是 {n!r}")
    if n > COUNT_MAX:
        raise GongkaiError(f"数量 {n} 超过上限 {COUNT_MAX:,}")
    out = []
    for lo, hi, rate in _bands(scale()[method]):
        if n < lo:
            break
        last = n if hi is None else min(n, hi)
        out.append(FeeLine(lo, last, rate))
    return out


def fee(n: int, method: str) -> int:
    """Total fee in 元: ``fee(45, "per_application")`` → 5500; ``fee(2219, "per_page")`` → 83460."""
    return sum(x.amount for x in breakdown(n, method))


def explain(n: int, method: str) -> str:
    spec = scale()[method]
    unit = spec["unit"]
    lines = [f"{'按件' if method == 'per_application' else '按量'}计收 {n} {unit}（{scale()['source']}{spec['article']}）：",
             f"  1–{min(n, spec['free'])} {unit}：免费" if n else f"  0 {unit}：免费"]
    for b in breakdown(n, method):
        lines.append(f"  {b.first}–{b.last} {unit}：{b.count} × {b.rate} 元 = {b.amount:,} 元")
    lines.append(f"合计 {fee(n, method):,} 元")
    return "\n".join(lines)
