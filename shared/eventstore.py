"""The append-only event store: positions, streams, idempotency and the hash chain.

Call `append` inside `Database.write()`: the lock taken there makes reading the head
and inserting after it one atomic step, so positions are gapless and commit in order.
The database itself refuses UPDATE and DELETE on `events` (triggers in the migration).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Row, func, literal, select, text, union_all
from sqlalchemy.exc import IntegrityError

from shared.bulk import insert_rows
from shared.domain.events import NewEvent, RecordedEvent
from shared.hashing import GENESIS, chain_hash, plain, utc_iso
from shared.tables import events

MAX_BATCH = 1000
_PG_HEAD_AND_VERSIONS = text(
    "SELECT 'head', hash, position FROM (SELECT hash, position FROM events ORDER BY position DESC LIMIT 1) h "
    "UNION ALL SELECT 'stream', s, (SELECT max(version) FROM events WHERE stream = s) "
    "FROM unnest(CAST(:streams AS text[])) AS s")


class ConcurrencyError(RuntimeError):
    """The stream moved past the version the writer expected."""

    def __init__(self, stream: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream} is at version {actual}, expected {expected}")
        self.stream, self.expected, self.actual = stream, expected, actual


@dataclass(frozen=True)
class TamperReport:
    position: int
    event_id: str
    reason: str


def hash_body(e: RecordedEvent) -> dict[str, Any]:
    """Everything the hash covers: the whole event except its own hash."""
    return {
        "id": e.id, "position": e.position, "stream": e.stream, "version": e.version,
        "type": e.type, "schema_version": e.schema_version, "payload": e.payload,
        "metadata": e.metadata, "occurred_on": e.occurred_on and e.occurred_on.isoformat(),
        "period": e.period,
        "employee": e.employee, "project": e.project, "recorded_at": utc_iso(e.recorded_at),
        "idempotency_key": e.idempotency_key,
    }


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive one is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def to_recorded(row: Row[Any] | Mapping[str, Any]) -> RecordedEvent:
    m = row._mapping if isinstance(row, Row) else row
    occurred = m["occurred_on"]
    if isinstance(occurred, str):
        occurred = date.fromisoformat(occurred)
    return RecordedEvent(
        id=m["id"], position=int(m["position"]), stream=m["stream"], version=int(m["version"]),
        type=m["type"], payload=dict(m["payload"]), metadata=dict(m["metadata"]),
        recorded_at=as_utc(m["recorded_at"]), hash=m["hash"], prev_hash=m["prev_hash"],
        occurred_on=occurred, period=m["period"], employee=m["employee"], project=m["project"],
        idempotency_key=m["idempotency_key"], schema_version=int(m["schema_version"]),
    )


def _ms_now() -> datetime:
    # Microsecond precision survives both backends, so the hash re-computes exactly.
    return datetime.now(UTC)


class EventStore:
    """Append and read events on one connection (the caller owns the transaction)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- writing ---------------------------------------------------------------
    def head(self) -> tuple[int, str]:
        row = self.conn.execute(
            select(events.c.position, events.c.hash).order_by(events.c.position.desc()).limit(1)
        ).first()
        return (0, GENESIS) if row is None else (int(row.position), row.hash)

    def stream_version(self, stream: str) -> int:
        v = self.conn.execute(
            select(func.max(events.c.version)).where(events.c.stream == stream)
        ).scalar()
        return int(v or 0)

    def head_and_versions(self, streams: Sequence[str]) -> tuple[tuple[int, str], dict[str, int]]:
        """`head()` and `stream_version(s)` of each of `streams`, in one round trip."""
        wanted = sorted(set(streams))
        if self.conn.dialect.name == "postgresql":
            # One index probe per stream (max over the (stream, version) key). A GROUP BY
            # over `stream IN (...)` is planned as a scan of the whole log for a big batch.
            rows = self.conn.execute(_PG_HEAD_AND_VERSIONS, {"streams": wanted})
        else:
            latest = (select(literal("head").label("kind"), events.c.hash.label("key"),
                             events.c.position.label("n"))
                      .order_by(events.c.position.desc()).limit(1).subquery())
            query: Any = select(latest)
            if wanted:
                query = union_all(query, select(literal("stream"), events.c.stream, func.max(events.c.version))
                                  .where(events.c.stream.in_(wanted)).group_by(events.c.stream))
            rows = self.conn.execute(query)
        head, versions = (0, GENESIS), dict.fromkeys(wanted, 0)
        for kind, key, n in rows:
            if kind == "head":
                head = (int(n), key)
            else:
                versions[key] = int(n or 0)
        return head, versions

    def append(
        self,
        new: Sequence[NewEvent],
        expected: Mapping[str, int] | None = None,
        now: datetime | None = None,
    ) -> list[RecordedEvent]:
        """Append events atomically. `expected` maps stream → version it must be at."""
        if len(new) > MAX_BATCH:
            raise ValueError(f"at most {MAX_BATCH} events per append")
        (position, prev), versions = self.head_and_versions([*(expected or {}), *(e.stream for e in new)])
        recorded_at = as_utc(now or _ms_now())
        for stream, want in (expected or {}).items():
            if versions[stream] != want:
                raise ConcurrencyError(stream, want, versions[stream])
        out: list[RecordedEvent] = []
        for e in new:
            versions[e.stream] += 1
            position += 1
            fields: dict[str, Any] = dict(
                id=str(uuid.uuid4()), position=position, stream=e.stream,
                version=versions[e.stream], type=e.type, payload=plain(e.payload),
                metadata=plain(e.metadata), recorded_at=recorded_at, prev_hash=prev,
                occurred_on=e.occurred_on, period=e.period, employee=e.employee,
                project=e.project, idempotency_key=e.idempotency_key,
                schema_version=e.schema_version,
            )
            # payload and metadata are plain already, so the body needs no second pass
            digest = chain_hash(prev, hash_body(RecordedEvent(**fields, hash="")), is_plain=True)
            rec = RecordedEvent(**fields, hash=digest)
            out.append(rec)
            prev = digest
        if out:
            try:
                insert_rows(self.conn, events, [self._row(r) for r in out])
            except IntegrityError as exc:
                if "idempotency" in str(exc.orig).lower():
                    raise
                stream = out[0].stream
                raise ConcurrencyError(stream, versions[stream] - 1, self.stream_version(stream)) from exc
        return out

    @staticmethod
    def _row(r: RecordedEvent) -> dict[str, Any]:
        return {
            "stream": r.stream, "version": r.version, "position": r.position, "id": r.id,
            "type": r.type, "schema_version": r.schema_version, "payload": r.payload,
            "metadata": r.metadata, "occurred_on": r.occurred_on, "period": r.period,
            "employee": r.employee, "project": r.project, "recorded_at": r.recorded_at,
            "idempotency_key": r.idempotency_key, "prev_hash": r.prev_hash, "hash": r.hash,
        }

    # -- reading ---------------------------------------------------------------
    def get(self, event_id: str) -> RecordedEvent | None:
        row = self.conn.execute(select(events).where(events.c.id == event_id)).first()
        return None if row is None else to_recorded(row)

    def by_idempotency_prefix(self, key: str) -> list[RecordedEvent]:
        """Events written under `key` (a single event) or `key#n` (a batch)."""
        k = events.c.idempotency_key
        prefixed: Any = k.like(_like_prefix(key), escape="\\")
        if self.conn.dialect.name == "postgresql":
            # Keys are byte-ordered there (migration 0003): the explicit range lets every
            # plan, a prepared statement's generic plan too, read the prefix off the index;
            # the LIKE keeps the exact meaning.
            prefixed = (k >= key + "#") & (k < key + "$") & prefixed
        rows = self.conn.execute(select(events).where((k == key) | prefixed).order_by(events.c.position))
        return [to_recorded(r) for r in rows]

    def query(
        self,
        *,
        after: int = 0,
        limit: int = 100,
        employee: str | None = None,
        project: str | None = None,
        projects: Sequence[str] | None = None,
        period: str | None = None,
        type: str | None = None,
        types: Sequence[str] | None = None,
        ids: Sequence[str] | None = None,
    ) -> list[RecordedEvent]:
        q = select(events).where(events.c.position > after)
        if employee is not None:
            q = q.where(events.c.employee == employee)
        if project is not None:
            q = q.where(events.c.project == project)
        if projects is not None:
            q = q.where(events.c.project.in_(list(projects)))
        if period is not None:
            q = q.where(events.c.period == period)
        if type is not None:
            q = q.where(events.c.type == type)
        if types is not None:
            q = q.where(events.c.type.in_(list(types)))
        if ids is not None:
            q = q.where(events.c.id.in_(list(ids)))
        rows = self.conn.execute(q.order_by(events.c.position).limit(limit))
        return [to_recorded(r) for r in rows]

    def iter_all(self, after: int = 0, batch: int = 5000) -> Iterator[RecordedEvent]:
        while True:
            chunk = self.conn.execute(
                select(events).where(events.c.position > after).order_by(events.c.position).limit(batch)
            ).fetchall()
            for row in chunk:
                yield to_recorded(row)
            if len(chunk) < batch:
                return
            after = int(chunk[-1].position)

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(events)).scalar() or 0)

    def position_of(self, digest: str) -> int | None:
        """The position of the event whose hash is `digest`, if it is in the log."""
        found = self.conn.execute(select(events.c.position).where(events.c.hash == digest)).scalar()
        return None if found is None else int(found)

    def verify(self) -> tuple[int, TamperReport | None]:
        """Walk the chain from position 1; the first event whose link does not hold."""
        prev, expected_pos, checked = GENESIS, 1, 0
        for e in self.iter_all():
            if e.position != expected_pos:
                return checked, TamperReport(expected_pos, e.id, f"position {expected_pos} is missing (next is {e.position})")
            if e.prev_hash != prev:
                return checked, TamperReport(e.position, e.id, "prev_hash does not match the previous event's hash")
            if chain_hash(prev, hash_body(e)) != e.hash:
                return checked, TamperReport(e.position, e.id, "content does not match its hash")
            prev, expected_pos, checked = e.hash, expected_pos + 1, checked + 1
        return checked, None


def _like_prefix(key: str) -> str:
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "#%"
