"""The register's statutory rules, each test naming its article; event histories replayed
into due dates; 表三 of a year computed from the register (balanced by construction —
property test over random histories).  Expected dates were counted by hand."""
import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.checks import run_checks
from gongkai.register.cases import (APPLICANT_KINDS, Application, RegisterError, due_within, outcome_rows,
                                    overdue, receipt_date, replay, table3)
from gongkai.synth import report_from

D = date.fromisoformat


def _app(received="2025-03-03", kind="natural", i=1):
    return Application(i, f"申请人{i}", kind, "in_person", D(received), request="某文件")


def test_art31_receipt_date_by_channel():
    assert receipt_date("in_person", D("2025-03-03")) == D("2025-03-03")
    assert receipt_date("post", D("2025-03-03"), signed=D("2025-03-05")) == D("2025-03-05")
    assert receipt_date("online", D("2025-03-03"), confirmed=D("2025-03-04")) == D("2025-03-04")
    assert receipt_date("ordinary_mail", D("2025-03-03"), confirmed=D("2025-03-06")) == D("2025-03-06")
    with pytest.raises(RegisterError, match="签收"):
        receipt_date("post", D("2025-03-03"))
    with pytest.raises(RegisterError, match="确认"):
        receipt_date("fax", D("2025-03-03"))


def test_art33_twenty_working_days_across_spring_festival():
    a = _app("2026-02-10")
    assert replay(a).due == D("2026-03-16")
    ev = a.add("answered", D("2026-03-02"), outcome="granted", doc_no="某政公开〔2026〕1号")
    st = replay(a)
    assert not st.open and st.outcome == "granted" and st.closed == D("2026-03-02")
    assert ev.due_before == D("2026-03-16") and not st.warnings
    late = _app("2026-02-10")
    late.add("answered", D("2026-03-17"), outcome="granted")
    assert replay(late).warnings == ["2026-03-17 办结，晚于答复期限 2026-03-16（条例第三十三条）"]


def test_art30_correction_restarts_the_period():
    a = _app("2025-03-03")
    a.add("correction_requested", D("2025-03-05"))
    assert replay(a).due is None and replay(a).waiting == "correction"
    a.add("correction_answered", D("2025-03-10"))
    assert replay(a).due == D("2025-04-08")          # 20 working days from 3-10, 清明 4-4…4-6 skipped
    assert not replay(a).warnings


def test_art30_late_correction_notice_is_flagged_and_no_answer_closes_as_six_one():
    a = _app("2025-03-03")
    a.add("correction_requested", D("2025-03-20"))   # limit: 7 working days → 2025-03-12
    assert any("2025-03-12" in w for w in replay(a).warnings)
    a.add("correction_expired", D("2025-04-20"))
    assert replay(a).outcome == "other.no_correction"


def test_art32_34_consultation_time_is_not_counted():
    a = _app("2025-03-03")
    assert replay(a).due == D("2025-03-31")
    a.add("consultation_sent", D("2025-03-10"), basis="条例第三十二条")
    assert replay(a).waiting == "consultation"
    a.add("consultation_answered", D("2025-03-17"))  # 5 working days paused
    assert replay(a).due == D("2025-04-08")


def test_art33_one_extension_of_at_most_twenty_working_days():
    a = _app("2025-03-03")
    with pytest.raises(RegisterError, match="1–20"):
        a.add("extension_approved", D("2025-03-20"), days=25)
    a.add("extension_approved", D("2025-03-20"), days=20, user="办公室主任")
    assert replay(a).due == D("2025-04-28")          # 3-31 + 20 working days: 清明 skipped, Sunday 4-27 worked
    with pytest.raises(RegisterError, match="只能延长一次"):
        a.add("extension_approved", D("2025-04-01"), days=5)
    assert len(a.events) == 1                        # a refused event is not recorded


def test_fee_notice_unpaid_closes_as_six_two():
    """109号: not paid in time → 视为放弃申请 → 表三 （六）2."""
    a = _app("2025-03-03")
    a.add("fee_notified", D("2025-03-10"), amount=5500)
    a.add("fee_expired", D("2025-04-08"))
    assert replay(a).outcome == "other.no_fee"


