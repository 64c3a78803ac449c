"""Server-side web sessions: the cookie carries a signed random id, the data stays in the database.

A session ends after 12 hours without a request, when its account is disabled or its
password reset, or at sign-out. Signing in starts a new session id (no fixation). Only
the sha256 of the id is stored, so a database dump does not hand out sessions.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, Signer
from sqlalchemy import delete, select
from werkzeug.datastructures import CallbackDict

from shared.accounts import Account, account_by_id
from shared.db import Database
from shared.hashing import sha256_hex
from shared.tables import web_sessions

COOKIE = "jixiao_session"
IDLE = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=1)  # last-seen is written at most this often


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """The session's data; `sid` is None until it is first saved."""

    def __init__(self, data: dict[str, Any] | None = None, sid: str | None = None,
                 last_seen: datetime | None = None) -> None:
        def on_update(_: Any) -> None:
            self.modified = True

        super().__init__(data or {}, on_update)
        self.sid, self.last_seen, self.modified, self.rotate = sid, last_seen, False, False
        self.account: Account | None = None

    def sign_in(self, account: Account) -> None:
        """Start a fresh session for `account` (a new id: whatever came before is dropped)."""
        self.clear()
        self["account_id"] = account.id
        self.account, self.rotate = account, True

    def sign_out(self) -> None:
        self.clear()
        self.account, self.rotate = None, True


class DatabaseSessions(SessionInterface):
    """Flask's session, kept in `web_sessions` (Flask-WTF keeps its CSRF secret there too)."""

    def __init__(self, db: Database, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.db, self.now = db, now

    def _signer(self, app: Flask) -> Signer:
        return Signer(str(app.secret_key), salt="jixiao-session")

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return ServerSession()
        try:
            sid = self._signer(app).unsign(raw).decode()
        except BadSignature:
            return ServerSession()
        with self.db.read() as conn:
            row = conn.execute(select(web_sessions).where(web_sessions.c.id_hash == sha256_hex(sid))).first()
            if row is None or self.now() - _utc(row.last_seen) > IDLE:
                return ServerSession()
            session = ServerSession(dict(row.data), sid, _utc(row.last_seen))
            if row.account_id:
                account = account_by_id(conn, row.account_id)
                session.account = account if account is not None and not account.disabled else None
        return session

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        now = self.now()
        dropped = session.sid if session.rotate else None
        if session.sid is not None and "account_id" in session and session.account is None:
            dropped = session.sid  # its account was disabled or removed: the session is over
            session.clear()
        if dropped is not None:
            session.sid = None
        due = session.sid is None or session.modified or session.last_seen is None \
            or now - session.last_seen > TOUCH_EVERY
        if dropped is None and (not session or not due):
            return
        with self.db.update() as conn:
            if dropped is not None:
                conn.execute(delete(web_sessions).where(web_sessions.c.id_hash == sha256_hex(dropped)))
            if not session:
                response.delete_cookie(COOKIE, path="/")
                return
            if session.sid is None:
                session.sid = secrets.token_urlsafe(32)
                conn.execute(delete(web_sessions).where(web_sessions.c.last_seen < now - IDLE))  # the idle ones
                conn.execute(web_sessions.insert().values(
                    id_hash=sha256_hex(session.sid), account_id=session.get("account_id"), data=dict(session),
                    created_at=now, last_seen=now))
            else:
                conn.execute(web_sessions.update().where(web_sessions.c.id_hash == sha256_hex(session.sid))
                             .values(data=dict(session), account_id=session.get("account_id"), last_seen=now))
        response.set_cookie(COOKIE, self._signer(app).sign(session.sid).decode(), httponly=True,
                            samesite="Lax", secure=self.get_cookie_secure(app), path="/")


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
