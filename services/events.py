"""The append-only event log. Every change writes one row in the same transaction."""

from __future__ import annotations

import getpass
import os
import socket
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comcen_desktop.storage.models import Event
from comcen_desktop.timeutil import utc_now


@cache
def console_name() -> str:
    return os.environ.get("COMCEN_CONSOLE") or socket.gethostname()


def current_actor() -> str:
    try:
        return os.environ.get("COMCEN_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "operator"


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
    return row


def last_seq(session: Session) -> int:
    return session.scalar(select(func.max(Event.seq))) or 0


def events_after(session: Session, seq: int, limit: int = 1000) -> list[Event]:
    query = select(Event).where(Event.seq > seq).order_by(Event.seq).limit(limit)
    return list(session.scalars(query))
