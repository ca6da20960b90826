"""Tooltip text for report pins (crews and posko carry theirs on their items)."""

from __future__ import annotations

from html import escape

from comcen_desktop.domain import STAGE_LABELS
from comcen_desktop.timeutil import format_age, format_wib
from services.queries import ReportView

AGE_WORDS = {"ok": "dalam target", "warn": "mendekati target", "late": "lewat target"}


def report_tooltip(report: ReportView) -> str:
    place = escape(report.village or "?")
    if report.district:
        place += f", Kec. {escape(report.district)}"
    return (
        f"<b>{escape(report.number)}</b> — {escape(STAGE_LABELS[report.stage])}<br>"
        f"Desa: {place}<br>ULP: {escape(report.ulp)}<br>"
        f"Lapor: {format_wib(report.reported_at)}<br>"
        f"Umur: {format_age(report.age_min)} "
        f"({AGE_WORDS.get(report.age_class, report.age_class)})<br>"
        f"Regu: {escape(report.crew) if report.crew else '–'}"
    )
