"""What each setting means and which values it takes: one table for the settings tab
(Pengaturan → Lainnya) and for `comcen setting`, so both refuse the same values.

A value is checked against the type of its default (comcen_desktop.settings.DEFAULTS)
and, where a wrong number would hurt the room, a range. A refused value raises
SettingValueError naming the key and why; nothing here touches the database.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from comcen_desktop.settings import DEFAULTS

# Keys not in DEFAULTS but read by the services: one per ULP (services/proposals.py).
DETOUR_PREFIX = "dispatch.detour."
TEMPLATE_PREFIX = "notice.template."
TRUE_WORDS = {"true", "ya", "y", "on", "1", "aktif"}
FALSE_WORDS = {"false", "tidak", "t", "off", "0", "mati"}
# "log", or a class of a module installed with the console ("package.module:Class").
SENDER_RE = re.compile(r"^(log|[A-Za-z_][\w.]*:[A-Za-z_]\w*)$")
MAX_TEXT_CHARS = 2000


class SettingValueError(ValueError):
    """A value refused for a setting; the message names the key and the reason."""


@dataclass(frozen=True)
class Spec:
    key: str
    description: str
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    restart: bool = False  # read once when the console (or `comcen serve`) starts

    @property
    def kind(self) -> str:
        return _kind(self.default)


def _info(description, low=None, high=None, *, choices=(), restart=False) -> dict[str, Any]:
    return {"description": description, "low": low, "high": high, "choices": choices,
            "restart": restart}  # fmt: skip


# key -> its meaning and limits; a key without an entry is checked by type only.
_INFO: dict[str, dict[str, Any]] = {
    "kpi.rpt_target_min": _info("Target RPT bawaan (menit) bila ULP tidak punya target", 1, 1440),
    "kpi.rct_target_min": _info("Target RCT bawaan (menit) bila ULP tidak punya target", 1, 1440),
    "sync.poll_ms": _info(
        "Selang konsol memeriksa perubahan dari konsol lain (milidetik)", 100, 60000
    ),
    "kpi.exclude_categories": _info("Kategori yang tidak dihitung dalam KPI gangguan"),
    "kpi.repeat_days": _info(
        "Laporan berulang: IDPEL yang sama lapor lagi dalam sekian hari", 1, 365
    ),
    "kpi.negative_rating_max": _info(
        "Penilaian pelanggan (1–5) sampai nilai ini dianggap negatif", 1, 5
    ),
    "map.closed_hours": _info(
        "Laporan selesai tetap tampak (pudar) di peta selama sekian jam", 0, 168
    ),
    "sim.live_reports_per_day": _info("Simulasi langsung: jumlah laporan per hari", 0, 100000),
    "ui.language": _info("Bahasa tampilan (id atau en)", choices=("id", "en"), restart=True),
    "dispatch.detour_default": _info(
        "Faktor belokan jalan bawaan (jarak jalan / jarak lurus)", 1.0, 5.0
    ),
    "dispatch.speed_kmh.mobil": _info("Kecepatan rata-rata regu bermobil (km/jam)", 1, 150),
    "dispatch.speed_kmh.motor": _info("Kecepatan rata-rata regu bermotor (km/jam)", 1, 150),
    "dispatch.remaining_min": _info("Sisa menit kerja regu per tahap pekerjaan", 0, 1440),
    "dispatch.auto_assign": _info("Tugaskan otomatis usulan teratas untuk laporan baru"),
    "crew.stale_minutes": _info(
        "Regu tanpa kabar posisi selama sekian menit: 'tidak ada kabar'", 1, 1440
    ),
    "api.bind": _info("Alamat API lokal (127.0.0.1 = hanya komputer ini)", restart=True),
    "api.port": _info("Port API lokal", 1024, 65535, restart=True),
    "intake.drop_folder": _info(
        "Folder berkas laporan (*.json); kosong = 'masuk' di folder data", restart=True
    ),
    "wall.layout": _info(
        "Tata letak layar dinding: tiled (semua) atau rotating (bergantian)",
        choices=("tiled", "rotating"),
    ),
    "wall.rotate_seconds": _info("Layar dinding bergantian: detik per tampilan", 3, 3600),
    "incident.radius_m": _info("Padam meluas: jarak terjauh antar laporan (meter)", 10, 50000),
    "incident.window_min": _info(
        "Padam meluas: selang waktu terjauh antar laporan (menit)", 1, 1440
    ),
    "incident.min_reports": _info(
        "Padam meluas: jumlah laporan berdekatan paling sedikit", 2, 1000
    ),
    "notice.template.padam_diterima": _info("Template pemberitahuan: laporan diterima"),
    "notice.template.regu_berangkat": _info("Template pemberitahuan: regu berangkat"),
    "notice.template.nyala": _info("Template pemberitahuan: listrik nyala"),
    "notice.template.konfirmasi_selesai": _info("Template pemberitahuan: konfirmasi selesai"),
    "notice.sender": _info("Pengirim pemberitahuan: log, atau paket.modul:Kelas", restart=True),
    "notice.retry_base_seconds": _info(
        "Pemberitahuan gagal: jeda kirim ulang pertama (detik)", 1, 86400
    ),
    "notice.retry_max_seconds": _info(
        "Pemberitahuan gagal: jeda kirim ulang terpanjang (detik)", 1, 604800
    ),
    "notice.max_attempts": _info("Pemberitahuan: percobaan kirim sebelum dinyatakan gagal", 1, 100),
    "notice.backlog_warn": _info(
        "Antrean pemberitahuan tampak kuning mulai sekian pesan", 1, 100000
    ),
}


def spec(key: str) -> Spec:
    """The spec of ``key``; SettingValueError (with close matches) when unknown."""
    if key in DEFAULTS:
        return Spec(key=key, default=DEFAULTS[key], **_INFO.get(key, _info(key)))
    if key.startswith(DETOUR_PREFIX) and len(key) > len(DETOUR_PREFIX):
        ulp = key[len(DETOUR_PREFIX) :]
        base = spec("dispatch.detour_default")
        return Spec(key, f"Faktor belokan jalan ULP {ulp}", base.default, base.low, base.high)
    raise SettingValueError(_unknown(key))


def specs() -> list[Spec]:
    """Every setting with a default, by key."""
    return [spec(key) for key in sorted(DEFAULTS)]


def close_matches(key: str) -> list[str]:
    return difflib.get_close_matches(key, sorted(DEFAULTS), n=5, cutoff=0.5)


def _unknown(key: str) -> str:
    matches = close_matches(key)
    hint = f" Mungkin: {', '.join(matches)}." if matches else " Lihat: comcen setting list."
    return f"Pengaturan '{key}' tidak dikenal.{hint}"


def parse(key: str, text: str) -> Any:
    """A typed value from text: JSON when it parses, else the text itself; then
    checked for ``key``. A text setting keeps what was typed (``8765`` stays text)."""
    item = spec(key)
    stripped = text.strip()
    try:
        value = json.loads(stripped)
    except ValueError:
        value = stripped
    if item.kind == "str" and not isinstance(value, str):
        value = stripped
    if item.kind == "list" and isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    return check(key, value)


def check(key: str, value: Any) -> Any:
    """``value`` as stored for ``key`` (an int for a float setting becomes a float);
    SettingValueError naming the key and why when it is refused."""
    item = spec(key)
    checker = _CHECKERS[item.kind]
    return checker(item, value)


def show(value: Any) -> str:
    """A value as typed in the table or on the command line (JSON, text unquoted)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _kind(default: Any) -> str:
    for kind in (bool, int, float, str, list, dict):
        if isinstance(default, kind):
            return kind.__name__
    return "str"


