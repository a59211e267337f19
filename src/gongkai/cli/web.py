"""`gongkai web …`: serve the web app, create accounts (thin wrappers, one call each)."""
from __future__ import annotations

import argparse
import getpass
import sys

EXIT_OK, EXIT_INPUT = 0, 2
NEEDS = "网页应用需要额外的依赖：pip install 'gongkai[web]'"


def _web():
    try:
        import gongkai.web as web
    except ImportError as e:
        from ..errors import GongkaiError
        raise GongkaiError(f"{NEEDS}（缺少 {e.name}）") from None
    return web


def cmd_web(args) -> int:
    web = _web()
    db, demo = args.db, None
    if args.demo:
        from ..web.demo import make_demo
        demo = make_demo()
        db = demo.db
        print(f"演示数据库：{demo.db}（已导入 {demo.reports} 份随附报告；停止服务后删除）")
        print(f"管理员账户：{demo.admin}    密码：{demo.password}    （只显示这一次）", flush=True)
    print(f"网页应用：http://{args.host}:{args.port}/    按 Ctrl+C 停止", flush=True)
    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.https:
        print("注意：正在监听非本机地址且未启用 --https：请在前面放置 HTTPS 反向代理", file=sys.stderr)
    if demo is not None:           # uvicorn re-raises SIGTERM after its shutdown: end through `finally`
        import signal
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        web.serve(db, host=args.host, port=args.port, public=args.public, secret=args.secret, https=args.https,
                  **upload_options(args))
    finally:
        if demo is not None:
            demo.cleanup()
    return EXIT_OK


def upload_options(args) -> dict:
    """The upload limits and the import workers from the command line (``create_app``'s)."""
    from ..corpus.spool import MB, UploadLimits
    from ..errors import GongkaiError
    if args.max_upload_mb is not None and not 1 <= args.max_upload_mb <= 10_000:
        raise GongkaiError(f"--max-upload-mb 应在 1 到 10000 之间（收到 {args.max_upload_mb}）")
    if args.workers is not None and args.workers < 1:
        raise GongkaiError(f"--workers 应为正整数（收到 {args.workers}）")
    if args.executor == "dask" and not args.scheduler:
        raise GongkaiError("--executor dask 需要 --scheduler（Dask 调度器地址，如 tcp://127.0.0.1:8786）")
    limits = UploadLimits() if args.max_upload_mb is None else UploadLimits(max_file_bytes=args.max_upload_mb * MB)
    return {"upload_limits": limits, "workers": args.workers, "executor": args.executor, "scheduler": args.scheduler}


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != first:
        from ..errors import GongkaiError
        raise GongkaiError("两次输入的密码不一致")
    return first


def cmd_adduser(args) -> int:
    _web()
    from ..corpus import Corpus
    from ..corpus.accounts import ROLES, add_user
    u = add_user(Corpus(args.db), args.name, args.role, _password(args), args.region or (), args.agency or (),
                 by="cli")
    scope = "、".join(u.regions + u.agency_names) or "全部机关"
    print(f"已添加用户「{u.name}」：{ROLES[u.role]}，权限范围：{scope}")
    return EXIT_OK


def add_parser(sub):
    from .common import guarded
    db_help = "数据库：文件路径或 sqlite:///文件、postgresql://用户@主机/库（默认 ./gongkai.db，或环境变量 GONGKAI_DB）"
    p = sub.add_parser("web", help="网页应用（审核与研究）：启动服务，或添加账户（gongkai web adduser）")
    p.add_argument("--db", default=None, help=db_help)
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1，仅本机）")
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    p.add_argument("--public", action="store_true", help="允许未登录的访客只读浏览")
    p.add_argument("--secret", default=None, help="签名会话 Cookie 的密钥（默认取环境变量 GONGKAI_WEB_SECRET，"
                                                  "否则首次启动时生成并保存在数据库旁，权限 0600）")
    p.add_argument("--https", action="store_true", help="经 HTTPS 访问（或位于 HTTPS 反向代理之后）：Cookie 加 Secure")
    p.add_argument("--max-upload-mb", type=int, default=None, help="每个上传文件（含压缩包内每个文件、每个网址）的大小上限，MB（默认 100）")
    p.add_argument("--workers", type=int, default=None, help="后台解析进程数（默认 CPU 核数）")
    p.add_argument("--executor", choices=["process", "dask"], default="process", help="后台解析方式（默认 process）")
    p.add_argument("--scheduler", help="Dask 调度器地址（--executor dask 时必填）")
    p.add_argument("--demo", action="store_true", help="演示：新建临时数据库，导入随附样例，创建管理员并显示其密码")
    p.set_defaults(func=guarded(cmd_web))
    ws = p.add_subparsers(dest="web_cmd", title="子命令", metavar="adduser")
    a = ws.add_parser("adduser", help="添加账户（密码从提示输入，或 --password-stdin 从标准输入读取一行）")
    a.add_argument("name", help="用户名")
    a.add_argument("--role", required=True, choices=["admin", "reviewer", "staff", "guest"],
                   help="角色：admin 管理员、reviewer 审核人、staff 填报人、guest 访客")
    a.add_argument("--region", action="append", help="审核人的地区（省、市或县区名称，可重复）")
    a.add_argument("--agency", action="append", help="机关名称（审核人可重复；填报人必须且只能一个）")
    a.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（供脚本使用）")
    a.add_argument("--db", default=argparse.SUPPRESS, help=db_help)
    a.set_defaults(func=guarded(cmd_adduser))
    return p
