"""A bug on one document never stops a batch: one Chinese line, a crash report, the
next files parsed, exit status 2 (batch, CLI, corpus importer, render)."""
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, SHARED
from gongkai import batch, crash
from gongkai.cli import main

SEEDS = sorted((SHARED / "corpus" / "seeds").glob("*.txt"))[:2]
needs_seeds = pytest.mark.skipif(len(SEEDS) < 2, reason="shared corpus not present")


def _folder(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a_bad.txt").write_bytes(SEEDS[0].read_bytes())
    for i, s in enumerate(SEEDS):
        (d / f"b{i}.txt").write_bytes(s.read_bytes())
    return d


def _boom_on_bad(monkeypatch):
    real = batch.parse_file

    def fake(path, **kw):
        if "bad" in str(path):
            raise KeyError("boom-internal")
        return real(path, **kw)
    monkeypatch.setattr(batch, "parse_file", fake)


@needs_seeds
def test_batch_in_process(tmp_path, monkeypatch):
    monkeypatch.setenv("GONGKAI_CRASH_DIR", str(tmp_path / "crash"))
    _boom_on_bad(monkeypatch)
    d = _folder(tmp_path)
    files, _ = batch.expand([str(d)])
    res = batch.run(files, str(tmp_path / "out"))
    bad = [o for o in res.outcomes if o.error]
    assert len(bad) == 1 and len(res.reports) == 2        # later files still parsed
    msg = bad[0].error
    assert msg.startswith(str(d / "a_bad.txt")) and "内部错误，已写入 crash 报告" in msg and "\n" not in msg
    report = open(bad[0].crash_report, encoding="utf-8").read()
    assert "KeyError: 'boom-internal'" in report and "Traceback" in report
    assert "sha256: " in report and "python: " in report and "parser_version: " in report
    assert "本年新收" not in report                       # never the document's content
    assert sorted(os.listdir(tmp_path / "out")) == ["b0.json", "b1.json"]


@needs_seeds
def test_json_writing_is_inside_the_guard(tmp_path, monkeypatch):
    """A report that cannot be serialised (a bug in a producer) fails that file only."""
    monkeypatch.setenv("GONGKAI_CRASH_DIR", str(tmp_path / "crash"))
    real = batch.parse_file

    def fake(path, **kw):
        rep = real(path, **kw)
        if "bad" in str(path):
            rep.to_dict = lambda: {"x": object.__new__(type("Odd", (), {}))}
        return rep
    monkeypatch.setattr(batch, "parse_file", fake)
    files, _ = batch.expand([str(_folder(tmp_path))])
    res = batch.run(files, str(tmp_path / "out"))
    assert [o.path.endswith("a_bad.txt") for o in res.failed] == [True] and len(res.reports) == 2
    assert not any(n.endswith(".tmp") for n in os.listdir(tmp_path / "out"))


@needs_seeds
def test_cli_subprocess(tmp_path):
    """``python -m gongkai parse folder/`` with a parser that raises on one file."""
    d = _folder(tmp_path)
    code = ("import sys, gongkai.batch as b; real = b.parse_file\n"
            "def fake(p, **k):\n"
            "    if 'bad' in str(p): raise ZeroDivisionError('x')\n"
            "    return real(p, **k)\n"
            "b.parse_file = fake\n"
            "from gongkai.cli import main; sys.exit(main(sys.argv[1:]))\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), GONGKAI_CRASH_DIR=str(tmp_path / "crash"))
    r = subprocess.run([sys.executable, "-c", code, "parse", str(d), "--out", str(tmp_path / "out")],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "a_bad.txt: 内部错误，已写入 crash 报告" in lines[0], r.stderr
    assert "Traceback" not in r.stderr and "成功 2，失败 1" in r.stdout
    reports = list((tmp_path / "crash").iterdir())
    assert len(reports) == 1 and "ZeroDivisionError" in reports[0].read_text("utf-8")


@needs_seeds
def test_crash_dir_unwritable_never_fails(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("GONGKAI_CRASH_DIR", str(blocker / "sub"))    # cannot be created
    _boom_on_bad(monkeypatch)
    rc = main(["parse", str(_folder(tmp_path)), "--out", str(tmp_path / "out"), "-q"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "内部错误" in err


def test_guarded_maps_errors(tmp_path):
    from gongkai.errors import InputError
    assert crash.guarded("f.txt", lambda: 3).value == 3
    g = crash.guarded("f.txt", lambda: (_ for _ in ()).throw(InputError("f.txt", "文件为空")))
    assert g.error == "f.txt: 文件为空" and g.crash_report is None

    def deep():
        return deep()
    assert crash.guarded("f.txt", deep).error == "f.txt: 文档结构过于复杂，无法解析"


def test_crash_report_of_fifo_does_not_block(tmp_path, monkeypatch):
    monkeypatch.setenv("GONGKAI_CRASH_DIR", str(tmp_path / "c"))
    fifo = tmp_path / "f.txt"
    os.mkfifo(fifo)
    g = crash.guarded(fifo, lambda: 1 / 0)
    assert "not a regular file" in open(g.crash_report, encoding="utf-8").read()


@needs_seeds
def test_importer_parse_one(tmp_path, monkeypatch):
    import gongkai.pipeline as pl
    from gongkai.corpus.importer import parse_one
    monkeypatch.setenv("GONGKAI_CRASH_DIR", str(tmp_path / "c"))
    monkeypatch.setattr(pl, "parse_file", lambda *a, **k: [][1])
    path, rows, reader, error = parse_one(str(SEEDS[0]))
    assert rows is None and "内部错误，已写入 crash 报告" in error and str(SEEDS[0]) in error
    assert "IndexError" in open(error.split("crash 报告 ")[1].split("，")[0], encoding="utf-8").read()


def test_render_internal_error(tmp_path, monkeypatch, capsys):
    import gongkai.render as R
    monkeypatch.setenv("GONGKAI_CRASH_DIR", str(tmp_path / "c"))
    inp = tmp_path / "r.json"
    inp.write_text(json.dumps({"meta": {"agency": "某局", "year": 2024}, "cells": {}}), "utf-8")
    monkeypatch.setattr(R, "render", lambda *a, **k: {}["x"])
    rc = main(["render", str(inp), "-o", str(tmp_path / "o.html")])
    err = capsys.readouterr().err
    assert rc == 2 and f"{inp}: 内部错误，已写入 crash 报告" in err and err.count("\n") == 1


def test_render_bad_json_shapes(tmp_path, capsys):
    for i, payload in enumerate([[1, 2], {"meta": {"agency": "某局", "year": "二〇二四"}, "cells": {}}]):
        p = tmp_path / f"r{i}.json"
        p.write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
        assert main(["render", str(p), "-o", str(tmp_path / "o.html")]) == 2
        err = capsys.readouterr().err
        assert err.startswith(str(p)) and "内部错误" not in err
