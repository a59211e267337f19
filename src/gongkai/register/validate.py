"""Every value the register stores is checked here first, so that a refusal leaves
nothing behind (the store calls these before its one transaction).  Each refusal is a
:class:`ValidationError` whose one Chinese line names the field and the rule.

The bounds are the project's, not the law's: they only keep absurd input (a fee of
10²⁰ 元, a 40,000-character name, a date in 1900) out of a register whose deadlines,
sums and listings must keep working."""
from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ..errors import ValidationError

# text lengths (characters, after cleaning)
NAME_MAX = 200          # applicant, agency, contact, form
TEXT_MAX = 2000         # request, basis, title
SHORT_MAX = 100         # user, 文号
# numbers
ID_MAX = 2**31 - 1      # application / event / record numbers
FEE_MAX = 100_000_000   # 元, one fee notice
PAGES_MAX = 1_000_000   # pages of one application (按量计收)
COUNT_MAX = 100_000_000  # decisions, items in one record
WAN_MAX = Decimal(100_000_000)   # 万元 in one record (fee income, procurement)
WAN_PLACES = 4          # the register stores 万元 to 4 decimal places (1 元)
FIRST_YEAR = 2008       # the first year of 条例 reports
FIRST_RECORD_DAY = date(2008, 1, 1)
FIRST_DOC_DAY = date(1949, 10, 1)   # a 规章 / 规范性文件 issued long ago may still be in force


def _c(s) -> str:
    """A value as it can be quoted in a one-line message."""
    s = clean(str(s))
    return s if len(s) <= 40 else s[:40] + "…"


# ------------------------------------------------------------------ text

_SPACES = frozenset("\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85")


def _char(ch: str) -> str:
    if ch in _SPACES:
        return " "
    return "" if unicodedata.category(ch) in ("Cc", "Cf", "Cs") else ch


def clean(s: str) -> str:
    """Control characters (Cc), format characters (Cf: bidi overrides and isolates
    U+202A–202E, U+2066–2069, marks U+200E/F, zero-width characters) and unpaired
    surrogates removed; every run of whitespace (line breaks included) made one space."""
    return " ".join("".join(map(_char, s)).split())


def text(field: str, value, limit: int, required: bool = False) -> str:
    """A name or free text, cleaned; refused when too long, or empty when required."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(field, f"{field}应为文字，而不是 {type(value).__name__}")
    s = clean(value)
    if required and not s:
        raise ValidationError(field, f"{field}不能为空（去除控制字符和空白后为空）")
    if len(s) > limit:
        raise ValidationError(field, f"{field}长 {len(s)} 字，超过上限 {limit} 字")
    return s


# ------------------------------------------------------------------ numbers

def _decimal(field: str, value) -> Decimal:
    if isinstance(value, bool):
        raise ValidationError(field, f"{field}应为数字，而不是 {value}")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, (int, float)):
        d = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    elif isinstance(value, str):
        s = value.strip().replace(",", "")
        if len(s) > 40:
            raise ValidationError(field, f"{field}「{_c(value)}」不是有效的数字")
        try:
            d = Decimal(s)
        except InvalidOperation:
            raise ValidationError(field, f"{field}「{_c(value)}」不是有效的数字") from None
    else:
        raise ValidationError(field, f"{field}应为数字，而不是 {type(value).__name__}")
    if not d.is_finite():
        raise ValidationError(field, f"{field}「{_c(value)}」不是有限的数")
    return d


def _bounded(field: str, d: Decimal, limit, unit: str, raw) -> Decimal:
    if d < 0:
        raise ValidationError(field, f"{field}不能为负数（{_c(raw)}）")
    if d > limit:
        raise ValidationError(field, f"{field} {_c(raw)} 超过上限 {limit:,}{unit}")
    return d


def count(field: str, value, limit: int = COUNT_MAX, unit: str = "") -> int:
    """A non-negative whole number not above ``limit``."""
    d = _bounded(field, _decimal(field, value), limit, unit, value)
    if d != d.to_integral_value():
        raise ValidationError(field, f"{field}须为整数，而不是 {_c(value)}")
    return int(d)


def identifier(field: str, value) -> int:
    """A record / application / event number: a whole number from 1."""
    n = count(field, value, ID_MAX)
    if n < 1:
        raise ValidationError(field, f"{field}应为从 1 起的编号，而不是 {_c(value)}")
    return n


def fee_yuan(field: str, value) -> int:
    """A fee in whole 元 (the 109号 scale is in whole 元)."""
    d = _bounded(field, _decimal(field, value), FEE_MAX, " 元", value)
    if d != d.to_integral_value():
        raise ValidationError(field, f"{field}以元为单位、须为整数（国办函〔2020〕109号收费标准均为整元），而不是 {_c(value)}")
    return int(d)


def wan_yuan(field: str, value) -> Decimal:
    """An amount in 万元, non-negative, at most ``WAN_PLACES`` decimals (never rounded)."""
    d = _bounded(field, _decimal(field, value), WAN_MAX, " 万元", value)
    q = Decimal(1).scaleb(-WAN_PLACES)
    if d != d.quantize(q):
        raise ValidationError(field, f"{field} {_c(value)} 的小数超过 {WAN_PLACES} 位（万元精确到元），请核对单位")
    n = d.normalize()
    return Decimal(0) if not d else (n if n.as_tuple().exponent <= 0 else n.quantize(Decimal(1)))


# ------------------------------------------------------------------ dates

def day(field: str, value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError(field, f"{field}「{_c(value)}」不是有效的日期（应为 YYYY-MM-DD）")


def _years(cal) -> str:
    ys = sorted(cal.years)
    if not ys:
        return "无"
    if ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}–{ys[-1]}" if len(ys) > 1 else str(ys[0])
    return "、".join(map(str, ys))


def not_future(field: str, d: date, today: date) -> date:
    if d > today:
        raise ValidationError(field, f"{field} {d} 晚于今天（{today}），不能登记尚未发生的日期")
    return d


def calendar_day(field: str, value, today: date, cal) -> date:
    """A date a deadline is counted from: within the holiday data and not in the future."""
    d = day(field, value)
    if d.year not in cal.years:
        raise ValidationError(field, f"{field} {d} 超出节假日数据覆盖的年份（{_years(cal)}），无法计算期限")
    return not_future(field, d, today)


def record_day(field: str, value, today: date, earliest: date = FIRST_RECORD_DAY) -> date:
    d = day(field, value)
    if d < earliest:
        raise ValidationError(field, f"{field} {d} 早于 {earliest}，不是可登记的日期")
    return not_future(field, d, today)


def not_before(field: str, d: date, other_field: str, other: date) -> date:
    if d < other:
        raise ValidationError(field, f"{field} {d} 早于{other_field} {other}")
    return d


def report_year(value, today: date) -> int:
    """A report year in [2008, next year]."""
    last = today.year + 1
    try:
        y = count("年份", value, 10**6)
    except ValidationError:
        raise ValidationError("年份", f"年份「{_c(value)}」应为 {FIRST_YEAR}–{last} 之间的整数") from None
    if not FIRST_YEAR <= y <= last:
        raise ValidationError("年份", f"年份 {y} 超出范围（{FIRST_YEAR}–{last}：条例年度报告自 {FIRST_YEAR} 年起）")
    return y
