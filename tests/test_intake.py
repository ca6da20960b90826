"""receive(): checks, duplicates, placement flags, repeats and the event log, on a real
seeded SQLite file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from comcen_desktop import settings
from comcen_desktop.domain import Source, Stage
from comcen_desktop.storage.models import Event, Report, UlpArea, Village
from comcen_desktop.timeutil import utc_now
from services import intake
from services.placement import Placer
from tests.factories import close_report

SUNGAILIAT = (106.122213, -1.857938)  # lon, lat of Kel. Sungailiat's point


def raw(**changes):
    base = {
        "source_id": None,
        "reported_at": (utc_now() - timedelta(minutes=5)).isoformat(),
        "idpel": "521000123456",
        "name": "Budi",
        "phone": "+62 812 3456 7890",
        "lon": SUNGAILIAT[0],
        "lat": SUNGAILIAT[1],
        "category": "gangguan_individu",
    }
    return {k: v for k, v in (base | changes).items() if v is not None}


def receive(database, body, source=Source.PLN_MOBILE, **kwargs):
    with database.transaction() as session:
        result = intake.receive(
            session, Placer(session), body, source=source, actor="tester", **kwargs
        )
        report = result.report
        if report is not None:
            session.flush()
            session.expunge(report)
        if result.repeat_of is not None:
            session.expunge(result.repeat_of)
        return result


def count(database, model, *where):
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def ulp_name(database, ulp_id):
    with database.read() as session:
        return session.get(UlpArea, ulp_id).name


def test_a_good_report_is_placed_numbered_and_logged(database):
    result = receive(database, raw(source_id="PM-001"))

    report = result.report
    assert result.created and not result.duplicate and result.errors == []
    assert report.number.startswith("LP") and report.stage == Stage.LAPOR.value
    assert ulp_name(database, report.ulp_id) == "Sungailiat"
    assert (report.source, report.media, report.source_id) == ("pln_mobile", "pln_mobile", "PM-001")
    assert report.phone == "+6281234567890" and report.placement_flag is None
    with database.read() as session:
        event = session.scalar(select(Event).where(Event.entity_id == report.id))
        assert (event.kind, event.actor, event.after["source"]) == (
            "create",
            "tester",
            "pln_mobile",
        )


def test_the_same_source_id_is_stored_once(database):
    first = receive(database, raw(source_id="PM-7"))
    second = receive(database, raw(source_id="PM-7", name="Lain"))

    assert second.duplicate and not second.created
    assert second.report.id == first.report.id and second.report.name == "Budi"
    assert count(database, Report, Report.source_id == "PM-7") == 1
    assert count(database, Event, Event.entity_id == first.report.id) == 1


def test_field_errors_store_nothing(database):
    before = count(database, Report)
    result = receive(database, raw(source_id="PM-8", idpel="12345678901"))
    assert result.report is None and [e.field for e in result.errors] == ["idpel"]
    assert count(database, Report) == before


def test_the_api_requires_source_id_and_time(database):
    result = receive(database, raw(reported_at=""))
    assert sorted(e.field for e in result.errors) == ["reported_at", "source_id"]
    # The call form may leave both out: the time is now.
    form = receive(database, raw(reported_at=""), source=Source.CC123)
    assert form.created and form.report.media == "cc123"
    assert abs((utc_now() - form.report.reported_at).total_seconds()) < 60


def test_a_village_gives_the_point_and_place(database):
    result = receive(database, raw(source_id="PM-V", lon=None, lat=None, village="Belo Laut"))
    report = result.report
    assert result.errors == [] and report.placement_flag is None
    assert (round(report.lon, 6), round(report.lat, 6)) == (105.292681, -2.083726)
    assert ulp_name(database, report.ulp_id) == "Mentok"
    with database.read() as session:
        assert session.get(Village, report.village_id).name == "Belo Laut"


def test_swapped_coordinates_are_flagged_with_the_fix(database):
    lon, lat = SUNGAILIAT
    result = receive(database, raw(source_id="PM-S", lon=lat, lat=lon))

    report = result.report
    assert result.created and result.flag == "swapped" == report.placement_flag
    assert report.ulp_id is None and report.lon is None and report.lat is None
    fix = report.placement_fix
    assert (fix["lon"], fix["lat"]) == (lon, lat)
    assert fix["given"] == {"lon": lat, "lat": lon} and "tertukar" in fix["reason"]


def test_zero_zero_is_flagged_without_a_fix(database):
    result = receive(database, raw(source_id="PM-0", lon=0, lat=0))
    assert result.flag == "zero" and result.report.ulp_id is None
    assert result.report.placement_fix["lon"] is None and "0, 0" in result.message


def test_outside_bangka_is_flagged(database):
    result = receive(database, raw(source_id="PM-J", lon=110.4, lat=-7.0))  # Central Java
    assert result.flag == "outside" and result.report.ulp_id is None
    assert "di luar wilayah UP3 Bangka" in result.report.placement_fix["reason"]


def test_the_operator_places_a_flagged_report(database):
    flagged = receive(database, raw(source_id="PM-P", lon=0, lat=0)).report
    with database.transaction() as session:
        report = session.get(Report, flagged.id)
        with pytest.raises(intake.PlacementError, match="tidak berada di wilayah ULP"):
            intake.place_report(session, report, 110.4, -7.0, "operator")
        intake.place_report(session, report, *SUNGAILIAT, "operator")
    with database.read() as session:
        report = session.get(Report, flagged.id)
        assert report.placement_flag is None and (report.lon, report.lat) == SUNGAILIAT
        assert session.get(UlpArea, report.ulp_id).name == "Sungailiat"
        event = session.scalar(select(Event).where(Event.kind == "place"))
        assert event.before["placement_flag"] == "zero" and event.after["placement_flag"] is None


def at(days_ago: float) -> str:
    return (utc_now() - timedelta(days=days_ago)).isoformat()


def test_ten_days_apart_is_a_repeat_linked_to_the_first(database):
    first = receive(database, raw(source_id="R-1", reported_at=at(10.5)))
    second = receive(database, raw(source_id="R-2", reported_at=at(0.5)))

    assert second.report.repeat_of_id == first.report.id
    assert second.repeat_of.id == first.report.id


def test_thirty_one_days_apart_is_not_a_repeat(database):
    receive(database, raw(source_id="R-1", reported_at=at(31.5)))
    second = receive(database, raw(source_id="R-2", reported_at=at(0.5)))
    assert second.report.repeat_of_id is None and second.repeat_of is None


def test_the_repeat_window_is_a_setting_and_links_the_latest(database):
    with database.transaction() as session:
        settings.put(session, "kpi.repeat_days", 40)
    receive(database, raw(source_id="R-1", reported_at=at(35)))
    middle = receive(database, raw(source_id="R-2", reported_at=at(20)))
    third = receive(database, raw(source_id="R-3", reported_at=at(1)))
    assert middle.report.repeat_of_id is not None
    assert third.report.repeat_of_id == middle.report.id


def test_keluhan_cancelled_and_other_idpel_are_not_repeats(database):
    cancelled = receive(database, raw(source_id="R-1", reported_at=at(5)))
    close_report(database, cancelled.report.id)
    receive(database, raw(source_id="R-2", reported_at=at(4), category="keluhan"))
    receive(database, raw(source_id="R-3", reported_at=at(3), idpel="521000999999"))
    fault = receive(database, raw(source_id="R-4", reported_at=at(1)))
    keluhan = receive(database, raw(source_id="R-5", reported_at=at(0.5), category="keluhan"))
    assert fault.report.repeat_of_id is None
    assert keluhan.report.repeat_of_id is None  # a keluhan is never a repeat


def test_open_reports_for_idpel(database):
    old = receive(database, raw(source_id="O-1", reported_at=at(3)))
    new = receive(database, raw(source_id="O-2", reported_at=at(1)))
    closed = receive(database, raw(source_id="O-3", reported_at=at(2)))
    close_report(database, closed.report.id)
    with database.read() as session:
        found = intake.open_reports_for_idpel(session, "521000123456")
        assert [r.id for r in found] == [new.report.id, old.report.id]
        assert intake.open_reports_for_idpel(session, "000000000000") == []


def test_simulated_source_marks_the_report(database):
    result = receive(database, raw(), source=Source.SIMULASI)
    assert result.report.simulated and result.report.media == "simulasi"
    with pytest.raises(ValueError):
        receive(database, raw(), source="fax")


def test_numbers_repeats_and_duplicates_on_both_databases(any_url):
    from services.database import open_database

    database = open_database(any_url)
    try:
        first = receive(database, raw(source_id="B-1", reported_at=at(10)))
        second = receive(database, raw(source_id="B-2", reported_at=at(1)))
        again = receive(database, raw(source_id="B-2"))
    finally:
        database.dispose()
    # The number carries the id given before the INSERT (max + 1 or the sequence).
    assert first.report.number.endswith(f"-{first.report.id:05d}")
    assert second.report.id > first.report.id and second.report.version == 1
    assert second.report.repeat_of_id == first.report.id
    assert again.duplicate and again.report.id == second.report.id


def test_the_benchmark_runs_and_counts(tmp_path):
    from services import intake_bench

    result = intake_bench.intake_rate(f"sqlite:///{tmp_path / 'bench.db'}", 30)
    assert result["count"] == 30 and result["stored"] + result["errors"] == 60
    assert result["single_per_s"] > 0 and result["batch_per_s"] > 0
    assert "laporan/detik" in intake_bench.summary(result)
