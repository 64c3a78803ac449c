"""Where published read models go: one port, two adapters.

`Upsert` is the transactional way (the relay, the month close, recompute): it compares
each document with the stored one and writes only what changed, appending a revision for
a changed score. `BulkSink` is the rebuild's way: empty tables, every row new, COPYed in
chunks while the next ones are folded. Both store exactly the documents they are given.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, select, text

from services.scoring.domain.documents import changed_events
from shared.bulk import JsonText, dumps, insert_rows
from shared.tables import annual_scores, ranking_revisions, rankings, score_revisions, scores


@dataclass(frozen=True)
class ScoreDoc:
    """One employee-month's document, ready to publish."""

    doc: dict[str, Any]
    final: Decimal

    @property
    def key(self) -> tuple[str, str]:
        return self.doc["employee"], self.doc["period"]


@dataclass(frozen=True)
class Scored:
    employee: str
    period: str
    project: str
    department: str
    final: Decimal
    changed: bool
    previous_project: str | None = None  # where the stored row said it was, if elsewhere


@dataclass(frozen=True)
class AnnualDoc:
    employee: str
    year: str
    template: str
    doc: dict[str, Any]
    position: int


@dataclass(frozen=True)
class RankingDoc:
    project: str
    scope: str  # a department, or "*" when the scope is the project
    template: str
    period: str
    rows: list[dict[str, Any]]
    closed_on: date | None
    position: int


class ReadModelWriter(Protocol):
    """The write port of the scoring use case."""

    def scores(self, docs: Sequence[ScoreDoc]) -> list[Scored]:
        """Publish these scores; report which changed."""

    def annuals(self, docs: Sequence[AnnualDoc]) -> None:
        """Publish these annual composites."""

    def rankings(self, docs: Sequence[RankingDoc]) -> bool:
        """Publish these rankings; True when any of them changed."""


SCORE_FIELDS = ("template", "template_version", "supervisor", "self", "weighted", "bonus", "final", "awards")


def score_of(doc: dict[str, Any]) -> tuple[Any, ...]:
    """What a revision is about (SPEC §4.12): the items, S, F, W, the bonus, T, the awards.

    Provenance (which events, their positions) and the sign-off may change without it.
    """
    items = tuple((i["code"], i["points"], i["deducted"], i["score"]) for i in doc.get("items", []))
    return (*(repr(doc.get(k)) for k in SCORE_FIELDS), items)


def _score_row(d: ScoreDoc, revision: int, now: datetime, encoded: JsonText | None = None) -> dict[str, Any]:
    doc = d.doc
    return {"employee": doc["employee"], "period": doc["period"], "project": doc["project"],
            "department": doc["department"], "template": doc["template"],
            "template_version": doc["template_version"], "final": d.final,
            "result": encoded if encoded is not None else doc, "position": doc["position"],
            "revision": revision, "computed_at": now}


def _revision_row(old: Any, d: ScoreDoc, revision: int, now: datetime,
                  encoded: JsonText | None = None) -> dict[str, Any]:
    doc = d.doc
    return {"employee": doc["employee"], "period": doc["period"], "revision": revision,
            "old_final": None if old is None else old.final, "new_final": d.final,
            "old": None if old is None else old.result, "new": encoded if encoded is not None else doc,
            "cause_event_ids": changed_events(None if old is None else old.result, doc),
            "position": doc["position"], "created_at": now}


def _annual_row(a: AnnualDoc, now: datetime) -> dict[str, Any]:
    return {"employee": a.employee, "year": a.year, "template": a.template, "result": a.doc,
            "position": a.position, "computed_at": now}


def _ranking_row(r: RankingDoc, revision: int, now: datetime) -> dict[str, Any]:
    return {"project": r.project, "department": r.scope, "template": r.template, "period": r.period,
            "rows": r.rows, "closed_on": r.closed_on, "position": r.position, "revision": revision,
            "computed_at": now}


def _ranking_revision_row(r: RankingDoc, revision: int, causes: list[str], now: datetime) -> dict[str, Any]:
    return {"project": r.project, "department": r.scope, "template": r.template, "period": r.period,
            "revision": revision, "rows": r.rows, "closed_on": r.closed_on, "cause_event_ids": causes,
            "position": r.position, "created_at": now}


