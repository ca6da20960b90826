"""Sending the customer-notice outbox, off the operator's path, with retries.

A sender is anything with ``send(notice) -> None`` that raises on failure. The default
(setting ``notice.sender`` = "log") appends one line per notice to notices.log in the
data folder; a gateway (SMS, WhatsApp) is plugged in as "package.module:Class".

Delivery is at least once: a notice is first claimed (its next_attempt_at pushed a
lease ahead, in a short transaction — two consoles never send the same one at the same
time), then sent with no transaction open, then marked in another short transaction.
A console that dies between sending and marking sends that notice again once the
lease has run out; a duplicate text is better than a customer told nothing.
"""

from __future__ import annotations

import importlib
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from comcen_desktop import paths, settings
from comcen_desktop.storage.models import Notice, Report
from comcen_desktop.timeutil import as_utc, utc_now
from services import authz, events
from services.notices import ANTRE, GAGAL, TERKIRIM

log = logging.getLogger(__name__)

LOG_FILE_NAME = "notices.log"
SENDER_ACTOR = "notifikasi"
LEASE = timedelta(minutes=2)  # longer than any sane send; then another console may retry
ROUND_LIMIT = 100  # notices per round, so one round never holds a console for long
MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class OutgoingNotice:
    """What a sender gets: plain values, no database session attached."""

    id: int
    report_id: int
    report_number: str
    kind: str
    recipient: str
    body: str
    attempt: int  # 1 for the first try


class Sender(Protocol):
    def send(self, notice: OutgoingNotice) -> None:
        """Deliver one notice, or raise (any Exception) saying why not."""


