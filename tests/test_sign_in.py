"""Signing a console in (dialog offscreen) and fitting the window to the role."""

from __future__ import annotations

import pytest

from services import accounts, events
from ui import sign_in
from ui.sign_in import QtSignInDialog


def _add(database, name, role, password="rahasia-123", os_user=None):
    with database.transaction() as session:
        accounts.create_user(session, name, role, actor="admin", password=password, os_user=os_user)


@pytest.fixture
def with_accounts(database):
    _add(database, "boss", "admin", os_user="bukan-login-ini")
    _add(database, "budi", "operator")
    return database


def test_dialog_refuses_a_wrong_password_and_stays_open(qtbot, with_accounts):
    dialog = QtSignInDialog(with_accounts)
    qtbot.addWidget(dialog)
    dialog.username.setText("budi")
    dialog.password.setText("salah-salah")
    assert dialog.try_sign_in() is False
    assert dialog.message.text() == accounts.WRONG
    assert dialog.password.text() == ""
    assert dialog.signed is None
    dialog.password.setText("rahasia-123")
    assert dialog.try_sign_in() is True
    assert (dialog.signed.username, dialog.signed.role) == ("budi", "operator")
    assert dialog.result() == QtSignInDialog.DialogCode.Accepted


def test_console_asks_when_the_os_login_is_not_mapped(with_accounts):
    asked = []

    def type_in(dialog):
        asked.append(dialog)
        dialog.username.setText("budi")
        dialog.password.setText("rahasia-123")
        dialog.try_sign_in()

    signed = sign_in.sign_in_console(with_accounts, ask=type_in)
    assert len(asked) == 1
    assert (signed.username, signed.role, signed.how) == ("budi", "operator", "password")
    assert (events.current_actor(), events.current_role()) == ("budi", "operator")


def test_cancelled_sign_in_gives_nobody(with_accounts):
    assert sign_in.sign_in_console(with_accounts, ask=lambda dialog: dialog.reject()) is None
    assert events.current_role() is None


def test_first_console_becomes_admin_without_a_dialog(database):
    def never(dialog):
        raise AssertionError("no dialog on a database without accounts")

    signed = sign_in.sign_in_console(database, ask=never)
    assert (signed.username, signed.role, signed.how) == (accounts.os_login(), "admin", "bootstrap")
    assert events.current_role() == "admin"


def test_mapped_os_login_signs_in_without_a_dialog(database):
    _add(database, "sari", "supervisor", password=None, os_user=accounts.os_login())
    signed = sign_in.sign_in_console(database, ask=lambda d: pytest.fail("asked"))
    assert (signed.username, signed.role, signed.how) == ("sari", "supervisor", "os")


def test_operator_window(window):
    events.set_actor("budi", "operator")
    sign_in.apply_role(window, "budi", "operator")
    assert window.user_label.text() == "budi · operator"
    assert window.actions["assign"].isEnabled() is True
    assert window.actions["settings"].isEnabled() is False
    assert "yang boleh: admin" in window.actions["settings"].toolTip()
    assert window.actions["audit"].isEnabled() is False
    assert window.actions["simulate"].isEnabled() is False


def test_wall_window_cannot_dispatch(window):
    events.set_actor("dinding", "wall")
    sign_in.apply_role(window, "dinding", "wall")
    assert window.user_label.text() == "dinding · layar dinding"
    for key in ("assign", "unassign", "accept_proposal", "export_table", "settings"):
        assert window.actions[key].isEnabled() is False, key
    assert window.check_drop([1], 1) == (
        "Peran layar dinding tidak boleh menugaskan regu; "
        "yang boleh: operator, supervisor dan admin."
    )


def test_admin_window_has_everything(window):
    sign_in.apply_role(window, "boss", "admin")
    disabled = [key for key, action in window.actions.items() if not action.isEnabled()]
    assert disabled == []


def test_share_warning_banner(window, monkeypatch):
    monkeypatch.setattr(sign_in.db_location, "warning", lambda url: "Database di NFS.")
    assert sign_in.show_share_warning(window, "sqlite:////mnt/nfs/a.db") == "Database di NFS."
    assert window.share_warning.toolTip() == "Database di NFS."
    assert window.message_label.text() == "Database di NFS."


def test_no_banner_for_a_local_file(window):
    assert sign_in.show_share_warning(window, window.database.url) is None
    assert getattr(window, "share_warning", None) is None
