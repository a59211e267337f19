"""机关名录 (the unit catalogue), on SQLite and PostgreSQL: kinds and levels read from
names, printed variants resolving to one agency, merging, editing, the catalogue file
(CSV/XLSX) round trip and its per-row problems, the upgrade of an older database."""
import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_corpus_db import db  # noqa: F401  (the corpus on SQLite and on PostgreSQL)

from gongkai.corpus import Corpus
from gongkai.corpus import schema as S
from gongkai.corpus.accounts import EVERYTHING
from gongkai.corpus.agencies import agency_id, describe, find_agency, kind_names, level_names
from gongkai.corpus.catalogue import CatalogueError, get_agency, list_agencies, merge_agencies, update_agency
from gongkai.corpus.catalogue_file import COLUMNS, catalogue_bytes, catalogue_rows, import_catalogue

# name → (key, kind, level, province, city, county, parent key)
NAMES = {
    "江苏省淮安市公安局": ("淮安市公安局", "department", "city", "江苏省", "淮安市", None, "淮安市"),
    "江苏淮安市公安局": ("淮安市公安局", "department", "city", "江苏省", "淮安市", None, "淮安市"),
    "淮安市 公安局": ("淮安市公安局", "department", "city", None, "淮安市", None, "淮安市"),
    "淮安市人民政府": ("淮安市", "government", "city", None, "淮安市", None, None),
    "江苏省人民政府": ("江苏省", "government", "province", "江苏省", None, None, None),
    "江苏省公安厅": ("江苏省公安厅", "department", "province", "江苏省", None, None, "江苏省"),
    "江苏省沭阳县人民政府": ("江苏省沭阳县", "government", "county", "江苏省", None, "沭阳县", "江苏省"),
    "北京市朝阳区人民政府": ("北京市朝阳区", "government", "county", "北京市", "北京市", "朝阳区", "北京市"),
    "北京市公安局": ("北京市公安局", "department", "province", "北京市", "北京市", None, "北京市"),
    "海西蒙古族藏族自治州格尔木市人民政府": ("海西蒙古族藏族自治州格尔木市", "government", "county", None,
                                "海西蒙古族藏族自治州", None, "海西蒙古族藏族自治州"),
    # 办公室 / 办 / 政府办公室: one office
    "淮安市人民政府办公室": ("淮安市人民政府办公室", "department", "city", None, "淮安市", None, "淮安市"),
    "淮安市政府办": ("淮安市人民政府办公室", "department", "city", None, "淮安市", None, "淮安市"),
    "淮安市政府办公室": ("淮安市人民政府办公室", "department", "city", None, "淮安市", None, "淮安市"),
    # township level
    "淮安市清江浦区清河街道办事处": ("淮安市清江浦区清河街道", "street", "township", None, "淮安市", "清江浦区",
                          "淮安市清江浦区"),
    "南京市玄武区孝陵卫街道": ("南京市玄武区孝陵卫街道", "street", "township", None, "南京市", "玄武区", "南京市玄武区"),
    "清河街道办": ("清河街道", "street", "township", None, None, None, None),
    "沭阳县钱集镇人民政府": ("沭阳县钱集镇", "township", "township", None, None, "沭阳县", "沭阳县"),
    "东莞市虎门镇人民政府": ("东莞市虎门镇", "township", "township", None, "东莞市", None, "东莞市"),
    "某县某某民族乡人民政府": ("某县某某民族乡", "township", "township", None, None, "某县", "某县"),
    # a township's own office is one of its departments
    "沭阳县钱集镇人民政府党政办公室": ("沭阳县钱集镇人民政府党政办公室", "department", "township", None, None, "沭阳县",
                           "沭阳县钱集镇"),
    # …乡/…镇 inside a department's name is no township
    "淮安市乡村振兴局": ("淮安市乡村振兴局", "department", "city", None, "淮安市", None, "淮安市"),
    "淮安市住房和城乡建设局": ("淮安市住房和城乡建设局", "department", "city", None, "淮安市", None, "淮安市"),
    "镇江市人民政府": ("镇江市", "government", "city", None, "镇江市", None, None),
    "淮安市城市管理局": ("淮安市城市管理局", "department", "city", None, "淮安市", None, "淮安市"),
    # development zones: a city's 开发区 is a devzone, not a department or a district
    "淮安经济技术开发区管理委员会": ("淮安经济技术开发区", "devzone", None, None, None, None, None),
    "淮安市经济技术开发区": ("淮安市经济技术开发区", "devzone", "city", None, "淮安市", None, "淮安市"),
    "淮安高新区管委会": ("淮安高新区", "devzone", None, None, None, None, None),
    "苏州工业园区管理委员会": ("苏州工业园区", "devzone", "city", None, "苏州", None, "苏州"),
    "雄安新区管理委员会": ("雄安新区", "devzone", None, None, None, None, None),
    "淮安经济技术开发区财政局": ("淮安经济技术开发区财政局", "department", None, None, None, None, "淮安经济技术开发区"),
    "淮安经济技术开发区枚乘街道办事处": ("淮安经济技术开发区枚乘街道", "street", "township", None, None, None,
                             "淮安经济技术开发区"),
    # …but a district named 新区 with a government is a district
    "上海市浦东新区人民政府": ("上海市浦东新区", "government", "county", "上海市", "上海市", "浦东新区", "上海市"),
}


