"""Local accounts: scrypt hashes, sign-in by password or OS login, bootstrap, events."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from comcen_desktop.storage.models import Event, UserAccount
from services import accounts, authz, events
from services.database import open_database


@pytest.fixture
def db(any_url):
    database = open_database(any_url)
    yield database
    database.dispose()


def _add(database, name="budi", role="operator", password="rahasia-123", os_user=None):
    with database.transaction() as session:
        accounts.create_user(session, name, role, actor="admin", password=password, os_user=os_user)


def _kinds(database) -> list[str]:
    with database.read() as session:
        return list(session.scalars(select(Event.kind).where(Event.entity == "user")))


def test_hash_is_not_the_password_and_records_its_parameters():
    stored = accounts.hash_password("rahasia-123")
    assert "rahasia-123" not in stored
    assert re.fullmatch(r"scrypt\$n=16384,r=8,p=1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}", stored)
    assert stored != accounts.hash_password("rahasia-123")  # a fresh salt each time


def test_check_password_true_and_false():
    stored = accounts.hash_password("rahasia-123")
    assert accounts.check_password("rahasia-123", stored) is True
    assert accounts.check_password("rahasia-124", stored) is False
    assert accounts.check_password("rahasia-123", "md5$abc") is False
    assert accounts.check_password("rahasia-123", None) is False


def test_hash_with_other_parameters_still_verifies():
    salt = b"0123456789abcdef"
    digest = accounts._scrypt("sandi-lama-1", salt, 2**12, 8, 1, 32)
    stored = f"scrypt$n=4096,r=8,p=1${accounts._b64(salt)}${accounts._b64(digest)}"
    assert accounts.check_password("sandi-lama-1", stored) is True


def test_sign_in_with_the_right_password(db):
    _add(db)
    with db.transaction() as session:
        outcome = accounts.sign_in(session, "budi", "rahasia-123")
        assert outcome == accounts.SignedIn("budi", "operator", None, "password")
        assert session.scalar(select(UserAccount.last_login_at)) is not None
    assert _kinds(db) == ["user_create", "sign_in"]
    with db.read() as session:
        stored = session.scalar(select(UserAccount.password_hash))
        assert stored.startswith("scrypt$") and "rahasia" not in stored
        assert accounts.verify(session, "budi", "rahasia-123") is True
        assert accounts.verify(session, "budi", "salah-salah") is False


def test_wrong_password_and_unknown_name_get_the_same_refusal(db):
    _add(db)
    with db.transaction() as session:
        assert accounts.sign_in(session, "budi", "salah-salah") == accounts.WRONG
        assert accounts.sign_in(session, "siapa", "rahasia-123") == accounts.WRONG
    assert _kinds(db) == ["user_create", "sign_in_refused", "sign_in_refused"]


def test_disabled_user_is_refused(db):
    _add(db, "admin1", "admin")
    _add(db)
    with db.transaction() as session:
        accounts.deactivate(session, "budi", actor="admin1")
    with db.transaction() as session:
        outcome = accounts.sign_in(session, "budi", "rahasia-123")
        assert outcome == "Akun budi dinonaktifkan; hubungi admin."
        assert accounts.verify(session, "budi", "rahasia-123") is False


def test_os_mapping_signs_in_without_a_password(db):
    _add(db, "sari", "supervisor", password=None, os_user="sari.os")
    with db.transaction() as session:
        assert accounts.sign_in_os_user(session, "sari.os") == accounts.SignedIn(
            "sari", "supervisor", None, "os"
        )
        refused = accounts.sign_in_os_user(session, "orang-lain")
        assert refused.startswith("Login OS 'orang-lain' tidak terhubung")
        assert accounts.console_sign_in(session, "orang-lain") is None


def test_first_console_makes_its_os_login_admin(db):
    with db.transaction() as session:
        first = accounts.console_sign_in(session, "it.bangka")
        assert first == accounts.SignedIn("it.bangka", "admin", "it.bangka", "bootstrap")
    with db.transaction() as session:
        assert accounts.bootstrap_admin(session, "orang-lain") is None
        again = accounts.console_sign_in(session, "it.bangka")
        assert (again.role, again.how) == ("admin", "os")
    assert _kinds(db) == ["user_bootstrap", "sign_in", "sign_in"]


def test_command_sign_in(db):
    with db.transaction() as session:
        assert accounts.command_sign_in(session, "siapa", None, None) is None  # no accounts
    _add(db)
    with db.transaction() as session:
        ok = accounts.command_sign_in(session, "os-user", "budi", "rahasia-123")
        assert (ok.username, ok.role) == ("budi", "operator")
        with pytest.raises(accounts.AccountError, match="tidak terhubung"):
            accounts.command_sign_in(session, "os-user", None, None)


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("budi", "operator", "pendek", "minimal 8 karakter"),
        ("budi", "tamu", "rahasia-123", "Peran 'tamu' tidak dikenal"),
        ("bu di", "operator", "rahasia-123", "Nama pengguna 'bu di' tidak sah"),
        ("budi", "operator", None, "beri kata sandi atau login OS"),
    ],
)
def test_bad_account_is_refused_and_nothing_stored(db, name, role, password, message):
    with pytest.raises(accounts.AccountError, match=message), db.transaction() as session:
        accounts.create_user(session, name, role, actor="admin", password=password)
    with db.read() as session:
        assert accounts.list_users(session) == []


def test_role_change_password_and_last_admin(db):
    _add(db, "admin1", "admin")
    _add(db)
    with db.transaction() as session:
        accounts.set_role(session, "budi", "supervisor", actor="admin1")
        accounts.set_password(session, "budi", "sandi-baru-9", actor="admin1")
    with db.transaction() as session:
        assert accounts.find(session, "budi").role == "supervisor"
        assert accounts.verify(session, "budi", "sandi-baru-9") is True
    last_admin = pytest.raises(accounts.AccountError, match="admin aktif terakhir")
    with last_admin, db.transaction() as session:
        accounts.deactivate(session, "admin1", actor="admin1")
    with db.read() as session:
        password_event = session.scalar(select(Event).where(Event.kind == "user_password"))
        assert password_event.after == {"username": "budi", "password": "diubah"}


def test_only_admin_manages_users(db):
    events.set_actor("budi", "operator")
    refused = pytest.raises(authz.PermissionRefusedError, match="yang boleh: admin")
    with refused, db.transaction() as session:
        accounts.create_user(session, "x1", "operator", actor="budi", password="rahasia-123")
