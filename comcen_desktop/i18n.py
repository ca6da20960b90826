"""UI language: Indonesian by default, English on request.

Source strings are the Indonesian texts operators read; the English table maps
them. Domain words (posko, regu, padam, nyala, ULP, IDPEL) stay Indonesian in
English too, as the operators say them. A missing entry falls back to Indonesian.
"""

from __future__ import annotations

import os

_language = os.environ.get("COMCEN_LANG", "id")

ENGLISH = {
    "Peta": "Map",
    "Antrean laporan": "Report queue",
    "Papan regu": "Crew board",
    "KPI hari ini": "Today's KPIs",
    "Waktu": "Time",
    "Desa": "Village",
    "Kategori": "Category",
    "Tahap": "Stage",
    "Umur": "Age",
    "Regu": "Crew",
    "Nomor": "Number",
    "Perbesar": "Zoom in",
    "Perkecil": "Zoom out",
    "Seluruh pulau": "Whole island",
    "Simulasi langsung": "Live simulation",
    "Pengaturan": "Settings",
    "Simpan peta": "Save map",
    "Keluar": "Quit",
    "Berkas": "File",
    "Tampilan": "View",
    "Bantuan": "Help",
    "Tugaskan ke…": "Assign to…",
    "Penugasan ditolak": "Assignment refused",
    "Ditugaskan": "Assigned",
    "Tidak ada tugas": "No job",
    "antre": "queued",
    "RPT rata-rata (menit)": "Mean RPT (min)",
    "RCT rata-rata (menit)": "Mean RCT (min)",
    "Target": "Target",
    "laporan terbuka": "open reports",
    "Terhubung ke": "Connected to",
    "Posko": "Posko",
    "Asumsi": "Assumptions",
    "Simpan": "Save",
    "Batal": "Cancel",
    "Nama": "Name",
    "Kendaraan": "Vehicle",
    "Anggota": "Members",
    "Status": "Status",
    "Lintang": "Latitude",
    "Bujur": "Longitude",
    "Personel": "Personnel",
    "Tersimpan": "Saved",
    "Tidak tersimpan": "Not saved",
    "Pilih regu": "Choose crew",
    "Pilih laporan dulu.": "Select a report first.",
    "Peta disimpan ke": "Map saved to",
    "Data contoh": "Sample data",
}


def set_language(code: str) -> None:
    global _language
    _language = "en" if code.lower().startswith("en") else "id"


def language() -> str:
    return _language


def tr(text: str) -> str:
    if _language == "en":
        return ENGLISH.get(text, text)
    return text
