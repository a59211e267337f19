"""Tolerant decoding: the best encoding for the whole file, and where some bytes do
not fit it (a flipped byte, a GBK passage pasted into a UTF-8 file, a UTF-8 passage in
a GBK file) those spans are decoded on their own and the rest is kept.  The result
says which lines needed it, for the ``read.encoding`` finding."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

UTF8, GB = "utf-8", "gb18030"
_HIGH = re.compile(rb"[\x80-\xff]+")
_NAMES = {UTF8: "UTF-8", GB: "GB18030/GBK"}
MIN_SURE_UTF8 = 6        # non-ASCII bytes: a run this long that is valid UTF-8 is UTF-8
MAX_BAD_SHARE = 0.2      # more invalid characters than this (of the non-ASCII ones): not text


@dataclass
class Decoded:
    text: str
    encoding: str                                   # the file's main encoding
    other_lines: list = field(default_factory=list)     # lines with passages in the other encoding
    invalid_lines: list = field(default_factory=list)   # lines where bytes were replaced by U+FFFD
    replaced: int = 0

    @property
    def clean(self) -> bool:
        return not self.other_lines and not self.invalid_lines

    def info(self, where: str = "第", with_lines: bool = True) -> dict:
        """Machine-readable details and a Chinese message (``message`` is None when clean)."""
        d = {"encoding": self.encoding}
        if self.clean:
            return d
        other = GB if self.encoding == UTF8 else UTF8
        parts = [f"文本编码不一致：主体按 {_NAMES.get(self.encoding, self.encoding)} 解码"]
        if self.other_lines:
            parts.append(f"{where} {_list(self.other_lines)} 行含 {_NAMES[other]} 编码的段落，已分别解码")
        if self.invalid_lines:
            parts.append(f"{where} {_list(self.invalid_lines)} 行有 {self.replaced} 个无效字节序列，已替换为 �，请对照原文核实")
        d.update(other_encoding=other, other_encoding_lines=self.other_lines[:200],
                 invalid_lines=self.invalid_lines[:200], replaced=self.replaced, message="；".join(parts))
        if with_lines:
            d["lines"] = sorted(set(self.other_lines[:200]) | set(self.invalid_lines[:200]))
        return d


def _list(lines) -> str:
    shown = "、".join(map(str, lines[:10]))
    return shown + (f" 等 {len(lines)} " if len(lines) > 10 else "")


def _strict(b: bytes, enc: str) -> str | None:
    try:
        return b.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None


def tolerant(data: bytes, prefer: str | None = None) -> Decoded | None:
    """Decode ``data`` (no BOM; not UTF-16).  ``prefer``: an encoding declared by the
    file (HTML charset).  None when the bytes are not text in UTF-8 or GB18030."""
    order = [e for e in (prefer, UTF8, GB) if e]
    for e in order[:1] if prefer not in (None, UTF8, GB) else ():
        s = _strict(data, e)
        if s is not None:
            return Decoded(s, e)
    s = _strict(data, UTF8)
    if s is not None:
        return Decoded(s, UTF8)
    primary = _primary(data, prefer)
    out, other_lines, bad_lines, replaced, high = [], [], [], 0, 0
    for no, line in enumerate(data.split(b"\n"), 1):
        if line.isascii():
            out.append(line.decode("ascii"))
            continue
        s = _strict(line, primary)
        if s is not None and not (primary == GB and _sure_utf8_run(line)):
            out.append(s)
            high += len(s)
            continue
        text, used_other, bad = _chunks(line, primary)
        out.append(text)
        high += len(text)
        if used_other:
            other_lines.append(no)
        if bad:
            bad_lines.append(no)
            replaced += bad
    if replaced > max(20, MAX_BAD_SHARE * high):
        return None
    return Decoded("\n".join(out), primary, other_lines, bad_lines, replaced)


def _sure_utf8_run(line: bytes) -> bool:
    return any(len(m.group(0)) >= MIN_SURE_UTF8 and _strict(m.group(0), UTF8) is not None
               for m in _HIGH.finditer(line))


def _primary(data: bytes, prefer) -> str:
    """The encoding most non-ASCII runs are valid in (UTF-8 when in doubt or declared)."""
    u = g = 0
    for m in _HIGH.finditer(data[:4_000_000]):
        b = m.group(0)
        if _strict(b, UTF8) is not None:
            u += len(b)
        elif _strict(b, GB) is not None:
            g += len(b)
    if prefer == GB and g >= u / 4:
        return GB
    return UTF8 if u >= g else GB


def _chunks(line: bytes, primary: str) -> tuple[str, bool, int]:
    """Decode a line run by run of non-ASCII bytes: each run in the encoding it is valid
    in (the primary one when both), else the reading with fewer invalid bytes."""
    parts, pos, other, bad = [], 0, False, 0
    for m in _HIGH.finditer(line):
        parts.append(line[pos:m.start()].decode("ascii"))
        b = m.group(0)
        u, g = _strict(b, UTF8), _strict(b, GB)
        ur = b.decode(UTF8, errors="replace") if u is None and primary == UTF8 else None
        if u is not None and (primary == UTF8 or g is None or len(b) >= MIN_SURE_UTF8):
            s, enc = u, UTF8
        elif ur is not None and len(ur) - ur.count("\ufffd") >= 2 * ur.count("\ufffd"):
            s, enc = ur, UTF8          # mostly UTF-8 with a few damaged bytes: keep the rest
            bad += ur.count("\ufffd")
        elif g is not None:
            s, enc = g, GB
        else:
            ur, gr = b.decode(UTF8, errors="replace"), b.decode(GB, errors="replace")
            nu, ng = ur.count("\ufffd"), gr.count("\ufffd")
            if nu < ng or (nu == ng and primary == UTF8):
                s, enc, n = ur, UTF8, nu
            else:
                s, enc, n = gr, GB, ng
            bad += n
        other |= enc != primary
        parts.append(s)
        pos = m.end()
    parts.append(line[pos:].decode("ascii"))
    return "".join(parts), other, bad