def test_wrong_event_is_voided_never_edited():
    a = _app("2025-03-03")
    wrong = a.add("answered", D("2025-03-20"), outcome="granted")
    with pytest.raises(RegisterError, match="已于 2025-03-20 办结"):
        a.add("answered", D("2025-03-21"), outcome="partial")
    a.add("void", D("2025-03-21"), voids=wrong.id, user="张三", basis="结果录入错误")
    a.add("answered", D("2025-03-21"), outcome="partial")
    assert replay(a).outcome == "partial"
    assert [e.kind for e in a.events] == ["answered", "void", "answered"]     # history kept whole
    with pytest.raises(RegisterError, match="表三的一行"):
        _app().add("answered", D("2025-03-21"), outcome="yes")
    with pytest.raises(RegisterError, match="早于"):
        _app().add("answered", D("2025-03-01"), outcome="granted")


def test_due_and_overdue_lists():
    apps = [_app("2025-03-03", i=1), _app("2025-03-20", i=2), _app("2025-02-10", i=3)]
    apps[2].add("answered", D("2025-03-01"), outcome="granted")
    assert [a.id for a, _s in overdue(apps, D("2025-04-01"))] == [1]
    assert [a.id for a, _s in due_within(apps, D("2025-03-25"), 5)] == [1]
    assert [a.id for a, _s in due_within(apps, D("2025-04-01"), 20)] == [2]


def test_year_end_worked_example():
    """2024: three applications; 2025: one carried over, two new."""
    a1 = _app("2024-11-04", "natural", 1)
    a1.add("answered", D("2024-11-20"), outcome="granted")
    a2 = _app("2024-12-20", "commercial", 2)               # open on 2024-12-31 → carried over
    a2.add("consultation_sent", D("2024-12-27"))
    a2.add("consultation_answered", D("2025-01-15"))
    a2.add("answered", D("2025-02-10"), outcome="denied.third_party")
    a3 = _app("2024-06-03", "legal", 3)
    a3.add("withdrawn", D("2024-06-05"))
    a4 = _app("2025-12-22", "natural", 4)                  # open on 2025-12-31 → carried forward
    a5 = _app("2025-05-06", "natural", 5)
    a5.add("answered", D("2025-05-20"), outcome="unavailable.not_held")
    apps = [a1, a2, a3, a4, a5]
    y24 = table3(apps, 2024)
    assert (y24["t3.new.total"], y24["t3.carried_over.total"], y24["t3.total.total"],
            y24["t3.carried_forward.total"]) == (3, 0, 2, 1)
    assert y24["t3.granted.natural"] == 1 and y24["t3.other.other.legal"] == 1
    y25 = table3(apps, 2025)
    assert y25["t3.new.natural"] == 2 and y25["t3.carried_over.commercial"] == 1
    assert y25["t3.denied.third_party.commercial"] == 1 and y25["t3.unavailable.not_held.natural"] == 1
    assert y25["t3.carried_forward.natural"] == 1 and y25["t3.total.total"] == 2
    assert y24["t3.carried_forward.commercial"] == y25["t3.carried_over.commercial"]


EVENTS = ["correction_requested", "consultation_sent", "extension_approved", "fee_notified"]


