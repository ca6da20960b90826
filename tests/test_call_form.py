"""The 123 call form on real widgets and a real SQLite file: typing, inline errors, the
village type-ahead, one-keystroke saving, the earlier open report and the map pick."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from comcen_desktop.domain import Stage
from comcen_desktop.storage.models import Report, Village
from comcen_desktop.timeutil import WIB, utc_now
from maps.projection import scene_point
from maps.qt_map_view import QtMapView
from services import console
from tests import factories
from ui.call_form import QtCallForm


@pytest.fixture
def form(qtbot, database):
    dialog = QtCallForm(database)
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    return dialog


def show_active(qtbot, widget) -> None:
    # Shortcuts (Ctrl+Enter) only reach the active window.
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)


def report_count(database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(Report))


def stored(database, report_id: int) -> Report:
    with database.read() as session:
        report = session.get(Report, report_id)
        session.expunge(report)
        return report


def village_named(database, name: str) -> Village:
    with database.read() as session:
        village = session.scalar(select(Village).where(Village.name == name))
        session.expunge(village)
        return village


def type_village(qtbot, form, text: str) -> None:
    qtbot.keyClicks(form.village_edit, text)
    qtbot.keyClick(form.village_edit, Qt.Key.Key_Return)


def fill(qtbot, form, idpel: str, phone: str, village: str = "kel. sungailiat") -> None:
    qtbot.keyClicks(form.idpel_edit, idpel)
    qtbot.keyClicks(form.name_edit, "Siti Aminah")
    qtbot.keyClicks(form.phone_edit, phone)
    qtbot.keyClicks(form.address_edit, "Jl. Sudirman 12")
    type_village(qtbot, form, village)
    qtbot.keyClicks(form.description_edit, "Listrik padam sejak pagi")


def save_keystroke(qtbot, form) -> None:
    qtbot.keyClick(form.description_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_idpel_with_letters_is_refused_as_typed(qtbot, form):
    qtbot.keyClicks(form.idpel_edit, "5123ab")

    assert "hanya boleh berisi angka" in form.field_error("idpel")


def test_short_idpel_counts_while_typing_and_is_refused_when_left(qtbot, form):
    qtbot.keyClicks(form.idpel_edit, "51234")
    assert form.field_error("idpel") == ""
    assert form.idpel_hint.text() == "5/12"

    qtbot.keyClick(form.idpel_edit, Qt.Key.Key_Tab)  # leaves the field

    assert "harus 12 digit" in form.field_error("idpel")
    assert "5 digit" in form.field_error("idpel")


@pytest.mark.parametrize(
    ("typed", "name", "district"),
    [
        ("kel. sungailiat", "Sungailiat", "Sungailiat"),
        ("sungailait", "Sungailiat", "Sungailiat"),  # two letters swapped
        ("Belo Laut Mentok", "Belo Laut", "Mentok"),
    ],
)
def test_village_type_ahead_picks_the_village(qtbot, form, typed, name, district):
    type_village(qtbot, form, typed)

    assert form.village is not None
    assert (form.village.name, form.village.district) == (name, district)
    assert form.village_edit.text() == name
    assert form.village_list.isHidden()
    assert form.category_combo.hasFocus()  # Enter took it and moved on


def test_down_arrow_chooses_the_second_match(qtbot, form):
    qtbot.keyClicks(form.village_edit, "sungai")
    second = form.village_list.item(1).data(Qt.ItemDataRole.UserRole)

    qtbot.keyClick(form.village_edit, Qt.Key.Key_Down)
    qtbot.keyClick(form.village_edit, Qt.Key.Key_Return)

    assert form.village.village_id == second.village_id


@pytest.mark.parametrize("phone", ["+6281234567890", "081234567890"])
def test_ctrl_enter_saves_one_report_with_the_typed_values(qtbot, form, database, phone):
    before = report_count(database)
    fill(qtbot, form, "012345678901", phone)
    with qtbot.waitSignal(form.reportSaved) as saved:
        save_keystroke(qtbot, form)

    assert report_count(database) == before + 1
    report = stored(database, saved.args[0])
    village = village_named(database, "Sungailiat")
    assert report.idpel == "012345678901"  # the leading zero survives
    assert report.phone == phone  # "+62" and "0" survive
    assert (report.name, report.address) == ("Siti Aminah", "Jl. Sudirman 12")
    assert report.description == "Listrik padam sejak pagi"
    assert (report.category, report.media, report.source) == ("gangguan_individu", "cc123", "123")
    assert report.village_id == village.id
    assert report.stage == Stage.LAPOR.value
    assert abs((utc_now() - report.reported_at).total_seconds()) < 600
    assert not form.isVisible()


def test_enter_on_the_last_field_saves(qtbot, form, database):
    before = report_count(database)
    fill(qtbot, form, "512345678902", "0812111222")
    qtbot.keyClick(form.description_edit, Qt.Key.Key_Return)

    assert report_count(database) == before + 1


def test_field_errors_show_beside_their_field_and_nothing_is_saved(qtbot, form, database):
    before = report_count(database)
    qtbot.keyClicks(form.idpel_edit, "5123")
    qtbot.keyClicks(form.phone_edit, "08-abc")
    save_keystroke(qtbot, form)

    assert report_count(database) == before
    assert "12 digit" in form.field_error("idpel")
    assert "telepon" in form.field_error("phone").lower()
    assert "Pilih di peta" in form.field_error("place")
    assert form.field_error("name") == ""
    assert form.isVisible()


def test_an_edited_time_is_read_as_wib(qtbot, form, database):
    fill(qtbot, form, "512345678903", "081234567890")
    wanted = utc_now().astimezone(WIB).replace(second=0, microsecond=0, tzinfo=None)
    wanted = wanted.replace(hour=max(0, wanted.hour - 1))
    form.time_edit.setDateTime(QDateTime(wanted))
    with qtbot.waitSignal(form.reportSaved) as saved:
        save_keystroke(qtbot, form)

    report = stored(database, saved.args[0])
    assert report.reported_at == wanted.replace(tzinfo=WIB)


def test_earlier_open_report_of_the_idpel_is_shown_before_saving(qtbot, form, database):
    ids = factories.add_reports(database, 1)  # IDPEL 510000000000, Lapor
    number = stored(database, ids[0]).number
    before = report_count(database)

    fill(qtbot, form, "510000000000", "081234567890")

    assert form.earlier_box.isVisible()
    assert number in form.earlier_label.text()
    assert "Lapor" in form.earlier_label.text()
    assert "mnt" in form.earlier_label.text()  # its age
    save_keystroke(qtbot, form)
    assert report_count(database) == before  # the operator decides first
    assert "putuskan" in form.field_error("general")

    qtbot.mouseClick(form.save_anyway_button, Qt.MouseButton.LeftButton)
    assert report_count(database) == before + 1


def test_open_that_one_asks_for_the_earlier_report(qtbot, form, database):
    ids = factories.add_reports(database, 1)
    before = report_count(database)
    qtbot.keyClicks(form.idpel_edit, "510000000000")

    with qtbot.waitSignal(form.openReportRequested) as asked:
        qtbot.mouseClick(form.open_earlier_button, Qt.MouseButton.LeftButton)

    assert asked.args == [ids[0]]
    assert report_count(database) == before
    assert not form.isVisible()


def test_a_click_on_the_map_sets_the_point(qtbot, database):
    view = QtMapView()
    view.set_static(*_static(database))
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    qtbot.waitExposed(view)
    form = QtCallForm(database, map_view=view)
    qtbot.addWidget(form)
    village = village_named(database, "Belo Laut")
    target = view.mapFromScene(scene_point(village.lon, village.lat))

    form.start_map_pick()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=target)

    lon, lat = form.point
    # One screen pixel at the whole-island view is a few hundred metres.
    assert lon == pytest.approx(village.lon, abs=0.01)
    assert lat == pytest.approx(village.lat, abs=0.01)
    assert form.raw()["lon"] == lon and "village" not in form.raw()
    assert not view._picking  # one click, then the map is a map again
    form.category_combo.setCurrentIndex(0)
    assert form.save()
    report = stored(database, form.saved_report_id)
    assert (report.lon, report.lat) == (lon, lat)
    assert report.ulp_id == village.ulp_id


def test_f2_opens_the_form_and_the_saved_report_is_selected(qtbot, window, database):
    window.apply_state(console.load_state(database))
    window.actions["new_report"].trigger()
    form = window.report_actions.call_form
    assert form is not None and form.isVisible()
    fill(qtbot, form, "512345678909", "081234567890")

    assert form.save()
    window.apply_state(console.load_state(database))

    assert window.queue_dock.selected_ids() == [form.saved_report_id]
    assert stored(database, form.saved_report_id).number in window.message_label.text()
    # The crew proposals follow at once: the next step for a new report.
    assert window.proposals_dock.report is not None
    assert window.proposals_dock.report.id == form.saved_report_id


def _static(database):
    static = console.load_static(database)
    return static.areas, static.villages, static.posko


def test_wib_helper_round_trip():
    from ui.time_correction import qt_to_utc, wib_to_qt

    moment = datetime(2025, 1, 31, 1, 15, tzinfo=WIB)
    assert qt_to_utc(wib_to_qt(moment)) == moment


def test_without_a_place_the_form_says_what_to_do_in_its_own_words(qtbot, form, database):
    qtbot.keyClicks(form.idpel_edit, "512345678909")
    qtbot.keyClicks(form.name_edit, "Siti")

    assert not form.save()
    text = form.field_error("place")
    assert "Pilih di peta" in text and "'lat'" not in text
    with database.read() as session:
        assert session.query(Report).count() == 0


def test_esc_on_a_typed_form_asks_once_more_before_discarding(qtbot, form):
    qtbot.keyClicks(form.name_edit, "Siti")

    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert form.isVisible()
    assert "Esc sekali lagi" in form.field_error("general")

    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert not form.isVisible()
