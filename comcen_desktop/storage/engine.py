"""Engines and sessions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_S = 5


def _tune_sqlite(dbapi_connection, _record) -> None:
    # WAL lets readers (the map refresh) go on while one console writes; the busy
    # timeout makes a writer wait its turn instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # "file:" names are SQLite URIs (e.g. ?mode=ro), not folders to create.
        if parsed.database and not parsed.database.startswith(("file:", ":memory:")):
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    # A server that does not answer (a cable pulled, not a refused port) must fail a
    # save in seconds, with the form kept, not hang the console for the TCP timeout.
    connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": PG_CONNECT_S}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is there)."""
    command.upgrade(alembic_config(engine), "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def describe(url: str) -> str:
    """The URL with any password hidden, for logs and the status bar."""
    return make_url(url).render_as_string(hide_password=True)
