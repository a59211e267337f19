"""Agency names: a matching key (full/half width, spaces, Traditional characters,
"XX市人民政府" = "XX市", "政府办" = "人民政府办公室", trailing "（…编制）" notes dropped), the
region read from the name (province from regions.toml; city and county from the place
endings), the kind (agency_types.toml: government, department, street, township, devzone),
the level (省级 … 乡级: the deepest place named) and the parent (the government of the same
place, the township or zone a department belongs to).

A printed name resolves to an agency through the alias table (every key an agency was
known by, including the keys of agencies merged into it), then through one variant: the
key with or without its province (江苏省沭阳县 = 沭阳县, when the stored one does not say
another province).  ``agency_id`` finds or creates; ``find_agency`` only finds.  The unit
catalogue (catalogue.py, catalogue_file.py) lists, edits, merges, imports and exports."""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import schema as S

MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
CITY_ENDINGS = ("市", "州", "盟", "地区")
COUNTY_ENDINGS = ("县", "区", "旗")


@lru_cache(maxsize=1)
def _data() -> dict:
    return tomllib.loads((Path(__file__).parent / "regions.toml").read_text("utf-8"))


@lru_cache(maxsize=1)
def _types() -> dict:
    return tomllib.loads((Path(__file__).parent / "agency_types.toml").read_text("utf-8"))


def kind_names() -> dict[str, str]:
    """Kind code → Chinese name (agency_types.toml), in display order."""
    return dict(_types()["kinds"])


def province_names() -> dict[str, str]:
    """A province's full or short name → its full name (regions.toml)."""
    return {**{full: full for full, _ in _data()["provinces"]}, **{short: full for full, short in _data()["provinces"]}}


def level_names() -> dict[str, str]:
    """Level code → Chinese name (agency_types.toml), from 省级 down."""
    return dict(_types()["levels"])


@dataclass
class AgencyInfo:
    key: str
    name: str
    province: str | None = None
    city: str | None = None
    county: str | None = None
    kind: str | None = None            # a code of agency_types.toml [kinds]
    parent_key: str | None = None
    level: str | None = None           # a code of agency_types.toml [levels]


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


def _canonical(s: str) -> str:
    """The printed variants of an ending made one (regions.toml name_variants)."""
    for short, full in _data()["name_variants"]:
        if s.endswith(short) and not s.endswith(full):
            return s[: -len(short)] + full
    return s


@dataclass(frozen=True)
class _Place:
    printed: str                      # as in the name (江苏)
    name: str                         # its full name (江苏省)
    zone: bool = False                # a development zone (淮安经济技术开发区)


@lru_cache(maxsize=1)
def _patterns() -> dict:
    d = _data()
    alt = lambda xs: "|".join(map(re.escape, sorted(xs, key=len, reverse=True)))  # noqa: E731
    return {
        "zone": re.compile(rf"^[^市县区州盟旗省]{{1,16}}?(?:{alt(d['zone_endings'])})"),
        "street": re.compile(rf"^(.{{1,12}}?{re.escape(d['street_place'])})({alt(d['street_offices'])})?(.*)$"),
        "township": re.compile(rf"^(.{{1,12}}?(?:{alt(d['township_places'])}))({alt(d['township_governments'])})?(.*)$"),
        "ends": sorted(d["place_endings"], key=len, reverse=True),
        "provinces": {p for p, _ in d["provinces"]},
    }


def _split_places(s: str, committee: bool = False) -> list[_Place]:
    """Leading place names: 江苏省淮安市清江浦区公安局 → [江苏省, 淮安市, 清江浦区]; a
    development zone ends the list (淮安市经济技术开发区财政局 → [淮安市, 经济技术开发区]).
    ``committee``: the name ends with 管理委员会, so a 新区 is a zone, not a district."""
    d, pat = _data(), _patterns()
    out: list[_Place] = []
    rest = s
    for full, short in d["provinces"]:
        if rest.startswith(full) or (rest.startswith(short) and not rest.startswith(short + "路")):
            n = len(full) if rest.startswith(full) else len(short)
            out.append(_Place(rest[:n], full))
            rest = rest[n:]
            break
    while rest:
        z = pat["zone"].match(rest)
        if z:
            out.append(_Place(z.group(0), z.group(0), zone=True))
            break
        m = None
        for k in range(2, min(len(rest), 12) + 1):
            if any(rest[:k].endswith(e) and k > len(e) for e in pat["ends"]):
                m = k
                break
        if not m:
            break
        head = rest[:m]
        # stop at what is clearly not a place (a department such as "市场监督管理局")
        if head in d["not_places"] or len(head) < 2:
            break
        zone = committee and rest == head and head.endswith(tuple(d["zone_committee_endings"]))
        out.append(_Place(head, head, zone=zone))
        rest = rest[m:]
        if head.endswith(COUNTY_ENDINGS) and not head.endswith("地区"):
            break
    return out


