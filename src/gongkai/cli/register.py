"""`gongkai deadline` and `gongkai fee`: thin wrappers over gongkai.register."""
from __future__ import annotations

from datetime import date

EXIT_OK, EXIT_INPUT = 0, 2
WEEKDAY = "一二三四五六日"


def _date(s: str) -> date:
    from ..errors import GongkaiError
    try:
        return date.fromisoformat(s)
    except ValueError:
        raise GongkaiError(f"日期格式有误：「{s}」（应为 YYYY-MM-DD，如 2026-02-10）")


def cmd_deadline(args) -> int:
    from ..register.calendar import WorkCalendar
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
    from ..register.fees import explain
    if args.applications is not None:
        print(explain(args.applications, "per_application"))
    else:
        print(explain(args.pages, "per_page"))
    return EXIT_OK


def add_parsers(sub):
    add_cases_parser(sub)
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


# ---------------------------------------------------------------- gongkai cases …

def _reg(args):
    from ..register.store import Register
    return Register(args.db)


def _today(args) -> date:
    return _date(args.today) if getattr(args, "today", None) else date.today()


def _shown(s: str, width: int | None = None) -> str:
    """Stored text as one safe line (rows from older versions may hold line breaks or
    bidi overrides)."""
    from ..register.validate import clean
    s = clean(s or "")
    return s if width is None else f"{s[:width]:<{width}}"


def _line(a, st) -> str:
    waiting = {"correction": "等待补正", "consultation": "征求意见中", "fee": "等待缴费"}
    state = (f"已办结 {st.closed}（{st.outcome}）" if not st.open else
             (f"期限 {st.due}" if st.due and not st.waiting else f"期限中止（{waiting.get(st.waiting, st.waiting)}）"))
    return f"#{a.id:<5} {a.received}  {_shown(a.applicant, 16)} {a.kind:<10} {state}"


def _bad_line(b) -> str:
    return f"#{b.id:<5} {b.received}  {_shown(b.applicant, 16)} 无法计算期限，未计入：{_shown(b.problem)}"


def _warn_bad(reg):
    import sys
    for b in reg.bad:
        print(f"注意：申请 #{b.id} 无法计算期限，已跳过：{_shown(b.problem)}", file=sys.stderr)


def cmd_cases_add(args) -> int:
    app = _reg(args).add_application(args.applicant, args.kind, args.channel, args.submitted,
                                     signed=args.signed, confirmed=args.confirmed,
                                     agency=args.agency or "", contact=args.contact or "", request=args.request or "",
                                     form=args.form or "", user=args.user or "")
    from ..register.cases import replay
    print(f"已登记申请 #{app.id}：收到申请之日 {app.received}，答复期限 {replay(app).due}")
    return EXIT_OK


def cmd_cases_event(args) -> int:
    from ..register.validate import identifier
    reg = _reg(args)
    ev = reg.add_event(args.id, args.kind, args.date, user=args.user, basis=args.basis, doc_no=args.doc_no,
                       outcome=args.outcome, days=args.days, voids=args.voids, amount=args.amount,
                       fee_method=args.fee_method, pages=args.pages)
    fee = f"，收费 {ev.amount:,} 元（{ev.basis}）" if args.kind == "fee_notified" and ev.amount is not None else ""
    print(f"已记录 #{identifier('申请编号', args.id)} 事件 {ev.id}（{args.kind}，{ev.on}）：期限 {ev.due_before or '中止'} → "
          f"{ev.due_after or '中止'}{fee}")
    return EXIT_OK


