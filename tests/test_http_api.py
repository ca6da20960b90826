"""The local JSON API over real HTTP on 127.0.0.1: the crews' position feed."""

from __future__ import annotations

import http.client
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from comcen_desktop.storage.models import Crew, Event
from comcen_desktop.timeutil import WIB, utc_now
from services import http_api


@pytest.fixture
def server(database):
    api = http_api.ApiServer(database, "127.0.0.1", 0).start()
    yield api
    api.stop()


@pytest.fixture
def crew(database):
    # Last heard from an hour ago, so the test messages (two minutes old) are newer.
    with database.transaction() as session:
        row = session.scalars(select(Crew).order_by(Crew.id)).first()
        row.position_at = utc_now() - timedelta(hours=1)
        return row.id, row.code


def call(server, method, path, body=None, raw: bytes | None = None, headers=None):
    host, port = server.address
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        connection.request(method, path, body=data, headers=headers or {})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def message(code, **changes):
    at = (utc_now() - timedelta(minutes=2)).astimezone(WIB).isoformat()
    return {"crew": code, "lon": 106.11, "lat": -2.13, "at": at} | changes


def test_server_binds_loopback(server):
    assert server.address[0] == "127.0.0.1" and server.address[1] > 0


def test_a_position_is_stored_and_logged(server, database, crew):
    crew_id, code = crew
    status, body = call(server, "POST", "/api/crews/position", message(code, status="perjalanan"))

    assert status == 200, body
    assert body["crew"] == code and body["lon"] == 106.11 and body["status"] == "perjalanan"
    with database.read() as session:
        row = session.get(Crew, crew_id)
        assert (row.lon, row.lat, row.status) == (106.11, -2.13, "perjalanan")
        assert abs((utc_now() - row.position_at).total_seconds() - 120) < 10
        event = session.scalar(select(Event).where(Event.kind == "position"))
        assert (event.actor, event.entity_id) == ("feed", crew_id)


def test_every_bad_field_is_named(server, database, crew):
    future = (utc_now() + timedelta(minutes=30)).isoformat()
    status, body = call(
        server,
        "POST",
        "/api/crews/position",
        {"crew": "NOPE-9", "lon": 99.0, "lat": "x", "at": future, "status": "tidur"},
    )
    assert status == 422
    fields = sorted(e["field"] for e in body["errors"])
    assert fields == ["at", "crew", "lat", "lon", "status"]
    with database.read() as session:
        assert session.scalar(select(Event).where(Event.kind == "position")) is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"at": "2025-06-01T10:00:00"}, "at"), ({"at": "kemarin"}, "at"), ({"lat": True}, "lat")],
)
def test_time_without_zone_or_unparseable_and_bool_numbers_are_refused(
    server, crew, changes, field
):
    status, body = call(server, "POST", "/api/crews/position", message(crew[1], **changes))
    assert status == 422 and [e["field"] for e in body["errors"]] == [field]


def test_not_json_not_an_object_too_big_and_unknown_routes(server, crew):
    assert call(server, "POST", "/api/crews/position", raw=b"{not json")[0] == 400
    assert call(server, "POST", "/api/crews/position", [1, 2])[0] == 400
    big = json.dumps(message(crew[1], note="x" * 70_000)).encode()
    status, body = call(server, "POST", "/api/crews/position", raw=big)
    assert status == 413 and body["errors"]
    assert call(server, "POST", "/api/nothing", {})[0] == 404
    assert call(server, "GET", "/api/crews/position")[0] == 405
    assert call(server, "GET", "/api/health") == (200, {"ok": True})


def test_crew_found_by_name_too(server, database, crew):
    crew_id, _code = crew
    with database.read() as session:
        name = session.get(Crew, crew_id).name
    status, body = call(server, "POST", "/api/crews/position", message(name.upper()))
    assert status == 200 and body["name"] == name


def test_other_methods_get_a_json_405_with_allow(server, crew):
    for method in ("PUT", "DELETE", "GET"):
        status, body = call(server, method, "/api/crews/position", {"crew": crew[1]})
        assert status == 405, method
        assert body["errors"][0]["message"].endswith("gunakan POST.")


def test_an_older_fix_does_not_replace_a_newer_one(server, database, crew):
    crew_id, code = crew
    assert call(server, "POST", "/api/crews/position", message(code))[0] == 200
    old = (utc_now() - timedelta(hours=5)).astimezone(WIB).isoformat()

    status, body = call(server, "POST", "/api/crews/position", message(code, lon=105.5, at=old))

    assert status == 422
    assert [e["field"] for e in body["errors"]] == ["at"]
    with database.read() as session:
        assert session.get(Crew, crew_id).lon == 106.11
