"""Loader for the national format description (``national.toml``) and the
character tables (``chars.toml``).  Everything else reads the format from here."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources


def _load(name: str) -> dict:
    return tomllib.loads(resources.files(__package__).joinpath(name).read_text("utf-8"))


@dataclass(frozen=True)
class LabelSpec:
    """Something the parser looks for in a report: a row, group, header or section heading."""
    key: str                 # "t3.row:new", "t3.group:denied", "t2.header:本年制发件数", "section:overview"
    table: str               # "t2" | "t3" | "t4" | "section"
    kind: str                # "row" | "group" | "header" | "section"
    ident: str               # row/group/section id or header core
    label: str               # official text
    prefix: str = ""         # numbering, e.g. "（三）", "2.", "一、"
    cores: tuple = ()        # ((text, is_typo), ...)
    prefixed: tuple = ()     # cores that must be matched with their prefix (e.g. "（六）其他")
    require_prefix: bool = False
    suffixes: tuple = ()
    format: str | None = None   # header that identifies a format


@dataclass(frozen=True)
class T3Row:
    id: str
    label: str
    kind: str                # input | outcome | total | output
    group: str | None
    formats: tuple


@dataclass
class NationalFormat:
    raw: dict
    sections: list = field(default_factory=list)
    labels: list = field(default_factory=list)

    # ---- table 2
    def t2_rows(self, fmt: str) -> list[tuple[str, list[str]]]:
        out = []
        for r in self.raw["t2"]["rows"]:
            fs = r.get("fields", {}).get(fmt)
            if fs:
                out.append((r["id"], list(fs)))
        return out

    def t2_field_ids(self, fmt: str) -> list[str]:
        return [f"t2.{rid}.{f}" for rid, fs in self.t2_rows(fmt) for f in fs]

    def t2_field_info(self, fid: str) -> dict:
        return self.raw["t2"]["fields"][fid[3:]]

    # ---- table 3
    @property
    def t3_columns(self) -> list[str]:
        return [c["id"] for c in self.raw["t3"]["columns"]]

    def t3_rows(self, fmt: str) -> list[T3Row]:
        cache = self.__dict__.setdefault("_t3_rows", {})
        if fmt not in cache:
            cache[fmt] = tuple(T3Row(r["id"], r["label"], r["kind"], r.get("group"),
                                     tuple(r.get("formats", ("2019", "2021"))))
                               for r in self.raw["t3"]["rows"] if fmt in r.get("formats", ("2019", "2021")))
        return list(cache[fmt])

    def t3_field_ids(self, fmt: str) -> list[str]:
        return [f"t3.{r.id}.{c}" for r in self.t3_rows(fmt) for c in self.t3_columns]

    # ---- table 4
    @property
    def t4_groups(self) -> list[str]:
        return [g["id"] for g in self.raw["t4"]["groups"]]

    @property
    def t4_columns(self) -> list[str]:
        return [c["id"] for c in self.raw["t4"]["columns"]]

    def t4_field_ids(self) -> list[str]:
        return [f"t4.{g}.{c}" for g in self.t4_groups for c in self.t4_columns]

    def field_ids(self, t2_format: str = "2021", t3_format: str = "2021") -> list[str]:
        return self.t2_field_ids(t2_format) + self.t3_field_ids(t3_format) + self.t4_field_ids()

    def all_fields(self) -> list[tuple[str, str, str]]:
        """(field id, official label, formats) for every field of both formats (docs)."""
        out = []
        seen = set()
        for fmt in ("2021", "2019"):
            for fid in self.t2_field_ids(fmt):
                if fid in seen:
                    continue
                seen.add(fid)
                info = self.t2_field_info(fid)
                out.append((fid, "表二 · " + info["label"], info["format"]))
        cols = {c["id"]: (c.get("group", "") + " · " if c.get("group") else "") + c["label"]
                for c in self.raw["t3"]["columns"]}
        for r in self.raw["t3"]["rows"]:
            fm = r.get("formats", ["2019", "2021"])
            fm = "both" if len(fm) == 2 else fm[0]
            for c in self.t3_columns:
                out.append((f"t3.{r['id']}.{c}", f"表三 · {r['label']} · {cols[c]}", fm))
        gl = {g["id"]: g["label"] for g in self.raw["t4"]["groups"]}
        cl = {c["id"]: c["label"] for c in self.raw["t4"]["columns"]}
        for g in self.t4_groups:
            for c in self.t4_columns:
                out.append((f"t4.{g}.{c}", f"表四 · {gl[g]} · {cl[c]}", "both"))
        return out

    def field_kind(self, fid: str) -> str:
        if fid.startswith("t2."):
            return self.t2_field_info(fid)["kind"]
        return "count"


def _spec_from(table, kind, d, ident=None, fmt=None):
    cores = [(d["core"], False)] + [(v, False) for v in d.get("variants", [])] + \
            [(v, True) for v in d.get("typos", [])]
    sfx = ()
    if d.get("suffix"):
        sfx = tuple([d["suffix"]] + d.get("suffix_variants", []))
    ident = ident or d.get("id") or d["core"]
    return LabelSpec(
        key=f"{table}.{kind}:{ident}", table=table, kind=kind, ident=ident,
        label=d.get("label", d["core"]), prefix=d.get("prefix", ""), cores=tuple(cores),
        prefixed=tuple(d.get("variants_prefixed", [])),
        require_prefix=d.get("require_prefix", False), suffixes=sfx, format=fmt or d.get("format"))


@lru_cache(maxsize=1)
def national() -> NationalFormat:
    raw = _load("national.toml")
    nf = NationalFormat(raw)
    labels = []
    for s in raw["sections"]:
        d = {"core": s["label"], "variants": s.get("variants", []), "prefix": s["number"] + "、",
             "label": s["number"] + "、" + s["label"]}
        labels.append(_spec_from("section", "section", d, ident=s["id"]))
        nf.sections.append(s)
    for h in raw["t2"]["headers"]:
        labels.append(_spec_from("t2", "header", h))
    for r in raw["t2"]["rows"]:
        labels.append(_spec_from("t2", "row", r))
    for h in raw["t3"]["headers"]:
        labels.append(_spec_from("t3", "header", h))
    for g in raw["t3"]["groups"]:
        if g["id"] == "other":
            continue  # the same printed label as the 2019 row "other": one spec (the row) serves both
        labels.append(_spec_from("t3", "group", g))
    for r in raw["t3"]["rows"]:
        d = dict(r)
        if r["id"] == "other":
            grp = next(g for g in raw["t3"]["groups"] if g["id"] == "other")
            d["variants_prefixed"] = grp.get("variants_prefixed", [])
        labels.append(_spec_from("t3", "row", d))
    for h in raw["t4"]["headers"]:
        labels.append(_spec_from("t4", "header", h))
    nf.labels = labels
    return nf


@lru_cache(maxsize=1)
def chars() -> dict:
    raw = _load("chars.toml")
    trad = {}
    for pair in raw["traditional"].split():
        if len(pair) == 2:
            trad[pair[0]] = pair[1]
    return {"traditional": trad, "ignorable": raw["ignorable"], "blank_markers": raw["blank_markers"]}
