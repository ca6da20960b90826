"""Dispatch in the main window: busy crews, multi-drops, keyboard, proposals, undo, stale."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from comcen_desktop.domain import CrewStatus, Stage
from comcen_desktop.storage.models import Crew, Event, Report
from comcen_desktop.timeutil import utc_now
from services import dispatch, lifecycle
from tests import factories
from tests.test_main_window import drop_on_card, load, stored


def put_to_work(database, report_id, crew_id) -> None:
    assert dispatch.assign_now(database, [report_id], crew_id, "op").ok
    with database.transaction() as session:
        report = session.get(Report, report_id)
        for stage in (Stage.PERJALANAN, Stage.PENGERJAAN):
            lifecycle.advance(session, report, stage, utc_now(), "op")


def test_drop_on_a_working_crew_queues_the_job_and_keeps_it_working(window, database):
    working, new = factories.add_reports(database, 2)
    crew_id = factories.crew_ids(database)[0]
    put_to_work(database, working, crew_id)
    load(window)
    card = window.crew_dock.cards[crew_id]
    current = card.crew.current_report
    assert card.crew.status == CrewStatus.BEKERJA.value

    from PySide6.QtCore import Qt
    from PySide6.QtGui import QDragEnterEvent
    from PySide6.QtWidgets import QApplication

    from maps.dnd import encode_reports

    mime = encode_reports([new])  # kept alive: the event does not own it
    enter = QDragEnterEvent(
        card.rect().center(),
        Qt.DropAction.MoveAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(card, enter)
    assert "antrean" in card.hint.text() and current in card.hint.text()
    drop_on_card(card, [new])

    assert stored(database, new)[:2] == (Stage.PENUGASAN.value, crew_id)
    assert stored(database, working)[:2] == (Stage.PENGERJAAN.value, crew_id)
    load(window)
    card = window.crew_dock.cards[crew_id]
    assert card.crew.status == CrewStatus.BEKERJA.value
    assert card.crew.current_report == current
    assert len(card.crew.queue) == 2 and "antre" in card.job.text()


def test_multi_select_drop_assigns_all_in_one_go(window, database):
    ids = factories.add_reports(database, 4)
    crew_id = factories.crew_ids(database)[2]
    load(window)
    window.queue_dock.select_ids(ids[:3])
    chosen = window.queue_dock.selected_ids()
    assert sorted(chosen) == sorted(ids[:3])

    drop_on_card(window.crew_dock.cards[crew_id], chosen)

    assert [stored(database, i)[1] for i in ids] == [crew_id] * 3 + [None]


def test_keyboard_assign_through_the_dialog(window, database, monkeypatch):
    ids = factories.add_reports(database, 2)
    crew_id = factories.crew_ids(database)[3]
    load(window)
    window.queue_dock.select_ids([ids[1]])

    from ui import window_dispatch

    def choose(dialog):
        dialog.filter_edit.setText(window._crews[crew_id].name)
        dialog.accept()
        return True

    monkeypatch.setattr(window_dispatch.QtAssignDialog, "exec", choose)
    window.actions["assign"].trigger()

    assert stored(database, ids[1])[:2] == (Stage.PENUGASAN.value, crew_id)
    assert stored(database, ids[0])[1] is None


def test_proposals_panel_ranks_and_enter_accepts_the_top(window, database, qtbot):
    (report_id,) = factories.add_reports(database, 1)
    load(window)
    dock = window.proposals_dock
    with qtbot.waitSignal(dock.worker.ranked, timeout=10_000):
        window.queue_dock.select_ids([report_id], emit=True)
    qtbot.waitUntil(lambda: dock.table.rowCount() > 0, timeout=5000)
    top = dock.proposals[0]
    assert dock.table.item(0, 1).text().startswith(top.crew.name.removeprefix("Regu "))
    assert f"({top.eta_min:.0f} mnt)" in dock.table.item(0, 2).text()

    window.actions["accept_proposal"].trigger()

    assert stored(database, report_id)[1] == top.crew.id
    with database.read() as session:
        kinds = list(session.scalars(select(Event.kind).where(Event.entity_id == report_id)))
    assert "proposal" in kinds and "proposal_accept" in kinds

    # Once assigned, the panel stops proposing: a second F8 cannot move the job on.
    load(window)
    assert dock.table.rowCount() == 0 and not dock.accept_button.isEnabled()
    window.actions["accept_proposal"].trigger()
    assert stored(database, report_id)[1] == top.crew.id


def test_choosing_another_row_is_an_override(window, database, qtbot):
    (report_id,) = factories.add_reports(database, 1)
    load(window)
    dock = window.proposals_dock
    with qtbot.waitSignal(dock.worker.ranked, timeout=10_000):
        dock.set_report(window._reports[report_id])
    qtbot.waitUntil(lambda: dock.table.rowCount() > 2, timeout=5000)
    dock.table.selectRow(2)
    third = dock.proposals[2]
    dock.accept_button.click()

    assert stored(database, report_id)[1] == third.crew.id
    with database.read() as session:
        event = session.scalar(select(Event).where(Event.kind == "proposal_override"))
        assert event.after["rank"] == 3


def test_undo_from_the_window_and_refused_after_setting_off(window, database):
    first, second = factories.add_reports(database, 2)
    crew_id = factories.crew_ids(database)[0]
    assert dispatch.assign_now(database, [first], crew_id, "op").ok
    put_to_work(database, second, factories.crew_ids(database)[1])
    load(window)
    card = window.crew_dock.cards[crew_id]
    assert [n for _i, n in card.undoable_jobs()] == [window._reports[first].number]

    assert window.unassign([first], "salah pilih") is True
    assert stored(database, first)[:2] == (Stage.LAPOR.value, None)
    load(window)
    assert window.unassign([second], "coba") is False
    assert "Dalam Pengerjaan" in window.message_label.text()


def test_silent_crew_is_marked_stale_on_card_and_marker(window, database):
    crew_id = factories.crew_ids(database)[0]
    with database.transaction() as session:
        session.get(Crew, crew_id).position_at = utc_now() - timedelta(minutes=75)
    load(window)
    card = window.crew_dock.cards[crew_id]
    assert "tidak ada kabar 1 j 15 mnt" in card.title.text()
    assert "dashed" in card.styleSheet()
    marker = window.map_view.crews.markers[crew_id]
    assert marker.crew.stale
    fresh = factories.crew_ids(database)[1]
    with database.transaction() as session:
        session.get(Crew, fresh).position_at = utc_now()
    load(window)
    assert "tidak ada kabar" not in window.crew_dock.cards[fresh].title.text()
