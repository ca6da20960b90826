"""The drop folder on a real folder and a real SQLite file; scans are called directly,
so no test waits on the clock."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from comcen_desktop import settings
from comcen_desktop.storage.models import Report
from comcen_desktop.timeutil import utc_now
from services import drop_folder
from services.drop_folder import DropFolder

SUNGAILIAT = (106.122213, -1.857938)


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "masuk"
    path.mkdir()
    return path


@pytest.fixture
def watcher(database, folder):
    return DropFolder(database, folder)


def report(**changes):
    base = {
        "source_id": "F-1",
        "reported_at": (utc_now() - timedelta(minutes=10)).isoformat(),
        "idpel": "521000123456",
        "lon": SUNGAILIAT[0],
        "lat": SUNGAILIAT[1],
        "category": "padam meluas",
        "customers": 120,
    }
    return base | changes


def count(database):
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(Report))


def two_scans(watcher):
    assert watcher.scan() == []  # first sight: size noted, not read
    return watcher.scan()


def test_a_list_file_is_stored_and_moved_with_its_results(database, folder, watcher):
    before = count(database)
    reports = [report(), report(source_id="F-2", idpel="12"), report(source_id="F-3", lon=0, lat=0)]
    (folder / "pagi.json").write_text(json.dumps(reports), encoding="utf-8")

    (outcome,) = two_scans(watcher)

    assert outcome.refused is None and outcome.stored == 2
    assert not (folder / "pagi.json").exists() and (folder / "diproses" / "pagi.json").exists()
    result = json.loads((folder / "diproses" / "pagi.hasil.json").read_text(encoding="utf-8"))
    assert (result["stored"], result["rejected"], result["duplicates"]) == (2, 1, 0)
    first, bad, flagged = result["reports"]
    assert first["number"].startswith("LP") and first["source_id"] == "F-1"
    assert [e["field"] for e in bad["errors"]] == ["idpel"]
    assert flagged["flag"] == "zero"
    assert count(database) == before + 2
    with database.read() as session:
        row = session.scalar(select(Report).where(Report.source_id == "F-1"))
        assert (row.source, row.category, row.customers) == ("berkas", "padam_meluas", 120)


def test_one_object_file_and_a_resent_file(database, folder, watcher):
    before = count(database)
    (folder / "a.json").write_text(json.dumps(report()), encoding="utf-8")
    two_scans(watcher)
    (folder / "a.json").write_text(json.dumps(report()), encoding="utf-8")
    (outcome,) = two_scans(watcher)

    assert outcome.stored == 0 and outcome.results[0]["duplicate"] is True
    assert count(database) == before + 1
    done = sorted(p.name for p in (folder / "diproses").iterdir())
    assert len(done) == 4 and "a.json" in done and "a.hasil.json" in done


def test_a_growing_file_waits_until_stable(database, folder, watcher):
    path = folder / "besar.json"
    path.write_text('[{"source_id": "G-1"', encoding="utf-8")
    assert watcher.scan() == []
    path.write_text(json.dumps([report(source_id="G-1")]), encoding="utf-8")
    assert watcher.scan() == []  # changed since last look: still not read
    (outcome,) = watcher.scan()
    assert outcome.stored == 1


def test_other_names_are_left_alone(folder, watcher):
    (folder / "tulis.json.tmp").write_text("{", encoding="utf-8")
    (folder / "catatan.txt").write_text("x", encoding="utf-8")
    assert two_scans(watcher) == []
    assert sorted(p.name for p in folder.iterdir()) == ["catatan.txt", "tulis.json.tmp"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"source_id": "X", ', "Bukan JSON yang sah"),
        (b'"just text"', "satu objek laporan"),
        (b"[]", "kosong"),
        (b"\xff\xfe\x00x", "UTF-8"),
    ],
)
def test_an_unreadable_file_is_refused_with_a_reason(database, folder, watcher, content, words):
    before = count(database)
    (folder / "rusak.json").write_bytes(content)
    (outcome,) = two_scans(watcher)

    assert words in outcome.refused
    reason = (folder / "ditolak" / "rusak.alasan.txt").read_text(encoding="utf-8")
    assert reason.startswith("rusak.json: ") and words in reason
    assert (folder / "ditolak" / "rusak.json").read_bytes() == content
    assert count(database) == before


def test_a_bom_is_accepted(database, folder, watcher):
    (folder / "bom.json").write_bytes("\ufeff".encode() + json.dumps(report()).encode())
    (outcome,) = two_scans(watcher)
    assert outcome.stored == 1


def test_a_database_failure_keeps_the_file_for_later(database, folder, watcher, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def broken(_work):
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    before = count(database)
    (folder / "nanti.json").write_text(json.dumps(report()), encoding="utf-8")
    monkeypatch.setattr(watcher.database, "write", broken)
    assert two_scans(watcher) == []
    assert (folder / "nanti.json").exists()
    monkeypatch.undo()
    (outcome,) = watcher.scan()
    assert outcome.stored == 1 and count(database) == before + 1


def test_the_folder_setting(database, tmp_path):
    assert drop_folder.configured_folder(database) == drop_folder.default_folder()
    with database.transaction() as session:
        settings.put(session, "intake.drop_folder", str(tmp_path / "lain"))
    assert drop_folder.configured_folder(database) == tmp_path / "lain"


def test_the_thread_starts_and_stops(database, folder):
    watcher = DropFolder(database, folder, poll_s=0.05).start()
    try:
        assert watcher._thread.is_alive() and watcher._thread.name == "comcen-drop"
    finally:
        watcher.stop()
    assert watcher._thread is None


def test_two_watchers_of_one_folder_store_each_file_once(database, tmp_path):
    folder = tmp_path / "masuk"
    folder.mkdir()
    first, second = DropFolder(database, folder), DropFolder(database, folder)
    for n in range(6):
        body = [
            {
                "reported_at": utc_now().isoformat(),
                "lon": 106.1222,
                "lat": -1.8579,
                "category": "gangguan_individu",
                "description": f"tanpa source id {n}",
            }
        ]
        (folder / f"f{n}.json").write_text(json.dumps(body), encoding="utf-8")
    for watcher in (first, second, first, second):  # the second pass of each reads
        watcher.scan()

    with database.read() as session:
        stored = session.scalar(select(func.count()).select_from(Report))
    assert stored == 6
    done = sorted(p.name for p in (folder / "diproses").glob("f?.json"))
    assert done == [f"f{n}.json" for n in range(6)]
    assert list((folder / ".diambil").iterdir()) == []


def test_a_file_left_by_a_stopped_console_is_read_again(database, tmp_path):
    folder = tmp_path / "masuk"
    (folder / ".diambil").mkdir(parents=True)
    orphan = folder / ".diambil" / "lama.json.999999999-abcd1234"  # no such process
    orphan.write_text("[]", encoding="utf-8")

    assert DropFolder(database, folder).return_orphans() == 1
    assert (folder / "lama.json").exists()
