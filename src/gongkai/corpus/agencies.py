"""Agency names: a matching key (full/half width, spaces, Traditional characters,
"XX市人民政府" = "XX市", trailing "（…编制）" notes dropped), the region read from the
name (province from regions.toml; city and county from the place endings), the kind
(government or department) and the parent (the government of the same place).

Users correct the result in a mapping file (CSV: key,name,province,city,county,kind,
parent) and apply it; rows they set are marked ``mapped_by = user`` and later imports
keep them."""
from __future__ import annotations

import csv
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import schema as S


@lru_cache(maxsize=1)
def _data() -> dict:
    return tomllib.loads((Path(__file__).parent / "regions.toml").read_text("utf-8"))


@dataclass
class AgencyInfo:
    key: str
    name: str
    province: str | None = None
    city: str | None = None
    county: str | None = None
    kind: str | None = None            # government | department
    parent_key: str | None = None


def clean_name(name: str) -> str:
    """Printed name → display name: NFKC (full-width letters/digits/brackets), no spaces,
    Traditional → Simplified for the report vocabulary, trailing notes dropped."""
    from ..formats import chars
    s = unicodedata.normalize("NFKC", name or "")
    s = re.sub(r"\s+", "", s)
    s = s.translate({ord(a): b for a, b in chars()["traditional"].items()})
    notes = "|".join(map(re.escape, _data()["trailing_notes"]))
    s = re.sub(rf"[(（][^()（）]*(?:{notes})[)）]$", "", s)
    return s.strip("·・-—_ ")


def _split_places(s: str) -> list[str]:
    """Leading place names: 江苏省淮安市清江浦区公安局 → [江苏省, 淮安市, 清江浦区]."""
    d = _data()
    out = []
    rest = s
    for full, short in d["provinces"]:
        if rest.startswith(full) or (rest.startswith(short) and not rest.startswith(short + "路")):
            n = len(full) if rest.startswith(full) else len(short)
            out.append(full)
            rest = rest[n:]
            break
    ends = sorted(d["place_endings"], key=len, reverse=True)
    while rest:
        m = None
        for k in range(2, min(len(rest), 12) + 1):
            for e in ends:
                if rest[:k].endswith(e) and k > len(e):
                    m = k
                    break
            if m:
                break
        if not m:
            break
        head = rest[:m]
        # stop at what is clearly not a place (a department such as "市场监督管理局")
        if head in ("市场", "区域") or len(head) < 2:
            break
        out.append(head)
        rest = rest[m:]
        if head.endswith(("县", "区", "旗", "自治县")):
            break
    return out


def describe(name: str) -> AgencyInfo:
    """Everything gongkai can tell from an agency's name alone."""
    d = _data()
    disp = clean_name(name)
    s = disp
    kind = "department"
    base = s
    if any(s.endswith(x) for x in d["office_suffixes"]):
        kind = "department"
    elif any(s.endswith(x) for x in d["township_suffixes"]):
        kind = "government"
    else:
        for suf in d["government_suffixes"]:
            if s.endswith(suf) and len(s) > len(suf):
                base = s[: -len(suf)]
                kind = "government"
                break
    places = _split_places(base)
    if kind == "department" and places and "".join(places) == base:
        kind = "government"          # a bare place name ("淮安市") stands for its government
    province = places[0] if places and places[0] in {p for p, _ in d["provinces"]} else None
    rest = places[1:] if province else places
    if province in ("北京市", "天津市", "上海市", "重庆市"):
        rest = [province] + rest
    city = next((p for p in rest if p.endswith(("市", "州", "盟", "地区")) and not p.endswith("自治县")), None)
    county = next((p for p in rest if p.endswith(("县", "区", "旗")) and p != city), None)
    key = base if kind == "government" else s
    if province and len(places) > 1 and rest and rest[0] != province and places[1].endswith(("市", "州", "盟", "地区")):
        key = key[len(province):]      # 江苏省淮安市… = 淮安市…: a prefecture's name is unique enough
    parent = None
    if kind == "department" and places:
        parent = "".join(places)
    elif kind == "government" and len(places) > 1:
        parent = "".join(places[:-1])
    if parent and province and key != s and parent.startswith(province) and parent != province:
        parent = parent[len(province):]
    return AgencyInfo(key=key, name=disp, province=province, city=city, county=county, kind=kind,
                      parent_key=parent if parent != key else None)


