"""The audit table: one row for every change made by a person (who, when, what, before
and after), never updated or deleted.  Accounts (table ``users``) and the unit catalogue
(table ``agencies``) write here."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from . import schema as S


def _json(v) -> str | None:
    return None if v is None else json.dumps(v, ensure_ascii=False, default=str)


def record(c, by: str, action: str, table: str, row_id: int, old: dict | None = None,
           new: dict | None = None) -> None:
    """Write one audit row in the caller's transaction (so it stands or falls with the change)."""
    c.execute(S.audit.insert().values(at=datetime.now(timezone.utc), by_user=by or "", action=action,
                                      table_name=table, row_id=row_id, old=_json(old), new=_json(new or {})))


def entries(corpus, table: str, limit: int = 100) -> list[dict]:
    """The latest audit rows about ``table`` (newest first)."""
    import sqlalchemy as sa
    au = S.audit
    with corpus.engine.connect() as c:
        rows = c.execute(sa.select(au).where(au.c.table_name == table).order_by(au.c.id.desc()).limit(limit))
        return [dict(r._mapping) for r in rows]
