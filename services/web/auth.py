"""Sign in with a username and password; sign out."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, redirect, request, session
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from services.web.pages import page
from shared.accounts import SignInRefused, sign_in
from shared.sessions import ServerSession
from shared.web import get_db

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=256)])


def _same_origin() -> bool:
    """Sign-in is refused from another origin (login CSRF), whatever the form carries."""
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    return origin is None or urlsplit(origin).netloc == request.host


def _next() -> str:
    target = request.args.get("next") or "/"
    return target if target.startswith("/") and not target.startswith("//") else "/"


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The sign-in form (fields `username`, `password`)."""
    form = LoginForm()
    if request.method == "POST" and not _same_origin():
        return page("login.html", 403, form=form, refused="来源不符，拒绝登录 (cross-origin sign-in refused)")
    if not form.validate_on_submit():
        return page("login.html", 400 if request.method == "POST" else 200, form=form, refused="")
    with get_db().write() as conn:
        result = sign_in(conn, form.username.data or "", form.password.data or "")
    if isinstance(result, SignInRefused):
        return page("login.html", 423 if result.locked else 401, form=form, refused=str(result))
    assert isinstance(session, ServerSession)
    session.sign_in(result)
    return redirect(_next(), code=303)


@bp.post("/logout")
def logout() -> Any:
    """Sign out: the session ends here and in the database."""
    assert isinstance(session, ServerSession)
    session.sign_out()
    return redirect("/login", code=303)
