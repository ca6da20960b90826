"""The drop folder: report files put in a folder are read, stored and moved aside.

For senders that cannot call the HTTP API (a script on a shared drive, an export of
another system). Every ``*.json`` file in the folder (setting "intake.drop_folder",
default "masuk" in the user's data folder) holds one report object or a list of them,
with the fields of POST /api/reports.

When a file is read: only once its size and modification time were the same on two
scans in a row (polled about every second), so a file still being copied is left
alone. A sender that can should write "name.json.tmp" (or any name not ending in
.json) and rename it to "name.json" when complete; renaming is atomic.

After reading, the file moves to "diproses/" next to "<stem>.hasil.json", which lists
for each report its number (or "duplicate") or its field errors. A file that is not
JSON, not an object or list of objects, empty or too big moves to "ditolak/" with
"<stem>.alasan.txt" saying why. The reports of one file are stored in one
transaction: a database failure stores none of them and the file is tried again on a
later scan (a report without source_id is therefore never stored twice).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from comcen_desktop import paths, settings
from comcen_desktop.domain import Source
from comcen_desktop.timeutil import WIB, utc_now
from services import intake
from services.intake_batch import receive_batch
from services.placement import Placer

log = logging.getLogger(__name__)

ACTOR = "berkas"
POLL_S = 1.0
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DB_FAILURES = 3  # scans a file may fail on the database before it is refused
DONE_DIR, REFUSED_DIR = "diproses", "ditolak"
CLAIM_DIR = ".diambil"  # files a console is working on (renamed in, atomically)


class RefusedFileError(ValueError):
    """The file as a whole cannot be read; the message is for its sender."""


def default_folder() -> Path:
    return paths.user_data_dir() / "masuk"


def configured_folder(database) -> Path:
    with database.read() as session:
        value = settings.get(session, "intake.drop_folder")
    return Path(value).expanduser() if value else default_folder()


@dataclass
class FileOutcome:
    name: str
    refused: str | None = None  # why the whole file was refused
    results: list[dict] = field(default_factory=list)  # one per report

    @property
    def stored(self) -> int:
        return sum(1 for r in self.results if "number" in r and not r.get("duplicate"))


class DropFolder:
    """Scans a folder; ``scan()`` does one pass (tests call it), ``start()`` runs
    passes on a plain daemon thread until ``stop()``. Touches no widgets."""

    def __init__(self, database, folder: Path, poll_s: float = POLL_S):
        self.database = database
        self.folder = Path(folder)
        self.poll_s = poll_s
        self._seen: dict[str, tuple[int, int]] = {}  # name -> (size, mtime_ns) last scan
        self._failures: dict[str, int] = {}
        self._places: tuple | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> DropFolder:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.return_orphans()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="comcen-drop", daemon=True)
        self._thread.start()
        log.info("Watching drop folder %s", self.folder)
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.scan()
            except Exception:  # a bad pass must not end the watching
                log.exception("Drop folder scan failed")
            self._stop.wait(self.poll_s)

    def scan(self) -> list[FileOutcome]:
        """One pass: files unchanged since the previous pass are processed."""
        if not self.folder.is_dir():
            return []
        outcomes = []
        current: dict[str, tuple[int, int]] = {}
        for path in sorted(self.folder.glob("*.json")):
            try:
                stat = path.stat()
            except OSError:
                continue  # taken away between listing and looking
            signature = (stat.st_size, stat.st_mtime_ns)
            if self._seen.get(path.name) != signature:
                current[path.name] = signature  # new or still growing: next pass
                continue
            claimed = self._claim(path)
            if claimed is None:
                continue  # another console watching the same folder took it first
            outcome = self.process(claimed, name=path.name)
            if outcome is None:
                claimed.replace(path)  # database trouble: back for the next pass
                current[path.name] = signature
            else:
                outcomes.append(outcome)
        self._seen = current
        return outcomes

    def return_orphans(self) -> int:
        """Files a console that has stopped (crashed) was working on go back to the
        folder, to be read again: its transaction was not committed, or, if it was,
        the reports' source ids make the second reading store nothing twice."""
        returned = 0
        for claimed in (self.folder / CLAIM_DIR).glob("*.json.*"):
            name, _, owner = claimed.name.rpartition(".")
            pid = owner.split("-", 1)[0]
            if pid.isdigit() and _alive(int(pid)):
                continue
            try:
                claimed.rename(self.folder / name)
                returned += 1
            except OSError:
                continue  # another console returned it first
        if returned:
            log.warning("Drop folder: %d file(s) of a stopped console read again", returned)
        return returned

    def _claim(self, path: Path) -> Path | None:
        """Move the file into a working folder under a name of this process: a rename
        is atomic, so when several consoles watch one folder exactly one gets it."""
        working = self.folder / CLAIM_DIR
        working.mkdir(exist_ok=True)
        claimed = working / f"{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            path.rename(claimed)
        except FileNotFoundError:
            return None
        return claimed

    def process(self, path: Path, name: str | None = None) -> FileOutcome | None:
        """Read, store and move one file; None when the database failed (file kept).
        ``name``: the file's name as dropped, when ``path`` is its claimed copy."""
        name = name or path.name
        try:
            reports = read_reports(path)
        except RefusedFileError as exc:
            return self._refuse(path, str(exc), name)

        try:
            results = self.database.write(lambda session: self._store(session, reports))
        except SQLAlchemyError as exc:
            return self._database_failed(path, exc, name)
        except Exception as exc:  # a bug must not make the file come back every second
            log.exception("Drop file %s failed", name)
            return self._refuse(path, f"Kesalahan internal: {exc}", name)

        outcome = FileOutcome(name, None, results)
        self._finish(path, DONE_DIR, ".hasil.json", _summary(outcome), name)
        log.info("Drop file %s: %d report(s) stored", name, outcome.stored)
        return outcome

    def _store(self, session, reports: list[Any]) -> list[dict]:
        placer, villages = self._lookups()
        results = receive_batch(
            session, placer, reports, source=Source.BERKAS, actor=ACTOR, gazetteer=villages
        )
        return [
            _result_entry(index, raw, result)
            for index, (raw, result) in enumerate(zip(reports, results, strict=True), start=1)
        ]

    def _lookups(self):
        if self._places is None:
            with self.database.read() as session:
                self._places = (Placer(session), intake.village_index(session))
        return self._places

    def _database_failed(self, path: Path, exc: Exception, name: str) -> FileOutcome | None:
        count = self._failures.get(name, 0) + 1
        self._failures[name] = count
        log.warning("Drop file %s: database failed (%d): %s", name, count, exc)
        if count < MAX_DB_FAILURES:
            return None
        self._failures.pop(name, None)
        return self._refuse(path, f"Database gagal {count} kali berturut-turut: {exc}", name)

    def _refuse(self, path: Path, reason: str, name: str | None = None) -> FileOutcome:
        name = name or path.name
        log.warning("Drop file %s refused: %s", name, reason)
        self._finish(path, REFUSED_DIR, ".alasan.txt", f"{name}: {reason}\n", name)
        return FileOutcome(name, reason)

    def _finish(
        self, path: Path, subfolder: str, suffix: str, content: str, name: str | None = None
    ) -> None:
        target_dir = self.folder / subfolder
        target_dir.mkdir(exist_ok=True)
        target = _free_name(target_dir, name or path.name)
        note = target_dir / f"{target.stem}{suffix}"
        note.write_text(content, encoding="utf-8")
        path.replace(target)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def read_reports(path: Path) -> list[Any]:
    """The file's reports; RefusedFileError with an Indonesian reason when unreadable."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RefusedFileError(
                f"Berkas terlalu besar ({size // 1024} KB, maks {MAX_FILE_BYTES // 1024} KB)."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise RefusedFileError(f"Berkas tidak bisa dibaca: {exc.strerror or exc}.") from None

    try:
        # utf-8-sig: a BOM written by Windows Notepad is not an error.
        body = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise RefusedFileError("Berkas bukan teks UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise RefusedFileError(
            f"Bukan JSON yang sah: {exc.msg} (baris {exc.lineno}, kolom {exc.colno})."
        ) from None

    reports = [body] if isinstance(body, dict) else body
    if not isinstance(reports, list):
        raise RefusedFileError("Isi berkas harus satu objek laporan atau daftar objek laporan.")
    if not reports:
        raise RefusedFileError("Daftar laporan kosong.")
    return reports


def _result_entry(index: int, raw: Any, result: intake.IntakeResult) -> dict:
    entry: dict[str, Any] = {"index": index}
    if isinstance(raw, dict) and isinstance(raw.get("source_id"), str):
        entry["source_id"] = raw["source_id"]
    if result.errors:
        entry["errors"] = [e.as_dict() for e in result.errors]
        return entry
    entry["number"] = result.report.number
    entry["duplicate"] = result.duplicate
    if not result.duplicate:
        entry["flag"] = result.flag
        entry["repeat_of"] = result.repeat_of.number if result.repeat_of else None
    return entry


def _summary(outcome: FileOutcome) -> str:
    results = outcome.results
    payload = {
        "file": outcome.name,
        "processed_at": utc_now().astimezone(WIB).isoformat(timespec="seconds"),
        "stored": outcome.stored,
        "duplicates": sum(1 for r in results if r.get("duplicate")),
        "rejected": sum(1 for r in results if "errors" in r),
        "reports": results,
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _free_name(folder: Path, name: str) -> Path:
    """folder/name, or name with a time stamp when a file of that name is there."""
    target = folder / name
    if not target.exists():
        return target
    stamp = datetime.now(WIB).strftime("%Y%m%dT%H%M%S%f")
    stem, suffix = Path(name).stem, Path(name).suffix
    return folder / f"{stem}-{stamp}{suffix}"
