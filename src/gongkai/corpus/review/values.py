"""What a reviewer may type into a cell: a value of the field's kind (formats/national.toml
``kind``): ``count`` a non-negative integer (every 表三 and 表四 cell, most of 表二),
``signed`` an integer (2019 表二 本年增/减), ``amount`` / ``as_printed`` a non-negative
decimal (表二 收费金额 in 万元, 2019 采购总金额) with at most 4 decimals; or 「空白」
for a cell printed blank.  Reasons and comments: trimmed text of bounded length."""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from ..store import STORABLE_DECIMALS, STORABLE_DIGITS, CorpusError

BLANK_WORDS = ("空白", "空")
MAX_REASON = 500
MAX_COMMENT = 2000
KIND_ZH = {"count": "非负整数（件数）", "signed": "整数（可为负，如本年增/减）",
           "amount": "非负金额（最多 4 位小数）", "as_printed": "非负数（最多 4 位小数）"}


class ReviewError(CorpusError):
    """A review action refused (one Chinese line): ``code`` 400 bad input or not in this
    state, 403 no right to do it, 404 the report is absent or outside the user's scope."""

    def __init__(self, message: str, code: int = 400):
        super().__init__(message)
        self.code = code


def field_kind(fid: str) -> str:
    from ...formats import national
    return national().field_kind(fid)


def parse_value(fid: str, text: str, label: str = "") -> tuple[int | Decimal | None, str]:
    """(value, status) for ``text`` typed into cell ``fid``: status ``value``, or
    ``blank`` for 「空白」.  Raises ReviewError with one Chinese line."""
    name = label or fid
    s = unicodedata.normalize("NFKC", str(text or "")).strip().replace(",", "").replace(" ", "")
    if not s:
        raise ReviewError(f"请填写单元格「{name}」更正后的数值（印作空白的请填「空白」）")
    if s in BLANK_WORDS:
        return None, "blank"
    kind = field_kind(fid)
    if len(s) > STORABLE_DIGITS + STORABLE_DECIMALS + 2:
        raise ReviewError(f"数值「{s[:30]}…」过长：整数部分最多 {STORABLE_DIGITS} 位")
    pattern = {"count": r"\d+", "signed": r"[+-]?\d+"}.get(kind, r"\d+(\.\d+)?")
    if not re.fullmatch(pattern, s):
        raise ReviewError(f"单元格「{name}」应填{KIND_ZH.get(kind, KIND_ZH['count'])}，「{s[:30]}」不符合")
    try:
        d = Decimal(s)
    except InvalidOperation:        # pragma: no cover - the pattern admits only numbers
        raise ReviewError(f"「{s[:30]}」不是数字") from None
    if abs(d) >= 10 ** STORABLE_DIGITS:
        raise ReviewError(f"数值 {s} 超出可存储的范围（整数部分最多 {STORABLE_DIGITS} 位）")
    if -d.as_tuple().exponent > STORABLE_DECIMALS:
        raise ReviewError(f"数值 {s} 的小数超过 {STORABLE_DECIMALS} 位")
    if kind in ("count", "signed"):
        return int(d), "value"
    return (int(d) if d == d.to_integral_value() and "." not in s else d), "value"


def clean_text(text: str | None, what: str, required: bool, limit: int) -> str:
    """A reason or comment: trimmed, control characters but newlines removed, required
    or not, at most ``limit`` characters."""
    s = unicodedata.normalize("NFC", str(text or ""))
    s = "".join(ch for ch in s if ch in "\n\t" or not unicodedata.category(ch).startswith("C")).strip()
    if required and not s:
        raise ReviewError(f"请填写{what}")
    if len(s) > limit:
        raise ReviewError(f"{what}太长：最多 {limit} 个字（现有 {len(s)} 个）")
    return s
