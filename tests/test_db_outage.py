"""PostgreSQL goes away for a few seconds under load and comes back.

Each test has a cluster of its own (tests/pg_cluster.private_pg), stopped with
``pg_ctl stop -m immediate`` (as a crash or a pulled cable would) and started again
on the same port. Consoles and the feed must recover by themselves: every report the
feed acknowledged is stored once, and every console has seen every one of them.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from comcen_desktop.storage.models import Report
from services import dispatch
from services.database import open_database
from tests import factories
from tests.console_probe import start_feeder, start_probe

pytestmark = pytest.mark.postgres

OUTAGE_S = 4.0


def test_consoles_and_feed_recover_after_the_server_restarts(private_pg):
    cluster, url = private_pg
    open_database(url).dispose()
    probes = [start_probe(url, seconds=180) for _ in range(3)]
    feeder = None
    try:
        for probe in probes:
            assert probe.wait_for("READY", timeout=90), probe.errors[-20:]
        feeder = start_feeder(url, "outage", 150, rate=15.0, patience=90)
        assert feeder.wait_for("ACK", 40, timeout=60), feeder.errors[-20:]

        cluster.stop()
        time.sleep(OUTAGE_S)
        cluster.start_again()

        assert feeder.finish(timeout=180) == 0, feeder.errors[-20:]
        acked = {int(w[3]): w[1] for w in feeder.words("ACK")}
        for probe in probes:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not set(acked) <= _seen(probe):
                time.sleep(0.2)
    finally:
        if feeder is not None:
            feeder.stop()
        for probe in probes:
            probe.stop()

    assert sorted(set(acked.values())) == [f"outage-{i:06d}" for i in range(150)]
    assert _stored(url) == {f"outage-{i:06d}": 1 for i in range(150)}
    waits = [line for line in feeder.errors if "Write attempt" in line or "WAIT" in line]
    assert waits, "the feed never noticed the outage"
    print(f"\nfeed: {len(acked)} acknowledged, {len(waits)} writes waited for the server")
    for probe in probes:
        assert probe.words("LOST") and probe.words("BACK"), probe.lines[-10:]
        assert set(acked) <= _seen(probe)
        seen = [int(w[1]) for w in probe.words("SEEN")]
        assert len(seen) == len(set(seen))


def _stored(url: str) -> dict[str, int]:
    database = open_database(url)
    try:
        with database.read() as session:
            rows = session.execute(
                select(Report.source_id, func.count()).where(Report.source_id.like("outage-%"))
                .group_by(Report.source_id)
            ).all()  # fmt: skip
    finally:
        database.dispose()
    return dict(rows)


def _seen(probe) -> set[int]:
    return {int(w[1]) for w in probe.words("SEEN")}


def test_window_shows_the_banner_while_the_server_is_away(qtbot, private_pg):
    from ui.main_window import QtMainWindow

    cluster, url = private_pg
    database = open_database(url)
    report_id = factories.add_reports(database, 1)[0]
    crew = factories.crew_ids(database)[0]
    win = QtMainWindow(database)
    qtbot.addWidget(win)
    try:
        win.follower.start()
        qtbot.waitUntil(lambda: report_id in win._reports, timeout=15_000)
        assert not win.connection_banner.shown

        cluster.stop()
        qtbot.waitUntil(lambda: win.connection_banner.shown, timeout=15_000)
        assert "Koneksi ke database terputus" in win.connection_banner.text()
        assert "perubahan belum tersimpan tetap di formulir" in win.connection_banner.text()
        # A save while the server is away is refused in words, not with an exception.
        refused = dispatch.assign_now(database, [report_id], crew, "op")
        assert refused.assigned == [] and len(refused.refused) == 1

        cluster.start_again()
        qtbot.waitUntil(lambda: not win.connection_banner.shown, timeout=20_000)
        later = factories.add_reports(database, 1, minutes_ago=1)[0]
        qtbot.waitUntil(lambda: later in win._reports, timeout=10_000)
        assert win._reports[report_id].stage == "lapor"  # the refused save did not land
    finally:
        win.shutdown()
        database.dispose()


def test_a_half_typed_call_form_survives_the_outage_and_saves_once(qtbot, private_pg):
    from tests.test_call_form import fill, report_count, show_active
    from ui.call_form import QtCallForm

    cluster, url = private_pg
    database = open_database(url)
    try:
        form = QtCallForm(database)
        qtbot.addWidget(form)
        show_active(qtbot, form)
        fill(qtbot, form, "512345678901", "+62 812 1111 2222")

        cluster.stop()
        assert not form.save()
        assert form.isVisible()
        assert "belum tersimpan" in form.field_error("general")  # in words, no exception
        assert form.idpel_edit.text() == "512345678901"  # nothing the operator typed lost
        assert form.phone_edit.text() == "+62 812 1111 2222"

        cluster.start_again()
        saved = False
        for _ in range(20):  # the pool notices the server is back on a new connection
            saved = form.save()
            if saved:
                break
            time.sleep(0.5)
        assert saved, form.field_error("general")
        assert report_count(database) == 1
    finally:
        database.dispose()
