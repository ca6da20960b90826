"""One file row → one checked report, or a reason in Indonesian why not.

Decisions (README "Impor riwayat"):
- waktu_lapor → Lapor and the report time; waktu_response → Dalam Pengerjaan (the
  response clock stops when the crew starts work on site); waktu_recovery → Nyala.
  Times must not go backwards; a row whose times do, is rejected.
- The status may take a report further than its times (Selesai, Batal, Penugasan):
  that stage is stamped with the last time the row gives. A status that needs a time
  the row lacks (Nyala without waktu_recovery) rejects the row; Batal after work began
  too. Without a status the times decide.
- Media the product does not know are stored as Contact Center 123 with the file's
  text kept in the description, so a history row is not lost over a channel name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from comcen_desktop.domain import STAGE_ORDER, Category, Media, Stage
from comcen_desktop.timeutil import utc_now
from services.report_import import values
from services.report_import.mapping import Mapping
from services.report_import.organisation import OrgLookup
from services.report_import.values import header_key

MAX_CLOCK_AHEAD = timedelta(minutes=5)
MAX_NAME = 120
MAX_KEY = 60  # longer numbers are hashed so source_id (80) and number (30) fit
TIME_FIELDS = {
    "assigned_at": Stage.PENUGASAN,
    "departed_at": Stage.PERJALANAN,
    "response_at": Stage.PENGERJAAN,
    "recovered_at": Stage.NYALA,
    "closed_at": Stage.SELESAI,
}
# A status this far needs this time from the file; without it the row is rejected.
STATUS_NEEDS = {
    Stage.PENGERJAAN: "response_at",
    Stage.NYALA_SEMENTARA: "response_at",
    Stage.NYALA: "recovered_at",
}
STATUSES = {
    Stage.LAPOR: ("lapor", "baru", "open", "dilaporkan", "laporan_masuk", "menunggu"),
    Stage.PENUGASAN: ("penugasan", "penugasan_regu", "ditugaskan", "assigned", "dispatch"),
    Stage.PERJALANAN: ("perjalanan", "dalam_perjalanan", "otw", "berangkat"),
    Stage.PENGERJAAN: (
        "pengerjaan",
        "dalam_pengerjaan",
        "dikerjakan",
        "response",
        "responded",
        "tiba",
        "sampai",
    ),
    Stage.NYALA_SEMENTARA: ("nyala_sementara",),
    Stage.NYALA: ("nyala", "recovery", "recovered", "menyala", "pulih"),
    Stage.SELESAI: ("selesai", "closed", "close", "tutup", "done", "complete", "completed"),
    Stage.BATAL: ("batal", "dibatalkan", "cancel", "cancelled", "canceled"),
}
MEDIA = {
    Media.CC123: (
        "123",
        "cc123",
        "cc_123",
        "contact_center",
        "contact_center_123",
        "call_center",
        "call_center_123",
        "telepon",
    ),
    Media.PLN_MOBILE: ("pln_mobile", "new_pln_mobile", "mobile", "aplikasi"),
    Media.WALK_IN: ("walk_in", "walkin", "datang_langsung", "loket", "kantor"),
    Media.WHATSAPP: ("whatsapp", "wa"),
    Media.SOSMED: ("sosmed", "media_sosial", "twitter", "x", "facebook", "instagram"),
}
CATEGORIES = {
    Category.INDIVIDU: ("gangguan", "gangguan_individu", "individu", "gi"),
    Category.MELUAS: ("padam_meluas", "meluas", "gangguan_meluas", "pm"),
    Category.KELUHAN: ("keluhan", "non_teknis", "komplain"),
}
_STATUS = {key: stage for stage, keys in STATUSES.items() for key in keys}
_MEDIA = {key: media for media, keys in MEDIA.items() for key in keys}
_CATEGORY = {key: category for category, keys in CATEGORIES.items() for key in keys}


class RowError(ValueError):
    """The row is rejected; the message says why (Indonesian, names the column)."""


@dataclass
class ImportRow:
    line: int
    key: str  # the file's report number, or a hash of the row's identifying fields
    reported_at: datetime  # aware UTC
    stage: Stage
    stages: dict[Stage, tuple[datetime, str]] = field(default_factory=dict)  # at, note
    category: Category = Category.INDIVIDU
    media: Media = Media.CC123
    idpel: str | None = None
    name: str | None = None
    phone: str | None = None
    address: str | None = None
    description: str | None = None
    cause: str | None = None
    customers: int | None = None
    crew_id: int | None = None
    ulp_id: int | None = None


class RowParser:
    def __init__(
        self, mapping: Mapping, columns: dict[str, tuple[int, str]], zone: tzinfo, org: OrgLookup
    ):
        self.mapping = mapping
        self.columns = columns
        self.zone = zone
        self.org = org
        self.now = utc_now()

    def parse(self, line: int, cells: list[Any]) -> ImportRow:
        cell = self._cells(cells)
        reported = self._time(cell, "reported_at")
        if reported is None:
            raise RowError(f"{self._column('reported_at')} kosong")
        row = ImportRow(line, "", reported, Stage.LAPOR)
        self._stages(row, cell)
        self._people(row, cell)
        self._kinds(row, cell)
        self._place(row, cell)
        row.key = self._key(row, cell)
        return row

    # --- pieces ----------------------------------------------------------------

    def _cells(self, cells: list[Any]) -> dict[str, Any]:
        found = {}
        for name, (index, _) in self.columns.items():
            value = cells[index] if index < len(cells) else None
            found[name] = None if values.is_blank(value) else value
        return found

    def _column(self, name: str) -> str:
        return self.columns[name][1] if name in self.columns else name

    def _time(self, cell: dict, name: str) -> datetime | None:
        value = cell.get(name)
        if value is None:
            return None
        try:
            moment = values.parse_time(value, self.zone).astimezone(UTC)
        except ValueError as exc:
            raise RowError(f"{self._column(name)} '{_show(value)}': {exc}") from None
        if moment > self.now + MAX_CLOCK_AHEAD:
            raise RowError(f"{self._column(name)} '{_show(value)}' ada di masa depan")
        return moment

    def _stages(self, row: ImportRow, cell: dict) -> None:
        times = {Stage.LAPOR: (row.reported_at, "reported_at")}
        for name, stage in TIME_FIELDS.items():
            moment = self._time(cell, name)
            if moment is not None:
                times[stage] = (moment, name)
        previous = None
        for stage in STAGE_ORDER:
            if stage not in times:
                continue
            if previous is not None and times[stage][0] < previous[0]:
                raise RowError(self._out_of_order(cell, times[stage][1], previous[1]))
            previous = times[stage]
        row.stages = {stage: (at, "impor") for stage, (at, _) in times.items()}
        row.stage = max(times, key=STAGE_ORDER.index)
        self._status(row, cell, times)

    def _out_of_order(self, cell: dict, later: str, earlier: str) -> str:
        return (
            f"{self._column(later)} '{_show(cell[later])}' sebelum "
            f"{self._column(earlier)} '{_show(cell[earlier])}': urutan waktu salah"
        )

    def _status(self, row: ImportRow, cell: dict, times: dict) -> None:
        text = values.text(cell.get("status"))
        if text is None:
            return
        status = _STATUS.get(header_key(text))
        if status is None:
            raise RowError(f"{self._column('status')} '{_show(text)}' tidak dikenal")
        last = max(at for at, _ in times.values())
        if status is Stage.BATAL:
            worked = [
                s for s in times if STAGE_ORDER.index(s) >= STAGE_ORDER.index(Stage.PENGERJAAN)
            ]
            if worked:
                raise RowError(
                    f"{self._column('status')} Batal, tetapi "
                    f"{self._column(times[worked[0]][1])} terisi"
                )
            row.stages[Stage.BATAL] = (last, "impor: waktu batal = waktu terakhir di berkas")
            row.stage = Stage.BATAL
            return
        if STAGE_ORDER.index(status) <= STAGE_ORDER.index(row.stage):
            return  # the times show more than the status: they win
        needed = STATUS_NEEDS.get(status)
        if needed is not None and needed not in {name for _, name in times.values()}:
            raise RowError(
                f"{self._column('status')} '{_show(text)}', tetapi {self._column(needed)} kosong"
            )
        row.stages[status] = (last, "impor: waktu tahap = waktu terakhir di berkas")
        row.stage = status

    def _people(self, row: ImportRow, cell: dict) -> None:
        for name, parse in (("idpel", values.parse_idpel), ("phone", values.parse_phone)):
            try:
                setattr(row, name, parse(cell.get(name)))
            except ValueError as exc:
                raise RowError(f"{self._column(name)} {exc}") from None
        name = values.text(cell.get("name"))
        row.name = name[:MAX_NAME] if name else None
        row.address = values.text(cell.get("address"))
        row.cause = values.text(cell.get("cause"))
        row.description = values.text(cell.get("description"))

    def _kinds(self, row: ImportRow, cell: dict) -> None:
        media = values.text(cell.get("media"))
        if media is not None:
            known = _MEDIA.get(header_key(media))
            if known is None:
                row.description = _join(row.description, f"media: {media}")
            row.media = known or Media.CC123
        category = values.text(cell.get("category"))
        if category is not None:
            row.category = _CATEGORY.get(header_key(category))
            if row.category is None:
                raise RowError(
                    f"{self._column('category')} '{_show(category)}' tidak dikenal "
                    "(gangguan, padam meluas, keluhan)"
                )
        if cell.get("customers") is not None:
            try:
                row.customers = values.parse_count(cell["customers"])
            except ValueError as exc:
                raise RowError(
                    f"{self._column('customers')} '{_show(cell['customers'])}' {exc}"
                ) from None

    def _place(self, row: ImportRow, cell: dict) -> None:
        posko = values.text(cell.get("posko"))
        if posko is None:
            return
        row.crew_id, row.ulp_id = self.org.find(posko)
        if row.crew_id is None:
            # Which regu of a posko went is not in the file: keep the posko's name.
            row.description = _join(row.description, f"posko: {posko}")

    def _key(self, row: ImportRow, cell: dict) -> str:
        number = values.text(cell.get("number"))
        if number is None and "number" in self.mapping.required:
            raise RowError(f"{self._column('number')} kosong")
        if number is not None:
            return number if len(number) <= MAX_KEY else "h" + _digest(number)
        # No report number: the same row always hashes to the same key (idempotent).
        parts = (row.reported_at.isoformat(), row.idpel, row.phone, row.name, row.address)
        return "h" + _digest("|".join(p or "" for p in parts))


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]


def _join(first: str | None, second: str) -> str:
    return f"{first}; {second}" if first else second


def _show(value: Any) -> str:
    shown = values.text(value) or ""
    return shown if len(shown) <= 40 else shown[:37] + "..."
