"""Bearer tokens, roles and project scopes (SPEC §1).

Tokens are random; only their sha256 is stored. A principal is who is asking, in
which role, for which projects. Every rule about who may do what lives here.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from shared.hashing import sha256_hex
from shared.tables import tokens

ROLES: tuple[str, ...] = ("employee", "lead", "supervisor", "manager", "gm", "auditor", "admin")
RECORDERS = frozenset({"lead", "supervisor", "manager", "gm", "admin"})
SUPERVISORS = frozenset({"supervisor", "manager", "gm", "admin"})
MANAGERS = frozenset({"manager", "gm", "admin"})
READERS = frozenset(ROLES)


@dataclass(frozen=True)
class Principal:
    user: str
    role: str
    projects: frozenset[str]
    token_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def in_scope(self, project: str | None) -> bool:
        return self.is_admin or (project is not None and project in self.projects)

    def has(self, roles: Iterable[str]) -> bool:
        return self.role in set(roles)

    @property
    def can_write(self) -> bool:
        return self.role != "auditor"


def new_token() -> str:
    return "jx_" + secrets.token_urlsafe(32)


def create_token(conn: Connection, user: str, role: str, projects: Iterable[str]) -> str:
    """Store a new token for `user` in `role` over `projects`; return it (shown once)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    scope = sorted(set(projects))
    if role != "admin" and not scope:
        raise ValueError(f"a {role} token needs at least one --project")
    token = new_token()
    conn.execute(tokens.insert().values(
        id=str(uuid.uuid4()), token_hash=sha256_hex(token), user=user, role=role,
        projects=scope, created_at=datetime.now(UTC), revoked=False,
    ))
    return token


def authenticate(conn: Connection, token: str | None, admin_token: str | None) -> Principal | None:
    """The principal behind a bearer token, or None."""
    if not token:
        return None
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return Principal(user="admin", role="admin", projects=frozenset(), token_id="bootstrap")
    row = conn.execute(
        select(tokens).where(tokens.c.token_hash == sha256_hex(token), tokens.c.revoked.is_(False))
    ).first()
    if row is None:
        return None
    return Principal(user=row.user, role=row.role, projects=frozenset(row.projects), token_id=row.id)