def _key(places: list[_Place]) -> str:
    """The matching key of a run of places: full names; a prefecture's province dropped
    (江苏省淮安市 = 淮安市: a prefecture's name is unique enough)."""
    names = [p.name for p in places]
    if (len(names) > 1 and names[0] in _patterns()["provinces"] and names[0] not in MUNICIPALITIES
            and names[1].endswith(CITY_ENDINGS)):
        names = names[1:]
    return "".join(names)


def _region(plain: list[str]) -> tuple[str | None, str | None, str | None]:
    province = plain[0] if plain and plain[0] in _patterns()["provinces"] else None
    rest = plain[1:] if province else plain
    if province in MUNICIPALITIES:
        rest = [province] + rest
    city = next((p for p in rest if p.endswith(CITY_ENDINGS) and not p.endswith("自治县")), None)
    county = next((p for p in rest if p.endswith(COUNTY_ENDINGS) and p != city), None)
    return province, city, county


def _level(plain: list[str]) -> str | None:
    """The level of the deepest place: 省级 (a province, a municipality), 市级 (a
    prefecture), 县级 (a county, a district, a city under a prefecture)."""
    if not plain:
        return None
    province = plain[0] if plain[0] in _patterns()["provinces"] else None
    below = plain[1:] if province else plain
    if province in MUNICIPALITIES:
        return "county" if below else "province"
    if not below:
        return "province"
    last = below[-1]
    if last.endswith(COUNTY_ENDINGS) and not last.endswith("地区"):
        return "county"
    return "county" if len(below) >= 2 else "city"


def _township(rest: str) -> tuple[str, str, str] | None:
    """A township-level unit at the start of ``rest``: (its name, street | township, what
    follows its office or government)."""
    pat = _patterns()
    m = pat["street"].match(rest)
    if m and len(m.group(1)) > len(_data()["street_place"]):
        return m.group(1), "street", m.group(3)
    m = pat["township"].match(rest)
    if m and (m.group(2) or not m.group(3)):     # 城乡建设局 is no township: it says no 人民政府
        return m.group(1), "township", m.group(3)
    return None


def describe(name: str) -> AgencyInfo:
    """Everything gongkai can tell from an agency's name alone."""
    d = _data()
    disp = clean_name(name)
    s = _canonical(disp)
    if not s:
        return AgencyInfo(key="", name=disp)
    suffix = ""
    if not any(s.endswith(x) for x in d["office_suffixes"]):
        suffix = next((x for x in d["government_suffixes"] if s.endswith(x) and len(s) > len(x)), "")
    base = s[: len(s) - len(suffix)]
    places = _split_places(base, committee=suffix == "管理委员会")
    rest = s[len("".join(p.printed for p in places)):]        # what follows the places
    plain = [p.name for p in places if not p.zone]
    province, city, county = _region(plain)
    info = AgencyInfo(key="", name=disp, province=province, city=city, county=county, level=_level(plain))
    here = _key(places)
    unit = _township(rest)
    if unit and not (places and places[-1].zone and not rest):
        unit_name, kind, after = unit
        unit_key = here + unit_name
        info.level = "township"
        if after:
            info.kind, info.key, info.parent_key = "department", here + rest, unit_key
        else:
            info.kind, info.key, info.parent_key = kind, unit_key, here or None
    elif places and places[-1].zone:
        after = rest[len("管理委员会"):] if rest.startswith("管理委员会") else rest
        if after:
            info.kind, info.key, info.parent_key = "department", here + after, here
        else:
            info.kind, info.key, info.parent_key = "devzone", here, _key(places[:-1]) or None
    elif places and base == "".join(p.printed for p in places):       # places (+ 人民政府)
        info.kind, info.key, info.parent_key = "government", here, _key(places[:-1]) or None
    else:
        info.kind, info.key, info.parent_key = "department", here + rest, here or None
    if info.parent_key == info.key:
        info.parent_key = None
    return info


