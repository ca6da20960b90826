"""The 123 call form ("Laporan baru"): what the operator types while the customer is
on the phone. Keyboard first: Enter moves to the next field, Ctrl+Enter (or Enter on
the last field) saves. Field errors appear beside their field and nothing is stored.
An earlier open report of the same IDPEL is shown before saving, and the operator
decides: save anyway, open that one, or cancel.

The checks and the storing are services.intake.receive (source "123"), the same path
as PLN Mobile and the drop folder; the village type-ahead is services.gazetteer. The
form is not modal, so the operator can click the place on the map ("Pilih di peta").
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from comcen_desktop.domain import CATEGORY_LABELS, MEDIA_LABELS, STAGE_LABELS, Media, Source, Stage
from comcen_desktop.i18n import tr
from comcen_desktop.timeutil import WIB, format_age, utc_now
from services import authz, events, intake
from services.gazetteer import Gazetteer, Match
from services.placement import Placer
from services.report_fields import check_idpel, check_phone, normalise_idpel
from ui.time_correction import qt_to_utc, wib_to_qt

log = logging.getLogger(__name__)

# Error labels of the form, one under each field; "general" under the form.
SLOTS = ("idpel", "name", "phone", "address", "place", "category", "media", "time",
         "description")  # fmt: skip
# Raw field names of services.intake whose error goes under another field's name.
ERROR_SLOTS = {"village": "place", "lat": "place", "lon": "place", "reported_at": "time"}
SAVE_KEYS = ("Ctrl+Return", "Ctrl+Enter")
ERROR_STYLE = "color: #c0392b;"
MIN_VILLAGE_TEXT = 2
DISCARD_CONFIRM_S = 4.0
UNREACHABLE = (
    "Database tidak terjangkau; laporan belum tersimpan. Isian tetap di sini: "
    "simpan lagi setelah koneksi kembali."
)


class _RefusedError(Exception):
    """Field errors from intake: rolls the transaction back (it wrote nothing anyway)."""

    def __init__(self, errors):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class QtCallForm(QDialog):
    reportSaved = Signal(int)  # the stored report's id
    openReportRequested = Signal(int)  # the operator chose the earlier open report

    def __init__(self, database, parent=None, map_view=None, gazetteer: Gazetteer | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Laporan baru"))
        self.setModal(False)
        self.database = database
        self.map_view = map_view
        self.saved_report_id: int | None = None
        self.saved_message = ""
        self.village: Match | None = None
        self.point: tuple[float, float] | None = None  # picked on the map: (lon, lat)
        self.earlier: list[tuple[int, str, str]] = []  # (id, number, "stage, age")
        self._earlier_confirmed = False
        self._time_edited = False
        self._picking = False
        self._discard_armed_at = 0.0  # monotonic time of the first Esc on a typed form
        with database.read() as session:
            self.gazetteer = gazetteer or Gazetteer(session)
            self.villages = intake.village_index(session, self.gazetteer)
            self._placer = Placer(session)
        self._codes = {vid: code for code, vid in self.villages.codes.items()}
        self._make_widgets()
        self._build_layout()
        self._connect()
        self.idpel_edit.setFocus()

    # --- widgets -----------------------------------------------------------------

    def _make_widgets(self) -> None:
        self.idpel_edit = QLineEdit(placeholderText=tr("12 digit"), maxLength=20)
        self.name_edit = QLineEdit()
        self.phone_edit = QLineEdit(placeholderText="0812… / +62812…")
        self.address_edit = QLineEdit()
        self.village_edit = QLineEdit(placeholderText=tr("Ketik nama desa/kelurahan…"))
        self.village_list = QListWidget()
        self.village_list.setMaximumHeight(120)
        self.village_list.hide()
        self.pick_button = QPushButton(tr("Pilih di peta"))
        self.pick_button.setEnabled(self.map_view is not None)
        self.category_combo = QComboBox()
        for category, label in CATEGORY_LABELS.items():
            self.category_combo.addItem(tr(label), category.value)
        self.media_combo = QComboBox()
        for media, label in MEDIA_LABELS.items():
            if media is not Media.SIMULASI:
                self.media_combo.addItem(tr(label), media.value)
        self.time_edit = QDateTimeEdit(displayFormat="dd-MM-yyyy HH:mm", calendarPopup=True)
        self.time_edit.setDateTime(wib_to_qt(utc_now()))
        self.description_edit = QLineEdit(placeholderText=tr("Keterangan dari penelepon"))
        self.save_button = QPushButton(tr("Simpan (Ctrl+Enter)"))
        self.cancel_button = QPushButton(tr("Batal"))
        self.save_anyway_button = QPushButton(tr("Simpan tetap"))
        self.open_earlier_button = QPushButton(tr("Buka laporan itu"))
        for button in (self.save_button, self.cancel_button, self.save_anyway_button,
                       self.open_earlier_button, self.pick_button):  # fmt: skip
            # Enter belongs to the fields (next field / save on the last), not to a
            # default button that would save half a form.
            button.setAutoDefault(False)
            button.setDefault(False)

    def _build_layout(self) -> None:
        self.idpel_hint = QLabel()
        self.place_label = QLabel(wordWrap=True)
        self.earlier_label = QLabel(wordWrap=True)
        self.error_labels = {slot: _error_label() for slot in (*SLOTS, "general")}
        self.slot_widgets = {
            "idpel": self.idpel_edit, "name": self.name_edit, "phone": self.phone_edit,
            "address": self.address_edit, "place": self.village_edit,
            "category": self.category_combo, "media": self.media_combo,
            "time": self.time_edit, "description": self.description_edit,
        }  # fmt: skip
        form = QFormLayout()
        rows = [
            ("IDPEL", "idpel", _row(self.idpel_edit, self.idpel_hint)),
            ("Nama", "name", self.name_edit),
            ("Telepon", "phone", self.phone_edit),
            ("Alamat", "address", self.address_edit),
            ("Desa/kelurahan", "place", _row(self.village_edit, self.pick_button)),
            ("Kategori", "category", self.category_combo),
            ("Media", "media", self.media_combo),
            ("Waktu lapor (WIB)", "time", self.time_edit),
            ("Keterangan", "description", self.description_edit),
        ]
        for label, slot, widget in rows:
            form.addRow(tr(label), widget)
            if slot == "place":
                form.addRow("", self.village_list)
                form.addRow("", self.place_label)
            form.addRow("", self.error_labels[slot])
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self._earlier_box())
        layout.addWidget(self.error_labels["general"])
        layout.addWidget(_row(self.save_button, self.cancel_button))
        self.resize(560, 520)

    def _earlier_box(self) -> QFrame:
        self.earlier_box = QFrame()
        self.earlier_box.setStyleSheet("QFrame { background: #fff3cd; }")
        box = QVBoxLayout(self.earlier_box)
        box.addWidget(self.earlier_label)
        box.addWidget(_row(self.save_anyway_button, self.open_earlier_button))
        self.earlier_box.hide()
        return self.earlier_box

    def _connect(self) -> None:
        self.idpel_edit.textChanged.connect(self._idpel_typed)
        self.idpel_edit.editingFinished.connect(self._idpel_finished)
        self.phone_edit.editingFinished.connect(self._phone_finished)
        self.village_edit.textEdited.connect(self._village_typed)
        self.village_edit.installEventFilter(self)
        self.village_list.itemActivated.connect(self._village_chosen)
        self.village_list.itemClicked.connect(self._village_chosen)
        self.pick_button.clicked.connect(self.start_map_pick)
        self.time_edit.dateTimeChanged.connect(lambda _t: setattr(self, "_time_edited", True))
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.save_anyway_button.clicked.connect(self._save_anyway)
        self.open_earlier_button.clicked.connect(self._open_earlier)
        for edit in (self.idpel_edit, self.name_edit, self.phone_edit, self.address_edit):
            edit.returnPressed.connect(self.focusNextChild)
        self.description_edit.returnPressed.connect(self.save)
        for keys in SAVE_KEYS:
            QShortcut(QKeySequence(keys), self, activated=self.save,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)  # fmt: skip

    # --- field checks as typed -----------------------------------------------------

    def set_error(self, slot: str, text: str | None) -> None:
        label = self.error_labels[slot]
        label.setText(text or "")
        label.setVisible(bool(text))

    def field_error(self, slot: str) -> str:
        label = self.error_labels[slot]
        return label.text() if not label.isHidden() else ""

    def _idpel_typed(self, text: str) -> None:
        self._earlier_confirmed = False
        digits = normalise_idpel(text)
        problem = check_idpel(text) if text.strip() else None
        if problem and digits.isdigit() and len(digits) < 12:
            # Still typing: count the digits rather than shout at a half number.
            self.set_error("idpel", None)
            self.idpel_hint.setText(f"{len(digits)}/12")
        else:
            self.idpel_hint.setText("")
            self.set_error("idpel", problem)
        self._show_earlier(self._lookup_earlier(digits) if not problem and digits else [])

    def _idpel_finished(self) -> None:
        text = self.idpel_edit.text()
        self.set_error("idpel", check_idpel(text) if text.strip() else None)

    def _phone_finished(self) -> None:
        text = self.phone_edit.text()
        self.set_error("phone", check_phone(text) if text.strip() else None)

    # --- earlier open reports of the IDPEL --------------------------------------------

    def _lookup_earlier(self, idpel: str) -> list[tuple[int, str, str]]:
        now = utc_now()
        with self.database.read() as session:
            reports = intake.open_reports_for_idpel(session, idpel)
            return [
                (r.id, r.number, f"{STAGE_LABELS[Stage(r.stage)]}, "
                 f"{format_age((now - r.reported_at).total_seconds() / 60)}")
                for r in reports
            ]  # fmt: skip

    def _show_earlier(self, earlier: list[tuple[int, str, str]]) -> None:
        self.earlier = earlier
        if earlier:
            lines = "; ".join(f"<b>{number}</b> ({about})" for _id, number, about in earlier)
            self.earlier_label.setText(
                f"{tr('IDPEL ini punya laporan terbuka')}: {lines}. "
                f"{tr('Simpan tetap, buka laporan itu, atau batal?')}"
            )
        self.earlier_box.setVisible(bool(earlier))

    def _save_anyway(self) -> None:
        self._earlier_confirmed = True
        self.save()

    def _open_earlier(self) -> None:
        if self.earlier:
            self.openReportRequested.emit(self.earlier[0][0])
        self.reject()

    # --- village type-ahead and the map pick -----------------------------------------

    def _village_typed(self, text: str) -> None:
        self.village = None
        self.village_list.clear()
        matches = self.gazetteer.search(text) if len(text.strip()) >= MIN_VILLAGE_TEXT else []
        for match in matches:
            item = QListWidgetItem(match.label)
            item.setData(Qt.ItemDataRole.UserRole, match)
            self.village_list.addItem(item)
        self.village_list.setVisible(bool(matches))
        if matches:
            self.village_list.setCurrentRow(0)
        self._show_place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.village_edit and event.type() == QEvent.Type.KeyPress:
            return self._village_key(event.key())
        return super().eventFilter(watched, event)

    def _village_key(self, key) -> bool:
        """Up/Down walk the matches, Enter takes the highlighted one."""
        listed = self.village_list.isVisible() and self.village_list.count() > 0
        row = self.village_list.currentRow()
        if listed and key == Qt.Key.Key_Down:
            self.village_list.setCurrentRow(min(row + 1, self.village_list.count() - 1))
            return True
        if listed and key == Qt.Key.Key_Up:
            self.village_list.setCurrentRow(max(row - 1, 0))
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if listed and self.village_list.currentItem() is not None:
                self._village_chosen(self.village_list.currentItem())
            self.category_combo.setFocus()
            return True
        return False

    def _village_chosen(self, item: QListWidgetItem) -> None:
        self.village = item.data(Qt.ItemDataRole.UserRole)
        self.village_edit.setText(self.village.name)
        self.village_list.hide()
        self.set_error("place", None)
        self._show_place()

    def start_map_pick(self) -> None:
        if self.map_view is None or self._picking:
            return
        self._picking = True
        self.map_view.pointPicked.connect(self.set_point)
        self.map_view.start_pick()
        self.place_label.setText(tr("Klik titik di peta…"))

    def _stop_map_pick(self) -> None:
        if self._picking:
            self._picking = False
            self.map_view.pointPicked.disconnect(self.set_point)
            self.map_view.stop_pick()

    def set_point(self, lon: float, lat: float) -> None:
        """The place from a map click; it wins over the village's point."""
        self._stop_map_pick()
        self.point = (lon, lat)
        self.set_error("place", None)
        self._show_place()
        self.raise_()
        self.activateWindow()

    def _show_place(self) -> None:
        parts = []
        if self.point is not None:
            parts.append(f"{tr('Titik peta')}: {self.point[1]:.5f}, {self.point[0]:.5f}")
        if self.village is not None:
            parts.append(self.village.label)
        self.place_label.setText(" · ".join(parts))

    # --- saving ------------------------------------------------------------------------

    def raw(self) -> dict:
        """The form as intake's raw fields (the API's names)."""
        raw = {
            "idpel": self.idpel_edit.text().strip() or None,
            "name": self.name_edit.text().strip() or None,
            "phone": self.phone_edit.text().strip() or None,
            "address": self.address_edit.text().strip() or None,
            "category": self.category_combo.currentData(),
            "media": self.media_combo.currentData(),
            "description": self.description_edit.text().strip() or None,
            "reported_at": self._reported_at(),
        }
        if self.point is not None:
            raw["lon"], raw["lat"] = self.point
        elif self.village is not None:
            raw["village"] = self._codes.get(self.village.village_id, self.village.name)
        elif self.village_edit.text().strip():
            raw["village"] = self.village_edit.text().strip()
        return raw

    def _reported_at(self) -> str | None:
        """None (now, at saving) unless the operator changed the time (typed in WIB)."""
        if not self._time_edited:
            return None
        moment: datetime = qt_to_utc(self.time_edit.dateTime())
        return moment.astimezone(WIB).isoformat()

    def keyPressEvent(self, event) -> None:
        # Esc on a form with typed data asks once more (inline: the caller is still on
        # the line, a modal question would only get in the way); a second Esc within
        # a few seconds discards.
        if event.key() == Qt.Key.Key_Escape and self._has_typed_data():
            now = time.monotonic()
            if now - self._discard_armed_at > DISCARD_CONFIRM_S:
                self._discard_armed_at = now
                self.set_error("general", tr("Tekan Esc sekali lagi untuk membuang laporan ini."))
                return
        super().keyPressEvent(event)

    def _has_typed_data(self) -> bool:
        edits = (self.idpel_edit, self.name_edit, self.phone_edit, self.address_edit)
        typed = any(edit.text().strip() for edit in edits)
        return typed or bool(self.description_edit.text().strip()) or self.point is not None

    def save(self) -> bool:
        for slot in self.error_labels:
            self.set_error(slot, None)
        if self.earlier and not self._earlier_confirmed:
            self.set_error("general", tr("Ada laporan terbuka untuk IDPEL ini; putuskan dulu."))
            self.save_anyway_button.setFocus()
            return False
        why_not = authz.refusal_now("report.create")
        if why_not:
            self.set_error("general", why_not)
            return False
        try:
            report_id, message = self._store(self.raw())
        except _RefusedError as refused:
            self._show_errors(refused.errors)
            return False
        except OperationalError:
            # The server is away or the file is busy: the form keeps everything typed.
            log.warning("Call form not saved: database unreachable", exc_info=True)
            self.set_error("general", tr(UNREACHABLE))
            return False
        except SQLAlchemyError as exc:
            log.exception("Call form not saved")
            first_line = str(getattr(exc, "orig", exc)).splitlines()[0]
            self.set_error("general", tr("Database menolak perubahan: {e}").format(e=first_line))
            return False
        self.saved_report_id, self.saved_message = report_id, message
        self.reportSaved.emit(report_id)
        self.accept()
        return True

    def _store(self, raw: dict) -> tuple[int, str]:
        with self.database.transaction() as session:
            result = intake.receive(
                session,
                self._placer,
                raw,
                source=Source.CC123.value,
                actor=events.current_actor(),
                gazetteer=self.villages,
            )
            if result.errors or result.report is None:
                raise _RefusedError(result.errors)
            message = f"{tr('Laporan tersimpan')}: {result.report.number}"
            if result.flag:
                message += f" · {tr('lokasi perlu ditempatkan')}: {result.message or result.flag}"
            if result.repeat_of is not None:
                message += f" · {tr('pengaduan berulang dari')} {result.repeat_of.number}"
            return result.report.id, message

    def _show_errors(self, errors) -> None:
        by_slot: dict[str, list[str]] = {}
        for error in errors:
            slot = ERROR_SLOTS.get(error.field, error.field)
            message = error.message
            if slot == "place" and self.point is None and not self.village_edit.text().strip():
                # Intake speaks to machines ('lat', 'lon', 'village'); say it as the form.
                message = tr("Pilih desa/kelurahan, atau klik 'Pilih di peta'.")
            by_slot.setdefault(slot if slot in SLOTS else "general", []).append(message)
        for slot, messages in by_slot.items():
            self.set_error(slot, " ".join(messages))
        first = next(iter(by_slot), None)
        widget = self.slot_widgets.get(first)
        if widget is not None:
            widget.setFocus()

    def done(self, result: int) -> None:
        self._stop_map_pick()
        super().done(result)


def _error_label() -> QLabel:
    label = QLabel(wordWrap=True)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


def _row(*widgets) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
    return box
