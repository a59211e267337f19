"""The register in the corpus database: applications and events are only ever inserted
(a wrong event is voided by a new one); every insert is written to the audit log with
who and when; the due date before and after each event is stored with it."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

from dataclasses import dataclass
from decimal import Decimal

from ..corpus import Corpus
from ..corpus import schema as S
from ..errors import GongkaiError, RegisterError
from . import validate as V
from .annual import RECORD_KINDS, SUBTYPES, Record, check_record
from .calendar import calendar
from .cases import Application, Event, receipt_date, replay

EVENT_FIELDS = ("user", "basis", "doc_no", "outcome", "days", "voids", "amount")
FIELD_ZH = {"user": "经办人", "basis": "依据", "doc_no": "文号", "outcome": "答复结果", "days": "延长的工作日数",
            "voids": "作废的事件编号", "amount": "收费金额", "pages": "页数", "fee_method": "计费方式"}
ONLY_FOR = {"outcome": ("answered", "transferred"), "days": ("extension_approved",), "voids": ("void",),
            "amount": ("fee_notified",), "pages": ("fee_notified",), "fee_method": ("fee_notified",)}
COUNTED = {"decisions": "决定件数（value）", "items": "事项数量（value）"}
MONEY = {"fee_income": "收费金额（value，万元）", "procurement": "采购金额（value，万元）"}


@dataclass
class BadCase:
    """A stored application the register cannot replay (from an older version that did
    not check its input): listed with the problem, left out of deadlines and tables."""
    id: int
    applicant: str
    received: date | None
    problem: str


class Register:
    """``today`` (a date, or a function returning one) is the day input must not be
    after; the system date when not given (tests inject it)."""

    def __init__(self, corpus: Corpus | str | None = None, today=None):
        self.corpus = corpus if isinstance(corpus, Corpus) else Corpus(corpus)
        self.engine = self.corpus.engine
        self._today = today
        self.bad: list[BadCase] = []             # set by all(): the cases that could not be replayed

    def today(self) -> date:
        t = self._today() if callable(self._today) else self._today
        return t or date.today()

    # ------------------------------------------------------------------ writes
    def add_application(self, applicant: str, kind: str, channel: str, submitted: date, *, signed=None,
                        confirmed=None, agency: str = "", contact: str = "", request: str = "", form: str = "",
                        user: str = "") -> Application:
        """Check everything (validate.py, Art. 31, the due date computable), then insert the
        application and its audit row in one transaction."""
        today, cal = self.today(), calendar()
        applicant = V.text("申请人", applicant, V.NAME_MAX, required=True)
        agency = V.text("机关名称", agency, V.NAME_MAX)
        contact = V.text("联系方式", contact, V.NAME_MAX)
        request = V.text("申请内容", request, V.TEXT_MAX)
        form = V.text("获取信息的方式", form, V.NAME_MAX)
        user = V.text("经办人", user, V.SHORT_MAX)
        submitted = V.calendar_day("提交日期", submitted, today, cal)
        if signed is not None:
            signed = V.not_before("签收日期", V.calendar_day("签收日期", signed, today, cal), "提交日期", submitted)
        if confirmed is not None:
            confirmed = V.not_before("确认日期", V.calendar_day("确认日期", confirmed, today, cal), "提交日期",
                                     submitted)
        received = receipt_date(channel, submitted, signed, confirmed)
        app = Application(0, applicant, kind, channel, received, request=request, contact=contact, form=form)
        replay(app, cal=cal)                                 # the due date must be computable
        row = {"agency": agency, "applicant": applicant, "kind": kind, "contact": contact, "request": request,
               "form": form, "channel": channel, "submitted_on": submitted, "received_on": received,
               "created_at": _now(), "created_by": user}
        with self.engine.begin() as c:
            app.id = c.execute(S.applications.insert().values(**row)).inserted_primary_key[0]
            _audit(c, user, "applications", app.id, row)
        return app

    def add_event(self, app_id: int, kind: str, on: date, *, fee_method: str | None = None,
                  pages: int | None = None, **kw) -> Event:
        """Check the event against the replayed history, then append it (one transaction).
        A fee notice without an amount is computed (109号): ``fee_method="per_page"`` with
        ``pages``, or ``"per_application"`` — this applicant's applications received in the
        same calendar month, this one's share being the rate of its place in the count."""
        kw = {k: v for k, v in kw.items() if v is not None}
        unknown = set(kw) - set(EVENT_FIELDS)
        if unknown:
            raise V.ValidationError("事件", f"事件没有这些项：{', '.join(sorted(unknown))}")
        if pages is not None:
            kw["pages"] = pages
        if fee_method is not None:
            kw["fee_method"] = fee_method
        for k in kw:
            if k in ONLY_FOR and kind not in ONLY_FOR[k]:
                raise V.ValidationError(FIELD_ZH[k], f"{FIELD_ZH[k]}只用于 {'、'.join(ONLY_FOR[k])} 事件，"
                                                     f"不用于 {V.clean(str(kind))[:40]}")
        app_id = V.identifier("申请编号", app_id)
        on = V.calendar_day("事件日期", on, self.today(), calendar())
        for k, limit in (("user", V.SHORT_MAX), ("basis", V.TEXT_MAX), ("doc_no", V.SHORT_MAX),
                         ("outcome", V.SHORT_MAX)):
            if k in kw:
                kw[k] = V.text(FIELD_ZH[k], kw[k], limit)
        if "days" in kw:
            kw["days"] = V.count(FIELD_ZH["days"], kw["days"], V.ID_MAX)
        if "voids" in kw:
            kw["voids"] = V.identifier(FIELD_ZH["voids"], kw["voids"])
        if "amount" in kw:
            kw["amount"] = V.fee_yuan(FIELD_ZH["amount"], kw["amount"])
        pages = kw.pop("pages", None)
        if pages is not None:
            pages = V.count(FIELD_ZH["pages"], pages, V.PAGES_MAX, " 页")
        fee_method = kw.pop("fee_method", None)
        with self.engine.begin() as c:
            app = self._load(c, app_id)
            V.not_before("事件日期", on, "收到申请之日", app.received)
            if kind == "fee_notified" and kw.get("amount") is None and fee_method:
                amount, basis = self._fee(c, app, fee_method, pages)
                kw["amount"] = V.fee_yuan(FIELD_ZH["amount"], amount)
                kw.setdefault("basis", basis)
            ev = app.add(kind, on, **{k: kw.get(k) for k in EVENT_FIELDS if k in kw})
            replay(app)
            row = {"application_id": app_id, "seq": ev.id, "kind": kind, "on_date": on,
                   "by_user": kw.get("user", ""), "basis": kw.get("basis"), "doc_no": kw.get("doc_no"),
                   "outcome": kw.get("outcome"), "days": kw.get("days"), "voids": kw.get("voids"),
                   "amount": kw.get("amount"), "due_before": ev.due_before, "due_after": ev.due_after,
                   "recorded_at": _now()}
            rid = c.execute(S.case_events.insert().values(**row)).inserted_primary_key[0]
            _audit(c, kw.get("user", ""), "case_events", rid, row)
        return ev

    def add_record(self, kind: str, on: date, *, agency: str = "", subtype=None, ref=None, value=None, title="",
                   doc_no="", user: str = "") -> Record:
        """Append a 主动公开 / 复议诉讼 record (checked against the agency's records)."""
        if kind not in RECORD_KINDS:
            raise V.ValidationError("记录类型", f"未知的记录类型：{V.clean(str(kind))[:40]}（可选 {', '.join(RECORD_KINDS)}）")
        earliest = V.FIRST_DOC_DAY if kind.startswith("doc_") else V.FIRST_RECORD_DAY
        on = V.record_day("记录日期", on, self.today(), earliest)
        agency = V.text("机关名称", agency, V.NAME_MAX)
        title = V.text("标题", title, V.TEXT_MAX)
        doc_no = V.text("文号", doc_no, V.SHORT_MAX)
        user = V.text("经办人", user, V.SHORT_MAX)
        if subtype is not None:
            subtype = V.text("subtype", subtype, V.SHORT_MAX)
            if kind not in SUBTYPES:
                raise V.ValidationError("subtype", f"{kind} 记录不填写 subtype")
        if ref is not None:
            ref = V.identifier("所指记录编号（ref）", ref)
        val = _record_value(kind, value)
        with self.engine.begin() as c:
            if kind == "review_filed" and ref is not None and c.execute(
                    S.applications.select().where(S.applications.c.id == ref)).first() is None:
                raise RegisterError(f"复议/诉讼所关联的申请 #{ref} 不存在")
            existing = self._records(c, agency)
            rec = Record(0, kind, on, subtype, ref, val, title, doc_no, user)
            check_record(rec, existing)
            row = {"agency": agency, "kind": kind, "on_date": on, "subtype": subtype, "ref": ref,
                   "value": float(val) if (val is not None and self.corpus.as_float) else val,
                   "title": title, "doc_no": doc_no, "by_user": user, "recorded_at": _now()}
            rec.id = c.execute(S.register_records.insert().values(**row)).inserted_primary_key[0]
            _audit(c, user, "register_records", rec.id, row)
        return rec

    def report(self, year, agency: str, t2_format: str = "2021") -> tuple[dict, list[BadCase]]:
        """The year's report data (annual.report_data) and the cases left out of it."""
        from .annual import report_data
        year = V.report_year(year, self.today())
        agency = V.text("机关名称", agency, V.NAME_MAX, required=True)
        if t2_format not in ("2021", "2019"):
            raise V.ValidationError("表二格式", f"表二格式应为 2021 或 2019，而不是 {V.clean(str(t2_format))[:40]}")
        apps = self.all()
        data = report_data(apps, self.records(agency), year, agency, t2_format)
        bad = list(self.bad)
        data["notes"] += [f"申请 #{b.id} 未计入表三：{b.problem}" for b in bad]
        return data, bad

    def records(self, agency: str = "") -> list[Record]:
        """The records of ``agency`` and those recorded without an agency."""
        with self.engine.connect() as c:
            return self._records(c, agency)

    @staticmethod
    def _records(c, agency: str) -> list[Record]:
        t = S.register_records
        out = []
        for r in c.execute(t.select().where(t.c.agency.in_({agency or "", ""})).order_by(t.c.id)):
            val = None if r.value is None else Decimal(str(r.value)).normalize()
            out.append(Record(r.id, r.kind, r.on_date, r.subtype, r.ref, val, r.title or "", r.doc_no or "",
                              r.by_user))
        return out

    def _fee(self, c, app: Application, method: str, pages: int | None) -> tuple[int, str]:
        from .fees import fee
        if method == "per_page":
            if pages is None:
                raise RegisterError("按量计收须填写页数（--pages）")
            return fee(pages, "per_page"), f"国办函〔2020〕109号第五条：按量计收 {pages} 页"
        if method != "per_application":
            raise RegisterError(f"未知的计费方式：{method}（per_application 或 per_page）")
        t = S.applications
        month = [r.id for r in c.execute(t.select().where(t.c.applicant == app.applicant).order_by(t.c.received_on,
                                                                                                t.c.id))
                 if (r.received_on.year, r.received_on.month) == (app.received.year, app.received.month)]
        k = month.index(app.id) + 1                              # this application's place in the month
        return (fee(k, "per_application") - fee(k - 1, "per_application"),
                f"国办函〔2020〕109号第四条：按件计收，该申请人本月第 {k} 件")

    # ------------------------------------------------------------------ reads
    def _load(self, c, app_id: int) -> Application:
        a = c.execute(S.applications.select().where(S.applications.c.id == app_id)).first()
        if a is None:
            raise RegisterError(f"登记簿中没有编号为 {app_id} 的申请")
        return self._app(a, c.execute(S.case_events.select().where(S.case_events.c.application_id == app_id)
                                      .order_by(S.case_events.c.seq)).all())

    @staticmethod
    def _app(a, events) -> Application:
        app = Application(a.id, a.applicant, a.kind, a.channel, a.received_on, request=a.request or "",
                          contact=a.contact or "", form=a.form or "")
        for e in events:
            app.events.append(Event(e.seq, e.kind, e.on_date, user=e.by_user, basis=e.basis or "",
                                    doc_no=e.doc_no or "", outcome=e.outcome, days=e.days, voids=e.voids,
                                    amount=e.amount))
        return app

    def get(self, app_id: int, replayed: bool = True) -> Application:
        """One application with its events (replayed unless ``replayed=False``, which
        lets a case that cannot be replayed still be shown)."""
        app_id = V.identifier("申请编号", app_id)
        with self.engine.connect() as c:
            app = self._load(c, app_id)
        if replayed:
            replay(app)
        return app

    def all(self, agency: str | None = None) -> list[Application]:
        """Every application, replayed; one that cannot be replayed (stored by an older
        version without checks) is left out and listed in ``self.bad`` with the problem."""
        with self.engine.connect() as c:
            q = S.applications.select().order_by(S.applications.c.id)
            if agency:
                q = q.where(S.applications.c.agency == agency)
            apps = c.execute(q).all()
            evs: dict[int, list] = {}
            for e in c.execute(S.case_events.select().order_by(S.case_events.c.application_id,
                                                                S.case_events.c.seq)):
                evs.setdefault(e.application_id, []).append(e)
        out, self.bad = [], []
        for row in apps:
            try:
                a = self._app(row, evs.get(row.id, []))
                replay(a)
            except GongkaiError as e:
                self.bad.append(BadCase(row.id, row.applicant or "", row.received_on, str(e)))
                continue
            out.append(a)
        return out

    def history(self, app_id: int) -> list[dict]:
        """The audit trail of one application: its own row and every event, in order."""
        with self.engine.connect() as c:
            ids = [r.id for r in c.execute(S.case_events.select().where(S.case_events.c.application_id == app_id))]
            rows = c.execute(S.audit.select().where(
                ((S.audit.c.table_name == "applications") & (S.audit.c.row_id == app_id))
                | ((S.audit.c.table_name == "case_events") & S.audit.c.row_id.in_(ids or [-1])))
                .order_by(S.audit.c.id)).all()
        return [{"at": r.at, "user": r.by_user, "action": r.action, "table": r.table_name, "row": r.row_id,
                 "new": json.loads(r.new) if r.new else None} for r in rows]


def _record_value(kind: str, value) -> Decimal | None:
    if value is None:
        return None
    if kind in COUNTED:
        return Decimal(V.count(COUNTED[kind], value))
    if kind in MONEY:
        return V.wan_yuan(MONEY[kind], value)
    raise V.ValidationError("value", f"{kind} 记录不填写 value")


def _now():
    return datetime.now(timezone.utc)


def _audit(c, user, table, row_id, new: dict):
    c.execute(S.audit.insert().values(at=_now(), by_user=user or "", action="insert", table_name=table,
                                      row_id=row_id, old=None,
                                      new=json.dumps(new, ensure_ascii=False, default=str)))
