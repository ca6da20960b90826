"""The Padam meluas dock and map layer on a real window (offscreen) and a SQLite file."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from comcen_desktop.domain import Stage
from comcen_desktop.storage.models import Incident, Report
from comcen_desktop.timeutil import utc_now
from services import console
from tests.test_incidents import SIX, add


def load(window, now=None) -> None:
    window.apply_state(console.load_state(window.database, now))


def recent(database, offsets):
    """Reports of the last minutes, so the console's own clock proposes them."""
    return add(database, offsets, start=utc_now() - timedelta(minutes=15))


def test_dock_lists_the_proposal_and_konfirmasi_creates_the_incident(window, database):
    ids = recent(database, SIX)
    load(window)
    dock = window.incidents_dock

    assert dock.proposal_table.rowCount() == 1
    assert dock.proposal_table.item(0, 0).text() == "6"
    assert dock.proposal_table.item(0, 3).text() == "Pangkalpinang"
    assert len(window.map_view.incidents.circles) == 1
    assert window.map_view.incidents.circles[0].pen().style().name == "DashLine"

    dock.proposal_table.selectRow(0)
    assert dock.confirm_button.isEnabled()
    assert dock.confirm_selected(customers=120)

    with database.read() as session:
        incident = session.scalars(select(Incident)).one()
        assert incident.customers == 120
        assert incident.status == "aktif"
        linked = session.scalars(select(Report.id).where(Report.incident_id == incident.id))
        assert sorted(linked) == sorted(ids)
        number = incident.number

    load(window)
    assert dock.proposal_table.rowCount() == 0
    assert dock.incident_table.rowCount() == 1
    assert dock.incident_table.item(0, 0).text() == number
    assert dock.incident_table.item(0, 2).text() == "6"
    assert dock.incident_table.item(0, 3).text() == "120"
    circles = window.map_view.incidents.circles
    assert [c.pen().style().name for c in circles] == ["SolidLine"]
    assert window.map_view.incidents.labels[0].startswith(number)


def test_stage_buttons_offer_only_valid_moves_and_move_every_member(window, database):
    ids = recent(database, SIX[:3])
    load(window)
    dock = window.incidents_dock
    dock.proposal_table.selectRow(0)
    assert dock.confirm_selected(customers=40)
    load(window)
    dock.incident_table.selectRow(0)

    assert dock.enabled_moves() == {Stage.BATAL}  # Lapor: assign first, or cancel
    assert dock.assign_button.isEnabled()
    crew = next(c for c in window.state.crews if c.status == "siaga")
    assert dock.assign_selected(crew_id=crew.id)
    load(window)
    dock.incident_table.selectRow(0)
    assert dock.enabled_moves() == {Stage.PERJALANAN, Stage.BATAL}

    assert dock.advance_selected(Stage.PERJALANAN)
    with database.read() as session:
        assert [session.get(Report, i).stage for i in ids] == ["perjalanan"] * 3


def test_dismiss_removes_the_proposal(window, database):
    recent(database, SIX[:4])
    load(window)
    dock = window.incidents_dock
    dock.proposal_table.selectRow(0)
    messages = []
    dock.messageShown.connect(lambda text, error: messages.append((text, error)))

    assert dock.dismiss_selected()
    load(window)

    assert dock.proposal_table.rowCount() == 0
    assert messages == [("Usulan padam meluas ditolak.", False)]
    assert window.map_view.incidents.circles == []


def test_incident_buttons_stay_in_place_and_say_why_they_are_off(window, database):
    recent(database, SIX[:3])
    load(window)
    dock = window.incidents_dock
    buttons = [dock.assign_button, *dock.stage_buttons.values()]

    def places():
        return [dock.stage_row.getItemPosition(dock.stage_row.indexOf(b)) for b in buttons]

    before = places()
    assert not any(b.isEnabled() for b in buttons)
    assert dock.assign_button.toolTip() == "Pilih padam meluas dulu."

    dock.proposal_table.selectRow(0)
    assert dock.confirm_selected(customers=40)
    load(window)
    dock.incident_table.selectRow(0)

    assert places() == before
    assert dock.assign_button.isEnabled()
    assert dock.enabled_moves() == {Stage.BATAL}
    assert dock.stage_buttons[Stage.NYALA].toolTip() == "Tidak bisa dari tahap Lapor."
    assert dock.stage_buttons[Stage.BATAL].toolTip() == ""


def test_dock_dialogs_have_indonesian_buttons(window, monkeypatch):
    from PySide6.QtWidgets import QDialog, QInputDialog

    from ui import incidents_dock

    seen = []

    def fake_exec(dialog):
        seen.append((dialog.okButtonText(), dialog.cancelButtonText()))
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(QInputDialog, "exec", fake_exec)
    dialog = incidents_dock._input_dialog(window, "t", "l")
    assert (dialog.okButtonText(), dialog.cancelButtonText()) == ("Simpan", "Batal")
    assert window.incidents_dock._ask_customers(12) is None
    assert window.incidents_dock._ask_reason() is None
    assert seen == [("Simpan", "Batal")] * 2
