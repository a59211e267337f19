"""Charts of the corpus (matplotlib, Agg), with Chinese labels in Noto CJK:
applications by year, outcome distribution, agencies ranked by an indicator."""
from __future__ import annotations

from pathlib import Path

from .indicators import BY_ID
from .store import CorpusError

KINDS = {"applications": "各年度申请量", "outcomes": "办理结果分布", "ranking": "机关排名（按指标）"}
OUTCOME_GROUPS = [("予以公开", ("t3.granted.total",)), ("部分公开", ("t3.partial.total",)),
                  ("不予公开", ("t3.denied.",)), ("无法提供", ("t3.unavailable.",)), ("不予处理", ("t3.rejected.",)),
                  ("其他处理", ("t3.other.",))]
CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei"]


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise CorpusError("作图需要 matplotlib：pip install 'gongkai[plot]'")
    matplotlib.use("Agg")
    from matplotlib import font_manager
    import matplotlib.pyplot as plt
    have = {f.name for f in font_manager.fontManager.ttflist}
    if not any(f in have for f in CJK_FONTS):
        for path in ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                     "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"):
            if Path(path).exists():
                font_manager.fontManager.addfont(path)
        have = {f.name for f in font_manager.fontManager.ttflist}
    fonts = [f for f in CJK_FONTS if f in have]
    if not fonts:
        raise CorpusError("未找到中文字体（Noto CJK）：请安装 fonts-noto-cjk（Debian/Ubuntu：apt-get install fonts-noto-cjk）")
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = fonts + ["DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["svg.fonttype"] = "path"       # text as outlines: the SVG shows without the font
    return plt


def plot(corpus, kind: str, out, where=None, indicator: str = "disclosure_rate", top: int = 20) -> str:
    if kind not in KINDS:
        raise CorpusError(f"不支持的图表：{kind}（可选 {', '.join(KINDS)}）")
    out = Path(out)
    if out.suffix.lower() not in (".svg", ".png"):
        raise CorpusError(f"{out}: 图表文件须为 .svg 或 .png")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 5.5), dpi=110)
    from .export import wide_rows
    header, rows = wide_rows(corpus, where)
    ix = {h: i for i, h in enumerate(header)}
    rows = list(rows)
    if not rows:
        plt.close(fig)
        raise CorpusError("语料库中没有符合条件的报告，无法作图")
    if kind == "applications":
        by = {}
        for r in rows:
            v = r[ix["t3.new.total"]]
            if r[ix["year"]] is not None and v is not None:
                by.setdefault(r[ix["year"]], []).append(v)
        years = sorted(by)
        ax.bar([str(y) for y in years], [sum(by[y]) for y in years], color="#2a6f97")
        ax.set_xlabel("年度")
        ax.set_ylabel("本年新收申请（件）")
        ax.set_title(f"各年度新收政府信息公开申请数量（{len(rows)} 份报告）")
    elif kind == "outcomes":
        sums = []
        for label, prefixes in OUTCOME_GROUPS:
            s = 0
            for h, i in ix.items():
                if h.endswith(".total") and any(h == p or (p.endswith(".") and h.startswith(p)) for p in prefixes):
                    s += sum((r[i] or 0) for r in rows)
            sums.append((label, s))
        ax.barh([x for x, _ in sums][::-1], [y for _, y in sums][::-1], color="#a44a3f")
        ax.set_xlabel("件")
        ax.set_title(f"办理结果分布（{len(rows)} 份报告合计）")
    else:
        if indicator not in BY_ID:
            plt.close(fig)
            raise CorpusError(f"未知指标：{indicator}（可选 {', '.join(BY_ID)}）")
        pts = [(r[ix[indicator]], f"{r[ix['agency']] or '?'} {r[ix['year']] or ''}") for r in rows
               if r[ix[indicator]] is not None]
        pts.sort(key=lambda x: -x[0])
        pts = pts[:top]
        ax.barh([p[1] for p in pts][::-1], [p[0] for p in pts][::-1], color="#3d7a52")
        ax.set_xlabel(BY_ID[indicator].zh)
        ax.set_title(f"{BY_ID[indicator].zh}排名（前 {len(pts)} 名）")
    fig.tight_layout()
    try:
        fig.savefig(out)
    except OSError as e:
        raise CorpusError(f"{out}: 无法写入（{e.strerror or e}）")
    finally:
        plt.close(fig)
    return str(out)