# ------------------------------------------------------------------ names → agencies

def _province_variant(c, info: AgencyInfo) -> int | None:
    """The one agency stored under the key with (or without) a province prefix that does
    not contradict this name's province: 江苏省沭阳县 = 沭阳县 (a municipality's districts
    are not matched this way: 北京市朝阳区 is not 长春市朝阳区)."""
    import sqlalchemy as sa
    al, a = S.agency_aliases, S.agencies
    key = info.key
    prov = next((p for p in _patterns()["provinces"] if key.startswith(p)), None)
    if prov in MUNICIPALITIES:
        return None
    if prov:
        if len(key) == len(prov):
            return None
        keys, want = [key[len(prov):]], prov
    else:
        if not (info.city or info.county):             # 公安局 alone says too little
            return None
        keys = [p + key for p in _patterns()["provinces"] if p not in MUNICIPALITIES]
        want = info.province
    rows = c.execute(sa.select(a.c.id, a.c.province).select_from(al.join(a, a.c.id == al.c.agency_id))
                     .where(al.c.key.in_(keys))).all()
    ids = {r.id for r in rows if want is None or r.province in (None, want)}
    return ids.pop() if len(ids) == 1 else None


def _resolve(c, info: AgencyInfo) -> tuple[int | None, bool]:
    """(the agency's id or None, found through a variant rather than its own key)."""
    import sqlalchemy as sa
    al, a = S.agency_aliases, S.agencies
    aid = c.execute(sa.select(al.c.agency_id).where(al.c.key == info.key)).scalar()
    if aid is None:
        aid = c.execute(sa.select(a.c.id).where(a.c.key == info.key)).scalar()
    if aid is not None:
        return aid, False
    aid = _province_variant(c, info)
    return aid, aid is not None


def find_agency(c, name: str | None) -> int | None:
    """The id of the agency a printed name stands for, or None (nothing is created)."""
    if not name or not clean_name(name):
        return None
    info = describe(name)
    return _resolve(c, info)[0] if info.key else None


def add_alias(c, agency: int, name: str, source: str = "auto") -> bool:
    """Record that ``name`` is a printed name of ``agency`` (False: its key is already
    someone's name or alias — nothing changed)."""
    import sqlalchemy as sa
    al = S.agency_aliases
    info = describe(name)
    if not info.key or c.execute(sa.select(al.c.id).where(al.c.key == info.key)).first() is not None:
        return False
    c.execute(_insert_absent(c, al, dict(key=info.key, name=info.name, agency_id=agency, source=source)))
    return c.execute(sa.select(al.c.agency_id).where(al.c.key == info.key)).scalar() == agency


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
    found, by_variant = _resolve(c, info)
    if found is not None:
        row = c.execute(sa.select(a.c.province, a.c.city, a.c.county, a.c.level, a.c.mapped_by)
                        .where(a.c.id == found)).first()
        fill = {k: getattr(info, k) for k in ("province", "city", "county", "level")
                if getattr(row, k) is None and getattr(info, k) is not None}
        if fill and row.mapped_by == "auto":        # a fuller name tells more (江苏省淮安市 → province)
            c.execute(a.update().where(a.c.id == found).values(**fill))
        if by_variant:
            add_alias(c, found, info.name)
        return found
    parent_id = None
    if info.parent_key and _depth < 3:
        up = {"province": info.province}
        if info.county:
            up["city"] = info.city
        parent_id = agency_id(c, info.parent_key, _depth + 1, {k: v for k, v in up.items() if v})
    # another importer may add the same agency at the same moment: insert if absent, then read
    c.execute(_insert_absent(c, a, dict(key=info.key, name=info.name, province=info.province, city=info.city,
                                        county=info.county, kind=info.kind, level=info.level,
                                        parent_id=parent_id)))
    aid = c.execute(sa.select(a.c.id).where(a.c.key == info.key)).scalar()
    c.execute(_insert_absent(c, S.agency_aliases, dict(key=info.key, name=info.name, agency_id=aid)))
    return aid


def _insert_absent(c, table, values: dict, key: str = "key"):
    """INSERT … ON CONFLICT (key) DO NOTHING on SQLite and PostgreSQL."""
    if c.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).values(**values).on_conflict_do_nothing(index_elements=[key])
