"""History import (services.report_import): APKT exports and mapped tables, CSV and XLSX,
with the values Indonesian spreadsheets really hold. Files are written by the tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from comcen_desktop.storage.models import Crew, Event, Report, UlpArea
from services.database import open_database
from services.report_import import FileError, ImportCancelledError, import_file

APKT_HEADER = [
    "no_laporan", "waktu_lapor", "waktu_response", "waktu_recovery", "idpel",
    "nama_pelapor", "alamat_pelapor", "no_telp_pelapor", "media", "nama_posko",
    "penyebab", "status", "jumlah_pelanggan", "jenis_gangguan",
]  # fmt: skip


@pytest.fixture
def db(any_url):
    database = open_database(any_url)
    yield database
    database.dispose()


def write_csv(path: Path, rows: list[list], header=APKT_HEADER, sep=";", bom=True, enc="utf-8"):
    lines = [sep.join(header)] + [sep.join(str(c) for c in row) for row in rows]
    data = ("\ufeff" if bom else "") + "\n".join(lines) + "\n"
    path.write_bytes(data.encode(enc))
    return path


def apkt(number, lapor, response="", recovery="", **extra) -> list:
    row = dict.fromkeys(APKT_HEADER, "")
    row.update(no_laporan=number, waktu_lapor=lapor, waktu_response=response)
    row.update(waktu_recovery=recovery, **extra)
    return [row[c] for c in APKT_HEADER]


def run(db, path, **options):
    with db.transaction() as session:
        return import_file(session, path, actor="tester", **options)


def imported(db) -> dict[str, Report]:
    with db.read() as session:
        reports = session.scalars(select(Report).where(Report.source == "impor")).all()
        for report in reports:
            report.stage_times = {s.stage: s.at for s in report.stages}
        return {r.source_id: r for r in reports}


def ids(db) -> dict[str, int]:
    with db.read() as session:
        found = dict(session.execute(select(UlpArea.name, UlpArea.id)).all())
        found |= dict(session.execute(select(Crew.code, Crew.id)).all())
        return found


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# --- the APKT export -----------------------------------------------------------------


def messy_rows() -> list[list]:
    return [
        apkt("A-0001", "05/03/2024 10:00", "05/03/2024 10:20", "05/03/2024 10:45",
             idpel="51000123456", nama_pelapor="Budi", no_telp_pelapor="81234567890",
             media="123", nama_posko="POSKO YANTEK MENTOK", penyebab="Pohon tumbang",
             status="SELESAI"),
        apkt("A-0002", "45356,5", "45356,53125", idpel="'051000123457",
             no_telp_pelapor="+62 812-3456-7890", media="PLN Mobile", nama_posko="MENTOK-1",
             status="Dalam Pengerjaan"),
        apkt("A-0003", "06-03-2024 14.30", jumlah_pelanggan="1.234",
             jenis_gangguan="Padam Meluas", no_telp_pelapor="6281234567890", media="SMS"),
        apkt("A-0001", "05/03/2024 10:00"),
        apkt("A-0004", "05/03/2024 10:00", "05/03/2024 09:00"),
        [""] * len(APKT_HEADER),
        apkt("A-0005", "2024-03-07T08:00:00+08:00", nama_posko="Posko Entah"),
    ]  # fmt: skip


def test_apkt_csv_with_bom_semicolons_and_messy_values(db, tmp_path):
    path = write_csv(tmp_path / "apkt.csv", messy_rows())
    summary = run(db, path)

    assert (summary.read, summary.imported, summary.skipped) == (6, 4, 1)
    assert [line for line, _ in summary.rejected] == [6]
    assert "waktu_response '05/03/2024 09:00' sebelum waktu_lapor" in summary.rejected[0][1]
    reports, known = imported(db), ids(db)
    assert sorted(reports) == ["apkt:A-0001", "apkt:A-0002", "apkt:A-0003", "apkt:A-0005"]

    first = reports["apkt:A-0001"]
    assert (first.number, first.idpel, first.phone) == (
        "APKT-A-0001",
        "051000123456",
        "081234567890",
    )
    assert first.reported_at == utc(2024, 3, 5, 3, 0)  # 10:00 WIB
    assert first.stage_times == {
        "lapor": utc(2024, 3, 5, 3, 0),
        "pengerjaan": utc(2024, 3, 5, 3, 20),
        "nyala": utc(2024, 3, 5, 3, 45),
        "selesai": utc(2024, 3, 5, 3, 45),
    }
    assert (first.stage, first.cause, first.media) == ("selesai", "Pohon tumbang", "cc123")
    assert (first.ulp_id, first.crew_id, first.lat) == (known["Mentok"], None, None)
    assert first.description == "posko: POSKO YANTEK MENTOK"

    second = reports["apkt:A-0002"]  # Excel serials with a decimal comma: 12:00 and 12:45
    assert second.reported_at == utc(2024, 3, 5, 5, 0)
    assert second.stage_times == {
        "lapor": utc(2024, 3, 5, 5, 0),
        "pengerjaan": utc(2024, 3, 5, 5, 45),
    }
    assert (second.idpel, second.phone, second.media) == (
        "051000123457",
        "+6281234567890",
        "pln_mobile",
    )
    assert (second.stage, second.crew_id, second.ulp_id) == (
        "pengerjaan",
        known["MENTOK-1"],
        known["Mentok"],
    )

    third = reports["apkt:A-0003"]
    assert third.reported_at == utc(2024, 3, 6, 7, 30)
    assert (third.customers, third.category, third.stage) == (1234, "padam_meluas", "lapor")
    assert (third.phone, third.media, third.idpel, third.name) == (
        "6281234567890",
        "cc123",
        None,
        None,
    )
    assert third.description == "media: SMS"

    fifth = reports["apkt:A-0005"]  # an offset in the text wins over the source zone
    assert fifth.reported_at == utc(2024, 3, 7, 0, 0)
    assert (fifth.ulp_id, fifth.description) == (None, "posko: Posko Entah")


def test_a_second_run_adds_nothing(db, tmp_path):
    path = write_csv(tmp_path / "apkt.csv", messy_rows())
    run(db, path)
    again = run(db, path)
    assert (again.read, again.imported, again.skipped, len(again.rejected)) == (6, 0, 5, 1)
    assert len(imported(db)) == 4
    with db.read() as session:
        logged = session.scalars(select(Event).where(Event.kind == "import")).all()
    assert [e.after["imported"] for e in logged] == [4, 0]


def test_source_zone_makassar(db, tmp_path):
    path = write_csv(tmp_path / "wita.csv", [apkt("M-1", "05/03/2024 10:00")])
    run(db, path, source_tz="Asia/Makassar")
    assert imported(db)["apkt:M-1"].reported_at == utc(2024, 3, 5, 2, 0)


STATUS_CASES = [
    ("Batal", "", "", None, "batal"),
    ("BATAL", "05/03/2024 10:30", "", "terisi", None),
    ("Nyala", "05/03/2024 10:30", "", "waktu_recovery kosong", None),
    ("Selesai", "", "", None, "selesai"),
    ("Lapor", "05/03/2024 10:30", "05/03/2024 11:00", None, "nyala"),
    ("Ditugaskan", "", "", None, "penugasan"),
    ("entah", "", "", "tidak dikenal", None),
]


@pytest.mark.parametrize(("status", "response", "recovery", "reason", "stage"), STATUS_CASES)
def test_status_meets_the_times(database, tmp_path, status, response, recovery, reason, stage):
    row = apkt("S-1", "05/03/2024 10:00", response, recovery, status=status)
    summary = run(database, write_csv(tmp_path / "s.csv", [row]))
    if reason is None:
        assert summary.rejected == []
        assert imported(database)["apkt:S-1"].stage == stage
    else:
        assert len(summary.rejected) == 1 and reason in summary.rejected[0][1]
        assert imported(database) == {}


def test_cp1252_file_is_read_with_a_warning(database, tmp_path):
    row = apkt("E-1", "05/03/2024 10:00", alamat_pelapor="Jl. Kenari – Café")
    path = write_csv(tmp_path / "win.csv", [row], bom=False, enc="cp1252")
    summary = run(database, path)
    assert summary.imported == 1
    assert "cp1252" in summary.warnings[0]
    assert imported(database)["apkt:E-1"].address == "Jl. Kenari – Café"


def test_comma_separated_without_bom(database, tmp_path):
    path = write_csv(tmp_path / "c.csv", [apkt("C-1", "5/3/2024 9:05:30")], sep=",", bom=False)
    assert run(database, path).imported == 1
    assert imported(database)["apkt:C-1"].reported_at == utc(2024, 3, 5, 2, 5, 30)


# --- XLSX ----------------------------------------------------------------------------


def test_xlsx_with_a_title_block_numbers_and_dates(db, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["DETAIL GANGGUAN UP3 BANGKA"])
    sheet.append(["Periode Maret 2024"])
    sheet.append([h.upper().replace("_", " ") for h in APKT_HEADER])
    sheet.append(
        [
            "X-1",
            datetime(2024, 3, 5, 10, 0),
            datetime(2024, 3, 5, 10, 20),
            None,
            51000123456,
            "Sari",
            None,
            81234567890,
            None,
            "Koba",
            None,
            None,
            12,
            None,
        ]
    )
    sheet.append(
        [
            "X-2",
            45356.5,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "SELESAI",
            None,
            None,
        ]
    )
    sheet.append(
        [
            "X-3",
            datetime(2024, 3, 5, 10, 0),
            None,
            None,
            123,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ]
    )
    sheet.append([None] * 3)
    sheet.append(["X-4", "31/02/2024 10:00"])
    book.save(tmp_path / "apkt.xlsx")

    summary = run(db, tmp_path / "apkt.xlsx")
    assert (summary.read, summary.imported, summary.skipped) == (4, 2, 0)
    assert [line for line, _ in summary.rejected] == [6, 8]
    assert "IDPEL harus 12 digit" in summary.rejected[0][1]
    assert "tidak ada di kalender" in summary.rejected[1][1]
    reports = imported(db)
    first = reports["apkt:X-1"]
    assert (first.idpel, first.phone, first.customers) == ("051000123456", "081234567890", 12)
    assert first.reported_at == utc(2024, 3, 5, 3, 0)
    assert first.ulp_id == ids(db)["Koba"]
    assert reports["apkt:X-2"].reported_at == utc(2024, 3, 5, 5, 0)
    assert reports["apkt:X-2"].stage == "selesai"
    assert run(db, tmp_path / "apkt.xlsx").imported == 0


# --- a generic file with MAP.json ------------------------------------------------------


def test_generic_csv_with_a_mapping(db, tmp_path):
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({
        "reported_at": "Tgl Lapor", "response_at": "Jam Tiba", "recovered_at": "Jam Nyala",
        "idpel": "ID Pelanggan", "phone": "HP", "_prefix": "wa",
    }), encoding="utf-8")  # fmt: skip
    header = ["Tgl Lapor", "Jam Tiba", "Jam Nyala", "ID Pelanggan", "HP", "Catatan"]
    rows = [
        [
            "2024-03-05 10:00",
            "2024-03-05 10:10",
            "2024-03-05 10:40",
            "510001234567",
            "0812 3456",
            "",
        ],
        ["2024-03-05 11:00", "", "", "", "", "x"],
        [
            "2024-03-05 10:00",
            "2024-03-05 10:10",
            "2024-03-05 10:40",
            "510001234567",
            "0812 3456",
            "",
        ],
        ["kemarin", "", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "wa.csv", rows, header=header, sep=",", bom=False)
    summary = run(db, path, mapping_path=mapping)
    assert (summary.read, summary.imported, summary.skipped) == (4, 2, 1)
    assert summary.rejected[0][0] == 5 and "Tgl Lapor 'kemarin'" in summary.rejected[0][1]
    reports = imported(db)
    assert all(key.startswith("wa:h") for key in reports)
    first = next(r for r in reports.values() if r.idpel == "510001234567")
    assert first.stage_times["nyala"] == utc(2024, 3, 5, 3, 40)
    assert first.number.startswith("WA-h") and first.phone == "08123456"
    assert run(db, path, mapping_path=mapping).imported == 0


# --- files that cannot be imported --------------------------------------------------


def nothing_stored(db) -> bool:
    with db.read() as session:
        reports = session.scalar(select(func.count()).where(Report.source == "impor"))
        events = session.scalar(select(func.count()).where(Event.kind == "import"))
    return reports == 0 and events == 0


def test_missing_required_column_names_file_and_column(db, tmp_path):
    header = [h for h in APKT_HEADER if h != "no_laporan"]
    path = write_csv(tmp_path / "tanpa.csv", [["05/03/2024 10:00"]], header=header)
    with pytest.raises(FileError, match=r"tanpa\.csv: kolom wajib 'no_laporan' tidak ada"):
        run(db, path)
    assert nothing_stored(db)


def test_mapping_naming_a_missing_column(database, tmp_path):
    mapping = tmp_path / "map.json"
    mapping.write_text('{"reported_at": "Tgl Lapor", "response_at": "Jam Tiba"}')
    path = write_csv(tmp_path / "g.csv", [["2024-03-05 10:00"]], header=["Tgl Lapor"])
    with pytest.raises(FileError, match=r"g\.csv: kolom 'Jam Tiba' dari pemetaan map\.json"):
        run(database, path, mapping_path=mapping)
    assert nothing_stored(database)


BAD_FILES = [
    ("kosong.csv", b"", "berkas kosong"),
    ("lama.xls", b"\xd0\xcf\x11\xe0", ".xls lama"),
    ("laporan.pdf", b"%PDF-1.4", "tidak didukung"),
    ("rusak.xlsx", b"PK\x03\x04 bukan zip", "tidak bisa dibaca sebagai XLSX"),
    ("gambar.csv", b"\x89PNG\r\n\x1a\n\x00\x00IHDR\xff\xfe", "kolom wajib 'no_laporan'"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES)
def test_bad_files_give_one_clear_message(database, tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(FileError, match=message) as caught:
        run(database, tmp_path / name)
    assert name in str(caught.value)
    assert nothing_stored(database)


BAD_MAPPINGS = [
    ('{"reported_at": "A", "warna": "B"}', "medan 'warna' tidak dikenal"),
    ('{"response_at": "A"}', "medan wajib 'reported_at'"),
    ("[1, 2]", "harus objek JSON"),
    ('{"reported_at": ', "bukan JSON"),
    ('{"reported_at": "A", "_prefix": "Ada Spasi"}', "_prefix"),
]


@pytest.mark.parametrize(("text", "message"), BAD_MAPPINGS)
def test_bad_mappings(database, tmp_path, text, message):
    (tmp_path / "map.json").write_text(text)
    path = write_csv(tmp_path / "a.csv", [apkt("A", "05/03/2024 10:00")])
    with pytest.raises(FileError, match=message):
        run(database, path, mapping_path=tmp_path / "map.json")
    assert nothing_stored(database)


def test_unknown_zone(database, tmp_path):
    path = write_csv(tmp_path / "a.csv", [apkt("A", "05/03/2024 10:00")])
    with pytest.raises(FileError, match="zona waktu 'Asia/Bangka' tidak dikenal"):
        run(database, path, source_tz="Asia/Bangka")


# --- a few thousand rows -------------------------------------------------------------

BAD_KINDS = [
    (lambda n: apkt(n, "05/03/2024 10:00", "05/03/2024 09:59"), "sebelum"),
    (lambda n: apkt(n, "kemarin sore"), "bukan waktu"),
    (lambda n: apkt(n, "05/03/2024 10:00", idpel="12345"), "IDPEL"),
    (lambda n: apkt(n, "05/03/2024 10:00", status="Hilang"), "tidak dikenal"),
    (lambda n: apkt(n, ""), "kosong"),
    (lambda n: apkt(n, "05/03/2024 10:00", no_telp_pelapor="bukan nomor"), "telepon"),
    (lambda n: apkt(n, "05/03/2024 10:00", idpel="5,10001E+11"), "notasi ilmiah"),
]


def big_file(path: Path, count: int = 3000, bad_every: int = 60) -> tuple[list[int], int]:
    """``count`` rows; every ``bad_every``-th is bad, every 97th repeats the row before.
    Returns the bad rows' line numbers and the number of repeats."""
    rows, bad_lines, repeats, last_good = [], [], 0, None
    for index in range(count):
        number = f"B-{index:05d}"
        if index % bad_every == bad_every - 1:
            make, _ = BAD_KINDS[len(bad_lines) % len(BAD_KINDS)]
            rows.append(make(number))
            bad_lines.append(index + 2)  # line 1 is the header
        elif index % 97 == 96 and last_good is not None:
            rows.append(list(last_good))
            repeats += 1
        else:
            day, minute = 1 + index % 28, index % 600
            lapor = f"{day:02d}/03/2024 {8 + minute // 60:02d}:{minute % 60:02d}"
            later = f"{day:02d}/03/2024 {9 + minute // 60:02d}:{minute % 60:02d}"
            last_good = apkt(
                number,
                lapor,
                later,
                later,
                idpel=f"{5100000000 + index}",
                no_telp_pelapor=f"8{index:09d}",
                status="SELESAI",
            )
            rows.append(last_good)
    write_csv(path, rows)
    return bad_lines, repeats


