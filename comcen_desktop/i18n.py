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
    "Ya": "Yes",
    "Tidak": "No",
    "Lanjut": "Continue",
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
    "Koneksi ke database terputus — mencoba lagi tiap {n} detik; "
    "perubahan belum tersimpan tetap di formulir": (
        "Connection to the database lost — retrying every {n} seconds; "
        "unsaved changes stay in their forms"
    ),
    "Koneksi database": "Database connection",
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
    "{number} ({n} laporan)": "{number} ({n} reports)",
    "Lepas: {n} laporan masuk antrean (ke-{k}); {job} tetap dikerjakan": (
        "Drop: {n} report(s) join the queue (#{k}); {job} stays the current job"
    ),
    "API lokal tidak jalan": "Local API not running",
    "Folder laporan tidak dipantau": "Report drop folder not watched",
    # Video wall
    "Buka layar dinding": "Open video wall",
    "layar dinding": "video wall",
    "Laporan hari ini": "Reports today",
    "Terbuka": "Open",
    "Lewat target": "Past target",
    "Pekerjaan lewat target": "Jobs past target",
    "tidak tampil": "not shown",
    "terburuk": "worst",
    "Hari ini": "Today",
    "API lokal sekarang aktif di konsol ini": "The local API now runs on this console",
    "tidak di konsol ini": "not on this console",
    "API lokal (PLN Mobile, posisi regu) dilayani konsol ini.": (
        "The local API (PLN Mobile, crew positions) is served by this console."
    ),
    "Port dipakai program lain (mis. konsol lain di PC ini); dicoba lagi tiap 10 detik.": (
        "The port is used by another program (e.g. another console on this PC); "
        "tried again every 10 seconds."
    ),
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
    # Customer notices and feedback (ui/notice_outbox.py, notice_templates.py,
    # feedback_dialog.py)
    "Notifikasi": "Notices",
    "Notifikasi: –": "Notices: –",
    "Notifikasi: {n} antre, {m} gagal": "Notices: {n} queued, {m} failed",
    "Notifikasi: database tidak terjangkau": "Notices: database unreachable",
    "Tertua menunggu sejak {t}; {k} sedang dicoba ulang": (
        "Oldest waiting since {t}; {k} being retried"
    ),
    "Kotak keluar notifikasi": "Notice outbox",
    "Kotak keluar notifikasi…": "Notice outbox…",
    "Template notifikasi…": "Notice templates…",
    "Template notifikasi pelanggan": "Customer notice templates",
    "Umpan balik pelanggan": "Customer feedback",
    "Umpan balik pelanggan…": "Customer feedback…",
    "Nomor laporan (Selesai):": "Report number (Selesai):",
    "Laporan {n} tidak ada.": "Report {n} does not exist.",
    "Jenis": "Kind",
    "Penerima": "Recipient",
    "Percobaan": "Attempts",
    "Galat terakhir": "Last error",
    "Dibuat": "Created",
    "Semua": "All",
    "Antre": "Queued",
    "Gagal": "Failed",
    "Terkirim": "Sent",
    "Tanpa nomor": "No number",
    "Status:": "Status:",
    "Kirim ulang": "Send again",
    "Catat jawaban pelanggan…": "Record the customer's answer…",
    "Laporan diterima": "Report received",
    "Petugas menuju lokasi": "Crew on the way",
    "Listrik menyala": "Power back",
    "Konfirmasi selesai": "Closing question",
    "Kembalikan ke bawaan": "Restore the default",
    "Isian yang bisa dipakai:": "Placeholders you can use:",
    "Pratinjau (laporan contoh):": "Preview (example report):",
    "Ya, sudah selesai": "Yes, it is solved",
    "Tidak, belum selesai (buka laporan baru)": "No, not solved (open a new report)",
    "Komentar pelanggan (boleh kosong)": "Customer's comment (optional)",
    "Nilai (1–5):": "Rating (1–5):",
    "Komentar:": "Comment:",
    "tanpa nilai": "no rating",
    "Pilih jawaban: ya atau tidak.": "Choose an answer: yes or no.",
    "Umpan balik tersimpan": "Feedback saved",
    "Umpan balik tersimpan; laporan dibuka kembali sebagai {n}": (
        "Feedback saved; the job was reopened as {n}"
    ),
    # History import (ui/import_dialog.py)
    "Impor riwayat…": "Import history…",
    "Impor riwayat laporan": "Import report history",
    "kosong: ekspor APKT": "empty: APKT export",
    "Berkas (CSV/XLSX)": "File (CSV/XLSX)",
    "Pemetaan (MAP.json)": "Mapping (MAP.json)",
    "Zona waktu berkas": "File time zone",
    "Impor": "Import",
    "Hentikan": "Stop",
    "Salin hasil": "Copy result",
    "Pilih…": "Choose…",
    "Pilih berkas": "Choose file",
    "Pilih berkas yang akan diimpor dulu.": "Choose the file to import first.",
    "Mengimpor…": "Importing…",
    "Menghentikan…": "Stopping…",
    "baris dibaca": "rows read",
    "Impor gagal, tidak ada yang disimpan": "Import failed, nothing stored",
    # Call form, stage moves, time correction, history (ui/call_form.py, ui/stage_menu.py)
    "Laporan baru": "New report",
    "12 digit": "12 digits",
    "Telepon": "Phone",
    "Alamat": "Address",
    "Desa/kelurahan": "Village",
    "Media": "Channel",
    "Waktu lapor (WIB)": "Report time (WIB)",
    "Keterangan": "Description",
    "Keterangan dari penelepon": "What the caller says",
    "Ketik nama desa/kelurahan…": "Type a village name…",
    "Pilih di peta": "Pick on the map",
    "Klik titik di peta…": "Click the place on the map…",
    "Titik peta": "Map point",
    "Simpan (Ctrl+Enter)": "Save (Ctrl+Enter)",
    "Simpan tetap": "Save anyway",
    "Buka laporan itu": "Open that report",
    "IDPEL ini punya laporan terbuka": "This IDPEL has open reports",
    "Simpan tetap, buka laporan itu, atau batal?": "Save anyway, open that report, or cancel?",
    "Ada laporan terbuka untuk IDPEL ini; putuskan dulu.": (
        "This IDPEL has an open report; decide first."
    ),
    "Laporan tersimpan": "Report saved",
    "lokasi perlu ditempatkan": "location needs placing",
    "Lokasi perlu ditempatkan": "Location needs placing",
    "pengaduan berulang dari": "repeat complaint of",
    "Pindah tahap": "Move to stage",
    "Pindah tahap: pilih satu laporan": "Move to stage: select one report",
    "Pilih satu laporan dulu.": "Select one report first.",
    "Batalkan laporan": "Cancel report",
    "Alasan pembatalan (wajib)": "Reason for cancelling (required)",
    "Batal butuh alasan.": "Batal needs a reason.",
    "Kembali": "Back",
    "Laporan baru saja diubah di konsol lain.": "The report was just changed on another console.",
    "Laporan {n} baru saja diubah di konsol lain ('{stage}').": (
        "Report {n} was just changed on another console ('{stage}')."
    ),
    "Koreksi waktu…": "Correct time…",
    "Koreksi waktu tahap": "Correct a stage time",
    "Waktu tercatat": "Recorded time",
    "Hampir lewat target": "Close to target",
    "Jumlah per tahap": "Count per stage",
    "Rekap serah terima…": "Shift handover…",
    "Salin untuk grup": "Copy for the group chat",
    "Simpan PDF…": "Save PDF…",
    "Target RCT": "RCT target",
    "Target RPT": "RPT target",
    "Tren 30 hari": "30-day trend",
    "ULP dan target": "ULP and targets",
    "kode": "code",
    "menit": "minutes",
    "nama": "name",
    "Database tidak terjangkau; laporan belum tersimpan. Isian tetap di sini: "
    "simpan lagi setelah koneksi kembali.": (
        "The database cannot be reached; the report is not saved yet. What you typed "
        "stays here: save again once the connection is back."
    ),
    "dari": "of",
    "Cari nomor, desa, ULP, regu, nama, IDPEL, telepon…": (
        "Search number, village, ULP, crew, name, IDPEL, phone…"
    ),
    "Tekan Esc sekali lagi untuk membuang laporan ini.": "Press Esc again to discard this report.",
    "Pilih desa/kelurahan, atau klik 'Pilih di peta'.": (
        "Choose the village, or click 'Pilih di peta' (pick on the map)."
    ),
    "Waktu belum diubah; ketik waktu yang benar dulu.": (
        "The time is unchanged; type the correct time first."
    ),
    "Waktu baru (WIB)": "New time (WIB)",
    "Alasan": "Reason",
    "Alasan koreksi (wajib)": "Reason for the correction (required)",
    "Waktu tahap dikoreksi.": "Stage time corrected.",
    "Laporan ini belum punya tahap yang bisa dikoreksi.": "This report has no stage to correct.",
    "Tempatkan": "Place",
    "Tempatkan…": "Place…",
    "Pakai perbaikan": "Use the fix",
    "Tidak ada perbaikan yang diusulkan": "No fix proposed",
    "Titik yang dikirim": "Point sent",
    "Riwayat": "History",
    "Data laporan": "Report data",
    "Tahap & koreksi": "Stages & corrections",
    "Tahap dan koreksi": "Stages and corrections",
    "Log kejadian": "Event log",
    "Tutup": "Close",
    "Data": "Field",
    "Isi": "Value",
    "Waktu (WIB)": "Time (WIB)",
    "Oleh": "By",
    "Catatan": "Note",
    "Waktu asli": "Original time",
    "Dikoreksi oleh": "Corrected by",
    "Dikoreksi pada": "Corrected at",
    "Alasan koreksi": "Reason for correction",
    "Konsol": "Console",
    "Kejadian": "Event",
    "Perubahan": "Change",
    "Pengaduan berulang dari": "Repeat complaint of",
    "Diulang oleh": "Repeated by",
    "Dibuka ulang dari": "Reopened from",
    "Dibuka ulang sebagai": "Reopened as",
    "Laporan dibuat": "Report created",
    "Koreksi waktu": "Time correction",
    "Waktu lapor": "Report time",
    "Kecamatan": "District",
    "Lintang, bujur": "Latitude, longitude",
    "Penyebab": "Cause",
    "Pelanggan terdampak": "Customers affected",
    "Tanda lokasi": "Location flag",
    "Sudah selesai?": "Resolved?",
    "Komentar pelanggan": "Customer comment",
    "Sumber": "Source",
    # Padam meluas (services.incidents, ui/incidents_dock.py, maps/layers/incidents.py)
    "Padam meluas": "Padam meluas (wide outage)",
    "Usulan padam meluas": "Proposed padam meluas",
    "Padam meluas aktif": "Active padam meluas",
    "usulan padam meluas": "proposed padam meluas",
    "usulan": "proposal",
    "Legenda": "Legend",
    "Tahap laporan (warna)": "Report stage (colour)",
    "Selesai/Batal (abu-abu)": "Done/cancelled (grey)",
    "Umur (cincin)": "Age (ring)",
    "lewat target": "past target",
    "Posko dan regu": "Posts and crews",
    "Posko Yantek": "Yantek post",
    "usulan (putus-putus)": "proposed (dashed)",
    "dikonfirmasi": "confirmed",
    "Tidak bisa dari tahap {stage}.": "Not possible from stage {stage}.",
    "laporan": "reports",
    "Konfirmasi": "Confirm",
    "Tolak": "Dismiss",
    "Radius (m)": "Radius (m)",
    "Lapor pertama": "First report",
    "Gabung ke": "Joins",
    "Pelanggan": "Customers",
    "Mulai": "Started",
    "Konfirmasi padam meluas": "Confirm padam meluas",
    "Jumlah pelanggan padam:": "Customers without power:",
    "Padam meluas dikonfirmasi": "Padam meluas confirmed",
    "Laporan digabung ke": "Reports joined to",
    "Usulan padam meluas ditolak.": "Padam meluas proposal dismissed.",
    "Pilih usulan dulu.": "Select a proposal first.",
    "Pilih padam meluas dulu.": "Select a padam meluas first.",
    "Alasan batal:": "Reason for cancelling:",
    "Laporan {n} bagian dari padam meluas; tugaskan lewat kejadiannya.": (
        "Report {n} belongs to a padam meluas; assign it through the incident."
    ),
    "Laporan {n} bagian dari padam meluas; keluarkan dulu dari kejadiannya.": (
        "Report {n} belongs to a padam meluas; remove it from the incident first."
    ),
    # sign-in, roles, audit (ui/sign_in.py, ui/audit_view.py)
    "Masuk ke Comcen": "Sign in to Comcen",
    "Nama pengguna": "User name",
    "Kata sandi": "Password",
    "Masuk": "Sign in",
    "tanpa peran": "no role",
    "Database di folder jaringan": "Database on a network share",
    "Audit": "Audit",
    "Audit…": "Audit…",
    "Dari (WIB)": "From (WIB)",
    "Sampai (WIB)": "To (WIB)",
    "Pengguna": "User",
    "Objek": "Subject",
    "Uraian": "Description",
    "Cari": "Search",
    "mencari…": "searching…",
    "kejadian": "events",
    "dibatasi": "limited to",
    "kejadian diekspor ke": "events exported to",
    "Ekspor audit": "Export audit",
    "Pencarian audit gagal": "Audit search failed",
    "(semua jenis)": "(all kinds)",
    # Pengaturan → Lainnya (ui/settings_other.py)
    "Lainnya": "Other",
    "Bawaan": "Default",
    "Nilai": "Value",
    "perlu mulai ulang konsol": "needs a console restart",
    "Nilai ditulis seperti di `comcen setting set`: angka, true/false, teks, atau JSON "
    "untuk daftar dan objek. Pengaturan bertanda 'perlu mulai ulang konsol' berlaku "
    "setelah konsol dibuka lagi.": "Values are typed as for `comcen setting set`: a number, "
    "true/false, text, or JSON for lists and objects. Settings marked 'needs a console "
    "restart' apply once the console is opened again.",
    "port {port} di {bind} sudah dipakai program lain. Ganti port di Pengaturan → "
    "Lainnya → api.port (atau: comcen setting set api.port {other}).": "port {port} on "
    "{bind} is already used by another program. Change the port in Settings → Other → "
    "api.port (or: comcen setting set api.port {other}).",
    "port {port} di {bind} tidak boleh dipakai (izin). Pilih port 1024 ke atas di "
    "Pengaturan → Lainnya → api.port.": "port {port} on {bind} is not allowed "
    "(permission). Choose a port from 1024 up in Settings → Other → api.port.",
    "alamat {bind} tidak ada di komputer ini. Ganti di Pengaturan → Lainnya → api.bind "
    "(mis. 127.0.0.1).": "address {bind} does not exist on this computer. Change it in "
    "Settings → Other → api.bind (e.g. 127.0.0.1).",
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
