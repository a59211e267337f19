"""Turn the text printed after a row label into tokens: numbers (with units,
thousands separators, signs), blanks (empty cells, dashes) and text.

Two modes: *cells* when the source marks cell boundaries (tabs, pipes) — an empty
cell is a blank; *stream* otherwise — whitespace separates numbers."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..formats import chars
from .normalize import norm_keep_space

UNITS = ("万元", "元", "件", "项", "条", "个", "次", "份", "宗", "人次", "家")
_UNIT_RE = "|".join(sorted(UNITS, key=len, reverse=True))
NUM_RE = re.compile(
    rf"^(?P<sign>[+\-]?)(?P<int>\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.(?P<frac>\d+))?\s*(?P<unit>{_UNIT_RE})?$")
_STREAM_RE = re.compile(
    rf"(?P<num>[+\-]?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?)(?:\s*(?P<unit>{_UNIT_RE}))?"
    r"|(?P<blank>(?<![^\W\d_])(?:-+(?!\d)|/+)(?![^\W\d_]))"
    r"|(?P<text>[^\s\d]+)")
SENTENCE_PUNCT = set("，。；！？,;")


@dataclass(slots=True)
class Token:
    kind: str                 # "num" | "blank" | "text"
    raw: str
    value: int | Decimal | None = None
    line: int | None = None   # original offset (mapped to a line later)
    digits: str | None = None  # plain digit run, for splitting fused numbers
    unit: str | None = None
    signed: bool = False
    orphan: bool = False      # printed before its label (row split by a page break)


MAX_NUMBER_DIGITS = 64   # no count has this many digits (a fused row of 7 × 9 has 63)


def parse_number(s: str) -> Token | None:
    if len(s) > MAX_NUMBER_DIGITS:
        # a digit run this long is printed numbers without a readable value: kept as a
        # number (its row is unreadable, so its cells are uncertain), never dropped as text
        return Token("num", s[:20] + "…", None, digits=s) if s.isdigit() else None
    if s.isdigit() and s.isascii():            # the common case: a plain count
        return Token("num", s, int(s), digits=s)
    m = NUM_RE.match(s.strip())
    if not m:
        return None
    sign, ip, frac, unit = m.group("sign"), m.group("int"), m.group("frac"), m.group("unit")
    plain = ip.replace(",", "")
    if len(plain) + len(frac or "") > MAX_NUMBER_DIGITS:
        return Token("num", s.strip()[:20] + "…", None, digits=plain if frac is None else None)
    try:
        if frac is not None:
            v = Decimal(f"{sign}{plain}.{frac}")
        else:
            v = int(plain) * (-1 if sign == "-" else 1)
    except (InvalidOperation, ValueError):
        return None
    digits = plain if (frac is None and not sign and "," not in ip) else None
    return Token("num", s.strip(), v, digits=digits, unit=unit, signed=bool(sign))


def _classify_cell(s: str, offset: int) -> list[Token]:
    st = s.strip()
    if not st:
        return [Token("blank", "", line=offset)]
    if st in chars()["blank_markers"]:
        return [Token("blank", st, line=offset)]
    t = parse_number(st)
    if t:
        t.line = offset
        return [t]
    return _merged(st, offset) or [Token("text", st, line=offset)]


def _merged(st: str, offset: int) -> list[Token] | None:
    """A cell holding several values ("59 -", "393 146": Markdown from a PDF merges
    neighbouring columns into one cell): one token per value, or None when the cell is
    not made of numbers and blank marks only."""
    parts = st.split()
    if len(parts) < 2:
        return None
    marks = chars()["blank_markers"]
    out = []
    for p in parts:
        tk = parse_number(p)
        if tk is None:
            if p not in marks:
                return None
            tk = Token("blank", p)
        tk.line = offset
        out.append(tk)
    return out


def tokenize(text: str, offset: int = 0) -> tuple[list[Token], bool]:
    """Tokens of the value text after a label, and whether cell boundaries were explicit.

    ``offset`` is the original offset of ``text`` (for provenance)."""
    t = norm_keep_space(text)
    if "\t" in t or "|" in t:
        return _tokenize_cells(t, offset), True
    if _PLAIN.fullmatch(t) and _plain_safe():
        return _plain_stream(t, offset), False
    return _tokenize_stream(t, offset), False


# a value text of plain counts and spaces only (the common table row): every digit run is
# a number, no unit, sign, blank mark or numbering can be among them — the same tokens
# as _tokenize_stream gives, without its alternatives
_PLAIN = re.compile(r"[0-9 \n\r]*")
_RUN = re.compile(r"[0-9]+")


def _plain_stream(t: str, offset: int) -> list[Token]:
    out = []
    for m in _RUN.finditer(t):
        num = m.group()
        if len(num) > MAX_NUMBER_DIGITS:
            return _tokenize_stream(t, offset)
        out.append(Token("num", num, int(num), offset + m.start(), num, None))
    return out


_plain_ok: list = []


def _plain_safe() -> bool:
    """The normalisation leaves ASCII digits, space and newlines alone (chars.toml)."""
    if not _plain_ok:
        probe = "0123456789 \n\r"
        _plain_ok.append(norm_keep_space(probe) == probe)
    return _plain_ok[0]


_CELL_SEP = re.compile(r"[\t|]")


def _split_cells(line: str, base: int) -> list[tuple[str, int]]:
    """Cells of one line with the original offset of each cell."""
    out, start = [], 0
    for m in _CELL_SEP.finditer(line):
        out.append((line[start:m.start()], base + start))
        start = m.end()
    out.append((line[start:], base + start))
    return out


_SEP_CELL = re.compile(r"\s*:?-{3,}:?\s*")


def _md_separator(body: str) -> bool:
    """A Markdown table's separator row (``|---|:---:|``): pipes, and cells of three or
    more dashes.  A row of blank marks (``- | - | -`` or tab-separated ``-``) is a row of
    blank cells, not a separator."""
    if "|" not in body or "---" not in body:
        return False
    cells = [c for c in body.strip().strip("|").split("|")]
    return all(_SEP_CELL.fullmatch(c) or not c.strip() for c in cells)


def _tokenize_cells(t: str, offset: int) -> list[Token]:
    tokens: list[Token] = []
    empty: list[Token] = []     # a Markdown row of empty cells, kept if no later row has values
    pos = 0
    first = True
    for line in t.split("\n"):
        loff = offset + pos
        pos += len(line) + 1
        body, boff = line, loff
        md_row = False
        if "|" in line:
            stripped = body.rstrip()
            if stripped.endswith("|"):
                body = stripped[:-1]
            if not first:
                lead = len(body) - len(body.lstrip())
                body, boff = body[lead:], boff + lead
                if body.startswith("|"):
                    body, boff = body[1:], boff + 1
                    md_row = stripped.endswith("|")
        if _md_separator(body):
            continue            # a Markdown separator row (|---|---|) holds no cells
        if first:
            first = False
            parts = _split_cells(body, boff)
            rest = parts[1:]
            head = parts[0][0].strip()
            # whatever stands before the first separator belongs to the label's cell,
            # unless it is a value (printed right after the label, or a wrapped label's
            # values found between its lines: "-   | 1   | -")
            if head and (parse_number(head) or head in chars()["blank_markers"] or _merged(head, 0)):
                rest = [parts[0]] + rest
            for p, off in rest:
                tokens.extend(_classify_cell(p, off + len(p) - len(p.lstrip())))
            if tokens and "|" in line and _all_empty(tokens):
                # a Markdown row whose label wraps over several table rows: the values
                # stand on a later one ("| 其 | 2.申请人逾期未按收费 |     |     |")
                empty, tokens = tokens, []
                continue
            if tokens:
                break   # a row's cells stand on its label's line; later lines belong to the next row
            continue
        if not body.strip() or _md_separator(body):   # empty or markdown separator row
            continue
        if "|" not in body and "\t" not in body and not _ANY_DIGIT.search(body):
            continue            # a wrapped label's next line ("本", "分处理的，只计这一")
        cells = _split_cells(body, boff)
        if md_row:
            cells = _drop_label_columns(cells)
        mine = [tk for p, off in cells for tk in _classify_cell(p, off + len(p) - len(p.lstrip()))]
        if md_row and _all_empty(mine):
            empty = empty or mine
            continue            # another line of the wrapped label, its value cells empty
        tokens.extend(mine)
        if any(tk.kind != "text" for tk in tokens):
            break               # a row's cells stand on one line; later lines belong to the next row
    return tokens or empty


def _all_empty(tokens: list[Token]) -> bool:
    return all(tk.kind == "blank" and not tk.raw for tk in tokens)


_ANY_DIGIT = re.compile(r"\d")


def _drop_label_columns(cells: list) -> list:
    """A Markdown row on a line of its own starts with the label's column(s), empty or
    holding a fragment of the wrapped label ("|     | 费用、行政机关不 | 54 | - |"): the
    leading cells up to the last text one go; with no text among them, one empty cell."""
    lead = 0
    while lead < len(cells) - 1 and _is_label_cell(cells[lead][0]):
        lead += 1
    texts = [k for k in range(lead) if cells[k][0].strip()]
    if texts:
        return cells[texts[-1] + 1:]
    return cells[1:] if lead else cells


def _is_label_cell(s: str) -> bool:
    """Empty, or text that is no value ("其", "2.申请人逾期未按收费")."""
    st = s.strip()
    if not st:
        return True
    return not (parse_number(st) or st in chars()["blank_markers"] or _merged(st, 0))


_NUMBERING_TAIL = re.compile(r"[.、)）]\s*[\u4e00-\u9fff]")


def _is_numbering(t: str, start: int, end: int, tk: Token) -> bool:
    """A row's numbering left in the text when its label was not found ("2.其他…",
    "(3)要求…") is not a cell value."""
    if not isinstance(tk.value, int) or tk.signed or tk.value > 20 or tk.unit:
        return False
    return _is_numbering_at(t, start, end)


def _is_numbering_at(t: str, start: int, end: int) -> bool:
    nxt = t[end:end + 1]
    if nxt and nxt in ".、)）" and _NUMBERING_TAIL.match(t, end):
        return True
    return start > 0 and t[start - 1] in "(（" and nxt in ")）"


def _tokenize_stream(t: str, offset: int) -> list[Token]:
    out: list[Token] = []
    add = out.append
    for m in _STREAM_RE.finditer(t):
        start, end = m.span()
        off = offset + start
        num, unit, blank, text = m.groups()
        if num is not None:
            if len(num) <= MAX_NUMBER_DIGITS and num.isdigit() and num.isascii():
                # the common case, a plain count (parse_number's first case, inlined)
                v = int(num)
                if v <= 20 and _is_numbering_at(t, start, end):
                    add(Token("text", m.group(0), None, off))
                else:
                    add(Token("num", m.group(0), v, off, num, unit))
                continue
            tk = parse_number(num)
            if tk is None or _is_numbering(t, start, end, tk):
                add(Token("text", m.group(0), None, off))
                continue
            tk.raw = m.group(0)
            tk.unit = unit
            tk.line = off
            add(tk)
        elif blank is not None:
            if len(blank) == 1 or (len(blank) == 2 and blank[0] == "-"):
                # "--" may be one mark (—— normalised) or two; a slash is never doubled
                add(Token("blank", blank, None, off))
            else:
                # a run of dashes with no space between them (crawler text): one blank per
                # dash; when the marks were doubled (——) the surplus is padding to drop
                out.extend(Token("blank", ch, line=off + k) for k, ch in enumerate(blank))
        else:
            add(Token("text", text, None, off))
    return out


def unsigned_counts(tokens: list[Token]) -> list[Token]:
    """Tokens of a row of counts (表三, 表四): counts are never negative, so a minus sign
    is a blank mark run into the number — crawler text prints the cells 3 | 2 | - | 2 | 2 |
    - | 9 as ``32-22-9``, which reads 32, -22, -9.  Each negative whole number becomes a
    blank mark and the number (a 表二 2019 本年增/减 keeps its sign: not called there)."""
    if not any(t.kind == "num" and t.signed for t in tokens):
        return tokens
    out: list[Token] = []
    for t in tokens:
        if t.kind == "num" and t.signed and isinstance(t.value, int) and t.value < 0 and t.raw.startswith("-"):
            n = parse_number(t.raw[1:].strip())
            if n is not None:
                n.raw = t.raw[1:]
                n.unit = t.unit
                n.line = None if t.line is None else t.line + 1
                out.append(Token("blank", "-", line=t.line))
                out.append(n)
                continue
        out.append(t)
    return out


def is_table_like(tokens: list[Token]) -> bool:
    """True when the tokens look like cell contents rather than prose."""
    text = "".join(t.raw for t in tokens if t.kind == "text")
    nums = sum(1 for t in tokens if t.kind == "num")
    if not text:
        return True
    if any(ch in SENTENCE_PUNCT for ch in text) and nums:
        return False
    return len(text) <= 3 * max(1, nums) or nums == 0


def clean_row_tokens(tokens: list[Token]) -> tuple[list[Token], list[Token]]:
    """Split tokens into cell tokens and noise: in stream mode, text before the first
    number is the rest of the label; short text between/after numbers is a fragment of
    a vertical label.  Returns (cells, dropped)."""
    cells, dropped = [], []
    seen_num = False
    for t in tokens:
        if t.kind == "text":
            dropped.append(t)
            continue
        if t.kind == "num":
            seen_num = True
        cells.append(t)
    if not seen_num and not any(t.kind == "blank" for t in cells):
        # no numbers at all: the text is the cell's content (e.g. "POS 机统一缴费…")
        texts = [t for t in tokens if t.kind == "text"]
        if texts:
            joined = Token("text", " ".join(t.raw for t in texts).strip(), line=texts[0].line)
            return [joined], []
    return cells, dropped
