"""``gongkai web --demo``: a fresh SQLite corpus in a new temporary folder, the bundled
samples imported with the corpus importer, and an admin account with a random password
(shown once).  The temporary folder is removed when the server stops."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

DEMO_ADMIN = "admin"


@dataclass
class Demo:
    db: str
    admin: str
    password: str
    reports: int
    folder: str = ""
    temporary: bool = False          # made here: remove it when the server stops (``cleanup``)

    def cleanup(self):
        if self.temporary:
            import shutil
            shutil.rmtree(self.folder, ignore_errors=True)


def make_demo(folder: str | None = None) -> Demo:
    from ..bundled import sample_files
    from ..corpus import Corpus
    from ..corpus.accounts import add_user, random_password
    from ..corpus.importer import import_paths
    temporary = folder is None
    folder = Path(folder or tempfile.mkdtemp(prefix="gongkai-web-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "gongkai-demo.db"
    corpus = Corpus(str(db))
    summary = import_paths(corpus, sample_files(), workers=1)
    password = random_password()
    add_user(corpus, DEMO_ADMIN, "admin", password, by="demo")
    return Demo(db=str(db), admin=DEMO_ADMIN, password=password, reports=summary.imported, folder=str(folder),
                temporary=temporary)