@pytest.mark.parametrize("name", list(NAMES))
def test_describe_reads_kind_level_region_and_parent(name):
    i = describe(name)
    assert (i.key, i.kind, i.level, i.province, i.city, i.county, i.parent_key) == NAMES[name]


def test_kinds_and_levels_come_from_one_data_table():
    from gongkai.corpus.board import KIND_ZH
    assert kind_names() == KIND_ZH == {"government": "政府", "department": "部门", "street": "街道",
                                       "township": "乡镇", "devzone": "开发区"}
    assert list(level_names().values()) == ["省级", "市级", "县级", "乡级"]
    assert {describe(n).kind for n in NAMES} <= set(kind_names())
    assert {describe(n).level for n in NAMES} - {None} <= set(level_names())


def _store(c, name, year, i):
    """A minimal stored report of ``name`` (``i``: its seed and file hash)."""
    import random
    from gongkai import parse_text
    from gongkai.synth import random_values, write
    text, _t = write(random_values(random.Random(i), "2021", 10), "clean", "2021", random.Random(i),
                     agency=name, year=year)
    return c.store_report({"sha256": f"{i:064d}", "path": f"/x/{i}.txt", "size": 1, "format": "text",
                           "parser_version": 2, "status": "ok", "error": None}, parse_text(text))


def _ids(c, *names):
    with c.engine.begin() as conn:
        return [agency_id(conn, n) for n in names]


def test_printed_variants_of_a_name_resolve_to_one_agency(db):
    c = Corpus(db)
    a = _ids(c, "沭阳县人民政府", "江苏省沭阳县人民政府", "沭阳县政府", "沭阳县 人民政府", "沭阳县人民政府（沭阳县人民政府办公室编制）")
    assert len(set(a)) == 1
    b = _ids(c, "淮安市人民政府办公室", "淮安市政府办", "江苏省淮安市人民政府办公室", "淮安市政府办公室")
    assert len(set(b)) == 1
    # the short form resolves to the longer stored one, and the province it says is recorded
    d = _ids(c, "江苏省泗洪县人民政府", "泗洪县人民政府")
    assert d[0] == d[1]
    # another province is not the same county; a municipality's district is not matched by its name alone
    e = _ids(c, "浙江省沭阳县人民政府", "北京市朝阳区人民政府", "朝阳区人民政府")
    assert e[0] != a[0] and e[1] != e[2]
    with c.engine.connect() as conn:
        assert find_agency(conn, "江苏沭阳县人民政府") == a[0]
        assert find_agency(conn, "不存在的机关") is None
        n_alias = conn.execute(S.agency_aliases.select().where(S.agency_aliases.c.agency_id == a[0])).all()
    assert {x.key for x in n_alias} >= {"沭阳县", "江苏省沭阳县"}
    # two reports printed differently land on one agency
    _store(c, "沭阳县人民政府", 2023, 1)
    _store(c, "江苏省沭阳县人民政府", 2024, 2)
    got = get_agency(c, a[0], EVERYTHING)
    assert got.reports == 2 and got.province == "江苏省"


