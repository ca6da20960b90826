"""Where things live: the user's data folder and the bundled data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "comcen"


def user_data_dir() -> Path:
    """Per-user data folder: XDG on Linux, LOCALAPPDATA on Windows."""
    if override := os.environ.get("COMCEN_HOME"):
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
        return base / "Comcen"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Comcen"
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / APP_DIR_NAME


def default_db_url() -> str:
    folder = user_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(folder / 'comcen.db').as_posix()}"


def bundled_data_dir() -> Path:
    """The `data/bangka` folder shipped with the source tree (or COMCEN_DATA)."""
    if override := os.environ.get("COMCEN_DATA"):
        return Path(override)
    return Path(__file__).resolve().parent.parent / "data" / "bangka"
