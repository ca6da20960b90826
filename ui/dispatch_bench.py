"""Dispatch benchmark figures.

Run: QT_QPA_PLATFORM=offscreen python -m ui.dispatch_bench --db sqlite:////tmp/bench.db

(a) ranking all crews for one report, median over 200 reports: from a snapshot
    (numpy only) and from a session (loading crews and settings first);
(b) drop on a crew card → stored assignment, then apply_state(load_state) → the
    redrawn pin, each part timed, median over the drops.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_ranking(database, report_ids: list[int]) -> tuple[float, float]:
    from services import proposals, queries

    with database.read() as session:
        snapshot = proposals.load_snapshot(session)
        views = queries.load_reports(session, report_ids)
        from_snapshot = []
        for view in views:
            start = time.perf_counter()
            proposals.rank_crews(snapshot, view)
            from_snapshot.append(time.perf_counter() - start)
        from_session = []
        for report_id in report_ids:
            start = time.perf_counter()
            proposals.rank_crews(session, report_id)
            from_session.append(time.perf_counter() - start)
    return _median_ms(from_snapshot), _median_ms(from_session)


def bench_drop(database, report_ids: list[int], drops: int = 20) -> dict[str, float]:
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    from maps.dnd import encode_reports
    from services import console
    from ui.main_window import QtMainWindow

    app = QApplication.instance() or QApplication([])
    window = QtMainWindow(database)
    window.resize(1920, 1080)
    window.show()
    window.apply_state(console.load_state(database))
    app.processEvents()
    crews = [c.id for c in window.state.crews if c.status != "libur"]
    store, load, pin, whole = [], [], [], []
    for index, report_id in enumerate(report_ids[:drops]):
        card = window.crew_dock.cards[crews[index % len(crews)]]
        mime = encode_reports([report_id])  # kept alive: the events do not own it
        point = QPointF(card.rect().center())
        enter = QDragEnterEvent(
            point.toPoint(),
            Qt.DropAction.MoveAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(card, enter)
        event = QDropEvent(
            point,
            Qt.DropAction.MoveAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        start = time.perf_counter()
        QApplication.sendEvent(card, event)
        stored = time.perf_counter()
        state = console.load_state(database)
        loaded = time.perf_counter()
        # The pin's own path: map layers only (the whole window is timed separately).
        window.map_view.set_reports(state.map_reports)
        window.map_view.set_crews(state.crews)
        window.map_view.viewport().repaint()
        pinned = time.perf_counter()
        window.apply_state(state)
        app.processEvents()
        done = time.perf_counter()
        store.append(stored - start)
        load.append(loaded - stored)
        pin.append(pinned - loaded)
        whole.append(done - pinned)
    window.shutdown()
    window.close()
    return {
        "drop → stored assignment": _median_ms(store),
        "load_state": _median_ms(load),
        "map pins + crews redrawn": _median_ms(pin),
        "apply_state, whole window + processEvents": _median_ms(whole),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.dispatch_bench")
    parser.add_argument("--db", required=True, help="a database to fill (it gets 200 reports)")
    args = parser.parse_args(argv)
    from services.database import open_database
    from tests import factories

    database = open_database(args.db)
    report_ids = factories.add_reports(database, 200)
    crews = len(factories.crew_ids(database))
    snap_ms, session_ms = bench_ranking(database, report_ids)
    print(f"rank {crews} crews for one report (median of {len(report_ids)}):")
    print(f"  from a snapshot: {snap_ms:.2f} ms; from a session (load + rank): {session_ms:.1f} ms")
    parts = bench_drop(database, report_ids)
    print("drop on a crew card (median of 20):")
    for name, ms in parts.items():
        print(f"  {name}: {ms:.1f} ms")
    pin_path = sum(list(parts.values())[:3])
    print(f"  drop → stored → pin redrawn: {pin_path:.1f} ms")
    database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
