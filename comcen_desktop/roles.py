"""Roles and what each may do: one table, read by the services and the UI alike.

A command centre has four kinds of seat. Operators take reports and send crews;
the supervisor may also correct recorded times, edit targets and crews, and read
the audit trail; the video wall only looks; the admin (the unit's IT) manages
accounts and settings. The admin may also do all the operators' work, so a unit
that starts with one PC and one account can run the centre from it.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    WALL = "wall"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.OPERATOR: "operator",
    Role.SUPERVISOR: "supervisor",
    Role.WALL: "layar dinding",
    Role.ADMIN: "admin",
}

_DESK = frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN})
_LEAD = frozenset({Role.SUPERVISOR, Role.ADMIN})
_IT = frozenset({Role.ADMIN})
_EVERYONE = frozenset(Role)

# action -> (roles allowed, what the action is, in the operator's words)
ACTIONS: dict[str, tuple[frozenset[Role], str]] = {
    "console.view": (_EVERYONE, "melihat konsol"),
    "report.create": (_DESK, "mencatat laporan baru"),
    "report.stage": (_DESK, "memindahkan tahap laporan"),
    "report.cancel": (_DESK, "membatalkan laporan"),
    "report.rating": (_DESK, "mencatat penilaian pelanggan"),
    "report.place": (_DESK, "menempatkan laporan di peta"),
    "report.correct_time": (_LEAD, "mengoreksi waktu tahap"),
    "dispatch.assign": (_DESK, "menugaskan regu"),
    "dispatch.unassign": (_DESK, "membatalkan penugasan"),
    "incident.confirm": (_DESK, "mengonfirmasi padam meluas"),
    "notices.resend": (_DESK, "mengirim ulang pemberitahuan pelanggan"),
    "handover.write": (_DESK, "menyimpan rekap serah terima"),
    "export.run": (_DESK, "mengekspor laporan dengan data pelanggan"),
    "crews.edit": (_LEAD, "mengubah regu dan posko"),
    "targets.edit": (_LEAD, "mengubah target dan jumlah pelanggan ULP"),
    "audit.view": (_LEAD, "melihat jejak audit"),
    "audit.export": (_LEAD, "mengekspor jejak audit"),
    "import.run": (_LEAD, "mengimpor riwayat laporan"),
    "simulate.run": (_LEAD, "menjalankan simulasi"),
    "settings.edit": (_IT, "mengubah pengaturan"),
    "users.manage": (_IT, "mengelola akun pengguna"),
}


def is_role(name: str | None) -> bool:
    return name in {role.value for role in Role}


def allowed(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action``; an unknown role or action may do nothing."""
    if action not in ACTIONS or not is_role(role):
        return False
    return Role(role) in ACTIONS[action][0]


def allowed_roles(action: str) -> list[Role]:
    """The roles that may do ``action``, in a fixed order for messages."""
    roles = ACTIONS[action][0] if action in ACTIONS else frozenset()
    return [role for role in Role if role in roles]


def refusal(role: str | None, action: str) -> str:
    """One Indonesian sentence: this role may not do this, and who may."""
    if action not in ACTIONS:
        return f"Tindakan '{action}' tidak dikenal; tidak ada peran yang boleh."
    what = ACTIONS[action][1]
    who = _join([ROLE_LABELS[r] for r in allowed_roles(action)])
    shown = ROLE_LABELS[Role(role)] if is_role(role) else f"'{role or 'tanpa peran'}'"
    return f"Peran {shown} tidak boleh {what}; yang boleh: {who}."


def role_label(role: str | None) -> str:
    return ROLE_LABELS[Role(role)] if is_role(role) else (role or "")


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " dan " + words[-1]
