"""Accounts of the web app, kept in the corpus database: users with an Argon2id password
hash and a role, their scopes (regions and agencies), and an audit row for every change
and every login.

Roles: ``admin`` 管理员 (everything), ``reviewer`` 审核人 (the agencies of some regions
and/or some listed agencies), ``staff`` 填报人 (one agency), ``guest`` 访客 (read-only,
every agency).  ``scope_of(user)`` turns a user into a :class:`Scope`, the filter every
corpus query of the web app goes through (``Scope.condition`` over the agencies table)."""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone

from . import schema as S
from .store import CorpusError

ROLES = {"admin": "管理员", "reviewer": "审核人", "staff": "填报人", "guest": "访客"}
WRITE_ROLES = ("admin", "reviewer", "staff")
ACTION_ZH = {"user.add": "添加用户", "user.password": "修改密码", "user.enable": "启用账户",
             "user.disable": "停用账户", "login": "登录", "login.failed": "登录失败"}
MIN_PASSWORD = 10
MAX_PASSWORD = 1024          # Argon2 hashes any length; a megabyte "password" is a denial of service
MAX_NAME = 100


class AccountError(CorpusError):
    """An account operation refused (unknown role, name taken, weak password …)."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    active: bool = True
    regions: tuple[str, ...] = ()
    agencies: tuple[int, ...] = ()          # agency ids
    agency_names: tuple[str, ...] = ()
    created_at: object = None

    @property
    def role_zh(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES


@dataclass(frozen=True)
class Region:
    """A region as the agencies table stores it (province, city, county; None: any)."""
    name: str
    province: str | None = None
    city: str | None = None
    county: str | None = None


@dataclass(frozen=True)
class Scope:
    """The agencies a user may see: every agency (``everything``), or those in one of
    ``regions`` or listed in ``agencies``.  An empty scope sees nothing."""
    everything: bool = False
    regions: tuple[Region, ...] = ()
    agencies: tuple[int, ...] = field(default_factory=tuple)

    def condition(self):
        """A SQLAlchemy condition over ``schema.agencies`` (None: no restriction)."""
        import sqlalchemy as sa
        if self.everything:
            return None
        a = S.agencies
        parts = [region_condition(r) for r in self.regions]
        if self.agencies:
            parts.append(a.c.id.in_(self.agencies))
        return sa.or_(*parts) if parts else sa.false()


EVERYTHING = Scope(everything=True)
NOTHING = Scope()


def region_condition(r: Region):
    """Agencies in region ``r``: the most specific part given must match exactly; the
    wider parts given must match or be unknown (淮安市公安局 has no province in its name
    and is still in 江苏省淮安市)."""
    import sqlalchemy as sa
    a = S.agencies
    given = [(col, v) for col, v in ((a.c.province, r.province), (a.c.city, r.city), (a.c.county, r.county)) if v]
    if not given:
        return sa.false()
    *wider, (col, v) = given
    return sa.and_(col == v, *[sa.or_(c == x, c.is_(None)) for c, x in wider])


def parse_region(text: str) -> Region:
    """"江苏省" / "淮安市" / "江苏省淮安市" / "海东市平安区" → Region (the places read as
    agency names are read: gongkai.corpus.agencies.describe)."""
    from .agencies import clean_name, describe
    name = clean_name(text or "")
    info = describe(name) if name else None
    if info is None or not (info.province or info.city or info.county):
        raise AccountError(f"无法识别地区「{text}」：请写省、市或县区的全称，如 江苏省、淮安市、江苏省淮安市")
    return Region(name=name, province=info.province, city=info.city, county=info.county)


def scope_of(user: User | None) -> Scope:
    """The scope of a user (None or an inactive user: nothing)."""
    if user is None or not user.active:
        return NOTHING
    if user.role in ("admin", "guest"):
        return EVERYTHING
    regions = tuple(parse_region(r) for r in user.regions) if user.role == "reviewer" else ()
    return Scope(regions=regions, agencies=tuple(user.agencies))


# ------------------------------------------------------------------ passwords

def _hasher():
    try:
        from argon2 import PasswordHasher
    except ImportError:
        raise AccountError("账户功能需要 argon2-cffi：pip install 'gongkai[web]'") from None
    return PasswordHasher()          # Argon2id with the library's current recommended parameters


def _check_password(password: str):
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AccountError(f"密码太短：至少 {MIN_PASSWORD} 个字符")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"密码太长：最多 {MAX_PASSWORD} 个字符")
    if password.strip() == "" or len(set(password)) < 4:
        raise AccountError("密码过于简单：请使用至少 4 种不同的字符")


def _check_name(name: str) -> str:
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        raise AccountError("用户名不能为空")
    if len(name) > MAX_NAME:
        raise AccountError(f"用户名太长：最多 {MAX_NAME} 个字符")
    if any(unicodedata.category(ch).startswith("C") or ch.isspace() for ch in name):
        raise AccountError("用户名不能含空白或控制字符")
    return name


def _now():
    return datetime.now(timezone.utc)


def audit(c, by: str, action: str, table: str, row_id: int, old: dict | None = None, new: dict | None = None):
    """One audit row (in the caller's transaction): who, when, what, the old and new values."""
    c.execute(S.audit.insert().values(at=_now(), by_user=by or "", action=action, table_name=table,
                                      row_id=row_id,
                                      old=None if old is None else json.dumps(old, ensure_ascii=False, default=str),
                                      new=json.dumps(new or {}, ensure_ascii=False, default=str)))


def _audit(c, by: str, action: str, row_id: int, detail: dict | None = None):
    audit(c, by, action, "users", row_id, None, detail)


# ------------------------------------------------------------------ users

def _agency_ids(c, names) -> tuple[list[int], list[str]]:
    """Agency names (as printed, or their matching key) → ids; unknown names → AccountError."""
    import sqlalchemy as sa
    from .agencies import clean_name, describe
    a = S.agencies
    ids, shown = [], []
    for n in names:
        key = describe(n).key if clean_name(n) else ""
        row = c.execute(sa.select(a.c.id, a.c.name).where(
            sa.or_(a.c.key == key, a.c.name == clean_name(n), a.c.name == n)).order_by(a.c.id)).first()
        if row is None:
            raise AccountError(f"语料库中没有机关「{n}」：请先导入它的报告，或检查名称")
        if row.id not in ids:
            ids.append(row.id)
            shown.append(row.name)
    return ids, shown


def _check_scope(role: str, regions, agencies):
    if role not in ROLES:
        raise AccountError(f"未知角色「{role}」（可选 {'、'.join(f'{k} {v}' for k, v in ROLES.items())}）")
    if role == "reviewer" and not (regions or agencies):
        raise AccountError("审核人须指定地区（--region）或机关（--agency）")
    if role == "staff" and (len(agencies) != 1 or regions):
        raise AccountError("填报人须指定且只指定一个机关（--agency），不能指定地区")
    if role in ("admin", "guest") and (regions or agencies):
        raise AccountError(f"{ROLES[role]}可查看全部机关，不能限定地区或机关")


def add_user(corpus, name: str, role: str, password: str, regions=(), agencies=(), by: str = "") -> User:
    """Create a user; ``regions``: region names (reviewer), ``agencies``: agency names
    (reviewer, or the one agency of a staff member).  Raises AccountError."""
    import sqlalchemy as sa
    name = _check_name(name)
    regions = [r for r in dict.fromkeys(x.strip() for x in regions) if r]
    agencies = [x for x in dict.fromkeys(x.strip() for x in agencies) if x]
    _check_scope(role, regions, agencies)
    region_names = [parse_region(r).name for r in regions]
    _check_password(password)
    digest = _hasher().hash(password)
    with corpus.engine.begin() as c:
        if c.execute(sa.select(S.users.c.id).where(S.users.c.name == name)).first():
            raise AccountError(f"用户名「{name}」已存在")
        ids, _ = _agency_ids(c, agencies)
        uid = c.execute(S.users.insert().values(name=name, password_hash=digest, role=role, active=True,
                                                created_at=_now())).inserted_primary_key[0]
        rows = [{"user_id": uid, "region": r, "agency_id": None} for r in region_names]
        rows += [{"user_id": uid, "region": None, "agency_id": i} for i in ids]
        if rows:
            c.execute(S.user_scopes.insert(), rows)
        _audit(c, by, "user.add", uid, {"name": name, "role": role, "regions": region_names, "agencies": ids})
    return get_user(corpus, uid)


def _load(c, rows) -> list[User]:
    import sqlalchemy as sa
    rows = list(rows)
    if not rows:
        return []
    sc, a = S.user_scopes, S.agencies
    scopes: dict[int, list] = {}
    for s in c.execute(sa.select(sc.c.user_id, sc.c.region, sc.c.agency_id, a.c.name)
                       .select_from(sc.outerjoin(a, a.c.id == sc.c.agency_id))
                       .where(sc.c.user_id.in_([r.id for r in rows])).order_by(sc.c.id)):
        scopes.setdefault(s.user_id, []).append(s)
    out = []
    for r in rows:
        mine = scopes.get(r.id, [])
        out.append(User(id=r.id, name=r.name, role=r.role, active=bool(r.active),
                        regions=tuple(s.region for s in mine if s.region),
                        agencies=tuple(s.agency_id for s in mine if s.agency_id is not None),
                        agency_names=tuple(s.name for s in mine if s.agency_id is not None),
                        created_at=r.created_at))
    return out


def _user_columns():
    u = S.users
    return (u.c.id, u.c.name, u.c.role, u.c.active, u.c.created_at)


def get_user(corpus, user_id: int) -> User | None:
    import sqlalchemy as sa
    with corpus.engine.connect() as c:
        found = _load(c, c.execute(sa.select(*_user_columns()).where(S.users.c.id == user_id)))
    return found[0] if found else None


def list_users(corpus) -> list[User]:
    import sqlalchemy as sa
    with corpus.engine.connect() as c:
        return _load(c, c.execute(sa.select(*_user_columns()).order_by(S.users.c.id)))


def password_stamp(corpus, user_id: int) -> str | None:
    """A short fingerprint of the user's password hash: a session stores it, and a
    changed password (or a disabled user: None) ends every older session."""
    import hashlib
    import sqlalchemy as sa
    u = S.users
    with corpus.engine.connect() as c:
        row = c.execute(sa.select(u.c.password_hash, u.c.active).where(u.c.id == user_id)).first()
    if row is None or not row.active:
        return None
    return hashlib.sha256(row.password_hash.encode()).hexdigest()[:16]


def session_user(corpus, user_id: int, stamp: str) -> User | None:
    """The user of a session, if the account is still active and its password has not
    changed since the session began (``stamp`` as ``password_stamp`` gave it)."""
    import hmac
    now = password_stamp(corpus, user_id)
    if now is None or not hmac.compare_digest(now, stamp or ""):
        return None
    return get_user(corpus, user_id)


_DUMMY_HASH = None


def authenticate(corpus, name: str, password: str, ip: str = "") -> User | None:
    """The user if ``name`` and ``password`` match an active account, else None (the
    same work either way: a missing name is not told apart by timing).  A hash made
    with older parameters is upgraded.  Every attempt is audited."""
    import sqlalchemy as sa
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
    global _DUMMY_HASH
    ph = _hasher()
    u = S.users
    name = unicodedata.normalize("NFC", (name or "").strip())[:MAX_NAME]
    password = (password or "")[:MAX_PASSWORD]
    with corpus.engine.connect() as c:
        row = c.execute(sa.select(u.c.id, u.c.password_hash, u.c.active).where(u.c.name == name)).first()
    ok = False
    if row is None:
        _DUMMY_HASH = _DUMMY_HASH or ph.hash("not a password of anyone")
        try:
            ph.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
    else:
        try:
            ok = ph.verify(row.password_hash, password) and bool(row.active)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    with corpus.engine.begin() as c:
        if ok and ph.check_needs_rehash(row.password_hash):
            c.execute(u.update().where(u.c.id == row.id).values(password_hash=ph.hash(password)))
        _audit(c, name, "login" if ok else "login.failed", row.id if row else 0, {"ip": ip})
    return get_user(corpus, row.id) if ok else None


def set_password(corpus, name: str, password: str, by: str = "") -> None:
    import sqlalchemy as sa
    _check_password(password)
    u = S.users
    with corpus.engine.begin() as c:
        uid = c.execute(sa.select(u.c.id).where(u.c.name == name)).scalar()
        if uid is None:
            raise AccountError(f"没有用户「{name}」")
        c.execute(u.update().where(u.c.id == uid).values(password_hash=_hasher().hash(password)))
        _audit(c, by, "user.password", uid)


def set_active(corpus, name: str, active: bool, by: str = "") -> None:
    import sqlalchemy as sa
    u = S.users
    with corpus.engine.begin() as c:
        uid = c.execute(sa.select(u.c.id).where(u.c.name == name)).scalar()
        if uid is None:
            raise AccountError(f"没有用户「{name}」")
        c.execute(u.update().where(u.c.id == uid).values(active=bool(active)))
        _audit(c, by, "user.enable" if active else "user.disable", uid)


def random_password(n: int = 16) -> str:
    """A password to hand out once (letters and digits without look-alikes)."""
    import secrets
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(n))
        if len(set(pw)) >= 4:
            return pw


def audit_log(corpus, limit: int = 100) -> list[dict]:
    """The latest account events (newest first)."""
    import sqlalchemy as sa
    au = S.audit
    with corpus.engine.connect() as c:
        rows = c.execute(sa.select(au).where(au.c.table_name == "users").order_by(au.c.id.desc()).limit(limit))
        return [dict(r._mapping) for r in rows]
