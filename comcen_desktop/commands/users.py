"""`comcen user`: manage the console accounts from the command line.

    comcen user add NAME --role R [--os-user LOGIN] [--display-name TEXT]
    comcen user list
    comcen user passwd NAME
    comcen user role NAME R
    comcen user os NAME [LOGIN]        map (or, without LOGIN, unmap) an OS login
    comcen user disable NAME

The caller must be an admin: signed in by the OS login mapped to an admin account,
or with `--as NAME` (before or after the action) and that account's password, typed
at a prompt or, without a terminal, from COMCEN_PASSWORD. On a database without
accounts the first one may be added by anyone, and must be an admin; unless
--os-user says otherwise it is linked to the OS login that created it, so the next
`comcen user ...` from that login needs no password. A new password comes from a
prompt (typed twice) or from COMCEN_PASSWORD for scripts; COMCEN_NEW_PASSWORD when
COMCEN_PASSWORD already holds the --as admin's password.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

NAME = "user"
ROLES = ["operator", "supervisor", "wall", "admin"]
AS_HELP = "act as this admin account (password at a prompt, or COMCEN_PASSWORD)"


class _Actions:
    """The subparsers, each given the --as option too."""

    def __init__(self, subparsers, acting):
        self._subparsers = subparsers
        self._acting = acting

    def add_parser(self, name, **kwargs):
        return self._subparsers.add_parser(name, parents=[self._acting], **kwargs)


def add_parser(commands) -> None:
    parser = commands.add_parser(NAME, help="console accounts and roles (admin)")
    parser.add_argument("--as", dest="as_user", metavar="NAME", help=AS_HELP)
    # --as is also accepted after the action ("user add x --as boss"); SUPPRESS keeps
    # an action without it from resetting the value given before the action.
    acting = argparse.ArgumentParser(add_help=False)
    acting.add_argument("--as", dest="as_user", metavar="NAME", default=argparse.SUPPRESS,
                        help=AS_HELP)  # fmt: skip
    actions = _Actions(parser.add_subparsers(dest="user_action", required=True), acting)
    add = actions.add_parser("add", help="a new account")
    add.add_argument("username", metavar="NAME")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--os-user", metavar="LOGIN", help="OS login that signs in without password")
    add.add_argument("--display-name", metavar="TEXT")
    add.add_argument("--no-password", action="store_true", help="OS login only, no password")
    actions.add_parser("list", help="every account with its role")
    passwd = actions.add_parser("passwd", help="set a new password")
    passwd.add_argument("username", metavar="NAME")
    role = actions.add_parser("role", help="change the role")
    role.add_argument("username", metavar="NAME")
    role.add_argument("role", choices=ROLES)
    mapping = actions.add_parser("os", help="map an OS login to the account (none: unmap)")
    mapping.add_argument("username", metavar="NAME")
    mapping.add_argument("os_user", metavar="LOGIN", nargs="?")
    disable = actions.add_parser("disable", help="disable an account (its history stays)")
    disable.add_argument("username", metavar="NAME")


def run(args) -> int:
    from services import accounts
    from services.database import open_database

    database = open_database(args.db)
    try:
        return _run(args, database)
    except accounts.AccountError as exc:
        print(f"comcen: {exc}", file=sys.stderr)
        return 1
    finally:
        database.dispose()


def _run(args, database) -> int:
    if args.user_action == "list":
        return _list(database)
    actor = _sign_in_admin(args, database)
    change = {
        "add": _add,
        "passwd": _passwd,
        "role": _role,
        "os": _os,
        "disable": _disable,
    }[args.user_action]
    with database.transaction() as session:
        message = change(session, args, actor)
    print(f"comcen: {message}")
    return 0


def _sign_in_admin(args, database) -> str:
    """The admin acting, signed in for this process; on an empty database, nobody."""
    from services import accounts, authz, events

    with database.transaction() as session:
        if not accounts.has_accounts(session):
            if args.user_action != "add" or args.role != "admin":
                raise accounts.AccountError(
                    "Belum ada akun: buat dulu akun admin (comcen user add NAMA --role admin)."
                )
            args.first_account = True
            return accounts.os_login()
        signed = _signed(session, args)
    events.set_actor(signed.username, signed.role)
    authz.require_current("users.manage")
    return signed.username


def _signed(session, args):
    from services import accounts

    if args.as_user:
        outcome = accounts.sign_in(session, args.as_user, _admin_password(args))
    else:
        outcome = accounts.sign_in_os_user(session, accounts.os_login())
    if isinstance(outcome, str):
        raise accounts.AccountError(outcome + " (atau pakai --as NAMA_ADMIN)")
    return outcome


def _ask(prompt: str) -> str:
    from services.accounts import AccountError

    if not sys.stdin.isatty():
        raise AccountError("Kata sandi hanya bisa diketik di terminal.")
    return getpass.getpass(prompt)


def _admin_password(args) -> str:
    """The --as account's password: typed at a terminal, else COMCEN_PASSWORD."""
    from services.accounts import AccountError

    if sys.stdin.isatty():
        return getpass.getpass(f"Kata sandi {args.as_user}: ")
    if os.environ.get("COMCEN_PASSWORD"):
        args.admin_password_from_env = True
        return os.environ["COMCEN_PASSWORD"]
    raise AccountError(
        f"Kata sandi {args.as_user} hanya bisa diketik di terminal (atau COMCEN_PASSWORD)."
    )


