"""Local accounts: who may sign in to a console, with which role.

Passwords are hashed with scrypt (stdlib hashlib; a random salt per password; the
cost parameters are kept in the hash string, so they can be raised later without
breaking old hashes) and compared in constant time. An account may instead, or
as well, be mapped to an OS login (user_account.os_user): a console started by that
login signs in without a password, since the OS already checked who sits there.

The first console started on a database with no accounts makes its OS login the
admin ("bootstrap"), so a new install is never locked out; an event says so.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comcen_desktop import roles
from comcen_desktop.storage.models import UserAccount
from comcen_desktop.timeutil import utc_now
from services import authz, events

log = logging.getLogger(__name__)

SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LEN = 2**14, 8, 1, 32  # ≈ 16 MB, tens of ms
SALT_BYTES = 16
MIN_PASSWORD = 8
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9._@-]{1,60}$")
WRONG = "Nama pengguna atau kata sandi salah."


class AccountError(ValueError):
    """A refused account change or sign-in; the message is for the operator."""


@dataclass(frozen=True)
class SignedIn:
    username: str
    role: str
    display_name: str | None = None
    how: str = "password"  # password / os / bootstrap


# --- hashing ---------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """'scrypt$n=..,r=..,p=..$salt$hash', salt and hash in base64."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LEN)
    params = f"n={SCRYPT_N},r={SCRYPT_R},p={SCRYPT_P}"
    return f"scrypt${params}${_b64(salt)}${_b64(digest)}"


def check_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored``; a malformed hash matches nothing."""
    try:
        scheme, params, salt, digest = (stored or "").split("$")
        cost = dict(part.split("=") for part in params.split(","))
        n, r, p = int(cost["n"]), int(cost["r"]), int(cost["p"])
        expected = base64.b64decode(digest)
        salt_bytes = base64.b64decode(salt)
    except (ValueError, KeyError):
        return False
    if scheme != "scrypt":
        return False
    actual = _scrypt(password, salt_bytes, n, r, p, len(expected))
    return hmac.compare_digest(actual, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    memory = 128 * n * r * p + 1024 * 1024
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=memory
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# A hash to check against when the name is unknown, so a wrong name takes as long as
# a wrong password and the answer does not tell which names exist.
_DUMMY_HASH = f"scrypt$n={SCRYPT_N},r={SCRYPT_R},p={SCRYPT_P}$AAAAAAAAAAAAAAAAAAAAAA==$" + _b64(
    bytes(SCRYPT_LEN)
)


def os_login() -> str:
    """The OS account running this process, from the OS rather than the environment
    (getpass reads USER/LOGNAME, which anyone can set)."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return os.environ.get("USERNAME") or "operator"  # Windows: the logon name


# --- reading ---------------------------------------------------------------------------


def find(session: Session, username: str) -> UserAccount | None:
    return session.scalar(select(UserAccount).where(UserAccount.username == username.strip()))


def list_users(session: Session) -> list[UserAccount]:
    return list(session.scalars(select(UserAccount).order_by(UserAccount.username)))


def has_accounts(session: Session) -> bool:
    return bool(session.scalar(select(func.count(UserAccount.id))))


def verify(session: Session, username: str, password: str) -> bool:
    """Whether the active account ``username`` has this password."""
    account = find(session, username)
    if account is None or not account.active:
        check_password(password, _DUMMY_HASH)
        return False
    return check_password(password, account.password_hash)


# --- signing in ------------------------------------------------------------------------


def sign_in(session: Session, username: str, password: str) -> SignedIn | str:
    """SignedIn, or the refusal in words; the attempt is logged either way."""
    account = find(session, username or "")
    if account is None or not check_password(password or "", account.password_hash):
        if account is None:
            check_password(password or "", _DUMMY_HASH)
        _log_refused(session, username, account, "kata sandi salah")
        return WRONG
    if not account.active:
        _log_refused(session, username, account, "akun nonaktif")
        return f"Akun {account.username} dinonaktifkan; hubungi admin."
    return _signed_in(session, account, "password")


def sign_in_os_user(session: Session, login: str) -> SignedIn | str:
    """Sign in the account mapped to OS login ``login``, or say why not."""
    account = session.scalar(select(UserAccount).where(UserAccount.os_user == login))
    if account is None:
        return f"Login OS '{login}' tidak terhubung ke akun; masuk dengan nama dan kata sandi."
    if not account.active:
        _log_refused(session, account.username, account, "akun nonaktif")
        return f"Akun {account.username} dinonaktifkan; hubungi admin."
    return _signed_in(session, account, "os")


def bootstrap_admin(session: Session, login: str) -> SignedIn | None:
    """On a database without accounts, make ``login`` the admin (mapped to it)."""
    if has_accounts(session):
        return None
    account = _new_account(session, login, roles.Role.ADMIN.value, None, login, login)
    why = {"reason": "akun pertama: login OS jadi admin"}
    events.record(
        session, "user_bootstrap", "user", account.id, actor=login, after=_public(account) | why
    )
    log.warning("No accounts yet: OS login %s is now admin", login)
    return _signed_in(session, account, "bootstrap")


def console_sign_in(session: Session, login: str) -> SignedIn | None:
    """Sign-in without a prompt: bootstrap on an empty database, else the OS mapping;
    None when the console has to ask for a name and password."""
    first = bootstrap_admin(session, login)
    if first is not None:
        return first
    mapped = sign_in_os_user(session, login)
    return mapped if isinstance(mapped, SignedIn) else None


