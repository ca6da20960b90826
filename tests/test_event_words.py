"""Event log rows in operator words: every kind the product writes has a label and a
sentence, payloads as the services write them read as Indonesian, names come from the
database."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from comcen_desktop.storage.models import Crew, Event, Report
from services import dispatch, event_sentences, event_words
from services.event_words import Names, describe, kind_code, kind_label, subject
from tests.factories import add_reports, crew_ids

SERVICES = Path(__file__).resolve().parent.parent / "services"
AT = datetime(2026, 12, 4, 12, 30, tzinfo=UTC)  # 19:30 WIB
NAMES = Names(
    reports={7: "LP261204-00007", 8: "LP261204-00008"},
    crews={3: "Regu Koba 1"},
    crew_codes={"TAMANSARI-3": "Regu Tamansari 3", "KOBA-1": "Regu Koba 1"},
    incidents={2: "PM261204-00002"},
    users={4: "sari"},
)


def written_kinds() -> set[str]:
    """The literal kinds of every events.record call (and its wrappers) in services/."""
    calls = re.compile(r'(?:events\.record|_record|_event)\(\s*session,\s*"([a-z_]+)"')
    kinds = set()
    for path in SERVICES.rglob("*.py"):
        kinds |= set(calls.findall(path.read_text(encoding="utf-8")))
    return kinds | {"proposal_accept", "proposal_override"}  # chosen by a conditional


def test_every_written_kind_has_a_label_and_a_sentence():
    kinds = written_kinds()
    assert {"create", "assign", "incident_assign", "notice_sent", "sign_in"} <= kinds
    assert sorted(kinds - set(event_words.KIND_LABELS)) == []
    assert sorted(k for k in kinds if k not in event_sentences.SENTENCES) == []


def test_labels_and_codes():
    assert kind_label("assign") == "Ditugaskan"
    assert kind_label("sign_in") == "Masuk"
    assert kind_label("brand_new") == "brand_new"
    assert kind_code("ditugaskan") == "assign"
    assert kind_code(" correct ") == "correct"


SHOWN = {
    "reason": "shown",
    "proposals": [
        {"rank": 1, "crew": "TAMANSARI-3", "crew_name": "Regu Tamansari 3", "eta_min": 2.8},
        {"rank": 2, "crew": "KOBA-1", "crew_name": "Regu Koba 1", "eta_min": 11.4},
    ],
}
CHOSEN = {"rank": 1, "crew": "TAMANSARI-3", "eta_min": 2.8, "top_crew": "TAMANSARI-3"}
OVERRIDE = {"reason": "regu 1 mogok", "rank": 2, "crew": "KOBA-1", "eta_min": 11.4,
            "top_crew": "TAMANSARI-3", "top_eta_min": 2.8}  # fmt: skip
NOTICE = {"report_id": 7, "kind": "padam_diterima", "status": "gagal", "attempts": 2,
          "error": "gateway 503"}  # fmt: skip
INCIDENT = {"number": "PM261204-00002", "status": "aktif", "stage": "lapor", "customers": 300,
            "members": [7, 8], "version": 2}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "entity", "before", "after", "expected"),
    [
        ("proposal", "report", None, SHOWN,
         "Usulan ditampilkan: 1. Regu Tamansari 3 (tiba ±3 mnt), 2. Regu Koba 1 (tiba ±11 mnt)"),
        ("proposal_accept", "report", None, CHOSEN,
         "Usulan diterima: Regu Tamansari 3 (urutan 1, tiba ±3 mnt)"),
        ("proposal_override", "report", None, OVERRIDE,
         "Usulan diganti: Regu Koba 1 (urutan 2) dipilih, bukan Regu Tamansari 3"
         " · alasan: regu 1 mogok"),
        ("create", "report", None,
         {"stage": "lapor", "crew_id": None, "version": 1, "number": "LP261204-00008",
          "source": "123", "repeat_of_id": 7},
         "Laporan LP261204-00008 dicatat di tahap Lapor · sumber: Contact Center 123"
         " · pengaduan berulang dari LP261204-00007"),
        ("stage", "report", {"stage": "penugasan", "crew_id": 3, "version": 2},
         {"stage": "perjalanan", "crew_id": 3, "version": 3, "at": AT.isoformat()},
         "Tahap Penugasan Regu → Dalam Perjalanan, 04-12-2026 19:30 WIB"),
        ("unassign", "report", {"stage": "penugasan", "crew_id": 3, "version": 2},
         {"stage": "lapor", "crew_id": None, "reason": "salah regu", "at": AT.isoformat()},
         "Penugasan Regu Koba 1 dibatalkan, kembali ke Lapor · alasan: salah regu"),
        ("feedback", "report", {},
         {"feedback_resolved": False, "rating": 2, "comment": True,
          "reopened_as": "LP261204-00009"},
         "Pelanggan menjawab: belum selesai, dibuka ulang sebagai LP261204-00009"
         " · rating: 2 · ada komentar"),
        ("rating", "report", {"rating": None}, {"rating": 5, "rated_at": AT.isoformat()},
         "Rating pelanggan 5"),
        ("notice_failed", "notice", None, NOTICE,
         "Pemberitahuan 'Laporan diterima' ke pelanggan gagal dikirim, dicoba lagi nanti"
         " · percobaan ke-2 · galat: gateway 503"),
        ("incident_assign", "incident", INCIDENT, INCIDENT | {"crew": "Regu Koba 1"},
         "Padam meluas PM261204-00002 ditugaskan ke Regu Koba 1"),
        ("incident_confirm", "incident", None, INCIDENT,
         "Padam meluas PM261204-00002 dikonfirmasi (2 laporan, ±300 pelanggan)"),
        ("incident_leave", "incident", INCIDENT, INCIDENT | {"report": "LP261204-00008"},
         "Laporan LP261204-00008 dikeluarkan dari padam meluas PM261204-00002"),
        ("import", "report", None,
         {"file": "gangguan.xlsx", "imported": 120, "skipped": 3, "rejected": 0},
         "Impor berkas gangguan.xlsx: 120 laporan masuk · 3 dilewati"),
        ("update", "crew", {"name": "Regu Koba 1", "members": 3, "status": "siaga"},
         {"name": "Regu Koba 1", "members": 4, "status": "libur"},
         "Data regu diubah: anggota 3 → 4, status Siaga → Tidak bertugas"),
        ("setting", "setting", {"key": "notice.template.nyala", "value": "a"},
         {"key": "notice.template.nyala", "value": "b"},
         "Templat pemberitahuan 'Listrik menyala' diubah"),
        ("sign_in", "user", None, {"role": "supervisor", "how": "password"},
         "Masuk sebagai supervisor (lewat kata sandi)"),
        ("mystery", "report", {"stage": "lapor"}, {"stage": "batal", "note": "x"},
         "Perubahan data: tahap Lapor → Batal, catatan x"),
    ],
)  # fmt: skip
def test_sentences(kind, entity, before, after, expected):
    assert describe(kind, before, after, entity, NAMES) == expected


def test_no_raw_payload_leaks_into_proposal_words():
    text = describe("proposal", None, SHOWN, "report", NAMES)
    assert "{" not in text and "eta_min" not in text and "rank" not in text


def test_an_odd_payload_falls_back_to_words_not_a_crash():
    text = describe("proposal_accept", None, {"rank": 1}, "report", NAMES)
    assert text == "Usulan regu diterima: peringkat 1"


@pytest.mark.parametrize(
    ("entity", "entity_id", "after", "expected"),
    [
        ("report", 7, None, "Laporan LP261204-00007"),
        ("report", None, None, "Laporan (impor)"),
        ("incident", 2, None, "Padam meluas PM261204-00002"),
        ("crew", 3, None, "Regu Koba 1"),
        ("crew", 5, None, "Regu #5"),
        ("notice", 11, NOTICE, "Pemberitahuan laporan LP261204-00007"),
        ("user", 4, None, "Akun sari"),
        ("system", None, None, "Sistem"),
    ],
)
def test_subjects(entity, entity_id, after, expected):
    assert subject(entity, entity_id, after, NAMES) == expected


def test_names_come_from_the_database(database):
    (report_id,) = add_reports(database, 1)
    crew_id = crew_ids(database)[0]
    assert dispatch.assign_now(database, [report_id], crew_id, "budi").ok
    with database.read() as session:
        rows = list(session.scalars(select(Event).where(Event.entity_id == report_id)))
        names = event_words.load_names(session, rows)
        crew = session.get(Crew, crew_id)
        number = session.get(Report, report_id).number
        code_names = event_words.load_names(
            session, [Event(kind="proposal_accept", entity="report", after={"crew": crew.code})]
        )
    assert names.reports[report_id] == number
    assert names.crews[crew_id] == crew.name
    assert code_names.crew_codes == {crew.code: crew.name}
    assigned = next(r for r in rows if r.kind == "assign")
    text = describe(assigned.kind, assigned.before, assigned.after, assigned.entity, names)
    assert text == f"Ditugaskan ke {crew.name}"  # no reason given: none shown


def test_a_setting_change_says_from_what_to_what():
    text = describe(
        "setting",
        {"key": "api.port", "value": 8765},
        {"key": "api.port", "value": 8799},
        entity="setting",
    )
    assert text == "Pengaturan api.port: 8765 → 8799"
