"""Admin pages: register and transfer employees (also a project's gm), accounts, tokens, and
template versions (view; publish a new one from JSON with the validation errors shown)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, redirect, request

from services.incidents import org_commands
from services.incidents.schemas import EmployeeIn, TransferIn
from services.web import forms, scope
from services.web.forms import Outcome, attempt
from services.web.pages import current, for_roles, page
from shared import accounts, org
from shared.auth import ROLES, create_token, list_tokens, revoke_token
from shared.errors import Invalid
from shared.schemas.template import dump_template
from shared.web import get_db, now

bp = Blueprint("admin", __name__, url_prefix="/admin")
ORG = {"admin", "gm"}
EMPLOYEE = ("employee_no", "name", "project", "department", "position", "template", "effective_from")
TRANSFER = ("project", "department", "effective_from")


@bp.get("/")
@for_roles(ORG)
def index() -> Any:
    """What an admin (or a gm) manages here."""
    return page("admin/index.html")


def _employees(outcome: Outcome, form: str = "", saved: str = "") -> Any:
    with get_db().read() as conn:
        projects = scope.projects(conn, current())
        codes = sorted({t.code: t.name for t in org.catalog(conn).all()}.items())
    return page("admin/employees.html", outcome.status, projects=projects, templates=codes, outcome=outcome,
                form=form, values=request.form, saved=saved or request.args.get("saved", ""))


@bp.route("/employees", methods=["GET", "POST"])
@for_roles(ORG)
def employees() -> Any:
    """Register a new hire (工号, name, project, department, position, template, from which month)."""
    if request.method == "GET":
        return _employees(Outcome())
    body = forms.body(request.form, EMPLOYEE)
    done, outcome = attempt(lambda: org_commands.register_employee(
        get_db(), current(), forms.load(EmployeeIn(), body), forms.meta(), now()))
    if done is not None:
        return redirect(f"/admin/employees?saved={done['employee_no']}", code=303)
    return _employees(outcome, "register")


@bp.post("/employees/transfer")
@for_roles(ORG)
def transfer() -> Any:
    """Transfer an employee to another project or department from a month on."""
    number = (request.form.get("employee_no") or "").strip()
    body = forms.body(request.form, TRANSFER)
    done, outcome = attempt(lambda: org_commands.transfer_employee(
        get_db(), current(), number, forms.load(TransferIn(), body), forms.meta()))
    if done is not None:
        return redirect(f"/admin/employees?saved={number}", code=303)
    return _employees(outcome, "transfer")


def _accounts(outcome: Outcome, token: str = "") -> Any:
    with get_db().read() as conn:
        found, tokens = accounts.list_accounts(conn), list_tokens(conn)
        projects = scope.projects(conn, current())
    return page("admin/accounts.html", outcome.status, accounts=found, tokens=tokens, roles=ROLES,
                projects=projects, outcome=outcome, values=request.form, token=token,
                form=request.form.get("form", ""), saved=request.args.get("saved", ""))


@bp.get("/accounts")
@for_roles({"admin"})
def accounts_page() -> Any:
    """Accounts (create, disable, reset a password) and bearer tokens (create, revoke)."""
    return _accounts(Outcome())


@bp.post("/accounts")
@for_roles({"admin"})
def create_account() -> Any:
    """Create an account; an employee's username is their 工号."""
    f = request.form

    def run() -> Any:
        with get_db().write() as conn:
            return accounts.create_account(conn, f.get("username", ""), f.get("password", ""), f.get("role", ""),
                                           f.getlist("projects"), forms.text(f, "employee_no"),
                                           forms.text(f, "display_name"))

    done, outcome = attempt(run)
    return redirect(f"/admin/accounts?saved={done.username}", code=303) if done else _accounts(outcome)


@bp.post("/accounts/<username>/<action>")
@for_roles({"admin"})
def account_action(username: str, action: str) -> Any:
    """Disable an account (its sessions end at once) or set a new password (and enable it)."""
    if action not in ("disable", "password"):
        abort(404)

    def run() -> bool:
        with get_db().write() as conn:
            if action == "disable":
                accounts.disable(conn, username)
            else:
                accounts.reset_password(conn, username, request.form.get("password", ""))
        return True

    done, outcome = attempt(run)
    return redirect(f"/admin/accounts?saved={username}", code=303) if done else _accounts(outcome)


@bp.post("/tokens")
@for_roles({"admin"})
def create_token_page() -> Any:
    """Create a bearer token for an integration; it is shown once."""
    f = request.form

    def run() -> str:
        with get_db().write() as conn:
            return create_token(conn, (f.get("user") or "").strip(), f.get("role", ""), f.getlist("projects"))

    token, outcome = attempt(run)
    return _accounts(outcome, token or "")


@bp.post("/tokens/<token_id>/revoke")
@for_roles({"admin"})
def revoke_token_page(token_id: str) -> Any:
    """Revoke a token: its next request gets 401."""
    with get_db().write() as conn:
        revoke_token(conn, token_id)
    return redirect("/admin/accounts?saved=token", code=303)


@bp.route("/templates", methods=["GET", "POST"])
@for_roles({"admin"})
def templates() -> Any:
    """Every template version; publish a new version from its JSON (SPEC §7.3)."""
    outcome, published = Outcome(), None
    if request.method == "POST":
        published, outcome = attempt(lambda: org_commands.publish_template(
            get_db(), current(), _document(request.form.get("document", "")), forms.meta()))
    with get_db().read() as conn:
        catalog = org.catalog(conn).all()
    base = _base(catalog, request.args.get("from", ""))
    return page("admin/templates.html", outcome.status, catalog=catalog, outcome=outcome, published=published,
                document=request.form.get("document") or base)


def _document(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise Invalid.field("document", f"不是有效的 JSON：第 {getattr(exc, 'lineno', '?')} 行 (invalid JSON)") from None


def _base(catalog: list[Any], code: str) -> str:
    chosen = [t for t in catalog if t.code == code]
    if not chosen:
        return ""
    doc = dump_template(chosen[-1])
    doc.pop("version", None)
    return json.dumps(doc, ensure_ascii=False, indent=2)


@bp.get("/templates/<code>/<int:version>")
@for_roles({"admin"})
def template(code: str, version: int) -> Any:
    """One template version: its items and rules by title, and its JSON."""
    with get_db().read() as conn:
        found = [t for t in org.template_versions(conn, code) if t.version == version]
    if not found:
        abort(404)
    return page("admin/template.html", t=found[0], document=json.dumps(dump_template(found[0]), ensure_ascii=False,
                                                                         indent=2))