def _moved(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    """The members whose final changed, or who joined or left the group: what moved the ranking."""
    before = {r["employee"]: r.get("final") for r in old}
    after = {r["employee"]: r.get("final") for r in new}
    return sorted(no for no in before.keys() | after.keys() if before.get(no) != after.get(no))


def ranking_causes(conn: Connection, period: str, moved: list[str], since: int) -> list[str]:
    """The events behind the score revisions, published after the ranking's last position
    `since`, of the members that moved the ranking (else each one's latest revision)."""
    if not moved:
        return []
    found: dict[str, list[tuple[int, int, list[str]]]] = defaultdict(list)
    for r in conn.execute(select(score_revisions.c.employee, score_revisions.c.revision, score_revisions.c.position,
                                 score_revisions.c.cause_event_ids)
                          .where(score_revisions.c.period == period, score_revisions.c.employee.in_(moved))):
        found[r.employee].append((r.revision, r.position, list(r.cause_event_ids or [])))
    causes: list[str] = []
    for no in moved:
        revisions = sorted(found.get(no, []))
        recent = [r for r in revisions if r[1] > since] or revisions[-1:]
        causes += [e for _, _, ids in recent for e in ids if e not in causes]
    return causes


# What `_revision_row(None, d, 1, now)` holds for a new score, taken from the score's row by the
# server: no old value (JSON null), the document, all its events as the cause, its position, time.
_FIRST_REVISIONS = text(
    "INSERT INTO score_revisions (employee, period, revision, old_final, new_final, old, new, "
    "cause_event_ids, position, created_at) "
    "SELECT s.employee, s.period, 1, NULL, s.final, 'null'::jsonb, s.result, s.result->'event_ids', "
    "s.position, s.computed_at FROM scores s "
    "JOIN unnest(CAST(:employees AS text[]), CAST(:periods AS text[])) AS k(employee, period) "
    "ON s.employee = k.employee AND s.period = k.period")


def _insert_scores(conn: Connection, rows: list[dict[str, Any]], revisions: list[dict[str, Any]]) -> None:
    """New scores with their first revisions. On PostgreSQL the server copies each first
    revision from its score's row, so the document is sent and parsed once, not twice."""
    insert_rows(conn, scores, rows)
    if conn.dialect.name == "postgresql":
        if rows:
            conn.execute(_FIRST_REVISIONS, {"employees": [r["employee"] for r in rows],
                                            "periods": [r["period"] for r in rows]})
    else:
        insert_rows(conn, score_revisions, revisions)


class Upsert:
    """Compare with what is stored; write what changed, with a revision for each changed score.

    The caller holds the advisory locks of the keys it writes (`Database.update`).
    """

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now

    def scores(self, docs: Sequence[ScoreDoc]) -> list[Scored]:
        stored = self._stored(docs)
        new_rows, first_revisions, updates, revisions, out = [], [], [], [], []
        for d in docs:
            old = stored.get(d.key)
            changed = old is None or score_of(old.result) != score_of(d.doc)
            if old is None:
                encoded = JsonText(dumps(d.doc))  # encoded once for the score and its revision
                new_rows.append(_score_row(d, 1, self.now, encoded))
                first_revisions.append(_revision_row(None, d, 1, self.now, encoded))
            elif changed:
                updates.append(_score_row(d, old.revision + 1, self.now))
                revisions.append(_revision_row(old, d, old.revision + 1, self.now, JsonText(dumps(d.doc))))
            elif old.result != d.doc:  # provenance only (a review, a signature): kept current, no revision
                updates.append(_score_row(d, old.revision, self.now))
            moved = old.project if old is not None and old.project != d.doc["project"] else None
            out.append(Scored(d.key[0], d.key[1], d.doc["project"], d.doc["department"], d.final, changed, moved))
        _insert_scores(self.conn, new_rows, first_revisions)
        _update_rows(self.conn, scores, ("employee", "period"), updates)
        insert_rows(self.conn, score_revisions, revisions)
        return out

    def _stored(self, docs: Sequence[ScoreDoc]) -> dict[tuple[str, str], Any]:
        out = {}
        for period, nos in _by_second(d.key for d in docs).items():  # a chunk is one month
            rows = self.conn.execute(select(scores.c.employee, scores.c.period, scores.c.result, scores.c.revision,
                                            scores.c.final, scores.c.project)
                                     .where(scores.c.period == period, scores.c.employee.in_(nos)))
            out.update({(r.employee, r.period): r for r in rows})
        return out

    def annuals(self, docs: Sequence[AnnualDoc]) -> None:
        if not docs:
            return
        before = {}
        for year, nos in _by_second((a.employee, a.year) for a in docs).items():
            before.update({(r.employee, r.year): r.result for r in self.conn.execute(
                select(annual_scores.c.employee, annual_scores.c.year, annual_scores.c.result)
                .where(annual_scores.c.year == year, annual_scores.c.employee.in_(nos)))})
        new_rows = [_annual_row(a, self.now) for a in docs if (a.employee, a.year) not in before]
        changed = [_annual_row(a, self.now) for a in docs
                   if (a.employee, a.year) in before and before[(a.employee, a.year)] != a.doc]
        insert_rows(self.conn, annual_scores, new_rows)
        _update_rows(self.conn, annual_scores, ("employee", "year"), changed)

    def rankings(self, docs: Sequence[RankingDoc]) -> bool:
        changed = False
        for r in docs:
            where = ((rankings.c.project == r.project) & (rankings.c.department == r.scope)
                     & (rankings.c.template == r.template) & (rankings.c.period == r.period))
            old = self.conn.execute(select(rankings.c.rows, rankings.c.closed_on, rankings.c.revision,
                                           rankings.c.position).where(where)).first()
            if old is not None and old.rows == r.rows and old.closed_on == r.closed_on:
                continue
            revision = 1 if old is None else old.revision + 1
            row = _ranking_row(r, revision, self.now)
            if old is None:
                self.conn.execute(rankings.insert().values(**row))
            else:
                self.conn.execute(rankings.update().where(where).values(**row))
            causes = [] if old is None else ranking_causes(self.conn, r.period, _moved(old.rows, r.rows),
                                                           old.position)
            self.conn.execute(ranking_revisions.insert().values(
                **_ranking_revision_row(r, revision, causes, self.now)))
            changed = True
        return changed


def _update_rows(conn: Connection, table: Any, key: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    """UPDATE each row by its key, all in one executemany (pipelined on PostgreSQL)."""
    if not rows:
        return
    columns = [c for c in rows[0] if c not in key]
    statement = (table.update().where(*(table.c[k] == bindparam(f"k_{k}") for k in key))
                 .values({c: bindparam(f"v_{c}") for c in columns}))
    conn.execute(statement, [{**{f"k_{k}": r[k] for k in key}, **{f"v_{c}": r[c] for c in columns}}
                             for r in rows])


def _by_second(keys: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """(employee, period) keys grouped by period: period → employees."""
    out: dict[str, set[str]] = defaultdict(set)
    for no, second in keys:
        out[second].add(no)
    return {k: sorted(v) for k, v in sorted(out.items())}


FLUSH = 1000


class BulkSink:
    """Every row new (the rebuild fills empty read models), COPYed in chunks of `FLUSH`.

    A chunk is written on a thread of its own while the next ones are folded: PostgreSQL
    takes the chunk in (parsing and compressing the documents) on the other core, and the
    connection is only ever used by one thread at a time (one chunk in flight).
    """

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now
        self.pending: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.revisions: list[dict[str, Any]] = []
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jixiao-rebuild-copy")
        self._writing: Future[None] | None = None

    def scores(self, docs: Sequence[ScoreDoc]) -> list[Scored]:
        for d in docs:
            encoded = JsonText(dumps(d.doc))
            self._add("scores", _score_row(d, 1, self.now, encoded))
            if self.conn.dialect.name != "postgresql":
                self.revisions.append(_revision_row(None, d, 1, self.now, encoded))
        return [Scored(d.key[0], d.key[1], d.doc["project"], d.doc["department"], d.final, True) for d in docs]

    def annuals(self, docs: Sequence[AnnualDoc]) -> None:
        for a in docs:
            self._add("annual", _annual_row(a, self.now))

    def rankings(self, docs: Sequence[RankingDoc]) -> bool:
        for r in docs:
            self._add("rankings", _ranking_row(r, 1, self.now))
            self._add("ranking_revisions", _ranking_revision_row(r, 1, [], self.now))
        return bool(docs)

    def _add(self, kind: str, row: dict[str, Any]) -> None:
        self.pending[kind].append(row)
        if len(self.pending[kind]) >= FLUSH:
            self._write(kind, self.pending.pop(kind))

    def _write(self, kind: str, rows: list[dict[str, Any]]) -> None:
        revisions, self.revisions = (self.revisions, []) if kind == "scores" else ([], self.revisions)
        self.wait()
        self._writing = self._pool.submit(self._insert, kind, rows, revisions)

    def _insert(self, kind: str, rows: list[dict[str, Any]], revisions: list[dict[str, Any]]) -> None:
        if kind == "scores":
            _insert_scores(self.conn, rows, revisions)
        else:
            insert_rows(self.conn, {"annual": annual_scores, "rankings": rankings,
                                    "ranking_revisions": ranking_revisions}[kind], rows)

    def wait(self) -> None:
        """Until the chunk in flight is written (its error, if any, is raised here)."""
        if self._writing is not None:
            writing, self._writing = self._writing, None
            writing.result()

    def flush(self) -> None:
        for kind in list(self.pending):
            self._write(kind, self.pending.pop(kind))
        self.wait()

    def __enter__(self) -> BulkSink:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if kind is None:
                self.flush()
        finally:
            self._pool.shutdown(wait=True)