def command_sign_in(
    session: Session, login: str, username: str | None, password: str | None
) -> SignedIn | None:
    """A command-line run: None on a database without accounts (unrestricted, as a
    new install's scripts are); else a password (COMCEN_PASSWORD) for ``username``, or
    the OS mapping; AccountError saying why not."""
    if not has_accounts(session):
        return None
    outcome = (
        sign_in(session, username or login, password)
        if password
        else sign_in_os_user(session, login)
    )
    if isinstance(outcome, str):
        raise AccountError(outcome + " (COMCEN_USER dan COMCEN_PASSWORD untuk skrip)")
    return outcome


def _signed_in(session: Session, account: UserAccount, how: str) -> SignedIn:
    account.last_login_at = utc_now()
    session.flush()
    events.record(session, "sign_in", "user", account.id, actor=account.username,
                  after={"role": account.role, "how": how})  # fmt: skip
    return SignedIn(account.username, account.role, account.display_name, how)


def _log_refused(session, username, account, why: str) -> None:
    events.record(session, "sign_in_refused", "user", account.id if account else None,
                  actor=(username or "?")[:60], after={"why": why})  # fmt: skip


# --- managing (admin) ------------------------------------------------------------------


def create_user(
    session: Session,
    username: str,
    role: str,
    *,
    actor: str,
    password: str | None = None,
    os_user: str | None = None,
    display_name: str | None = None,
) -> UserAccount:
    """A new account; it needs a password or an OS login, or nobody could use it."""
    authz.require_current("users.manage")
    username = _check_username(username)
    _check_role(role)
    if find(session, username) is not None:
        raise AccountError(f"Akun {username} sudah ada.")
    if not password and not os_user:
        raise AccountError(f"Akun {username}: beri kata sandi atau login OS (--os-user).")
    if password:
        _check_password(username, password)
    if os_user:
        _check_os_user(session, username, os_user)
    account = _new_account(session, username, role, password, os_user, display_name)
    events.record(session, "user_create", "user", account.id, actor=actor, after=_public(account))
    return account


def set_password(session: Session, username: str, password: str, *, actor: str) -> None:
    authz.require_current("users.manage")
    account = _existing(session, username)
    _check_password(account.username, password)
    account.password_hash = hash_password(password)
    session.flush()
    # The hash stays out of the log: it is the one thing an attacker could use.
    events.record(session, "user_password", "user", account.id, actor=actor,
                  after={"username": account.username, "password": "diubah"})  # fmt: skip


def set_role(session: Session, username: str, role: str, *, actor: str) -> None:
    authz.require_current("users.manage")
    account = _existing(session, username)
    _check_role(role)
    if account.role == role:
        return
    if account.role == roles.Role.ADMIN.value:
        _keep_an_admin(session, account)
    before = _public(account)
    account.role = role
    session.flush()
    events.record(session, "user_role", "user", account.id, actor=actor,
                  before=before, after=_public(account))  # fmt: skip


def set_os_user(session: Session, username: str, os_user: str | None, *, actor: str) -> None:
    authz.require_current("users.manage")
    account = _existing(session, username)
    if os_user:
        _check_os_user(session, account.username, os_user)
    before = _public(account)
    account.os_user = os_user or None
    session.flush()
    events.record(session, "user_os", "user", account.id, actor=actor,
                  before=before, after=_public(account))  # fmt: skip


def deactivate(session: Session, username: str, *, actor: str) -> None:
    """Disable an account (kept, with its history); the last active admin stays."""
    authz.require_current("users.manage")
    account = _existing(session, username)
    if not account.active:
        return
    if account.role == roles.Role.ADMIN.value:
        _keep_an_admin(session, account)
    before = _public(account)
    account.active = False
    session.flush()
    events.record(session, "user_disable", "user", account.id, actor=actor,
                  before=before, after=_public(account))  # fmt: skip


def _new_account(session, username, role, password, os_user, display_name) -> UserAccount:
    account = UserAccount(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=hash_password(password) if password else None,
        os_user=os_user or None,
        active=True,
        created_at=utc_now(),
    )
    session.add(account)
    session.flush()
    return account


def _public(account: UserAccount) -> dict:
    return {
        "username": account.username,
        "role": account.role,
        "os_user": account.os_user,
        "active": account.active,
    }


def _existing(session: Session, username: str) -> UserAccount:
    account = find(session, username or "")
    if account is None:
        raise AccountError(f"Akun {username} tidak ada.")
    return account


def _check_username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME_PATTERN.match(username):
        raise AccountError(
            f"Nama pengguna '{username}' tidak sah: 1–60 huruf, angka, titik, _, @ atau -."
        )
    return username


def _check_role(role: str) -> None:
    if not roles.is_role(role):
        known = ", ".join(r.value for r in roles.Role)
        raise AccountError(f"Peran '{role}' tidak dikenal; pilih salah satu: {known}.")


def _check_password(username: str, password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"Akun {username}: kata sandi minimal {MIN_PASSWORD} karakter.")


def _check_os_user(session: Session, username: str, os_user: str) -> None:
    holder = session.scalar(select(UserAccount).where(UserAccount.os_user == os_user))
    if holder is not None and holder.username != username:
        raise AccountError(f"Login OS '{os_user}' sudah dipakai akun {holder.username}.")


def _keep_an_admin(session: Session, account: UserAccount) -> None:
    others = session.scalar(
        select(func.count(UserAccount.id)).where(
            UserAccount.role == roles.Role.ADMIN.value,
            UserAccount.active.is_(True),
            UserAccount.id != account.id,
        )
    )
    if not others:
        raise AccountError(
            f"Akun {account.username} adalah admin aktif terakhir; buat admin lain dulu."
        )
