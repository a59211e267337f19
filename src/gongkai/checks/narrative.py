"""Counts stated in the prose against the tables."""
from __future__ import annotations

from decimal import Decimal

from ..model import Report
from .registry import finding, rule

ORG = ("commercial", "research", "social", "legal", "other")


def _v(report, fid):
    c = report.cells.get(fid)
    return c.value if c is not None and isinstance(c.value, (int, Decimal)) else None


def _sum(report, fids):
    vals = [_v(report, f) for f in fids]
    if all(v is None for v in vals):
        return None
    return sum(v or 0 for v in vals)


def _short(s, n=60):
    return s if len(s) <= n else s[:n] + "…"


@rule("narrative.applications", "warning", "正文申请数与表三不符")
def applications(report: Report):
    """Applications the prose says were received (收到/新收), accepted (受理 — may
    include last year's carry-over), handled (办结/办理) or carried forward (结转),
    or "no application received", against 表三."""
    out = []
    new = _v(report, "t3.new.total")
    carried = _v(report, "t3.carried_over.total")
    handled = _v(report, "t3.total.total")
    fwd = _v(report, "t3.carried_forward.total")
    seen = set()
    for c in report.claims:
        key = (c.kind, c.value)
        if key in seen:
            continue
        seen.add(key)
        msg = fid = None
        if c.kind == "none_received" and new:
            msg, fid = f"正文称未收到政府信息公开申请（「{_short(c.sentence)}」），表三却记新收 {new} 件", "t3.new.total"
        elif c.kind == "received" and new is not None and c.value != new:
            msg, fid = f"正文称收到申请 {c.value} 件（「{_short(c.sentence)}」），表三本年新收为 {new} 件", "t3.new.total"
        elif c.kind == "accepted" and new is not None and c.value not in (new, new + (carried or 0)):
            msg, fid = f"正文称受理申请 {c.value} 件（「{_short(c.sentence)}」），表三新收 {new} 件、上年结转 {carried} 件", "t3.new.total"
        elif c.kind == "handled" and handled is not None and c.value != handled:
            msg, fid = f"正文称办结/办理 {c.value} 件（「{_short(c.sentence)}」），表三（七）总计为 {handled} 件", "t3.total.total"
        elif c.kind == "carried_forward" and fwd is not None and c.value != fwd:
            msg, fid = f"正文称结转 {c.value} 件（「{_short(c.sentence)}」），表三结转下年度为 {fwd} 件", "t3.carried_forward.total"
        elif c.kind.startswith("received_natural"):
            n = _v(report, "t3.new.natural")
            ok = (n,) if c.kind == "received_natural" else (n, (n or 0) + (_v(report, "t3.carried_over.natural") or 0))
            if n is not None and c.value not in ok:
                msg, fid = f"正文称自然人申请 {c.value} 件，表三自然人新收为 {n} 件", "t3.new.natural"
        elif c.kind.startswith("received_org"):
            n = _sum(report, [f"t3.new.{x}" for x in ORG])
            m = _sum(report, [f"t3.carried_over.{x}" for x in ORG]) or 0
            ok = (n,) if c.kind == "received_org" else (n, (n or 0) + m)
            if n is not None and c.value not in ok:
                msg, fid = f"正文称法人或其他组织申请 {c.value} 件，表三为 {n} 件", "t3.new.total"
        if msg:
            out.append(finding("narrative.applications", msg, table="t3", fields=(fid,),
                               data={"stated": c.value, "sentence": c.sentence}))
    return out


@rule("narrative.review_suits", "warning", "正文复议诉讼数与表四不符")
def review_suits(report: Report):
    """行政复议 and 行政诉讼 cases the prose counts (or says there were none) against 表四's totals."""
    out = []
    review = _v(report, "t4.review.total")
    suits = _sum(report, ["t4.suit_direct.total", "t4.suit_after_review.total"])
    seen = set()
    for c in report.claims:
        if (c.kind, c.value) in seen:
            continue
        seen.add((c.kind, c.value))
        if c.kind == "review" and review is not None and c.value != review:
            out.append(finding("narrative.review_suits",
                               f"正文称行政复议 {c.value} 件（「{_short(c.sentence)}」），表四行政复议总计为 {review} 件",
                               table="t4", fields=("t4.review.total",), data={"stated": c.value}))
        elif c.kind == "suit" and suits is not None and c.value != suits:
            out.append(finding("narrative.review_suits",
                               f"正文称行政诉讼 {c.value} 件（「{_short(c.sentence)}」），表四行政诉讼合计为 {suits} 件",
                               table="t4", fields=("t4.suit_direct.total", "t4.suit_after_review.total"),
                               data={"stated": c.value}))
        elif c.kind == "review_suit" and review is not None and suits is not None and c.value != review + suits:
            out.append(finding("narrative.review_suits",
                               f"正文称复议、诉讼案件 {c.value} 件，表四合计为 {review + suits} 件",
                               table="t4", fields=("t4.review.total", "t4.suit_direct.total",
                                                   "t4.suit_after_review.total"), data={"stated": c.value}))
        elif c.kind == "none_review_suit" and ((review or 0) + (suits or 0)) > 0:
            out.append(finding("narrative.review_suits",
                               f"正文称无行政复议、行政诉讼，表四却记复议 {review} 件、诉讼 {suits} 件",
                               table="t4", fields=("t4.review.total",)))
    return out


@rule("narrative.cases_closed", "warning", "正文称全部审结而表四有未审结")
def cases_closed(report: Report):
    """The prose says the 行政复议 / 行政诉讼 cases are all closed (全部审结, 均已结案)
    while 表四 counts cases 尚未审结."""
    out = []
    for c in report.claims:
        if c.kind == "review_all_closed":
            p = _v(report, "t4.review.pending")
            if p:
                out.append(finding("narrative.cases_closed",
                                   f"正文称行政复议已全部审结（「{_short(c.sentence)}」），表四却有 {p} 件尚未审结",
                                   table="t4", fields=("t4.review.pending",)))
        elif c.kind == "suit_all_closed":
            p = _sum(report, ["t4.suit_direct.pending", "t4.suit_after_review.pending"])
            if p:
                out.append(finding("narrative.cases_closed",
                                   f"正文称行政诉讼已全部审结（「{_short(c.sentence)}」），表四却有 {p} 件尚未审结",
                                   table="t4", fields=("t4.suit_direct.pending", "t4.suit_after_review.pending")))
    return out
