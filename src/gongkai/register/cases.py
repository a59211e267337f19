"""Applications and their append-only events; the deadline replayed from the events;
表三 of a year computed from the register.

Statutory rules (条例, domain.md §4):
* Art. 31 — the receipt date depends on the channel (当面: the day submitted; 邮寄: the
  day signed for; 平常信函 / 网络 / 传真: the day receipt was confirmed).
* Art. 33 — answer within 20 working days of receipt; one extension of at most 20
  working days, approved by the head of the disclosure office; time spent consulting a
  third party (Art. 32) or another agency (Art. 34) does not count.
* Art. 30 — a 补正 request within 7 working days of receipt; the 20 days restart from the
  day the corrected application is received; no answer in time → （六）1.
* 109号 — a fee notice; not paid in time → （六）2.  Whether the fee period stops the
  clock is not settled by the texts retrieved (domain.md §5 [U]): FEE_PAUSES_CLOCK.
A wrong event is corrected by a new event (``void``), never by editing or deleting."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..errors import RegisterError
from ..formats import national
from .calendar import WorkCalendar, calendar

APPLICANT_KINDS = ("natural", "commercial", "research", "social", "legal", "other")
CHANNELS = {"in_person": "当面", "post": "邮寄（签收）", "ordinary_mail": "平常信函", "online": "互联网",
            "fax": "传真", "other": "其他"}
ANSWER_DAYS, CORRECTION_NOTICE_DAYS, EXTENSION_MAX = 20, 7, 20
FEE_PAUSES_CLOCK = True
EVENT_KINDS = {
    "correction_requested": "告知补正（条例第三十条）",
    "correction_answered": "收到补正后的申请（答复期限重新计算）",
    "correction_expired": "逾期未补正，视为放弃申请",
    "consultation_sent": "书面征求第三方或其他机关意见（条例第三十二条、第三十四条；期间不计入答复期限）",
    "consultation_answered": "收到意见或征求意见期满",
    "extension_approved": "经工作机构负责人同意延长答复期限（条例第三十三条，至多 20 个工作日）",
    "fee_notified": "发出收费通知（国办函〔2020〕109号）",
    "fee_paid": "申请人缴费",
    "fee_expired": "逾期未缴费，视为放弃申请",
    "answered": "作出答复",
    "withdrawn": "申请人撤回申请",
    "transferred": "告知申请人向负责公开的机关申请",
    "void": "更正：前一事件作废",
}
CLOSING = {"correction_expired": "other.no_correction", "fee_expired": "other.no_fee", "withdrawn": "other.other",
           "transferred": "unavailable.not_held"}


def outcome_rows(fmt: str = "2021") -> list[str]:
    return [r.id for r in national().t3_rows(fmt) if r.kind == "outcome"]


def receipt_date(channel: str, submitted: date, signed: date | None = None, confirmed: date | None = None) -> date:
    """Art. 31: the day the clock starts, by channel."""
    if channel not in CHANNELS:
        raise RegisterError(f"未知的申请渠道：{channel}（可选 {', '.join(CHANNELS)}）")
    if channel == "in_person":
        return submitted
    if channel == "post":
        if signed is None:
            raise RegisterError("邮寄申请以行政机关签收之日为收到申请之日（条例第三十一条第二项），请填写签收日期")
        return signed
    if confirmed is None:
        raise RegisterError(f"{CHANNELS[channel]}申请以双方确认之日为收到申请之日（条例第三十一条），请填写确认日期")
    return confirmed


@dataclass
class Event:
    id: int
    kind: str
    on: date
    user: str = ""
    basis: str = ""                 # statutory basis as the user records it
    doc_no: str = ""                # 文号 of the document issued, if any
    outcome: str | None = None      # answered: the 表三 outcome row
    days: int | None = None         # extension: working days granted
    voids: int | None = None        # void: the id of the event it cancels
    amount: int | None = None       # fee_notified: 元
    due_before: date | None = None  # set by replay
    due_after: date | None = None


@dataclass
class Application:
    id: int
    applicant: str
    kind: str                       # one of APPLICANT_KINDS (表三 columns)
    channel: str
    received: date                  # Art. 31 receipt date
    request: str = ""
    contact: str = ""
    form: str = ""                  # the form wanted (纸质、电子邮件…)
    events: list[Event] = field(default_factory=list)

    def __post_init__(self):
        if self.kind not in APPLICANT_KINDS:
            raise RegisterError(f"申请人类别应为 {', '.join(APPLICANT_KINDS)} 之一，而不是「{self.kind}」")

    def add(self, kind: str, on: date, **kw) -> Event:
        """Append an event (checked by replaying the whole history with it)."""
        if kind not in EVENT_KINDS:
            raise RegisterError(f"未知的事件：{kind}（可选 {', '.join(EVENT_KINDS)}）")
        ev = Event(len(self.events) + 1, kind, on, **kw)
        replay(self, self.events + [ev])            # raises when it cannot apply
        self.events.append(ev)
        replay(self, self.events)
        return ev


@dataclass
class State:
    open: bool = True
    outcome: str | None = None
    closed: date | None = None
    due: date | None = None          # None while the clock is stopped (补正, consultation, fee)
    waiting: str | None = None       # why the clock is stopped
    extended: bool = False
    warnings: list = field(default_factory=list)


def replay(app: Application, events: list[Event] | None = None, cal: WorkCalendar | None = None) -> State:
    """The application's state after its events, recording on each event the due date
    before and after it."""
    cal = cal or calendar()
    events = app.events if events is None else events
    voided = {e.voids for e in events if e.kind == "void"}
    st = State(due=cal.add_workdays(app.received, ANSWER_DAYS))
    paused_at: date | None = None
    pause_kind = None
    open_consults = 0
    fee_pending = False
    for e in sorted(events, key=lambda x: (x.on, x.id)):
        e.due_before = st.due
        if e.id in voided or e.kind == "void":
            if e.kind == "void" and not any(x.id == e.voids for x in events):
                raise RegisterError(f"更正事件指向不存在的事件 {e.voids}")
            e.due_after = st.due
            continue
        if e.on < app.received:
            raise RegisterError(f"事件日期 {e.on} 早于收到申请之日 {app.received}")
        if not st.open:
            raise RegisterError(f"申请已于 {st.closed} 办结，不能再记录「{EVENT_KINDS[e.kind]}」（如需更正请先作废原事件）")
        k = e.kind
        if k == "correction_requested":
            limit = cal.add_workdays(app.received, CORRECTION_NOTICE_DAYS)
            if e.on > limit:
                st.warnings.append(f"补正告知晚于收到申请后 7 个工作日（应不迟于 {limit}，条例第三十条）")
            st.due, st.waiting = None, "correction"
        elif k == "correction_answered":
            if st.waiting != "correction":
                raise RegisterError("没有待补正的告知，不能记录收到补正")
            st.due, st.waiting = cal.add_workdays(e.on, ANSWER_DAYS), None
            st.extended = False
        elif k == "consultation_sent":
            if open_consults == 0 and st.waiting is None:
                paused_at, pause_kind = e.on, "consultation"
                st.waiting = "consultation"
            open_consults += 1
        elif k == "consultation_answered":
            if open_consults == 0:
                raise RegisterError("没有进行中的征求意见，不能记录收到意见")
            open_consults -= 1
            if open_consults == 0 and pause_kind == "consultation":
                st.due = _resume(cal, st.due, paused_at, e.on)
                st.waiting, paused_at, pause_kind = None, None, None
        elif k == "extension_approved":
            days = EXTENSION_MAX if e.days is None else e.days
            if st.extended:
                raise RegisterError("答复期限只能延长一次（条例第三十三条）")
            if not 1 <= days <= EXTENSION_MAX:
                raise RegisterError(f"延长期限为 1–{EXTENSION_MAX} 个工作日（条例第三十三条），而不是 {days}")
            if st.due is None:
                raise RegisterError("期限中止期间不能延长")
            st.due = cal.add_workdays(st.due, days)
            st.extended = True
        elif k == "fee_notified":
            fee_pending = True
            if FEE_PAUSES_CLOCK and st.waiting is None:
                paused_at, pause_kind, st.waiting = e.on, "fee", "fee"
        elif k == "fee_paid":
            if not fee_pending:
                raise RegisterError("没有待缴的收费通知，不能记录缴费")
            fee_pending = False
            if pause_kind == "fee":
                st.due = _resume(cal, st.due, paused_at, e.on)
                st.waiting, paused_at, pause_kind = None, None, None
        elif k == "answered":
            rows = outcome_rows()
            if e.outcome not in rows:
                raise RegisterError(f"答复结果应为表三的一行（如 granted、denied.third_party），而不是「{e.outcome}」")
            _close(st, e.on, e.outcome)
        elif k in CLOSING:
            if k == "fee_expired" and not fee_pending:
                raise RegisterError("没有待缴的收费通知，不能记录逾期未缴费")
            _close(st, e.on, e.outcome if (k == "transferred" and e.outcome) else CLOSING[k])
        e.due_after = st.due
    return st


def _resume(cal, due, paused_at, resumed):
    """A pause from ``paused_at`` to ``resumed``: the working days in between do not count."""
    if due is None:
        return None
    return cal.add_workdays(due, cal.workdays_between(paused_at, resumed))


def _close(st: State, on: date, outcome: str):
    if st.due is not None and st.waiting is None and on > st.due:
        st.warnings.append(f"{on} 办结，晚于答复期限 {st.due}（条例第三十三条）")
    st.open, st.outcome, st.closed, st.waiting = False, outcome, on, None


def due_within(apps, today: date, days: int, cal: WorkCalendar | None = None) -> list[tuple]:
    """Open applications due within ``days`` working days of ``today`` (and not yet overdue)."""
    cal = cal or calendar()
    limit = cal.add_workdays(today, days)
    out = []
    for a in apps:
        st = replay(a)
        if st.open and st.due is not None and today <= st.due <= limit:
            out.append((a, st))
    return sorted(out, key=lambda x: x[1].due)


def overdue(apps, today: date) -> list[tuple]:
    out = []
    for a in apps:
        st = replay(a)
        if st.open and st.due is not None and st.due < today:
            out.append((a, st))
    return sorted(out, key=lambda x: x[1].due)


def table3(apps, year: int, fmt: str = "2021") -> dict:
    """表三 of ``year`` from the register: field ID → count.

    新收 = received in the year; 上年结转 = received earlier and open on 31 December of the
    year before; each outcome row = closed in the year with that outcome; 结转下年度 = open
    on 31 December.  新收 + 上年结转 = 总计 + 结转下年度 holds for every column by construction."""
    if fmt != "2021":
        raise RegisterError("由登记簿生成表三目前只支持 2021 年格式（国办公开办函〔2021〕30号）")
    nf = national()
    rows = nf.t3_rows(fmt)
    v = {f"t3.{r.id}.{c}": 0 for r in rows for c in nf.t3_columns}
    start, end = date(year, 1, 1), date(year, 12, 31)
    for a in apps:
        if a.received > end:
            continue
        st = replay(a)
        col = a.kind
        closed = st.closed if not st.open else None
        if a.received >= start:
            v[f"t3.new.{col}"] += 1
        elif closed is None or closed >= start:
            v[f"t3.carried_over.{col}"] += 1
        else:
            continue                                    # closed before the year
        if closed is not None and closed <= end:
            if closed >= start:
                v[f"t3.{st.outcome}.{col}"] += 1
                v[f"t3.total.{col}"] += 1
        else:
            v[f"t3.carried_forward.{col}"] += 1
    for r in rows:
        v[f"t3.{r.id}.total"] = sum(v[f"t3.{r.id}.{c}"] for c in APPLICANT_KINDS)
    return v
