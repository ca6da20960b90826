"""The local JSON API: the crews' position feed and PLN Mobile report intake.

A small stdlib ThreadingHTTPServer, bound to loopback by default (``api.bind``,
``api.port``). Each request is one short transaction through the same services an
operator uses, so every change lands in the event log. Routes are a table of
(method, path) -> handler; a handler takes the parsed JSON body and returns a
status and a JSON-able payload.

Replies: 200/201 with the stored data, or 4xx with {"errors": [{"field", "message"}]}.
POST /api/reports: 201 {"number", "id", "duplicate": false, "flag", "repeat_of"}; the
same source_id again 200 {"number", "duplicate": true, "message"}; field errors 400.
A busy database is retried, then 503; nothing is stored on any error.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from comcen_desktop import settings
from comcen_desktop.domain import Source
from services import crews, intake
from services.intake_batch import receive_batch
from services.placement import Placer

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_BATCH = 200  # reports in one POST /api/reports list (and within MAX_BODY_BYTES)
# An oversized body up to this size is read and dropped, so the sender gets its 413
# instead of a reset connection; anything larger just closes the connection.
MAX_DRAIN_BYTES = 1024 * 1024
FEED_ACTOR = "feed"
MOBILE_ACTOR = "pln_mobile"
WRITE_ATTEMPTS = 3

Reply = tuple[int, Any]
Handler = Callable[["Api", Any], Reply]


def errors(*pairs: tuple[str, str]) -> dict[str, list[dict[str, str]]]:
    return {"errors": [{"field": f, "message": m} for f, m in pairs]}


@dataclass
class Api:
    """What the handlers need: the database and the intake's lookups."""

    database: Any
    _places: tuple | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def crew_position(self, body: Any) -> Reply:
        if not isinstance(body, dict):
            return HTTPStatus.BAD_REQUEST, errors(("", "Pesan harus objek JSON."))
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

    def receive_report(self, body: Any) -> Reply:
        # IntegrityError: the same source_id sent twice at once; the retry finds the
        # first one stored and answers "duplicate".
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                return self._store_report(body)
            except (OperationalError, IntegrityError) as exc:
                log.info("Report write attempt %d failed: %s", attempt, exc)
                time.sleep(0.05 * attempt)
        return HTTPStatus.SERVICE_UNAVAILABLE, errors(("", "Database sibuk; kirim ulang."))

    def _store_report(self, body: Any) -> Reply:
        placer, villages = self.places()
        if isinstance(body, list):
            return self._store_reports(body, placer, villages)
        with self.database.transaction() as session:
            result = intake.receive(
                session,
                placer,
                body,
                source=Source.PLN_MOBILE,
                actor=MOBILE_ACTOR,
                gazetteer=villages,
            )
            return report_reply(result)

    def _store_reports(self, body: list, placer: Placer, villages: Any) -> Reply:
        """A burst sent as one JSON list: one transaction, one answer per report, in
        order. Good reports are stored even when others in the list have errors."""
        if not body or len(body) > MAX_BATCH:
            return HTTPStatus.BAD_REQUEST, errors(
                ("", f"Daftar laporan harus berisi 1 sampai {MAX_BATCH} laporan.")
            )
        with self.database.transaction() as session:
            results = receive_batch(
                session,
                placer,
                body,
                source=Source.PLN_MOBILE,
                actor=MOBILE_ACTOR,
                gazetteer=villages,
            )
            replies = []
            for result in results:
                status, payload = report_reply(result)
                replies.append({"status": int(status)} | payload)
        # 400 when every report had errors, as for a single report; else 200 with
        # each report's own status.
        if all(result.errors for result in results):
            return HTTPStatus.BAD_REQUEST, {"results": replies}
        return HTTPStatus.OK, {"results": replies}

    def places(self) -> tuple[Placer, Any]:
        """The Placer and village index, built on first use and shared by requests
        (both are read-only once built; building them takes a while)."""
        with self._lock:
            if self._places is None:
                with self.database.read() as session:
                    self._places = (Placer(session), intake.village_index(session))
            return self._places

    def health(self, _body: Any) -> Reply:
        return HTTPStatus.OK, {"ok": True}


