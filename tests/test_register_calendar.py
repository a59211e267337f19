"""Working days and statutory periods (条例 Art. 30, 32–34; domain.md §4.11) across Spring
Festival, National Day and 调休 make-up working days, 2024–2026; a year without data is
an explicit error; 信息处理费 (国办函〔2020〕109号 Arts. 4–5) with the statute's worked
amounts.  Expected dates below were counted by hand from the State Council notices."""
import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

from gongkai.errors import GongkaiError
from gongkai.register.calendar import MissingCalendar, WorkCalendar
from gongkai.register.fees import breakdown, fee

CAL = WorkCalendar()
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def test_data_file_agrees_with_chinese_calendar_every_day_2024_2026():
    import chinese_calendar
    d = date(2024, 1, 1)
    while d.year <= 2026:
        assert CAL.is_workday(d) == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)


@pytest.mark.parametrize("start,days,due", [
    # Art. 33: 20 working days from receipt, across Spring Festival 2026 with the 2-14 and 2-28 Saturdays worked
    ("2026-02-10", 20, "2026-03-16"),
    # Art. 33 across National Day + Mid-Autumn 2025 (10-01…10-08 off; Sunday 9-28 and Saturday 10-11 worked)
    ("2025-09-26", 20, "2025-10-30"),
    # Art. 30: the 补正 notice within 7 working days, across Spring Festival 2024 (Sunday 2-18 worked)
    ("2024-02-05", 7, "2024-02-20"),
    # Art. 32: a third party answers within 15 working days, across National Day 2024 (9-29 Sun, 10-12 Sat worked)
    ("2024-09-27", 15, "2024-10-23"),
    # a plain month without holidays: four weeks
    ("2025-03-03", 20, "2025-03-31"),
    # the receipt day is not counted, a receipt on a holiday starts counting at the next working day
    ("2025-10-01", 1, "2025-10-09"),
])
def test_statutory_deadlines(start, days, due):
    assert CAL.add_workdays(date.fromisoformat(start), days) == date.fromisoformat(due)


def test_make_up_saturday_is_a_working_day_and_holiday_weekday_is_not():
    assert CAL.is_workday(date(2025, 2, 8))          # Saturday, 调休上班
    assert not CAL.is_workday(date(2025, 1, 28))     # Tuesday, 春节
    assert CAL.why_not(date(2025, 1, 28)) == "法定节假日"
    assert CAL.why_not(date(2025, 3, 1)) == "星期六"


def test_a_year_without_data_is_an_error_never_a_guess(tmp_path):
    with pytest.raises(MissingCalendar, match="缺少 2027 年节假日数据"):
        CAL.add_workdays(date(2026, 12, 20), 20)
    with pytest.raises(MissingCalendar, match="缺少 2023 年节假日数据"):
        CAL.is_workday(date(2023, 6, 1))
    extra = tmp_path / "2027.toml"
    extra.write_text('[2027]\nsource = "test notice"\noff = ["2027-01-01"]\nwork = []\n', "utf-8")
    cal = WorkCalendar(extra)
    assert cal.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)     # 1-1 off, 1-2/1-3 weekend
    bad = tmp_path / "bad.toml"
    bad.write_text('[2027]\noff = ["2026-05-01"]\n', "utf-8")
    with pytest.raises(GongkaiError, match="不属于该年"):
        WorkCalendar(bad)


@given(start=st.dates(date(2024, 1, 1), date(2026, 10, 31)), n=st.integers(0, 40))
def test_deadline_properties(start, n):
    due = CAL.add_workdays(start, n)
    assert due >= start
    assert CAL.workdays_between(start, due) == n
    if n:
        assert CAL.is_workday(due) and due > start


def test_deadline_command(tmp_path):
    r = subprocess.run([sys.executable, "-m", "gongkai", "deadline", "2026-02-10"], env=ENV, capture_output=True,
                       text=True)
    assert r.returncode == 0 and "期限为 2026-03-16" in r.stdout
    assert "2026-02-15–02-23" in r.stdout and "2026-02-14（星期六）" in r.stdout and "2026-02-28（星期六）" in r.stdout
    r = subprocess.run([sys.executable, "-m", "gongkai", "deadline", "2026-12-20"], env=ENV, capture_output=True,
                       text=True)
    assert r.returncode == 2 and "缺少 2027 年节假日数据" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "gongkai", "deadline", "2026-02-30"], env=ENV, capture_output=True,
                       text=True)
    assert r.returncode == 2 and "日期格式有误" in r.stderr


# ---------------------------------------------------------------- 信息处理费

def test_fee_per_application_statute_example():
    """109号 Art. 4: 45 applications by one applicant in one calendar month → 5,500 元
    (20 × 100 + 10 × 200 + 5 × 300)."""
    assert fee(45, "per_application") == 5500
    assert [(b.first, b.last, b.rate) for b in breakdown(45, "per_application")] == [
        (11, 30, 100), (31, 40, 200), (41, 45, 300)]


def test_fee_per_page_statute_example():
    """109号 Art. 5: 2,219 pages in one application → 83,460 元 (70 × 10 + 100 × 20 + 2,019 × 40)."""
    assert fee(2219, "per_page") == 83460


@pytest.mark.parametrize("n,method,amount", [
    (0, "per_application", 0), (10, "per_application", 0), (11, "per_application", 100),
    (30, "per_application", 2000), (31, "per_application", 2200), (51, "per_application", 2000 + 2000 + 3000 + 400),
    (30, "per_page", 0), (31, "per_page", 10), (100, "per_page", 700), (101, "per_page", 720),
    (200, "per_page", 2700), (201, "per_page", 2740),
])
def test_fee_band_edges(n, method, amount):
    assert fee(n, method) == amount


def test_fee_rejects_bad_input_and_command_prints_the_bands():
    for bad in (-1, 2.5, True):
        with pytest.raises(GongkaiError):
            fee(bad, "per_page")
    with pytest.raises(GongkaiError):
        fee(3, "both")
    r = subprocess.run([sys.executable, "-m", "gongkai", "fee", "--applications", "45"], env=ENV,
                       capture_output=True, text=True)
    assert r.returncode == 0 and "合计 5,500 元" in r.stdout and "41–45 件：5 × 300 元" in r.stdout
    r = subprocess.run([sys.executable, "-m", "gongkai", "fee", "--pages", "-3"], env=ENV, capture_output=True,
                       text=True)
    assert r.returncode == 2 and "非负整数" in r.stderr
