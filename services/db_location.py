"""Where a SQLite file lies: on a network share its locks cannot be trusted.

SQLite's own documentation warns that file locking over NFS and SMB is often broken,
so several consoles writing one file on a share can corrupt it. The console does not
refuse (a unit may have no other choice today) but says so plainly.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path, PureWindowsPath

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

NETWORK_FS_TYPES = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "afs", "9p",
    "fuse.sshfs", "sshfs", "fuse.rclone", "fuse.s3fs", "davfs", "fuse.davfs2", "glusterfs",
    "fuse.glusterfs", "ceph", "fuse.ceph", "lustre", "gpfs", "beegfs", "coda", "ocfs2",
})  # fmt: skip
DRIVE_REMOTE = 4  # GetDriveTypeW


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    parsed = make_url(url)
    name = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return None
    if name.startswith("file:"):
        name = name[5:].split("?")[0]
    return Path(name).expanduser()


def mount_of(path: str, mounts_text: str) -> tuple[str, str] | None:
    """(mount point, filesystem type) of the longest /proc/mounts entry holding ``path``."""
    best: tuple[str, str] | None = None
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = _unescape(fields[1])
        inside = path == point or path.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) > len(best[0])):
            best = (point, fields[2])
    return best


def _unescape(field: str) -> str:
    # /proc/mounts writes a space in a mount point as \040 (and tab, newline, \ alike).
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def network_share_linux(path: Path, mounts_text: str | None = None) -> str | None:
    """The network filesystem type holding ``path``, or None when it is local."""
    if mounts_text is None:
        try:
            mounts_text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    resolved = os.path.realpath(path)
    found = mount_of(resolved, mounts_text)
    if found and found[1].lower() in NETWORK_FS_TYPES:
        return found[1]
    return None


def network_share_windows(path: str, drive_type=None) -> str | None:
    """'UNC' for a \\\\server\\share path, 'remote drive' for a mapped network drive."""
    windows = PureWindowsPath(path)
    if windows.drive.startswith(("\\\\", "//")):
        return "UNC"
    if drive_type is None:
        drive_type = _windows_drive_type
    if windows.drive and drive_type(windows.drive + "\\") == DRIVE_REMOTE:
        return "remote drive"
    return None


def _windows_drive_type(root: str) -> int:
    import ctypes

    return ctypes.windll.kernel32.GetDriveTypeW(root)


def network_share(url: str) -> str | None:
    """The kind of network share the SQLite file of ``url`` lies on, or None."""
    path = sqlite_path(url)
    if path is None:
        return None
    if sys.platform.startswith("win"):
        return network_share_windows(str(path.resolve()))
    return network_share_linux(path)


def warning(url: str) -> str | None:
    """The sentence the console shows, or None when the file is local."""
    try:
        kind = network_share(url)
    except (OSError, ValueError) as exc:  # a check must never stop the console
        log.debug("Network share check failed: %s", exc)
        return None
    if kind is None:
        return None
    log.warning("SQLite database on a network share (%s): %s", kind, url)
    return (
        f"Database SQLite ada di folder jaringan ({kind}): penguncian berkas di sana tidak "
        "bisa diandalkan dan data bisa rusak bila beberapa konsol menulis. Pakai PostgreSQL "
        "untuk banyak konsol, atau simpan berkas di disk lokal."
    )
