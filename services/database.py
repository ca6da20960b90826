"""Open a database: pick the URL, migrate it, seed it on first start."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from comcen_desktop import paths
from comcen_desktop.storage import engine as storage
from services import seed

log = logging.getLogger(__name__)

T = TypeVar("T")
WRITE_ATTEMPTS = 5
WRITE_PAUSE_S = 0.2
WRITE_PAUSE_MAX_S = 2.0


@dataclass
class Database:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed as a whole or rolled back as a whole."""
        with self.sessions() as session, session.begin():
            if self.is_sqlite:
                # The file's write lock from the start, waiting its turn (busy_timeout):
                # the driver would begin only at the first write, and reads before it
                # (a max(id) + 1, a duplicate check) would not be this transaction's.
                # Two writers of one file are thus serialised, never interleaved.
                session.execute(text("BEGIN IMMEDIATE"))
            yield session

    def write(self, work: Callable[[Session], T], attempts: int = WRITE_ATTEMPTS) -> T:
        """work(session) in one transaction, retried while the database is busy or away.

        A busy SQLite file or a connection lost to a restarting server is tried again
        with a growing pause; the last failure is raised. A connection can die after
        COMMIT reached the server, so ``work`` must be idempotent or check first (an
        intake by its source id, an assignment by the version it read).
        """
        for attempt in range(1, attempts + 1):
            try:
                with self.transaction() as session:
                    return work(session)
            except DBAPIError as exc:
                if attempt == attempts or not is_transient(exc):
                    raise
                pause = min(WRITE_PAUSE_S * 2 ** (attempt - 1), WRITE_PAUSE_MAX_S)
                log.warning("Write attempt %d failed, again in %.1f s: %s", attempt, pause, exc)
                time.sleep(pause)
        raise AssertionError("unreachable")

    def read(self) -> Session:
        return self.sessions()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()


def is_transient(exc: DBAPIError) -> bool:
    """A busy SQLite file or a lost connection, which trying again may cure."""
    return isinstance(exc, OperationalError) or bool(exc.connection_invalidated)


def resolve_url(url: str | None) -> str:
    return url or os.environ.get("COMCEN_DB") or paths.default_db_url()


def open_database(url: str | None = None, data_dir: Path | None = None) -> Database:
    resolved = resolve_url(url)
    engine = storage.make_engine(resolved)
    database = Database(resolved, engine, storage.session_factory(engine))
    try:
        storage.upgrade(engine)
        with database.transaction() as session:
            seed.seed_if_empty(session, data_dir or paths.bundled_data_dir())
    except Exception:
        engine.dispose()
        raise
    log.info("Database ready: %s", storage.describe(resolved))
    return database
