"""Record incidents and revoke them: load, decide, append, all in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import Connection

from services.incidents import complaint_rules
from services.incidents.complaint_rules import ComplaintBook
from services.incidents.event_schemas import load_body
from services.incidents.incident_rules import check_against_template, resolve
from services.incidents.signoff_rules import GATED, Trails, check_step
from shared import limits, org
from shared.auth import MANAGERS, SUPERVISORS, Principal
from shared.commands.meta import RequestMeta, employee_stream, metadata
from shared.db import Database
from shared.domain import events as ev
from shared.domain.events import NewEvent, RecordedEvent
from shared.domain.periods import month_of, today_in_shanghai
from shared.errors import Conflict, Forbidden, Invalid, NotFound, invalid_from
from shared.eventstore import ConcurrencyError, EventStore
from shared.hashing import canonical_json, sha256_hex
from shared.org import OrgView
from shared.tables import event_revocations


@dataclass(frozen=True)
class Appended:
    events: list[RecordedEvent]
    replayed: bool


def request_hash(principal: Principal, request: Any) -> str:
    """What a repeat must match: the request and who sends it (a key never leaks across users)."""
    return sha256_hex(canonical_json({"actor": principal.user, "role": principal.role, "request": request}))


def replay_or_none(store: EventStore, key: str | None, digest: str) -> Appended | None:
    """A repeat of an idempotent request returns its first result; a different body is refused."""
    if not key:
        return None
    earlier = store.by_idempotency_prefix(key)
    if not earlier:
        return None
    if earlier[0].metadata.get("request_hash") != digest:
        raise Invalid.field("Idempotency-Key", "该幂等键已用于不同的请求 (key already used for a different request)")
    return Appended(earlier, replayed=True)


def _load(body: Any) -> dict[str, Any] | Invalid:
    """Structural validation (no database): the body's data, or the error to report for it."""
    try:
        return load_body(body)
    except ValidationError as exc:
        return invalid_from(exc.messages)


def _prepare(conn: Connection, principal: Principal, loaded: dict[str, Any] | Invalid,
             meta: dict[str, Any], cache: OrgView, book: ComplaintBook,
             trails: Trails | None = None) -> tuple[NewEvent, int | None]:
    if isinstance(loaded, Invalid):
        raise loaded
    data = loaded
    if data["type"] in complaint_rules.TYPES:
        return book.prepare(principal, data, meta), None
    ctx = resolve(conn, principal, data, cache, month_of(today_in_shanghai(book.now)))
    payload = check_against_template(data, ctx.template)
    if data["type"] in GATED:
        payload.update(check_step(trails or Trails(conn), cache, data, ctx.template, ctx.assignment.project,
                                  ctx.period))
    new = NewEvent(
        stream=employee_stream(ctx.employee.employee_no), type=data["type"], payload=payload,
        metadata={**meta, "template": ctx.template.code, "template_version": ctx.template.version},
        occurred_on=data.get("occurred_on"), period=ctx.period,
        employee=ctx.employee.employee_no, project=ctx.assignment.project,
    )
    return new, data.get("expected_version")


def record_events(db: Database, principal: Principal, bodies: Sequence[Any], meta: RequestMeta,
                  batch: bool, now: datetime | None = None) -> Appended:
    """Validate every body against its employee's rubric, then append all or nothing."""
    if not principal.can_write:
        raise Forbidden("只读角色不能写入 (read-only role)")
    # Only a request with an Idempotency-Key is compared with an earlier one.
    digest = request_hash(principal, list(bodies) if batch else bodies[0]) if meta.idempotency_key else ""
    # Structural checks need no database, so they run before the write lock is taken;
    # their errors are reported in the same order as before, after the idempotency check.
    # Dates are checked against the business day of `now` (SPEC §7.9).
    with limits.business_day(today_in_shanghai(now or datetime.now(UTC))):
        loaded = [_load(body) for body in bodies]
    with db.write() as conn:
        store = EventStore(conn)
        replay = replay_or_none(store, meta.idempotency_key, digest)
        if replay:
            return replay
        md = metadata(principal, meta, digest if meta.idempotency_key else None)
        prepared = _prepare_all(conn, principal, loaded, md, batch, now)
        news = [_with_key(n, meta.idempotency_key, i, batch) for i, (n, _) in enumerate(prepared)]
        expected: dict[str, int] = {}
        for new, want in prepared:
            if want is not None:
                expected.setdefault(new.stream, want)
        try:
            return Appended(store.append(news, expected, now=now), replayed=False)
        except ConcurrencyError as exc:
            raise Conflict(f"版本冲突 (version conflict): {exc}") from None


