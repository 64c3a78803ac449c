"""Projects, employees, transfers and template versions: each a row and an event, one tx."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import Connection, func, select

from shared import limits, org
from shared.auth import Principal
from shared.commands.meta import RequestMeta, employee_stream, metadata
from shared.db import Database
from shared.domain import events as ev
from shared.domain.events import NewEvent, RecordedEvent
from shared.domain.periods import month_of, today_in_shanghai
from shared.domain.template import Template
from shared.errors import Conflict, Forbidden, Invalid, NotFound, invalid_from
from shared.eventstore import ConcurrencyError, EventStore
from shared.schemas.template import dump_template, load_template
from shared.tables import departments, employee_assignments, employees, projects, templates


def _append_new_stream(conn: Connection, new: NewEvent, what: str) -> RecordedEvent:
    try:
        return EventStore(conn).append([new], expected={new.stream: 0})[0]
    except ConcurrencyError:
        raise Conflict(f"{what} 已存在 (already exists)") from None


def create_project(db: Database, principal: Principal, data: dict[str, Any], meta: RequestMeta) -> dict[str, Any]:
    if not principal.is_admin:
        raise Forbidden("只有管理员可以创建项目 (only admin creates projects)")
    with db.write() as conn:
        if org.project_exists(conn, data["code"]):
            raise Conflict(f"项目 {data['code']} 已存在 (project exists)")
        _append_new_stream(conn, NewEvent(
            stream=f"project:{data['code']}", type=ev.PROJECT_CREATED, payload=data,
            metadata=metadata(principal, meta, None), project=data["code"],
        ), f"项目 {data['code']}")
        conn.execute(projects.insert().values(**data, created_at=datetime.now(UTC)))
    return data


def _ensure_department(conn: Connection, project: str, name: str) -> None:
    exists = conn.execute(select(departments).where(
        departments.c.project == project, departments.c.name == name)).first()
    if not exists:
        conn.execute(departments.insert().values(project=project, name=name))


def _check_project_and_template(conn: Connection, data: dict[str, Any]) -> None:
    if not org.project_exists(conn, data["project"]):
        raise Invalid.field("project", f"未知项目 (unknown project {data['project']!r})")
    if "template" in data and not org.template_versions(conn, data["template"]):
        raise Invalid.field("template", f"未知考核表 (unknown template {data['template']!r})")


def register_employee(db: Database, principal: Principal, data: dict[str, Any], meta: RequestMeta,
                      now: datetime) -> dict[str, Any]:
    """Register an employee from `effective_from` (default: the month of registration, SPEC §7.2:
    loading back-dated history means stating it). No month before it has a result (§4.11)."""
    if not (principal.is_admin or (principal.role == "gm" and principal.in_scope(data["project"]))):
        raise Forbidden("只有管理员或本项目总经理可以登记员工 (admin or the project's gm)")
    start = data.pop("effective_from", None) or month_of(today_in_shanghai(now))
    with db.write() as conn:
        _check_project_and_template(conn, data)
        if org.get_employee(conn, data["employee_no"]):
            raise Conflict(f"工号 {data['employee_no']} 已存在 (employee_no exists)")
        rec = _append_new_stream(conn, NewEvent(
            stream=employee_stream(data["employee_no"]), type=ev.EMPLOYEE_REGISTERED,
            payload={**data, "effective_from": start}, metadata=metadata(principal, meta, None),
            employee=data["employee_no"], project=data["project"],
        ), f"工号 {data['employee_no']}")
        _ensure_department(conn, data["project"], data["department"])
        conn.execute(employees.insert().values(**data, active=True, created_at=datetime.now(UTC)))
        conn.execute(employee_assignments.insert().values(
            employee_no=data["employee_no"], effective_from=start, project=data["project"],
            department=data["department"], position=rec.position))
    return {**data, "effective_from": start}


def transfer_employee(db: Database, principal: Principal, employee_no: str, data: dict[str, Any],
                      meta: RequestMeta) -> dict[str, Any]:
    with db.write() as conn:
        emp = org.get_employee(conn, employee_no)
        if emp is None or not principal.in_scope(emp.project):
            raise NotFound(f"无此员工 (no employee {employee_no})")
        if not (principal.is_admin or (principal.role == "gm" and principal.in_scope(data["project"]))):
            raise Forbidden("调动需管理员或两个项目的总经理 (admin, or a gm of both projects)")
        _check_project_and_template(conn, data)
        last = org.latest_assignment(conn, employee_no)
        if last is not None and data["effective_from"] <= last.effective_from:
            raise Invalid.field("effective_from", f"应晚于上次调动 {last.effective_from} (must follow the last assignment)")
        rec = EventStore(conn).append([NewEvent(
            stream=employee_stream(employee_no), type=ev.EMPLOYEE_TRANSFERRED,
            payload={"from_project": emp.project, "from_department": emp.department, **data},
            metadata=metadata(principal, meta, None), employee=employee_no, project=data["project"],
            period=data["effective_from"],
        )])[0]
        _ensure_department(conn, data["project"], data["department"])
        conn.execute(employee_assignments.insert().values(employee_no=employee_no, position=rec.position, **data))
        conn.execute(employees.update().where(employees.c.employee_no == employee_no)
                     .values(project=data["project"], department=data["department"]))
    return {"employee_no": employee_no, **data}


def publish_template(db: Database, principal: Principal, document: Any, meta: RequestMeta) -> Template:
    """Validate and publish a new version; earlier months keep the version they had."""
    if not principal.is_admin:
        raise Forbidden("只有管理员可以发布考核表 (only admin publishes templates)")
    try:
        template = load_template(document)
        limits.month_in_range(template.effective_from if len(template.effective_from) == 7
                              else f"{template.effective_from}-01")  # a year starts in January
    except ValidationError as exc:
        raise invalid_from(exc.messages if isinstance(exc.messages, dict) else {"effective_from": exc.messages}) \
            from None
    with db.write() as conn:
        versions = org.template_versions(conn, template.code)
        if versions and template.effective_from < versions[-1].effective_from:
            raise Invalid.field("effective_from", f"不能早于现行版本的 {versions[-1].effective_from} "
                                "(must not precede the current version's effective_from)")
        version = int(conn.execute(select(func.coalesce(func.max(templates.c.version), 0))
                                   .where(templates.c.code == template.code)).scalar() or 0) + 1
        template = replace(template, version=version)
        doc = dump_template(template)
        EventStore(conn).append([NewEvent(
            stream=f"template:{template.code}", type=ev.TEMPLATE_PUBLISHED, payload=doc,
            metadata=metadata(principal, meta, None), period=template.effective_from[:7],
        )], expected={f"template:{template.code}": version - 1})
        conn.execute(templates.insert().values(
            code=template.code, version=version, name=template.name,
            effective_from=template.effective_from, document=doc,
            published_at=datetime.now(UTC), published_by=principal.user))
    return template


def list_templates(db: Database, code: str | None = None) -> list[Template]:
    with db.read() as conn:
        return org.template_versions(conn, code) if code else org.catalog(conn).all()
