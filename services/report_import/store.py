"""Writing imported reports: many rows per statement, stage rows after their reports.

Shared by the history import and the third-party ticket import (history_import).
Core inserts with RETURNING, in parameter order, give the new ids without a flush
per report; that keeps a few thousand rows a second on SQLite.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from comcen_desktop.domain import Stage
from comcen_desktop.storage.models import Report, ReportStage

SOURCE = "impor"  # report.source of every imported report
MAX_NUMBER = 30  # report.number
MAX_SOURCE_ID = 80  # report.source_id


def source_id(prefix: str, key: str) -> str:
    text = f"{prefix}:{key}"
    return text if len(text) <= MAX_SOURCE_ID else f"{prefix}:h{_digest(key)}"


def report_number(prefix: str, key: str) -> str:
    """ "APKT-<no_laporan>": one number per source key, hashed when it does not fit."""
    text = f"{prefix.upper()}-{key}"
    return text if len(text) <= MAX_NUMBER else f"{prefix.upper()[:8]}-h{_digest(key)[:16]}"


def known_sources(session: Session, prefix: str) -> set[str]:
    query = select(Report.source_id).where(Report.source_id.like(f"{prefix}:%"))
    return set(session.scalars(query))


def insert_reports(
    session: Session,
    reports: list[dict],
    stages: list[dict[Stage, tuple[datetime, str]]],
    actor: str,
) -> list[int]:
    """Insert report rows (dicts of Report columns) and, for each, its stage times
    (stage → (at, note)). Returns the new report ids in the order given."""
    if not reports:
        return []
    rows = [{"version": 1, "simulated": False, "source": SOURCE} | report for report in reports]
    statement = insert(Report).returning(Report.id, sort_by_parameter_order=True)
    ids = list(session.scalars(statement, rows))
    stage_rows = list(_stage_rows(ids, stages, actor))
    if stage_rows:
        session.execute(insert(ReportStage), stage_rows)
    return ids


def _stage_rows(ids: list[int], stages: Iterable[dict], actor: str):
    for report_id, times in zip(ids, stages, strict=True):
        for stage, (at, note) in times.items():
            yield {
                "report_id": report_id,
                "stage": stage.value,
                "at": at,
                "actor": actor,
                "note": note,
            }


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]
