"""The corpus database on SQLite and on a real PostgreSQL (scripts/pg-test.sh; in CI the
server is required): schema and migrations, import with dedupe / failures / resume after
a kill, re-parse, agencies and the user's mapping, exports, compare, stats, plots, and
clear messages for databases that cannot be used."""
import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid

import pytest
from conftest import ROOT

from gongkai.corpus import Corpus, CorpusError
from gongkai.corpus import schema as S

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
PG = os.environ.get("GONGKAI_TEST_PG")
BACKENDS = ["sqlite", "postgresql"]


def _pg_database():
    """A fresh database on the test server; returns (url, drop)."""
    import psycopg
    base = PG.rsplit("/", 1)[0]
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG, autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")

    def drop():
        with psycopg.connect(PG, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return f"{base}/{name}", drop


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    if request.param == "sqlite":
        yield str(tmp_path / "corpus.db")
        return
    if not PG:
        if os.environ.get("CI"):
            pytest.fail("GONGKAI_TEST_PG is not set: .ci/run must start PostgreSQL (scripts/pg-test.sh)")
        pytest.skip("no PostgreSQL server (export GONGKAI_TEST_PG=$(bash scripts/pg-test.sh))")
    url, drop = _pg_database()
    yield url
    drop()


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("syn")
    subprocess.run([sys.executable, "-m", "gongkai", "synth", "30", "--out", str(d), "--formats", "txt,html",
                    "--seed", "3", "--error-rate", "0.3"], env=ENV, check=True, capture_output=True)
    return d


def _cli(*args, db=None):
    cmd = [sys.executable, "-m", "gongkai", "corpus"] + (["--db", db] if db else []) + list(args)
    return subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=600)


def test_new_database_is_migrated_and_matches_schema(db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "src" / "gongkai" / "corpus" / "migrations"))
    c = Corpus(db)
    assert c.revision() == ScriptDirectory.from_config(cfg).get_current_head()
    with c.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), S.metadata)
    assert diff == [], diff          # schema.py changed without a migration
    assert len(c.field_ids) > 200 and c.field_ids[0].startswith("t2.")
    Corpus(db)                       # opening again is idempotent


