"""Who may use jixiao: people's accounts and integrations' bearer tokens."""

from __future__ import annotations

import sys

import click

from jixiao.cli.common import runtime
from shared.auth import ROLES, AccessInvalid


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line: str = sys.stdin.readline()
        return line.rstrip("\r\n")
    return str(click.prompt("密码 (password)", hide_input=True, confirmation_prompt=True))


@click.group()
def user() -> None:
    """People's accounts for the web app (username and password)."""


@user.command("create")
@click.option("--username", required=True, help="Sign-in name; an employee's is their 工号.")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--project", "projects", multiple=True, help="Project code in scope (repeatable).")
@click.option("--employee", "employee_no", default=None, help="The 工号 of the person (employees: their own).")
@click.option("--name", "display_name", default=None, help="How documents name them (default 姓名 (工号)).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def user_create(username: str, role: str, projects: tuple[str, ...], employee_no: str | None,
                display_name: str | None, password_stdin: bool) -> None:
    """Create an account (refuses an unknown role, project or 工号)."""
    from shared.accounts import create_account

    password = _password(password_stdin)
    rt = runtime()
    try:
        with rt.db.write() as conn:
            account = create_account(conn, username, password, role, projects, employee_no, display_name)
    except AccessInvalid as exc:
        raise click.UsageError(str(exc)) from None
    scope = ", ".join(sorted(account.projects)) or "all projects"
    click.echo(f"created {account.username} ({account.display_name}), {account.role} of {scope}")


@user.command("disable")
@click.argument("username")
def user_disable(username: str) -> None:
    """Disable an account; its sessions end at once."""
    from shared.accounts import disable

    try:
        with runtime().db.write() as conn:
            disable(conn, username)
    except AccessInvalid as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"disabled {username}")


@user.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from the first line of stdin.")
def user_reset_password(username: str, password_stdin: bool) -> None:
    """Set a new password (and enable the account); its sessions end."""
    from shared.accounts import reset_password

    password = _password(password_stdin)
    try:
        with runtime().db.write() as conn:
            reset_password(conn, username, password)
    except AccessInvalid as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"password of {username} reset")


@user.command("list")
def user_list() -> None:
    """Every account: username, name, role, projects, whether disabled."""
    from shared.accounts import list_accounts

    with runtime().db.read() as conn:
        for a in list_accounts(conn):
            state = "disabled" if a.disabled else "active"
            click.echo(f"{a.username}\t{a.display_name}\t{a.role}\t{','.join(sorted(a.projects)) or '*'}\t{state}")


@click.group()
def token() -> None:
    """Bearer tokens (for integrations and scripts)."""


@token.command("create")
@click.option("--user", required=True, help="User name; for --role employee, the employee's 工号.")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--project", "projects", multiple=True, help="Project code in scope (repeatable).")
def token_create(user: str, role: str, projects: tuple[str, ...]) -> None:
    """Create a token and print it (it is stored hashed and cannot be shown again)."""
    from shared.auth import create_token

    try:
        with runtime().db.write() as conn:
            click.echo(create_token(conn, user, role, projects))
    except AccessInvalid as exc:
        raise click.UsageError(str(exc)) from None


@token.command("list")
def token_list() -> None:
    """Every token: id, user, role, projects, created, revoked (never the token itself)."""
    from shared.auth import list_tokens

    with runtime().db.read() as conn:
        for t in list_tokens(conn):
            state = f"revoked {t['revoked_at']:%Y-%m-%d %H:%M}" if t["revoked"] and t["revoked_at"] else \
                ("revoked" if t["revoked"] else "active")
            click.echo(f"{t['id']}\t{t['user']}\t{t['role']}\t{','.join(t['projects']) or '*'}\t"
                       f"{t['created_at']:%Y-%m-%d %H:%M}\t{state}")


@token.command("revoke")
@click.argument("token_id")
def token_revoke(token_id: str) -> None:
    """Revoke a token by its id (from `jixiao token list`): the next request with it gets 401."""
    from shared.auth import revoke_token

    with runtime().db.write() as conn:
        if not revoke_token(conn, token_id):
            raise click.UsageError(f"无此有效令牌 {token_id!r} (no active token with that id)")
    click.echo(f"revoked {token_id}")


COMMANDS = [user, token]
