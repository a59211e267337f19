"""Shared set-up of the web app tests: a SQLite corpus with the bundled samples imported
(agencies in 海东市, 格尔木市, 洛阳市, 淮安市 …), a few extra agencies, users of every
role, cheap Argon2 parameters (the tests log in often), and a login helper."""
from __future__ import annotations

import re

import pytest

XSS = "<script>alert(1)</script>"
PASSWORD = "test-password-1"
USERS = {  # name: (role, regions, agencies)
    "admin": ("admin", (), ()),
    "rev_haidong": ("reviewer", ("海东市",), ()),
    "staff_golmud": ("staff", (), ("格尔木市公安局",)),
    "guest": ("guest", (), ()),
}


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    from argon2 import PasswordHasher
    from gongkai.corpus import accounts
    monkeypatch.setattr(accounts, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def build_corpus(path):
    """A corpus with the samples, an agency named like a script and one in 江苏省南京市."""
    from gongkai.cli import sample_files
    from gongkai.corpus import Corpus
    from gongkai.corpus.accounts import add_user
    from gongkai.corpus.agencies import agency_id
    from gongkai.corpus.importer import import_paths
    c = Corpus(str(path))
    s = import_paths(c, sample_files(), workers=1)
    assert s.imported == 8 and not s.problems
    with c.engine.begin() as conn:
        agency_id(conn, XSS)
        agency_id(conn, "江苏省南京市人民政府")
    for name, (role, regions, agencies) in USERS.items():
        add_user(c, name, role, PASSWORD, regions, agencies)
    return c


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def login(client, name: str, password: str = PASSWORD, next_: str = "/"):
    page = client.get("/login")
    return client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_of(page.text),
                                       "next": next_}, follow_redirects=False)


def report_ids(corpus) -> dict[str, int]:
    """Agency name → report id (the samples have one report per agency)."""
    import sqlalchemy as sa
    from gongkai.corpus import schema as S
    with corpus.engine.connect() as c:
        rows = c.execute(sa.select(S.agencies.c.name, S.reports.c.id)
                         .select_from(S.reports.join(S.agencies, S.agencies.c.id == S.reports.c.agency_id)))
        return {name: rid for name, rid in rows}
