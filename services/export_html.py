"""A shareable map as one self-contained HTML file (folium, Leaflet inlined).

offlinefolium (the PyPI package folium-offline) embeds Leaflet, the marker-cluster
plugin and their CSS in the page, so the file works with no internet. There are no
tiles: the ULP areas are the base map, which is why the map needs a max_zoom (the
cluster plugin draws nothing without one).

Reports go in one FastMarkerCluster: their data is one JSON array and a small
JavaScript callback builds the markers, which keeps 10,000 reports to a few MB and
responsive. Every text that comes from a report is HTML-escaped in Python before it
is put in the page; with ``privacy`` the customer's name and phone are left out.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime
from pathlib import Path

import offlinefolium as folium
from offlinefolium.plugins import FastMarkerCluster
from shapely.geometry import mapping

from comcen_desktop.domain import (
    AGE_COLOURS,
    CATEGORY_LABELS,
    CREW_STATUS_COLOURS,
    STAGE_COLOURS,
    STAGE_LABELS,
    ulp_fill_hex,
)
from comcen_desktop.timeutil import format_age, format_wib, utc_now
from services import queries

log = logging.getLogger(__name__)

MAX_ZOOM = 18
SEA = "#d4e6f1"

# row = [lat, lon, fill colour, ring colour, popup html (already escaped)]
PIN_CALLBACK = """
function (row) {
    var icon = L.divIcon({
        className: 'comcen-pin',
        html: '<div style="width:12px;height:12px;border-radius:50%;background:' + row[2]
            + ';border:3px solid ' + row[3] + ';box-shadow:0 0 0 1px #333"></div>',
        iconSize: [18, 18], iconAnchor: [9, 9]
    });
    var marker = L.marker(new L.LatLng(row[0], row[1]), {icon: icon});
    marker.bindPopup(row[4]);
    return marker;
}
"""


def _e(value) -> str:
    return html.escape(str(value)) if value not in (None, "") else "–"


def report_popup(report: queries.ReportView, privacy: bool) -> str:
    lines = [
        f"<b>{_e(report.number)}</b>",
        f"Tahap: {_e(STAGE_LABELS.get(report.stage, report.stage))}",
        f"Kategori: {_e(CATEGORY_LABELS.get(report.category, report.category))}",
        f"Desa: {_e(report.village)}, ULP {_e(report.ulp)}",
        f"Dilaporkan: {_e(format_wib(report.reported_at))} (umur {_e(format_age(report.age_min))})",
    ]
    if not privacy:
        lines.append(f"Pelanggan: {_e(report.name)} · {_e(report.phone)}")
    if report.crew:
        lines.append(f"Regu: {_e(report.crew)}")
    return "<br>".join(lines)


def load_reports(database, start=None, end=None, now=None) -> list[queries.ReportView]:
    """Open reports by default; every report reported in [start, end) when given."""
    from sqlalchemy import select

    from comcen_desktop.storage.models import Report

    with database.read() as session:
        if start is None and end is None:
            return queries.load_open_reports(session, now)
        query = select(Report)
        if start is not None:
            query = query.where(Report.reported_at >= start)
        if end is not None:
            query = query.where(Report.reported_at < end)
        return queries.load_report_query(session, query, now)


def build_map(database, reports, privacy: bool = False, now: datetime | None = None):
    now = now or utc_now()
    with database.read() as session:
        areas = queries.load_areas(session)
        posko = queries.load_posko(session)
        crews = queries.load_crews(session, now)
    fmap = folium.Map(tiles=None, prefer_canvas=True)
    # folium hands max_zoom only to a tile layer; with tiles=None the map itself needs
    # it, or the cluster plugin stops with "Map has no maxZoom specified".
    fmap.options["max_zoom"] = MAX_ZOOM
    fmap.options["min_zoom"] = 7
    style = f"<style>.leaflet-container{{background:{SEA} !important}}</style>"
    fmap.get_root().header.add_child(folium.Element(style))
    _add_areas(fmap, areas)
    _add_posko(fmap, posko)
    _add_crews(fmap, crews)
    rows = [
        [
            r.lat,
            r.lon,
            STAGE_COLOURS.get(r.stage, "#777777"),
            AGE_COLOURS.get(r.age_class, "#ffffff"),
            report_popup(r, privacy),
        ]
        for r in reports
        if r.lat is not None and r.lon is not None
    ]
    FastMarkerCluster(rows, callback=PIN_CALLBACK, name="Laporan").add_to(fmap)
    _add_title(fmap, len(rows), now, privacy)
    bounds = [a.geometry.bounds for a in areas if a.kind == "ulp"]
    if bounds:
        west = min(b[0] for b in bounds)
        south = min(b[1] for b in bounds)
        east = max(b[2] for b in bounds)
        north = max(b[3] for b in bounds)
        fmap.fit_bounds([[south, west], [north, east]])
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


def _add_areas(fmap, areas) -> None:
    ulp = folium.FeatureGroup(name="ULP dan kecamatan")
    for area in areas:
        is_ulp = area.kind == "ulp"
        fill = ulp_fill_hex(area.name)
        style = {
            "fillColor": fill if is_ulp else "none",
            "fillOpacity": 1.0 if is_ulp else 0.0,
            "color": "#555555" if is_ulp else "#777777",
            "weight": 1.6 if is_ulp else 0.6,
            "dashArray": None if is_ulp else "4 3",
        }
        label = f"ULP {area.name}" if is_ulp else f"Kec. {area.name} (ULP {area.ulp})"
        folium.GeoJson(
            {"type": "Feature", "geometry": mapping(area.geometry), "properties": {}},
            style_function=lambda _f, s=style: s,
            tooltip=folium.Tooltip(html.escape(label)),
        ).add_to(ulp)
    ulp.add_to(fmap)


def _add_posko(fmap, posko) -> None:
    group = folium.FeatureGroup(name="Posko")
    for station in posko:
        if station.lon is None or station.lat is None:
            continue
        icon = folium.DivIcon(
            html='<div style="width:12px;height:12px;background:#1f3a5f;'
            'border:2px solid #fff;transform:rotate(45deg)"></div>',
            icon_size=(16, 16),
            icon_anchor=(8, 8),
        )
        tip = f"Posko {_e(station.name)} · ULP {_e(station.ulp)} · {station.crew_count} regu"
        folium.Marker([station.lat, station.lon], icon=icon, tooltip=tip).add_to(group)
    group.add_to(fmap)


def _add_crews(fmap, crews) -> None:
    group = folium.FeatureGroup(name="Regu")
    for crew in crews:
        if crew.lon is None or crew.lat is None:
            continue
        colour = CREW_STATUS_COLOURS.get(crew.status, "#7f8c8d")
        icon = folium.DivIcon(
            html=f'<div style="width:14px;height:14px;border-radius:3px;background:{colour};'
            'border:2px solid #fff;box-shadow:0 0 0 1px #333"></div>',
            icon_size=(18, 18),
            icon_anchor=(0, 0),  # beside its posko, not on top of it
        )
        job = f" · tugas {_e(crew.current_report)}" if crew.current_report else ""
        tip = f"Regu {_e(crew.name)} ({_e(crew.code)}) · {_e(crew.status)}{job}"
        folium.Marker([crew.lat, crew.lon], icon=icon, tooltip=tip).add_to(group)
    group.add_to(fmap)


def _add_title(fmap, count: int, now: datetime, privacy: bool) -> None:
    note = " · data pelanggan disembunyikan" if privacy else ""
    box = (
        '<div style="position:fixed;top:10px;left:50px;z-index:1000;background:#1f3a5f;'
        'color:#fff;padding:6px 12px;border-radius:4px;font:14px sans-serif">'
        f"<b>Comcen UP3 Bangka</b> — {count} laporan · {html.escape(format_wib(now))}"
        f"{html.escape(note)}</div>"
    )
    fmap.get_root().html.add_child(folium.Element(box))


def export_html(database, out: Path, start=None, end=None, privacy: bool = False, now=None) -> int:
    """Write the map page to ``out``; returns the number of report markers."""
    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"--out '{out}' must end in .html")
    now = now or utc_now()
    reports = load_reports(database, start, end, now)
    fmap = build_map(database, reports, privacy, now)
    fmap.save(str(out))
    log.info("HTML map written: %s (%d reports)", out, len(reports))
    return len(reports)
