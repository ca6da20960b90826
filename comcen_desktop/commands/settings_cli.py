"""`comcen setting`: read and change the settings every console of the room shares.

    comcen setting list              every setting: key, value, default, meaning
    comcen setting get KEY
    comcen setting set KEY VALUE     VALUE as JSON when it parses, else as text

Values are checked like in Pengaturan → Lainnya (comcen_desktop.settings_schema).
Changing one needs the settings.edit right (admin) once accounts exist: the OS login
mapped to an account, or COMCEN_USER with COMCEN_PASSWORD.
"""

from __future__ import annotations

import sys
from typing import Any

NAME = "setting"
RESTART_NOTE = "berlaku setelah konsol (atau comcen serve) dijalankan ulang"


def add_parser(commands) -> None:
    parser = commands.add_parser(NAME, help="read or change the shared settings")
    actions = parser.add_subparsers(dest="setting_action", required=True)
    actions.add_parser("list", help="every setting with its value and default")
    get = actions.add_parser("get", help="one setting's value")
    get.add_argument("key", metavar="KEY")
    put = actions.add_parser("set", help="change a setting (admin)")
    put.add_argument("key", metavar="KEY")
    put.add_argument("value", metavar="VALUE", help='JSON (30, true, ["a"]) or text')


def run(args) -> int:
    from comcen_desktop.settings_schema import SettingValueError
    from services.authz import PermissionRefusedError
    from services.database import open_database

    database = open_database(args.db)
    try:
        return _run(args, database)
    except (SettingValueError, PermissionRefusedError) as exc:
        print(f"comcen: {exc}", file=sys.stderr)
        return 1
    finally:
        database.dispose()


def _run(args, database) -> int:
    from services.accounts import AccountError
    from services.notices import TemplateError

    if args.setting_action == "list":
        return _list(database)
    if args.setting_action == "get":
        return _get(database, args.key)
    try:
        return _set(database, args.key, args.value)
    except (AccountError, TemplateError) as exc:
        print(f"comcen: {exc}", file=sys.stderr)
        return 1


def _list(database) -> int:
    from comcen_desktop import settings
    from comcen_desktop.settings_schema import show, specs

    with database.read() as session:
        stored = {row.key: row.value for row in settings.all_rows(session)}
    extra = sorted(key for key in stored if key not in settings.DEFAULTS)
    for item in specs():
        value = stored.get(item.key, item.default)
        mark = "" if value == item.default else "  (diubah; bawaan " + show(item.default) + ")"
        print(f"{item.key} = {show(value)}{mark}")
        print(f"    {item.description}{'; ' + RESTART_NOTE if item.restart else ''}")
    for key in extra:
        print(f"{key} = {show(stored[key])}")
    return 0


def _get(database, key: str) -> int:
    from comcen_desktop import settings
    from comcen_desktop.settings_schema import show, spec

    spec(key)  # an unknown key is refused with close matches
    with database.read() as session:
        print(show(settings.get(session, key, spec(key).default)))
    return 0


def _set(database, key: str, text: str) -> int:
    from comcen_desktop.commands.users import sign_in_command
    from comcen_desktop.settings_schema import parse, show, spec
    from services import authz, events

    value = parse(key, text)
    sign_in_command(database)
    authz.require_current("settings.edit")
    with database.transaction() as session:
        changed = store_changes(session, {key: value}, events.current_actor())
    if not changed:
        print(f"comcen: {key} sudah {show(value)}; tidak ada yang diubah")
        return 0
    note = f" ({RESTART_NOTE})" if spec(key).restart else ""
    print(f"comcen: {key} = {show(value)}{note}")
    return 0


def store_changes(session, changes: dict[str, Any], actor: str) -> int:
    """Store checked values in the caller's transaction, one event per setting that
    really changed; returns how many changed. Used by Pengaturan → Lainnya too."""
    from comcen_desktop import settings
    from comcen_desktop.settings_schema import TEMPLATE_PREFIX, check
    from services import authz, events, notices

    authz.require_current("settings.edit")
    changed = 0
    for key, raw in changes.items():
        value = check(key, raw)
        if key.startswith(TEMPLATE_PREFIX):
            notices.check_template(key[len(TEMPLATE_PREFIX) :], value)
        before = settings.get(session, key)
        if before == value:
            continue
        settings.put(session, key, value)
        events.record(session, "setting", "setting", None, actor=actor,
                      before={"key": key, "value": before},
                      after={"key": key, "value": value})  # fmt: skip
        changed += 1
    return changed
