"""Customer notices: enqueued with the change, rendered from templates, sent with retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from comcen_desktop import settings
from comcen_desktop.domain import Stage
from comcen_desktop.storage.models import Crew, Event, Notice, Posko, Report
from comcen_desktop.timeutil import format_wib, utc_now
from services import dispatch, lifecycle, notices
from services.notice_sender import (
    Backlog,
    LogSender,
    RetryPolicy,
    backlog,
    deliver_due,
    load_sender,
    resend,
)
from tests import factories


class FailingSender:
    def __init__(self, message="gateway tidak menjawab"):
        self.message = message
        self.calls = 0

    def send(self, notice) -> None:
        self.calls += 1
        raise ConnectionError(self.message)


class ListSender:
    def __init__(self):
        self.sent = []

    def send(self, notice) -> None:
        self.sent.append(notice)


def notices_of(database, report_id: int) -> dict[str, Notice]:
    with database.read() as session:
        rows = session.scalars(select(Notice).where(Notice.report_id == report_id))
        return {n.kind: n for n in rows}


def move(database, report_id: int, *stages: Stage, at=None) -> None:
    with database.transaction() as session:
        report = session.get(Report, report_id)
        for stage in stages:
            lifecycle.advance(session, report, stage, at or utc_now(), "tester")


def dispatched(database, report_id: int) -> tuple[int, str]:
    """Assign the report to the first crew; the crew's id and name."""
    crew_id = factories.crew_ids(database)[0]
    result = dispatch.assign_now(database, [report_id], crew_id, "tester")
    assert result.assigned and not result.refused
    with database.read() as session:
        return crew_id, session.get(Crew, crew_id).name


def test_a_new_report_enqueues_padam_diterima_with_the_rendered_text(database):
    [report_id] = factories.add_reports(database, 1)

    notice = notices_of(database, report_id)[notices.PADAM_DITERIMA]

    with database.read() as session:
        report = session.get(Report, report_id)
        number, reported_at = report.number, report.reported_at
    assert notice.status == notices.ANTRE
    assert notice.recipient == "081234567890"
    assert notice.attempts == 0
    assert notice.body == (
        f"PLN UP3 Bangka: Yth. Pelanggan 0, laporan gangguan Anda nomor {number} sudah "
        f"kami terima pada {format_wib(reported_at)}. Petugas kami segera "
        "menindaklanjuti. Terima kasih."
    )


