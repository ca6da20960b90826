"""The queue's search box finds a report by what the caller gives on the phone."""

from __future__ import annotations

from services import console
from tests import factories


def test_search_by_name_idpel_and_phone_and_the_count_says_so(qtbot, window, database):
    ids = factories.add_reports(database, 3)
    window.apply_state(console.load_state(database))
    queue = window.queue_dock
    assert queue.count_label.text().startswith("3 ")

    queue.filter_edit.setText("PELANGGAN")  # the caller's name, any case
    assert queue.proxy.rowCount() == 3

    queue.filter_edit.setText("pelanggan 510000000001")  # every word must match
    shown = [queue.proxy.index(r, 0).data() for r in range(queue.proxy.rowCount())]
    assert shown == [window._reports[ids[1]].number]
    assert queue.count_label.text().startswith("1 dari 3")

    queue.filter_edit.setText("+62 812")  # the phone was stored as 0812...
    assert queue.proxy.rowCount() == 3
    queue.filter_edit.setText("81234567890")
    assert queue.proxy.rowCount() == 3

    queue.filter_edit.setText("tidak ada yang begini")
    assert queue.proxy.rowCount() == 0
    assert queue.count_label.text().startswith("0 dari 3")

    queue.filter_edit.setText("")
    assert queue.count_label.text().startswith("3 ")
