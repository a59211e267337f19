"""Corpus import that never loses or corrupts anything (issue 11 item 3; issue 10): only
regular files are read (FIFOs, devices, sockets, bad links refused with a line, never
opened), empty and oversized files are refused before hashing, one document's failure
is that document's, the corpus findings are derived state healed by the next run, two
importers at once (fresh and migrated database, SQLite and PostgreSQL) never die, a
kill-and-resume loop loses and duplicates nothing, and reports not in the national
format are stored as documents without a report."""
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time

import pytest
from test_corpus_db import ENV, db  # noqa: F401  (db: the shared SQLite/PostgreSQL fixture)

from gongkai.corpus import Corpus, CorpusError
from gongkai.corpus import schema as S
from gongkai.corpus.importer import import_paths

ENGLISH = ("Traceback", "sqlite3", "constraint", "already exists", "IntegrityError", "psycopg", "UNIQUE")
HUGE = ("三、收到和处理政府信息公开申请情况\n"
        "一、本年新收政府信息公开申请数量 99999999999999999999 0 0 0 0 0 99999999999999999999\n")


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    """40 synthetic text reports (their corpus checks find something)."""
    d = tmp_path_factory.mktemp("syn")
    subprocess.run([sys.executable, "-m", "gongkai", "synth", "40", "--out", str(d), "--formats", "txt",
                    "--seed", "4"], env=ENV, check=True, capture_output=True)
    return sorted(d.glob("*.txt"))


@pytest.fixture(scope="module")
def clean_findings(synth, tmp_path_factory):
    """The corpus findings of a clean, uninterrupted import of all 40 reports."""
    d = tmp_path_factory.mktemp("clean")
    c = Corpus(str(d / "clean.db"))
    import_paths(c, [str(f) for f in synth], workers=1, check=True)
    return _corpus_findings(c)


def _cli(db, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", "gongkai", "corpus", "--db", db, *args], env=ENV,
                          capture_output=True, text=True, timeout=timeout)


def _folder(tmp_path, name, files):
    d = tmp_path / name
    d.mkdir()
    for f in files:
        (d / f.name).write_bytes(f.read_bytes())
    return d


def _corpus_findings(c) -> set:
    """Corpus findings as (rule, message, file names of the reports) — ids differ between runs."""
    with c.engine.connect() as conn:
        names = {rid: path.rsplit("/", 1)[-1] for rid, path in conn.exec_driver_sql(
            "SELECT r.id, d.path FROM reports r JOIN documents d ON d.id = r.document_id")}
        rows = conn.exec_driver_sql("SELECT rule, message, reports FROM findings WHERE scope = 'corpus'").all()
    return {(rule, msg, tuple(sorted(names[i] for i in json.loads(reps)))) for rule, msg, reps in rows}


def _assert_whole(c, n_files):
    """Every file stored once, every report complete (all its cells, once)."""
    with c.engine.connect() as conn:
        docs, distinct = conn.exec_driver_sql("SELECT COUNT(*), COUNT(DISTINCT sha256) FROM documents").one()
        assert docs == distinct == n_files
        per = conn.exec_driver_sql("SELECT r.id, COUNT(c.field_no) FROM reports r LEFT JOIN cells c "
                                   "ON c.report_id = r.id GROUP BY r.id").all()
        assert len(per) == n_files and all(k in (198, 200) for _r, k in per), per[:5]
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM documents WHERE status <> 'ok'").scalar() == 0
        keys = conn.exec_driver_sql("SELECT COUNT(*), COUNT(DISTINCT key) FROM agencies").one()
        assert keys[0] == keys[1]


# ---------------------------------------------------------------- inputs