def agency_id(c, name: str | None, _depth: int = 0, inherit: dict | None = None) -> int | None:
    """The id of the agency a printed name stands for (created when new).  ``inherit``:
    region facts known from a child's fuller name (江苏省淮安市公安局 → 淮安市 is in 江苏省)."""
    import sqlalchemy as sa
    if not name:
        return None
    info = describe(name)
    if not info.key:
        return None
    for k, v in (inherit or {}).items():
        if getattr(info, k) is None:
            setattr(info, k, v)
    a = S.agencies
    row = c.execute(sa.select(a.c.id, a.c.province, a.c.city, a.c.county, a.c.mapped_by)
                    .where(a.c.key == info.key)).first()
    if row:
        fill = {k: getattr(info, k) for k in ("province", "city", "county")
                if getattr(row, k) is None and getattr(info, k) is not None}
        if fill and row.mapped_by == "auto":        # a fuller name tells more (江苏省淮安市 → province)
            c.execute(a.update().where(a.c.id == row.id).values(**fill))
        return row.id
    parent_id = None
    if info.parent_key and _depth < 3:
        up = {"province": info.province}
        if info.county:
            up["city"] = info.city
        parent_id = agency_id(c, info.parent_key, _depth + 1, {k: v for k, v in up.items() if v})
    # another importer may add the same agency at the same moment: insert if absent, then read
    c.execute(_insert_absent(c, dict(key=info.key, name=info.name, province=info.province, city=info.city,
                                     county=info.county, kind=info.kind, parent_id=parent_id)))
    return c.execute(sa.select(a.c.id).where(a.c.key == info.key)).scalar()


def _insert_absent(c, values: dict):
    """INSERT … ON CONFLICT (key) DO NOTHING on SQLite and PostgreSQL."""
    if c.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(S.agencies).values(**values).on_conflict_do_nothing(index_elements=["key"])


MAPPING_COLUMNS = ["key", "name", "province", "city", "county", "kind", "parent"]


def export_mapping(corpus, path) -> int:
    import sqlalchemy as sa
    a = S.agencies
    p = a.alias("p")
    with corpus.engine.connect() as c:
        rows = c.execute(sa.select(a.c.key, a.c.name, a.c.province, a.c.city, a.c.county, a.c.kind,
                                   p.c.key.label("parent")).select_from(a.outerjoin(p, p.c.id == a.c.parent_id))
                         .order_by(a.c.key)).all()
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(MAPPING_COLUMNS)
        for r in rows:
            w.writerow(["" if x is None else x for x in r])
    return len(rows)


def apply_mapping(corpus, path) -> tuple[int, list[str]]:
    """Apply a user's mapping CSV; returns (rows applied, problems)."""
    import sqlalchemy as sa
    a = S.agencies
    problems = []
    n = 0
    try:
        fh = open(path, newline="", encoding="utf-8-sig")
    except OSError as e:
        raise corpus_error(f"{path}: 无法读取映射文件（{e.strerror}）")
    with fh, corpus.engine.begin() as c:
        reader = csv.DictReader(fh)
        missing = [k for k in ("key", "province", "kind") if k not in (reader.fieldnames or [])]
        if missing:
            raise corpus_error(f"{path}: 映射文件缺少列 {', '.join(missing)}（应为 {','.join(MAPPING_COLUMNS)}）")
        for i, row in enumerate(reader, 2):
            key = (row.get("key") or "").strip()
            if not key:
                continue
            kind = (row.get("kind") or "").strip() or None
            if kind not in (None, "government", "department"):
                problems.append(f"{path} 第 {i} 行：kind 应为 government 或 department，而不是「{kind}」")
                continue
            vals = {k: ((row.get(k) or "").strip() or None) for k in ("name", "province", "city", "county")}
            vals = {k: v for k, v in vals.items() if v is not None or k != "name"}
            vals["kind"] = kind
            vals["mapped_by"] = "user"
            parent = (row.get("parent") or "").strip()
            if parent:
                pid = c.execute(sa.select(a.c.id).where(a.c.key == parent)).scalar()
                if pid is None:
                    pid = agency_id(c, parent)
                vals["parent_id"] = pid
            else:
                vals["parent_id"] = None
            exists = c.execute(sa.select(a.c.id).where(a.c.key == key)).scalar()
            if exists is None:
                c.execute(a.insert().values(key=key, name=vals.get("name") or key,
                                            **{k: v for k, v in vals.items() if k != "name"}))
            else:
                c.execute(a.update().where(a.c.id == exists).values(**vals))
            n += 1
    return n, problems


def corpus_error(msg):
    from .store import CorpusError
    return CorpusError(msg)
