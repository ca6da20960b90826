"""Following the event log by sequence number, and being woken when it grows.

``EventCursor`` says which events are new since the last look. On PostgreSQL a seq is
handed out at INSERT but becomes visible at COMMIT, so a later seq can be seen before
an earlier one (a long transaction, or one that rolls back and leaves a hole for
good). The cursor therefore keeps the holes below the highest seq it has seen and
looks at them again on every poll until they fill or grow old; following only
``max(seq)`` would skip such a late event.

``EventListener`` LISTENs on PostgreSQL (services.events sends ``pg_notify`` with each
event, delivered at commit) in a thread of its own and calls ``wake()`` at once;
polling stays the fallback and is the only path on SQLite. No Qt here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from comcen_desktop.storage.models import Event
from services.events import NOTIFY_CHANNEL

log = logging.getLogger(__name__)

PAGE = 2000
# A hole older than this is taken for a rolled-back transaction. A transaction that
# commits later still shows up at the follower's forced reload (ui/sync.py).
GAP_TTL_S = 60.0
MAX_GAPS = 10_000
# On start, holes among this many seqs below the highest are watched too: a
# transaction may be in flight while the console starts.
START_LOOKBACK = 200


@dataclass
class EventCursor:
    high: int = 0  # the highest seq seen
    gaps: dict[int, float] = field(default_factory=dict)  # unseen seq -> when first missed
    started: bool = False

    def start(self, session: Session, now: float | None = None) -> None:
        """Begin at the log's end: what is there now is in the state loaded next."""
        now = time.monotonic() if now is None else now
        top = session.scalar(select(func.max(Event.seq))) or 0
        recent = session.scalars(select(Event.seq).where(Event.seq > top - START_LOOKBACK))
        present = set(recent)
        self.gaps = {
            s: now for s in range(max(top - START_LOOKBACK, 0) + 1, top) if s not in present
        }
        self.high = top
        self.started = True

    def floor(self) -> int:
        return min(self.gaps) - 1 if self.gaps else self.high

    def poll(self, session: Session, now: float | None = None) -> list[int]:
        """The seqs committed since the last poll, each once, in ascending order."""
        now = time.monotonic() if now is None else now
        if not self.started:
            self.start(session, now)
            return []
        fresh: list[int] = []
        after = self.floor()
        while True:
            page = list(
                session.scalars(
                    select(Event.seq).where(Event.seq > after).order_by(Event.seq).limit(PAGE)
                )
            )
            fresh += self.take(page, now)
            if len(page) < PAGE:
                break
            after = page[-1]
        self._forget_old_gaps(now)
        return fresh

    def take(self, seqs: list[int], now: float) -> list[int]:
        """Mark ``seqs`` (ascending) seen; return the ones not seen before."""
        fresh = []
        for seq in seqs:
            if seq > self.high:
                for missing in range(self.high + 1, seq):
                    self.gaps[missing] = now
                self.high = seq
                fresh.append(seq)
            elif self.gaps.pop(seq, None) is not None:
                log.debug("Event %d committed after a later one", seq)
                fresh.append(seq)
        return fresh

    def _forget_old_gaps(self, now: float) -> None:
        old = [s for s, since in self.gaps.items() if now - since > GAP_TTL_S]
        if len(self.gaps) - len(old) > MAX_GAPS:
            old = sorted(self.gaps)[: len(self.gaps) - MAX_GAPS]
        for seq in old:
            del self.gaps[seq]


def listen_conninfo(url: str) -> str:
    """The psycopg connection string of a SQLAlchemy ``postgresql+psycopg://`` URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class EventListener:
    """A thread that LISTENs for new events and calls ``wake()`` for each batch.

    ``on_link(up)`` is told when the listening connection is lost or back; after a
    reconnect ``wake()`` is called once, so whatever was logged meanwhile is read.
    Both callbacks run in the listener's thread.
    """

    RETRY_S = (0.5, 1.0, 2.0, 4.0)
    WAIT_S = 0.5  # how often the thread looks up from notifies() to see if it must stop

    def __init__(
        self,
        url: str,
        wake: Callable[[], None],
        on_link: Callable[[bool], None] | None = None,
    ):
        self._conninfo = listen_conninfo(url)
        self._wake = wake
        self._on_link = on_link or (lambda _up: None)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="comcen-listen", daemon=True)
        self.notifications = 0

    def start(self) -> EventListener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._listen()
                failures = 0
            except Exception as exc:  # psycopg.Error and socket trouble alike
                pause = self.RETRY_S[min(failures, len(self.RETRY_S) - 1)]
                if failures == 0:
                    log.warning("Event listener lost its connection: %s", exc)
                    self._on_link(False)
                failures += 1
                self._stop.wait(pause)

    def _listen(self) -> None:
        import psycopg

        with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
            log.info("Listening for events on PostgreSQL")
            self._on_link(True)
            self._wake()  # catch up with whatever was logged while not listening
            while not self._stop.is_set():
                for _notify in conn.notifies(timeout=self.WAIT_S):
                    # Woken at every one: a burst is coalesced by the follower, not here.
                    self.notifications += 1
                    self._wake()
