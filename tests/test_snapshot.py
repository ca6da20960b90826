"""Headless snapshots: a PNG with the island and pins on it, a real vector PDF."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from PySide6.QtGui import QColor, QImage

from comcen_desktop.domain import STAGE_COLOURS, ULP_FILLS, Stage
from comcen_desktop.timeutil import utc_now
from maps import style
from maps.snapshot import render_snapshot
from services import queries
from services.intake import NewReport, create_report
from services.placement import Placer


@pytest.fixture
def database_with_reports(database):
    now = utc_now()
    with database.transaction() as session:
        placer = Placer(session)
        villages = queries.load_villages(session)
        for n in range(60):
            village = villages[(n * 11) % len(villages)]
            new = NewReport(now - timedelta(minutes=n), village.lon, village.lat)
            create_report(session, placer, new, "tester")
    return database


def colour_counts(path) -> Counter:
    image = QImage(str(path))
    assert not image.isNull()
    counts = Counter()
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            counts[image.pixel(x, y) & 0xFFFFFF] += 1
    return counts


def rgb(colour) -> int:
    return QColor(colour).rgb() & 0xFFFFFF


def test_png_snapshot_shows_areas_and_pins(qapp, database_with_reports, tmp_path):
    out = render_snapshot(database_with_reports, tmp_path / "peta.png", 1200, 800)
    assert out.exists()
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 800)

    counts = colour_counts(out)
    assert len(counts) > 50, "a blank or one-colour image is not a map"
    for ulp, fill in ULP_FILLS.items():
        assert counts[rgb(fill)] > 20, f"ULP {ulp} fill missing"  # city: small
    assert counts[rgb(style.SEA)] > 1000
    assert counts[rgb(STAGE_COLOURS[Stage.LAPOR])] > 30, "report pins missing"


def test_pdf_snapshot_is_a_real_pdf(qapp, database_with_reports, tmp_path):
    out = render_snapshot(database_with_reports, tmp_path / "peta.pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(data) > 20_000


def test_unsupported_format_is_refused_clearly(qapp, database, tmp_path):
    with pytest.raises(ValueError, match=r"\.png or \.pdf"):
        render_snapshot(database, tmp_path / "peta.jpg")
    assert not (tmp_path / "peta.jpg").exists()