def test_import_dedupes_records_failures_and_resumes(db, synth_dir, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    golds = sorted(synth_dir.glob("*.gold.json"))
    for g in golds:
        f = synth_dir / json.loads(g.read_text())["source"]
        (src / f.name).write_bytes(f.read_bytes())
    dup = next(src.glob("*.txt"))
    (src / "copy-of-first.txt").write_bytes(dup.read_bytes())
    (src / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    r = _cli("import", str(src), "--workers", "2", db=db)
    assert r.returncode == 2, r.stderr          # one file failed: said, batch went on
    assert "broken.pdf" in r.stderr and "新导入 30" in r.stdout and "本批重复 1" in r.stdout
    c = Corpus(db)
    n = c.counts()
    assert n["documents"] == 31 and n["reports"] == 30
    with c.engine.connect() as conn:
        err = conn.execute(S.documents.select().where(S.documents.c.status == "error")).one()
        assert "broken.pdf" in err.path and err.error
    # stored cells are the gold values, with status and provenance
    from gongkai.corpus.export import export
    out = tmp_path / "wide.csv"
    assert export(c, out, layout="wide") == 30
    rows = {r["path"].rsplit("/", 1)[-1]: r for r in csv.DictReader(open(out, encoding="utf-8-sig"))}
    for g in golds:
        gold = json.loads(g.read_text())
        row = rows[gold["source"]]
        for f, v in gold["cells"].items():
            got = row[f]
            assert (got == "" if v is None else float(got) == float(v)), (gold["source"], f, v, got)
    with c.engine.connect() as conn:
        q = S.cells.select().where(S.cells.c.line.is_not(None)).limit(1)
        assert conn.execute(q).first() is not None
    # a second run finds everything stored
    r = _cli("import", str(src), db=db)
    assert "新导入 0" in r.stdout and "已在库中跳过 31" in r.stdout


def test_killed_import_leaves_whole_reports_and_resumes(tmp_path):
    d = tmp_path / "many"
    subprocess.run([sys.executable, "-m", "gongkai", "synth", "400", "--out", str(d), "--formats", "txt",
                    "--seed", "9"], env=ENV, check=True, capture_output=True)
    db = str(tmp_path / "k.db")
    Corpus(db)
    p = subprocess.Popen([sys.executable, "-m", "gongkai", "corpus", "--db", db, "import", str(d), "--workers", "1",
                          "--no-check"], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    c = Corpus(db)
    deadline = time.time() + 120
    while time.time() < deadline and c.counts()["reports"] < 30:
        time.sleep(0.2)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    n = c.counts()
    assert 30 <= n["reports"] < 400
    with c.engine.connect() as conn:
        per = conn.exec_driver_sql("SELECT r.id, COUNT(c.field_no) FROM reports r LEFT JOIN cells c "
                                   "ON c.report_id = r.id GROUP BY r.id").all()
        assert all(k in (198, 200) for _r, k in per), per[:5]          # no half-written report
        orphans = conn.exec_driver_sql("SELECT COUNT(*) FROM documents d LEFT JOIN reports r ON r.document_id = d.id "
                                       "WHERE r.id IS NULL AND d.status = 'ok'").scalar()
        assert orphans == 0
    r = _cli("import", str(d), "--no-check", db=db)
    assert r.returncode == 0 and f"已在库中跳过 {n['reports']}" in r.stdout
    assert Corpus(db).counts()["reports"] == 400


def test_reparse_updates_old_parser_versions(db, synth_dir):
    r = _cli("import", str(synth_dir), "--no-check", db=db)
    assert r.returncode == 0, r.stderr
    c = Corpus(db)
    with c.engine.begin() as conn:
        conn.execute(S.documents.update().values(parser_version=1))
        before = conn.exec_driver_sql("SELECT COUNT(*) FROM reports").scalar()
    r = _cli("reparse", db=db)
    assert r.returncode == 0 and f"新重新解析 {before}" in r.stdout, r.stdout + r.stderr
    from gongkai import PARSER_VERSION
    with c.engine.connect() as conn:
        vs = {v for (v,) in conn.exec_driver_sql("SELECT parser_version FROM documents")}
        assert vs == {PARSER_VERSION}
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM reports").scalar() == before


def test_agency_mapping_is_editable_and_kept(db, tmp_path):
    """gongkai corpus agencies --export / --apply: the catalogue file (Chinese headers;
    .csv or .xlsx by the suffix), edited and applied; a bad file changes nothing."""
    from gongkai import parse_text
    from gongkai.synth import random_values, write
    c = Corpus(db)
    for i, (agency, year) in enumerate([("江苏省淮安市公安局", 2023), ("淮安市人民政府", 2023), ("沭阳县人民政府", 2024)]):
        text, _t = write(random_values(random.Random(i), "2021", 10), "clean", "2021", random.Random(i),
                         agency=agency, year=year)
        c.store_report({"sha256": f"{i:064d}", "path": f"/x/{i}.txt", "size": 1, "format": "text",
                        "parser_version": 2, "status": "ok", "error": None}, parse_text(text))
    out = tmp_path / "ag.csv"
    assert _cli("agencies", "--export", str(out), db=db).returncode == 0
    rows = {r["名称"]: r for r in csv.DictReader(open(out, encoding="utf-8-sig"))}
    assert rows["江苏省淮安市公安局"]["类别"] == "部门" and rows["江苏省淮安市公安局"]["上级机关"] == "淮安市"
    assert rows["淮安市"]["类别"] == "政府" and rows["淮安市"]["省"] == "江苏省" and rows["淮安市"]["层级"] == "市级"
    assert rows["沭阳县人民政府"]["省"] == ""               # the name does not say: the user fills it in
    rows["沭阳县人民政府"].update({"省": "江苏省", "市": "宿迁市"})
    with open(out, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.DictWriter(fh, fieldnames=list(next(iter(rows.values()))))
        w.writeheader()
        w.writerows(rows.values())
    r = _cli("agencies", "--apply", str(out), db=db)
    assert r.returncode == 0, r.stderr
    assert "修改 1 个" in r.stdout
    r = _cli("stats", "--by", "province,city", "--csv", db=db)
    assert "江苏省,宿迁市,1" in r.stdout
    xlsx = tmp_path / "ag.xlsx"
    assert _cli("agencies", "--export", str(xlsx), db=db).returncode == 0
    from openpyxl import load_workbook
    sheet = [list(r) for r in load_workbook(xlsx).active.iter_rows(values_only=True)]
    assert sheet[0][:3] == ["名称", "省", "市"] and any(r[0] == "沭阳县人民政府" and r[2] == "宿迁市" for r in sheet)
    bad = tmp_path / "bad.csv"
    bad.write_text("名字\nx\n", "utf-8")
    r = _cli("agencies", "--apply", str(bad), db=db)
    assert r.returncode == 2 and "未知的列「名字」" in r.stderr and "Traceback" not in r.stderr
    bad.write_text("名称,类别\n淮安市,政府\n新机关,机构\n", "utf-8")
    r = _cli("agencies", "--apply", str(bad), db=db)
    assert r.returncode == 2 and "第 3 行：类别「机构」无效" in r.stderr and "未做任何修改" in r.stderr
    assert c.counts()["agencies"] == 3                      # nothing of the bad file was applied


def test_exports_compare_stats_plots(db, synth_dir, tmp_path):
    assert _cli("import", str(synth_dir), db=db).returncode == 0
    c = Corpus(db)
    fids = c.field_ids
    for fmt in ("csv", "xlsx", "parquet", "json"):
        for layout in ("wide", "long"):
            out = tmp_path / f"e-{layout}.{fmt}"
            r = _cli("export", "-o", str(out), "--layout", layout, db=db)
            assert r.returncode == 0, r.stderr
            assert out.stat().st_size > 1000
    import pyarrow.parquet as pq
    wide = pq.read_table(tmp_path / "e-wide.parquet").to_pylist()
    long_ = pq.read_table(tmp_path / "e-long.parquet").to_pylist()
    assert len(wide) == 30 and set(fids) <= set(wide[0])
    one = wide[0]
    mine = {x["field"]: x for x in long_ if x["report_id"] == one["report_id"]}
    assert all((mine[f]["value"] is None) == (one[f] is None) for f in mine)
    assert all(one[f] == mine[f]["value"] for f in mine if one[f] is not None)
    assert {x["status"] for x in long_} <= {"value", "blank", "text", "inferred", "uncertain"}
    from openpyxl import load_workbook
    wb = load_workbook(tmp_path / "e-wide.xlsx")
    assert len(wb.sheetnames) == 31                  # data + one sheet per report in the official layout
    sheet = wb[wb.sheetnames[1]]
    texts = {str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None}
    assert "申请人情况" in texts and "行政复议" in texts
    data = json.loads((tmp_path / "e-wide.json").read_text("utf-8"))
    a, b = data[0]["report_id"], data[1]["report_id"]
    r = _cli("compare", str(a), str(b), "--json", db=db)
    res = json.loads(r.stdout)
    diffs = {f["field"] for f in res["fields"] if f["differs"]}
    assert diffs == {f for f in fids if data[0].get(f) != data[1].get(f) and (f in data[0])
                     and any(x["field"] == f for x in res["fields"])}
    r = _cli("compare", "没有这个机关:2024", str(b), db=db)
    assert r.returncode == 2 and "找不到" in r.stderr
    r = _cli("stats", "--by", "year", "--csv", db=db)
    rows = list(csv.DictReader(r.stdout.splitlines()))
    assert sum(int(x["reports"]) for x in rows) == 30
    for kind, ext in (("applications", "png"), ("outcomes", "svg"), ("ranking", "png")):
        out = tmp_path / f"{kind}.{ext}"
        r = _cli("plot", kind, "-o", str(out), db=db)
        assert r.returncode == 0, r.stderr
        assert out.stat().st_size > 5000
    svg = (tmp_path / "outcomes.svg").read_text()
    assert "<path" in svg and "DejaVu" not in svg.split("<svg", 1)[0]
    r = _cli("export", "-o", str(tmp_path / "x.doc"), db=db)
    assert r.returncode == 2 and "不支持" in r.stderr


def test_unusable_databases_get_clear_messages(tmp_path):
    r = _cli("info", db="postgresql://nobody@127.0.0.1:1/none")
    assert r.returncode == 2 and "无法连接数据库" in r.stderr and "Traceback" not in r.stderr
    r = _cli("info", db=str(tmp_path / "no" / "such" / "dir" / "x.db"))
    assert r.returncode == 2 and "无法打开数据库文件" in r.stderr
    r = _cli("info", db="mysql://x@y/z")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_locked_and_full_sqlite(tmp_path, synth_dir):
    import sqlite3
    from gongkai.corpus.importer import import_paths
    db = tmp_path / "l.db"
    c = Corpus(str(db))
    files = sorted(synth_dir.glob("*.txt"))
    hold = sqlite3.connect(db, timeout=0)
    hold.execute("BEGIN EXCLUSIVE")                 # another program is writing
    with pytest.raises(CorpusError, match="锁定"):
        import_paths(Corpus(str(db), lock_timeout=0.5), [str(files[0])], workers=1)
    hold.rollback()
    hold.close()
    # a full disk (SQLITE_FULL, simulated with max_page_count): clear message, nothing half-written
    import_paths(c, [str(f) for f in files[:3]], workers=1)
    before = c.counts()
    import sqlalchemy as sa
    c.engine.dispose()
    pages = sqlite3.connect(db).execute("PRAGMA page_count").fetchone()[0]
    sa.event.listen(c.engine, "connect", lambda con, _r: con.execute(f"PRAGMA max_page_count={pages + 2}"))
    with pytest.raises(CorpusError, match="磁盘空间不足"):
        import_paths(c, [str(f) for f in files[3:]], workers=1)
    c2 = Corpus(str(db))
    after = c2.counts()
    assert after["reports"] >= before["reports"]
    with c2.engine.connect() as conn:
        per = conn.exec_driver_sql("SELECT r.id, COUNT(c.field_no) FROM reports r LEFT JOIN cells c "
                                   "ON c.report_id = r.id GROUP BY r.id").all()
    assert all(k in (198, 200) for _r, k in per)


def test_dask_executor_on_a_local_cluster(tmp_path, synth_dir, monkeypatch):
    """--executor dask: parsing runs on a dask.distributed cluster, results land in the DB."""
    from dask.distributed import LocalCluster
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "src"))      # the workers import gongkai

    from gongkai.corpus.importer import import_paths
    c = Corpus(str(tmp_path / "d.db"))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        s = import_paths(c, [str(synth_dir)], executor="dask", scheduler=cluster.scheduler_address)
    assert s.imported == 30 and s.failed == 0
    assert c.counts()["reports"] == 30
    r = _cli("import", str(synth_dir), "--executor", "dask", db=str(tmp_path / "e.db"))
    assert r.returncode == 2 and "--scheduler" in r.stderr
    r = _cli("import", str(synth_dir), "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1",
             db=str(tmp_path / "e.db"))
    assert r.returncode == 2 and "Dask" in r.stderr and "Traceback" not in r.stderr