def test_expand_refuses_special_files_and_reports_bad_links(tmp_path):
    from gongkai.batch import expand
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    (d / "ok.txt").write_text("x", "utf-8")
    os.mkfifo(d / "pipe.txt")
    os.symlink("/dev/zero", d / "zero.txt")
    os.symlink(d / "nowhere.txt", d / "dangling.txt")
    os.symlink(d / "self.txt", d / "self.txt")              # a link to itself: ELOOP
    os.symlink("..", d / "sub" / "up")                      # a folder loop
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(d / "s.txt"))
    try:
        files, problems = expand([str(d), str(d / "pipe.txt"), "/dev/null"])
    finally:
        sock.close()
    assert files == [str(d / "ok.txt")]
    said = "\n".join(problems)
    for name, zh in (("pipe.txt", "命名管道"), ("zero.txt", "字符设备"), ("dangling.txt", "指向的文件不存在"),
                     ("self.txt", "循环"), ("up", "已读取过的文件夹"), ("s.txt", "套接字"), ("/dev/null", "字符设备")):
        assert any(name in p and zh in p for p in problems), (name, said)
    assert len(problems) == 8                                # the FIFO twice: in the folder and named


def test_import_never_opens_fifo_or_device_and_empty_files_are_no_duplicates(db, tmp_path):
    os.mkfifo(tmp_path / "f.txt")
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "empty.txt").write_bytes(b"")
    t0 = time.time()
    r = _cli(db, "import", str(tmp_path / "f.txt"), "/dev/zero", str(tmp_path / "empty.pdf"),
             str(tmp_path / "empty.txt"), timeout=60)
    assert time.time() - t0 < 60 and r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert any("f.txt" in x and "命名管道" in x for x in lines)
    assert any("/dev/zero" in x and "字符设备" in x for x in lines)
    assert any("empty.pdf: 文件为空" in x for x in lines) and any("empty.txt: 文件为空" in x for x in lines)
    assert "本批重复 0" in r.stdout and "失败 2" in r.stdout
    assert not any(w in r.stderr for w in ENGLISH)
    assert Corpus(db).counts()["documents"] == 0


def test_oversized_file_is_refused_before_hashing(tmp_path, monkeypatch):
    from gongkai import read
    from gongkai.corpus.importer import file_hash
    from gongkai.errors import InputError
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 5000)
    with pytest.raises(InputError, match="文件过大"):
        file_hash(str(big), limit=4096)
    monkeypatch.setattr(read, "MAX_BINARY_BYTES", 4096)
    c = Corpus(str(tmp_path / "c.db"))
    s = import_paths(c, [str(big)], workers=1)
    assert s.failed == 1 and "big.txt" in s.problems[0] and "文件过大" in s.problems[0]
    assert c.counts()["documents"] == 0


# ---------------------------------------------------------------- one document's failure


def test_twenty_digit_cell_is_kept_as_uncertain_text_not_a_failure(db, tmp_path):
    f = tmp_path / "huge.txt"
    f.write_text(HUGE, "utf-8")
    r = _cli(db, "import", str(f))
    assert r.returncode == 0, r.stderr
    assert "新导入 1" in r.stdout and not any(w in r.stdout + r.stderr for w in ENGLISH)
    c = Corpus(db)
    no = c.field_ids.index("t3.new.natural")
    with c.engine.connect() as conn:
        cell = conn.execute(S.cells.select().where(S.cells.c.field_no == no)).one()
        report = conn.execute(S.reports.select()).one()
    assert cell.value is None and cell.status == "uncertain"
    assert cell.raw == "99999999999999999999" and "超出可存储的范围" in cell.reason
    assert json.loads(report.value_array)[no] is None and report.status_codes[no] == "u"
    small = c.field_ids.index("t3.new.commercial")
    assert json.loads(report.value_array)[small] == 0 and report.status_codes[small] == "v"


def test_a_database_error_in_one_document_is_recorded_and_the_batch_goes_on(db, synth, tmp_path, monkeypatch):
    """A value the database rejects (bypassing the storable check): that document is stored
    as failed with a Chinese line naming it; the others are imported."""
    from gongkai.corpus import store
    src = _folder(tmp_path, "in", synth[:5])
    victim = sorted(src.iterdir())[2]
    real = store.prepare

    def prepare(report, fields, as_float):
        rows = real(report, fields, as_float)
        if report.meta["source"].endswith(victim.name):
            k, _v, *rest = rows["cells"][0]
            rows["cells"][0] = (k, 2 ** 70, *rest)          # SQLite INTEGER / numeric(20,4) overflow
        return rows
    monkeypatch.setattr(store, "prepare", prepare)
    c = Corpus(db)
    s = import_paths(c, [str(src)], workers=1)
    assert s.imported == 4 and s.failed == 1, s
    msg = s.problems[0]
    assert victim.name in msg and "无法写入数据库" in msg and "数值超出" in msg
    assert not any(w in msg for w in ENGLISH)
    with c.engine.connect() as conn:
        bad = conn.execute(S.documents.select().where(S.documents.c.status == "error")).one()
    assert bad.path.endswith(victim.name) and bad.error == msg
    assert c.counts()["reports"] == 4


