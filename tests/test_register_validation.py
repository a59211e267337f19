"""The register refuses every bad input with one Chinese line naming the field and the
rule, and stores nothing when it refuses (issue 11 item 4, found by fuzzing:
/work/shared/corpus/hostile/R_register_repro.sh).  Each case goes through the library
and through the command line; a register already holding a bad row (from an older
version) still lists, reminds and reports."""
import contextlib
import io
import os
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.errors import GongkaiError, RegisterError, ValidationError
from gongkai.register import validate as V
from gongkai.register.calendar import MissingCalendar, calendar
from gongkai.register.store import Register

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
D = date.fromisoformat
TODAY = D("2025-06-30")
TABLES = ("applications", "case_events", "register_records", "audit")


def snapshot(db: str) -> dict:
    """Row counts of the register's tables and the whole audit log."""
    with contextlib.closing(sqlite3.connect(db)) as c:
        counts = {t: c.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}
        return {**counts, "audit_rows": c.execute("select id, table_name, row_id, new from audit order by id").fetchall()}


@pytest.fixture
def reg(tmp_path):
    """A register (today = 2025-06-30) holding one application and one record."""
    r = Register(str(tmp_path / "r.db"), today=TODAY)
    r.add_application("张三", "natural", "in_person", D("2025-03-03"))
    r.add_record("doc_issued", D("2025-03-01"), subtype="normative", title="某办法")
    return r


def refused(reg, call, *args, match, **kw):
    db = reg.corpus.engine.url.database
    before = snapshot(db)
    with pytest.raises(GongkaiError, match=match) as err:
        call(*args, **kw)
    assert "\n" not in str(err.value)
    assert snapshot(db) == before, "a refused input left rows behind"
    return err.value


def add(reg, **kw):
    args = {"applicant": "李四", "kind": "natural", "channel": "in_person", "submitted": D("2025-03-03"), **kw}
    return reg.add_application(args.pop("applicant"), args.pop("kind"), args.pop("channel"), args.pop("submitted"),
                               **args)


# ---------------------------------------------------------------- applications (library)

@pytest.mark.parametrize("day", ["1900-01-01", "2099-12-31"])
def test_submitted_outside_the_holiday_data_is_refused_and_not_stored(reg, day):
    years = sorted(calendar().years)
    e = refused(reg, add, reg, submitted=D(day),
                match=f"提交日期 {day} 超出节假日数据覆盖的年份（{years[0]}–{years[-1]}），无法计算期限")
    assert isinstance(e, ValidationError) and e.field == "提交日期"


def test_submitted_after_today_is_refused(reg):
    refused(reg, add, reg, submitted=D("2025-07-01"), match="提交日期 2025-07-01 晚于今天（2025-06-30）")


def test_due_date_beyond_the_holiday_data_is_refused(tmp_path):
    last = max(calendar().years)
    r = Register(str(tmp_path / "r.db"), today=date(last, 12, 31))
    refused(r, add, r, submitted=date(last, 12, 20), match=f"缺少 {last + 1} 年节假日数据")


def test_signed_before_submitted_is_refused(reg):
    refused(reg, add, reg, channel="post", submitted=D("2025-03-05"), signed=D("2025-03-04"),
            match="签收日期 2025-03-04 早于提交日期 2025-03-05")


def test_unparseable_date_is_refused(reg):
    refused(reg, add, reg, submitted="2025-02-30", match="提交日期「2025-02-30」不是有效的日期")


@pytest.mark.parametrize("name, value, match", [
    ("empty", "", "申请人不能为空"),
    ("only_controls", "\u202e\u200f \n\t\x00", "申请人不能为空"),
    ("forty_thousand_chars", "甲" * 40000, "申请人长 40000 字，超过上限 200 字"),
    ("not_text", 42, "申请人应为文字"),
])
def test_bad_applicant_is_refused(reg, name, value, match):
    refused(reg, add, reg, applicant=value, match=match)