class LogSender:
    """Writes one tab-separated line per notice; the unit's stand-in for a gateway."""

    def __init__(self, path: Path | None = None):
        self.path = path or paths.user_data_dir() / LOG_FILE_NAME

    def send(self, notice: OutgoingNotice) -> None:
        body = " ".join(notice.body.split())  # one line per notice, whatever was typed
        line = "\t".join(
            [
                utc_now().isoformat(timespec="seconds"),
                notice.report_number,
                notice.kind,
                notice.recipient,
                body,
            ]
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


class RefusingSender:
    """Stands in for a sender that could not be loaded: sends nothing, touches no
    notice (they stay waiting, their attempts unspent), and says why."""

    def __init__(self, reason: str):
        self.unavailable = reason

    def send(self, notice: OutgoingNotice) -> None:
        raise RuntimeError(self.unavailable)


def load_sender(name: str | None) -> Sender:
    """ "log", or "package.module:Class" (built without arguments); anything that cannot
    be loaded gives a RefusingSender with a message naming the setting."""
    name = (name or "").strip()
    if name in ("", "log"):
        return LogSender()
    module_name, _, class_name = name.partition(":")
    try:
        if not module_name or not class_name:
            raise ValueError("bentuknya harus 'log' atau 'paket.modul:Kelas'")
        sender = getattr(importlib.import_module(module_name), class_name)()
        if not callable(getattr(sender, "send", None)):
            raise TypeError(f"{class_name} tidak punya metode send(notice)")
    except Exception as exc:  # any import or construction failure: refuse, never crash
        reason = (
            f"Pengirim notifikasi '{name}' (pengaturan notice.sender) tidak bisa dipakai: {exc}"
        )
        log.warning("%s", reason)
        return RefusingSender(reason)
    return sender


def configured_sender(database) -> Sender:
    with database.read() as session:
        return load_sender(settings.get(session, "notice.sender"))


# --- one round of delivery ----------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 30.0
    max_seconds: float = 1800.0
    max_attempts: int = 5

    def delay(self, attempts: int) -> timedelta:
        """Wait before the next try after ``attempts`` failed ones: doubling, capped."""
        seconds = self.base_seconds * 2 ** max(0, attempts - 1)
        return timedelta(seconds=min(seconds, self.max_seconds))

    @classmethod
    def load(cls, session: Session) -> RetryPolicy:
        return cls(
            base_seconds=float(settings.get(session, "notice.retry_base_seconds")),
            max_seconds=float(settings.get(session, "notice.retry_max_seconds")),
            max_attempts=max(1, int(settings.get(session, "notice.max_attempts"))),
        )


@dataclass(frozen=True)
class DeliveryRound:
    sent: int = 0
    failed: int = 0  # failed this round, will be retried
    gave_up: int = 0  # failed for the last time this round: now gagal
    refused: str | None = None  # the sender could not be loaded; nothing was tried


def deliver_due(
    database, sender: Sender, now: datetime | None = None, limit: int = ROUND_LIMIT
) -> DeliveryRound:
    """Send every waiting notice whose time has come, each in its own short
    transactions; a sender that raises marks the notice for a retry, never loses it."""
    if getattr(sender, "unavailable", None):
        return DeliveryRound(refused=sender.unavailable)
    now = as_utc(now or utc_now())
    with database.read() as session:
        policy = RetryPolicy.load(session)
        due = list(session.scalars(_due_query(now).limit(limit)))
    counts = {"sent": 0, "failed": 0, "gave_up": 0}
    for notice_id in due:
        outgoing = _claim(database, notice_id, now)
        if outgoing is None:
            continue  # another console took it, or it was changed meanwhile
        counts[_send_one(database, sender, outgoing, policy, now)] += 1
    return DeliveryRound(**counts)


def _due_query(now: datetime):
    return (
        select(Notice.id)
        .where(
            Notice.status == ANTRE,
            or_(Notice.next_attempt_at.is_(None), Notice.next_attempt_at <= now),
        )
        .order_by(Notice.created_at, Notice.id)
    )


def _claim(database, notice_id: int, now: datetime) -> OutgoingNotice | None:
    with database.transaction() as session:
        claimed = session.execute(
            update(Notice)
            .where(
                Notice.id == notice_id,
                Notice.status == ANTRE,
                or_(Notice.next_attempt_at.is_(None), Notice.next_attempt_at <= now),
            )
            .values(next_attempt_at=now + LEASE)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            return None
        notice = session.get(Notice, notice_id)
        number = session.scalar(select(Report.number).where(Report.id == notice.report_id))
        return OutgoingNotice(
            notice.id,
            notice.report_id,
            number,
            notice.kind,
            notice.recipient or "",
            notice.body,
            notice.attempts + 1,
        )


def _send_one(database, sender: Sender, outgoing: OutgoingNotice, policy, now) -> str:
    try:
        sender.send(outgoing)
    except Exception as exc:  # whatever a plugged-in sender raises is a failed try
        error = (str(exc).strip() or type(exc).__name__)[:MAX_ERROR_CHARS]
        log.info("Notice %d not sent (try %d): %s", outgoing.id, outgoing.attempt, error)
        return _mark_failed(database, outgoing.id, error, policy, now)
    _mark_sent(database, outgoing.id, now)
    return "sent"


def _mark_sent(database, notice_id: int, now: datetime) -> None:
    with database.transaction() as session:
        notice = session.get(Notice, notice_id)
        notice.status, notice.sent_at = TERKIRIM, now
        notice.attempts += 1
        notice.next_attempt_at = notice.last_error = None
        _event(session, "notice_sent", notice)


def _mark_failed(database, notice_id: int, error: str, policy: RetryPolicy, now) -> str:
    with database.transaction() as session:
        notice = session.get(Notice, notice_id)
        notice.attempts += 1
        notice.last_error = error
        if notice.attempts >= policy.max_attempts:
            notice.status, notice.next_attempt_at = GAGAL, None
            _event(session, "notice_gave_up", notice)
            return "gave_up"
        notice.next_attempt_at = now + policy.delay(notice.attempts)
        _event(session, "notice_failed", notice)
        return "failed"


def _event(session: Session, kind: str, notice: Notice, actor: str = SENDER_ACTOR) -> None:
    # No recipient or body in the log: the event log is read widely, phone numbers not.
    events.record(
        session,
        kind,
        "notice",
        notice.id,
        actor=actor,
        after={
            "report_id": notice.report_id,
            "kind": notice.kind,
            "status": notice.status,
            "attempts": notice.attempts,
            "error": notice.last_error,
        },
    )


def resend(database, notice_ids: list[int], actor: str) -> int:
    """Put given-up (gagal) notices back in the queue with fresh attempts; how many."""
    authz.require_current("notices.resend")
    count = 0
    with database.transaction() as session:
        for notice_id in notice_ids:
            notice = session.get(Notice, notice_id)
            if notice is None or notice.status != GAGAL:
                continue
            notice.status, notice.attempts, notice.next_attempt_at = ANTRE, 0, None
            _event(session, "notice_resend", notice, actor)
            count += 1
    return count


# --- the backlog --------------------------------------------------------------------


@dataclass(frozen=True)
class Backlog:
    waiting: int  # antre, including those waiting for a retry
    failing: int  # antre after at least one failed try
    failed: int  # gagal: given up, needs the operator
    oldest_at: datetime | None  # the oldest waiting notice's time

    @property
    def empty(self) -> bool:
        return self.waiting == 0 and self.failed == 0


def backlog(session: Session) -> Backlog:
    waiting, failing, oldest = session.execute(
        select(
            func.count(Notice.id),
            func.count(Notice.id).filter(Notice.attempts > 0),
            func.min(Notice.created_at),
        ).where(Notice.status == ANTRE)
    ).one()
    failed = session.scalar(select(func.count(Notice.id)).where(Notice.status == GAGAL))
    oldest_at = as_utc(oldest) if isinstance(oldest, datetime) else None
    return Backlog(waiting or 0, failing or 0, failed or 0, oldest_at)


# --- headless delivery (comcen serve) -------------------------------------------------


class DeliveryLoop:
    """Runs deliver_due every few seconds on a plain thread, for `comcen serve`."""

    def __init__(self, database, interval_s: float = 5.0):
        self._database = database
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="comcen-notices", daemon=True)

    def start(self) -> DeliveryLoop:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        refused = None
        while not self._stop.is_set():
            try:
                result = deliver_due(self._database, configured_sender(self._database))
                if result.refused and result.refused != refused:
                    log.warning("%s", result.refused)  # once, not every few seconds
                refused = result.refused
            except Exception:  # a lost database must not end delivery for good
                log.warning("Notice delivery round failed", exc_info=True)
            self._stop.wait(self._interval_s)
