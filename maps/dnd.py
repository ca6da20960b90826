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
MAX_PAYLOAD_BYTES = 1_000_000  # about 80,000 ids: far beyond any real multi-select


def encode_reports(ids) -> QMimeData:
    """Pack report ids (any iterable of ints) into MIME data, order kept."""
    mime = QMimeData()
    payload = json.dumps([int(i) for i in ids]).encode("utf-8")
    mime.setData(MIME_REPORTS, payload)
    return mime


def decode_reports(mime: QMimeData | None) -> list[int] | None:
    """The report ids in a drag, or None when it carries no (valid) report list.

    Drags can come from other programs too, so the payload is treated as untrusted:
    bounded in size and depth, ids bounded to what the database can hold.
    """
    if mime is None or not mime.hasFormat(MIME_REPORTS):
        return None
    raw = bytes(mime.data(MIME_REPORTS).data())
    if len(raw) > MAX_PAYLOAD_BYTES:
        log.warning("Ignoring an oversized report drag payload (%d bytes)", len(raw))
        return None
    try:
        ids = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        log.warning("Ignoring malformed report drag payload (%d bytes)", len(raw))
        return None
    if not isinstance(ids, list) or not all(_is_id(i) for i in ids):
        log.warning("Ignoring report drag payload that is not a list of ids")
        return None
    return ids


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63