def _random_history(rng: random.Random, i: int) -> Application:
    received = date(2024, 1, 2) + timedelta(days=rng.randint(0, 900))
    a = Application(i, f"申请人{i}", rng.choice(APPLICANT_KINDS), "in_person", received)
    on = received
    for _ in range(rng.randint(0, 4)):
        on += timedelta(days=rng.randint(0, 20))
        if on.year > 2026:
            break
        k = rng.choice(EVENTS)
        try:
            a.add(k, on)
            follow = {"correction_requested": "correction_answered", "consultation_sent": "consultation_answered",
                      "fee_notified": "fee_paid"}.get(k)
            if follow and rng.random() < 0.8:
                on += timedelta(days=rng.randint(1, 15))
                if on.year <= 2026:
                    a.add(follow, on)
        except RegisterError:
            pass
    if rng.random() < 0.85:
        on += timedelta(days=rng.randint(0, 40))
        if on.year <= 2026:
            try:
                a.add("answered", on, outcome=rng.choice(outcome_rows()))
            except RegisterError:
                pass
    return a


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(1, 40))
def test_random_histories_always_balance_and_never_due_before_receipt(seed, n):
    rng = random.Random(seed)
    apps = [_random_history(rng, i) for i in range(n)]
    for a in apps:
        s = replay(a)
        assert s.due is None or s.due > a.received
        assert all(e.due_after is None or e.due_after > a.received for e in a.events)
    for year in (2024, 2025, 2026):
        v = table3(apps, year)
        for c in APPLICANT_KINDS + ("total",):
            assert v[f"t3.new.{c}"] + v[f"t3.carried_over.{c}"] == v[f"t3.total.{c}"] + v[f"t3.carried_forward.{c}"]
        rep = report_from({**v})
        assert not [f for f in run_checks(rep) if f.rule.startswith("t3.") and f.severity == "error"]
    v24, v25 = table3(apps, 2024), table3(apps, 2025)
    assert all(v24[f"t3.carried_forward.{c}"] == v25[f"t3.carried_over.{c}"] for c in APPLICANT_KINDS)


# ---------------------------------------------------------------- 表二 / 表四 from records

from decimal import Decimal  # noqa: E402

from gongkai.register.annual import Record, check_record, report_data, table2, table4  # noqa: E402


def _records(*specs):
    out = []
    for i, (kind, on, kw) in enumerate(specs, 1):
        r = Record(i, kind, D(on), **kw)
        check_record(r, out)
        out.append(r)
    return out


def test_table2_documents_decisions_fees():
    recs = _records(("doc_issued", "2023-03-01", {"subtype": "rules"}),
                    ("doc_issued", "2025-02-01", {"subtype": "normative"}),
                    ("doc_issued", "2025-05-01", {"subtype": "normative"}),
                    ("doc_repealed", "2025-10-01", {"ref": 1}),
                    ("doc_repealed", "2026-01-05", {"ref": 2}),
                    ("decisions", "2025-06-30", {"subtype": "penalty", "value": Decimal(40)}),
                    ("decisions", "2025-12-31", {"subtype": "penalty", "value": Decimal(2)}),
                    ("fee_income", "2025-12-31", {"value": Decimal("3.25")}),
                    ("fee_income", "2024-12-31", {"value": Decimal("9")}))
    v = table2(recs, 2025)
    assert (v["t2.rules.issued"], v["t2.rules.repealed"], v["t2.rules.in_force"]) == (0, 1, 0)
    assert (v["t2.normative.issued"], v["t2.normative.repealed"], v["t2.normative.in_force"]) == (2, 0, 2)
    assert v["t2.penalty.decisions"] == 42 and v["t2.licensing.decisions"] == 0
    assert v["t2.fees.amount"] == Decimal("3.25")
    assert table2(recs, 2026)["t2.normative.in_force"] == 1


def test_table4_counts_cases_filed_in_the_year_by_result_at_year_end():
    recs = _records(("review_filed", "2025-03-01", {"subtype": "review"}),
                    ("review_decided", "2025-05-01", {"ref": 1, "subtype": "upheld"}),
                    ("review_filed", "2025-11-20", {"subtype": "review"}),
                    ("review_decided", "2026-01-10", {"ref": 3, "subtype": "corrected"}),
                    ("review_filed", "2025-06-01", {"subtype": "suit_after_review"}),
                    ("review_filed", "2024-12-01", {"subtype": "suit_direct"}))
    v = table4(recs, 2025)
    assert v["t4.review.upheld"] == 1 and v["t4.review.pending"] == 1 and v["t4.review.total"] == 2
    assert v["t4.suit_after_review.pending"] == 1 and v["t4.suit_direct.total"] == 0
    assert table4(recs, 2026)["t4.review.total"] == 0


