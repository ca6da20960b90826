"""POST /api/reports over real HTTP on 127.0.0.1 (ephemeral port): PLN Mobile intake."""

from __future__ import annotations

import http.client
import json
import sqlite3
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from comcen_desktop.storage.models import Event, Report, UlpArea
from comcen_desktop.timeutil import WIB, utc_now
from services import http_api

SUNGAILIAT = (106.122213, -1.857938)


@pytest.fixture
def server(database):
    api = http_api.ApiServer(database, "127.0.0.1", 0).start()
    yield api
    api.stop()


def post(server, body=None, raw: bytes | None = None, headers=None, path="/api/reports"):
    host, port = server.address
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        data = raw if raw is not None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json"} | (headers or {})
        connection.request("POST", path, body=data, headers=sent)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def health(server):
    host, port = server.address
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("GET", "/api/health")
    status = connection.getresponse().status
    connection.close()
    return status


def report(**changes):
    at = (utc_now() - timedelta(minutes=3)).astimezone(WIB).isoformat()
    base = {
        "source_id": "PM-100",
        "reported_at": at,
        "idpel": "021000123456",
        "name": "Siti",
        "phone": "+62 813 1111 2222",
        "address": "Jl. Depati Amir",
        "lon": SUNGAILIAT[0],
        "lat": SUNGAILIAT[1],
        "category": "gangguan_individu",
        "media": "pln_mobile",
        "description": "Padam satu rumah",
    }
    return {k: v for k, v in (base | changes).items() if v is not None}


def stored(database):
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(Report))


def test_a_report_is_stored_with_201(server, database):
    before = stored(database)
    status, body = post(server, report())

    assert status == 201, body
    assert body["duplicate"] is False and body["flag"] is None and body["repeat_of"] is None
    assert body["number"].startswith("LP")
    with database.read() as session:
        row = session.get(Report, body["id"])
        assert (row.number, row.source, row.media) == (body["number"], "pln_mobile", "pln_mobile")
        assert (row.idpel, row.phone) == ("021000123456", "+6281311112222")
        assert session.get(UlpArea, row.ulp_id).name == "Sungailiat"
        event = session.scalar(select(Event).where(Event.entity_id == row.id))
        assert (event.kind, event.actor) == ("create", "pln_mobile")
    assert stored(database) == before + 1


def test_the_same_source_id_twice_is_stored_once(server, database):
    _, first = post(server, report(source_id="PM-2"))
    status, again = post(server, report(source_id="PM-2", name="Lain"))

    assert status == 200 and again["duplicate"] is True
    assert again["number"] == first["number"] and "sudah diterima" in again["message"]
    with database.read() as session:
        assert session.scalar(select(func.count()).where(Report.source_id == "PM-2")) == 1


def test_field_errors_are_listed_and_nothing_stored(server, database):
    before = stored(database)
    naive = (utc_now() - timedelta(minutes=3)).astimezone(WIB).replace(tzinfo=None).isoformat()
    status, body = post(
        server, report(idpel="02100012345", reported_at=naive, category="kebakaran", lat=None)
    )

    assert status == 400
    fields = sorted(e["field"] for e in body["errors"])
    assert fields == ["category", "idpel", "lat", "reported_at"]
    assert stored(database) == before


def test_source_id_is_required(server):
    payload = report()
    del payload["source_id"]
    status, body = post(server, payload)
    assert status == 400 and [e["field"] for e in body["errors"]] == ["source_id"]


def test_a_swapped_point_is_stored_flagged(server, database):
    status, body = post(server, report(source_id="PM-S", lon=SUNGAILIAT[1], lat=SUNGAILIAT[0]))
    assert status == 201 and body["flag"] == "swapped" and "tertukar" in body["message"]
    with database.read() as session:
        row = session.get(Report, body["id"])
        assert row.ulp_id is None and row.placement_fix["lat"] == SUNGAILIAT[1]


def test_a_repeat_names_the_earlier_report(server):
    earlier = (utc_now() - timedelta(days=10)).isoformat()
    _, first = post(server, report(source_id="PM-R1", reported_at=earlier))
    status, second = post(server, report(source_id="PM-R2"))
    assert status == 201 and second["repeat_of"] == first["number"]


def test_malformed_json_and_wrong_content_store_nothing(server, database):
    before = stored(database)
    status, body = post(server, raw=b'{"source_id": "PM-X", "lat": ')
    assert status == 400 and "JSON" in body["errors"][0]["message"]
    status, body = post(server, raw=b"source_id=PM-X", headers={"Content-Type": "text/plain"})
    assert status == 400 and "Content-Type" in body["errors"][0]["message"]
    status, body = post(server, raw=b"[1, 2]")
    assert status == 400
    assert stored(database) == before and health(server) == 200


def test_an_oversized_body_is_refused_with_413(server, database):
    before = stored(database)
    big = report(description="x" * (http_api.MAX_BODY_BYTES + 10))
    status, body = post(server, big)
    assert status == 413 and "KB" in body["errors"][0]["message"]
    assert stored(database) == before and health(server) == 200


def test_a_locked_database_is_waited_for(server, database, sqlite_url):
    # Another writer holds the SQLite write lock for a moment: the request waits its
    # turn (busy timeout) and is stored, instead of failing.
    path = sqlite_url.removeprefix("sqlite:///")
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, blocker.rollback)
    release.start()
    try:
        status, body = post(server, report(source_id="PM-L"))
    finally:
        release.join()
        blocker.close()
    assert status == 201, body


def test_a_database_that_stays_busy_answers_503(server, database, sqlite_url, monkeypatch):
    # One attempt, so the test waits one busy timeout (10 s), not three.
    monkeypatch.setattr(http_api, "WRITE_ATTEMPTS", 1)
    before = stored(database)
    path = sqlite_url.removeprefix("sqlite:///")
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        status, body = post(server, report(source_id="PM-B"))
    finally:
        blocker.rollback()
        blocker.close()
    assert status == 503 and "sibuk" in body["errors"][0]["message"]
    assert stored(database) == before and health(server) == 200
    status, _ = post(server, report(source_id="PM-B"))
    assert status == 201  # the sender's retry goes through once the lock is gone


@pytest.mark.parametrize(
    "body, raw_bytes, field, words",
    [
        ({"source_id": "   "}, None, "source_id", "wajib"),
        ({"reported_at": "1900-01-01T00:00:00+07:00"}, None, "reported_at", "1900"),
        ({"source_id": "apkt:COLL1"}, None, "source_id", "impor"),
        ({"name": "a\u0000b"}, None, "name", "tidak sah"),
        (None, b'{"source_id": "C5\\ud800"}', "", "surrogate"),
        (None, b"[" * 30000 + b"]" * 30000, "", "bersarang"),
    ],
)
def test_odd_input_is_a_field_error_and_the_server_keeps_answering(
    server, database, body, raw_bytes, field, words
):
    before = stored(database)
    if body is not None:
        status, answer = post(server, report(**body))
    else:
        status, answer = post(server, raw=raw_bytes)
    assert status == 400, answer
    messages = [e["message"] for e in answer["errors"] if e["field"] == field]
    assert messages and words in " ".join(messages), answer
    assert stored(database) == before
    assert health(server) == 200
