"""Words of the command centre: stages, categories, crew states, and their rules.

Colours are plain hex strings so the map, the snapshot and the HTML export agree
without this module knowing about Qt.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    LAPOR = "lapor"
    PENUGASAN = "penugasan"
    PERJALANAN = "perjalanan"
    PENGERJAAN = "pengerjaan"
    NYALA_SEMENTARA = "nyala_sementara"
    NYALA = "nyala"
    SELESAI = "selesai"
    BATAL = "batal"


STAGE_ORDER = [
    Stage.LAPOR,
    Stage.PENUGASAN,
    Stage.PERJALANAN,
    Stage.PENGERJAAN,
    Stage.NYALA_SEMENTARA,
    Stage.NYALA,
    Stage.SELESAI,
]

STAGE_LABELS = {
    Stage.LAPOR: "Lapor",
    Stage.PENUGASAN: "Penugasan Regu",
    Stage.PERJALANAN: "Dalam Perjalanan",
    Stage.PENGERJAAN: "Dalam Pengerjaan",
    Stage.NYALA_SEMENTARA: "Nyala Sementara",
    Stage.NYALA: "Nyala",
    Stage.SELESAI: "Selesai",
    Stage.BATAL: "Batal",
}

# Pin fill per stage: warm colours while the customer is still without power,
# cool ones once it is back. Chosen to stay distinct for red-green colour blindness.
STAGE_COLOURS = {
    Stage.LAPOR: "#d7263d",
    Stage.PENUGASAN: "#f46036",
    Stage.PERJALANAN: "#f2c14e",
    Stage.PENGERJAAN: "#8e44ad",
    Stage.NYALA_SEMENTARA: "#2e86ab",
    Stage.NYALA: "#1b998b",
    Stage.SELESAI: "#7f8c8d",
    Stage.BATAL: "#bdc3c7",
}

CLOSED_STAGES = frozenset({Stage.SELESAI, Stage.BATAL})
# An imported report the file left open is live work only this long after it was
# reported; older ones are history whose end the file does not tell (they stay out of
# the queue, the map and the crew board, and count in the KPIs for what they show).
IMPORTED_LIVE_HOURS = 24
# Power is back from these stages on; the response clock has stopped before them.
RESTORED_STAGES = frozenset({Stage.NYALA, Stage.SELESAI})
RESPONDED_STAGES = frozenset({Stage.PENGERJAAN, Stage.NYALA_SEMENTARA, Stage.NYALA, Stage.SELESAI})

ALLOWED_MOVES: dict[Stage, frozenset[Stage]] = {
    Stage.LAPOR: frozenset({Stage.PENUGASAN, Stage.BATAL}),
    Stage.PENUGASAN: frozenset({Stage.PERJALANAN, Stage.LAPOR, Stage.BATAL}),
    Stage.PERJALANAN: frozenset({Stage.PENGERJAAN, Stage.BATAL}),
    Stage.PENGERJAAN: frozenset({Stage.NYALA_SEMENTARA, Stage.NYALA}),
    Stage.NYALA_SEMENTARA: frozenset({Stage.PENGERJAAN, Stage.NYALA}),
    Stage.NYALA: frozenset({Stage.SELESAI}),
    Stage.SELESAI: frozenset(),
    Stage.BATAL: frozenset(),
}


def can_move(current: Stage, target: Stage) -> bool:
    return target in ALLOWED_MOVES[current]


class Category(StrEnum):
    INDIVIDU = "gangguan_individu"
    MELUAS = "padam_meluas"
    KELUHAN = "keluhan"


CATEGORY_LABELS = {
    Category.INDIVIDU: "Gangguan individu",
    Category.MELUAS: "Padam meluas",
    Category.KELUHAN: "Keluhan",
}


class Media(StrEnum):
    CC123 = "cc123"
    PLN_MOBILE = "pln_mobile"
    WALK_IN = "walk_in"
    WHATSAPP = "whatsapp"
    SOSMED = "sosmed"
    SIMULASI = "simulasi"


MEDIA_LABELS = {
    Media.CC123: "Contact Center 123",
    Media.PLN_MOBILE: "PLN Mobile",
    Media.WALK_IN: "Datang langsung",
    Media.WHATSAPP: "WhatsApp",
    Media.SOSMED: "Media sosial",
    Media.SIMULASI: "Simulasi",
}


class Source(StrEnum):
    """How a report reached the centre (report.source); not the customer's media."""

    CC123 = "123"  # typed by an operator from a call
    PLN_MOBILE = "pln_mobile"  # POST /api/reports
    BERKAS = "berkas"  # a file in the drop folder
    IMPOR = "impor"  # history import
    SIMULASI = "simulasi"


class CrewStatus(StrEnum):
    SIAGA = "siaga"
    PERJALANAN = "perjalanan"
    BEKERJA = "bekerja"
    ISTIRAHAT = "istirahat"
    LIBUR = "libur"


CREW_STATUS_LABELS = {
    CrewStatus.SIAGA: "Siaga",
    CrewStatus.PERJALANAN: "Dalam perjalanan",
    CrewStatus.BEKERJA: "Bekerja",
    CrewStatus.ISTIRAHAT: "Istirahat",
    CrewStatus.LIBUR: "Tidak bertugas",
}

CREW_STATUS_COLOURS = {
    CrewStatus.SIAGA: "#1b998b",
    CrewStatus.PERJALANAN: "#f2c14e",
    CrewStatus.BEKERJA: "#8e44ad",
    CrewStatus.ISTIRAHAT: "#95a5a6",
    CrewStatus.LIBUR: "#34495e",
}

# A crew in these states takes no new job.
UNAVAILABLE_CREW = frozenset({CrewStatus.LIBUR})


class Vehicle(StrEnum):
    MOBIL = "mobil"
    MOTOR = "motor"


# One soft fill per ULP, shared by the map, the print page and the HTML export.
ULP_FILLS = {
    "Pangkalpinang": "#f6d8c8",
    "Sungailiat": "#d9ead3",
    "Mentok": "#e6dcef",
    "Koba": "#fff0bf",
    "Toboali": "#f0d9e2",  # not blue: it must not read as sea
}
SPARE_ULP_FILLS = ("#eadfcf", "#dfe7c9", "#f3d9e4", "#d8dcef")


def ulp_fill_hex(name: str) -> str:
    """The ULP's fill; a ULP the unit adds later gets a stable spare colour."""
    if name in ULP_FILLS:
        return ULP_FILLS[name]
    return SPARE_ULP_FILLS[sum(map(ord, name)) % len(SPARE_ULP_FILLS)]


# Age of an open report against the response target: share of the target used.
AGE_OK, AGE_WARN, AGE_LATE = "ok", "warn", "late"
AGE_COLOURS = {AGE_OK: "#ffffff", AGE_WARN: "#f39c12", AGE_LATE: "#c0392b"}


def age_class(age_minutes: float, target_minutes: float) -> str:
    """Classify an open report's age: under half the target, up to it, or past it."""
    if age_minutes >= target_minutes:
        return AGE_LATE
    if age_minutes >= target_minutes / 2:
        return AGE_WARN
    return AGE_OK
