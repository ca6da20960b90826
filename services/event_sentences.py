"""One Indonesian sentence per event kind, for services.event_words.describe.

Each entry maps a kind (or an (entity, kind) pair) to a function of the event's
before, after and the looked-up Names that returns a text or a list of parts.
"""

from __future__ import annotations

from comcen_desktop.roles import role_label
from services.event_words import (
    SIGN_IN_HOW,
    SOURCE_LABELS,
    Names,
    changes_in_words,
    labelled,
    stage_label,
    time_text,
    value_text,
)
from services.notices import KIND_LABELS as NOTICE_LABELS
from services.notices import TEMPLATE_KEY

# --- the sentences, one per kind: (before, after, names) -> text or parts --------------


def _created(b, a, n):
    if "reopened_from_id" in a:
        origin = f"dibuka ulang dari laporan {n.report(a['reopened_from_id'])}"
    else:
        origin = labelled("sumber", SOURCE_LABELS.get(a.get("source"), a.get("source")))
    repeat = a.get("repeat_of_id")
    return [
        f"Laporan {a.get('number') or ''} dicatat di tahap {stage_label(a.get('stage', 'lapor'))}",
        origin,
        f"pengaduan berulang dari {n.report(repeat)}" if repeat else "",
        labelled("tanda lokasi", a.get("placement_flag")),
    ]


def _stage(b, a, n):
    move = f"{stage_label(b.get('stage'))} → {stage_label(a.get('stage'))}"
    return [f"Tahap {move}, {time_text(a.get('at'))}", labelled("catatan", a.get("note"))]


def _assign(b, a, n):
    return [
        f"Ditugaskan ke {a['crew']}",
        labelled("sebelumnya", a.get("previous_crew")),
        labelled("alasan", a.get("reason")),
    ]


def _unassign(b, a, n):
    crew = b.get("crew") or (n.crew(b["crew_id"]) if b.get("crew_id") else "regu")
    return [f"Penugasan {crew} dibatalkan, kembali ke Lapor", labelled("alasan", a.get("reason"))]


def _correct(b, a, n):
    stage = stage_label(a.get("stage") or b.get("stage"))
    when = f"{time_text(b.get('at'))} → {time_text(a.get('at'))}"
    return [f"Waktu {stage} dikoreksi {when}", labelled("alasan", a.get("reason"))]


def _rating(b, a, n):
    was = b.get("rating")
    return f"Rating pelanggan {a['rating']}" + (f" (sebelumnya {was})" if was else "")


def _feedback(b, a, n):
    if a.get("feedback_resolved"):
        answer = "Pelanggan menjawab: sudah selesai"
    else:
        again = a.get("reopened_as")
        answer = "Pelanggan menjawab: belum selesai" + (
            f", dibuka ulang sebagai {again}" if again else ""
        )
    return [answer, labelled("rating", a.get("rating")), "ada komentar" if a.get("comment") else ""]


def _place(b, a, n):
    where = f"{a['lat']:.5f}, {a['lon']:.5f}" if a.get("lat") is not None else "–"
    return [
        f"Lokasi ditetapkan di peta: {where}",
        labelled("tanda lokasi", a.get("placement_flag")),
    ]


def _eta(minutes) -> str:
    return f"tiba ±{round(minutes)} mnt" if minutes is not None else "waktu tiba tidak diketahui"


def _proposal(b, a, n):
    shown = [
        f"{p.get('rank')}. {_crew_of(p, n)} ({_eta(p.get('eta_min'))})"
        for p in a.get("proposals") or []
    ]
    auto = " oleh dispatch otomatis" if a.get("reason") == "auto-dispatch" else ""
    return f"Usulan ditampilkan{auto}: " + (", ".join(shown) or "tidak ada regu")


def _crew_of(proposal: dict, n: Names) -> str:
    return proposal.get("crew_name") or n.crew_code(proposal.get("crew"))


def _proposal_accept(b, a, n):
    rank = a.get("rank", 1)
    return f"Usulan diterima: {n.crew_code(a['crew'])} (urutan {rank}, {_eta(a.get('eta_min'))})"


def _proposal_override(b, a, n):
    top = n.crew_code(a.get("top_crew")) if a.get("top_crew") else "urutan 1"
    return [
        f"Usulan diganti: {n.crew_code(a['crew'])} (urutan {a.get('rank')}) dipilih, bukan {top}",
        labelled("alasan", a.get("reason")),
    ]


def _import(b, a, n):
    count = a.get("imported", a.get("reports"))
    return [
        f"Impor berkas {a.get('file')}: {count} laporan masuk",
        f"{a['skipped']} dilewati" if a.get("skipped") else "",
        f"{a['rejected']} ditolak" if a.get("rejected") else "",
    ]


