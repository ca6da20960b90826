"""History import: APKT "detail gangguan" exports and other report tables (CSV, XLSX).

Pure core (no Qt): ``import_file(session, path, actor=..., mapping_path=...,
source_tz=..., progress=..., cancelled=...) -> ImportSummary``. See importer.py for
the transaction rules, rows.py for how a row becomes a report, values.py for what
spreadsheet cells are accepted.
"""

from services.report_import.importer import (
    DEFAULT_ZONE,
    ImportCancelledError,
    ImportSummary,
    import_file,
    load_zone,
)
from services.report_import.mapping import APKT, FIELDS, Mapping, load_mapping
from services.report_import.readers import FileError

__all__ = [
    "APKT",
    "DEFAULT_ZONE",
    "FIELDS",
    "FileError",
    "ImportCancelledError",
    "ImportSummary",
    "Mapping",
    "import_file",
    "load_mapping",
    "load_zone",
]
