"""Map colours and sizes that the live view, the snapshot and the legend share."""

from __future__ import annotations

from PySide6.QtGui import QColor

from comcen_desktop.domain import ulp_fill_hex

SEA = QColor("#d4e6f1")
LAND_FALLBACK = QColor("#ece6d6")
DISTRICT_LINE = QColor(90, 90, 90, 140)
TEXT_DARK = QColor("#1f2d3a")
HALO = QColor(255, 255, 255, 220)


# One soft fill per ULP: pale enough that every pin colour stays readable on it,
# different enough in hue that neighbouring areas are told apart at a glance.
def ulp_fill(name: str) -> QColor:
    return QColor(ulp_fill_hex(name))


def ulp_edge(name: str) -> QColor:
    return ulp_fill(name).darker(160)


PIN_DIAMETER_PX = 14  # body of a pin in logical pixels, ring included
POSKO_SIZE_PX = 16
CREW_SIZE_PX = 22
# Village names appear once the view shows fewer metres per pixel than this; at the
# whole-island view (~150 m/px on a 1080p screen) they would be an unreadable carpet.
VILLAGE_LABEL_MAX_M_PER_PX = 60.0
DISTRICT_LABEL_MAX_M_PER_PX = 160.0
DISTRICT_TEXT = QColor("#5d6d7e")