def test_overlong_request_is_refused(reg):
    refused(reg, add, reg, request="查" * 2001, match="申请内容长 2001 字，超过上限 2000 字")


def test_newline_and_bidi_override_are_cleaned_before_storage(reg):
    app = add(reg, applicant="张\n三\u202e反\u2066\u200f", request="  某   文件\r\n")
    back = reg.get(app.id)
    assert back.applicant == "张 三反" and back.request == "某 文件"


# ---------------------------------------------------------------- events (library)

@pytest.mark.parametrize("name, kind, on, kw, match", [
    ("future_beyond_calendar", "fee_notified", "2099-06-01", {"amount": 10}, "事件日期 2099-06-01 超出节假日数据覆盖的年份"),
    ("future_within_calendar", "fee_notified", "2025-07-01", {"amount": 10}, "事件日期 2025-07-01 晚于今天"),
    ("before_receipt", "answered", "2025-03-01", {"outcome": "granted"}, "事件日期 2025-03-01 早于收到申请之日 2025-03-03"),
    ("amount_overflow", "fee_notified", "2025-03-21", {"amount": 10**20}, "收费金额 100000000000000000000 超过上限"),
    ("amount_negative", "fee_notified", "2025-03-21", {"amount": -100}, "收费金额不能为负数"),
    ("amount_text", "fee_notified", "2025-03-21", {"amount": "abc"}, "收费金额「abc」不是有效的数字"),
    ("amount_nan", "fee_notified", "2025-03-21", {"amount": "NaN"}, "收费金额「NaN」不是有限的数"),
    ("amount_fraction", "fee_notified", "2025-03-21", {"amount": "10.5"}, "收费金额以元为单位、须为整数"),
    ("pages_negative", "fee_notified", "2025-03-21", {"fee_method": "per_page", "pages": -1}, "页数不能为负数"),
    ("amount_on_answer", "answered", "2025-03-21", {"outcome": "granted", "amount": 5}, "收费金额只用于 fee_notified"),
    ("paid_without_notice", "fee_paid", "2025-03-21", {}, "没有待缴的收费通知"),
    ("days_overflow", "extension_approved", "2025-03-21", {"days": 10**20}, "延长的工作日数 .* 超过上限"),
    ("voids_overflow", "void", "2025-03-21", {"voids": 10**20}, "作废的事件编号 .* 超过上限"),
    ("long_doc_no", "answered", "2025-03-21", {"outcome": "granted", "doc_no": "号" * 101}, "文号长 101 字"),
])
def test_bad_event_is_refused_and_not_stored(reg, name, kind, on, kw, match):
    refused(reg, reg.add_event, 1, kind, D(on), match=match, **kw)


def test_application_number_out_of_range_is_refused(reg):
    refused(reg, reg.add_event, 10**20, "answered", D("2025-04-01"), outcome="granted", match="申请编号 .* 超过上限")
    refused(reg, reg.add_event, 0, "answered", D("2025-04-01"), outcome="granted", match="申请编号应为从 1 起的编号")


def test_a_good_event_after_refusals_is_stored(reg):
    ev = reg.add_event(1, "fee_notified", D("2025-03-21"), amount="100")
    assert ev.amount == 100 and reg.get(1).events[0].amount == 100


# ---------------------------------------------------------------- records (library)

