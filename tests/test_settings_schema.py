"""The settings table: descriptions, type and range checks shared by the tab and CLI."""

from __future__ import annotations

import errno

import pytest

from comcen_desktop import settings_schema as schema
from comcen_desktop.settings import DEFAULTS
from comcen_desktop.settings_schema import SettingValueError


def test_every_default_has_an_indonesian_description():
    described = {item.key: item.description for item in schema.specs()}
    assert sorted(described) == sorted(DEFAULTS)
    assert [key for key, text in described.items() if text == key] == []


def test_restart_settings_are_marked():
    restart = {item.key for item in schema.specs() if item.restart}
    assert {"api.bind", "api.port", "intake.drop_folder"} <= restart
    assert "incident.radius_m" not in restart


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("api.port", "8766", 8766),
        ("incident.radius_m", "750", 750.0),
        ("incident.radius_m", "750.5", 750.5),
        ("kpi.repeat_days", "14", 14),
        ("dispatch.auto_assign", "true", True),
        ("dispatch.auto_assign", "tidak", False),
        ("api.bind", "0.0.0.0", "0.0.0.0"),
        ("intake.drop_folder", "/srv/masuk", "/srv/masuk"),
        ("intake.drop_folder", "8765", "8765"),  # a text setting keeps what was typed
        ("kpi.exclude_categories", '["keluhan", "info"]', ["keluhan", "info"]),
        ("kpi.exclude_categories", "keluhan, info", ["keluhan", "info"]),
        ("wall.layout", "rotating", "rotating"),
        ("notice.sender", "pln_sms.gateway:Sender", "pln_sms.gateway:Sender"),
        ("dispatch.detour.Koba", "1.6", 1.6),
    ],
)
def test_values_parse_to_the_defaults_type(key, text, value):
    parsed = schema.parse(key, text)
    assert parsed == value
    assert type(parsed) is type(value)


@pytest.mark.parametrize(
    ("key", "text", "why"),
    [
        ("api.port", "80", "paling kecil 1024"),
        ("api.port", "70000", "paling besar 65535"),
        ("api.port", "8765.5", "bukan bilangan bulat"),
        ("api.port", "delapan", "bukan bilangan bulat"),
        ("incident.radius_m", "-5", "paling kecil 10"),
        ("incident.window_min", "NaN", "bukan angka"),
        ("incident.min_reports", "true", "bukan bilangan bulat"),
        ("dispatch.auto_assign", "mungkin", "bukan ya/tidak"),
        ("api.bind", "server-saya", "bukan alamat IP"),
        ("wall.layout", "grid", "tiled, rotating"),
        ("notice.sender", "kirim sms", "paket.modul:Kelas"),
        ("kpi.exclude_categories", "[1, 2]", "bukan str"),
        ("dispatch.remaining_min", '{"penugasan": 30}', "kurang nyala"),
        ("dispatch.detour.Koba", "9", "paling besar 5"),
    ],
)
def test_a_bad_value_names_the_key_and_why(key, text, why):
    with pytest.raises(SettingValueError) as refused:
        schema.parse(key, text)
    assert f"Pengaturan {key}:" in str(refused.value)
    assert why in str(refused.value)


def test_a_whole_dict_is_checked_value_by_value():
    value = dict(DEFAULTS["dispatch.remaining_min"], penugasan=40)
    assert schema.check("dispatch.remaining_min", value)["penugasan"] == 40.0
    with pytest.raises(SettingValueError, match=r"dispatch\.remaining_min\.nyala"):
        schema.check("dispatch.remaining_min", dict(value, nyala=-1))


def test_an_unknown_key_lists_close_matches():
    with pytest.raises(SettingValueError) as refused:
        schema.spec("incident.radius")
    assert "'incident.radius' tidak dikenal" in str(refused.value)
    assert "incident.radius_m" in str(refused.value)
    assert schema.close_matches("api.prot")[:2] == ["api.port", "api.bind"]


def test_show_writes_what_parse_reads():
    for item in schema.specs():
        assert schema.parse(item.key, schema.show(item.default)) == item.default


def test_port_taken_message_says_where_to_change_it():
    taken = OSError(errno.EADDRINUSE, "Address already in use")
    text = schema.api_start_message("127.0.0.1", 8765, taken)
    assert text == (
        "API lokal tidak jalan: port 8765 di 127.0.0.1 sudah dipakai program lain. "
        "Ganti port di Pengaturan → Lainnya → api.port "
        "(atau: comcen setting set api.port 8766)."
    )
    other = schema.api_start_message(None, None, RuntimeError("database terkunci"))
    assert other == "API lokal tidak jalan: database terkunci"
