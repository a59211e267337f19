"""The register in the corpus database: applications and events are only ever inserted
(a wrong event is voided by a new one); every insert is written to the audit log with
who and when; the due date before and after each event is stored with it."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

from ..corpus import Corpus
from ..corpus import schema as S
from .annual import Record, check_record
from .cases import Application, Event, RegisterError, receipt_date, replay

EVENT_FIELDS = ("user", "basis", "doc_no", "outcome", "days", "voids", "amount")


class Register:
    def __init__(self, corpus: Corpus | str | None = None):
        self.corpus = corpus if isinstance(corpus, Corpus) else Corpus(corpus)
        self.engine = self.corpus.engine

    # ------------------------------------------------------------------ writes
    def add_application(self, applicant: str, kind: str, channel: str, submitted: date, *, signed=None,
                        confirmed=None, agency: str = "", contact: str = "", request: str = "", form: str = "",
                        user: str = "") -> Application:
        received = receipt_date(channel, submitted, signed, confirmed)
        app = Application(0, applicant, kind, channel, received, request=request, contact=contact, form=form)
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
        with self.engine.begin() as c:
            app = self._load(c, app_id)
            if kind == "fee_notified" and kw.get("amount") is None and fee_method:
                kw["amount"], basis = self._fee(c, app, fee_method, pages)
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
        from decimal import Decimal
        val = None if value is None else Decimal(str(value))
        with self.engine.begin() as c:
            if kind == "review_filed" and ref is not None and c.execute(
                    S.applications.select().where(S.applications.c.id == ref)).first() is None:
                raise RegisterError(f"复议/诉讼所关联的申请 #{ref} 不存在")
            existing = self._records(c, agency)
            rec = Record(0, kind, on, subtype, ref, val, title or "", doc_no or "", user or "")
            check_record(rec, existing)
            row = {"agency": agency, "kind": kind, "on_date": on, "subtype": subtype, "ref": ref,
                   "value": float(val) if (val is not None and self.corpus.as_float) else val,
                   "title": title, "doc_no": doc_no, "by_user": user or "", "recorded_at": _now()}
            rec.id = c.execute(S.register_records.insert().values(**row)).inserted_primary_key[0]
            _audit(c, user, "register_records", rec.id, row)
        return rec

    def records(self, agency: str = "") -> list[Record]:
        """The records of ``agency`` and those recorded without an agency."""
        with self.engine.connect() as c:
            return self._records(c, agency)

    @staticmethod
    def _records(c, agency: str) -> list[Record]:
        from decimal import Decimal
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

    def get(self, app_id: int) -> Application:
        with self.engine.connect() as c:
            app = self._load(c, app_id)
        replay(app)
        return app

    def all(self, agency: str | None = None) -> list[Application]:
        with self.engine.connect() as c:
            q = S.applications.select().order_by(S.applications.c.id)
            if agency:
                q = q.where(S.applications.c.agency == agency)
            apps = c.execute(q).all()
            evs: dict[int, list] = {}
            for e in c.execute(S.case_events.select().order_by(S.case_events.c.application_id,
                                                                S.case_events.c.seq)):
                evs.setdefault(e.application_id, []).append(e)
        out = [self._app(a, evs.get(a.id, [])) for a in apps]
        for a in out:
            replay(a)
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


def _now():
    return datetime.now(timezone.utc)


def _audit(c, user, table, row_id, new: dict):
    c.execute(S.audit.insert().values(at=_now(), by_user=user or "", action="insert", table_name=table,
                                      row_id=row_id, old=None,
                                      new=json.dumps(new, ensure_ascii=False, default=str)))
