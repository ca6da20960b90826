"""The keyboard dispatch dialog and the settings dialog, on real widgets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTextBrowser
from sqlalchemy import func, select

from comcen_desktop.domain import CrewStatus
from comcen_desktop.storage.models import Crew, Event, Posko
from services import console
from tests import factories
from ui.assign_dialog import QtAssignDialog
from ui.settings_dialog import QtSettingsDialog


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    """The texts the settings dialog would show in a warning box (none opens)."""
    shown: list[str] = []
    monkeypatch.setattr(
        "ui.settings_dialog.QMessageBox.warning",
        lambda _parent, _title, text: shown.append(text),
    )
    return shown


def crews_and_checker(database, off_duty: int):
    factories.set_crew_status(database, off_duty, CrewStatus.LIBUR)
    crews = console.load_state(database).crews

    def checker(_ids, crew_id):
        return "libur" if crew_id == off_duty else None

    return crews, checker


def test_typing_a_crew_name_and_enter_chooses_it(qtbot, database):
    ids = factories.crew_ids(database)
    crews, checker = crews_and_checker(database, off_duty=ids[0])
    target = next(c for c in crews if "Koba" in c.name)
    dialog = QtAssignDialog(["LP1"], crews, checker, [1])
    qtbot.addWidget(dialog)

    qtbot.keyClicks(dialog.filter_edit, "koba 1")
    qtbot.keyClick(dialog.filter_edit, Qt.Key.Key_Return)

    assert dialog.chosen_crew_id == target.id


def test_an_off_duty_crew_cannot_be_chosen(qtbot, database):
    ids = factories.crew_ids(database)
    crews, checker = crews_and_checker(database, off_duty=ids[0])
    off = next(c for c in crews if c.id == ids[0])
    dialog = QtAssignDialog(["LP1"], crews, checker, [1])
    qtbot.addWidget(dialog)

    dialog.filter_edit.setText(off.name)
    dialog.accept()

    assert dialog.chosen_crew_id is None


def _events(database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(Event))


def test_settings_save_posko_position_and_crew(qtbot, database, warnings):
    dialog = QtSettingsDialog(database)
    qtbot.addWidget(dialog)
    dialog.posko_table.item(0, 1).setText("-2.1")
    dialog.posko_table.item(0, 2).setText("106.1")
    dialog.crew_table.item(0, 1).setText("Regu Uji")
    first_posko = dialog._posko[0].id
    first_crew = dialog._crew_ids[0]
    before = _events(database)

    dialog._save()

    with database.read() as session:
        station = session.get(Posko, first_posko)
        assert (station.lat, station.lon) == (-2.1, 106.1)
        assert session.get(Crew, first_crew).name == "Regu Uji"
    assert _events(database) == before + 2
    assert dialog.saved_changes == 2


def test_settings_with_a_bad_cell_store_nothing_and_name_it(qtbot, database, warnings):
    dialog = QtSettingsDialog(database)
    qtbot.addWidget(dialog)
    dialog.crew_table.item(0, 1).setText("Nama Baru")  # a good edit...
    dialog.posko_table.item(2, 1).setText("utara")  # ...and a bad one
    before = _events(database)

    dialog._save()

    assert warnings and "baris 3" in warnings[0] and "Lintang" in warnings[0]
    assert _events(database) == before
    with database.read() as session:
        assert session.scalar(select(func.count()).where(Crew.name == "Nama Baru")) == 0


def test_posko_outside_bangka_is_refused(qtbot, database, warnings):
    dialog = QtSettingsDialog(database)
    qtbot.addWidget(dialog)
    dialog.posko_table.item(0, 1).setText("2.12")  # north of the equator: sign lost

    dialog._save()

    assert warnings and "di luar Bangka" in warnings[0]


def test_assumptions_are_listed(qtbot, database):
    dialog = QtSettingsDialog(database)
    qtbot.addWidget(dialog)
    html = dialog.findChildren(QTextBrowser)[0].toPlainText()
    assert "ULP Koba: jumlah mobil tidak ada di data unit; dianggap 1." in html
    assert "Posko P2D" in html
    assert "org." not in html  # operators read sentences, not setting keys


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "expected"),
    [
        ("crew", 1, 0, "<copy of row 1>", "dipakai dua kali"),
        ("posko", 1, 0, "<copy of row 1>", "dipakai dua kali"),
        ("crew", 0, 4, "inf", "Anggota"),
        ("crew", 0, 4, "2.9", "bilangan bulat"),
        ("posko", 0, 3, "1e30", "bilangan bulat"),
        ("posko", 0, 3, "nan", "Personel"),
        ("crew", 0, 1, "x" * 81, "lebih dari 80"),
    ],
)
def test_bad_cells_are_named_and_nothing_is_stored(
    qtbot, database, warnings, table, row, column, value, expected
):
    dialog = QtSettingsDialog(database)
    qtbot.addWidget(dialog)
    widget = dialog.crew_table if table == "crew" else dialog.posko_table
    if value == "<copy of row 1>":
        value = widget.item(0, column).text()
    widget.item(row, column).setText(value)
    before = _events(database)

    dialog._save()

    assert len(warnings) == 1 and expected in warnings[0]
    assert "\n" not in warnings[0]
    assert _events(database) == before


def test_ulp_customers_and_targets_are_saved_for_this_year(qtbot, database):
    from datetime import datetime

    from comcen_desktop.storage.models import KpiTarget, UlpArea
    from comcen_desktop.timeutil import WIB

    dialog = QtSettingsDialog(database)
    qtbot.addWidget(dialog)
    row = [u.name for u in dialog._ulps].index("Koba")
    dialog.ulp_table.item(row, 1).setText("61000")
    dialog.ulp_table.item(row, 2).setText("25")
    dialog.ulp_table.item(row, 3).setText("45,5")

    dialog._save()

    year = datetime.now(WIB).year
    with database.read() as session:
        koba = session.scalar(select(UlpArea).where(UlpArea.name == "Koba"))
        target = session.scalar(
            select(KpiTarget).where(KpiTarget.ulp_id == koba.id, KpiTarget.year == year)
        )
        assert koba.customers == 61000
        assert (target.rpt_min, target.rct_min) == (25.0, 45.5)


def test_a_recovery_target_faster_than_response_is_refused(qtbot, database, warnings):
    dialog = QtSettingsDialog(database)
    qtbot.addWidget(dialog)
    dialog.ulp_table.item(0, 3).setText("10")
    before = _events(database)

    dialog._save()

    assert warnings and "target RCT" in warnings[0]
    assert _events(database) == before


def test_a_crew_shift_is_set_in_settings(qtbot, database):
    dialog = QtSettingsDialog(database)
    qtbot.addWidget(dialog)
    combo = dialog.crew_table.cellWidget(0, 6)
    assert combo.currentData() is None  # seeded crews are on call around the clock
    combo.setCurrentIndex(combo.findData("malam"))
    crew_id = dialog._crew_ids[0]

    dialog._save()

    with database.read() as session:
        assert session.get(Crew, crew_id).shift == "malam"
