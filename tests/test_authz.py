"""Roles enforced in the services: refused actions raise or refuse with the reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from comcen_desktop.domain import Stage
from comcen_desktop.storage.models import Event, Report, ReportStage
from comcen_desktop.timeutil import utc_now
from services import authz, dispatch, events, lifecycle
from services.database import open_database
from tests.factories import add_reports, crew_ids


@pytest.fixture
def db(any_url):
    database = open_database(any_url)
    yield database
    database.dispose()
    events.set_actor(None)


def _correct_lapor(database, report_id: int, minutes: int) -> None:
    with database.transaction() as session:
        report = session.get(Report, report_id)
        new_at = report.reported_at - timedelta(minutes=minutes)
        lifecycle.correct_stage_time(
            session, report, Stage.LAPOR, new_at, events.current_actor(), "telepon masuk lebih awal"
        )


def _corrections(database, report_id: int) -> int:
    with database.read() as session:
        return session.scalar(
            select(func.count(Event.seq)).where(
                Event.kind == "correct", Event.entity_id == report_id
            )
        )


def test_operator_may_not_correct_a_time(db):
    [report_id] = add_reports(db, 1)
    events.set_actor("budi", "operator")
    with pytest.raises(authz.PermissionRefusedError) as refused:
        _correct_lapor(db, report_id, 5)
    assert str(refused.value) == (
        "Peran operator tidak boleh mengoreksi waktu tahap; yang boleh: supervisor dan admin."
    )
    assert _corrections(db, report_id) == 0
    with db.read() as session:
        row = session.scalar(select(ReportStage).where(ReportStage.report_id == report_id))
        assert row.original_at is None


def test_supervisor_may_correct_a_time_and_is_the_actor(db):
    [report_id] = add_reports(db, 1)
    events.set_actor("sari", "supervisor")
    _correct_lapor(db, report_id, 5)
    assert _corrections(db, report_id) == 1
    with db.read() as session:
        event = session.scalar(select(Event).where(Event.kind == "correct"))
        assert event.actor == "sari"


def test_wall_cannot_assign(db):
    [report_id] = add_reports(db, 1)
    crew_id = crew_ids(db)[0]
    events.set_actor("dinding", "wall")
    result = dispatch.assign_now(db, [report_id], crew_id, events.current_actor())
    assert result.assigned == []
    assert result.refused == [
        "Peran layar dinding tidak boleh menugaskan regu; "
        "yang boleh: operator, supervisor dan admin."
    ]
    with db.read() as session:
        assert session.get(Report, report_id).stage == Stage.LAPOR.value


def test_operator_may_assign_and_is_the_actor(db):
    [report_id] = add_reports(db, 1)
    crew_id = crew_ids(db)[0]
    events.set_actor("budi", "operator")
    result = dispatch.assign_now(db, [report_id], crew_id, events.current_actor())
    assert result.refused == []
    with db.read() as session:
        event = session.scalar(select(Event).where(Event.kind == "assign"))
        assert (event.actor, session.get(Report, report_id).stage) == ("budi", "penugasan")


def test_wall_cannot_cancel_a_report(db):
    [report_id] = add_reports(db, 1)
    events.set_actor("dinding", "wall")
    with db.transaction() as session, pytest.raises(authz.PermissionRefusedError) as refused:
        report = session.get(Report, report_id)
        lifecycle.advance(session, report, Stage.BATAL, utc_now(), "dinding", note="x")
    assert "membatalkan laporan" in str(refused.value)
    with db.read() as session:
        assert session.get(Report, report_id).stage == Stage.LAPOR.value


def test_a_process_nobody_signed_in_to_is_not_restricted():
    events.set_actor(None)
    assert events.current_role() is None
    authz.require_current("users.manage")  # does not raise
    assert authz.refusal_now("report.correct_time") is None


def test_refusal_now_follows_the_signed_in_role():
    events.set_actor("budi", "operator")
    try:
        assert authz.refusal_now("dispatch.assign") is None
        assert "supervisor dan admin" in authz.refusal_now("targets.edit")
    finally:
        events.set_actor(None)


def test_a_refused_stage_move_is_also_a_stage_error(db):
    """Handlers written for StageError (the stage menu) show a role refusal too."""
    [report_id] = add_reports(db, 1)
    events.set_actor("dinding", "wall")
    with db.transaction() as session, pytest.raises(lifecycle.StageError) as refused:
        report = session.get(Report, report_id)
        lifecycle.advance(session, report, Stage.PERJALANAN, utc_now(), "dinding")
    assert isinstance(refused.value, authz.PermissionRefusedError)
    assert str(refused.value).startswith("Peran layar dinding tidak boleh memindahkan tahap")