def new_password(username: str, admin_from_env: bool = False) -> str:
    """COMCEN_NEW_PASSWORD or COMCEN_PASSWORD, or typed twice at a prompt. When
    COMCEN_PASSWORD was the --as admin's password it is never the new one too."""
    from services.accounts import AccountError

    if os.environ.get("COMCEN_NEW_PASSWORD"):
        return os.environ["COMCEN_NEW_PASSWORD"]
    if os.environ.get("COMCEN_PASSWORD") and not admin_from_env:
        return os.environ["COMCEN_PASSWORD"]
    if admin_from_env and not sys.stdin.isatty():
        raise AccountError(
            "COMCEN_PASSWORD berisi kata sandi admin (--as); beri kata sandi baru "
            f"{username} di COMCEN_NEW_PASSWORD. Tidak ada yang diubah."
        )
    first = _ask(f"Kata sandi baru {username}: ")
    if _ask("Ulangi kata sandi: ") != first:
        raise AccountError("Kedua kata sandi tidak sama; tidak ada yang diubah.")
    return first


def _add(session, args, actor: str) -> str:
    from services import accounts

    password = None if args.no_password else new_password(args.username, _from_env(args))
    # The first admin is made by the unit's IT at their own login: link it, so their
    # next `comcen user ...` needs no --as (said in the message; undone by `user os`).
    linked = args.os_user or (actor if getattr(args, "first_account", False) else None)
    accounts.create_user(session, args.username, args.role, actor=actor, password=password,
                         os_user=linked, display_name=args.display_name)  # fmt: skip
    if linked and not args.os_user:
        return (
            f"akun {args.username} dibuat ({args.role}), terhubung ke login OS {linked} "
            f"(lepas: comcen user os {args.username})"
        )
    return f"akun {args.username} dibuat ({args.role})"


def _from_env(args) -> bool:
    return getattr(args, "admin_password_from_env", False)


def _passwd(session, args, actor: str) -> str:
    from services import accounts

    password = new_password(args.username, _from_env(args))
    accounts.set_password(session, args.username, password, actor=actor)
    return f"kata sandi {args.username} diubah"


def _role(session, args, actor: str) -> str:
    from services import accounts

    accounts.set_role(session, args.username, args.role, actor=actor)
    return f"peran {args.username}: {args.role}"


def _os(session, args, actor: str) -> str:
    from services import accounts

    accounts.set_os_user(session, args.username, args.os_user, actor=actor)
    return f"login OS {args.username}: {args.os_user or '-'}"


def _disable(session, args, actor: str) -> str:
    from services import accounts

    accounts.deactivate(session, args.username, actor=actor)
    return f"akun {args.username} dinonaktifkan"


def _list(database) -> int:
    from comcen_desktop.timeutil import format_wib
    from services import accounts

    with database.read() as session:
        rows = accounts.list_users(session)
    print(f"{'NAMA':<20} {'PERAN':<11} {'LOGIN OS':<16} {'AKTIF':<6} TERAKHIR MASUK (WIB)")
    for row in rows:
        last = format_wib(row.last_login_at) if row.last_login_at else "-"
        active = "ya" if row.active else "tidak"
        print(f"{row.username:<20} {row.role:<11} {row.os_user or '-':<16} {active:<6} {last}")
    return 0


def sign_in_command(database) -> None:
    """Sign a headless command in: COMCEN_USER with COMCEN_PASSWORD, or the OS login
    mapped to an account; on a database without accounts nobody (unrestricted)."""
    from services import accounts, events

    refused = None
    with database.transaction() as session:
        try:
            signed = accounts.command_sign_in(
                session,
                accounts.os_login(),
                os.environ.get("COMCEN_USER"),
                os.environ.get("COMCEN_PASSWORD"),
            )
        except accounts.AccountError as exc:
            # Raised after the transaction: the refused sign-in stays in the audit.
            refused = exc
    if refused is not None:
        raise refused
    if signed is not None:
        events.set_actor(signed.username, signed.role)
