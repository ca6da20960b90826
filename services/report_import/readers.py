"""Reading CSV and XLSX tables row by row, without holding the file in memory.

A table is a header (found among the first rows: exports often put a title above
it) and a stream of (line number, cells). Line numbers are the ones a spreadsheet
shows, so "baris 17" points the user at row 17 of the same file.
"""

from __future__ import annotations

import codecs
import csv
import logging
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.report_import.values import is_blank

log = logging.getLogger(__name__)

HEADER_SCAN_ROWS = 20  # an export's title block is a few rows; the header comes soon
SAMPLE_LINES = 20
DELIMITERS = (";", ",", "\t", "|")
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CHUNK = 1 << 20


class FileError(ValueError):
    """The file as a whole cannot be imported; the message names the file (and column)."""


@dataclass
class Table:
    name: str
    header: list[str]
    header_line: int
    rows: Iterator[tuple[int, list[Any]]]
    total: int | None  # data rows expected; for CSV counted from line ends (an estimate)
    warnings: list[str] = field(default_factory=list)
    close: Callable[[], None] = lambda: None


def open_table(path: Path, is_header: Callable[[list[str]], bool]) -> Table:
    """Open ``path`` and find its header: the first of the first rows that
    ``is_header`` accepts, else the first row that is not blank."""
    path = Path(path)
    if not path.is_file():
        raise FileError(f"{path}: berkas tidak ditemukan")
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _open_xlsx(path, is_header)
    if suffix in CSV_SUFFIXES:
        return _open_csv(path, is_header)
    if suffix == ".xls":
        raise FileError(f"{path.name}: format .xls lama tidak didukung; simpan sebagai .xlsx")
    raise FileError(
        f"{path.name}: format '{suffix or '(tanpa akhiran)'}' tidak didukung; "
        "gunakan .csv atau .xlsx"
    )


# --- CSV ---------------------------------------------------------------------------


def _open_csv(path: Path, is_header) -> Table:
    encoding, lines, warnings = _scan_encoding(path)
    delimiter = _pick_delimiter(path, encoding, is_header)
    handle = path.open(newline="", encoding=encoding)
    try:
        reader = csv.reader(handle, delimiter=delimiter)
        rows = _csv_rows(path, reader)
        header_line, header = _find_header(path, rows, is_header)
    except Exception:
        handle.close()
        raise
    log.info("%s: %s, delimiter %r, header at line %d", path.name, encoding, delimiter, header_line)
    total = max(0, lines - header_line)
    return Table(path.name, header, header_line, rows, total, warnings, handle.close)


def _scan_encoding(path: Path) -> tuple[str, int, list[str]]:
    """UTF-8 (with or without BOM) if the whole file decodes, else cp1252, else
    latin-1 — each with a warning. Also counts line ends for the progress total."""
    candidates = ["utf-8-sig", "cp1252", "latin-1"]
    decoders = {name: codecs.getincrementaldecoder(name)() for name in candidates}
    lines = 0
    last = b""
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            lines += chunk.count(b"\n")
            last = chunk
            for name in list(candidates[:-1]):
                try:
                    decoders[name].decode(chunk)
                except UnicodeDecodeError:
                    candidates.remove(name)
    if not last:
        raise FileError(f"{path.name}: berkas kosong")
    lines += 0 if last.endswith(b"\n") else 1
    encoding = candidates[0]
    warnings = []
    if encoding != "utf-8-sig":
        warnings.append(
            f"{path.name}: bukan UTF-8; dibaca sebagai {encoding}, periksa huruf seperti é atau ’"
        )
    return encoding, lines, warnings


def _pick_delimiter(path: Path, encoding: str, is_header) -> str:
    """The delimiter that turns one of the first lines into the expected header;
    otherwise the one most frequent in the first line that holds any."""
    with path.open(newline="", encoding=encoding) as handle:
        sample = [line for _, line in zip(range(SAMPLE_LINES), handle, strict=False)]
    for delimiter in DELIMITERS:
        for cells in csv.reader(sample, delimiter=delimiter):
            if is_header([c.strip() for c in cells]):
                return delimiter
    for line in sample:
        counts = {d: line.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        if counts[best]:
            return best
    return ","


def _csv_rows(path: Path, reader) -> Iterator[tuple[int, list[Any]]]:
    end = 0
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num
            yield start, cells
    except csv.Error as exc:
        raise FileError(f"{path.name} baris {end + 1}: CSV rusak ({exc})") from None


# --- XLSX --------------------------------------------------------------------------


def _open_xlsx(path: Path, is_header) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, OSError) as exc:
        raise FileError(f"{path.name}: tidak bisa dibaca sebagai XLSX ({exc})") from None
    rows = _xlsx_rows(path, sheet)
    try:
        header_line, header = _find_header(path, rows, is_header)
    except Exception:
        book.close()
        raise
    total = None if sheet.max_row is None else max(0, sheet.max_row - header_line)
    warnings = []
    if len(book.worksheets) > 1:
        warnings.append(f"{path.name}: hanya lembar pertama ('{sheet.title}') yang dibaca")
    return Table(path.name, header, header_line, rows, total, warnings, book.close)


def _xlsx_rows(path: Path, sheet) -> Iterator[tuple[int, list[Any]]]:
    try:
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileError(f"{path.name}: XLSX rusak ({exc})") from None


# --- shared ------------------------------------------------------------------------


def _find_header(path: Path, rows, is_header) -> tuple[int, list[str]]:
    first: tuple[int, list[str]] | None = None
    for _, (line, cells) in zip(range(HEADER_SCAN_ROWS), rows, strict=False):
        if all(is_blank(c) for c in cells):
            continue
        names = ["" if c is None else str(c).strip() for c in cells]
        if is_header(names):
            return line, names
        first = first or (line, names)
    if first is None:
        raise FileError(f"{path.name}: tidak ada baris judul kolom (berkas kosong?)")
    return first
