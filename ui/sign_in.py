"""Signing a console in, and fitting the window to the signed-in role.

At start the console signs in without asking when it can (services.accounts:
the first console on a database without accounts becomes admin; an OS login mapped
to an account signs in as that account). Otherwise this dialog asks for a name and
password. The signed-in user is then the actor of every event of this process.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from comcen_desktop import roles
from comcen_desktop.i18n import tr
from services import accounts, authz, db_location, events

log = logging.getLogger(__name__)

ERROR_STYLE = "color: white; background: #c0392b; padding: 2px 6px;"
WARNING_STYLE = "color: black; background: #f1c40f; padding: 2px 6px;"
# window.actions key -> the action of comcen_desktop.roles it performs. Keys another
# part of the window does not have are skipped.
ACTION_RIGHTS = {
    "assign": "dispatch.assign",
    "accept_proposal": "dispatch.assign",
    "unassign": "dispatch.unassign",
    "simulate": "simulate.run",
    "export_html": "export.run",
    "export_table": "export.run",
    "import": "import.run",
    "new_report": "report.create",
    "call_form": "report.create",
    "audit": "audit.view",
    "users": "users.manage",
}
# The settings dialog holds crews, targets and settings: open to any of them.
SETTINGS_RIGHTS = ("settings.edit", "targets.edit", "crews.edit")


class QtSignInDialog(QDialog):
    """Name and password; the refusal is shown in the dialog, which stays open."""

    def __init__(self, database, parent=None):
        super().__init__(parent)
        self.database = database
        self.signed: accounts.SignedIn | None = None
        self.setWindowTitle(tr("Masuk ke Comcen"))
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("Nama pengguna"), self.username)
        form.addRow(tr("Kata sandi"), self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Masuk"))
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def try_sign_in(self) -> bool:
        # On the GUI thread on purpose: one scrypt check (tens of ms) in a modal dialog
        # that has nothing else to show meanwhile.
        with self.database.transaction() as session:
            outcome = accounts.sign_in(session, self.username.text().strip(), self.password.text())
        if isinstance(outcome, str):
            self.message.setText(outcome)
            self.message.setStyleSheet(ERROR_STYLE)
            self.password.clear()
            return False
        self.signed = outcome
        self.accept()
        return True


def sign_in_console(database, parent=None, ask=None) -> accounts.SignedIn | None:
    """Sign this console in; None when the operator cancelled the dialog.

    ``ask`` replaces the dialog (tests): it gets the dialog and returns its result.
    """
    with database.transaction() as session:
        signed = accounts.console_sign_in(session, accounts.os_login())
    if signed is None:
        dialog = QtSignInDialog(database, parent)
        (ask or QtSignInDialog.exec)(dialog)
        signed = dialog.signed
    if signed is not None:
        events.set_actor(signed.username, signed.role)
        log.info("Signed in: %s (%s, %s)", signed.username, signed.role, signed.how)
    return signed


def apply_role(window, username: str, role: str | None) -> None:
    """Disable what the role may not do (the tooltip says who may), show who is in."""
    for key, action in getattr(window, "actions", {}).items():
        right = ACTION_RIGHTS.get(key)
        if key == "settings":
            why = (
                None if any(_may(role, r) for r in SETTINGS_RIGHTS) else _why(role, "settings.edit")
            )
        else:
            why = _why(role, right) if right else None
        action.setEnabled(why is None)
        if why:
            action.setToolTip(why)
    label = getattr(window, "user_label", None)
    if label is None:
        label = window.user_label = QLabel()
        window.statusBar().addPermanentWidget(label)
    label.setText(f"{username} · {roles.role_label(role) if role else tr('tanpa peran')}")


def _may(role: str | None, right: str) -> bool:
    return role is None or roles.allowed(role, right)


def _why(role: str | None, right: str) -> str | None:
    return None if _may(role, right) else roles.refusal(role, right)


def show_share_warning(window, url: str) -> str | None:
    """A banner in the status bar when the SQLite file lies on a network share."""
    text = db_location.warning(url)
    if text is None:
        return None
    label = QLabel(f"⚠ {tr('Database di folder jaringan')}")
    label.setStyleSheet(WARNING_STYLE)
    label.setToolTip(text)
    window.share_warning = label
    window.statusBar().addPermanentWidget(label)
    window.show_message(text, error=True)
    return text


def refusal_now(action: str) -> str | None:
    """For widgets outside the main window: why the signed-in user may not do it."""
    return authz.refusal_now(action)
