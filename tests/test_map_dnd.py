"""The report drag payload shared by the map, the queue table and the crew board."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData

from maps.dnd import MIME_REPORTS, decode_reports, encode_reports


def test_round_trip_keeps_ids_and_order():
    mime = encode_reports([12, 3, 7])
    assert mime.hasFormat(MIME_REPORTS)
    assert MIME_REPORTS == "application/x-comcen-reports"
    assert decode_reports(mime) == [12, 3, 7]


def test_foreign_or_broken_payloads_decode_to_none():
    plain = QMimeData()
    plain.setText("LP250101-00001")
    assert decode_reports(plain) is None
    assert decode_reports(None) is None

    broken = QMimeData()
    broken.setData(MIME_REPORTS, b"not json")
    assert decode_reports(broken) is None

    wrong_shape = QMimeData()
    wrong_shape.setData(MIME_REPORTS, b'{"id": 1}')
    assert decode_reports(wrong_shape) is None


@pytest.mark.parametrize(
    "payload",
    [b"[" * 100_000, b"[" + b"9" * 10_000 + b"]", b"[-1]", b"[0]", b"[1, true]",
     b"[" + b"1," * 600_000 + b"1]", b"\xff\xfe"],
)  # fmt: skip
def test_hostile_payloads_are_ignored_not_raised(payload):
    mime = QMimeData()
    mime.setData(MIME_REPORTS, payload)
    assert decode_reports(mime) is None
