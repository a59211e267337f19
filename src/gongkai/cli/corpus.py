"""`gongkai corpus …` commands: thin wrappers over gongkai.corpus (one call each)."""
from __future__ import annotations

import json
import sys

from .common import EXIT_INPUT, EXIT_OK, EXIT_STRICT, Progress, guarded


def _open(args):
    from ..corpus import Corpus
    return Corpus(args.db)


def _progress(args):
    return Progress(not getattr(args, "quiet", False))


def _print_summary(s, what="导入"):
    for p in s.problems[:50]:
        print(p, file=sys.stderr)
    if len(s.problems) > 50:
        print(f"……另有 {len(s.problems) - 50} 条问题未列出", file=sys.stderr)
    for p in s.notes[:20]:
        print(p, file=sys.stderr)
    if len(s.notes) > 20:
        print(f"……另有 {len(s.notes) - 20} 份非国家格式文档未列出", file=sys.stderr)
    rate = (s.imported + s.failed + s.not_reports) / s.seconds if s.seconds else 0
    other = f"，非国家格式 {s.not_reports}" if s.not_reports else ""
    print(f"{what}完成：{s.files} 个文件，新{what} {s.imported}，失败 {s.failed}{other}，已在库中跳过 {s.skipped}，"
          f"本批重复 {s.duplicates}；用时 {s.seconds:.1f} 秒（{rate:.0f} 份/秒）")


def cmd_import(args) -> int:
    from ..corpus.importer import import_paths
    c = _open(args)
    progress = _progress(args)
    s = import_paths(c, args.paths, args.workers, progress, args.executor, args.scheduler, check=not args.no_check)
    progress(0, 2, None)                 # clear the bar
    _print_summary(s)
    if s.t2_reranked:
        print(f"表二数字连写：按同一机关其他年度重排了 {s.t2_reranked} 个存疑单元格的最优猜测（仍为存疑）")
    if s.corpus_findings is not None:
        print(f"跨报告校验：{s.corpus_findings} 条发现（gongkai corpus check 查看）")
    return EXIT_OK if not s.problems else EXIT_INPUT


def cmd_reparse(args) -> int:
    from ..corpus.importer import reparse
    s = reparse(_open(args), args.workers, _progress(args), args.executor, args.scheduler)
    _print_summary(s, "重新解析")
    return EXIT_OK if not s.problems else EXIT_INPUT


def cmd_check(args) -> int:
    from ..corpus.crosscheck import run_corpus_checks
    from ..display import SEV_ZH
    found = run_corpus_checks(_open(args))
    if args.json:
        print(json.dumps([f.to_dict() for f in found], ensure_ascii=False, indent=1, default=str))
    else:
        for f in found:
            print(f"{SEV_ZH[f.severity]}  {f.rule}  {f.message}  （报告 {', '.join(map(str, f.data['reports']))}）")
        print(f"共 {len(found)} 条跨报告发现")
    return EXIT_STRICT if args.strict and any(f.severity == "error" for f in found) else EXIT_OK


def cmd_agencies(args) -> int:
    from ..corpus.catalogue_file import export_file, import_file
    c = _open(args)
    if args.apply:
        r = import_file(c, args.apply, by=_whoami())
        for p in r.problems:
            print(f"{args.apply} {p}", file=sys.stderr)
        print(r.message + ("（标记为用户设定，以后导入不会覆盖）" if r.applied else ""),
              file=sys.stdout if r.applied else sys.stderr)
        return EXIT_OK if r.applied else EXIT_INPUT
    out = args.export or "agencies.csv"
    n = export_file(c, out)
    print(f"已导出 {n} 个机关到 {out}；修改省、市、县/区、层级、类别、上级机关、别名后运行："
          f"gongkai corpus agencies --apply {out}")
    return EXIT_OK


def _whoami() -> str:
    import getpass
    try:
        return "cli:" + getpass.getuser()
    except Exception:
        return "cli"


def cmd_relate(args) -> int:
    from ..corpus.store import relate
    n = relate(_open(args), args.parent, args.children)
    print(f"已登记：{args.parent} 的数据应等于 {n} 个部门之和（gongkai corpus check 校验）")
    return EXIT_OK


