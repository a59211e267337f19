"""The command line: outputs, exit codes, bad input handled per file, batch goes on."""
import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, VENDORED

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
SEED = VENDORED / "seeds" / "000_ab214c7b681a9243.txt"


def gk(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "gongkai", *map(str, args)], env=ENV, cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def bad_inputs(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "empty.txt").write_bytes(b"")
    (d / "junk.txt").write_bytes(bytes(range(256)) * 40)
    (d / "undecodable.txt").write_bytes(b"\xff\xfe\xfd" * 10 + "年度报告".encode("utf-8")[:5] * 3 + b"\x81")
    (d / "notables.txt").write_text("某局2024年政府信息公开工作年度报告\n\n一、总体情况\n今年工作平稳。\n", "utf-8")
    (d / "fake.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    shutil.copy(SEED, d / "good.txt")
    return d


def test_parse_writes_json_per_input(tmp_path):
    r = gk("parse", SEED, VENDORED / "dev" / "pingtan_cez_2022.txt", "--out", tmp_path / "o")
    assert r.returncode == 0, r.stderr
    data = json.loads((tmp_path / "o" / "000_ab214c7b681a9243.json").read_text())
    assert data["meta"]["agency"] == "格尔木市公安局"
    assert data["cells"]["t2.licensing.decisions"] == 47383
    assert data["cells"]["t3.other.other.natural"] is None
    d = data["detail"]["t2.fees.amount"]
    assert d["value"] == "86.3670" and d["raw"] == "86.3670" and d["status"] == "value" and d["source"]["line"]
    assert isinstance(data["uncertain"], list) and data["findings"]
    assert (tmp_path / "o" / "pingtan_cez_2022.json").exists()
    assert "成功 2" in r.stdout


def test_same_stem_does_not_overwrite(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    shutil.copy(SEED, a / "r.txt")
    shutil.copy(VENDORED / "seeds" / "002_98b9844beaabac24.txt", b / "r.txt")
    assert gk("parse", a / "r.txt", b / "r.txt", "-o", tmp_path / "o").returncode == 0
    assert {p.name for p in (tmp_path / "o").iterdir()} == {"r.json", "r-2.json"}


def test_bad_inputs_clear_message_batch_goes_on(bad_inputs, tmp_path):
    r = gk("parse", bad_inputs, bad_inputs / "missing.txt", "--out", tmp_path / "o")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr + r.stdout
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    for name, words in [("empty.txt", "为空"), ("junk.txt", "二进制"), ("notables.txt", "未找到"),
                        ("fake.txt", "PDF"), ("missing.txt", "不存在")]:
        hit = [l for l in lines if name in l]
        assert len(hit) == 1 and words in hit[0], (name, lines)
    assert any("undecodable.txt" in l for l in lines)
    assert (tmp_path / "o" / "good.json").exists()       # the good file was still parsed
    assert "成功 1" in r.stdout


def test_check_exit_codes_and_json(tmp_path):
    r = gk("check", SEED)
    assert r.returncode == 0 and "narrative.applications" in r.stdout and "警告" in r.stdout
    r = gk("check", "--json", SEED)
    data = json.loads(r.stdout)
    assert data[0]["meta"]["year"] == 2024
    assert any(f["rule"] == "cells.blank" for f in data[0]["findings"])
    # --strict: exit 1 when an error-level finding exists
    broken = tmp_path / "broken.txt"
    broken.write_text(SEED.read_text("utf-8").replace("（七）总计 1 0 0 0 0 0 1", "（七）总计 3 0 0 0 0 0 3"), "utf-8")
    assert gk("check", broken).returncode == 0
    r = gk("check", "--strict", broken)
    assert r.returncode == 1 and "t3.balance" in r.stdout
    assert gk("check", "--strict", VENDORED / "seeds" / "002_98b9844beaabac24.txt").returncode == 0


def test_check_reports_unreadable_with_exit_2(bad_inputs):
    r = gk("check", bad_inputs / "empty.txt", bad_inputs / "good.txt")
    assert r.returncode == 2 and "empty.txt" in r.stderr and "Traceback" not in r.stderr
    assert "good.txt" in r.stdout


def test_demo_runs_on_bundled_samples(tmp_path):
    r = gk("demo", "--out", tmp_path / "demo", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "格尔木市公安局" in r.stdout and "表三" in r.stdout and "校验结果" in r.stdout
    assert len(list((tmp_path / "demo").glob("*.json"))) == 8


def test_debug_shows_layout():
    r = gk("debug", SEED)
    assert r.returncode == 0 and "t3.row:new" in r.stdout


def test_glob_and_folder_inputs(tmp_path):
    r = gk("parse", str(VENDORED / "seeds" / "00[12]*.txt"), "-o", tmp_path / "o", "-q")
    assert r.returncode == 0
    assert len(list((tmp_path / "o").glob("*.json"))) == 2
    r = gk("parse", tmp_path / "nothing-here-*.txt", "-o", tmp_path / "o2")
    assert r.returncode == 2 and "没有匹配" in r.stderr


@pytest.mark.parametrize("argv,expect", [
    (["cases", "add", "--applicant", "张三"], "缺少必需的参数：--kind"),
    (["parse", "x.txt", "--bogus"], "无法识别的参数：--bogus"),
    (["fee", "--pages", "abc"], "参数 --pages：值无效（应为整数）：'abc'"),
    (["render", "x.json", "-o", "y", "--to", "odt"], "无效的选项 'odt'"),
    (["frob"], "无效的选项 'frob'"),
])
def test_usage_errors_are_chinese(argv, expect, capsys):
    from gongkai.cli import main
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert expect in err and "错误" in err and "error:" not in err and "usage:" not in err
    assert "查看用法" in err


def test_help_headings_are_chinese(capsys):
    from gongkai.cli import main
    with pytest.raises(SystemExit):
        main(["parse", "-h"])
    out = capsys.readouterr().out
    assert out.startswith("用法：gongkai parse") and "显示本帮助并退出" in out and "options" not in out
