"""People's accounts (SPEC §1): username and password, the same role and scope a token has.

Passwords are hashed with argon2id (argon2-cffi's defaults follow RFC 9106). Five failed
sign-ins within 15 minutes lock the username for 15 minutes, whether or not it exists (so
the answer does not tell which usernames do). An employee's username is their 工号.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, select

from shared.auth import AccessInvalid, Principal, check_grant
from shared.tables import accounts, employees, sign_in_attempts, web_sessions

LOCK_AFTER = 5
LOCK_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 8
_HASHER = PasswordHasher()  # argon2id, time cost 3, memory 64 MiB, parallelism 4
Now = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Account:
    id: str
    username: str
    display_name: str
    role: str
    projects: frozenset[str]
    employee_no: str | None
    disabled: bool

    def principal(self) -> Principal:
        return Principal(user=self.username, role=self.role, projects=self.projects, name=self.display_name,
                         account_id=self.id)


class SignInRefused(Exception):
    """Wrong username or password, a disabled account, or a locked username (message in Chinese)."""

    def __init__(self, message: str, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked


def _account(row: Any) -> Account:
    return Account(row.id, row.username, row.display_name, row.role, frozenset(row.projects), row.employee_no,
                   bool(row.disabled))


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccessInvalid(f"密码至少 {MIN_PASSWORD} 个字符 (password: at least {MIN_PASSWORD} characters)")


def create_account(conn: Connection, username: str, password: str, role: str, projects: Iterable[str] = (),
                   employee_no: str | None = None, display_name: str | None = None,
                   now: Now = _utcnow) -> Account:
    """Create an account; an employee's username is their 工号 (given or taken from `username`)."""
    username = username.strip()
    if not username or len(username) > 64:
        raise AccessInvalid("用户名应为 1–64 个字符 (username: 1–64 characters)")
    if role == "employee":
        employee_no = employee_no or username
        if username != employee_no:
            raise AccessInvalid("员工的用户名就是工号 (an employee's username is their 工号)")
    scope = check_grant(conn, role, projects, employee_no if role == "employee" else None)
    if employee_no and role != "employee":
        check_grant(conn, "employee", scope, employee_no)  # a named person must exist
    check_password(password)
    if get_account(conn, username) is not None:
        raise AccessInvalid(f"用户名 {username} 已存在 (username exists)")
    if display_name is None:
        name = conn.execute(select(employees.c.name).where(employees.c.employee_no == employee_no)).scalar() \
            if employee_no else None
        display_name = f"{name} ({employee_no})" if name else username
    at = now()
    account_id = str(uuid.uuid4())
    conn.execute(accounts.insert().values(
        id=account_id, username=username, display_name=display_name.strip()[:100], role=role, projects=scope,
        employee_no=employee_no, password_hash=_HASHER.hash(password), disabled=False, created_at=at,
        password_changed_at=at))
    account = get_account(conn, username)
    assert account is not None
    return account


def get_account(conn: Connection, username: str) -> Account | None:
    row = conn.execute(select(accounts).where(accounts.c.username == username)).first()
    return None if row is None else _account(row)


def account_by_id(conn: Connection, account_id: str) -> Account | None:
    row = conn.execute(select(accounts).where(accounts.c.id == account_id)).first()
    return None if row is None else _account(row)


def list_accounts(conn: Connection) -> list[Account]:
    return [_account(r) for r in conn.execute(select(accounts).order_by(accounts.c.username))]


def locked(conn: Connection, username: str, now: Now = _utcnow) -> bool:
    """Five failed sign-ins within the last 15 minutes lock the username."""
    since = now() - LOCK_WINDOW
    failures = conn.execute(select(func.count()).select_from(sign_in_attempts).where(
        sign_in_attempts.c.username == username, sign_in_attempts.c.at > since,
        sign_in_attempts.c.succeeded.is_(False))).scalar()
    return int(failures or 0) >= LOCK_AFTER


def sign_in(conn: Connection, username: str, password: str, now: Now = _utcnow) -> Account | SignInRefused:
    """The account if the password is right and the username neither locked nor disabled, else
    the refusal. It is returned, not raised: the failed attempt must be committed with the rest."""
    username = username.strip()[:64]
    if locked(conn, username, now):
        return SignInRefused("登录失败次数过多，该用户名已锁定 15 分钟，请稍后再试 (too many failed sign-ins: "
                             "locked for 15 minutes)", locked=True)
    row = conn.execute(select(accounts).where(accounts.c.username == username)).first()
    ok = row is not None and not row.disabled and _verify(row.password_hash, password)
    conn.execute(sign_in_attempts.insert().values(username=username, at=now(), succeeded=ok))
    if not ok or row is None:
        return SignInRefused("用户名或密码错误，或账号已停用 (wrong username or password, or account disabled)")
    if _HASHER.check_needs_rehash(row.password_hash):
        conn.execute(accounts.update().where(accounts.c.id == row.id).values(password_hash=_HASHER.hash(password)))
    return _account(row)


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def disable(conn: Connection, username: str) -> None:
    """Disable an account and end its sessions at once."""
    account = _existing(conn, username)
    conn.execute(accounts.update().where(accounts.c.id == account.id).values(disabled=True))
    conn.execute(delete(web_sessions).where(web_sessions.c.account_id == account.id))


def reset_password(conn: Connection, username: str, password: str, now: Now = _utcnow) -> None:
    """Set a new password (and enable the account); its open sessions end."""
    account = _existing(conn, username)
    check_password(password)
    conn.execute(accounts.update().where(accounts.c.id == account.id).values(
        password_hash=_HASHER.hash(password), password_changed_at=now(), disabled=False))
    conn.execute(delete(web_sessions).where(web_sessions.c.account_id == account.id))
    conn.execute(delete(sign_in_attempts).where(sign_in_attempts.c.username == username))


def _existing(conn: Connection, username: str) -> Account:
    account = get_account(conn, username)
    if account is None:
        raise AccessInvalid(f"无此用户 {username!r} (no such account)")
    return account
