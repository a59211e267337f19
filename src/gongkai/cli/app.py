"""`gongkai` and its file commands (parse, check, demo, debug, render, template, synth,
docs); the corpus, register and web commands are added from their own modules."""
from __future__ import annotations

import argparse
import json
import sys

from ..version import __version__
from ..batch import expand, run
from ..bundled import sample_files
from ..display import findings_table, report_tables
from ..errors import GongkaiError
from .common import EXIT_INPUT, EXIT_OK, EXIT_STRICT, Progress


def _summary(res, files) -> str:
    n_err = sum(1 for o in res.reports for f in o.report.findings if f.severity == "error")
    n_warn = sum(1 for o in res.reports for f in o.report.findings if f.severity == "warning")
    unc = sum(len(o.report.uncertain) for o in res.reports)
    return (f"共 {len(files)} 个文件：成功 {len(res.reports)}，失败 {len(res.failed)}；"
            f"错误 {n_err} 条，警告 {n_warn} 条，存疑单元格 {unc} 个")


def _inputs(args):
    files, problems = expand(args.files)
    for p in problems:
        print(p, file=sys.stderr)
    return files, problems


def cmd_parse(args) -> int:
    files, problems = _inputs(args)
    res = run(files, args.out, Progress(not args.quiet))
    for o in res.outcomes:
        if o.error:
            print(o.error, file=sys.stderr)
        elif args.show:
            print(report_tables(o.report))
            print(findings_table(o.report))
            print()
    if not args.quiet:
        print(_summary(res, files) + (f"；结果已写入 {args.out}/" if args.out else ""))
    return EXIT_INPUT if (res.failed or problems or not files) else EXIT_OK


def cmd_check(args) -> int:
    files, problems = _inputs(args)
    res = run(files, None, Progress(not args.json))
    if args.json:
        payload = []
        for o in res.outcomes:
            if o.error:
                payload.append({"file": o.path, "error": o.error})
            else:
                payload.append({"file": o.path, "meta": o.report.meta, "uncertain": o.report.uncertain,
                                "findings": [f.to_dict() for f in o.report.findings]})
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=1, default=str)
        print()
    else:
        for o in res.outcomes:
            if o.error:
                print(o.error, file=sys.stderr)
                continue
            m = o.report.meta
            print(f"{o.path}  【{m.get('agency') or '?'} {m.get('year') or '?'} 年度，{m.get('format') or '?'} 格式】")
            print(findings_table(o.report))
            print()
        print(_summary(res, files))
    if res.failed or problems or not files:
        return EXIT_INPUT
    if args.strict and any(f.severity == "error" for o in res.reports for f in o.report.findings):
        return EXIT_STRICT
    return EXIT_OK


def cmd_demo(args) -> int:
    files = sample_files()
    print(f"gongkai {__version__} · 解析并校验 {len(files)} 份随附的真实年度报告（文本与 PDF）\n")
    res = run(files, args.out, None)
    for o in res.outcomes:
        if o.error:
            print(o.error)
            continue
        print(f"== {o.path.rsplit('/', 1)[-1]}")
        print(report_tables(o.report))
        print("校验结果：")
        print(findings_table(o.report))
        print()
    print(_summary(res, files) + f"；JSON 已写入 {args.out}/")
    return EXIT_INPUT if res.failed else EXIT_OK


def cmd_debug(args) -> int:
    from ..errors import GongkaiError
    from ..extract.locate import locate
    from ..read import read_document
    from ..read.text import clean
    try:
        text = clean(read_document(args.file).text)
    except GongkaiError as e:
        print(e, file=sys.stderr)
        return EXIT_INPUT
    lay = locate(text)
    print(f"表格区：第 {lay.line_of(lay.zone[0])}–{lay.line_of(lay.zone[1])} 行")
    for sid, (a, _b, _e) in lay.sections.items():
        print(f"章节 {sid}: 第 {lay.line_of(a)} 行")
    for x in lay.labels:
        flag = " [疑似错字]" if x.match.typo else ""
        print(f"{lay.line_of(x.start):>5}  {x.spec.key:<40} 值文本={lay.value_text(x)[:60]!r}{flag}")
    return EXIT_OK


def cmd_docs(args) -> int:
    from ..docs import reference
    text = reference()
    if args.check:
        try:
            current = open(args.out, encoding="utf-8").read()
        except OSError:
            current = ""
        if current != text:
            print(f"{args.out} 已过期：请运行 gongkai docs --out {args.out}", file=sys.stderr)
            return EXIT_STRICT
        return EXIT_OK
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(f"已写入 {args.out}")
    if args.readme:
        from ..docs import readme_with_rules
        with open(args.readme, encoding="utf-8") as fh:
            old = fh.read()
        with open(args.readme, "w", encoding="utf-8") as fh:
            fh.write(readme_with_rules(old))
        print(f"已更新 {args.readme} 中的规则表")
    return EXIT_OK


def cmd_render(args) -> int:
    from ..display import SEV_ZH
    from ..errors import GongkaiError
    from ..render import load_input, render
    from ..render.build import RenderRefused
    from ..render.style import Style
    to = args.to or (args.output.rsplit(".", 1)[-1].lower() if "." in args.output else "")
    try:
        inp = load_input(args.input)
        style = Style(blank_mark=args.blank_mark, t3_new_page=not args.no_page_break)
        findings = render(inp, to, args.output, force=args.force, blank_as_zero=args.blank_as_zero, style=style)
    except RenderRefused as e:
        print(str(e), file=sys.stderr)
        for f in e.findings:
            print(f"  {SEV_ZH[f.severity]}  {f.rule}  {f.message}", file=sys.stderr)
        return EXIT_STRICT
    except GongkaiError as e:
        print(e, file=sys.stderr)
        return EXIT_INPUT
    except Exception as e:       # a bug: one line and a crash report, no traceback
        from ..crash import internal_error
        print(internal_error(args.input, e).error, file=sys.stderr)
        return EXIT_INPUT
    for f in findings:
        if f.severity != "info":
            print(f"  {SEV_ZH[f.severity]}  {f.rule}  {f.message}", file=sys.stderr)
    print(f"已生成 {args.output}")
    return EXIT_OK


