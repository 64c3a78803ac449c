"""Bulk inserts: COPY on PostgreSQL, executemany elsewhere; the same rows either way.

COPY skips the per-row statement work of an INSERT (parse, plan, execute) and is the
fastest way PostgreSQL takes rows. It runs inside the caller's transaction, so it is
as atomic as the INSERT it replaces, and a constraint violation surfaces as the same
`sqlalchemy.exc.IntegrityError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, Connection, Table
from sqlalchemy.exc import IntegrityError


class JsonText(str):
    """JSON encoded already (a document stored in two columns is encoded once)."""


COPY_FROM = 20  # fewer rows go as an INSERT: COPY costs an extra round trip to start


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (dicts keyed by column name) into `table` in one round of work."""
    if not rows:
        return
    if conn.dialect.name != "postgresql" or len(rows) < COPY_FROM:
        conn.execute(table.insert(), [_decoded(row) for row in rows])
        return
    import psycopg

    columns = list(rows[0])
    encode = [_encoder(table.c[name].type) for name in columns]
    names = ", ".join(f'"{name}"' for name in columns)
    raw = conn.connection.driver_connection
    assert raw is not None
    statement = f'COPY "{table.name}" ({names}) FROM STDIN'
    try:
        with raw.cursor() as cur, cur.copy(statement) as copy:
            for row in rows:
                copy.write_row([fn(row[name]) for fn, name in zip(encode, columns, strict=True)])
    except psycopg.errors.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from exc


def _encoder(type_: Any) -> Callable[[Any], Any]:
    """What SQLAlchemy's bind processing sends for a value of this column type."""
    if not isinstance(type_, JSON):
        return _same
    if type_.none_as_null:
        return lambda v: None if v is None else _json(v)
    return _json  # None becomes JSON null, as SQLAlchemy's JSON type does by default


def _json(value: Any) -> str:
    return str(value) if type(value) is JsonText else dumps(value)


def dumps(value: Any) -> str:
    """JSON text for a JSON column (orjson: UTF-8, compact; the column parses it to the same
    value as the standard library's text)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def loads(text: str | bytes) -> Any:
    return orjson.loads(text)


def _decoded(row: Mapping[str, Any]) -> Mapping[str, Any]:
    if not any(type(v) is JsonText for v in row.values()):
        return row
    return {k: loads(str(v)) if type(v) is JsonText else v for k, v in row.items()}


def _same(value: Any) -> Any:
    return value
