"""Pengaturan → Lainnya on real widgets: edit, save, stored; a bad cell stores nothing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from comcen_desktop import settings
from comcen_desktop.storage.models import Event
from services import events
from ui.settings_dialog import QtSettingsDialog
from ui.settings_other import VALUE_COLUMN


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(
        "ui.settings_dialog.QMessageBox.warning",
        lambda _parent, _title, text: shown.append(text),
    )
    return shown


def edit(dialog, key: str, text: str) -> None:
    tab = dialog.other_tab
    tab.table.item(tab.row_of(key), VALUE_COLUMN).setText(text)


def stored(database, key):
    with database.read() as session:
        value = settings.get(session, key)
        rows = session.scalars(select(Event).where(Event.kind == "setting")).all()
        return value, [e.after for e in rows]


def test_every_setting_is_listed_with_its_value_and_default(qtbot, database):
    dialog = QtSettingsDialog(database)
    qtbot.addWidget(dialog)
    table = dialog.other_tab.table
    row = dialog.other_tab.row_of("api.port")
    assert table.rowCount() >= len(settings.DEFAULTS)
    assert [table.item(row, c).text() for c in (0, 2, 3)] == ["api.port", "8765", "8765"]
    assert "perlu mulai ulang" in table.item(row, 1).text()
    assert not table.item(row, 2).flags() & Qt.ItemFlag.ItemIsEditable
    assert table.item(row, VALUE_COLUMN).flags() & Qt.ItemFlag.ItemIsEditable


def test_an_edited_value_is_saved_with_an_event(qtbot, database, warnings):
    dialog = QtSettingsDialog(database)
    qtbot.addWidget(dialog)
    edit(dialog, "incident.radius_m", "750")
    edit(dialog, "dispatch.auto_assign", "true")

    dialog._save()

    assert warnings == []
    assert dialog.saved_changes == 2
    value, changes = stored(database, "incident.radius_m")
    assert value == 750.0
    assert stored(database, "dispatch.auto_assign")[0] is True
    assert sorted(c["key"] for c in changes) == ["dispatch.auto_assign", "incident.radius_m"]


def test_a_bad_value_names_the_key_and_stores_nothing(qtbot, database, warnings):
    dialog = QtSettingsDialog(database)
    qtbot.addWidget(dialog)
    edit(dialog, "incident.radius_m", "750")
    edit(dialog, "api.port", "80")
    dialog.posko_table.item(0, 0).setText("Posko Baru")

    dialog._save()

    assert warnings == ["Pengaturan api.port: 80 terlalu kecil (paling kecil 1024)."]
    assert stored(database, "incident.radius_m") == (500.0, [])
    assert stored(database, "api.port")[0] == 8765


def test_an_operator_sees_the_values_read_only(qtbot, database):
    events.set_actor("budi", "operator")
    try:
        dialog = QtSettingsDialog(database)
        qtbot.addWidget(dialog)
        tab = dialog.other_tab
        cell = tab.table.item(tab.row_of("api.port"), VALUE_COLUMN)
        assert not cell.flags() & Qt.ItemFlag.ItemIsEditable
        assert "admin" in tab.refusal
    finally:
        events.set_actor(None)


def test_a_taken_port_says_where_to_change_it(qtbot, database):
    import socket

    from ui.main_window import QtMainWindow

    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    with database.transaction() as session:
        settings.put(session, "api.port", port)
    try:
        win = QtMainWindow(database)
        qtbot.addWidget(win)
        try:
            win._start_api()  # what start() does after the window opens
            assert win.api_server is None
            assert win.message_label.text() == (
                f"API lokal tidak jalan: port {port} di 127.0.0.1 sudah dipakai program "
                "lain. Ganti port di Pengaturan → Lainnya → api.port "
                f"(atau: comcen setting set api.port {port + 1})."
            )
        finally:
            win.shutdown()
    finally:
        holder.close()