def cmd_template(args) -> int:
    from ..render.template import xlsx_template, yaml_template
    out = args.output or f"gongkai-{args.year}-template.{args.format}"
    if args.format == "xlsx":
        with open(out, "wb") as fh:
            fh.write(xlsx_template(args.year, args.table_format))
    else:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(yaml_template(args.year, args.table_format))
    print(f"已生成填报模板 {out}；填写后运行：gongkai render {out} -o 报告.docx")
    return EXIT_OK


def cmd_synth(args) -> int:
    from ..synth import corpus
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    bad = [f for f in formats if f not in ("txt", "html", "docx", "pdf")]
    if bad or not formats:
        print(f"不支持的格式：{', '.join(bad) or '（空）'}（可选 txt,html,docx,pdf）", file=sys.stderr)
        return EXIT_INPUT
    paths = corpus(args.n, args.out, formats, args.seed, args.error_rate)
    print(f"已生成 {len(paths)} 份合成报告及金标准 JSON 于 {args.out}/")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from .text import install
    install()                        # argparse's own messages in Chinese
    p = argparse.ArgumentParser(prog="gongkai", description="政府信息公开工作年度报告：解析为带校验的数据")
    p.add_argument("--version", action="version", version=f"gongkai {__version__}")
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("parse", help="解析报告，每个输入写一个 JSON（<文件名>.json）")
    a.add_argument("files", nargs="+", help="文件、文件夹或通配符")
    a.add_argument("--out", "-o", default="out", help="输出文件夹（默认 out）")
    a.add_argument("--show", action="store_true", help="同时在终端显示表格数据与校验结果")
    a.add_argument("--quiet", "-q", action="store_true", help="不显示进度与汇总")
    a.set_defaults(func=cmd_parse)
    c = sub.add_parser("check", help="校验报告并列出问题")
    c.add_argument("files", nargs="+", help="文件、文件夹或通配符")
    c.add_argument("--json", action="store_true", help="以 JSON 输出（供程序使用）")
    c.add_argument("--strict", action="store_true", help="存在“错误”级问题时退出码为 1")
    c.set_defaults(func=cmd_check)
    d = sub.add_parser("demo", help="解析并校验随附的样例报告")
    d.add_argument("--out", "-o", default="gongkai-demo", help="JSON 输出文件夹（默认 gongkai-demo）")
    d.set_defaults(func=cmd_demo)
    g = sub.add_parser("debug", help="显示定位到的章节、标签及其后的文字（排查解析问题）")
    g.add_argument("file")
    g.set_defaults(func=cmd_debug)
    rd = sub.add_parser("render", help="由报告数据生成符合国家格式的年度报告（DOCX/PDF/HTML）")
    rd.add_argument("input", help="gongkai parse 输出的 JSON")
    rd.add_argument("--to", choices=["docx", "pdf", "html"], help="输出格式（默认取输出文件扩展名）")
    rd.add_argument("-o", "--output", required=True, help="输出文件")
    rd.add_argument("--force", action="store_true", help="数据有错误级问题时仍生成，并加盖「未通过校验」")
    rd.add_argument("--blank-as-zero", action="store_true", help="空白单元格印为 0（默认保持空白）")
    rd.add_argument("--blank-mark", choices=["", "/", "—", "-"], default="",
                    help="空白单元格印出的符号（默认不印；与 --blank-as-zero 互斥时以后者为准）")
    rd.add_argument("--no-page-break", action="store_true", help="表三所在章节不另起一页")
    rd.set_defaults(func=cmd_render)
    tp = sub.add_parser("template", help="生成填报模板（XLSX 按国家表格排版，或 YAML）")
    tp.add_argument("--year", type=int, required=True)
    tp.add_argument("--format", choices=["xlsx", "yaml"], default="xlsx")
    tp.add_argument("--table-format", choices=["2021", "2019"], default="2021", help="表格格式（默认 2021）")
    tp.add_argument("-o", "--output")
    tp.set_defaults(func=cmd_template)
    sy = sub.add_parser("synth", help="生成合成报告语料（含金标准 JSON），供测试与基准使用")
    sy.add_argument("n", type=int)
    sy.add_argument("--out", "-o", required=True)
    sy.add_argument("--formats", default="txt", help="逗号分隔：txt,html,docx,pdf")
    sy.add_argument("--seed", type=int, default=0)
    sy.add_argument("--error-rate", type=float, default=0.3, help="植入已知错误的报告比例（默认 0.3）")
    sy.set_defaults(func=cmd_synth)
    r = sub.add_parser("docs", help="由格式数据与规则注册表生成参考文档")
    r.add_argument("--out", default="docs/reference.md")
    r.add_argument("--check", action="store_true", help="只检查文档是否最新")
    r.add_argument("--readme", default=None, help="同时更新该 README 中的规则表（如 README.md）")
    r.set_defaults(func=cmd_docs)
    from .corpus import add_parser as add_corpus
    from .register import add_parsers as add_register
    from .web import add_parser as add_web
    add_corpus(sub)
    add_register(sub)
    add_web(sub)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except GongkaiError as e:            # cannot go on: one clear line, no traceback
        print(e, file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        return EXIT_OK