def test_a_file_of_three_thousand_rows_with_bad_ones_mixed_in(db, tmp_path):
    path = tmp_path / "besar.csv"
    bad_lines, repeats = big_file(path)
    seen: list[tuple[int, int | None]] = []
    summary = run(db, path, progress=lambda done, total: seen.append((done, total)))

    assert len(bad_lines) == 50 and repeats > 20
    assert summary.read == 3000
    assert summary.imported == 3000 - 50 - repeats
    assert summary.skipped == repeats
    assert [line for line, _ in summary.rejected] == bad_lines
    for (line, reason), index in zip(summary.rejected, range(50), strict=True):
        assert BAD_KINDS[index % len(BAD_KINDS)][1] in reason, (line, reason)
    assert seen[-1] == (3000, 3000) and seen[0] == (100, 3000)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    print(
        f"\nimport of 3000 rows on {db.engine.dialect.name}: {summary.rows_per_second:.0f} rows/s"
    )

    again = run(db, path)
    assert (again.imported, again.skipped, len(again.rejected)) == (0, 3000 - 50, 50)
    with db.read() as session:
        assert (
            session.scalar(select(func.count()).where(Report.source == "impor")) == summary.imported
        )


def test_cancel_stores_nothing(database, tmp_path):
    path = tmp_path / "besar.csv"
    big_file(path, count=500)
    with pytest.raises(ImportCancelledError, match="dibatalkan"):
        run(database, path, cancelled=lambda: True)
    assert nothing_stored(database)


def test_history_the_file_left_open_stays_out_of_todays_work(db, tmp_path):
    from comcen_desktop.timeutil import WIB, utc_now
    from services import queries

    recent = (utc_now() - timedelta(hours=2)).astimezone(WIB).strftime("%d/%m/%Y %H:%M")
    rows = [
        apkt("OLD-1", "01/10/2024 08:00", idpel="521000999888", nama_posko="Koba"),
        apkt("OLD-2", "01/10/2024 09:00", "01/10/2024 09:20", "01/10/2024 10:00"),
        apkt("NEW-1", recent, idpel="521000999777", nama_posko="Koba"),
    ]
    summary = run(db, write_csv(tmp_path / "open.csv", rows))

    assert summary.imported == 3
    # Nyala without Selesai is not closed either: all three are open by the file.
    assert any("3 laporan tidak ditutup" in w for w in summary.warnings), summary.warnings
    with db.read() as session:
        live = {view.number for view in queries.load_open_reports(session)}
    stored = imported(db)
    assert stored["apkt:OLD-1"].stage == "lapor"  # kept as the file says, not invented
    assert stored["apkt:OLD-1"].number not in live
    assert stored["apkt:OLD-2"].number not in live
    assert stored["apkt:NEW-1"].number in live