@pytest.mark.parametrize("name, kind, on, kw, match", [
    ("value_text", "decisions", "2025-03-01", {"subtype": "licensing", "value": "abc"}, "决定件数（value）「abc」不是有效的数字"),
    ("value_nan", "decisions", "2025-03-01", {"subtype": "licensing", "value": "NaN"}, "「NaN」不是有限的数"),
    ("value_infinity", "fee_income", "2025-03-01", {"value": "Infinity"}, "「Infinity」不是有限的数"),
    ("value_overflow", "decisions", "2025-03-01", {"subtype": "penalty", "value": "1e20"}, "决定件数（value） 1e20 超过上限"),
    ("value_negative", "fee_income", "2025-03-01", {"value": "-1"}, "收费金额（value，万元）不能为负数"),
    ("count_fraction", "decisions", "2025-03-01", {"subtype": "penalty", "value": "1.5"}, "须为整数"),
    ("money_too_precise", "fee_income", "2025-03-01", {"value": "1.23456"}, "小数超过 4 位"),
    ("value_not_used", "doc_issued", "2025-03-01", {"subtype": "rules", "value": "3"}, "doc_issued 记录不填写 value"),
    ("date_1900", "decisions", "1900-01-01", {"subtype": "penalty", "value": "1"}, "记录日期 1900-01-01 早于 2008-01-01"),
    ("date_future", "decisions", "2025-07-01", {"subtype": "penalty", "value": "1"}, "记录日期 2025-07-01 晚于今天"),
    ("ref_overflow", "doc_repealed", "2025-04-01", {"ref": 10**20}, "所指记录编号（ref） .* 超过上限"),
    ("unknown_kind", "laws", "2025-04-01", {}, "未知的记录类型"),
    ("long_title", "doc_issued", "2025-04-01", {"subtype": "rules", "title": "办" * 2001}, "标题长 2001 字"),
])
def test_bad_record_is_refused_and_not_stored(reg, name, kind, on, kw, match):
    refused(reg, reg.add_record, kind, D(on), match=match, **kw)


def test_old_documents_and_exact_money_are_accepted(reg):
    assert reg.add_record("doc_issued", D("1995-05-01"), subtype="rules").on == D("1995-05-01")
    assert reg.add_record("fee_income", D("2025-03-01"), value="1.2345").value == Decimal("1.2345")
    assert reg.add_record("decisions", D("2025-03-01"), subtype="penalty", value="37").value == 37


# ---------------------------------------------------------------- report (library)

@pytest.mark.parametrize("year, match", [(0, "年份 0 超出范围（2008–2026"), (99999, "年份 99999 超出范围"),
                                         (2007, "年份 2007 超出范围"), ("abc", "年份「abc」应为 2008–2026")])
def test_report_year_out_of_range_is_refused(reg, year, match):
    refused(reg, reg.report, year, "某局", match=match)


def test_report_year_next_year_is_the_last_accepted(reg):
    assert reg.report(2026, "某局")[0]["meta"]["year"] == 2026


# ---------------------------------------------------------------- a bad row from an older version

def _store_bad_row(db: str, submitted="2099-12-31", applicant="坏\n行\u202e"):
    with contextlib.closing(sqlite3.connect(db)) as c:
        c.execute("insert into applications (agency, applicant, kind, channel, submitted_on, received_on, created_at,"
                  " created_by) values ('', ?, 'natural', 'in_person', ?, ?, '2025-01-01 00:00:00', '')",
                  (applicant, submitted, submitted))
        c.commit()


def test_a_stored_bad_row_is_set_aside_not_fatal(reg):
    db = reg.corpus.engine.url.database
    _store_bad_row(db)
    apps = reg.all()
    assert [a.id for a in apps] == [1]
    assert [(b.id, b.received) for b in reg.bad] == [(2, D("2099-12-31"))]
    assert "缺少 2100 年节假日数据" in reg.bad[0].problem
    data, bad = reg.report(2025, "某局")
    assert [b.id for b in bad] == [2] and data["cells"]["t3.new.total"] == 1
    assert any(n.startswith("申请 #2 未计入表三") for n in data["notes"])
    with pytest.raises(MissingCalendar):
        reg.get(2)
    assert reg.get(2, replayed=False).applicant == "坏\n行\u202e"


# ---------------------------------------------------------------- through the command line

