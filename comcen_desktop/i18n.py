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
    "Pratinjau cetak…": "Print preview…",
    "Ekspor HTML…": "Export HTML…",
    "Ekspor CSV/XLSX…": "Export CSV/XLSX…",
    "laporan diekspor ke": "reports exported to",
    "Sembunyikan data pelanggan (nama, telepon, IDPEL, alamat)?": (
        "Hide customer data (name, phone, IDPEL, address)?"
    ),
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
    "Kode": "Code",
    "capaian": "achievement",
    "Tidak ada laporan untuk ditugaskan.": "No report to assign.",
    "Tugaskan": "Assign",
    "Tambah regu": "Add crew",
    "Laporan": "Report",
    "Database tidak bisa dibuka:": "The database cannot be opened:",
    "Database tidak terjangkau:": "Database unreachable:",
    "Regu tidak dikenal.": "Unknown crew.",
    "Laporan {n} sudah ditutup atau tidak ada.": "Report {n} is closed or does not exist.",
    "Lepas: tugaskan {n} laporan ke regu ini": "Drop: assign {n} report(s) to this crew",
    "Cari nomor, desa, ULP, regu…": "Search number, village, ULP, crew…",
    "Ketik nama regu, posko atau ULP…": "Type a crew, posko or ULP name…",
    "Hari ini (WIB): <b>{n}</b> laporan, <b>{o}</b> terbuka": (
        "Today (WIB): <b>{n}</b> reports, <b>{o}</b> open"
    ),
    "Posisi posko bawaan adalah titik label kecamatan (placeholder); ganti dengan "
    "koordinat posko yang sebenarnya (derajat desimal, WGS84).": (
        "The bundled posko positions are district label points (placeholders); replace "
        "them with the real posko coordinates (decimal degrees, WGS84)."
    ),
    "Nilai berikut kami pilih karena data unit tidak menyebutkannya. "
    "Periksa dan ganti dengan angka unit.": (
        "We chose the values below because the unit's data does not give them. "
        "Check them and replace them with the unit's figures."
    ),
    "Regu sedang '{status}' dan tidak menerima tugas.": (
        "The crew is '{status}' and takes no jobs."
    ),
    "Laporan {n} sudah '{stage}'.": "Report {n} is already '{stage}'.",
    "Laporan {n} sudah '{stage}'; regu tidak bisa diganti lagi.": (
        "Report {n} is already '{stage}'; its crew can no longer be changed."
    ),
    "Laporan {n} sudah ditugaskan ke regu ini.": "Report {n} is already assigned to this crew.",
    # Dispatch: proposals, undo, stale crews, local API.
    "Usulan regu": "Crew proposals",
    "Terima": "Accept",
    "Terima usulan": "Accept proposal",
    "Terima usulan terpilih (Enter di tabel, atau F8)": (
        "Accept the selected proposal (Enter in the table, or F8)"
    ),
    "Pilih satu laporan untuk melihat usulan regu.": "Select one report to see crew proposals.",
    "{n}: regu sudah berangkat; usulan hanya sebelum berangkat.": (
        "{n}: the crew has set off; proposals are for before that."
    ),
    "tidak ada regu yang bisa ditugaskan": "no crew can take it",
    "Tiba (WIB)": "Arrives (WIB)",
    "Menit": "Min",
    "Jarak km": "Distance km",
    "Antrean": "Queue",
    "Shift": "Shift",
    "Sisa target": "Target left",
    "Lintas ULP: regu dari ULP lain": "Crosses a ULP line: a crew from another ULP",
    "Batalkan penugasan": "Undo assignment",
    "Tidak ada penugasan yang bisa dibatalkan": "No assignment to undo",
    "Penugasan dibatalkan": "Assignment undone",
    "Alasan:": "Reason:",
    "Dibatalkan operator": "Undone by the operator",
    "Laporan {n} belum ditugaskan.": "Report {n} is not assigned yet.",
    "Laporan {n} sudah '{stage}'; penugasan tidak bisa dibatalkan lagi.": (
        "Report {n} is already '{stage}'; its assignment can no longer be undone."
    ),
    "Database menolak perubahan: {e}": "The database refused the change: {e}",
    "Database sibuk atau tidak terjangkau; perubahan belum tersimpan, coba lagi.": (
        "The database is busy or unreachable; the change is not stored yet, try again."
    ),
    "tidak ada kabar": "no news",
    "Lepas: {n} laporan masuk antrean (ke-{k}); {job} tetap dikerjakan": (
        "Drop: {n} report(s) join the queue (#{k}); {job} stays the current job"
    ),
    "API lokal tidak jalan": "Local API not running",
    # Video wall
    "Buka layar dinding": "Open video wall",
    "layar dinding": "video wall",
    "Laporan hari ini": "Reports today",
    "Terbuka": "Open",
    "Lewat target": "Past target",
    "Pekerjaan lewat target": "Jobs past target",
    "tidak tampil": "not shown",
    "belum ada regu": "no crew yet",
    "RPT per ULP (menit)": "RPT per ULP (minutes)",
    "RCT per ULP (menit)": "RCT per ULP (minutes)",
    "menunggu data…": "waiting for data…",
    "DATABASE TIDAK TERJANGKAU": "DATABASE UNREACHABLE",
    "angka di layar dari": "figures on screen are from",
    "mencoba lagi…": "retrying…",
    "TERPUTUS": "DISCONNECTED",
    "data terakhir": "last data",
    "pembaruan terakhir": "last update",
    "Data belum diperbarui sejak": "No fresh data since",
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
