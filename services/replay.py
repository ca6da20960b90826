"""Replay an imported history file through the product's own paths, at a chosen speed.

The rows come from the history importer's reader and row normalisation
(services.report_import: APKT exports or any table with a MAP.json), or, for the
third-party SF fire-call file in data/real/, from services.history_import. Each row
becomes a report through services.intake.receive (source "simulasi", so consoles mark
it as training data), is dispatched through services.dispatch and moved through its
recorded stages through services.lifecycle — at the recorded times, shifted so that
the history starts at ``start`` (default now).

Where: an APKT export has no coordinates. A row whose posko names a ULP gets a point
in one of that ULP's villages, any other a point anywhere, drawn as the simulator
draws them (services.sim_population), from the seed. Which crew: the row's own when
its posko resolves to one, else the crew that would get there first.

Speed: ``speed`` X plays the history X times as fast as it happened (the stamped
times stay the history's, shifted); ``speed=None`` writes it all at once. Without a
``start``, nothing is ever stamped in the future: all at once, the history ends now;
at X > 1 it starts span × (1 − 1/X) before now, so the stamped clock reaches the wall
clock just as the last row plays (as ``comcen simulate --speed`` does).
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from comcen_desktop.domain import STAGE_ORDER, Category, Media, Stage
from comcen_desktop.timeutil import as_utc, utc_now
from services import dispatch
from services.sim_world import ACTOR, Action, World

log = logging.getLogger(__name__)

DEFAULT_ZONE = "Asia/Jakarta"
ASSIGN_SHARE = 0.25  # without an assignment time: this share of the way to the next stage
BATCH = timedelta(hours=1)  # fast replay: one transaction per hour of history


@dataclass
class HistoryRow:
    key: str
    reported_at: datetime  # aware UTC, as recorded
    stages: dict[Stage, datetime] = field(default_factory=dict)  # later stages
    category: Category = Category.INDIVIDU
    media: Media = Media.CC123
    idpel: str | None = None
    name: str | None = None
    phone: str | None = None
    address: str | None = None
    description: str | None = None
    customers: int | None = None
    ulp_id: int | None = None
    crew_id: int | None = None


@dataclass
class ReplaySummary:
    rows: int
    replayed: int
    skipped: int  # already replayed (same source id) or refused by intake
    rejected: list[tuple[int, str]]  # (line, reason) from the reader
    start: datetime
    offset: timedelta
    elapsed_s: float

    def describe(self) -> str:
        return (
            f"{self.replayed} dari {self.rows} laporan diputar ulang (mulai "
            f"{self.start.isoformat()}, geser {self.offset}), {self.skipped} dilewati, "
            f"{len(self.rejected)} baris ditolak; {self.elapsed_s:.1f} detik"
        )


# ---------------------------------------------------------------------------- reading


def read_history(
    session, path: Path, mapping_path: Path | None = None, source_tz: str = DEFAULT_ZONE
) -> tuple[list[HistoryRow], list[tuple[int, str]]]:
    """The file's rows as history, oldest first, and the rows rejected (line, reason)."""
    path = Path(path)
    if mapping_path is None and _is_sf_fire_calls(path):
        return _read_sf(path), []
    return _read_import(session, path, mapping_path, source_tz)


def _is_sf_fire_calls(path: Path) -> bool:
    if path.suffix.lower() != ".csv":
        return False
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    return "Call Number" in header and "Received DtTm" in header


def _read_sf(path: Path) -> list[HistoryRow]:
    from services import history_import

    result = history_import.ImportResult()
    tickets = history_import._read(path, history_import.SF_FIRE_CALLS, result)
    rows = [HistoryRow(key, t.received, dict(t.stages)) for key, t in tickets.items()]
    return sorted(rows, key=lambda r: (r.reported_at, r.key))


def _read_import(session, path: Path, mapping_path, source_tz: str):
    from services.report_import import APKT, load_mapping, load_zone
    from services.report_import.organisation import OrgLookup
    from services.report_import.readers import open_table
    from services.report_import.rows import RowError, RowParser
    from services.report_import.values import is_blank

    mapping = load_mapping(mapping_path) if mapping_path else APKT
    table = open_table(path, mapping.is_header)
    rows, rejected = [], []
    try:
        columns = mapping.resolve(table.name, table.header)
        parser = RowParser(mapping, columns, load_zone(source_tz), OrgLookup(session))
        for line, cells in table.rows:
            if all(is_blank(c) for c in cells):
                continue
            try:
                rows.append(_from_import(parser.parse(line, cells)))
            except RowError as exc:
                rejected.append((line, str(exc)))
    finally:
        table.close()
    unique = {row.key: row for row in rows}  # a repeated row is one report
    return sorted(unique.values(), key=lambda r: (r.reported_at, r.key)), rejected


def _from_import(row) -> HistoryRow:
    stages = {stage: at for stage, (at, _note) in row.stages.items() if stage is not Stage.LAPOR}
    return HistoryRow(
        key=row.key,
        reported_at=row.reported_at,
        stages=stages,
        category=row.category,
        media=row.media,
        idpel=row.idpel,
        name=row.name,
        phone=row.phone,
        address=row.address,
        description=row.description,
        customers=row.customers,
        ulp_id=row.ulp_id,
        crew_id=row.crew_id,
    )


# ---------------------------------------------------------------------------- playing