def test_records_are_checked_and_voided_not_edited():
    recs = _records(("review_filed", "2025-03-01", {"subtype": "review"}),
                    ("review_decided", "2025-05-01", {"ref": 1, "subtype": "upheld"}))
    with pytest.raises(RegisterError, match="已有"):
        check_record(Record(3, "review_decided", D("2025-05-02"), "corrected", 1), recs)
    recs.append(Record(3, "void", D("2025-05-02"), ref=2))
    check_record(Record(4, "review_decided", D("2025-05-02"), "corrected", 1), recs)
    recs.append(Record(4, "review_decided", D("2025-05-02"), "corrected", 1))
    assert table4(recs, 2025)["t4.review.corrected"] == 1 and table4(recs, 2025)["t4.review.upheld"] == 0
    for bad, msg in ((Record(9, "doc_issued", D("2025-01-01"), "laws"), "subtype"),
                     (Record(9, "doc_repealed", D("2025-01-01"), ref=1), "应为 doc_issued"),
                     (Record(9, "decisions", D("2025-01-01"), "penalty", value=Decimal("1.5")), "整数"),
                     (Record(9, "review_decided", D("2025-01-01"), "upheld", 1), "早于")):
        with pytest.raises(RegisterError, match=msg):
            check_record(bad, recs)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_register_report_passes_the_checks(seed):
    """The year's report computed from random histories and records has no error finding."""
    rng = random.Random(seed)
    apps = [_random_history(rng, i) for i in range(rng.randint(0, 30))]
    recs = []
    for i in range(rng.randint(0, 25)):
        on = date(2025, 1, 1) + timedelta(days=rng.randint(0, 364))
        k = rng.choice(["doc_issued", "decisions", "fee_income", "review_filed", "review_decided"])
        kw = {}
        if k == "doc_issued":
            kw = {"subtype": rng.choice(["rules", "normative"])}
        elif k == "decisions":
            kw = {"subtype": rng.choice(["licensing", "penalty", "coercion"]), "value": Decimal(rng.randint(0, 50))}
        elif k == "fee_income":
            kw = {"value": Decimal(rng.randint(0, 999)) / 100}
        elif k == "review_filed":
            kw = {"subtype": rng.choice(["review", "suit_direct", "suit_after_review"])}
        else:
            filed = [r for r in recs if r.kind == "review_filed" and r.on <= on]
            if not filed:
                continue
            kw = {"ref": rng.choice(filed).id, "subtype": rng.choice(["upheld", "corrected", "other"])}
        r = Record(len(recs) + 1, k, on, **kw)
        try:
            check_record(r, recs)
        except RegisterError:
            continue
        recs.append(r)
    data = report_data(apps, recs, 2025, "某市某局")
    rep = report_from(data["cells"], {**data["meta"], "period_year": 2025})
    errors = [f for f in run_checks(rep) if f.severity == "error"]
    assert not errors, [f.message for f in errors]


def test_table2_in_the_2019_format_when_asked():
    recs = _records(("doc_issued", "2024-05-01", {"subtype": "normative"}),
                    ("doc_published", "2024-05-10", {"ref": 1}),
                    ("doc_issued", "2025-03-01", {"subtype": "normative"}),
                    ("doc_published", "2025-03-05", {"ref": 3}),
                    ("doc_issued", "2025-11-01", {"subtype": "normative"}),
                    ("items", "2024-01-01", {"subtype": "licensing", "value": Decimal(50)}),
                    ("items", "2025-07-01", {"subtype": "licensing", "value": Decimal(44)}),
                    ("decisions", "2025-08-01", {"subtype": "other_services", "value": Decimal(7)}),
                    ("procurement", "2025-09-01", {"value": Decimal(251000)}),
                    ("procurement", "2025-10-01", {"value": Decimal(9000)}))
    v = table2(recs, 2025, "2019")
    assert (v["t2.normative.new_made"], v["t2.normative.new_published"], v["t2.normative.published_total"]) == (2, 1, 2)
    assert (v["t2.licensing.prev_items"], v["t2.licensing.change"]) == (50, -6)
    assert v["t2.other_services.decisions"] == 7 and v["t2.fees.prev_items"] == 0
    assert (v["t2.procurement.items"], v["t2.procurement.amount"]) == (2, Decimal(260000))
    from gongkai.formats import national
    assert set(v) == set(national().t2_field_ids("2019"))
    assert set(table2(recs, 2025)) == set(national().t2_field_ids("2021"))
