"""Event log rows in operator words: the label of each kind, the object it is about
and one Indonesian sentence for what changed. Shared by the audit view and the
report history so an event reads the same everywhere.

describe(), kind_label() and subject() are pure: the names they print (report
numbers, crew names, ...) come in a Names looked up once per batch by load_names().
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop.domain import CREW_STATUS_LABELS, STAGE_LABELS, CrewStatus, Stage
from comcen_desktop.storage.models import Crew, Event, Incident, Posko, Report, UlpArea, UserAccount
from comcen_desktop.timeutil import format_wib

log = logging.getLogger(__name__)

# Every kind the product writes (grep services/ for events.record), in Indonesian.
KIND_LABELS = {
    "create": "Dibuat",
    "stage": "Pindah tahap",
    "assign": "Ditugaskan",
    "unassign": "Penugasan dibatalkan",
    "correct": "Koreksi waktu",
    "rating": "Rating pelanggan",
    "feedback": "Jawaban pelanggan",
    "place": "Ditempatkan di peta",
    "import": "Impor",
    "update": "Diubah",
    "position": "Posisi regu",
    "seed": "Data awal",
    "setting": "Pengaturan",
    "proposal": "Usulan regu",
    "proposal_accept": "Usulan regu diterima",
    "proposal_override": "Usulan regu diganti",
    "incident_confirm": "Padam meluas dikonfirmasi",
    "incident_dismiss": "Usulan padam meluas ditolak",
    "incident_stage": "Padam meluas pindah tahap",
    "incident_assign": "Padam meluas ditugaskan",
    "incident_join": "Laporan masuk padam meluas",
    "incident_leave": "Laporan keluar dari padam meluas",
    "notice_sent": "Pemberitahuan terkirim",
    "notice_failed": "Pemberitahuan gagal",
    "notice_gave_up": "Pemberitahuan dihentikan",
    "notice_resend": "Pemberitahuan dikirim ulang",
    "sign_in": "Masuk",
    "sign_in_refused": "Gagal masuk",
    "user_bootstrap": "Akun admin pertama",
    "user_create": "Akun dibuat",
    "user_password": "Kata sandi diubah",
    "user_role": "Peran diubah",
    "user_os": "Login OS diubah",
    "user_disable": "Akun dinonaktifkan",
}

# report.source (comcen_desktop.domain.Source) in words.
SOURCE_LABELS = {
    "123": "Contact Center 123",
    "pln_mobile": "PLN Mobile",
    "berkas": "berkas folder masuk",
    "impor": "impor riwayat",
    "simulasi": "simulasi",
}
SIGN_IN_HOW = {"password": "kata sandi", "os": "login OS", "bootstrap": "akun pertama"}

# Field names of event payloads, for the "what changed" lists.
KEY_LABELS = {
    "stage": "tahap",
    "crew": "regu",
    "crew_id": "regu",
    "previous_crew": "regu sebelumnya",
    "reason": "alasan",
    "note": "catatan",
    "at": "waktu",
    "number": "nomor",
    "rating": "rating",
    "lon": "bujur",
    "lat": "lintang",
    "placement_flag": "tanda lokasi",
    "rank": "peringkat",
    "name": "nama",
    "code": "kode",
    "personnel": "personel",
    "vehicle": "kendaraan",
    "members": "anggota",
    "status": "status",
    "shift": "shift",
    "posko_id": "posko",
    "customers": "pelanggan",
    "rpt_min": "target RPT (mnt)",
    "rct_min": "target RCT (mnt)",
    "year": "tahun",
    "source": "sumber",
}
_HIDDEN_KEYS = {"version", "rated_at"}


@dataclass
class Names:
    """Names of the things events point at by id or code; missing ones print the id."""

    reports: dict[int, str] = field(default_factory=dict)
    crews: dict[int, str] = field(default_factory=dict)
    crew_codes: dict[str, str] = field(default_factory=dict)
    incidents: dict[int, str] = field(default_factory=dict)
    users: dict[int, str] = field(default_factory=dict)
    posko: dict[int, str] = field(default_factory=dict)
    ulps: dict[int, str] = field(default_factory=dict)

    def report(self, report_id) -> str:
        return self.reports.get(report_id) or f"#{report_id}"

    def crew(self, crew_id) -> str:
        return self.crews.get(crew_id) or f"#{crew_id}"

    def crew_code(self, code) -> str:
        return self.crew_codes.get(code) or str(code)


NO_NAMES = Names()


def kind_label(kind: str) -> str:
    """The Jenis column: the Indonesian label, or the code itself when unknown."""
    return KIND_LABELS.get(kind, kind)


def kind_code(text: str) -> str:
    """A kind typed or picked as its label back to its code (codes pass as they are)."""
    text = (text or "").strip()
    by_label = {label.lower(): code for code, label in KIND_LABELS.items()}
    return by_label.get(text.lower(), text)


# --- names -----------------------------------------------------------------------------


def load_names(session: Session, rows: Iterable[Event]) -> Names:
    """One query per kind of thing the events point at."""
    rows = list(rows)
    wanted: dict[str, set] = {k: set() for k in ("report", "crew", "code", "incident",
                                                  "user", "posko", "ulp")}  # fmt: skip
    for row in rows:
        _collect(row, wanted)
    return Names(
        reports=_lookup(session, Report.id, Report.number, wanted["report"]),
        crews=_lookup(session, Crew.id, Crew.name, wanted["crew"]),
        crew_codes=_lookup(session, Crew.code, Crew.name, wanted["code"]),
        incidents=_lookup(session, Incident.id, Incident.number, wanted["incident"]),
        users=_lookup(session, UserAccount.id, UserAccount.username, wanted["user"]),
        posko=_lookup(session, Posko.id, Posko.name, wanted["posko"]),
        ulps=_lookup(session, UlpArea.id, UlpArea.name, wanted["ulp"]),
    )


def _collect(row: Event, wanted: dict[str, set]) -> None:
    if row.entity_id is not None and row.entity in wanted:
        wanted[row.entity].add(row.entity_id)
    for payload in (row.before or {}, row.after or {}):
        for key, kind in (("crew_id", "crew"), ("posko_id", "posko"), ("report_id", "report"),
                          ("repeat_of_id", "report"), ("reopened_from_id", "report")):  # fmt: skip
            if isinstance(payload.get(key), int):
                wanted[kind].add(payload[key])
        for key in ("crew", "top_crew"):
            if isinstance(payload.get(key), str):
                wanted["code"].add(payload[key])


def _lookup(session: Session, key, name, ids: set) -> dict:
    if not ids:
        return {}
    return dict(session.execute(select(key, name).where(key.in_(sorted(ids)))).all())


def subject(entity: str, entity_id: int | None, after: dict | None, names: Names) -> str:
    """The Objek column: 'Laporan LP…', 'Padam meluas PM…', 'Regu Koba 1', ..."""
    after = after or {}
    if entity == "report":
        return f"Laporan {names.report(entity_id)}" if entity_id else "Laporan (impor)"
    if entity == "crew" and entity_id:
        name = names.crew(entity_id)  # crew names mostly start with "Regu" already
        return name if name.lower().startswith("regu") else f"Regu {name}"
    if entity == "incident" and entity_id:
        return f"Padam meluas {names.incidents.get(entity_id) or after.get('number') or entity_id}"
    if entity == "notice":
        return f"Pemberitahuan laporan {names.report(after.get('report_id'))}"
    if entity == "user":
        return f"Akun {names.users.get(entity_id) or after.get('username') or entity_id or '?'}"
    if entity == "posko" and entity_id:
        return names.posko.get(entity_id) or f"Posko {entity_id}"
    if entity == "ulp" and entity_id:
        return f"ULP {names.ulps.get(entity_id) or entity_id}"
    words = {"system": "Sistem", "setting": "Pengaturan"}
    name = words.get(entity, entity)
    return f"{name} {entity_id}" if entity_id else name


# --- sentences -------------------------------------------------------------------------


def describe(
    kind: str,
    before: dict | None,
    after: dict | None,
    entity: str = "report",
    names: Names = NO_NAMES,
) -> str:
    """One Indonesian sentence for an event; unknown kinds still say what changed."""
    before, after = before or {}, after or {}
    # The table of sentences builds on this module's helpers, so it is imported here.
    from services.event_sentences import SENTENCES

    words = SENTENCES.get((entity, kind)) or SENTENCES.get(kind)
    if words is not None:
        try:
            return _join(words(before, after, names))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # An old or odd payload must not blank the row: fall back to the changes.
            log.debug("Event %s read generically: %s", kind, exc)
    return generic(kind, before, after, names)


def generic(kind: str, before: dict, after: dict, names: Names = NO_NAMES) -> str:
    changes = changes_in_words(before, after, names)
    label = KIND_LABELS.get(kind, "Perubahan data")
    return f"{label}: {changes}" if changes else label


def changes_in_words(before: dict, after: dict, names: Names = NO_NAMES) -> str:
    parts = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if key in _HIDDEN_KEYS or old == new:
            continue
        label = KEY_LABELS.get(key, key)
        if key in before and old is not None:
            parts.append(f"{label} {value_text(key, old, names)} → {value_text(key, new, names)}")
        else:
            parts.append(f"{label} {value_text(key, new, names)}")
    return ", ".join(parts)


def _join(parts) -> str:
    if isinstance(parts, str):
        return parts
    return " · ".join(p for p in parts if p)


def value_text(key: str, value, names: Names) -> str:
    if value is None or value == "":
        return "–"
    if key == "at":
        return time_text(value)
    if key == "stage":
        return stage_label(value)
    if key == "crew_id":
        return names.crew(value)
    if key == "posko_id":
        return names.posko.get(value) or str(value)
    if key == "status" and value in {s.value for s in CrewStatus}:
        return CREW_STATUS_LABELS[CrewStatus(value)]
    if key == "source":
        return SOURCE_LABELS.get(value, str(value))
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    return str(value)


def stage_label(value) -> str:
    try:
        return STAGE_LABELS[Stage(value)]
    except ValueError:
        return str(value)


def time_text(value) -> str:
    """An ISO time from a payload in the console's WIB format."""
    if not value:
        return "–"
    try:
        return format_wib(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)


def labelled(label: str, value) -> str:
    return f"{label}: {value}" if value not in (None, "") else ""