def replay(
    database,
    rows: list[HistoryRow],
    *,
    start: datetime | None = None,
    speed: float | None = None,
    seed: int = 0,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
    tick_s: float = 1.0,
) -> ReplaySummary:
    """Play ``rows`` from ``start`` (default now); see the module text for speed."""
    began = time.perf_counter()
    wall_start = as_utc(clock())
    rows = sorted(rows, key=lambda row: row.reported_at)  # the file's order is not time's
    span = _last_time(rows) - rows[0].reported_at if rows else timedelta(0)
    if start is None:
        start = wall_start - _lead(span, speed)
    start = as_utc(start)
    offset = start - rows[0].reported_at if rows else timedelta(0)
    end = start + span
    with database.read() as session:
        world = World(session, seed, start, 0.0, end=end, storms=False)
    player = _Player(world, rows, offset, start)

    moment = start
    while moment < end or world.actions_before(end + timedelta(seconds=1)):
        if speed is None:
            moment = min(end + timedelta(seconds=1), moment + BATCH)
        else:
            moment = start + (as_utc(clock()) - wall_start) * speed
        with database.transaction() as session:
            world.run_until(session, min(moment, end + timedelta(seconds=1)))
        if moment >= end + timedelta(seconds=1):
            break
        if speed is not None:
            sleep(tick_s)

    return ReplaySummary(
        rows=len(rows),
        replayed=player.replayed,
        skipped=player.skipped,
        rejected=[],
        start=start,
        offset=offset,
        elapsed_s=time.perf_counter() - began,
    )


def _lead(span: timedelta, speed: float | None) -> timedelta:
    """How long before now the history starts so that no time is stamped in the
    future: all at once, it ends now; at X times real speed it starts span × (1 − 1/X)
    ago, so the stamped clock catches the wall clock exactly as the last row plays."""
    if speed is None:
        return span
    if speed <= 1:
        return timedelta(0)
    return span * (1 - 1 / speed)


def _last_time(rows: list[HistoryRow]) -> datetime:
    return max(max([r.reported_at, *r.stages.values()]) for r in rows)


class _Player:
    """The replay's own actions on the simulator's clock: report, assign, stages."""

    def __init__(self, world: World, rows: list[HistoryRow], offset: timedelta, start):
        self.world, self.rows, self.offset = world, rows, offset
        self.replayed = self.skipped = 0
        self._pending: dict[int, tuple[HistoryRow, dict]] = {}
        self._stamp = f"replay-{start:%Y%m%d%H%M%S}"
        world.handlers["replay_report"] = self._report
        world.handlers["replay_assign"] = self._assign
        world.heartbeat_off()
        for index, row in enumerate(rows):
            world.schedule(row.reported_at + offset, "replay_report", key=index)

    def _report(self, session, action: Action) -> int:
        row = self.rows[action.key]
        lon, lat = self.world.sampler.sample_in_ulp(self.world.rng, row.ulp_id)
        raw = {
            "source_id": f"{self._stamp}:{row.key}"[:80],
            "reported_at": action.at.isoformat(),
            "idpel": row.idpel,
            "name": row.name,
            "phone": row.phone,
            "address": row.address,
            "lat": lat,
            "lon": lon,
            "category": row.category.value,
            "media": row.media.value,
            "description": row.description,
            "customers": row.customers,
        }
        report_id = self.world.submit_raw(session, raw, row.category, lon, lat, action.at)
        if report_id is None:
            self.skipped += 1
            return 0
        self.replayed += 1
        self._plan(row, report_id, action.at)
        return 1

    def _plan(self, row: HistoryRow, report_id: int, at: datetime) -> None:
        """Schedule the assignment; the stages follow once the crew is known."""
        times = {stage: moment + self.offset for stage, moment in row.stages.items()}
        if Stage.BATAL in times and Stage.PENGERJAAN not in times:
            self.world.schedule(times[Stage.BATAL], "stage", report_id=report_id, stage=Stage.BATAL)
            return
        later = [s for s in STAGE_ORDER[2:] if s in times]
        if Stage.PENUGASAN not in times and not later:
            return  # the history never sent a crew: the report stays in Lapor
        assign_at = times.get(Stage.PENUGASAN)
        if assign_at is None:
            assign_at = at + (times[later[0]] - at) * ASSIGN_SHARE
        self.world.schedule(assign_at, "replay_assign", report_id=report_id)
        self._pending[report_id] = (row, times)

    def _assign(self, session, action: Action) -> int:
        row, times = self._pending.pop(action.report_id)
        job = self.world.jobs.get(action.report_id)
        crew = self.world.crews.get(row.crew_id) or (
            job and self.world.first_to_arrive(job, action.at)
        )
        if crew is None:
            return 0
        result = dispatch.assign(session, [action.report_id], crew.id, ACTOR, at=action.at)
        if not result.ok:
            log.info("Replay: assignment refused: %s", "; ".join(result.refused))
            return 0
        self._schedule_stages(action, crew.id, times)
        return 1

    def _schedule_stages(self, action: Action, crew_id: int, times: dict) -> None:
        # Dalam Perjalanan without a recorded time: just after the assignment.
        if Stage.PERJALANAN not in times and Stage.PENGERJAAN in times:
            gap = times[Stage.PENGERJAAN] - action.at
            times[Stage.PERJALANAN] = action.at + gap * ASSIGN_SHARE
        previous = action.at
        for stage in STAGE_ORDER[2:]:
            if stage not in times:
                continue
            moment = max(times[stage], previous + timedelta(seconds=1))
            self.world.schedule(
                moment, "stage", report_id=action.report_id, stage=stage, crew_id=crew_id
            )
            previous = moment
