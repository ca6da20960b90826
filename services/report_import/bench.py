"""Import speed, printed (not a timed test): ``python -m services.report_import.bench [ROWS]``.

Writes an APKT-style CSV (BOM, ';', dd/mm/yyyy, IDPEL without its leading zero,
1 row in 50 bad, 1 in 100 a repeat) into a temporary folder, imports it into a
fresh SQLite file, and prints rows per second for the first run and the second
(which imports nothing).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HEADER = "no_laporan;waktu_lapor;waktu_response;waktu_recovery;idpel;nama_pelapor;"
HEADER += "no_telp_pelapor;media;nama_posko;penyebab;status"


def write_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(HEADER + "\n")
        for index in range(rows):
            number = f"B{index - 1 if index % 100 == 98 else index:07d}"
            day, minute = 1 + index % 28, index % 600
            lapor = f"{day:02d}/03/2024 {8 + minute // 60:02d}:{minute % 60:02d}"
            later = f"{day:02d}/03/2024 {9 + minute // 60:02d}:{minute % 60:02d}"
            response = "kemarin" if index % 50 == 49 else later
            out.write(
                f"{number};{lapor};{response};{later};{5100000000 + index};Pelanggan "
                f"{index};8{index:09d};123;Posko Yantek Koba;Pohon;SELESAI\n"
            )


def main(argv: list[str]) -> int:
    from services.database import open_database
    from services.report_import import import_file

    rows = int(argv[0]) if argv else 20_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "apkt.csv"
        write_file(path, rows)
        database = open_database(f"sqlite:///{folder}/bench.db")
        try:
            for run in ("first", "second"):
                with database.transaction() as session:
                    summary = import_file(session, path, actor="bench")
                print(f"{run} run: {summary.describe()}")
        finally:
            database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