def gk(db, *args):
    return subprocess.run([sys.executable, "-m", "gongkai", "cases", "--db", str(db), *map(str, args)], env=ENV,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def cli_db(tmp_path):
    db = str(tmp_path / "cli.db")
    r = Register(db)
    r.add_application("张三", "natural", "in_person", D("2025-03-03"))
    return db


def _tomorrow_message(field: str) -> tuple[str, str]:
    t = date.today() + timedelta(days=1)
    if t.year in calendar().years:
        return str(t), f"{field} {t} 晚于今天"
    return str(t), f"{field} {t} 超出节假日数据覆盖的年份"


ADD = ("add", "--kind", "natural", "--channel", "in_person")
CLI_CASES = {
    "submitted_1900": (*ADD, "--applicant", "甲", "--submitted", "1900-01-01"),
    "submitted_2099": (*ADD, "--applicant", "甲", "--submitted", "2099-12-31"),
    "submitted_bad_date": (*ADD, "--applicant", "甲", "--submitted", "2025-13-01"),
    "applicant_empty": (*ADD, "--applicant", "", "--submitted", "2025-03-03"),
    "applicant_controls_only": (*ADD, "--applicant", "\u202e\u200f \n", "--submitted", "2025-03-03"),
    "applicant_40000": (*ADD, "--applicant", "甲" * 40000, "--submitted", "2025-03-03"),
    "event_2099": ("event", 1, "fee_notified", "2099-06-01", "--amount", 10),
    "amount_overflow": ("event", 1, "fee_notified", "2025-03-21", "--amount", "100000000000000000000"),
    "amount_1e20": ("event", 1, "fee_notified", "2025-03-21", "--amount", "1e20"),
    "amount_negative": ("event", 1, "fee_notified", "2025-03-21", "--amount", "-100"),
    "event_before_receipt": ("event", 1, "answered", "2025-03-01", "--outcome", "granted"),
    "event_id_overflow": ("event", "99999999999999999999", "answered", "2025-04-01", "--outcome", "granted"),
    "value_abc": ("record", "decisions", "2025-03-01", "--subtype", "licensing", "--value", "abc"),
    "value_nan": ("record", "decisions", "2025-03-01", "--subtype", "licensing", "--value", "NaN"),
    "report_0": ("report", 0, "--agency", "x"),
    "report_99999": ("report", 99999, "--agency", "x"),
    "report_abc": ("report", "abc", "--agency", "x"),
    "report_nonexistent_dir": ("report", 2025, "--agency", "x", "-o", "/nonexistent/d/x.json"),
    "report_to_a_directory": ("report", 2025, "--agency", "x", "-o", "/"),
}
CLI_MESSAGES = {
    "submitted_1900": "提交日期 1900-01-01 超出节假日数据覆盖的年份",
    "submitted_2099": "提交日期 2099-12-31 超出节假日数据覆盖的年份",
    "submitted_bad_date": "提交日期「2025-13-01」不是有效的日期",
    "applicant_empty": "申请人不能为空",
    "applicant_controls_only": "申请人不能为空",
    "applicant_40000": "申请人长 40000 字，超过上限 200 字",
    "event_2099": "事件日期 2099-06-01 超出节假日数据覆盖的年份",
    "amount_overflow": "收费金额 100000000000000000000 超过上限 100,000,000 元",
    "amount_1e20": "收费金额 1e20 超过上限",
    "amount_negative": "收费金额不能为负数",
    "event_before_receipt": "事件日期 2025-03-01 早于收到申请之日 2025-03-03",
    "event_id_overflow": "申请编号 99999999999999999999 超过上限",
    "value_abc": "决定件数（value）「abc」不是有效的数字",
    "value_nan": "决定件数（value）「NaN」不是有限的数",
    "report_0": "年份 0 超出范围",
    "report_99999": "年份 99999 超出范围",
    "report_abc": "年份「abc」应为",
    "report_nonexistent_dir": "/nonexistent/d/x.json: 无法写入，目录 /nonexistent/d 不存在",
    "report_to_a_directory": "/: 无法写入，这是一个目录",
}


@pytest.mark.parametrize("name", list(CLI_CASES))
def test_cli_refusal_is_one_chinese_line_exit_2_nothing_stored(cli_db, name, tmp_path):
    before = snapshot(cli_db)
    r = gk(cli_db, *CLI_CASES[name])
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert CLI_MESSAGES[name] in r.stderr, r.stderr
    assert r.stdout == ""
    assert snapshot(cli_db) == before
    assert not list(tmp_path.glob("*.json"))


@pytest.mark.parametrize("field, argv", [
    ("提交日期", lambda t: (*ADD, "--applicant", "甲", "--submitted", t)),
    ("事件日期", lambda t: ("event", 1, "fee_notified", t, "--amount", 10)),
])
def test_cli_refuses_tomorrow(cli_db, field, argv):
    t, msg = _tomorrow_message(field)
    before = snapshot(cli_db)
    r = gk(cli_db, *argv(t))
    assert r.returncode == 2 and msg in r.stderr and "Traceback" not in r.stderr
    assert snapshot(cli_db) == before


def test_cli_stores_names_cleaned_and_lists_one_line_per_case(cli_db):
    r = gk(cli_db, *ADD, "--applicant", "王\n五\u202e反", "--submitted", "2025-03-04")
    assert r.returncode == 0, r.stderr
    r = gk(cli_db, "list")
    assert r.stdout.splitlines()[1].split()[2] == "王" and "五反" in r.stdout
    assert len(r.stdout.splitlines()) == 3 and "\u202e" not in r.stdout


def test_cli_commands_go_on_past_a_bad_stored_row(cli_db, tmp_path):
    _store_bad_row(cli_db)
    r = gk(cli_db, "list")
    lines = r.stdout.splitlines()
    assert r.returncode == 0 and len(lines) == 3, r.stdout
    assert lines[1].startswith("#2") and "无法计算期限" in lines[1] and "缺少 2100 年节假日数据" in lines[1]
    assert lines[2] == "共 2 件（其中 1 件无法计算期限）"
    for cmd in (("due", "--within", "10", "--today", "2025-03-20"), ("overdue", "--today", "2025-06-30")):
        r = gk(cli_db, *cmd)
        assert r.returncode in (0, 1) and "Traceback" not in r.stderr
        assert r.stderr.strip().splitlines() == [r.stderr.strip()] and "申请 #2 无法计算期限，已跳过" in r.stderr
        assert "#1" in r.stdout
    out = tmp_path / "r.json"
    r = gk(cli_db, "report", 2025, "--agency", "某局", "-o", out)
    assert r.returncode == 1 and out.exists() and "新收 1" in r.stdout and "1 件申请无法计算期限" in r.stdout
    r = gk(cli_db, "show", 2)
    assert r.returncode == 2 and "申请人：坏 行" in r.stdout and "缺少 2100 年节假日数据" in r.stderr


# ---------------------------------------------------------------- property: names never break the listing

@pytest.fixture(scope="module")
def prop_db(tmp_path_factory):
    return str(tmp_path_factory.mktemp("prop") / "p.db")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(applicant=st.text(max_size=300), request=st.text(max_size=50), contact=st.text(max_size=30))
def test_random_names_never_break_the_list_and_never_raise(prop_db, applicant, request, contact):
    from gongkai.cli import main
    reg = Register(prop_db, today=TODAY)
    before = snapshot(prop_db)
    try:
        reg.add_application(applicant, "natural", "in_person", D("2025-03-03"), request=request, contact=contact)
        stored = True
    except ValidationError:
        stored = False
    after = snapshot(prop_db)
    assert after["applications"] == before["applications"] + stored
    assert after["audit"] == before["audit"] + stored
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["cases", "--db", prop_db, "list"]) == 0
    lines = buf.getvalue().splitlines()
    assert len(lines) == after["applications"] + 1
    assert all(x.startswith("#") for x in lines[:-1])


@given(st.text())
def test_clean_text_is_one_line_without_controls(s):
    c = V.clean(s)
    assert len(c.splitlines()) <= 1 and c == c.strip()
    assert not any(ch in c for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\x00\x1b")


def test_register_error_is_still_importable_from_cases():
    from gongkai.register.cases import RegisterError as R
    assert R is RegisterError and issubclass(ValidationError, RegisterError)