def _prepare_all(conn: Connection, principal: Principal, loaded: list[dict[str, Any] | Invalid],
                 md: dict[str, Any], batch: bool, now: datetime | None) -> list[tuple[NewEvent, int | None]]:
    """Every body checked against the organisation, its rubric and its ledger; in a batch the
    errors of all bodies are reported together, by index."""
    cache = OrgView(conn)
    book = ComplaintBook(conn, cache, now or datetime.now(UTC))
    valid = [d for d in loaded if not isinstance(d, Invalid) and "employee" in d]
    cache.prefetch((d["employee"] for d in valid), [m for d in valid if (m := _month(d))])
    trails = Trails(conn)  # the sign-off steps' trails, read for the whole batch at once
    trails.prefetch((d["employee"], d["period"]) for d in valid
                    if d["type"] in GATED and isinstance(d.get("period"), str))
    prepared, errors = [], {}
    for i, data in enumerate(loaded):
        try:
            prepared.append(_prepare(conn, principal, data, md, cache, book, trails))
        except Invalid as exc:
            if not batch:
                raise
            for field, msgs in (exc.errors or {"body": [exc.detail]}).items():
                errors[f"events.{i}.{field}"] = msgs
    if errors:
        raise Invalid(f"{len(errors)} 个字段无效,未写入任何事件 (nothing written)", errors)
    return prepared


def append_bodies(conn: Connection, principal: Principal, bodies: Sequence[Any], meta: RequestMeta,
                  now: datetime | None) -> list[RecordedEvent]:
    """`record_events` inside a transaction the caller holds (with the write lock): for a
    command that records events together with something else, all or nothing."""
    if not principal.can_write:
        raise Forbidden("只读角色不能写入 (read-only role)")
    prepared = _prepare_all(conn, principal, [_load(b) for b in bodies], metadata(principal, meta), False, now)
    return EventStore(conn).append([n for n, _ in prepared], now=now)


def _month(data: dict[str, Any]) -> str | None:
    """The month a body is about, when the body itself says (an appeal's is its target's)."""
    if data.get("occurred_on") is not None:
        return month_of(data["occurred_on"])
    if data.get("type") == ev.YEAR_END_REVIEW and isinstance(data.get("year"), str):
        return f"{data['year']}-12"  # a prefetch hint only
    period = data.get("period")
    return period if isinstance(period, str) else None


def _with_key(new: NewEvent, key: str | None, i: int, batch: bool) -> NewEvent:
    if not key:
        return new
    return NewEvent(**{**vars(new), "idempotency_key": f"{key}#{i}" if batch else key})


def checked_reason(reason: str) -> str:
    """A reason as the API's schema would load it: a form hands the text as typed."""
    try:
        return limits.checked_text(reason)
    except ValidationError as exc:
        raise invalid_from({"reason": exc.messages}) from None


def revoke_event(db: Database, principal: Principal, event_id: str, reason: str,
                 meta: RequestMeta, now: datetime | None = None) -> Appended:
    """Append a revocation of `event_id` (SPEC §4: corrections are events too)."""
    if principal.role not in SUPERVISORS:
        raise Forbidden(f"角色 {principal.role} 不能撤销事件 (role may not revoke)")
    reason = checked_reason(reason)
    digest = request_hash(principal, {"revoke": event_id, "reason": reason})
    with db.write() as conn:
        store = EventStore(conn)
        replay = replay_or_none(store, meta.idempotency_key, digest)
        if replay:
            return replay
        target = store.get(event_id)
        if target is None or not principal.in_scope(target.project):
            raise NotFound(f"事件不存在 (no event {event_id})")
        if target.type not in ev.REVOCABLE_TYPES:
            raise Invalid.field("event_id", f"{target.type} 事件不能撤销 (only incident events can be revoked)")
        if conn.execute(event_revocations.select().where(event_revocations.c.event_id == event_id)).first():
            raise Conflict("该事件已被撤销 (event already revoked)")
        if target.project and target.period and org.is_closed(conn, target.project, target.period) \
                and principal.role not in MANAGERS:
            raise Conflict("该月已结账,只有经理及以上可更正 (month closed: manager and above only)")
        md = metadata(principal, meta, digest if meta.idempotency_key else None)
        new = NewEvent(
            stream=target.stream, type=ev.REVOCATION,
            payload={"event_id": event_id, "reason": reason, "revoked_type": target.type},
            metadata=md, period=target.period, employee=target.employee, project=target.project,
            idempotency_key=meta.idempotency_key,
        )
        recorded = store.append([new], now=now)
        conn.execute(event_revocations.insert().values(event_id=event_id, revocation_id=recorded[0].id))
        return Appended(recorded, replayed=False)


def list_events(db: Database, principal: Principal, **filters: Any) -> list[RecordedEvent]:
    """Events in position order, limited to what the principal may read."""
    with db.read() as conn:
        store = EventStore(conn)
        if principal.role == "employee":
            if filters.get("employee") not in (None, principal.user):
                raise Forbidden("员工只能查看本人记录 (employees see only their own events)")
            filters["employee"] = principal.user
        if not principal.is_admin:
            if filters.get("project") is not None and not principal.in_scope(filters["project"]):
                raise Forbidden(f"无权访问项目 {filters['project']} (outside your scope)")
            filters["projects"] = sorted(principal.projects)
        return store.query(**filters)