def _refuse(item: Spec, why: str) -> SettingValueError:
    return SettingValueError(f"Pengaturan {item.key}: {why}.")


def _check_bool(item: Spec, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise _refuse(item, f"'{show(value)}' bukan ya/tidak (true/false)")


def _number(item: Spec, value: Any, whole: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        noun = "bilangan bulat" if whole else "angka"
        raise _refuse(item, f"'{show(value)}' bukan {noun}")
    if not math.isfinite(value) or (whole and value != int(value)):
        raise _refuse(item, f"'{show(value)}' bukan {'bilangan bulat' if whole else 'angka'}")
    _in_range(item, value)
    return value


def _in_range(item: Spec, value: float) -> None:
    if item.low is not None and value < item.low:
        raise _refuse(item, f"{value:g} terlalu kecil (paling kecil {item.low:g})")
    if item.high is not None and value > item.high:
        raise _refuse(item, f"{value:g} terlalu besar (paling besar {item.high:g})")


def _check_int(item: Spec, value: Any) -> int:
    return int(_number(item, value, whole=True))


def _check_float(item: Spec, value: Any) -> float:
    return float(_number(item, value, whole=False))


def _check_str(item: Spec, value: Any) -> str:
    if not isinstance(value, str):
        raise _refuse(item, f"'{show(value)}' bukan teks")
    if len(value) > MAX_TEXT_CHARS:
        raise _refuse(item, f"lebih dari {MAX_TEXT_CHARS} karakter")
    if item.choices and value not in item.choices:
        raise _refuse(item, f"'{value}' bukan salah satu dari {', '.join(item.choices)}")
    special = _STR_RULES.get(item.key)
    if special is not None:
        special(item, value)
    if item.key.startswith(TEMPLATE_PREFIX) and not value.strip():
        raise _refuse(item, "template tidak boleh kosong")
    return value


def _check_bind(item: Spec, value: str) -> None:
    if value == "localhost":
        return
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise _refuse(item, f"'{value}' bukan alamat IP (mis. 127.0.0.1)") from None


def _check_sender(item: Spec, value: str) -> None:
    if not SENDER_RE.match(value):
        raise _refuse(item, f"'{value}' harus 'log' atau 'paket.modul:Kelas'")


_STR_RULES = {"api.bind": _check_bind, "notice.sender": _check_sender}


def _check_list(item: Spec, value: Any) -> list:
    if not isinstance(value, list):
        raise _refuse(item, f"'{show(value)}' bukan daftar (mis. [\"keluhan\"])")
    kinds = {_kind(element) for element in item.default} or {"str"}
    wrong = [element for element in value if _kind(element) not in kinds]
    if wrong:
        raise _refuse(item, f"isi '{show(wrong[0])}' bukan {'/'.join(sorted(kinds))}")
    return list(value)


def _check_dict(item: Spec, value: Any) -> dict:
    if not isinstance(value, dict):
        raise _refuse(item, f"'{show(value)}' bukan objek JSON ({{\"kunci\": nilai}})")
    missing = sorted(set(item.default) - set(value))
    unknown = sorted(set(value) - set(item.default))
    if missing or unknown:
        parts = [f"kurang {', '.join(missing)}"] if missing else []
        parts += [f"tidak dikenal {', '.join(unknown)}"] if unknown else []
        raise _refuse(item, "; ".join(parts))
    checked = {}
    for name, default in item.default.items():
        inner = Spec(f"{item.key}.{name}", item.description, default, item.low, item.high)
        checked[name] = _CHECKERS[inner.kind](inner, value[name])
    return checked


_CHECKERS = {
    "bool": _check_bool,
    "int": _check_int,
    "float": _check_float,
    "str": _check_str,
    "list": _check_list,
    "dict": _check_dict,
}


PORT_TAKEN = (
    "port {port} di {bind} sudah dipakai program lain. Ganti port di Pengaturan → "
    "Lainnya → api.port (atau: comcen setting set api.port {other})."
)
PORT_FORBIDDEN = (
    "port {port} di {bind} tidak boleh dipakai (izin). Pilih port 1024 ke atas di "
    "Pengaturan → Lainnya → api.port."
)
BIND_MISSING = (
    "alamat {bind} tidak ada di komputer ini. Ganti di Pengaturan → Lainnya → api.bind "
    "(mis. 127.0.0.1)."
)
# errno by platform: Linux, macOS, Windows (WSA*).
_START_ERRORS = {98: PORT_TAKEN, 48: PORT_TAKEN, 10048: PORT_TAKEN, 13: PORT_FORBIDDEN,
                 10013: PORT_FORBIDDEN, 99: BIND_MISSING, 49: BIND_MISSING,
                 10049: BIND_MISSING}  # fmt: skip


def api_start_message(bind: str | None, port: int | None, exc: BaseException) -> str:
    """What the status bar says when the local API cannot start, in the operator's
    words: who holds the port and where to change it."""
    from comcen_desktop.i18n import tr

    template = _START_ERRORS.get(getattr(exc, "errno", None))
    if template is None or bind is None or port is None:
        return f"{tr('API lokal tidak jalan')}: {exc}"
    other = port + 1 if port < 65535 else 8766
    return (
        f"{tr('API lokal tidak jalan')}: {tr(template).format(port=port, bind=bind, other=other)}"
    )