def cmd_export(args) -> int:
    from ..corpus.export import export, filters
    n = export(_open(args), args.output, args.format, args.layout, filters(args.year, args.province, args.agency),
               as_parsed=args.as_parsed)
    print(f"已导出 {n} 行到 {args.output}" + ("（解析原值，不含审核更正）" if args.as_parsed else ""))
    return EXIT_OK


def cmd_findings(args) -> int:
    from ..corpus.accounts import EVERYTHING
    from ..corpus.review import findings_xlsx
    n = findings_xlsx(_open(args), EVERYTHING, args.year, args.out, args.region or None, args.kind)
    print(f"已导出 {args.year} 年度 {n} 条校验发现到 {args.out}")
    return EXIT_OK


def cmd_compare(args) -> int:
    from ..corpus.export import compare, find_reports
    from ..corpus.store import CorpusError
    c = _open(args)
    ids = []
    for spec in (args.a, args.b):
        hits = find_reports(c, spec)
        if not hits:
            raise CorpusError(f"语料库中找不到报告「{spec}」（可写报告编号，或 机关名称:年度）")
        if len(hits) > 1:
            raise CorpusError(f"「{spec}」对应 {len(hits)} 份报告（编号 {', '.join(map(str, hits[:10]))}），请写明年度或编号")
        ids.append(hits[0])
    res = compare(c, *ids)
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=1, default=str))
        return EXIT_OK
    a, b = res["reports"]
    print(f"A：{a['agency']} {a['year']}（报告 {a['report_id']}）    B：{b['agency']} {b['year']}（报告 {b['report_id']}）")
    mark = "\x1b[1;33m" if sys.stdout.isatty() else ""
    end = "\x1b[0m" if mark else ""
    n = 0
    for f in res["fields"]:
        if args.all or f["differs"]:
            flag = "≠" if f["differs"] else " "
            line = f"{flag} {f['field']:<40} {_show(f['a'], f['a_status']):>12} {_show(f['b'], f['b_status']):>12}"
            print(f"{mark}{line}{end}" if f["differs"] else line)
            n += f["differs"]
    print(f"共 {sum(1 for f in res['fields'] if f['differs'])} 个字段不同")
    return EXIT_OK


def _show(v, status):
    if status == "blank":
        return "（空白）"
    if status is None:
        return "（无此项）"
    if status == "uncertain":
        return f"{'' if v is None else v}?"
    return "" if v is None else str(v)


def cmd_stats(args) -> int:
    from ..corpus.export import csv_text, filters, stats, to_text_table
    rows = stats(_open(args), [b.strip() for b in args.by.split(",") if b.strip()],
                 filters(args.year, args.province, None))
    print(csv_text(rows) if args.csv else to_text_table(rows))
    return EXIT_OK


def cmd_plot(args) -> int:
    from ..corpus.export import filters
    from ..corpus.plot import plot
    out = plot(_open(args), args.kind, args.output, filters(args.year, args.province, args.agency),
               args.indicator, args.top)
    print(f"已生成 {out}")
    return EXIT_OK


def cmd_info(args) -> int:
    c = _open(args)
    n = c.counts()
    st = c.document_statuses()
    print(f"数据库 {c.display}（结构版本 {c.revision()}）：文档 {n['documents']}（已解析 {st.get('ok', 0)}，"
          f"非国家格式 {st.get('not_report', 0)}，失败 {st.get('error', 0)}），报告 {n['reports']}，"
          f"单元格 {n['cells']}，发现 {n['findings']}，机关 {n['agencies']}")
    return EXIT_OK


