"""Where the bulk replay writes: COPY in chunks, each written while the next is folded."""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, text

from services.scoring.projection import copy_first_revisions, revision_row, score_values
from shared.bulk import JsonText, dumps, insert_rows
from shared.tables import annual_scores, rankings, score_revisions, scores

FLUSH = 1000
Month = tuple[str, str]  # (employee, period)


def fast_compression(conn: Connection) -> None:
    """lz4 for the documents this transaction writes, where the server has it: the same
    values, compressed several times faster than with the default pglz."""
    if conn.dialect.name == "postgresql" and conn.execute(text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")).scalar():
        conn.execute(text("SET LOCAL default_toast_compression = 'lz4'"))


class Sink:
    """Rows to write, COPYed in chunks; each document is encoded once for both its columns.

    A chunk is written on a thread of its own while the next ones are folded: PostgreSQL
    takes the chunk in (parsing and compressing the documents) on the other core, and the
    connection is only ever used by one thread at a time (one chunk in flight).
    """

    def __init__(self, conn: Connection) -> None:
        self.conn, self.now = conn, datetime.now(UTC)
        self.pending: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        self.scored: list[Month] = []
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jixiao-replay-copy")
        self._writing: Future[None] | None = None
        # On PostgreSQL a score's first revision is copied from its row by the server
        # (`copy_first_revisions`): its document is sent and parsed once, not twice.
        self._server_revisions = conn.dialect.name == "postgresql"

    def score(self, doc: dict[str, Any], final: Decimal) -> None:
        text = JsonText(dumps(doc))
        row = {"employee": doc["employee"], "period": doc["period"],
               **score_values(doc, final, 1, self.now), "result": text}
        self._add(scores, row)
        if not self._server_revisions:
            self._add(score_revisions, {**revision_row(None, doc, final, 1, self.now), "new": text})
        self.scored.append((doc["employee"], doc["period"]))

    def ranking(self, key: tuple[str, str, str, str], docs: list[dict[str, Any]], closed: date | None,
                position: int) -> None:
        project, scope, template, period = key
        self._add(rankings, {"project": project, "department": scope, "template": template, "period": period,
                             "rows": docs, "closed_on": closed, "position": position, "revision": 1,
                             "computed_at": self.now})

    def annual(self, no: str, year: str, template: str, doc: dict[str, Any], position: int) -> None:
        self._add(annual_scores, {"employee": no, "year": year, "template": template, "result": doc,
                                  "position": position, "computed_at": self.now})

    def _add(self, table: Any, row: dict[str, Any]) -> None:
        self.pending[table].append(row)
        if len(self.pending[table]) >= FLUSH:
            self._write(table, self.pending.pop(table))

    def _write(self, table: Any, rows: list[dict[str, Any]]) -> None:
        self.wait()
        self._writing = self._pool.submit(self._insert, table, rows)

    def _insert(self, table: Any, rows: list[dict[str, Any]]) -> None:
        insert_rows(self.conn, table, rows)
        if table is scores and self._server_revisions:
            copy_first_revisions(self.conn, [r["employee"] for r in rows], [r["period"] for r in rows])

    def wait(self) -> None:
        """Until the chunk in flight is written (its error, if any, is raised here)."""
        if self._writing is not None:
            writing, self._writing = self._writing, None
            writing.result()

    def flush(self) -> None:
        for table in list(self.pending):
            self._write(table, self.pending.pop(table))
        self.wait()

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def __enter__(self) -> Sink:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if kind is None:
                self.flush()
        finally:
            self.close()
