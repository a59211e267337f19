"""The upload spool: files received from a browser or fetched from a URL are streamed into
a directory the server controls, hashed on the way, and kept under their sha256
(``spool/ab/ab12…``); the name that was sent is for display only and never becomes a path.
ZIP archives are opened here, under limits (members, total size, ratio, depth)."""
from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .store import CorpusError

MB = 1024 * 1024


SKIP_NAMES = {"thumbs.db", "desktop.ini", "__macosx"}


class JobError(CorpusError):
    """An upload refused as a whole (not allowed, nothing to upload …)."""


class TooLarge(JobError):
    """A file over the size limit (the web layer answers 413)."""


@dataclass(frozen=True)
class UploadLimits:
    max_file_bytes: int = 100 * MB        # one file (also one ZIP member, one fetched URL)
    max_files: int = 1000                 # files of one submission (ZIP members included)
    max_urls: int = 100
    zip_total_bytes: int = 1024 * MB      # all members of one archive, uncompressed
    zip_ratio: int = 200                  # uncompressed / compressed of one member (above 1 MB)
    zip_members: int = 2000               # entries of one archive
    fetch_timeout: float = 30.0           # seconds for one URL (connect, and the whole download)
    allow_private: bool = False           # fetch from loopback / private / link-local addresses (tests)


@dataclass
class Received:
    """A file written to the spool's temporary area: its display name, sha256 and size."""
    name: str
    tmp: Path
    sha256: str
    size: int


# ------------------------------------------------------------------ the spool

def default_spool(db_url: str) -> Path:
    """Beside a SQLite database (``<db>-uploads``), else ``~/.local/share/gongkai/uploads``."""
    from sqlalchemy.engine import make_url
    url = make_url(db_url)
    if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:":
        return Path(url.database + "-uploads")
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "gongkai" / "uploads"


class SpoolWriter:
    """Write one incoming file into ``spool/tmp`` while hashing it; more than ``limit``
    bytes → TooLarge (the partial file is removed)."""

    def __init__(self, spool: Path, name: str, limit: int):
        tmp_dir = Path(spool) / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.name, self.limit = display_name(name), limit
        self.path = tmp_dir / secrets.token_hex(16)
        self._fh = open(self.path, "xb")
        self._h = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            self.abort()
            raise TooLarge(f"文件「{self.name}」超过大小上限（{self.limit // MB} MB）")
        self._h.update(chunk)
        self._fh.write(chunk)

    def close(self) -> Received:
        self._fh.close()
        return Received(self.name, self.path, self._h.hexdigest(), self.size)

    def abort(self) -> None:
        self._fh.close()
        self.path.unlink(missing_ok=True)


def display_name(name: str) -> str:
    """The last component of a sent name, without control characters, at most 200
    characters: shown on the page, never used as a path."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C")).strip()
    return name[:200] or "（未命名）"


def blob_of(spool: Path, r: Received) -> str:
    """Move a received file to its place under its sha256; returns the relative blob path."""
    rel = f"{r.sha256[:2]}/{r.sha256}"
    dest = Path(spool) / rel
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if dest.exists():
        r.tmp.unlink(missing_ok=True)
    else:
        os.replace(r.tmp, dest)
    return rel


def _receive_bytes(spool: Path, name: str, stream, limit: int) -> Received:
    w = SpoolWriter(spool, name, limit)
    try:
        while chunk := stream.read(1 << 20):
            w.write(chunk)
    except TooLarge:
        raise
    except BaseException:
        w.abort()
        raise
    return w.close()


# ------------------------------------------------------------------ ZIP archives

def is_archive(path: Path) -> bool:
    """A ZIP of files (not a DOCX/XLSX, which are ZIPs too)."""
    with open(path, "rb") as fh:
        if fh.read(4) != b"PK\x03\x04":
            return False
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return False                        # damaged: handed to the reader, which says why
    return not ({"word/document.xml", "[Content_Types].xml"} & names)


def _member_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:          # not marked UTF-8: Chinese Windows archivers write GBK
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def _skipped(name: str) -> bool:
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", "/", ".", "..")]
    return not parts or any(p.startswith(".") or p.lower() in SKIP_NAMES for p in parts)


def expand_zip(spool: Path, r: Received, limits: UploadLimits, depth: int = 0) -> tuple[list[Received], list]:
    """The members of an archive as received files (a nested archive is expanded once
    more), and the (name, reason) of what was refused.  Refused as a whole: more than
    ``zip_members`` entries, a member compressed more than ``zip_ratio``:1 (a zip bomb),
    more than ``zip_total_bytes`` in all.  Directories, hidden and system files are
    skipped; member names are shown, never used as paths."""
    out, refused = [], []
    try:
        z = zipfile.ZipFile(r.tmp)
        infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as e:
        return [], [(r.name, f"压缩包损坏，无法打开（{e.__class__.__name__}）")]
    with z:
        if len(infos) > limits.zip_members:
            return [], [(r.name, f"压缩包内文件过多（{len(infos)} 个，上限 {limits.zip_members} 个），未解压")]
        total = 0
        for i in infos:
            total += i.file_size
            if i.file_size > MB and i.file_size > limits.zip_ratio * max(1, i.compress_size):
                return [], [(r.name, f"压缩包内容异常（压缩比超过 {limits.zip_ratio}:1，疑似压缩炸弹），未解压")]
        if total > limits.zip_total_bytes:
            return [], [(r.name, f"压缩包解压后过大（{total // MB} MB，上限 {limits.zip_total_bytes // MB} MB），未解压")]
        for i in infos:
            member = _member_name(i)
            if i.is_dir() or _skipped(member):
                continue
            shown = f"{r.name} › {display_name(member)}"
            if i.flag_bits & 0x1:
                refused.append((shown, "压缩包内文件已加密，无法读取"))
                continue
            if i.file_size > limits.max_file_bytes:
                refused.append((shown, f"文件超过大小上限（{limits.max_file_bytes // MB} MB）"))
                continue
            try:
                with z.open(i) as fh:
                    got = _receive_bytes(spool, shown, fh, limits.max_file_bytes)
            except TooLarge:
                refused.append((shown, f"文件超过大小上限（{limits.max_file_bytes // MB} MB）"))
                continue
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as e:
                refused.append((shown, f"压缩包内文件损坏，无法解压（{e.__class__.__name__}）"))
                continue
            got.name = shown[:300]
            if got.size and is_archive(got.tmp):
                if depth >= 1:
                    got.tmp.unlink(missing_ok=True)
                    refused.append((shown, "压缩包嵌套超过一层，未解压"))
                    continue
                inner, bad = expand_zip(spool, got, limits, depth + 1)
                got.tmp.unlink(missing_ok=True)
                out += inner
                refused += bad
                continue
            out.append(got)
    return out, refused


def display_url(url: str) -> str:
    return "".join(ch for ch in url if not unicodedata.category(ch).startswith("C"))[:300]
