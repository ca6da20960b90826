"""Open a database: pick the URL, migrate it, seed it on first start."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from comcen_desktop import paths
from comcen_desktop.storage import engine as storage
from services import seed

log = logging.getLogger(__name__)


@dataclass
class Database:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed as a whole or rolled back as a whole."""
        with self.sessions() as session, session.begin():
            yield session

    def read(self) -> Session:
        return self.sessions()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()


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
