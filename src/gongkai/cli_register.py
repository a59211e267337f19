"""`gongkai deadline` and `gongkai fee`: thin wrappers over gongkai.register."""
from __future__ import annotations

import sys
from datetime import date

EXIT_OK, EXIT_INPUT = 0, 2
WEEKDAY = "一二三四五六日"


def _date(s: str) -> date:
    from .errors import GongkaiError
    try:
        return date.fromisoformat(s)
    except ValueError:
        raise GongkaiError(f"日期格式有误：「{s}」（应为 YYYY-MM-DD，如 2026-02-10）")


def cmd_deadline(args) -> int:
    from .register.calendar import WorkCalendar
    cal = WorkCalendar(args.calendar)
    start = _date(args.date)
    due, skipped = cal.explain(start, args.days)
    print(f"自 {start}（星期{WEEKDAY[start.weekday()]}）起 {args.days} 个工作日（当日不计）："
          f"期限为 {due}（星期{WEEKDAY[due.weekday()]}）")
    holidays = [(d, why) for d, why in skipped if why == "法定节假日"]
    weekends = [d for d, why in skipped if why != "法定节假日"]
    if holidays:
        print(f"  跳过法定节假日 {len(holidays)} 天：{_runs([d for d, _w in holidays])}")
    if weekends:
        print(f"  跳过周末 {len(weekends)} 天")
    made_up = [d for d in _days(start, due) if d.weekday() >= 5 and cal.is_workday(d)]
    if made_up:
        print(f"  调休上班（计入）：{'、'.join(f'{d}（星期{WEEKDAY[d.weekday()]}）' for d in made_up)}")
    years = sorted({start.year, due.year})
    print("  依据：" + "；".join(cal.years[y].source for y in years))
    return EXIT_OK


def _days(a: date, b: date):
    from datetime import timedelta
    d = a
    while d < b:
        d += timedelta(days=1)
        yield d


def _runs(days) -> str:
    """2024-02-10 … 2024-02-17 style runs of consecutive days."""
    from datetime import timedelta
    out, start, prev = [], None, None
    for d in days:
        if prev is not None and d == prev + timedelta(days=1):
            prev = d
            continue
        if start is not None:
            out.append(str(start) if start == prev else f"{start}–{prev.strftime('%m-%d')}")
        start = prev = d
    if start is not None:
        out.append(str(start) if start == prev else f"{start}–{prev.strftime('%m-%d')}")
    return "、".join(out)


def cmd_fee(args) -> int:
    from .register.fees import explain
    if args.applications is not None:
        print(explain(args.applications, "per_application"))
    else:
        print(explain(args.pages, "per_page"))
    return EXIT_OK


def add_parsers(sub):
    d = sub.add_parser("deadline", help="计算工作日期限（默认 20 个工作日，计入调休、跳过法定节假日）")
    d.add_argument("date", help="起算日期（收到申请之日等），YYYY-MM-DD")
    d.add_argument("--days", type=int, default=20, help="工作日数（答复 20、补正告知 7、第三方意见 15 等）")
    d.add_argument("--calendar", help="补充或更正节假日数据的 TOML 文件（格式同内置 holidays.toml）")
    d.set_defaults(func=cmd_deadline)
    f = sub.add_parser("fee", help="计算信息处理费（国办函〔2020〕109号）")
    g = f.add_mutually_exclusive_group(required=True)
    g.add_argument("--applications", type=int, metavar="N", help="按件计收：同一申请人一个自然月内的申请件数")
    g.add_argument("--pages", type=int, metavar="N", help="按量计收：一件申请的页数")
    f.set_defaults(func=cmd_fee)
