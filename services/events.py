"""The append-only event log. Every change writes one row in the same transaction."""

from __future__ import annotations

import getpass
import os
import socket
from functools import cache

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from comcen_desktop.storage.models import Event
from comcen_desktop.timeutil import utc_now

# PostgreSQL consoles LISTEN here (services/event_listener.py) to read the log at once.
NOTIFY_CHANNEL = "comcen_events"


@cache
def console_name() -> str:
    return os.environ.get("COMCEN_CONSOLE") or socket.gethostname()


# Who signed in to this process (services.accounts): (username, role). Until someone
# does, the actor is COMCEN_USER or the OS login and no role is set, which the
# services read as a trusted script or test (services.authz).
_signed_in: tuple[str, str | None] | None = None


def set_actor(username: str | None, role: str | None = None) -> None:
    """Make ``username`` with ``role`` the actor of every event of this process;
    None forgets the sign-in."""
    global _signed_in
    _signed_in = (username, role) if username else None


def current_role() -> str | None:
    return _signed_in[1] if _signed_in else None


def current_actor() -> str:
    if _signed_in:
        return _signed_in[0]
    try:
        return os.environ.get("COMCEN_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "operator"


_NOTIFIED = "events.notified_in"  # session.info: the transaction already notified


def record(
    session: Session,
    kind: str,
    entity: str,
    entity_id: int | None,
    *,
    actor: str,
    before: dict | None = None,
    after: dict | None = None,
) -> Event:
    row = Event(
        at=utc_now(),
        actor=actor,
        console=console_name(),
        kind=kind,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )
    session.add(row)
    _notify(session)
    return row


def _notify(session: Session) -> None:
    # Delivered at COMMIT, never for a rollback; identical ones of one transaction
    # arrive as one, so one per transaction is enough (a batch of a hundred reports
    # would otherwise pay a hundred round trips). SQLite has no such thing: its
    # consoles poll (ui/sync.py).
    if session.get_bind().dialect.name != "postgresql":
        return
    transaction = session.get_transaction()
    if transaction is not None and session.info.get(_NOTIFIED) is transaction:
        return
    session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})
    session.info[_NOTIFIED] = session.get_transaction()


def last_seq(session: Session) -> int:
    return session.scalar(select(func.max(Event.seq))) or 0


def events_after(session: Session, seq: int, limit: int = 1000) -> list[Event]:
    query = select(Event).where(Event.seq > seq).order_by(Event.seq).limit(limit)
    return list(session.scalars(query))