def test_a_database_fault_names_the_file_and_the_database(tmp_path, synth):
    import sqlite3
    path = tmp_path / "l.db"
    Corpus(str(path))
    hold = sqlite3.connect(path, timeout=0)
    hold.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(CorpusError) as e:
            import_paths(Corpus(str(path), lock_timeout=0.3), [str(synth[0])], workers=1)
    finally:
        hold.rollback()
        hold.close()
    assert synth[0].name in str(e.value) and "锁定" in str(e.value) and str(path) in str(e.value)


def test_a_concurrent_insert_of_the_same_document_is_already_stored_not_an_error(db, synth, monkeypatch):
    """Between this importer's look-up and its insert, another one stores the same file."""
    from gongkai.corpus.store import Corpus as C, prepare
    from gongkai.pipeline import parse_file
    a, b = Corpus(db), Corpus(db)
    rep = parse_file(synth[0])
    doc = {"sha256": "ab" * 32, "path": str(synth[0]), "size": 1, "format": "text", "parser_version": 2,
           "status": "ok", "error": None}
    real = C._insert_returning
    raced = []

    def insert(self, c, table, row):
        if self is b and table == "documents" and not raced:
            raced.append(a.store_report(doc, rep))          # the other importer wins the race
        return real(self, c, table, row)
    monkeypatch.setattr(C, "_insert_returning", insert)
    got = b.store_document(doc, prepare(rep, b.field_ids, b.as_float), replace=False)
    assert raced and got == (raced[0], False)
    assert b.counts()["documents"] == 1 and b.counts()["reports"] == 1


def test_the_same_agency_inserted_twice_is_one_row(db):
    from gongkai.corpus.agencies import _insert_absent
    c = Corpus(db)
    vals = dict(key="淮安市", name="淮安市人民政府", province="江苏省", city="淮安市", county=None,
                kind="government", parent_id=None)
    with c.engine.begin() as conn:
        conn.execute(_insert_absent(conn, S.agencies, vals))
        conn.execute(_insert_absent(conn, S.agencies, {**vals, "name": "别的名字"}))
    with c.engine.connect() as conn:
        rows = conn.execute(S.agencies.select()).all()
    assert len(rows) == 1 and rows[0].name == "淮安市人民政府"


# ---------------------------------------------------------------- derived findings


def test_kill_before_the_corpus_check_is_healed_by_the_next_run(db, synth, tmp_path, monkeypatch):
    from gongkai.corpus import crosscheck
    src = _folder(tmp_path, "in", synth[:24])
    clean = Corpus(str(tmp_path / "clean.db"))
    import_paths(clean, [str(src)], workers=1, check=True)
    want = _corpus_findings(clean)
    assert want                                              # the data has findings across reports

    c = Corpus(db)
    real = crosscheck.run_corpus_checks

    def killed(corpus):
        raise KeyboardInterrupt                               # the process dies here
    monkeypatch.setattr(crosscheck, "run_corpus_checks", killed)
    with pytest.raises(KeyboardInterrupt):
        import_paths(c, [str(src)], workers=1, check=True)
    assert c.counts()["reports"] == 24 and _corpus_findings(c) == set()
    monkeypatch.setattr(crosscheck, "run_corpus_checks", real)
    s = import_paths(c, [str(src)], workers=1, check=True)   # nothing new to store
    assert s.imported == 0 and s.skipped == 24
    assert s.corpus_findings == len(want) and _corpus_findings(c) == want


# ---------------------------------------------------------------- concurrency