def report_reply(result: intake.IntakeResult) -> Reply:
    """The HTTP answer for an intake result (read inside the transaction)."""
    if result.errors:
        return HTTPStatus.BAD_REQUEST, {"errors": [e.as_dict() for e in result.errors]}
    report = result.report
    if result.duplicate:
        return HTTPStatus.OK, {
            "number": report.number,
            "id": report.id,
            "duplicate": True,
            "message": f"sudah diterima sebagai {report.number}; tidak disimpan lagi.",
        }
    reply = {
        "number": report.number,
        "id": report.id,
        "duplicate": False,
        "flag": result.flag,
        "repeat_of": result.repeat_of.number if result.repeat_of else None,
    }
    if result.message:
        reply["message"] = result.message
    return HTTPStatus.CREATED, reply


ROUTES: dict[tuple[str, str], Handler] = {
    ("POST", "/api/crews/position"): Api.crew_position,
    ("POST", "/api/reports"): Api.receive_report,
    ("GET", "/api/health"): Api.health,
}


class _RequestHandler(BaseHTTPRequestHandler):
    server_version = "ComcenAPI/1"
    protocol_version = "HTTP/1.1"
    # A client that connects and then stalls gives its thread back after this long.
    timeout = 30
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
        except ConnectionError:
            log.info("API %s %s: the client left before the answer", method, path)
        except Exception:  # a bug answers 500 and the server keeps serving
            log.exception("API %s %s failed", method, path)
            self._reply(HTTPStatus.INTERNAL_SERVER_ERROR, errors(("", "Kesalahan internal.")))

    def _read_body(self) -> tuple[Any, Reply | None]:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return None, (HTTPStatus.LENGTH_REQUIRED, errors(("", "Content-Length wajib.")))
        kind = self.headers.get("Content-Type", "application/json").split(";")[0].strip().lower()
        if kind != "application/json" and not kind.endswith("+json"):
            self._drain(length)
            return None, (
                HTTPStatus.BAD_REQUEST,
                errors(("", f"Content-Type '{kind}' tidak diterima; kirim application/json.")),
            )
        if length > MAX_BODY_BYTES or length < 0:
            self._drain(length)
            return None, (
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                errors(("", f"Pesan lebih dari {MAX_BODY_BYTES // 1024} KB.")),
            )
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw.decode("utf-8"))
            # Lone surrogates (\ud800) decode but cannot be stored: refuse them here,
            # before any field reaches the database.
            json.dumps(body, ensure_ascii=False).encode("utf-8")
        except UnicodeDecodeError:
            return None, (
                HTTPStatus.BAD_REQUEST,
                errors(("", "Isi bukan teks UTF-8; kirim JSON dalam UTF-8.")),
            )
        except UnicodeEncodeError:
            return None, (
                HTTPStatus.BAD_REQUEST,
                errors(("", "JSON berisi karakter yang tidak sah (surrogate tunggal).")),
            )
        except RecursionError:
            return None, (HTTPStatus.BAD_REQUEST, errors(("", "JSON terlalu dalam bersarang.")))
        except ValueError:
            return None, (HTTPStatus.BAD_REQUEST, errors(("", "Isi bukan JSON yang sah.")))
        # A list is a burst of reports (POST /api/reports); other routes refuse it.
        if not isinstance(body, dict | list):
            return None, (HTTPStatus.BAD_REQUEST, errors(("", "Pesan harus objek JSON.")))
        return body, None

    def _drain(self, length: int) -> None:
        """Read and drop a refused body; a huge one is left and the connection closed."""
        if 0 < length <= MAX_DRAIN_BYTES:
            while length > 0:
                chunk = self.rfile.read(min(length, 64 * 1024))
                if not chunk:
                    break
                length -= len(chunk)
        else:
            self.close_connection = True

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