def _incident(verb: str):
    def words(b, a, n):
        reports = len(a.get("members") or [])
        customers = f", ±{a['customers']} pelanggan" if a.get("customers") else ""
        return f"Padam meluas {a.get('number')} {verb} ({reports} laporan{customers})"

    return words


def _incident_stage(b, a, n):
    move = f"{stage_label(b.get('stage'))} → {stage_label(a.get('stage'))}"
    return f"Padam meluas {a.get('number')}: tahap {move}, {time_text(a.get('at'))}"


def _notice(what: str):
    def words(b, a, n):
        label = NOTICE_LABELS.get(a.get("kind"), a.get("kind"))
        attempts = f"percobaan ke-{a['attempts']}" if a.get("attempts") else ""
        return [
            f"Pemberitahuan '{label}' ke pelanggan {what}",
            attempts,
            labelled("galat", a.get("error")),
        ]

    return words


def _setting(b, a, n):
    key = str(a.get("key") or "")
    if key.startswith(TEMPLATE_KEY.format(kind="")):
        label = NOTICE_LABELS.get(key.rsplit(".", 1)[-1], key)
        return f"Templat pemberitahuan '{label}' diubah"
    if "value" in a:  # the value, before and after (not for templates: long texts)
        return f"Pengaturan {key}: {_short(b.get('value'))} → {_short(a.get('value'))}"
    return f"Pengaturan {key} diubah"


def _short(value, limit: int = 60) -> str:
    text = "–" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _changed(label: str):
    return lambda b, a, n: f"{label} diubah: {changes_in_words(b, a, n) or '–'}"


SENTENCES = {
    "create": _created,
    ("crew", "create"): lambda b, a, n: f"Regu baru dibuat: {a.get('name')} ({a.get('code')})",
    ("crew", "update"): _changed("Data regu"),
    ("posko", "update"): _changed("Data posko"),
    ("ulp", "update"): lambda b, a, n: (
        f"Target ULP tahun {a.get('year')} diubah: "
        + changes_in_words(b, {k: v for k, v in a.items() if k != "year"}, n)
    ),
    "update": _changed("Data"),
    "stage": _stage,
    "assign": _assign,
    "unassign": _unassign,
    "correct": _correct,
    "rating": _rating,
    "feedback": _feedback,
    "place": _place,
    "proposal": _proposal,
    "proposal_accept": _proposal_accept,
    "proposal_override": _proposal_override,
    "import": _import,
    "position": lambda b, a, n: (
        f"Posisi regu {a['lat']:.5f}, {a['lon']:.5f} ({value_text('status', a.get('status'), n)})"
    ),
    "seed": lambda b, a, n: (
        f"Database diisi data awal: {a.get('areas')} ULP, {a.get('villages')} desa, "
        f"{a.get('crews')} regu"
    ),
    "setting": _setting,
    "incident_confirm": _incident("dikonfirmasi"),
    "incident_dismiss": lambda b, a, n: (
        f"Usulan padam meluas ditolak ({len(a.get('members') or [])} laporan)"
    ),
    "incident_stage": _incident_stage,
    "incident_assign": lambda b, a, n: f"Padam meluas {a.get('number')} ditugaskan ke {a['crew']}",
    "incident_join": lambda b, a, n: f"Laporan {a['report']} masuk padam meluas {a.get('number')}",
    "incident_leave": lambda b, a, n: (
        f"Laporan {a['report']} dikeluarkan dari padam meluas {a.get('number')}"
    ),
    "notice_sent": _notice("terkirim"),
    "notice_failed": _notice("gagal dikirim, dicoba lagi nanti"),
    "notice_gave_up": _notice("tidak terkirim, pengiriman dihentikan"),
    "notice_resend": _notice("dikirim ulang atas permintaan operator"),
    "sign_in": lambda b, a, n: (
        f"Masuk sebagai {role_label(a.get('role'))} "
        f"(lewat {SIGN_IN_HOW.get(a.get('how'), a.get('how'))})"
    ),
    "sign_in_refused": lambda b, a, n: f"Gagal masuk: {a.get('why')}",
    "user_bootstrap": lambda b, a, n: f"Akun pertama {a.get('username')} dibuat sebagai admin",
    "user_create": lambda b, a, n: (
        f"Akun {a.get('username')} dibuat sebagai {role_label(a.get('role'))}"
    ),
    "user_password": lambda b, a, n: f"Kata sandi akun {a.get('username')} diubah",
    "user_role": lambda b, a, n: (
        f"Peran akun {a.get('username')}: {role_label(b.get('role'))} → {role_label(a.get('role'))}"
    ),
    "user_os": lambda b, a, n: (
        f"Login OS akun {a.get('username')}: {b.get('os_user') or '–'} → {a.get('os_user') or '–'}"
    ),
    "user_disable": lambda b, a, n: f"Akun {a.get('username')} dinonaktifkan",
}
