"""receive_batch(): the same outcome as receive() report by report, with the database
asked once per batch; and the burst form of POST /api/reports."""

from __future__ import annotations

import http.client
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from comcen_desktop.domain import Source
from comcen_desktop.storage.models import Event, Notice, Report, ReportStage
from comcen_desktop.timeutil import utc_now
from services import http_api, intake
from services.database import open_database
from services.intake_batch import receive_batch
from services.placement import Placer

SUNGAILIAT = (106.122213, -1.857938)


def raw(n: int, minutes_ago: float, **changes) -> dict:
    base = {
        "source_id": f"PM-{n}",
        "reported_at": (utc_now() - timedelta(minutes=minutes_ago)).isoformat(),
        "idpel": f"5210000000{n % 7:02d}",
        "name": f"Pelanggan {n}",
        "phone": f"0812000000{n:02d}",
        "lon": SUNGAILIAT[0] + 0.0005 * (n % 5),
        "lat": SUNGAILIAT[1],
        "category": "gangguan_individu",
    }
    return {k: v for k, v in (base | changes).items() if v is not None}


def mixed_burst() -> list[dict]:
    """Oldest first: repeats among the batch, a swapped point, a bad IDPEL, a keluhan,
    a village name instead of a point, and a source id sent twice."""
    burst = [raw(n, 600 - n * 10) for n in range(20)]
    burst[3] = raw(3, 570, lon=SUNGAILIAT[1], lat=SUNGAILIAT[0])  # swapped
    burst[5] = raw(5, 550, idpel="12345")  # not 12 digits
    burst[8] = raw(8, 520, category="keluhan")
    burst[11] = raw(11, 490, lon=None, lat=None, village="Sungailiat")
    burst.append(dict(burst[2]))  # PM-2 again
    return burst


def outcome(result) -> tuple:
    if result.errors:
        return ("error", tuple(sorted(e.field for e in result.errors)))
    repeat = result.repeat_of.source_id if result.repeat_of is not None else None
    return (result.report.source_id, result.duplicate, result.flag, repeat)


@pytest.fixture
def two_databases(tmp_path, seeded_sqlite_template):
    urls = []
    for name in ("one.db", "batch.db"):
        path = tmp_path / name
        path.write_bytes(seeded_sqlite_template.read_bytes())
        urls.append(f"sqlite:///{path}")
    databases = [open_database(url) for url in urls]
    yield databases
    for database in databases:
        database.dispose()


def test_a_batch_ends_as_the_same_reports_one_by_one_would(two_databases):
    one, batch = two_databases
    burst = mixed_burst()

    expected = []
    for body in burst:
        with one.transaction() as session:
            result = intake.receive(
                session, Placer(session), body, source=Source.PLN_MOBILE, actor="t"
            )
            expected.append(outcome(result))
    with batch.transaction() as session:
        results = receive_batch(
            session, Placer(session), burst, source=Source.PLN_MOBILE, actor="t"
        )
        got = [outcome(result) for result in results]

    assert got == expected
    assert got[5] == ("error", ("idpel",))
    assert got[3][2] is not None  # the swapped point is flagged, not placed
    assert got[-1] == ("PM-2", True, None, None)  # the second PM-2 is a duplicate
    assert got[7][3] == "PM-0"  # idpel ...00 again 70 min later: a repeat of PM-0
    assert got[8][3] is None  # a keluhan is never a repeat

    stored_one, stored_batch = (_stored(db) for db in (one, batch))
    assert stored_batch == stored_one
    assert len(stored_batch["reports"]) == 19  # 21 sent, one bad, one duplicate


def test_a_batch_sees_reports_stored_before_it(two_databases):
    _, database = two_databases
    with database.transaction() as session:
        intake.receive(session, Placer(session), raw(0, 300), source=Source.PLN_MOBILE, actor="t")
    burst = [raw(0, 300), raw(7, 100)]  # PM-0 again; 7 % 7 == 0: same IDPEL as PM-0
    with database.transaction() as session:
        first, second = receive_batch(
            session, Placer(session), burst, source=Source.PLN_MOBILE, actor="t"
        )
        assert first.duplicate and not first.created
        assert second.created and second.repeat_of.source_id == "PM-0"


def _stored(database) -> dict:
    with database.read() as session:
        reports = session.execute(
            select(
                Report.source_id,
                Report.idpel,
                Report.ulp_id,
                Report.village_id,
                Report.placement_flag,
                Report.stage,
            ).order_by(Report.source_id)
        ).all()
        repeats = session.execute(
            select(Report.source_id, Report.repeat_of_id).where(Report.repeat_of_id.is_not(None))
        ).all()
        return {
            "reports": [tuple(row) for row in reports],
            "repeats": len(repeats),
            "stages": session.scalar(select(func.count()).select_from(ReportStage)),
            "creates": session.scalar(
                select(func.count()).select_from(Event).where(Event.kind == "create")
            ),
            "notices": session.scalar(select(func.count()).select_from(Notice)),
        }


def post(server, body) -> tuple[int, dict]:
    host, port = server.address
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request(
            "POST",
            "/api/reports",
            body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_a_burst_over_http_answers_each_report(database):
    server = http_api.ApiServer(database, "127.0.0.1", 0).start()
    try:
        burst = [raw(1, 30), raw(2, 20, idpel="x"), raw(1, 30)]
        status, reply = post(server, burst)
        assert status == 200
        statuses = [item["status"] for item in reply["results"]]
        assert statuses == [201, 400, 200]
        assert reply["results"][0]["number"] == reply["results"][2]["number"]
        assert reply["results"][2]["duplicate"] is True
        assert reply["results"][1]["errors"][0]["field"] == "idpel"

        status, reply = post(server, [])
        assert status == 400
        status, reply = post(server, [raw(n, 5) for n in range(http_api.MAX_BATCH + 1)])
        assert status in (400, 413)  # too many reports, or too many bytes
    finally:
        server.stop()
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 1