def test_perjalanan_enqueues_regu_berangkat_with_an_eta(database):
    [report_id] = factories.add_reports(database, 1)
    crew_id, crew_name = dispatched(database, report_id)
    # Put the crew 10 km due north of the report (roughly; 0.09° of latitude).
    with database.transaction() as session:
        report = session.get(Report, report_id)
        crew = session.get(Crew, crew_id)
        crew.lon, crew.lat = report.lon, report.lat + 0.09
    departed = utc_now().replace(microsecond=0)
    move(database, report_id, Stage.PERJALANAN, at=departed)

    notice = notices_of(database, report_id)[notices.REGU_BERANGKAT]

    with database.read() as session:
        report = session.get(Report, report_id)
        eta = notices.crew_eta(session, report, departed)
        detour = float(settings.get(session, f"dispatch.detour.{_ulp(session, report)}", 1.4))
        speed = float(settings.get(session, "dispatch.speed_kmh.mobil"))
    # ~9.95 km straight × 1.4 detour at 35 km/h (or 40 by motorbike) ≈ 21–24 minutes.
    assert eta.minutes == pytest.approx(9950 * detour / (speed * 1000 / 60), rel=0.02)
    minutes = max(1, int(-(-eta.minutes // 1)))
    arrives = format_wib(departed + timedelta(minutes=eta.minutes), with_date=False)
    assert notice.body == (
        f"PLN UP3 Bangka: Petugas {crew_name} sedang menuju lokasi laporan "
        f"{report.number}, perkiraan tiba pukul {arrives} WIB (sekitar {minutes} menit). "
        "Mohon pastikan ada yang dapat ditemui di lokasi."
    )


def _ulp(session, report) -> str:
    from comcen_desktop.storage.models import UlpArea

    return session.get(UlpArea, report.ulp_id).name


def test_a_crew_without_position_is_timed_from_its_posko(database):
    [report_id] = factories.add_reports(database, 1)
    crew_id, _ = dispatched(database, report_id)
    with database.transaction() as session:
        crew = session.get(Crew, crew_id)
        crew.lon = crew.lat = None
        posko = session.get(Posko, crew.posko_id)
        report = session.get(Report, report_id)
        eta = notices.crew_eta(session, report, utc_now())
        from comcen_desktop import geo

        straight = geo.distance_m(posko.lon, posko.lat, report.lon, report.lat)
    assert eta.minutes is not None
    assert eta.minutes * (35.0 * 1000 / 60) / 1.4 == pytest.approx(straight, rel=0.3)


def test_nyala_and_selesai_enqueue_theirs_once(database):
    [report_id] = factories.add_reports(database, 1)
    dispatched(database, report_id)
    move(database, report_id, Stage.PERJALANAN, Stage.PENGERJAAN, Stage.NYALA_SEMENTARA)
    assert set(notices_of(database, report_id)) == {"padam_diterima", "regu_berangkat"}

    move(database, report_id, Stage.PENGERJAAN, Stage.NYALA, Stage.SELESAI)

    found = notices_of(database, report_id)
    assert set(found) == {"padam_diterima", "regu_berangkat", "nyala", "konfirmasi_selesai"}
    assert "sudah menyala kembali" in found["nyala"].body
    assert "Balas YA atau TIDAK" in found["konfirmasi_selesai"].body
    assert "1-5" in found["konfirmasi_selesai"].body


def test_an_edited_template_is_used(database):
    with database.transaction() as session:
        notices.save_template(session, "padam_diterima", "Laporan {nomor} ({idpel}) diterima.")
    [report_id] = factories.add_reports(database, 1)

    notice = notices_of(database, report_id)[notices.PADAM_DITERIMA]

    with database.read() as session:
        number = session.get(Report, report_id).number
        logged = session.scalar(select(Event).where(Event.kind == "setting"))
    assert notice.body == f"Laporan {number} (510000000000) diterima."
    assert logged.after["key"] == "notice.template.padam_diterima"


@pytest.mark.parametrize(
    ("text", "words"),
    [("", "kosong"), ("Laporan {nomer}", "{nomer} tidak dikenal"), ("Laporan {nomor", "kurung")],
)
def test_a_bad_template_is_refused_and_nothing_stored(database, text, words):
    with pytest.raises(notices.TemplateError, match=words), database.transaction() as session:
        notices.save_template(session, "nyala", text)
    with database.read() as session:
        assert (
            settings.get(session, "notice.template.nyala")
            == settings.DEFAULTS["notice.template.nyala"]
        )


def test_no_phone_number_stores_tanpa_nomor_and_it_is_never_sent(database):
    [report_id] = factories.add_reports(database, 1)
    with database.transaction() as session:
        report = session.get(Report, report_id)
        report.phone = "  "
        session.query(Notice).filter_by(report_id=report_id).delete()
        notices.on_report_created(session, report)
    sender = ListSender()

    round_ = deliver_due(database, sender)

    notice = notices_of(database, report_id)[notices.PADAM_DITERIMA]
    assert (notice.status, notice.recipient) == (notices.TANPA_NOMOR, None)
    assert sender.sent == [] and round_.sent == 0


def test_simulated_reports_get_no_notices(database):
    [report_id] = factories.add_reports(database, 1)
    with database.transaction() as session:
        report = session.get(Report, report_id)
        report.simulated = True
        assert notices.on_report_created(session, report) is None
        assert notices.on_stage(session, report, Stage.SELESAI, utc_now()) is None


def test_delivery_marks_sent_and_logs(database):
    ids = factories.add_reports(database, 3)
    sender = ListSender()
    now = utc_now()

    result = deliver_due(database, sender, now)

    assert result.sent == 3 and result.failed == 0
    assert sorted(n.report_id for n in sender.sent) == sorted(ids)
    assert all(n.attempt == 1 for n in sender.sent)
    notice = notices_of(database, ids[0])[notices.PADAM_DITERIMA]
    assert (notice.status, notice.attempts, notice.sent_at) == (notices.TERKIRIM, 1, now)
    with database.read() as session:
        assert backlog(session).waiting == 0
        sent_events = session.scalars(select(Event).where(Event.kind == "notice_sent")).all()
    assert len(sent_events) == 3
    assert "recipient" not in sent_events[0].after


def test_a_failing_sender_retries_with_backoff_then_gives_up(database):
    with database.transaction() as session:
        settings.put(session, "notice.max_attempts", 3)
    [report_id] = factories.add_reports(database, 1)
    sender = FailingSender()
    now = utc_now()

    first = deliver_due(database, sender, now)
    notice = notices_of(database, report_id)[notices.PADAM_DITERIMA]
    assert (first.failed, first.gave_up) == (1, 0)
    assert (notice.status, notice.attempts) == (notices.ANTRE, 1)
    assert notice.next_attempt_at == now + timedelta(seconds=30)
    assert notice.last_error == "gateway tidak menjawab"

    assert deliver_due(database, sender, now + timedelta(seconds=29)).failed == 0  # not due
    second = deliver_due(database, sender, now + timedelta(seconds=30))
    notice = notices_of(database, report_id)[notices.PADAM_DITERIMA]
    assert second.failed == 1
    assert notice.next_attempt_at == now + timedelta(seconds=30 + 60)

    third = deliver_due(database, sender, now + timedelta(seconds=90))
    notice = notices_of(database, report_id)[notices.PADAM_DITERIMA]
    assert third.gave_up == 1
    assert (notice.status, notice.attempts, notice.next_attempt_at) == ("gagal", 3, None)
    assert sender.calls == 3


def test_backoff_doubles_and_is_capped():
    policy = RetryPolicy(base_seconds=30, max_seconds=300, max_attempts=9)
    delays = [policy.delay(n).total_seconds() for n in range(1, 7)]
    assert delays == [30, 60, 120, 240, 300, 300]


def test_backlog_counts_waiting_failing_and_failed(database):
    ids = factories.add_reports(database, 4)
    now = utc_now()
    with database.transaction() as session:
        rows = {n.report_id: n for n in session.scalars(select(Notice))}
        rows[ids[0]].status = notices.GAGAL
        rows[ids[1]].attempts = 2
        rows[ids[1]].next_attempt_at = now + timedelta(minutes=5)
        oldest = min(rows[i].created_at for i in ids[1:])

    with database.read() as session:
        counts = backlog(session)

    assert (counts.waiting, counts.failing, counts.failed) == (3, 1, 1)
    assert counts.oldest_at == oldest


def test_a_raising_sender_never_loses_the_notice_and_resend_requeues(database):
    with database.transaction() as session:
        settings.put(session, "notice.max_attempts", 1)
    [report_id] = factories.add_reports(database, 1)

    deliver_due(database, FailingSender("boom"))
    notice = notices_of(database, report_id)[notices.PADAM_DITERIMA]
    assert (notice.status, notice.last_error) == (notices.GAGAL, "boom")

    assert resend(database, [notice.id], "tester") == 1
    sender = ListSender()
    assert deliver_due(database, sender).sent == 1
    notice = notices_of(database, report_id)[notices.PADAM_DITERIMA]
    assert notice.status == notices.TERKIRIM
    assert [n.body for n in sender.sent] == [notice.body]


def test_the_log_sender_writes_one_line(database, tmp_path):
    [report_id] = factories.add_reports(database, 1)
    path = tmp_path / "notices.log"

    assert deliver_due(database, LogSender(path)).sent == 1

    [line] = path.read_text(encoding="utf-8").splitlines()
    fields = line.split("\t")
    with database.read() as session:
        number = session.get(Report, report_id).number
    assert fields[1:4] == [number, "padam_diterima", "081234567890"]
    assert fields[4].startswith("PLN UP3 Bangka: Yth. Pelanggan 0, laporan gangguan")


def test_a_bad_sender_name_refuses_without_touching_notices(database):
    [report_id] = factories.add_reports(database, 1)
    sender = load_sender("tidak.ada.modul:Pengirim")

    result = deliver_due(database, sender)

    assert "notice.sender" in result.refused and "tidak.ada.modul" in result.refused
    notice = notices_of(database, report_id)[notices.PADAM_DITERIMA]
    assert (notice.status, notice.attempts) == (notices.ANTRE, 0)
    assert load_sender("tanpa-titik-dua").unavailable.startswith("Pengirim notifikasi")


def test_a_dotted_sender_name_is_loaded():
    sender = load_sender("tests.test_notices:ListSender")
    assert isinstance(sender, ListSender)


def test_two_rounds_at_once_send_each_notice_once(database):
    ids = factories.add_reports(database, 5)
    first, second = ListSender(), ListSender()
    now = utc_now()

    deliver_due(database, first, now)
    deliver_due(database, second, now)  # same moment: everything is claimed or sent

    assert len(first.sent) == 5 and second.sent == []
    assert sorted(n.report_id for n in first.sent) == sorted(ids)


def test_the_headless_loop_sends_to_the_log_in_the_data_folder(database, tmp_path, monkeypatch):
    import time

    from services.notice_sender import DeliveryLoop

    monkeypatch.setenv("COMCEN_HOME", str(tmp_path))
    [report_id] = factories.add_reports(database, 1)
    loop = DeliveryLoop(database, interval_s=0.2).start()
    try:
        deadline = time.monotonic() + 30  # a bound for a stuck loop, not a speed check
        while time.monotonic() < deadline:
            if notices_of(database, report_id)["padam_diterima"].status == "terkirim":
                break
            time.sleep(0.1)
    finally:
        loop.stop()

    assert notices_of(database, report_id)["padam_diterima"].status == "terkirim"
    [line] = (tmp_path / "notices.log").read_text(encoding="utf-8").splitlines()
    assert "\tpadam_diterima\t081234567890\t" in line


def test_two_consoles_share_one_outbox_on_any_database(any_url):
    from services.database import open_database

    first, second = open_database(any_url), open_database(any_url)
    try:
        ids = factories.add_reports(first, 3)
        now = utc_now()
        failing = deliver_due(first, FailingSender(), now)
        with second.read() as session:
            counts = backlog(session)
        assert failing.failed == 3
        assert (counts.waiting, counts.failing, counts.failed) == (3, 3, 0)

        a, b = ListSender(), ListSender()
        later = now + timedelta(seconds=30)
        deliver_due(first, a, later)
        deliver_due(second, b, later)

        assert sorted(n.report_id for n in a.sent + b.sent) == sorted(ids)
        assert all(n.attempt == 2 for n in a.sent + b.sent)
        with second.read() as session:
            assert backlog(session) == Backlog(0, 0, 0, None)
    finally:
        first.dispose()
        second.dispose()
