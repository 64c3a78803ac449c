"""Who is asking (SPEC §1): principals, roles, project scopes, and bearer tokens.

A principal is a person or a script, in one role, for some projects. People sign in with
an account (`shared.accounts`); integrations and scripts use bearer tokens, which are
random and stored only as their sha256. Every rule about who may do what starts here.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from shared.hashing import sha256_hex
from shared.tables import accounts, employees, projects, tokens

ROLES: tuple[str, ...] = ("employee", "lead", "supervisor", "manager", "gm", "auditor", "admin")
RECORDERS = frozenset({"lead", "supervisor", "manager", "gm", "admin"})
SUPERVISORS = frozenset({"supervisor", "manager", "gm", "admin"})
MANAGERS = frozenset({"manager", "gm", "admin"})
READERS = frozenset(ROLES)
# Need to know (SPEC §1): money (payroll, annual, the department sheet's money columns).
MONEY_READERS = frozenset({"manager", "gm", "auditor", "admin"})


@dataclass(frozen=True)
class Principal:
    user: str
    role: str
    projects: frozenset[str]
    token_id: str | None = None
    name: str = ""  # how documents name them: 姓名 (工号), or the account's display name
    account_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def display(self) -> str:
        return self.name or self.user

    def in_scope(self, project: str | None) -> bool:
        return self.is_admin or (project is not None and project in self.projects)

    def has(self, roles: Iterable[str]) -> bool:
        return self.role in set(roles)

    @property
    def can_write(self) -> bool:
        return self.role != "auditor"

    @property
    def sees_money(self) -> bool:
        return self.role in MONEY_READERS


class AccessInvalid(ValueError):
    """A token or account that cannot be made: unknown role, project or 工号 (message in Chinese)."""


def check_grant(conn: Connection, role: str, projects_: Iterable[str], employee_no: str | None) -> list[str]:
    """The project scope for a new token or account, after refusing what does not exist.

    An employee's scope defaults to the project they work in now.
    """
    if role not in ROLES:
        raise AccessInvalid(f"未知角色 {role!r} (unknown role; one of {', '.join(ROLES)})")
    scope = sorted(set(projects_))
    known = set(conn.execute(select(projects.c.code).where(projects.c.code.in_(scope))).scalars())
    unknown = [p for p in scope if p not in known]
    if unknown:
        raise AccessInvalid(f"未知项目 {', '.join(unknown)} (unknown project)")
    if role == "employee":
        if not employee_no:
            raise AccessInvalid("员工账号需指定工号 (an employee needs their 工号)")
        home = conn.execute(select(employees.c.project).where(employees.c.employee_no == employee_no)).scalar()
        if home is None:
            raise AccessInvalid(f"未知工号 {employee_no!r} (unknown employee)")
        scope = scope or [home]
    if role != "admin" and not scope:
        raise AccessInvalid(f"{role} 需至少一个项目 (a {role} needs at least one --project)")
    return scope


def new_token() -> str:
    return "jx_" + secrets.token_urlsafe(32)


def create_token(conn: Connection, user: str, role: str, projects_: Iterable[str]) -> str:
    """Store a new token for `user` in `role` over `projects`; return it (shown once).

    For `--role employee`, `user` is the employee's 工号 and must exist.
    """
    scope = check_grant(conn, role, projects_, user if role == "employee" else None)
    token = new_token()
    conn.execute(tokens.insert().values(
        id=str(uuid.uuid4()), token_hash=sha256_hex(token), user=user, role=role,
        projects=scope, created_at=datetime.now(UTC), revoked=False, revoked_at=None,
    ))
    return token


def list_tokens(conn: Connection) -> list[dict[str, Any]]:
    """Every token (never the secret itself), newest first."""
    rows = conn.execute(select(tokens.c.id, tokens.c.user, tokens.c.role, tokens.c.projects,
                               tokens.c.created_at, tokens.c.revoked, tokens.c.revoked_at)
                        .order_by(tokens.c.created_at.desc()))
    return [dict(r._mapping) for r in rows]


def revoke_token(conn: Connection, token_id: str) -> bool:
    """Revoke a token by id (it gets 401 from the next request on); False if there is none."""
    found = conn.execute(tokens.update().where(tokens.c.id == token_id, tokens.c.revoked.is_(False))
                         .values(revoked=True, revoked_at=datetime.now(UTC)))
    return bool(found.rowcount)


def display_name(conn: Connection, user: str) -> str:
    """How a token's user is named on paper: 姓名 (工号) for an employee, an account's display
    name, or the name itself (an integration)."""
    name = conn.execute(select(employees.c.name).where(employees.c.employee_no == user)).scalar()
    if name:
        return f"{name} ({user})"
    return conn.execute(select(accounts.c.display_name).where(accounts.c.username == user)).scalar() or user


def authenticate(conn: Connection, token: str | None, admin_token: str | None) -> Principal | None:
    """The principal behind a bearer token, or None (unknown or revoked)."""
    if not token:
        return None
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return Principal(user="admin", role="admin", projects=frozenset(), token_id="bootstrap",
                         name="系统管理员 (admin)")
    row = conn.execute(
        select(tokens.c.id, tokens.c.user, tokens.c.role, tokens.c.projects,
               select(employees.c.name).where(employees.c.employee_no == tokens.c.user)
               .scalar_subquery().label("employee_name"),
               select(accounts.c.display_name).where(accounts.c.username == tokens.c.user)
               .scalar_subquery().label("account_name"))
        .where(tokens.c.token_hash == sha256_hex(token), tokens.c.revoked.is_(False))
    ).first()
    if row is None:
        return None
    name = f"{row.employee_name} ({row.user})" if row.employee_name else (row.account_name or row.user)
    return Principal(user=row.user, role=row.role, projects=frozenset(row.projects), token_id=row.id, name=name)
