"""`comcen user` and signed-in commands, through the real entry point."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from comcen_desktop import cli
from comcen_desktop.storage.models import Event, Report
from services import accounts, events
from services.database import open_database
from tests.factories import add_reports


@pytest.fixture
def url(sqlite_url, monkeypatch):
    monkeypatch.delenv("COMCEN_PASSWORD", raising=False)
    yield sqlite_url
    events.set_actor(None)


def comcen(url, *argv) -> int:
    events.set_actor(None)  # each call is a fresh process in real life
    return cli.main(["--db", url, *argv])


def _accounts(url) -> list[tuple[str, str, bool]]:
    database = open_database(url)
    try:
        with database.read() as session:
            return [(a.username, a.role, a.active) for a in accounts.list_users(session)]
    finally:
        database.dispose()


def _make_admin(url, monkeypatch):
    monkeypatch.setenv("COMCEN_PASSWORD", "rahasia-admin")
    assert comcen(url, "user", "add", "boss", "--role", "admin", "--os-user",
                  accounts.os_login()) == 0  # fmt: skip


def test_first_account_must_be_admin(url, capsys):
    assert comcen(url, "user", "add", "budi", "--role", "operator", "--no-password") == 1
    assert "buat dulu akun admin" in capsys.readouterr().err
    assert _accounts(url) == []


def test_add_list_role_disable(url, monkeypatch, capsys):
    _make_admin(url, monkeypatch)
    monkeypatch.setenv("COMCEN_PASSWORD", "rahasia-budi")
    assert comcen(url, "user", "add", "budi", "--role", "operator") == 0
    assert comcen(url, "user", "role", "budi", "supervisor") == 0
    assert comcen(url, "user", "disable", "budi") == 0
    assert _accounts(url) == [("boss", "admin", True), ("budi", "supervisor", False)]
    capsys.readouterr()
    assert comcen(url, "user", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["NAMA", "PERAN", "LOGIN"]
    assert lines[2].split()[:4] == ["budi", "supervisor", "-", "tidak"]


def test_passwd_from_the_environment(url, monkeypatch):
    _make_admin(url, monkeypatch)
    assert comcen(url, "user", "add", "budi", "--role", "operator") == 0
    monkeypatch.setenv("COMCEN_PASSWORD", "sandi-baru-77")
    assert comcen(url, "user", "passwd", "budi") == 0
    database = open_database(url)
    try:
        with database.read() as session:
            assert accounts.verify(session, "budi", "sandi-baru-77") is True
            assert accounts.verify(session, "budi", "rahasia-admin") is False
    finally:
        database.dispose()


def test_a_non_admin_cannot_manage_users(url, monkeypatch, capsys):
    _make_admin(url, monkeypatch)
    assert comcen(url, "user", "os", "boss") == 0  # unmap: the OS login is nobody now
    assert comcen(url, "user", "add", "x2", "--role", "operator") == 1
    assert "tidak terhubung ke akun" in capsys.readouterr().err


def test_signed_in_wall_account_cannot_assign_from_a_script(url, monkeypatch, capsys):
    _make_admin(url, monkeypatch)
    monkeypatch.setenv("COMCEN_PASSWORD", "rahasia-wall")
    assert comcen(url, "user", "add", "dinding", "--role", "wall") == 0
    database = open_database(url)
    [report_id] = add_reports(database, 1)
    with database.read() as session:
        number = session.get(Report, report_id).number
    monkeypatch.setenv("COMCEN_USER", "dinding")
    capsys.readouterr()
    assert comcen(url, "assign", number, "1") == 1
    assert "layar dinding tidak boleh menugaskan regu" in capsys.readouterr().err
    with database.read() as session:
        assert session.get(Report, report_id).stage == "lapor"
        kinds = list(session.scalars(select(Event.kind).where(Event.actor == "dinding")))
    database.dispose()
    assert kinds == ["sign_in"]


def test_db_upgrade_and_accounts_on_both_databases(any_url, monkeypatch, capsys):
    """Item 1 of issue 7: `comcen --db URL db upgrade` on SQLite and PostgreSQL alike."""
    assert comcen(any_url, "db", "upgrade") == 0
    assert "is at the newest schema" in capsys.readouterr().out
    database = open_database(any_url)
    try:
        with database.read() as session:
            version = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        database.dispose()
    assert version == "0004"
    _make_admin(any_url, monkeypatch)
    assert _accounts(any_url) == [("boss", "admin", True)]


def test_as_after_the_action_with_the_password_from_the_environment(url, monkeypatch):
    _make_admin(url, monkeypatch)
    assert comcen(url, "user", "os", "boss") == 0  # the OS login is nobody now
    monkeypatch.setenv("COMCEN_PASSWORD", "rahasia-admin")
    monkeypatch.setenv("COMCEN_NEW_PASSWORD", "rahasia-kepala")
    assert comcen(url, "user", "add", "kepala", "--role", "supervisor", "--as", "boss") == 0
    assert comcen(url, "user", "--as", "boss", "role", "kepala", "admin") == 0
    assert _accounts(url) == [("boss", "admin", True), ("kepala", "admin", True)]
    database = open_database(url)
    try:
        with database.read() as session:
            assert accounts.verify(session, "kepala", "rahasia-kepala") is True
    finally:
        database.dispose()


def test_as_with_a_wrong_password_changes_nothing(url, monkeypatch, capsys):
    _make_admin(url, monkeypatch)
    assert comcen(url, "user", "os", "boss") == 0
    monkeypatch.setenv("COMCEN_PASSWORD", "salah-sekali")
    assert comcen(url, "user", "role", "boss", "operator", "--as", "boss") == 1
    assert _accounts(url) == [("boss", "admin", True)]


def test_the_admin_password_is_never_the_new_one(url, monkeypatch, capsys):
    _make_admin(url, monkeypatch)
    assert comcen(url, "user", "os", "boss") == 0
    assert comcen(url, "user", "add", "budi", "--role", "operator", "--as", "boss") == 1
    assert "COMCEN_NEW_PASSWORD" in capsys.readouterr().err
    assert _accounts(url) == [("boss", "admin", True)]


def test_the_first_admin_is_linked_to_the_os_login(url, monkeypatch, capsys):
    monkeypatch.setenv("COMCEN_PASSWORD", "rahasia-admin")
    assert comcen(url, "user", "add", "boss", "--role", "admin") == 0
    assert f"terhubung ke login OS {accounts.os_login()}" in capsys.readouterr().out
    monkeypatch.delenv("COMCEN_PASSWORD")
    # The same login now acts as boss without --as.
    assert comcen(url, "user", "role", "boss", "supervisor") == 1  # the last admin stays
    assert comcen(url, "user", "os", "boss", "login-lain") == 0
    assert _accounts(url) == [("boss", "admin", True)]


def test_an_operator_may_not_import_history(url, monkeypatch, capsys, tmp_path):
    _make_admin(url, monkeypatch)
    monkeypatch.setenv("COMCEN_PASSWORD", "rahasia-budi")
    assert comcen(url, "user", "add", "budi", "--role", "operator") == 0
    history = tmp_path / "apkt.csv"
    history.write_text("no_laporan;waktu_lapor\nA-1;05/03/2024 10:00\n", encoding="utf-8")
    capsys.readouterr()

    monkeypatch.setenv("COMCEN_USER", "budi")
    assert comcen(url, "import", str(history)) == 1
    refusal = capsys.readouterr().err
    assert "operator" in refusal and "supervisor" in refusal
    assert comcen(url, "replay", str(history)) == 1

    monkeypatch.setenv("COMCEN_PASSWORD", "salah")
    assert comcen(url, "import", str(history)) == 1  # a wrong password is no sign-in
    database = open_database(url)
    try:
        with database.read() as session:
            assert session.scalars(select(Report)).all() == []
    finally:
        database.dispose()


def test_a_refused_command_sign_in_stays_in_the_audit(url, monkeypatch, capsys):
    _make_admin(url, monkeypatch)
    monkeypatch.setenv("COMCEN_USER", "boss")
    monkeypatch.setenv("COMCEN_PASSWORD", "salah")
    assert comcen(url, "export", "csv", "--out", "/tmp/never.csv") == 1
    database = open_database(url)
    try:
        with database.read() as session:
            refused = session.scalars(select(Event).where(Event.kind == "sign_in_refused")).all()
    finally:
        database.dispose()
    assert [e.actor for e in refused] == ["boss"]