def test_merge_moves_reports_aliases_scopes_children_and_is_audited(db):
    import sqlalchemy as sa
    from gongkai.corpus.accounts import add_user, get_user
    c = Corpus(db)
    _store(c, "宿迁市沭阳县人民政府", 2023, 11)
    _store(c, "沭阳县人民政府", 2024, 12)
    _store(c, "沭阳县人民政府", 2023, 13)
    _store(c, "宿迁市沭阳县钱集镇人民政府", 2024, 14)        # a child of the first
    keep, gone = _ids(c, "沭阳县人民政府", "宿迁市沭阳县人民政府")
    assert keep != gone
    add_user(c, "staff1", "staff", "long-password-1", agencies=["宿迁市沭阳县人民政府"])
    with c.engine.begin() as conn:
        conn.execute(S.relations.insert().values(parent_id=gone, child_id=_ids(c, "宿迁市沭阳县钱集镇")[0]))
    before = c.counts()["reports"]
    m = merge_agencies(c, keep, gone, by="admin")
    assert (m.kept, m.merged, m.reports) == ("沭阳县人民政府", "宿迁市沭阳县人民政府", 1)
    assert c.counts()["reports"] == before                    # never loses a report
    got = get_agency(c, keep, EVERYTHING)
    assert got.reports == 3 and "宿迁市沭阳县人民政府" in got.aliases and got.mapped_by == "user"
    assert got.city == "宿迁市"                              # what the kept one lacked
    assert get_agency(c, gone, EVERYTHING) is None
    with c.engine.connect() as conn:
        town = conn.execute(sa.select(S.agencies).where(S.agencies.c.key == "宿迁市沭阳县钱集镇")).one()
        assert town.parent_id == keep
        assert conn.execute(sa.select(S.relations.c.parent_id)).scalars().all() == [keep]
        assert find_agency(conn, "宿迁市沭阳县人民政府") == keep
        log = conn.execute(sa.select(S.audit).where(S.audit.c.action == "agency.merge")).one()
    assert log.by_user == "admin" and log.row_id == keep and "宿迁市沭阳县人民政府" in log.old
    assert get_user(c, get_user_id(c, "staff1")).agencies == (keep,)
    # a later report under the merged name lands on the kept agency (the store's cache too)
    _store(c, "宿迁市沭阳县人民政府", 2025, 15)
    assert get_agency(c, keep, EVERYTHING).reports == 4
    with pytest.raises(CatalogueError, match="并入它自己"):
        merge_agencies(c, keep, keep, by="admin")
    with pytest.raises(CatalogueError, match=f"没有编号为 {gone} 的机关"):
        merge_agencies(c, keep, gone, by="admin")


def get_user_id(c, name):
    import sqlalchemy as sa
    with c.engine.connect() as conn:
        return conn.execute(sa.select(S.users.c.id).where(S.users.c.name == name)).scalar()


def test_edit_sets_kind_level_parent_refuses_cycles_and_is_kept(db):
    import sqlalchemy as sa
    c = Corpus(db)
    city, dept = _ids(c, "淮安市人民政府", "淮安市某某服务中心")
    got = update_agency(c, dept, "admin", "乡镇", "township", "淮安市")
    assert (got.kind, got.level, got.parent_id, got.mapped_by) == ("township", "township", city, "user")
    with pytest.raises(CatalogueError, match="它是「淮安市人民政府」的下级"):
        update_agency(c, city, "admin", "government", "city", "淮安市某某服务中心")
    with pytest.raises(CatalogueError, match="不在名录中"):
        update_agency(c, dept, "admin", "department", "", "不存在的上级")
    with pytest.raises(CatalogueError, match="类别「机构」无效"):
        update_agency(c, dept, "admin", "机构", "", "")
    update_agency(c, dept, "admin", "department", "", "")     # level and parent removed
    _ids(c, "江苏省淮安市某某服务中心")                          # a fuller name, imported later
    got = get_agency(c, dept, EVERYTHING)
    assert (got.kind, got.level, got.parent_id, got.province) == ("department", None, None, None)
    with c.engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(S.audit)
                         .where(S.audit.c.action == "agency.edit")).scalar()
    assert n == 2


