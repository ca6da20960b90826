"""The customer's "sudah selesai?" answer and rating, after Selesai."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from comcen_desktop.domain import Stage
from comcen_desktop.storage.models import Event, Notice, Report, ReportStage
from comcen_desktop.timeutil import utc_now
from services import dispatch, feedback, lifecycle
from services.lifecycle import StageError
from tests import factories


def finished_report(database) -> int:
    [report_id] = factories.add_reports(database, 1)
    crew_id = factories.crew_ids(database)[0]
    assert dispatch.assign_now(database, [report_id], crew_id, "tester").assigned
    with database.transaction() as session:
        report = session.get(Report, report_id)
        for stage in (Stage.PERJALANAN, Stage.PENGERJAAN, Stage.NYALA, Stage.SELESAI):
            lifecycle.advance(session, report, stage, utc_now(), "tester")
    return report_id


def answer(database, report_id: int, **kwargs):
    with database.transaction() as session:
        report = session.get(Report, report_id)
        reopened = feedback.record_feedback(
            session, report, actor="tester", now=utc_now(), **kwargs
        )
        return reopened.id if reopened else None


def test_ya_with_a_rating_is_stored(database):
    report_id = finished_report(database)

    reopened = answer(database, report_id, resolved=True, rating=4, comment="  Cepat  ")

    assert reopened is None
    with database.read() as session:
        report = session.get(Report, report_id)
        kinds = list(
            session.scalars(
                select(Event.kind).where(Event.entity_id == report_id).order_by(Event.seq)
            )
        )
        count = session.query(Report).count()
    assert (report.feedback_resolved, report.rating, report.feedback_comment) == (True, 4, "Cepat")
    assert report.rated_at is not None
    assert kinds[-2:] == ["rating", "feedback"]
    assert count == 1  # no new report (the seeded database holds no reports)


def test_tidak_reopens_a_linked_lapor_report(database):
    report_id = finished_report(database)

    new_id = answer(database, report_id, resolved=False, rating=2, comment="masih padam")

    with database.read() as session:
        old = session.get(Report, report_id)
        new = session.get(Report, new_id)
        stages = list(
            session.scalars(select(ReportStage.stage).where(ReportStage.report_id == new_id))
        )
        feedback_event = session.scalar(
            select(Event).where(Event.kind == "feedback", Event.entity_id == report_id)
        )
        notice_kinds = set(session.scalars(select(Notice.kind).where(Notice.report_id == new_id)))
    assert (old.feedback_resolved, old.rating, old.stage) == (False, 2, "selesai")
    assert new.reopened_from_id == report_id
    assert new.stage == "lapor" and new.crew_id is None
    assert (new.idpel, new.phone, new.category) == (old.idpel, old.phone, old.category)
    assert (new.lon, new.lat, new.ulp_id, new.village_id) == (
        old.lon, old.lat, old.ulp_id, old.village_id,
    )  # fmt: skip
    assert new.number != old.number and new.number.startswith("LP")
    assert old.number in new.description and "masih padam" in new.description
    assert stages == ["lapor"]
    assert feedback_event.after["reopened_as"] == new.number
    assert notice_kinds == {"padam_diterima"}


def test_before_selesai_is_refused_and_nothing_is_written(database):
    [report_id] = factories.add_reports(database, 1)

    with pytest.raises(StageError, match="umpan balik hanya setelah 'Selesai'"):
        answer(database, report_id, resolved=False, rating=1, comment=None)

    with database.read() as session:
        report = session.get(Report, report_id)
        reports = session.query(Report).count()
    assert (report.feedback_resolved, report.rating) == (None, None)
    assert reports == 1


def test_a_second_answer_and_a_bad_rating_are_refused(database):
    report_id = finished_report(database)
    with pytest.raises(StageError, match="rating harus angka 1 sampai 5"):
        answer(database, report_id, resolved=True, rating=6, comment=None)

    answer(database, report_id, resolved=True, rating=None, comment=None)

    with pytest.raises(StageError, match="sudah dicatat"):
        answer(database, report_id, resolved=False, rating=None, comment=None)
    with database.read() as session:
        assert session.query(Report).count() == 1
        assert session.get(Report, report_id).rating is None


def test_feedback_now_returns_the_new_number(database):
    report_id = finished_report(database)

    number = feedback.feedback_now(
        database, report_id, resolved=False, rating=None, comment=None, actor="t", now=utc_now()
    )

    with database.read() as session:
        new = session.scalar(select(Report).where(Report.reopened_from_id == report_id))
    assert number == new.number
