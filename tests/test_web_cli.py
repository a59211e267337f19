"""`gongkai web` on the command line (adduser, --demo's database), the layering (the
web package is a face: no SQL in routes, nothing below imports it) and the vendored,
packaged assets."""
import os
import subprocess
import sys

import pytest
from conftest import ROOT
from webkit import PASSWORD, cheap_argon2  # noqa: F401

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
WEB = ROOT / "src" / "gongkai" / "web"


def _gk(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "gongkai", *args], env=ENV, capture_output=True, text=True,
                          input=stdin, timeout=120)


def _main(monkeypatch, capsys, *args, stdin=""):
    import io
    from gongkai.cli import main
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_adduser_reads_the_password_from_stdin_and_explains_refusals(tmp_path, monkeypatch, capsys):
    from gongkai.cli import sample_files
    from gongkai.corpus import Corpus
    from gongkai.corpus.accounts import list_users
    from gongkai.corpus.importer import import_paths
    db = str(tmp_path / "c.db")
    import_paths(Corpus(db), sample_files()[:2], workers=1)
    r = _gk("web", "adduser", "zhang", "--role", "reviewer", "--region", "格尔木市", "--password-stdin", "--db", db,
            stdin=PASSWORD + "\n")                         # the real command, real Argon2 parameters
    assert r.returncode == 0 and "已添加用户「zhang」：审核人，权限范围：格尔木市" in r.stdout, r.stderr
    code, out, err = _main(monkeypatch, capsys, "web", "--db", db, "adduser", "li", "--role", "staff", "--agency",
                           "格尔木市公安局", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0 and "填报人" in out, err
    code, out, err = _main(monkeypatch, capsys, "web", "adduser", "wang", "--role", "staff", "--agency", "无此机关",
                           "--password-stdin", "--db", db, stdin=PASSWORD + "\n")
    assert code == 2 and "语料库中没有机关「无此机关」" in err and "Traceback" not in err
    code, out, err = _main(monkeypatch, capsys, "web", "adduser", "zhao", "--role", "guest", "--password-stdin",
                           "--db", db, stdin="short\n")
    assert code == 2 and "密码太短" in err
    code, out, err = _main(monkeypatch, capsys, "web", "adduser", "zhang", "--role", "guest", "--password-stdin",
                           "--db", db, stdin=PASSWORD + "\n")
    assert code == 2 and "已存在" in err
    typed = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    code, out, err = _main(monkeypatch, capsys, "web", "adduser", "sun", "--role", "guest", "--db", db)
    assert code == 2 and "两次输入的密码不一致" in err
    users = {u.name: u for u in list_users(Corpus(db))}
    assert set(users) == {"zhang", "li"} and users["li"].agency_names == ("格尔木市公安局",)


def test_web_help_is_chinese():
    r = _gk("web", "--help")
    assert r.returncode == 0 and "监听地址" in r.stdout and "--demo" in r.stdout and "adduser" in r.stdout
    r = _gk("web", "adduser", "--help")
    assert r.returncode == 0 and "审核人" in r.stdout and "--password-stdin" in r.stdout


def test_demo_database_has_the_samples_and_an_admin(tmp_path):
    from gongkai.corpus import Corpus
    from gongkai.corpus.accounts import authenticate
    from gongkai.web.demo import make_demo
    d = make_demo(str(tmp_path / "demo"))
    c = Corpus(d.db)
    assert d.reports == 8 == c.counts()["reports"]
    assert len(d.password) >= 12 and authenticate(c, d.admin, d.password).role == "admin"


def test_routes_call_the_library():
    for p in (WEB / "routes").glob("*.py"):
        text = p.read_text("utf-8")
        assert "sqlalchemy" not in text and "select(" not in text and "engine" not in text, p.name
        assert "parse_file" not in text and "pipeline" not in text, p.name
    # who may import gongkai.web (only cli/web.py): tests/test_layers.py


def test_assets_are_vendored_and_packaged():
    import tomllib
    js = WEB / "static" / "vendor" / "htmx.min.js"
    assert js.stat().st_size > 30_000 and "htmx" in js.read_text("utf-8")[:2000]
    assert (WEB / "static" / "vendor" / "LICENSE.htmx").exists()
    readme = (WEB / "static" / "vendor" / "README.md").read_text("utf-8")
    assert "2.0.11" in readme and "htmx.org" in readme
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    globs = data["tool"]["setuptools"]["package-data"]["gongkai"]
    base = ROOT / "src" / "gongkai"
    for f in list((WEB / "templates").iterdir()) + [p for p in (WEB / "static").rglob("*") if p.is_file()]:
        rel = f.relative_to(base)
        assert any(rel.match(g) for g in globs), f"{rel} is not shipped (package-data)"
    extras = data["project"]["optional-dependencies"]
    for dep in ("starlette", "uvicorn", "jinja2", "argon2-cffi", "itsdangerous", "python-multipart"):
        assert any(x.startswith(dep) for x in extras["web"]) and any(x.startswith(dep) for x in extras["test"])


def test_upload_limits_and_workers_reach_the_app(tmp_path, monkeypatch, capsys):
    import gongkai.web as web
    from gongkai.corpus.spool import MB, UploadLimits
    got = {}
    monkeypatch.setattr(web, "serve", lambda db, **kw: got.update(kw, db=db))
    db = str(tmp_path / "c.db")
    code, _out, err = _main(monkeypatch, capsys, "web", "--db", db, "--max-upload-mb", "3", "--workers", "1")
    assert code == 0, err
    assert got["upload_limits"] == UploadLimits(max_file_bytes=3 * MB) and got["workers"] == 1
    assert got["executor"] == "process" and got["db"] == db
    got.clear()
    _main(monkeypatch, capsys, "web", "--db", db)
    assert got["upload_limits"] == UploadLimits() and got["workers"] is None
    for args, msg in ((("--max-upload-mb", "0"), "--max-upload-mb 应在 1 到 10000 之间"),
                      (("--workers", "0"), "--workers 应为正整数"),
                      (("--executor", "dask"), "--executor dask 需要 --scheduler")):
        got.clear()
        code, _out, err = _main(monkeypatch, capsys, "web", "--db", db, *args)
        assert code == 2 and msg in err and not got, (args, err)
