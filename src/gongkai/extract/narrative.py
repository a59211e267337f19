"""Facts stated in the prose that the tables must agree with: how many applications
were received / handled / carried over, how many 行政复议 and 行政诉讼 cases, whether
they are all closed.  Each claim keeps the sentence it came from."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import norm

N = r"(?<!\d)(\d{1,12})(?!\d)"     # a whole number of at most 12 digits (no claim from a digit run)
_UNIT = r"(?:件|项|个|宗|起)"


@dataclass
class Claim:
    kind: str          # received | accepted | handled | carried_forward | review | suit | review_suit
                       # | review_all_closed | suit_all_closed | none_received | none_review_suit
                       # | received_natural | received_org
    value: int | None
    sentence: str
    offset: int = 0


_PATTERNS = [
    ("none_received", re.compile(r"(?:无|未|没有)(?:收到|受理|新收)[^。；]{0,8}?(?:政府信息公开|依申请公开)[^。；]{0,4}?申请")),
    ("none_review_suit", re.compile(r"(?:无|未发生|没有)[^。；]{0,12}?行政复议[、和及与]?行政诉讼")),
    ("received", re.compile(r"(?:收到|新收|接收|接到)[^。；]{0,12}?(?:政府信息公开|依申请公开|信息公开)[^。；\d]{0,8}?" + N + _UNIT)),
    ("accepted", re.compile(r"受理[^。；]{0,12}?(?:政府信息公开|依申请公开|信息公开)申请[^。；\d]{0,6}?" + N + _UNIT)),
    ("carried_forward", re.compile(r"(?:" + N + _UNIT + r"结转|结转(?:到|至)?(?:下一?年度?|下年|\d{4}年)[^。；\d]{0,8}?" + N + _UNIT + r")")),
    ("handled", re.compile(r"(?:办结|办理|答复|处理)(?:完毕)?[^。；\d%]{0,6}?" + N + _UNIT)),
    ("review_suit", re.compile(r"行政复议[、和及与]行政诉讼[^。；\d]{0,20}?" + N + _UNIT)),
    ("review", re.compile(r"行政复议(?:申请|案件)?[^。；\d、]{0,8}?" + N + _UNIT)),
    ("suit", re.compile(r"行政诉讼(?:案件)?[^。；\d、]{0,8}?" + N + _UNIT)),
]
# words every match of a pattern contains (one of them): a sentence without any of
# them is not searched with that pattern
_NEEDS = {"none_review_suit": ("行政复议",), "received": ("收到", "新收", "接收", "接到"), "accepted": ("受理",),
          "carried_forward": ("结转",), "handled": ("办结", "办理", "答复", "处理"),
          "review_suit": ("行政复议",), "review": ("行政复议",), "suit": ("行政诉讼",)}
_ALL_CLOSED = re.compile(r"(?:已?全部|均已?|都已)(?:审结|结案|办结)")
_NATURAL = re.compile(r"自然人(?:申请)?" + N + _UNIT)
_ORG = re.compile(r"法人(?:或其他组织|或者其他组织)?(?:申请)?" + N + _UNIT)


def sentences(text: str):
    """(compact sentence, offset) pairs; sentences end at 。；! ?"""
    c = norm(text)
    for m in re.finditer(r"[^。;!?！？]+[。;!?！？]?", c):
        yield m.group(0), m.start()


def claims(text: str) -> list[Claim]:
    out: list[Claim] = []
    for s, off in sentences(text):
        if "申请" not in s and "复议" not in s and "诉讼" not in s:
            continue
        spans = []
        first = len(out)          # this sentence's claims are out[first:]
        for kind, rx in _PATTERNS:
            needs = _NEEDS.get(kind)
            if needs is not None and not any(w in s for w in needs):
                continue
            for m in rx.finditer(s):
                if any(m.start() < b and a < m.end() for a, b in spans):
                    continue
                if kind in ("handled", "carried_forward") and "申请" not in s and "依申请" not in s:
                    continue
                if kind == "handled" and re.search(r"(?:复议|诉讼|案件)", s[max(0, m.start() - 10):m.start()]):
                    continue
                val = None
                if m.groups():
                    g = [x for x in m.groups() if x]
                    val = int(g[0]) if g else None
                out.append(Claim(kind, val, s, off))
                spans.append((m.start(), m.end()))
        base = next((c for c in out[first:] if c.kind in ("received", "accepted")), None)
        if base is not None:
            for rx, kind in ((_NATURAL, "received_natural"), (_ORG, "received_org")):
                m = rx.search(s)
                if m:
                    out.append(Claim(kind + ("" if base.kind == "received" else "_accepted"),
                                     int(m.group(1)), s, off))
        if _ALL_CLOSED.search(s):
            if "复议" in s:
                out.append(Claim("review_all_closed", None, s, off))
            if "诉讼" in s:
                out.append(Claim("suit_all_closed", None, s, off))
    return out