@pytest.mark.parametrize("state", ["fresh", "migrated"])
def test_two_importers_at_once_never_die(db, synth, clean_findings, tmp_path, state):
    a = _folder(tmp_path, "a", synth[:26])
    b = _folder(tmp_path, "b", synth[14:])
    if state == "migrated":
        Corpus(db)
    cmd = [sys.executable, "-m", "gongkai", "corpus", "--db", db, "import", "--workers", "1", "-q"]
    procs = [subprocess.Popen(cmd + [str(x), str(y)], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for x, y in ((a, b), (b, a))]
    outs = [p.communicate(timeout=180) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert not any(w in out + err for w in ENGLISH), err
    c = Corpus(db)
    _assert_whole(c, 40)
    assert _corpus_findings(c) == clean_findings


def test_kill_and_resume_loop_loses_and_duplicates_nothing(db, synth, clean_findings, tmp_path):
    """SIGKILL an import while it starts, then at random numbers of stored reports; then
    finish: every file once, every report whole, the findings of a clean run."""
    src = _folder(tmp_path, "in", synth)
    c = Corpus(db)
    rnd = random.Random(11)
    cmd = [sys.executable, "-m", "gongkai", "corpus", "--db", db, "import", str(src), "--workers", "1", "-q"]
    kills = 0
    for target in (0, *sorted(rnd.sample(range(2, 38), 3))):
        p = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
        deadline = time.time() + 60
        if target == 0:
            time.sleep(0.3)                                   # still starting (imports, migration check)
        while target and p.poll() is None and c.counts()["reports"] < target and time.time() < deadline:
            time.sleep(0.02)
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            kills += 1
        p.wait()
    assert kills >= 3
    r = _cli(db, "import", str(src))
    assert r.returncode == 0, r.stderr
    _assert_whole(c, 40)
    assert _corpus_findings(c) == clean_findings


# ---------------------------------------------------------------- not in the national format


def test_a_document_without_national_tables_is_stored_without_a_report(db, synth, tmp_path):
    src = _folder(tmp_path, "in", synth[:2])
    (src / "notice.txt").write_text("关于开展政府信息公开工作的通知\n各单位：请按要求报送材料。\n", "utf-8")
    r = _cli(db, "import", str(src))
    assert r.returncode == 0, r.stderr                       # not a failure
    assert "非国家格式 1" in r.stdout and "新导入 2" in r.stdout and "失败 0" in r.stdout
    assert "notice.txt" in r.stderr and "非报告文档" in r.stderr
    c = Corpus(db)
    with c.engine.connect() as conn:
        doc = conn.execute(S.documents.select().where(S.documents.c.status == "not_report")).one()
    assert doc.path.endswith("notice.txt") and "未找到" in doc.error
    assert c.counts()["reports"] == 2
    r = _cli(db, "import", str(src))                        # not retried
    assert "已在库中跳过 3" in r.stdout and "非国家格式" not in r.stdout
    r = _cli(db, "info")
    assert "已解析 2" in r.stdout and "非国家格式 1" in r.stdout and "失败 0" in r.stdout


def test_a_migration_stopped_halfway_leaves_no_half_created_schema(tmp_path, monkeypatch):
    """pysqlite commits each CREATE TABLE on its own unless a transaction is open: a
    migration that fails (or is killed) after some tables must leave none of them, and the
    next open must migrate the database whole."""
    import sqlalchemy as sa
    from alembic.operations import Operations
    orig = Operations.create_table

    def failing(self, name, *a, **kw):
        if name == "audit":                       # in the second migration, after other tables
            raise OSError(28, "No space left on device")
        return orig(self, name, *a, **kw)
    monkeypatch.setattr(Operations, "create_table", failing)
    url = f"sqlite:///{tmp_path / 'half.db'}"
    with pytest.raises(CorpusError) as e:
        Corpus(url)
    assert "half.db" in str(e.value)
    with sa.create_engine(url).connect() as c:
        tables = c.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    assert tables == []
    monkeypatch.setattr(Operations, "create_table", orig)
    again = Corpus(url)
    assert again.revision() is not None and again.counts()["documents"] == 0