def _csv(rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _snapshot(c):
    with c.engine.connect() as conn:
        return ([tuple(r) for r in conn.execute(S.agencies.select().order_by(S.agencies.c.id))],
                [tuple(r) for r in conn.execute(S.agency_aliases.select().order_by(S.agency_aliases.c.id))])


def test_import_checks_every_row_and_applies_nothing_on_a_bad_file(db):
    c = Corpus(db)
    _ids(c, "淮安市公安局", "淮安市财政局", "沭阳县人民政府")
    before = _snapshot(c)
    bad = _csv([
        ["淮安市公安局", "", "", "", "市级", "部门", "淮安市", ""],        # 2: fine
        ["淮安市财政局", "", "", "", "地级", "", "", ""],                  # 3: bad level
        ["新机关甲", "", "", "", "", "机构", "", ""],                      # 4: bad kind
        ["新机关乙", "江南省", "", "", "", "", "", ""],                    # 5: not a province
        ["", "江苏省", "", "", "", "", "", ""],                           # 6: no name
        ["新机关丙", "", "", "", "", "", "查无此机关", ""],                 # 7: unknown parent
        ["沭阳县人民政府", "", "", "", "", "", "", ""],                    # 8: fine
        ["江苏省沭阳县人民政府", "", "", "", "", "", "", ""],               # 9: the same agency as row 8
        ["新机关丁", "", "", "", "", "", "", "淮安市公安局；淮安市财政局"],   # 10: aliases of two agencies
        ["淮安市财政局", "", "", "", "", "", "", "淮安市公安局"],            # 11: an alias of another agency
    ])
    r = import_catalogue(c, bad, "csv", by="admin")
    assert not r.applied and "未做任何修改" in r.message
    text = "\n".join(r.problems)
    for expected in ("第 3 行：层级「地级」无效", "第 4 行：类别「机构」无效", "第 5 行：省「江南省」不是省级行政区",
                     "第 6 行：名称为空", "第 7 行：上级机关「查无此机关」不在名录中",
                     "第 9 行：「江苏省沭阳县人民政府」与第 8 行是同一机关",
                     "第 10 行：别名 「淮安市公安局」、「淮安市财政局」 分属不同机关",
                     "第 11 行：别名「淮安市公安局」已是另一机关「淮安市公安局」的名称或别名"):
        assert expected in text, (expected, text)
    assert "第 2 行" not in text and "第 8 行：" not in text
    assert _snapshot(c) == before                            # nothing applied, nothing created
    cycle = _csv([["淮安市公安局", "", "", "", "", "", "淮安市财政局", ""],
                  ["淮安市财政局", "", "", "", "", "", "淮安市公安局", ""]])
    r = import_catalogue(c, cycle, "csv")
    assert not r.applied and "形成循环" in r.problems[0] and _snapshot(c) == before
    for data, fmt, msg in ((b"\xff\xfe\x00garbage", "csv", "编码"), (b"PK\x03\x04junk", "xlsx", "XLSX"),
                           ("名字,省\nx,y\n".encode(), "csv", "未知的列「名字」"), (b"", "csv", "空的")):
        with pytest.raises(CatalogueError, match=msg):
            import_catalogue(c, data, fmt)
    assert _snapshot(c) == before


def test_import_updates_renames_adds_and_keeps_user_values(db):
    import sqlalchemy as sa
    c = Corpus(db)
    pol, town, fin = _ids(c, "淮安市公安局", "沭阳县钱集镇人民政府", "淮安市财政局")
    _store(c, "淮安市公安局", 2024, 21)
    data = _csv([
        ["淮安市公安局", "江苏省", "", "", "", "", "无", "淮安市公安局（本级）；淮安公安"],   # province set, parent removed
        ["沭阳县钱集镇人民政府", "江苏", "宿迁市", "", "", "", "", ""],
        ["淮安经济技术开发区管理委员会", "", "淮安市", "", "市级", "", "淮安市", ""],        # new
        ["淮安市财政局机关", "", "", "", "", "", "", "淮安市财政局"],                  # renamed through its alias
    ])
    r = import_catalogue(c, data, "csv", by="admin")
    assert r.applied and r.problems == [] and (r.created, r.updated, r.unchanged) == (1, 3, 0), r.problems
    assert "新增 1 个机关，修改 3 个" in r.message
    t = get_agency(c, town, EVERYTHING)
    assert (t.province, t.city, t.county, t.kind) == ("江苏省", "宿迁市", "沭阳县", "township")
    f = get_agency(c, fin, EVERYTHING)
    assert f.name == "淮安市财政局机关" and f.aliases == ("淮安市财政局",)
    p = get_agency(c, pol, EVERYTHING)
    assert (p.province, p.parent_id, p.mapped_by, p.reports) == ("江苏省", None, "user", 1)
    assert set(p.aliases) == {"淮安市公安局(本级)", "淮安公安"}
    with c.engine.connect() as conn:
        dz = conn.execute(sa.select(S.agencies).where(S.agencies.c.name == "淮安经济技术开发区管理委员会")).one()
        assert (dz.kind, dz.level, dz.city, dz.mapped_by) == ("devzone", "city", "淮安市", "user")
        assert find_agency(conn, "淮安公安") == pol
    # a later automatic import keeps what the user set
    _store(c, "江苏省淮安市公安局", 2025, 22)
    assert get_agency(c, pol, EVERYTHING).parent_id is None
    # the unchanged file again: nothing changes
    again = import_catalogue(c, catalogue_bytes(c, "csv"), "csv")
    assert again.applied and again.updated == 0 and again.created == 0


def test_import_reads_the_old_mapping_headers_and_gbk(db):
    c = Corpus(db)
    (gov,) = _ids(c, "沭阳县人民政府")
    old = "key,name,province,city,county,kind,parent\n沭阳县,沭阳县人民政府,江苏省,宿迁市,,government,\n"
    r = import_catalogue(c, old.encode("utf-8-sig"), "csv")
    assert r.applied and r.updated == 1, r.problems
    assert get_agency(c, gov, EVERYTHING).city == "宿迁市"
    gbk = ("名称,类别\n沭阳县人民政府,乡镇\n").encode("gb18030")
    assert import_catalogue(c, gbk, "csv").applied
    assert get_agency(c, gov, EVERYTHING).kind == "township"


def test_cells_that_look_like_formulas_stay_text(db):
    from openpyxl import load_workbook
    c = Corpus(db)
    _ids(c, "=HYPERLINK(\"http://x\")局", "+淮安局")
    rows = catalogue_rows(c)
    assert any(r[0].startswith("=HYPERLINK") for r in rows)
    csv_text = catalogue_bytes(c, "csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "'+淮安局" in csv_text
    ws = load_workbook(io.BytesIO(catalogue_bytes(c, "xlsx"))).active
    cells = [cell for row in ws.iter_rows() for cell in row if str(cell.value or "").startswith("=")]
    assert cells and all(cell.data_type == "s" for cell in cells)
    for fmt in ("csv", "xlsx"):                              # and read back as they were
        r = import_catalogue(c, catalogue_bytes(c, fmt), fmt)
        assert r.applied and r.updated == 0 and r.created == 0, r.problems


PLACES = ["淮安市", "宿迁市", "沭阳县", "南京市玄武区", "江苏省", "海东市平安区", "洛阳市"]
UNITS = ["人民政府", "公安局", "财政局", "教育局", "人民政府办公室", "经济技术开发区管理委员会", "某某街道办事处",
         "某某镇人民政府", "市场监督管理局"]
_agency = st.fixed_dictionaries({
    "name": st.tuples(st.sampled_from(PLACES), st.sampled_from(UNITS)).map("".join),
    "province": st.sampled_from(["", "江苏省", "青海省"]),
    "city": st.sampled_from(["", "淮安市", "某市"]),
    "level": st.sampled_from([""] + list(level_names().values())),
    "kind": st.sampled_from([""] + list(kind_names().values())),
    "alias": st.sampled_from(["", "别名甲", "别名乙"]),
})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(_agency, min_size=1, max_size=8, unique_by=lambda x: describe(x["name"]).key),
       fmt=st.sampled_from(["csv", "xlsx"]))
def test_export_edit_import_round_trip(tmp_path_factory, specs, fmt):
    """A catalogue file imported into an empty corpus exports as itself (the cells it set);
    the export imported into another corpus exports the same again."""
    d = tmp_path_factory.mktemp("rt")
    a = Corpus(str(d / "a.db"))
    seen_alias = set()
    rows = []
    for s in specs:
        alias = s["alias"] + s["name"][:2] if s["alias"] else ""
        if alias in seen_alias or (alias and describe(alias).key in {describe(x["name"]).key for x in specs}):
            alias = ""
        seen_alias.add(alias)
        rows.append([s["name"], s["province"], s["city"], "", s["level"], s["kind"], "", alias])
    r = import_catalogue(a, _csv(rows), "csv")
    assert r.applied and r.created == len(rows), r.problems
    out = {x[0]: x for x in catalogue_rows(a)[1:]}
    assert set(out) == {s["name"] for s in specs}
    for row in rows:
        got = out[row[0]]
        for i in (1, 2, 4, 5):                               # what the file set, it kept
            if row[i]:
                assert got[i] == row[i], (row, got)
        assert got[7] == row[7]
    b = Corpus(str(d / "b.db"))
    r = import_catalogue(b, catalogue_bytes(a, fmt), fmt)
    assert r.applied, r.problems
    assert catalogue_rows(b) == catalogue_rows(a)
    edited = [list(x) for x in catalogue_rows(b)]
    edited[1][5] = "开发区" if edited[1][5] != "开发区" else "部门"
    r = import_catalogue(b, _csv(edited[1:]), "csv")
    assert r.applied and r.updated == 1 and catalogue_rows(b)[1][5] == edited[1][5]


def test_list_filters_by_region_kind_level_name_and_scope(db):
    from gongkai.corpus.accounts import Scope, parse_region
    c = Corpus(db)
    _ids(c, "淮安市公安局", "淮安市清江浦区清河街道办事处", "沭阳县钱集镇人民政府", "洛阳市财政局")
    _store(c, "淮安市公安局", 2024, 31)
    names = lambda L: {x.name for x in L.rows}  # noqa: E731
    assert names(list_agencies(c, EVERYTHING, kind="street")) == {"淮安市清江浦区清河街道办事处"}
    assert names(list_agencies(c, EVERYTHING, kind="乡镇")) == {"沭阳县钱集镇人民政府"}
    assert names(list_agencies(c, EVERYTHING, level="township")) == {"淮安市清江浦区清河街道办事处", "沭阳县钱集镇人民政府"}
    assert "洛阳市财政局" not in names(list_agencies(c, EVERYTHING, region="淮安市"))
    assert names(list_agencies(c, EVERYTHING, q="公安")) == {"淮安市公安局"}
    assert names(list_agencies(c, EVERYTHING, q="%")) == set()           # a LIKE wildcard is a character
    L = list_agencies(c, EVERYTHING, region="淮安市", per_page=2)
    assert L.total == 4 and L.pages == 2 and len(L.rows) == 2
    assert {x.name: x.reports for x in list_agencies(c, EVERYTHING).rows}["淮安市公安局"] == 1
    mine = Scope(regions=(parse_region("洛阳市"),))
    assert names(list_agencies(c, mine)) <= {"洛阳市财政局", "洛阳市"}
    assert "淮安市" not in catalogue_bytes(c, "csv", mine).decode("utf-8-sig")
    with pytest.raises(CatalogueError, match="层级「地级」无效"):
        list_agencies(c, EVERYTHING, level="地级")


def test_upgrade_from_0004_keeps_kinds_and_derives_levels(db):
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config
    from conftest import ROOT
    from gongkai.corpus.store import db_url
    url = db_url(db)
    eng = sa.create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "src" / "gongkai" / "corpus" / "migrations"))
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
        for key, name, kind in (("淮安市", "淮安市人民政府", "government"), ("淮安市公安局", "淮安市公安局", "department"),
                                ("淮安市清江浦区清河街道办事处", "淮安市清江浦区清河街道办事处", "government"),
                                ("淮安市政府办", "淮安市政府办", "department")):
            conn.exec_driver_sql("INSERT INTO agencies (key, name, kind, mapped_by) VALUES "
                                 + ("(%s, %s, %s, 'auto')" if url.startswith("postgresql") else "(?, ?, ?, 'auto')"),
                                 (key, name, kind))
    eng.dispose()
    c = Corpus(db)
    rows = {x.name: x for x in list_agencies(c, EVERYTHING).rows}
    assert rows["淮安市人民政府"].level == "city" and rows["淮安市公安局"].level == "city"
    street = rows["淮安市清江浦区清河街道办事处"]
    assert street.kind == "government" and street.level == "township"        # the kind kept, the level read
    with c.engine.connect() as conn:
        # the old key and today's key of a name both lead to it
        assert find_agency(conn, "淮安市清江浦区清河街道") == street.id
        assert find_agency(conn, "淮安市人民政府办公室") == rows["淮安市政府办"].id
    # a report printed the new way joins the old agency
    with c.engine.begin() as conn:
        assert agency_id(conn, "淮安市清江浦区清河街道办事处") == street.id
