"""The library under the web app: accounts (Argon2, roles, scopes, audit), the board
(statuses per agency and year, scope and filters) and the report detail (scope)."""
import pytest
from webkit import PASSWORD, XSS, build_corpus, cheap_argon2, report_ids  # noqa: F401

from gongkai.corpus import accounts as A
from gongkai.corpus.board import STATUS_ZH, board, regions, report_status, years
from gongkai.corpus.detail import report_detail


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from argon2 import PasswordHasher
    mp = pytest.MonkeyPatch()
    mp.setattr(A, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    c = build_corpus(tmp_path_factory.mktemp("lib") / "c.db")
    mp.undo()
    return c


def test_add_user_validates_role_scope_name_and_password(corpus):
    with pytest.raises(A.AccountError, match="未知角色"):
        A.add_user(corpus, "x1", "boss", PASSWORD)
    with pytest.raises(A.AccountError, match="审核人须指定"):
        A.add_user(corpus, "x2", "reviewer", PASSWORD)
    with pytest.raises(A.AccountError, match="填报人须指定且只指定一个机关"):
        A.add_user(corpus, "x3", "staff", PASSWORD, agencies=["格尔木市公安局", "海东市公安局"])
    with pytest.raises(A.AccountError, match="不能限定"):
        A.add_user(corpus, "x4", "guest", PASSWORD, regions=["海东市"])
    with pytest.raises(A.AccountError, match="没有机关"):
        A.add_user(corpus, "x5", "staff", PASSWORD, agencies=["不存在的局"])
    with pytest.raises(A.AccountError, match="无法识别地区"):
        A.add_user(corpus, "x6", "reviewer", PASSWORD, regions=["公安局"])
    with pytest.raises(A.AccountError, match="密码太短"):
        A.add_user(corpus, "x7", "guest", "short")
    with pytest.raises(A.AccountError, match="过于简单"):
        A.add_user(corpus, "x8", "guest", "aaaaaaaaaaaa")
    with pytest.raises(A.AccountError, match="已存在"):
        A.add_user(corpus, "admin", "admin", PASSWORD)
    with pytest.raises(A.AccountError, match="空白或控制字符"):
        A.add_user(corpus, "a b", "guest", PASSWORD)
    assert {u.name for u in A.list_users(corpus)} == {"admin", "rev_haidong", "staff_golmud", "guest"}


def test_passwords_are_argon2_and_authenticate_is_audited(corpus):
    import sqlalchemy as sa
    from gongkai.corpus import schema as S
    with corpus.engine.connect() as c:
        h = c.execute(sa.select(S.users.c.password_hash).where(S.users.c.name == "guest")).scalar()
    assert h.startswith("$argon2id$") and PASSWORD not in h
    assert A.authenticate(corpus, "guest", PASSWORD, "10.0.0.1").name == "guest"
    assert A.authenticate(corpus, "guest", PASSWORD + "x") is None
    assert A.authenticate(corpus, "nobody", PASSWORD) is None
    log = A.audit_log(corpus, 3)
    assert [e["action"] for e in log] == ["login.failed", "login.failed", "login"]
    assert '"10.0.0.1"' in log[2]["new"] and log[0]["by_user"] == "nobody"


def test_weak_hash_is_upgraded_and_password_change_ends_sessions(corpus, monkeypatch):
    from argon2 import PasswordHasher
    import sqlalchemy as sa
    from gongkai.corpus import schema as S
    A.add_user(corpus, "old_hash", "guest", PASSWORD)           # cheap parameters (the fixture)
    monkeypatch.setattr(A, "_hasher", lambda: PasswordHasher())  # the library's real parameters
    uid = A.authenticate(corpus, "old_hash", PASSWORD).id
    with corpus.engine.connect() as c:
        h = c.execute(sa.select(S.users.c.password_hash).where(S.users.c.id == uid)).scalar()
    assert not PasswordHasher().check_needs_rehash(h)          # rehashed on login
    stamp = A.password_stamp(corpus, uid)
    assert A.session_user(corpus, uid, stamp).name == "old_hash"
    A.set_password(corpus, "old_hash", "another-password-2")
    assert A.session_user(corpus, uid, stamp) is None           # the old session is over
    assert A.authenticate(corpus, "old_hash", PASSWORD) is None
    assert A.authenticate(corpus, "old_hash", "another-password-2") is not None
    A.set_active(corpus, "old_hash", False)
    assert A.authenticate(corpus, "old_hash", "another-password-2") is None
    assert A.password_stamp(corpus, uid) is None


def test_regions_parse_to_the_agencies_columns():
    r = A.parse_region("江苏省淮安市")
    assert (r.province, r.city, r.county) == ("江苏省", "淮安市", None)
    assert A.parse_region("海东市平安区").county == "平安区"
    assert A.parse_region("江苏省").province == "江苏省"


def _names(b):
    return {r.agency for r in b.rows}


def test_board_lists_every_agency_of_the_scope_with_its_status(corpus):
    everyone = board(corpus, 2024, A.EVERYTHING)
    names = _names(everyone)
    assert {"格尔木市公安局", "淮安市人民政府", XSS, "江苏省南京市人民政府"} <= names
    by = {r.agency: r for r in everyone.rows}
    assert by["格尔木市公安局"].status == "imported" and by["格尔木市公安局"].report_id
    assert by["海东市公安局"].status == "missing"            # its report is of 2021
    assert by[XSS].status == "missing" and by[XSS].report_id is None
    assert everyone.missing == sum(1 for r in everyone.rows if r.report_id is None) > 0
    assert everyone.counts["imported"] == 4                 # the 2024 samples
    assert board(corpus, None, A.EVERYTHING).year == 2025 == years(corpus, A.EVERYTHING)[0]
    gov = board(corpus, 2024, A.EVERYTHING, kind="government")
    assert gov.rows and all(r.kind == "government" for r in gov.rows)


def test_board_pages_its_rows_and_counts_every_agency(corpus):
    """A province has thousands of agencies: the board shows a page of them, and its
    counts and totals are those of all (issue 12 item 11: the page stays fast)."""
    whole = board(corpus, 2024, A.EVERYTHING)
    assert whole.pages == 1 and whole.total == len(whole.rows) > 7
    pages = [board(corpus, 2024, A.EVERYTHING, page=p, per_page=3) for p in range(1, whole.total // 3 + 2)]
    assert [len(b.rows) for b in pages[:-1]] == [3] * (len(pages) - 1) and 1 <= len(pages[-1].rows) <= 3
    assert [r.agency_id for b in pages for r in b.rows] == [r.agency_id for r in whole.rows]   # same order, no gap
    for b in pages:
        assert (b.total, b.counts, b.totals, b.missing) == (whole.total, whole.counts, whole.totals, whole.missing)
        assert b.pages == len(pages)
    assert pages[1].first == 4 and pages[1].last == 6
    past = board(corpus, 2024, A.EVERYTHING, page=999, per_page=3)
    assert past.page == past.pages and past.rows == pages[-1].rows          # past the end: the last page
    assert whole.totals["errors"] == sum(r.n_errors for r in whole.rows)
    assert whole.totals["warnings"] == sum(r.n_warnings for r in whole.rows)
    assert whole.totals["uncertain"] == sum(r.n_uncertain for r in whole.rows)
    assert sum(whole.counts.values()) == whole.total


def test_board_never_leaves_the_scope(corpus):
    rev = A.scope_of(next(u for u in A.list_users(corpus) if u.name == "rev_haidong"))
    b = board(corpus, 2021, rev)
    assert _names(b) == {"海东市", "海东市公安局", "海东市平安区", "海东市平安区公安局"}
    assert b.year == 2021 and board(corpus, None, rev).year == 2023
    assert board(corpus, 2024, rev, region="格尔木市").rows == []        # another region: nothing
    assert _names(board(corpus, 2021, rev, region="海东市平安区")) == {"海东市平安区", "海东市平安区公安局"}
    assert set(regions(corpus, rev)) == {"海东市", "平安区"}
    staff = A.scope_of(next(u for u in A.list_users(corpus) if u.name == "staff_golmud"))
    assert _names(board(corpus, 2024, staff)) == {"格尔木市公安局"}
    assert board(corpus, 2024, A.NOTHING).rows == []


def test_report_status_grows_from_the_counts():
    assert report_status(None) == "missing" and report_status({"n_errors": 0}) == "imported"
    assert report_status({"n_errors": 2}) == "errors"
    assert STATUS_ZH["missing"] == "未收录" and STATUS_ZH["errors"] == "有错误"


def test_board_shows_reports_with_errors(tmp_path):
    from gongkai.corpus import Corpus
    from gongkai.corpus.importer import import_paths
    from gongkai.synth import corpus as synth
    synth(6, tmp_path / "syn", ["txt"], seed=5, error_rate=1.0)
    c = Corpus(str(tmp_path / "e.db"))
    import_paths(c, [str(tmp_path / "syn")], workers=1, check=False)
    rows = [r for y in years(c, A.EVERYTHING) for r in board(c, y, A.EVERYTHING).rows if r.report_id]
    bad = [r for r in rows if r.n_errors]
    assert bad and all(r.status == "errors" for r in bad)
    assert all(r.status == "imported" for r in rows if not r.n_errors)


def test_report_detail_is_scoped(corpus):
    ids = report_ids(corpus)
    rev = A.scope_of(next(u for u in A.list_users(corpus) if u.name == "rev_haidong"))
    d = report_detail(corpus, ids["海东市公安局"], rev)
    assert d.meta["agency"] == "海东市公安局" and d.meta["year"] == 2021 and "/" not in d.meta["file"]
    assert d.findings and any(c.field == "t3.new.natural" for line in d.t3 for c in line)
    assert report_detail(corpus, ids["格尔木市公安局"], rev) is None
    assert report_detail(corpus, 10 ** 6, A.EVERYTHING) is None


def test_accounts_and_board_on_postgresql():
    import os
    if not os.environ.get("GONGKAI_TEST_PG"):
        if os.environ.get("CI"):
            pytest.fail("GONGKAI_TEST_PG is not set: .ci/run must start PostgreSQL (scripts/pg-test.sh)")
        pytest.skip("no PostgreSQL server (export GONGKAI_TEST_PG=$(bash scripts/pg-test.sh))")
    from test_corpus_db import _pg_database
    from gongkai.cli import sample_files
    from gongkai.corpus import Corpus
    from gongkai.corpus.importer import import_paths
    url, drop = _pg_database()
    try:
        c = Corpus(url)
        import_paths(c, sample_files(), workers=1)
        u = A.add_user(c, "pg_rev", "reviewer", PASSWORD, regions=["海东市"], agencies=["格尔木市公安局"])
        assert A.authenticate(c, "pg_rev", PASSWORD).agencies == u.agencies and u.active is True
        names = {r.agency for r in board(c, 2024, A.scope_of(u)).rows}
        assert names == {"海东市", "海东市公安局", "海东市平安区", "海东市平安区公安局", "格尔木市公安局"}
        assert report_detail(c, report_ids(c)["淮安市人民政府"], A.scope_of(u)) is None
        A.set_active(c, "pg_rev", False)
        assert A.authenticate(c, "pg_rev", PASSWORD) is None and A.list_users(c)[0].active is False
        c.engine.dispose()
    finally:
        drop()
