"""The local JSON API: crews' position feed now, report intake later, one server.

A small stdlib ThreadingHTTPServer, bound to loopback by default (``api.bind``,
``api.port``). Each request is one short transaction through the same services an
operator uses, so every change lands in the event log. Routes are a table of
(method, path) -> handler; a handler takes the parsed JSON body and returns a
status and a JSON-able payload. Adding POST /api/reports is one more row.

Replies: 200 with the stored data, or 4xx with {"errors": [{"field", "message"}]}.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from comcen_desktop import settings
from services import crews

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
FEED_ACTOR = "feed"
WRITE_ATTEMPTS = 3

Reply = tuple[int, Any]
Handler = Callable[["Api", Any], Reply]


def errors(*pairs: tuple[str, str]) -> dict[str, list[dict[str, str]]]:
    return {"errors": [{"field": f, "message": m} for f, m in pairs]}


@dataclass
class Api:
    """What the handlers need: the database (and later the intake services)."""

    database: Any

    def crew_position(self, body: Any) -> Reply:
        # A simulated day moves the same crew now and then: a lost version race or a
        # busy SQLite file is retried, not reported as the feed's fault.
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                return self._store_position(body)
            except (StaleDataError, OperationalError) as exc:
                log.info("Position write attempt %d failed: %s", attempt, exc)
                time.sleep(0.05 * attempt)
        return HTTPStatus.SERVICE_UNAVAILABLE, errors(("", "Database sibuk; kirim ulang."))

    def _store_position(self, body: Any) -> Reply:
        with self.database.transaction() as session:
            update, problems = crews.check_position_message(session, body)
            if update is None:
                return HTTPStatus.UNPROCESSABLE_ENTITY, {"errors": [p.as_dict() for p in problems]}
            stored = crews.update_position(
                session,
                update.crew_id,
                update.lon,
                update.lat,
                update.at,
                FEED_ACTOR,
                status=update.status,
            )
        return HTTPStatus.OK, stored

    def health(self, _body: Any) -> Reply:
        return HTTPStatus.OK, {"ok": True}


ROUTES: dict[tuple[str, str], Handler] = {
    ("POST", "/api/crews/position"): Api.crew_position,
    ("GET", "/api/health"): Api.health,
}


class _RequestHandler(BaseHTTPRequestHandler):
    server_version = "ComcenAPI/1"
    protocol_version = "HTTP/1.1"
    api: Api  # set on the subclass made per server

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    # Without these the standard library answers 501 with an HTML page; a feed
    # developer gets the same JSON error list as for every other mistake.
    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def _dispatch(self, method: str) -> None:
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        handler = ROUTES.get((method, path))
        if handler is None:
            allowed = sorted(m for m, p in ROUTES if p == path)
            if allowed:
                text = f"{method} tidak berlaku untuk {path}; gunakan {', '.join(allowed)}."
                self._reply(HTTPStatus.METHOD_NOT_ALLOWED, errors(("", text)), allowed)
            else:
                self._reply(HTTPStatus.NOT_FOUND, errors(("", f"{path} tidak dikenal.")))
            return
        body, problem = self._read_body() if method == "POST" else (None, None)
        if problem is not None:
            self._reply(*problem)
            return
        try:
            self._reply(*handler(self.api, body))
        except SQLAlchemyError as exc:
            log.exception("API %s %s failed", method, path)
            first = str(getattr(exc, "orig", exc)).splitlines()[0]
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, errors(("", f"Database: {first}")))

    def _read_body(self) -> tuple[Any, Reply | None]:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return None, (HTTPStatus.LENGTH_REQUIRED, errors(("", "Content-Length wajib.")))
        if length > MAX_BODY_BYTES or length < 0:
            # Not read: the connection is closed after the reply.
            self.close_connection = True
            return None, (
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                errors(("", f"Pesan lebih dari {MAX_BODY_BYTES // 1024} KB.")),
            )
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None, (HTTPStatus.BAD_REQUEST, errors(("", "Isi bukan JSON yang sah.")))
        if not isinstance(body, dict):
            return None, (HTTPStatus.BAD_REQUEST, errors(("", "Pesan harus objek JSON.")))
        return body, None

    def _reply(self, status: int, payload: Any, allow: list[str] | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        if allow:
            self.send_header("Allow", ", ".join(allow))
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:
        log.debug("API %s: %s", self.address_string(), format % args)


class ApiServer:
    """The server in a daemon thread of its own; start() and stop() from any thread."""

    def __init__(self, database, bind: str = "127.0.0.1", port: int = 0):
        handler = type("ComcenRequestHandler", (_RequestHandler,), {"api": Api(database)})
        self._httpd = ThreadingHTTPServer((bind, port), handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._httpd.server_address[:2]
        return str(host), int(port)

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://{host}:{port}"

    def start(self) -> ApiServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="comcen-api", daemon=True
        )
        self._thread.start()
        log.info("Local API listening on %s", self.url)
        return self

    def serve_forever(self) -> None:
        log.info("Local API listening on %s", self.url)
        self._httpd.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()


def configured_address(database, port: int | None = None) -> tuple[str, int]:
    """The bind address and port from settings (a given port wins)."""
    with database.read() as session:
        bind = str(settings.get(session, "api.bind"))
        chosen = int(port if port is not None else settings.get(session, "api.port"))
    return bind, chosen
