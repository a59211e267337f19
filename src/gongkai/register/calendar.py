"""Working days (工作日) for statutory periods: Monday–Friday, minus the State Council's
holidays, plus its 调休 make-up working days — from ``holidays.toml`` (and a user file
for years or corrections it lacks).  A date in a year without data raises
``MissingCalendar`` 「缺少 YYYY 年节假日数据」: a deadline is never guessed.

Counting follows the common reading of the 条例 periods (domain.md §4.11): the day of
the triggering event is not counted; the period ends on the N-th working day after it."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from ..errors import GongkaiError

DATA = Path(__file__).parent / "holidays.toml"
WEEKDAY_ZH = "一二三四五六日"


class MissingCalendar(GongkaiError):
    """A date falls in a year whose holidays are not known."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(f"缺少 {year} 年节假日数据：请在节假日数据文件中补充该年的放假与调休安排"
                         f"（国务院办公厅通知），再计算期限")


@dataclass(frozen=True)
class YearData:
    year: int
    off: frozenset
    work: frozenset
    source: str


class WorkCalendar:
    def __init__(self, extra: str | Path | None = None):
        self.years: dict[int, YearData] = {}
        self._load(DATA)
        extra = extra or os.environ.get("GONGKAI_CALENDAR")
        if extra:
            self._load(Path(extra))

    def _load(self, path: Path):
        try:
            raw = tomllib.loads(Path(path).read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise GongkaiError(f"{path}: 无法读取节假日数据文件（{e}）")
        for k, v in raw.items():
            try:
                y = int(k)
                off = frozenset(date.fromisoformat(x) for x in v.get("off", []))
                work = frozenset(date.fromisoformat(x) for x in v.get("work", []))
            except (ValueError, TypeError) as e:
                raise GongkaiError(f"{path}: [{k}] 的日期格式有误（应为 YYYY-MM-DD）：{e}")
            wrong = [d for d in off | work if d.year != y]
            if wrong:
                raise GongkaiError(f"{path}: [{k}] 中有不属于该年的日期：{wrong[0]}")
            self.years[y] = YearData(y, off, work, v.get("source", str(path)))

    def _year(self, d: date) -> YearData:
        yd = self.years.get(d.year)
        if yd is None:
            raise MissingCalendar(d.year)
        return yd

    def is_workday(self, d: date) -> bool:
        yd = self._year(d)
        if d in yd.work:
            return True
        if d in yd.off:
            return False
        return d.weekday() < 5

    def why_not(self, d: date) -> str | None:
        """Why a day is not a working day (zh), or None for a working day."""
        yd = self._year(d)
        if d in yd.work:
            return None
        if d in yd.off:
            return "法定节假日"
        if d.weekday() >= 5:
            return f"星期{WEEKDAY_ZH[d.weekday()]}"
        return None

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (the start day itself is not counted)."""
        _check_n(n)
        d = start
        k = 0
        while k < n:
            d += timedelta(days=1)
            if self.is_workday(d):
                k += 1
        return d

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in (a, b] (0 when b <= a)."""
        n, d = 0, a
        while d < b:
            d += timedelta(days=1)
            if self.is_workday(d):
                n += 1
        return n

    def explain(self, start: date, n: int) -> tuple[date, list[tuple[date, str]]]:
        """The due date and the non-working days skipped on the way, with the reason."""
        _check_n(n)
        skipped = []
        d, k = start, 0
        while k < n:
            d += timedelta(days=1)
            why = self.why_not(d)
            if why is None:
                k += 1
            else:
                skipped.append((d, why))
        return d, skipped


def _check_n(n):
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise GongkaiError(f"工作日数应为非负整数，而不是 {n!r}")


@lru_cache(maxsize=4)
def calendar(extra: str | None = None) -> WorkCalendar:
    return WorkCalendar(extra)