def add_parser(sub):
    p = sub.add_parser("corpus", help="语料库：导入大量报告、跨报告校验、比较、导出、统计、作图")
    p.add_argument("--db", default=None, help="数据库：文件路径或 sqlite:///文件、postgresql://用户@主机/库"
                                               "（默认 ./gongkai.db，或环境变量 GONGKAI_DB）")
    cs = p.add_subparsers(dest="corpus_cmd", required=True)
    filt = []

    def common_filters(q):
        q.add_argument("--year", type=int)
        q.add_argument("--province", help="省份（前缀匹配，如 江苏）")
        q.add_argument("--agency", help="机关名称（包含匹配）")
        filt.append(q)

    def executor_args(q):
        q.add_argument("--workers", type=int, default=None, help="并行进程数（默认 CPU 核数）")
        q.add_argument("--executor", choices=["process", "dask"], default="process")
        q.add_argument("--scheduler", help="Dask 调度器地址（--executor dask 时必填）")
        q.add_argument("--quiet", "-q", action="store_true")

    q = cs.add_parser("import", help="导入报告文件（文件、文件夹、通配符），按内容去重")
    q.add_argument("paths", nargs="+")
    executor_args(q)
    q.add_argument("--no-check", action="store_true", help="导入后不运行跨报告校验")
    q.set_defaults(func=guarded(cmd_import))
    q = cs.add_parser("reparse", help="用新版解析器重新解析旧版本解析的文档")
    executor_args(q)
    q.set_defaults(func=guarded(cmd_reparse))
    q = cs.add_parser("check", help="跨报告校验（上年结转、部门之和、同比剧变、同类异常）")
    q.add_argument("--json", action="store_true")
    q.add_argument("--strict", action="store_true", help="有错误级发现时退出码为 1")
    q.set_defaults(func=guarded(cmd_check))
    q = cs.add_parser("agencies", help="导出机关名录（CSV/XLSX，按扩展名）供修改，或导入修改后的名录")
    g = q.add_mutually_exclusive_group()
    g.add_argument("--export", metavar="FILE.csv|FILE.xlsx")
    g.add_argument("--apply", metavar="FILE.csv|FILE.xlsx")
    q.set_defaults(func=guarded(cmd_agencies))
    q = cs.add_parser("relate", help="登记：某政府的数据应等于所列部门之和")
    q.add_argument("parent")
    q.add_argument("children", nargs="+")
    q.set_defaults(func=guarded(cmd_relate))
    q = cs.add_parser("export", help="导出数据（csv/xlsx/parquet/json；long/wide）")
    q.add_argument("-o", "--output", required=True)
    q.add_argument("--format", choices=["csv", "xlsx", "parquet", "json"], help="默认取文件扩展名")
    q.add_argument("--layout", choices=["long", "wide"], default="wide")
    q.add_argument("--as-parsed", action="store_true", help="导出解析原值（默认导出含审核更正的数据）")
    common_filters(q)
    q.set_defaults(func=guarded(cmd_export))
    q = cs.add_parser("findings", help="导出某年度的校验发现（XLSX，每条一行，含审核状态与意见），供通报使用")
    q.add_argument("--year", type=int, required=True)
    q.add_argument("--out", required=True, help="输出文件 .xlsx")
    q.add_argument("--region", help="地区（省、市或县区全称，如 江苏省淮安市）")
    q.add_argument("--kind", choices=["government", "department"], help="机关类别")
    q.set_defaults(func=guarded(cmd_findings))
    q = cs.add_parser("compare", help="两份报告（或同一机关两个年度）逐字段对照")
    q.add_argument("a", help="报告编号，或 机关名称:年度")
    q.add_argument("b")
    q.add_argument("--all", action="store_true", help="列出全部字段（默认只列不同的）")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=guarded(cmd_compare))
    q = cs.add_parser("stats", help="按地区/年度/类别统计")
    q.add_argument("--by", default="province,year,kind", help="逗号分隔：province,city,year,kind,format")
    q.add_argument("--csv", action="store_true")
    q.add_argument("--year", type=int)
    q.add_argument("--province")
    q.set_defaults(func=guarded(cmd_stats))
    q = cs.add_parser("plot", help="作图：applications | outcomes | ranking")
    q.add_argument("kind", choices=["applications", "outcomes", "ranking"])
    q.add_argument("-o", "--output", required=True, help=".svg 或 .png")
    q.add_argument("--indicator", default="disclosure_rate", help="ranking 使用的指标")
    q.add_argument("--top", type=int, default=20)
    common_filters(q)
    q.set_defaults(func=guarded(cmd_plot))
    q = cs.add_parser("info", help="数据库概况")
    q.set_defaults(func=guarded(cmd_info))
    return p
