"""机关名录 (the unit catalogue): the agencies of a scope with their region, level, kind,
parent, aliases and number of reports; a person edits one agency (kind, level, parent) or
merges two (the reports, aliases, scopes and children of one move to the other, whose
names then include the merged one's).  Every change is marked ``mapped_by = user`` (later
automatic imports keep it) and audited.  Files: catalogue_file.py."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import schema as S
from .accounts import Scope, parse_region, region_condition
from .agencies import find_agency, kind_names, level_names
from .audit import entries, record
from .store import CorpusError

ACTION_ZH = {"agency.add": "新增机关", "agency.edit": "修改机关", "agency.import": "导入修改",
             "agency.merge": "合并机关"}
PER_PAGE = 200
CLEAR = "无"                     # written in a file or form: the value is removed


class CatalogueError(CorpusError):
    """A catalogue change refused (unknown agency, bad kind, a cycle of parents …)."""


@dataclass
class Agency:
    id: int
    name: str
    province: str | None = None
    city: str | None = None
    county: str | None = None
    kind: str | None = None
    level: str | None = None
    parent_id: int | None = None
    parent: str | None = None                   # the parent's name
    mapped_by: str = "auto"
    reports: int = 0
    aliases: tuple[str, ...] = field(default_factory=tuple)   # other printed names

    @property
    def kind_zh(self) -> str:
        return kind_names().get(self.kind or "", self.kind or "")

    @property
    def level_zh(self) -> str:
        return level_names().get(self.level or "", self.level or "")

    @property
    def region(self) -> str:
        return "".join(x for x in (self.province, self.city, self.county) if x)


@dataclass
class Listing:
    rows: list[Agency]
    total: int
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def code_of(text: str | None, names: dict[str, str], what: str) -> str | None:
    """A kind or level as written (its code or its Chinese name; empty → None) → its code."""
    t = (text or "").strip()
    if not t:
        return None
    if t in names:
        return t
    for code, zh in names.items():
        if t == zh:
            return code
    raise CatalogueError(f"{what}「{t[:20]}」无效（可填 {'、'.join(names.values())}）")


def parse_kind(text: str | None) -> str | None:
    return code_of(text, kind_names(), "类别")


def parse_level(text: str | None) -> str | None:
    return code_of(text, level_names(), "层级")


def _conditions(scope: Scope, region: str | None, kind: str | None, level: str | None, q: str | None) -> list:
    a = S.agencies
    conds = []
    c = scope.condition()
    if c is not None:
        conds.append(c)
    if region:
        conds.append(region_condition(parse_region(region)))
    if kind:
        conds.append(a.c.kind == parse_kind(kind))
    if level:
        conds.append(a.c.level == parse_level(level))
    if q and q.strip():
        pattern = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conds.append(a.c.name.like(pattern, escape="\\"))
    return conds


def _select(conds):
    import sqlalchemy as sa
    a, r = S.agencies, S.reports
    p = a.alias("p")
    counts = sa.select(r.c.agency_id, sa.func.count().label("n")).group_by(r.c.agency_id).subquery()
    q = (sa.select(a.c.id, a.c.name, a.c.province, a.c.city, a.c.county, a.c.kind, a.c.level, a.c.parent_id,
                   p.c.name.label("parent"), a.c.mapped_by, sa.func.coalesce(counts.c.n, 0).label("reports"))
         .select_from(a.outerjoin(p, p.c.id == a.c.parent_id).outerjoin(counts, counts.c.agency_id == a.c.id)))
    for cond in conds:
        q = q.where(cond)
    return q.order_by(a.c.province, a.c.city, a.c.county, a.c.name, a.c.id)


def _with_aliases(c, rows) -> list[Agency]:
    import sqlalchemy as sa
    out = [Agency(**dict(x._mapping)) for x in rows]
    if not out:
        return out
    al = S.agency_aliases
    names: dict[int, list[str]] = {}
    by_id = {x.id: x for x in out}
    for i in range(0, len(out), 500):
        ids = [x.id for x in out[i:i + 500]]
        for aid, name in c.execute(sa.select(al.c.agency_id, al.c.name).where(al.c.agency_id.in_(ids))
                                   .order_by(al.c.id)):
            if name != by_id[aid].name and name not in names.setdefault(aid, []):
                names[aid].append(name)
    for x in out:
        x.aliases = tuple(names.get(x.id, ()))
    return out


def list_agencies(corpus, scope: Scope, region: str | None = None, kind: str | None = None,
                  level: str | None = None, q: str | None = None, page: int = 1,
                  per_page: int = PER_PAGE) -> Listing:
    """The agencies of ``scope`` narrowed to a region name, a kind, a level (codes or
    Chinese names) and a part of the name; ``page`` of ``per_page``.  Raises
    CatalogueError / AccountError for a filter that cannot be read."""
    import sqlalchemy as sa
    conds = _conditions(scope, region, kind, level, q)
    page = max(1, int(page))
    with corpus.engine.connect() as c:
        total = c.execute(sa.select(sa.func.count()).select_from(S.agencies).where(sa.true(), *conds)).scalar()
        rows = c.execute(_select(conds).limit(per_page).offset((page - 1) * per_page)).all()
        return Listing(rows=_with_aliases(c, rows), total=total, page=page, per_page=per_page)


def all_agencies(corpus, scope: Scope) -> list[Agency]:
    """Every agency of ``scope`` (the catalogue file's rows)."""
    with corpus.engine.connect() as c:
        return _with_aliases(c, c.execute(_select(_conditions(scope, None, None, None, None))).all())


def get_agency(corpus, agency_id: int, scope: Scope) -> Agency | None:
    """One agency of ``scope`` (None: no such agency, or not in the scope)."""
    conds = _conditions(scope, None, None, None, None) + [S.agencies.c.id == agency_id]
    with corpus.engine.connect() as c:
        found = _with_aliases(c, c.execute(_select(conds)).all())
    return found[0] if found else None


def agency_row(c, agency_id: int):
    import sqlalchemy as sa
    a = S.agencies
    row = c.execute(sa.select(a).where(a.c.id == agency_id)).first()
    if row is None:
        raise CatalogueError(f"名录中没有编号为 {agency_id} 的机关")
    return row


def snapshot(row) -> dict:
    return {k: row._mapping[k] for k in ("name", "province", "city", "county", "kind", "level", "parent_id",
                                         "mapped_by")}


def creates_cycle(c, agency_id: int, parent_id: int | None, planned: dict | None = None) -> bool:
    """Whether making ``parent_id`` the parent of ``agency_id`` closes a loop (``planned``:
    parents about to be set, id → parent id, seen before the stored ones)."""
    import sqlalchemy as sa
    a = S.agencies
    seen = {agency_id}
    cur = parent_id
    while cur is not None:
        if cur in seen:
            return True
        seen.add(cur)
        if planned and cur in planned:
            cur = planned[cur]
        else:
            cur = c.execute(sa.select(a.c.parent_id).where(a.c.id == cur)).scalar()
    return False


def agency_named(c, name: str) -> int | None:
    """The agency shown under exactly this name, else the one the name resolves to."""
    import sqlalchemy as sa
    from .agencies import clean_name
    a = S.agencies
    aid = c.execute(sa.select(a.c.id).where(a.c.name == clean_name(name)).order_by(a.c.id)).scalar()
    return aid if aid is not None else find_agency(c, name)


def resolve_parent(c, agency_id: int, text: str | None) -> int | None:
    """The parent named in ``text`` (empty or 无: none) for agency ``agency_id``."""
    t = (text or "").strip()
    if not t or t == CLEAR:
        return None
    pid = agency_named(c, t)
    if pid is None:
        raise CatalogueError(f"上级机关「{t[:60]}」不在名录中：请填写名录中已有机关的名称")
    if pid == agency_id:
        raise CatalogueError(f"上级机关「{t[:60]}」就是这个机关本身")
    return pid


def update_agency(corpus, agency_id: int, by: str, kind: str | None, level: str | None,
                  parent: str | None) -> Agency:
    """Set one agency's kind, level (codes or Chinese names; empty: not set) and parent
    (a name in the catalogue; empty: none).  Raises CatalogueError."""
    from .accounts import EVERYTHING
    kind, level = parse_kind(kind), parse_level(level)
    a = S.agencies
    with corpus.engine.begin() as c:
        row = agency_row(c, agency_id)
        pid = resolve_parent(c, agency_id, parent)
        if creates_cycle(c, agency_id, pid):
            raise CatalogueError(f"不能把「{(parent or '').strip()[:60]}」设为上级机关：它是「{row.name}」的下级")
        new = {"kind": kind, "level": level, "parent_id": pid}
        old = {k: row._mapping[k] for k in new}
        if new != old or row.mapped_by != "user":
            c.execute(a.update().where(a.c.id == agency_id).values(**new, mapped_by="user"))
            record(c, by, "agency.edit", "agencies", agency_id, old, new)
    return get_agency(corpus, agency_id, EVERYTHING)


@dataclass
class Merged:
    kept: str
    merged: str
    reports: int
    aliases: int


def merge_agencies(corpus, keep: int, gone: int, by: str) -> Merged:
    """Merge agency ``gone`` into ``keep``: its reports, aliases (its own key among them),
    users' scopes, children and declared relations move to ``keep``, which takes the
    region, kind and level it lacked; then ``gone`` is removed.  One transaction: no
    report is lost, or nothing changes.  Raises CatalogueError."""
    import sqlalchemy as sa
    from .agencies import _insert_absent
    if keep == gone:
        raise CatalogueError("不能把机关并入它自己：请选择两个不同的机关")
    a, al, r, rel = S.agencies, S.agency_aliases, S.reports, S.relations
    with corpus.engine.begin() as c:
        k, g = agency_row(c, keep), agency_row(c, gone)
        n_reports = c.execute(r.update().where(r.c.agency_id == gone).values(agency_id=keep)).rowcount
        c.execute(S.report_indicators.update().where(S.report_indicators.c.agency_id == gone)
                  .values(agency_id=keep))
        c.execute(S.user_scopes.update().where(S.user_scopes.c.agency_id == gone).values(agency_id=keep))
        c.execute(a.update().where(a.c.parent_id == gone, a.c.id != keep).values(parent_id=keep))
        pairs = c.execute(sa.select(rel.c.parent_id, rel.c.child_id)
                          .where(sa.or_(rel.c.parent_id == gone, rel.c.child_id == gone))).all()
        c.execute(rel.delete().where(sa.or_(rel.c.parent_id == gone, rel.c.child_id == gone)))
        for p, ch in pairs:
            p, ch = (keep if p == gone else p), (keep if ch == gone else ch)
            if p != ch:
                c.execute(_insert_absent_pair(c, p, ch))
        n_aliases = c.execute(al.update().where(al.c.agency_id == gone).values(agency_id=keep, source="user")
                              ).rowcount
        c.execute(_insert_absent(c, al, dict(key=g.key, name=g.name, agency_id=keep, source="user")))
        parent = k.parent_id
        if parent == gone:
            parent = g.parent_id if g.parent_id != keep else None
        if parent is not None and creates_cycle(c, keep, parent):
            parent = None
        fill = {f: g._mapping[f] for f in ("province", "city", "county", "kind", "level")
                if k._mapping[f] is None and g._mapping[f] is not None}
        c.execute(a.update().where(a.c.id == keep).values(parent_id=parent, mapped_by="user", **fill))
        c.execute(a.delete().where(a.c.id == gone))
        record(c, by, "agency.merge", "agencies", keep, {"merged": {"id": gone, "key": g.key, **snapshot(g)}},
               {"into": keep, "name": k.name, "reports": n_reports, "aliases": n_aliases, **fill})
    return Merged(kept=k.name, merged=g.name, reports=n_reports, aliases=n_aliases)


def _insert_absent_pair(c, parent: int, child: int):
    if c.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(S.relations).values(parent_id=parent, child_id=child).on_conflict_do_nothing()


def catalogue_log(corpus, limit: int = 20) -> list[dict]:
    """The latest catalogue changes (newest first)."""
    return entries(corpus, "agencies", limit)
