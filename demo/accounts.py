"""The demo's sign-in accounts: one person per role and project, all with the demo password.

Leads, supervisors and managers are employees of the group and sign in with their 工号; the
gms, the 品质部 auditor and the admin have names of their own; the employee accounts are the
two people the demo's story is about (the spotless 优秀员工 and the one up for 调岗审查) and
one member of each other project.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from demo import data
from demo.data import Cast
from shared.accounts import create_account, get_account
from shared.db import Database

ROLE_ORDER = ("employee", "lead", "supervisor", "manager", "gm", "auditor", "admin")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    name: str
    projects: tuple[str, ...]


def planned(cast: Cast) -> list[DemoAccount]:
    """Who gets an account, in the order they are printed (by role, then project)."""
    people = {m.no: m for m in cast.roster}
    out: list[DemoAccount] = []
    for code, _name, _departments in data.PROJECTS:
        staff = [m for m in cast.roster if m.project == code and m.position == "客服专员"]
        chosen = [no for no in (cast.exemplar, cast.doomed) if people[no].project == code] or [staff[0].no]
        out += [DemoAccount(no, "employee", f"{people[no].name} ({no})", (code,)) for no in chosen]
        for role, position in data.ROLE_POSITIONS.items():
            holder = next(m for m in cast.roster if m.project == code and m.position == position)
            out.append(DemoAccount(holder.no, role, f"{holder.name} ({holder.no})", (code,)))
        out.append(DemoAccount(f"gm-{code.lower()}", "gm", f"{data.GMS[code]} (总经理)", (code,)))
    codes = tuple(code for code, _n, _d in data.PROJECTS)
    out.append(DemoAccount(data.AUDITOR[0], "auditor", data.AUDITOR[1], codes))
    out.append(DemoAccount("admin", "admin", "系统管理员 (admin)", ()))
    return sorted(out, key=lambda a: (ROLE_ORDER.index(a.role), a.projects, a.username))


def create(db: Database, cast: Cast) -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet; all of them, as planned."""
    accounts = planned(cast)
    with db.write() as conn:
        for a in accounts:
            if get_account(conn, a.username) is None:
                _create(conn, a)
    return accounts


def _create(conn: Connection, a: DemoAccount) -> None:
    employee = a.username if a.role in ("employee", "lead", "supervisor", "manager") else None
    create_account(conn, a.username, data.DEMO_PASSWORD, a.role, a.projects, employee, a.name)
