"""The audit trail: filters, words, exports, and a log the database will not let change."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from comcen_desktop.domain import Stage
from comcen_desktop.storage.models import Crew, Event, Report
from comcen_desktop.timeutil import format_wib, to_wib, utc_now
from services import audit, dispatch, events, lifecycle, proposals
from services.database import open_database
from tests.factories import add_reports, crew_ids


@pytest.fixture
def db(any_url):
    database = open_database(any_url)
    yield database
    database.dispose()


@pytest.fixture
def story(db):
    """Two reports; budi assigns the first to crew A, sari corrects its Lapor time;
    the second goes to crew B."""
    first, second = add_reports(db, 2)
    crew_a, crew_b = crew_ids(db)[:2]
    events.set_actor("budi", "operator")
    assert dispatch.assign_now(db, [first], crew_a, "budi").ok
    events.set_actor("sari", "supervisor")
    with db.transaction() as session:
        report = session.get(Report, first)
        new_at = report.reported_at - timedelta(minutes=3)
        lifecycle.correct_stage_time(session, report, Stage.LAPOR, new_at, "sari", "salah ketik")
    events.set_actor("tono", "operator")
    assert dispatch.assign_now(db, [second], crew_b, "tono").ok
    events.set_actor(None)
    with db.read() as session:
        numbers = [session.get(Report, i).number for i in (first, second)]
        names = [session.get(Crew, i).name for i in (crew_a, crew_b)]
    return db, numbers, names


def test_filter_by_report(story):
    db, (first, _), (crew_a, _) = story
    with db.read() as session:
        rows = audit.query(session, audit.AuditFilter(report=first))
    assert [r.kind for r in rows] == ["correct", "assign", "create"]
    assert {r.subject for r in rows} == {f"Laporan {first}"}
    assert rows[1].description == f"Ditugaskan ke {crew_a}"
    assert rows[0].description.startswith("Waktu Lapor dikoreksi ")
    assert rows[0].description.endswith(" WIB · alasan: salah ketik")
    assert [r.kind_label for r in rows] == ["Koreksi waktu", "Ditugaskan", "Dibuat"]
    assert rows[2].description == f"Laporan {first} dicatat di tahap Lapor"  # no source
    assert rows[0].at_wib == format_wib(rows[0].at)
    assert rows[0].before["stage"] == "lapor" and rows[0].after["reason"] == "salah ketik"


def test_filter_by_crew(story):
    db, (_, second), (_, crew_b) = story
    with db.read() as session:
        rows = audit.query(session, audit.AuditFilter(crew=crew_b))
    assert [(r.kind, r.subject) for r in rows] == [
        ("assign", f"Laporan {second}"),
        ("create", f"Laporan {second}"),
    ]


def test_filter_by_user_and_kind(story):
    db, (first, _), _ = story
    with db.read() as session:
        by_sari = audit.query(session, audit.AuditFilter(actor="sari"))
        assigns = audit.query(session, audit.AuditFilter(kind="assign"))
    assert [(r.actor, r.kind, r.subject) for r in by_sari] == [
        ("sari", "correct", f"Laporan {first}")
    ]
    assert [r.actor for r in assigns] == ["tono", "budi"]
    with db.read() as session:
        by_label = audit.query(session, audit.AuditFilter(kind="Ditugaskan"))
    assert [r.actor for r in by_label] == ["tono", "budi"]  # the label works as the code


def test_filter_by_time(story):
    db, _, _ = story
    now = utc_now()
    with db.read() as session:
        recent = audit.query(session, audit.AuditFilter(start=now - timedelta(minutes=5)))
        future = audit.query(session, audit.AuditFilter(start=now + timedelta(minutes=5)))
        total = session.scalar(select(Event.seq).order_by(Event.seq.desc()).limit(1))
        with pytest.raises(audit.AuditError, match="sesudah"):
            audit.query(session, audit.AuditFilter(start=now, end=now - timedelta(hours=1)))
    # The seed event is also recent: the template was seeded in this test session.
    assert {r.kind for r in recent} >= {"create", "assign", "correct"}
    assert len(recent) <= total
    assert future == []


def test_unknown_report_or_crew_names_the_filter(story):
    db, _, _ = story
    with db.read() as session:
        with pytest.raises(audit.AuditError, match="Filter laporan: laporan 'LP-X' tidak ada"):
            audit.query(session, audit.AuditFilter(report="LP-X"))
        with pytest.raises(audit.AuditError, match="Filter regu"):
            audit.query(session, audit.AuditFilter(crew="Regu Bulan"))


def test_csv_and_xlsx_export(story, tmp_path):
    db, (first, _), (crew_a, _) = story
    with db.read() as session:
        rows = audit.query(session, audit.AuditFilter(report=first))
    assert audit.export(rows, tmp_path / "a.csv") == 3
    with open(tmp_path / "a.csv", encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == audit.COLUMNS
    assert [row[2] for row in table[1:]] == ["sari", "budi", "tester"]
    assert table[2][4:8] == ["Ditugaskan", "assign", f"Laporan {first}", f"Ditugaskan ke {crew_a}"]
    assert '"crew": ' in table[2][9]
    assert table[1][1] == to_wib(rows[0].at).strftime("%d-%m-%Y %H:%M:%S")

    assert audit.export(rows, tmp_path / "a.xlsx") == 3
    sheet = load_workbook(tmp_path / "a.xlsx").active
    values = list(sheet.values)
    assert list(values[0]) == audit.COLUMNS
    assert values[1][4:6] == ("Koreksi waktu", "correct")
    assert values[2][7] == f"Ditugaskan ke {crew_a}"
    with pytest.raises(audit.AuditError, match=r"\.csv atau \.xlsx"):
        audit.export(rows, tmp_path / "a.txt")


def test_formula_text_is_neutralised_in_csv(tmp_path):
    row = audit.AuditRow(1, utc_now(), "=cmd()", None, "x", "system", None, "Sistem", "-1+1")
    audit.export([row], tmp_path / "f.csv")
    with open(tmp_path / "f.csv", encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[1][2] == "'=cmd()" and table[1][7] == "'-1+1"


@pytest.mark.parametrize(
    "statement",
    [
        update(Event).values(actor="orang-lain"),
        delete(Event),
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_the_log(db, statement):
    with db.read() as session:
        before = list(session.execute(select(Event.seq, Event.actor).order_by(Event.seq)))
    assert before
    with pytest.raises(DatabaseError, match="append-only"), db.transaction() as session:
        session.execute(statement)
    with db.read() as session:
        after = list(session.execute(select(Event.seq, Event.actor).order_by(Event.seq)))
    assert after == before


def test_appending_still_works(db):
    with db.transaction() as session:
        events.record(session, "probe", "system", None, actor="tester")
    with db.read() as session:
        assert session.scalar(select(Event.kind).order_by(Event.seq.desc()).limit(1)) == "probe"


@pytest.mark.postgres
def test_truncate_is_refused_on_postgresql(pg_url):
    database = open_database(pg_url)
    try:
        with pytest.raises(DatabaseError, match="append-only"), database.transaction() as session:
            session.execute(text("TRUNCATE event"))
    finally:
        database.dispose()


def test_proposal_events_read_as_words(db):
    """Real proposals, shown then overridden: names and minutes, never a raw dict."""
    (report_id,) = add_reports(db, 1)
    with db.read() as session:
        ranked = proposals.rank_crews(session, report_id, None)
        number = session.get(Report, report_id).number
    proposals.record_shown(db, report_id, ranked, "op")
    assert proposals.accept(db, report_id, ranked, ranked[1], "op").ok
    with db.read() as session:
        rows = audit.query(session, audit.AuditFilter(report=number))
    words = {r.kind: r.description for r in rows}
    first, second = ranked[0], ranked[1]
    shown = (
        f"Usulan ditampilkan: 1. {first.crew.name} (tiba ±{round(first.eta_min)} mnt), "
        f"2. {second.crew.name} (tiba ±{round(second.eta_min)} mnt), 3. "
    )
    assert words["proposal"].startswith(shown)
    assert words["proposal_override"] == (
        f"Usulan diganti: {second.crew.name} (urutan 2) dipilih, bukan {first.crew.name}"
        f" · alasan: operator memilih peringkat 2 (usulan: {first.crew.name})"
    )
    assert [r.kind_label for r in rows][:3] == ["Usulan regu diganti", "Ditugaskan", "Usulan regu"]
    assert all("{" not in r.description for r in rows)
