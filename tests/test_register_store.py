"""The register in the corpus database (SQLite and PostgreSQL): append-only events with
the due date before/after each, an audit row for every insert, refused events leave
nothing behind; the schema upgrade keeps stored reports; the `gongkai cases` commands
end to end, down to a rendered report whose 表三 parses back to the register's figures."""
import json
import os
import subprocess
import sys
from datetime import date

import pytest
from conftest import ROOT
from test_corpus_db import db  # noqa: F401  (the SQLite / PostgreSQL fixture)

from gongkai.register.cases import RegisterError, replay
from gongkai.register.store import Register

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
D = date.fromisoformat


def test_events_are_appended_with_due_dates_and_audited(db):  # noqa: F811
    reg = Register(db)
    app = reg.add_application("张三", "natural", "post", D("2025-03-01"), signed=D("2025-03-03"), user="李四")
    assert app.received == D("2025-03-03")
    reg.add_event(app.id, "consultation_sent", D("2025-03-10"), user="李四", basis="条例第三十二条")
    reg.add_event(app.id, "consultation_answered", D("2025-03-17"), user="李四")
    with pytest.raises(RegisterError, match="只能延长一次"):
        reg.add_event(app.id, "extension_approved", D("2025-03-20"), days=20, user="王五")
        reg.add_event(app.id, "extension_approved", D("2025-03-21"), days=5, user="王五")
    with pytest.raises(RegisterError):
        reg.add_event(app.id, "answered", D("2025-03-25"), outcome="not-a-row")
    back = reg.get(app.id)                                  # a fresh load from the database
    assert [e.kind for e in back.events] == ["consultation_sent", "consultation_answered", "extension_approved"]
    st = replay(back)
    assert st.due == D("2025-05-08") and st.extended        # 4-08 + 20 working days (Sunday 4-27 worked, 5-1…5-5 off)
    assert back.events[1].due_before == D("2025-03-31") and back.events[1].due_after == D("2025-04-08")
    hist = reg.history(app.id)
    assert [h["table"] for h in hist] == ["applications", "case_events", "case_events", "case_events"]
    assert hist[0]["user"] == "李四" and hist[3]["user"] == "王五"
    assert hist[2]["new"]["due_after"] == "2025-04-08"
    with pytest.raises(RegisterError, match="没有编号为 99"):
        reg.add_event(99, "answered", D("2025-03-25"), outcome="granted")


def test_records_in_the_database(db):  # noqa: F811
    reg = Register(db)
    a = reg.add_record("review_filed", D("2025-04-01"), subtype="review", agency="某局", user="李四")
    reg.add_record("review_decided", D("2025-06-01"), ref=a.id, subtype="other", agency="某局")
    reg.add_record("fee_income", D("2025-12-31"), value="2.5")          # no agency: counted for every agency
    with pytest.raises(RegisterError, match="不存在"):
        reg.add_record("doc_repealed", D("2025-06-01"), ref=999)
    recs = reg.records("某局")
    assert [r.kind for r in recs] == ["review_filed", "review_decided", "fee_income"]
    from decimal import Decimal

    from gongkai.register.annual import table2, table4
    assert table4(recs, 2025)["t4.review.other"] == 1 and table2(recs, 2025)["t2.fees.amount"] == Decimal("2.5")
    assert reg.records("另一局")[0].kind == "fee_income" and len(reg.records("另一局")) == 1


def test_upgrade_from_revision_0001_keeps_stored_reports(tmp_path):
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from gongkai import parse_file
    from gongkai.corpus import Corpus
    path = tmp_path / "old.db"
    eng = sa.create_engine(f"sqlite:///{path}")
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "src" / "gongkai" / "corpus" / "migrations"))
    with eng.begin() as c:
        cfg.attributes["connection"] = c
        command.upgrade(cfg, "0001")
    from alembic.script import ScriptDirectory
    with eng.begin() as conn:                               # a report stored under revision 0001
        conn.exec_driver_sql("INSERT INTO documents (sha256, path, status, imported_at) "
                             "VALUES ('0', '/old.txt', 'error', '2025-01-01 00:00:00')")
    eng.dispose()
    seed = ROOT / "tests" / "corpus" / "seeds" / "002_98b9844beaabac24.txt"
    c = Corpus(str(path))                                   # opening upgrades 0001 → head
    c.store_report({"sha256": "1" * 64, "path": str(seed), "size": 1, "format": "text", "parser_version": 2,
                    "status": "ok", "error": None}, parse_file(seed))
    assert c.revision() == ScriptDirectory.from_config(cfg).get_current_head() and c.counts()["reports"] == 1 and c.counts()["documents"] == 2
    reg = Register(c)
    reg.add_application("某公司", "commercial", "in_person", D("2025-06-03"))
    assert Corpus(str(path)).counts()["reports"] == 1


