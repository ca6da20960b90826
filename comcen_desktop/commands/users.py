"""`comcen user`: manage the console accounts from the command line.

    comcen user add NAME --role R [--os-user LOGIN] [--display-name TEXT]
    comcen user list
    comcen user passwd NAME
    comcen user role NAME R
    comcen user os NAME [LOGIN]        map (or, without LOGIN, unmap) an OS login
    comcen user disable NAME

The caller must be an admin: signed in by the OS login mapped to an admin account,
or with `--as NAME` and that account's password at a prompt. On a database without
accounts the first one may be added by anyone, and must be an admin. A new password
comes from a prompt (typed twice) or from COMCEN_PASSWORD for scripts.
"""

from __future__ import annotations

import getpass
import os
import sys

NAME = "user"
ROLES = ["operator", "supervisor", "wall", "admin"]


def add_parser(commands) -> None:
    parser = commands.add_parser(NAME, help="console accounts and roles (admin)")
    parser.add_argument("--as", dest="as_user", metavar="NAME",
                        help="act as this admin account (password asked)")  # fmt: skip
    actions = parser.add_subparsers(dest="user_action", required=True)
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
            return accounts.os_login()
        signed = _signed(session, args)
    events.set_actor(signed.username, signed.role)
    authz.require_current("users.manage")
    return signed.username


def _signed(session, args):
    from services import accounts

    if args.as_user:
        outcome = accounts.sign_in(session, args.as_user, _ask(f"Kata sandi {args.as_user}: "))
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


def new_password(username: str) -> str:
    """COMCEN_PASSWORD, or typed twice at a prompt."""
    from services.accounts import AccountError

    if os.environ.get("COMCEN_PASSWORD"):
        return os.environ["COMCEN_PASSWORD"]
    first = _ask(f"Kata sandi baru {username}: ")
    if _ask("Ulangi kata sandi: ") != first:
        raise AccountError("Kedua kata sandi tidak sama; tidak ada yang diubah.")
    return first


def _add(session, args, actor: str) -> str:
    from services import accounts

    password = None if args.no_password else new_password(args.username)
    accounts.create_user(session, args.username, args.role, actor=actor, password=password,
                         os_user=args.os_user, display_name=args.display_name)  # fmt: skip
    return f"akun {args.username} dibuat ({args.role})"


def _passwd(session, args, actor: str) -> str:
    from services import accounts

    accounts.set_password(session, args.username, new_password(args.username), actor=actor)
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

    with database.transaction() as session:
        signed = accounts.command_sign_in(
            session,
            accounts.os_login(),
            os.environ.get("COMCEN_USER"),
            os.environ.get("COMCEN_PASSWORD"),
        )
    if signed is not None:
        events.set_actor(signed.username, signed.role)
