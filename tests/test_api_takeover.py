"""A console that finds the API port taken says so in the status bar for as long as it
lasts, and takes the feed over once the other console lets the port go."""

from __future__ import annotations

import socket

from comcen_desktop import settings


def test_the_second_console_takes_the_api_over(qtbot, database):
    from ui.main_window import QtMainWindow

    holder = socket.socket()  # the first console, holding the port
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    with database.transaction() as session:
        settings.put(session, "api.port", port)
    win = QtMainWindow(database)
    qtbot.addWidget(win)
    try:
        win._start_api()
        assert win.api_server is None
        assert "tidak di konsol ini" in win.api_label.text()
        assert win._api_retry.isActive()

        holder.close()  # the first console closes
        win._try_api()  # what the retry timer does every 10 s
        assert win.api_server is not None
        assert win.api_label.text() == f"API 127.0.0.1:{port}"
        assert not win._api_retry.isActive()
        assert "sekarang aktif" in win.message_label.text()
    finally:
        holder.close()
        win.shutdown()
