"""`comcen setting list | get | set` through the real entry point."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from comcen_desktop import cli, settings
from comcen_desktop.storage.models import Event
from services import accounts, events
from services.database import open_database


@pytest.fixture
def url(sqlite_url, monkeypatch):
    for name in ("COMCEN_PASSWORD", "COMCEN_USER", "COMCEN_NEW_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    yield sqlite_url
    events.set_actor(None)


def comcen(url, *argv) -> int:
    events.set_actor(None)  # each call is a fresh process in real life
    return cli.main(["--db", url, *argv])


def stored(url, key):
    database = open_database(url)
    try:
        with database.read() as session:
            value = settings.get(session, key)
            rows = session.scalars(select(Event).where(Event.kind == "setting")).all()
            return value, [(e.before, e.after) for e in rows]
    finally:
        database.dispose()


def test_set_stores_the_typed_value_with_an_event(url, capsys):
    assert comcen(url, "setting", "set", "api.port", "8766") == 0
    assert "api.port = 8766" in capsys.readouterr().out
    value, changes = stored(url, "api.port")
    assert value == 8766
    assert changes == [({"key": "api.port", "value": 8765}, {"key": "api.port", "value": 8766})]

    assert comcen(url, "setting", "get", "api.port") == 0
    assert capsys.readouterr().out.strip() == "8766"


def test_setting_the_same_value_writes_no_event(url, capsys):
    assert comcen(url, "setting", "set", "incident.min_reports", "3") == 0
    assert "tidak ada yang diubah" in capsys.readouterr().out
    assert stored(url, "incident.min_reports") == (3, [])


def test_a_bad_value_is_refused_and_nothing_stored(url, capsys):
    assert comcen(url, "setting", "set", "incident.radius_m", "-10") == 1
    err = capsys.readouterr().err
    assert "Pengaturan incident.radius_m: -10 terlalu kecil" in err
    assert stored(url, "incident.radius_m") == (500.0, [])


def test_an_unknown_key_names_close_matches(url, capsys):
    assert comcen(url, "setting", "set", "api.prot", "9000") == 1
    assert "Mungkin: api.port" in capsys.readouterr().err
    assert comcen(url, "setting", "get", "kpi.repeat") == 1
    assert "kpi.repeat_days" in capsys.readouterr().err


def test_list_shows_every_setting_and_what_changed(url, capsys):
    assert comcen(url, "setting", "set", "dispatch.auto_assign", "true") == 0
    capsys.readouterr()
    assert comcen(url, "setting", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    keys = [line.split(" = ")[0] for line in lines if not line.startswith(" ")]
    assert keys[: len(settings.DEFAULTS)] == sorted(settings.DEFAULTS)
    assert "dispatch.auto_assign = true  (diubah; bawaan false)" in lines


def test_a_bad_template_is_refused(url, capsys):
    assert comcen(url, "setting", "set", "notice.template.nyala", "Nyala {apa}") == 1
    assert "{apa} tidak dikenal" in capsys.readouterr().err


def test_only_an_admin_may_set_once_accounts_exist(url, monkeypatch, capsys):
    database = open_database(url)
    with database.transaction() as session:
        accounts.create_user(session, "boss", "admin", actor="t", password="rahasia-admin")
        accounts.create_user(session, "budi", "operator", actor="t", password="rahasia-budi",
                             os_user=accounts.os_login())  # fmt: skip
    database.dispose()

    assert comcen(url, "setting", "set", "kpi.repeat_days", "14") == 1
    assert "mengubah pengaturan" in capsys.readouterr().err
    assert stored(url, "kpi.repeat_days") == (30, [])

    monkeypatch.setenv("COMCEN_USER", "boss")
    monkeypatch.setenv("COMCEN_PASSWORD", "rahasia-admin")
    assert comcen(url, "setting", "set", "kpi.repeat_days", "14") == 0
    value, changes = stored(url, "kpi.repeat_days")
    assert value == 14 and len(changes) == 1
