"""The crew board: crews grouped by posko, each card a drop target for reports."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QLabel,
    QMenu,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from comcen_desktop.domain import CREW_STATUS_COLOURS, CREW_STATUS_LABELS, CrewStatus, Stage
from comcen_desktop.i18n import tr
from comcen_desktop.timeutil import format_age
from maps.dnd import decode_reports
from maps.layers.crews import crew_tooltip
from services.queries import CrewView

DropChecker = Callable[[list[int], int], str | None]

CARD_STYLE = (
    "QFrame#crewCard {{ border: 2px {line} {border}; border-radius: 6px; background: {bg}; }}"
)
STALE_BADGE = (
    "<span style='color:#5d6d7e;background:#eceff1;border:1px dashed #7f8c8d;"
    "padding:1px 4px'>&nbsp;{text}&nbsp;</span>"
)


def stale_text(crew: CrewView) -> str:
    if crew.silent_min is None:
        return tr("tidak ada kabar")
    return f"{tr('tidak ada kabar')} {format_age(crew.silent_min)}"


def drop_hint(crew: CrewView, count: int) -> str:
    """What a drop will do: a busy crew keeps its job and queues the new ones."""
    if crew.current_report:
        return tr("Lepas: {n} laporan masuk antrean (ke-{k}); {job} tetap dikerjakan").format(
            n=count, k=len(crew.queue) + 1, job=crew.current_report
        )
    return tr("Lepas: tugaskan {n} laporan ke regu ini").format(n=count)


class QtCrewCard(QFrame):
    """One crew. Dropping reports here asks the board to assign them."""

    dropped = Signal(list, int)
    refused = Signal(str)
    clicked = Signal(int)
    unassignRequested = Signal(list)  # report ids taken back from this crew

    def __init__(self, crew: CrewView, checker: DropChecker, parent=None):
        super().__init__(parent)
        self.setObjectName("crewCard")
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._checker = checker
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.job = QLabel()
        self.job.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(1)
        for label in (self.title, self.job, self.hint):
            layout.addWidget(label)
        self.update_crew(crew)

    def update_crew(self, crew: CrewView) -> None:
        self.crew = crew
        status = CrewStatus(crew.status)
        colour = CREW_STATUS_COLOURS[status]
        stale = STALE_BADGE.format(text=escape(stale_text(crew))) if crew.stale else ""
        self.title.setText(
            f"<b>{escape(crew.name)}</b> &nbsp;<span style='background:{colour};"
            f"color:white;padding:1px 4px'>&nbsp;{CREW_STATUS_LABELS[status]}&nbsp;</span>"
            + (f"<br>{stale}" if stale else "")
        )
        if crew.current_report:
            extra = f" (+{len(crew.queue) - 1} {tr('antre')})" if len(crew.queue) > 1 else ""
            self.job.setText(f"▶ {crew.current_report}{extra}")
        else:
            self.job.setText(tr("Tidak ada tugas"))
        queue = "<br>".join(escape(number) for number in crew.queue)
        self.setToolTip(crew_tooltip(crew) + (f"<br>{queue}" if queue else ""))
        self._paint_border(None)

    def _paint_border(self, verdict: str | None, active: bool = False) -> None:
        line = "solid"
        if not active:
            border, bg = "#c8ccd0", "palette(base)"
            if self.crew.stale:
                line, border, bg = "dashed", "#7f8c8d", "#f4f6f7"
        elif verdict is None:
            border, bg = "#1b998b", "#e3f6f3"
        else:
            border, bg = "#c0392b", "#fbe9e7"
        self.setStyleSheet(CARD_STYLE.format(line=line, border=border, bg=bg))

    def dragEnterEvent(self, event) -> None:
        ids = decode_reports(event.mimeData())
        if not ids:
            event.ignore()
            return
        verdict = self._checker(ids, self.crew.id)
        self._paint_border(verdict, active=True)
        self.hint.setText(f"✖ {verdict}" if verdict else drop_hint(self.crew, len(ids)))
        self.hint.show()
        # Accept even a refused drop so the release can say why instead of doing nothing.
        event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:
        self._paint_border(None)
        self.hint.hide()

    def dropEvent(self, event) -> None:
        self._paint_border(None)
        self.hint.hide()
        ids = decode_reports(event.mimeData()) or []
        verdict = self._checker(ids, self.crew.id)
        if verdict:
            self.refused.emit(verdict)
            event.ignore()
            return
        event.acceptProposedAction()
        self.dropped.emit(ids, self.crew.id)

    def mousePressEvent(self, event) -> None:
        self.clicked.emit(self.crew.id)
        super().mousePressEvent(event)

    def undoable_jobs(self) -> list[tuple[int, str]]:
        """Jobs assigned but not yet set off for: the ones an undo may take back.

        A padam meluas is left out: dispatch refuses taking back one member (it would
        split the incident); the incidents dock moves it as a whole."""
        crew = self.crew
        incidents = crew.queue_incidents or (None,) * len(crew.queue)
        jobs = zip(crew.queue_ids, crew.queue, crew.queue_stages, incidents, strict=False)
        waiting = Stage.PENUGASAN.value
        return [(i, n) for i, n, stage, inc in jobs if stage == waiting and inc is None]

    def contextMenuEvent(self, event) -> None:
        menu = QMenu(self)
        jobs = self.undoable_jobs()
        for report_id, number in jobs:
            action = menu.addAction(f"{tr('Batalkan penugasan')}: {number}")
            action.triggered.connect(lambda _=False, i=report_id: self.unassignRequested.emit([i]))
        if not jobs:
            menu.addAction(tr("Tidak ada penugasan yang bisa dibatalkan")).setEnabled(False)
        menu.exec(event.globalPos())


class QtCrewBoardDock(QDockWidget):
    reportsDroppedOnCrew = Signal(list, int)
    dropRefused = Signal(str)
    crewClicked = Signal(int)
    unassignRequested = Signal(list)

    def __init__(self, checker: DropChecker, parent=None):
        super().__init__(tr("Papan regu"), parent)
        self.setObjectName("crewDock")
        self._checker = checker
        self.cards: dict[int, QtCrewCard] = {}
        self._layout_key: tuple = ()
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(self._scroll)

    def set_crews(self, crews: list[CrewView]) -> None:
        key = tuple((c.id, c.posko_id) for c in crews)
        if key != self._layout_key:
            self._rebuild(crews)
            self._layout_key = key
            return
        for crew in crews:
            self.cards[crew.id].update_crew(crew)

    def _rebuild(self, crews: list[CrewView]) -> None:
        self.cards.clear()
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 4, 4, 4)
        posko = None
        for crew in sorted(crews, key=lambda c: (c.ulp, c.posko, c.code)):
            if crew.posko != posko:
                posko = crew.posko
                short = crew.posko.removeprefix("Posko Yantek ").removeprefix("Posko ")
                header = QLabel(
                    f"<b>{escape(short)}</b> <span style='color:gray'>· {escape(crew.ulp)}</span>"
                )
                header.setToolTip(escape(crew.posko))
                header.setWordWrap(True)
                layout.addWidget(header)
            card = QtCrewCard(crew, self._checker)
            card.dropped.connect(self.reportsDroppedOnCrew)
            card.refused.connect(self.dropRefused)
            card.clicked.connect(self.crewClicked)
            card.unassignRequested.connect(self.unassignRequested)
            self.cards[crew.id] = card
            layout.addWidget(card)
        layout.addStretch(1)
        self._scroll.setWidget(box)