def cmd_cases_show(args) -> int:
    import sys

    from ..errors import GongkaiError
    from ..register.cases import CHANNELS, EVENT_KINDS, replay
    from ..register.validate import identifier
    reg = _reg(args)
    a = reg.get(identifier("申请编号", args.id), replayed=False)
    try:
        st, problem = replay(a), None
    except GongkaiError as e:
        st, problem = None, str(e)
    print(f"申请 #{a.id}  申请人：{_shown(a.applicant)}（{a.kind}）  渠道：{CHANNELS.get(a.channel, a.channel)}  "
          f"收到申请之日：{a.received}")
    if a.request:
        print(f"  申请内容：{_shown(a.request)}")
    for e in a.events:
        extra = "，".join(x for x in (e.outcome and f"结果 {e.outcome}", e.days and f"{e.days} 个工作日",
                                      e.voids and f"作废事件 {e.voids}", e.amount and f"{e.amount} 元",
                                      e.doc_no and f"文号 {_shown(e.doc_no)}", e.basis and f"依据 {_shown(e.basis)}",
                                      e.user and f"经办 {_shown(e.user)}") if x)
        print(f"  {e.id}. {e.on} {EVENT_KINDS.get(e.kind, e.kind)}{('（' + extra + '）') if extra else ''}  "
              f"期限 {e.due_before or '中止'} → {e.due_after or '中止'}")
    if st is not None:
        print("  " + _line(a, st).split(None, 4)[-1])
    recs = reg.records()
    for r in (x for x in recs if x.kind == "review_filed" and x.ref == a.id):
        res = next((d for d in recs if d.kind == "review_decided" and d.ref == r.id), None)
        print(f"  复议/诉讼（记录 {r.id}）：{r.subtype}，{r.on} 立案" + (f"，{res.on} {res.subtype}" if res else "，尚未审结"))
    for w in (st.warnings if st else []):
        print(f"  注意：{w}")
    if args.history:
        print("  变更记录：")
        for h in reg.history(a.id):
            print(f"    {h['at']:%Y-%m-%d %H:%M:%S} {_shown(h['user']) or '-'} {h['action']} {h['table']}#{h['row']} "
                  f"{_shown(str(h['new']))}")
    if problem:
        print(f"申请 #{a.id} 无法计算期限：{_shown(problem)}", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_OK


def cmd_cases_list(args) -> int:
    from ..register.cases import replay
    reg = _reg(args)
    apps = reg.all()
    rows = [(a.id, _line(a, st)) for a in apps for st in [replay(a)] if not (args.open and not st.open)]
    rows += [(b.id, _bad_line(b)) for b in reg.bad]
    for _id, line in sorted(rows):
        print(line)
    print(f"共 {len(rows)} 件" + (f"（其中 {len(reg.bad)} 件无法计算期限）" if reg.bad else ""))
    return EXIT_OK


def cmd_cases_due(args) -> int:
    from ..register.cases import due_within
    reg = _reg(args)
    hits = due_within(reg.all(), _today(args), args.within)
    _warn_bad(reg)
    for a, st in hits:
        print(_line(a, st))
    print(f"{len(hits)} 件在 {args.within} 个工作日内到期")
    return EXIT_OK


def cmd_cases_overdue(args) -> int:
    from ..register.cases import overdue
    reg = _reg(args)
    hits = overdue(reg.all(), _today(args))
    _warn_bad(reg)
    for a, st in hits:
        print(_line(a, st))
    print(f"{len(hits)} 件已超过答复期限")
    return EXIT_OK if not hits else 1


def cmd_cases_record(args) -> int:
    rec = _reg(args).add_record(args.kind, args.date, agency=args.agency or "", subtype=args.subtype,
                                ref=args.ref, value=args.value, title=args.title, doc_no=args.doc_no, user=args.user)
    print(f"已记录 {rec.id}：{args.kind} {rec.on}")
    return EXIT_OK


def write_json(path: str, data) -> None:
    """Write ``data`` to ``path``; a path that cannot be written is one clear line."""
    import json
    import os

    from ..errors import GongkaiError
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise GongkaiError(f"{path}: 无法写入，目录 {parent} 不存在")
    if os.path.isdir(path):
        raise GongkaiError(f"{path}: 无法写入，这是一个目录")
    try:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
    except PermissionError:
        raise GongkaiError(f"{path}: 无法写入，没有写入权限") from None
    except OSError as e:
        raise GongkaiError(f"{path}: 无法写入（{e.strerror or e}）") from None


def cmd_cases_report(args) -> int:
    reg = _reg(args)
    data, bad = reg.report(args.year, args.agency, args.t2_format)
    year = data["meta"]["year"]
    out = args.output or f"register-{year}.json"
    write_json(out, data)
    _warn_bad(reg)
    v = data["cells"]
    print(f"{year} 年：新收 {v['t3.new.total']}，上年结转 {v['t3.carried_over.total']}，"
          f"办结 {v['t3.total.total']}，结转下年度 {v['t3.carried_forward.total']}；"
          f"行政复议 {v['t4.review.total']}，行政诉讼 {v['t4.suit_direct.total'] + v['t4.suit_after_review.total']}；"
          f"已写入 {out}（gongkai render {out} -o 报告.docx）")
    if bad:
        print(f"注意：{len(bad)} 件申请无法计算期限，未计入表三（见报告说明）")
        return 1
    return EXIT_OK


def add_cases_parser(sub):
    from ..register.cases import APPLICANT_KINDS, CHANNELS, EVENT_KINDS
    p = sub.add_parser("cases", help="依申请公开登记簿：登记申请与事件、期限提醒、生成年度表三")
    p.add_argument("--db", default=None, help="数据库（同 gongkai corpus --db；默认 ./gongkai.db）")
    cs = p.add_subparsers(dest="cases_cmd", required=True)
    q = cs.add_parser("add", help="登记一件申请")
    q.add_argument("--applicant", required=True)
    q.add_argument("--kind", required=True, choices=APPLICANT_KINDS, help="表三申请人类别")
    q.add_argument("--channel", required=True, choices=list(CHANNELS))
    q.add_argument("--submitted", required=True, help="提交日期 YYYY-MM-DD")
    q.add_argument("--signed", help="邮寄：签收日期")
    q.add_argument("--confirmed", help="平常信函/互联网/传真：确认日期")
    for k in ("agency", "contact", "request", "form", "user"):
        q.add_argument(f"--{k}")
    q.set_defaults(func=cmd_cases_add)
    q = cs.add_parser("event", help="记录事件（只增不改；错误事件用 void 作废）")
    q.add_argument("id", help="申请编号")
    q.add_argument("kind", choices=list(EVENT_KINDS))
    q.add_argument("date")
    q.add_argument("--outcome", help="answered：表三结果行，如 granted、denied.third_party")
    q.add_argument("--days", help="extension_approved：延长的工作日数")
    q.add_argument("--voids", help="void：作废的事件编号")
    q.add_argument("--amount", help="fee_notified：金额（元）；不填则按 --fee-method 计算")
    q.add_argument("--fee-method", choices=["per_application", "per_page"], help="fee_notified：按件或按量计收")
    q.add_argument("--pages", help="fee_notified 按量计收：页数")
    for k in ("doc-no", "basis", "user"):
        q.add_argument(f"--{k}")
    q.set_defaults(func=cmd_cases_event)
    q = cs.add_parser("show", help="显示一件申请的全部事件与期限（--history 含变更记录）")
    q.add_argument("id", help="申请编号")
    q.add_argument("--history", action="store_true")
    q.set_defaults(func=cmd_cases_show)
    q = cs.add_parser("list", help="列出申请")
    q.add_argument("--open", action="store_true", help="只列未办结的")
    q.set_defaults(func=cmd_cases_list)
    q = cs.add_parser("due", help="即将到期的申请")
    q.add_argument("--within", type=int, default=5, help="工作日数（默认 5）")
    q.add_argument("--today", help="以该日为今天（默认系统日期）")
    q.set_defaults(func=cmd_cases_due)
    q = cs.add_parser("overdue", help="已超过答复期限的申请（有则退出码为 1）")
    q.add_argument("--today")
    q.set_defaults(func=cmd_cases_overdue)
    from ..register.annual import RECORD_KINDS
    q = cs.add_parser("record", help="记录主动公开事项或复议/诉讼（只增不改；错误记录用 void 作废）")
    q.add_argument("kind", choices=list(RECORD_KINDS))
    q.add_argument("date")
    q.add_argument("--subtype", help="rules/normative、licensing/penalty/coercion、review/suit_direct/"
                                    "suit_after_review、upheld/corrected/other")
    q.add_argument("--ref", help="所指记录编号（废止、决定、作废）")
    q.add_argument("--value", help="件数或金额（万元）")
    for k in ("title", "doc-no", "agency", "user"):
        q.add_argument(f"--{k}")
    q.set_defaults(func=cmd_cases_record)
    q = cs.add_parser("report", help="由登记簿计算某年表二、表三、表四，写出可供 gongkai render 使用的 JSON"
                       "（有无法计算期限的申请时仍写出，退出码为 1）")
    q.add_argument("year", help="报告年度（2008 至明年）")
    q.add_argument("--agency", required=True, help="机关名称（报告标题用）")
    q.add_argument("--t2-format", choices=["2021", "2019"], default="2021",
                   help="表二格式（默认 2021；2019 年格式仅在需要时使用）")
    q.add_argument("-o", "--output")
    q.set_defaults(func=cmd_cases_report)
