"""A padam meluas incident counts once in the KPIs.

Its members (report.incident_id) were one outage. SAIDI and SAIFI count it once with
the incident's customers; when the operator gave none, with its members' own counts,
and at least one customer per member report (each caller lost power). RPT and RCT
measure it once too, from its first member's report to the first crew on site and to
power back for every member: the incident's times sit on its first member's row, and
the other members are counted as reports but not measured again.

An incident belongs to the period its first report was received in, like a report:
its other members in a later period are not measured there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from services.kpi_engine.frame import Frame


@dataclass
class IncidentRows:
    member: np.ndarray  # bool: in an incident (and not cancelled itself)
    carrier: np.ndarray  # bool: the member row that carries its incident's figures
    working: np.ndarray  # seconds of the incident's first Dalam Pengerjaan, on carriers
    restored: np.ndarray  # seconds of its last member's Nyala (nan until all), on carriers
    customers: np.ndarray  # the incident's customers, on carriers


def incident_rows(frame: Frame, cancelled: np.ndarray) -> IncidentRows:
    size = len(frame)
    rows = IncidentRows(
        member=~np.isnan(frame.incident_id) & ~cancelled,
        carrier=np.zeros(size, dtype=bool),
        working=np.full(size, np.nan),
        restored=np.full(size, np.nan),
        customers=np.full(size, np.nan),
    )
    members = np.flatnonzero(rows.member)
    if members.size == 0:
        return rows
    # Members grouped by incident; the frame's own order (report time, id) within each.
    order = members[np.argsort(frame.incident_id[members], kind="stable")]
    cuts = np.flatnonzero(np.diff(frame.incident_id[order])) + 1
    for part in np.split(order, cuts):
        _carry(frame, part, rows)
    return rows


def _carry(frame: Frame, part: np.ndarray, rows: IncidentRows) -> None:
    starters = part[frame.reported[part] == frame.incident_first[part[0]]]
    if starters.size == 0:
        return  # the incident started before the period and counts there
    carrier = starters[0]
    rows.carrier[carrier] = True
    working = frame.working[part]
    if not np.isnan(working).all():
        rows.working[carrier] = np.nanmin(working)
    # Power is back for the incident when it is back for every member: nan otherwise.
    rows.restored[carrier] = np.max(frame.restored[part])
    given = frame.incident_customers[part[0]]
    own = float(np.nansum(frame.customers[part]))
    rows.customers[carrier] = given if not np.isnan(given) else max(float(part.size), own)
