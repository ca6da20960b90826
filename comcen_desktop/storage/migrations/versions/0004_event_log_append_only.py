"""The event log is append-only: the database refuses UPDATE and DELETE on it.

The log is the audit trail; no code path edits it, and these triggers make sure
none can through ordinary SQL, whichever program opens the database (a console, a
script, a SQL shell). Dropping them takes the rights of the database's owner.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"

MESSAGE = "event log is append-only: UPDATE and DELETE are refused"

SQLITE_UP = [
    f"""CREATE TRIGGER event_no_update BEFORE UPDATE ON event
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER event_no_delete BEFORE DELETE ON event
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS event_no_update", "DROP TRIGGER IF EXISTS event_no_delete"]

POSTGRES_UP = [
    f"""CREATE FUNCTION event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""",
    """CREATE TRIGGER event_no_update BEFORE UPDATE OR DELETE ON event
    FOR EACH ROW EXECUTE FUNCTION event_append_only()""",
    # TRUNCATE skips row triggers; it needs a statement trigger of its own.
    """CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event
    FOR EACH STATEMENT EXECUTE FUNCTION event_append_only()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS event_no_truncate ON event",
    "DROP TRIGGER IF EXISTS event_no_update ON event",
    "DROP FUNCTION IF EXISTS event_append_only()",
]


def _statements(sqlite: list[str], postgres: list[str]) -> list[str]:
    return sqlite if op.get_bind().dialect.name == "sqlite" else postgres


def upgrade() -> None:
    for statement in _statements(SQLITE_UP, POSTGRES_UP):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(SQLITE_DOWN, POSTGRES_DOWN):
        op.execute(statement)
