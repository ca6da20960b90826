"""Which file column holds which report field: the built-in APKT mapping, or MAP.json.

Field names (the keys of MAP.json) are the product's; columns are matched without
regard to case, spaces or punctuation ("No. Laporan" = "no_laporan").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from services.report_import.readers import FileError
from services.report_import.values import header_key

# field → the spellings APKT "detail gangguan" exports use for it (as header_key gives them).
APKT_COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("no_laporan", "nomor_laporan", "no_lap", "no_tiket", "nomor_tiket", "id_laporan"),
    "reported_at": (
        "waktu_lapor",
        "tgl_lapor",
        "tanggal_lapor",
        "waktu_laporan",
        "tgl_laporan",
        "waktu_pelaporan",
    ),
    "assigned_at": ("waktu_penugasan", "waktu_assign", "waktu_dispatch"),
    "departed_at": ("waktu_perjalanan", "waktu_berangkat"),
    "response_at": ("waktu_response", "waktu_respon", "waktu_respons", "waktu_tiba"),
    "recovered_at": ("waktu_recovery", "waktu_nyala", "waktu_pemulihan"),
    "closed_at": ("waktu_selesai", "waktu_tutup"),
    "idpel": ("idpel", "id_pelanggan", "id_pel"),
    "name": ("nama_pelapor", "nama", "nama_pelanggan"),
    "address": ("alamat_pelapor", "alamat", "alamat_pelanggan"),
    "phone": (
        "no_telp_pelapor",
        "no_telp",
        "no_telepon",
        "telepon",
        "no_hp",
        "hp",
        "no_telp_pelanggan",
    ),
    "media": ("media", "media_laporan", "sumber_laporan"),
    "posko": ("nama_posko", "posko"),
    "cause": ("penyebab", "penyebab_gangguan"),
    "status": ("status", "status_laporan"),
    "category": ("kategori", "jenis_gangguan"),
    "description": ("keterangan", "uraian", "deskripsi", "isi_laporan"),
    "customers": ("jumlah_pelanggan", "pelanggan_padam"),
}
FIELDS = tuple(APKT_COLUMNS)
APKT_REQUIRED = ("number", "reported_at")
GENERIC_REQUIRED = ("reported_at",)
APKT_PREFIX, GENERIC_PREFIX = "apkt", "impor"
MAX_MAPPING_BYTES = 64 * 1024
_PREFIX = re.compile(r"[a-z0-9_-]{1,12}")


@dataclass(frozen=True)
class Mapping:
    name: str  # "APKT" or the MAP.json file name, for messages
    prefix: str  # of report.source_id: "<prefix>:<number or row hash>"
    columns: dict[str, tuple[str, ...]]  # field → accepted header keys
    required: tuple[str, ...]
    strict: bool  # MAP.json: every column it names must exist
    shown: dict[str, str] = field(default_factory=dict)  # field → column as MAP.json wrote it

    def is_header(self, names: list[str]) -> bool:
        keys = {header_key(n) for n in names}
        wanted = self.columns if self.strict else {f: self.columns[f] for f in self.required}
        return all(keys.intersection(spellings) for spellings in wanted.values())

    def resolve(self, file_name: str, header: list[str]) -> dict[str, tuple[int, str]]:
        """field → (column index, column name as in the file); a missing required (or,
        for MAP.json, any named) column is a FileError naming the file and column."""
        index = {}
        for position, name in enumerate(header):
            index.setdefault(header_key(name), (position, name))
        found, missing = {}, []
        for name, spellings in self.columns.items():
            hit = next((index[s] for s in spellings if s in index), None)
            if hit is not None:
                found[name] = hit
            elif self.strict:
                missing.append(self.shown.get(name, spellings[0]))
            elif name in self.required:
                missing.append(spellings[0])
        if missing:
            raise FileError(self._missing_message(file_name, missing))
        return found

    def _missing_message(self, file_name: str, missing: list[str]) -> str:
        columns = ", ".join(f"'{m}'" for m in missing)
        if self.strict:
            return f"{file_name}: kolom {columns} dari pemetaan {self.name} tidak ada di berkas"
        return (
            f"{file_name}: kolom wajib {columns} tidak ada; untuk berkas selain ekspor "
            "APKT gunakan pemetaan MAP.json (--mapping)"
        )


APKT = Mapping("APKT", APKT_PREFIX, APKT_COLUMNS, APKT_REQUIRED, strict=False)


def load_mapping(path: Path) -> Mapping:
    """MAP.json: {"reported_at": "Tgl Lapor", "number": "No Tiket", ...}; the optional
    "_prefix" names the source (default "impor") so two systems' numbers never clash."""
    path = Path(path)
    data = _read_json(path)
    prefix = str(data.pop("_prefix", GENERIC_PREFIX)).strip().lower()
    if not _PREFIX.fullmatch(prefix):
        raise FileError(f"{path.name}: _prefix '{prefix}' harus 1–12 huruf kecil/angka/-/_")
    unknown = [key for key in data if key not in APKT_COLUMNS]
    if unknown:
        raise FileError(
            f"{path.name}: medan '{unknown[0]}' tidak dikenal; yang dikenal: {', '.join(FIELDS)}"
        )
    columns = {}
    for name, column in data.items():
        if not isinstance(column, str) or not header_key(column):
            raise FileError(f"{path.name}: kolom untuk '{name}' harus teks nama kolom")
        columns[name] = (header_key(column),)
    for name in GENERIC_REQUIRED:
        if name not in columns:
            raise FileError(f"{path.name}: medan wajib '{name}' tidak dipetakan")
    shown = {name: column.strip() for name, column in data.items()}
    return Mapping(path.name, prefix, columns, GENERIC_REQUIRED, strict=True, shown=shown)


def _read_json(path: Path) -> dict:
    try:
        if path.stat().st_size > MAX_MAPPING_BYTES:
            raise FileError(f"{path.name}: pemetaan lebih dari 64 KB")
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise FileError(f"{path}: berkas pemetaan tidak ditemukan") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileError(f"{path.name}: pemetaan tidak bisa dibaca ({exc})") from None
    except json.JSONDecodeError as exc:
        raise FileError(f"{path.name}: bukan JSON (baris {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise FileError(f'{path.name}: harus objek JSON {{"medan": "kolom berkas"}}')
    return data