def test_cases_commands_end_to_end(tmp_path):
    dbp = str(tmp_path / "reg.db")

    def g(*a):
        return subprocess.run([sys.executable, "-m", "gongkai", "cases", "--db", dbp, *a], env=ENV,
                              capture_output=True, text=True)
    assert g("add", "--applicant", "张三", "--kind", "natural", "--channel", "in_person",
             "--submitted", "2025-03-03").returncode == 0
    assert g("add", "--applicant", "某律所", "--kind", "legal", "--channel", "online", "--submitted", "2025-12-20",
             "--confirmed", "2025-12-22").returncode == 0
    r = g("add", "--applicant", "某人", "--kind", "natural", "--channel", "post", "--submitted", "2025-03-03")
    assert r.returncode == 2 and "签收" in r.stderr and "Traceback" not in r.stderr
    assert g("event", "1", "answered", "2025-03-20", "--outcome", "partial", "--doc-no", "某公开〔2025〕1号").returncode == 0
    r = g("event", "1", "answered", "2025-03-21", "--outcome", "granted")
    assert r.returncode == 2 and "已于 2025-03-20 办结" in r.stderr
    r = g("show", "1", "--history")
    assert "某公开〔2025〕1号" in r.stdout and "变更记录" in r.stdout
    r = g("overdue", "--today", "2026-02-01")
    assert r.returncode == 1 and "#2" in r.stdout and "#1 " not in r.stdout
    r = g("due", "--within", "10", "--today", "2026-01-12")
    assert "#2" in r.stdout
    for args in (("doc_issued", "2025-05-01", "--subtype", "normative", "--title", "某办法"),
                 ("decisions", "2025-12-31", "--subtype", "penalty", "--value", "37"),
                 ("fee_income", "2025-12-31", "--value", "1.25"),
                 ("review_filed", "2025-04-01", "--subtype", "review"),
                 ("review_decided", "2025-06-01", "--ref", "4", "--subtype", "corrected")):
        r = g("record", *args)
        assert r.returncode == 0, r.stderr
    r = g("record", "review_decided", "2025-06-02", "--ref", "4", "--subtype", "upheld")
    assert r.returncode == 2 and "已有" in r.stderr
    out = tmp_path / "r25.json"
    r = g("report", "2025", "--agency", "某市某局", "-o", str(out))
    assert r.returncode == 0 and "新收 2" in r.stdout and "结转下年度 1" in r.stdout and "行政复议 1" in r.stdout
    cells = json.loads(out.read_text("utf-8"))["cells"]
    assert cells["t3.partial.natural"] == 1 and cells["t3.carried_forward.legal"] == 1
    assert cells["t2.normative.issued"] == 1 and cells["t2.penalty.decisions"] == 37
    assert cells["t2.fees.amount"] == 1.25 and cells["t4.review.corrected"] == 1
    html = tmp_path / "r25.html"
    r = subprocess.run([sys.executable, "-m", "gongkai", "render", str(out), "-o", str(html)], env=ENV,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    from gongkai import parse_file
    back = parse_file(html)
    assert all(back.value(f) == v for f, v in cells.items()), [(f, v, back.value(f)) for f, v in cells.items()
                                                             if back.value(f) != v][:5]
    assert not [f for f in back.findings if f.severity == "error"]
    # a 复议 linked to application #1 shows with it; a link to no application is refused
    assert g("record", "review_filed", "2025-05-01", "--subtype", "suit_direct", "--ref", "1").returncode == 0
    assert "复议/诉讼（记录 6）：suit_direct，2025-05-01 立案，尚未审结" in g("show", "1").stdout
    r = g("record", "review_filed", "2025-05-01", "--subtype", "review", "--ref", "42")
    assert r.returncode == 2 and "#42 不存在" in r.stderr
    # 表二 in the 2019 format when asked: renders and parses back to the same cells
    out19 = tmp_path / "r19.json"
    assert g("report", "2025", "--agency", "某市某局", "--t2-format", "2019", "-o", str(out19)).returncode == 0
    data = json.loads(out19.read_text("utf-8"))
    assert data["meta"]["formats"] == {"t2": "2019", "t3": "2021"} and "t2.procurement.items" in data["cells"]
    docx = tmp_path / "r19.docx"
    assert subprocess.run([sys.executable, "-m", "gongkai", "render", str(out19), "-o", str(docx)], env=ENV,
                          capture_output=True).returncode == 0
    back = parse_file(docx)
    assert all(back.value(f) == v for f, v in data["cells"].items())
    assert back.meta["formats"] == {"t2": "2019", "t3": "2021"}


def test_fee_notice_amount_is_computed_from_the_register(tmp_path):
    """109号 Art. 4: 按件 counts this applicant's applications in the calendar month (the 11th
    and later cost 100 元 each up to the 30th); Art. 5: 按量 by pages."""
    reg = Register(str(tmp_path / "fee.db"))
    ids = [reg.add_application("赵某", "natural", "in_person", D("2025-03-03") + (D("2025-03-04") - D("2025-03-03")) * k).id
           for k in range(12)]
    other_month = reg.add_application("赵某", "natural", "in_person", D("2025-04-01")).id
    other_person = reg.add_application("钱某", "natural", "in_person", D("2025-03-20")).id
    fee = {i: reg.add_event(i, "fee_notified", D("2025-04-10"), fee_method="per_application").amount
           for i in (ids[0], ids[9], ids[10], ids[11], other_month, other_person)}
    assert fee == {ids[0]: 0, ids[9]: 0, ids[10]: 100, ids[11]: 100, other_month: 0, other_person: 0}
    assert "第 11 件" in reg.get(ids[10]).events[0].basis
    pages = reg.add_application("孙某", "legal", "in_person", D("2025-05-06")).id
    assert reg.add_event(pages, "fee_notified", D("2025-05-08"), fee_method="per_page", pages=2219).amount == 83460
    with pytest.raises(RegisterError, match="页数"):
        reg.add_event(pages, "fee_notified", D("2025-05-09"), fee_method="per_page")
