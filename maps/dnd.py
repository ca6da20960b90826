"""Drag-and-drop of reports between the map, the queue table and the crew board.

One MIME type for every drag source, so a report dragged from anywhere can be dropped
on any crew target (a marker on the map or a card on the board).
"""

from __future__ import annotations

import json
import logging

from PySide6.QtCore import QMimeData

log = logging.getLogger(__name__)

MIME_REPORTS = "application/x-comcen-reports"


def encode_reports(ids) -> QMimeData:
    """Pack report ids (any iterable of ints) into MIME data, order kept."""
    mime = QMimeData()
    payload = json.dumps([int(i) for i in ids]).encode("utf-8")
    mime.setData(MIME_REPORTS, payload)
    return mime


def decode_reports(mime: QMimeData | None) -> list[int] | None:
    """The report ids in a drag, or None when it carries no (valid) report list."""
    if mime is None or not mime.hasFormat(MIME_REPORTS):
        return None
    raw = bytes(mime.data(MIME_REPORTS).data())
    try:
        ids = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        log.warning("Ignoring malformed report drag payload (%d bytes)", len(raw))
        return None
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        log.warning("Ignoring report drag payload that is not a list of ids")
        return None
    return ids
