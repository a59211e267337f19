"""The original files of stored documents: found through *locators* (functions (sha256,
stored path) → a local file or None) and accepted only when their SHA-256 is the
document's; read again with the import's reader (``_document``) and parsed again without
checks (``parsed_again``), both cached by content hash.  The source view and the
review's recheck use them."""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as _field
from pathlib import Path

Locator = Callable[[str, str], "Path | None"]
MISSING_FILE = "原始文件已不在服务器上（语料库只保存解析结果和位置，不保存文件本身），无法显示原文"
CHANGED_FILE = "原始文件在导入后已被修改（内容哈希不一致），无法显示原文"


def stored_path(sha256: str, path: str) -> Path | None:
    """The default locator: the local file the document was imported from (URLs: None)."""
    if not path or "://" in path:
        return None
    p = Path(path)
    return p if p.is_file() else None


class _LRU:
    """A thread-safe LRU bounded by the total size of its values (``size(value)``)."""

    def __init__(self, budget: int, size: Callable = len):
        self.budget, self.size, self.used = budget, size, 0
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            v = self.items.get(key)
            if v is not None:
                self.items.move_to_end(key)
            return v

    def put(self, key, value):
        n = self.size(value)
        if n > self.budget:
            return value
        with self.lock:
            old = self.items.pop(key, None)
            if old is not None:
                self.used -= self.size(old)
            self.items[key] = value
            self.used += n
            while self.used > self.budget:
                _k, v = self.items.popitem(last=False)
                self.used -= self.size(v)
        return value


_HASHES = _LRU(4096, size=lambda _v: 1)                  # (path, size, mtime) → sha256
_DOCS = _LRU(8, size=lambda _v: 1)                       # sha256 → Document (the reader's model)
_REPORTS = _LRU(8, size=lambda _v: 1)                    # sha256 → Report parsed again (no checks)


def _file_key(path: Path) -> tuple:
    st = path.stat()
    return str(path), st.st_size, st.st_mtime_ns


def file_sha256(path: Path) -> str:
    key = _file_key(path)
    h = _HASHES.get(key)
    if h is None:
        d = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                d.update(chunk)
        h = _HASHES.put(key, d.hexdigest())
    return h


@dataclass
class SourceFiles:
    """Finds a document's bytes: the first locator whose file has the document's SHA-256."""
    locators: list = _field(default_factory=lambda: [stored_path])

    def add(self, locator: Locator) -> None:
        """Try ``locator`` before the others (e.g. the upload spool, by content hash)."""
        self.locators.insert(0, locator)

    def find(self, sha256: str, path: str) -> tuple[Path | None, str | None]:
        """(the file, None) or (None, why not — in Chinese)."""
        changed = False
        for loc in self.locators:
            try:
                p = loc(sha256, path)
                if p is None:
                    continue
                if file_sha256(Path(p)) == sha256:
                    return Path(p), None
                changed = True
            except OSError:
                continue
        return None, CHANGED_FILE if changed else MISSING_FILE


DEFAULT_FILES = SourceFiles()


def _document(path: Path, sha256: str):
    doc = _DOCS.get(sha256)
    if doc is None:
        from ..limits import applied
        from ..read import read_document
        with applied(None, path):
            doc = read_document(path)
        doc.text  # noqa: B018  (serialise once, under the lock-free cache)
        doc = _DOCS.put(sha256, doc)
    return doc


def parsed_again(path: Path, sha256: str):
    """The original file parsed again without checks (the import's reader and parser; a
    Report with its prose, claims and meta, which the corpus does not store), cached by
    content hash.  The narrative pane and the review's recheck use it."""
    rep = _REPORTS.get(sha256)
    if rep is None:
        from ..limits import applied
        from ..pipeline import parse_document
        doc = _document(path, sha256)
        with applied(None, path):
            rep = _REPORTS.put(sha256, parse_document(doc, file=str(path), checks=False))
    return rep
