"""Detecting a SQLite file on a network share, from a fake /proc/mounts and drive types."""

from __future__ import annotations

import pytest

from services import db_location

MOUNTS = r"""sysfs /sys sysfs rw,nosuid 0 0
/dev/sda1 / ext4 rw,relatime 0 0
server:/export /mnt/nfs nfs4 rw,relatime,vers=4.2 0 0
//nas/comcen /mnt/share cifs rw,vers=3.0 0 0
/dev/sdb1 /mnt/share/local ext4 rw 0 0
user@host:/data /home/op/remote fuse.sshfs rw 0 0
tmpfs /tmp tmpfs rw 0 0
//nas/ruang\040kontrol /mnt/ruang\040kontrol smb3 rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/mnt/nfs/comcen.db", "nfs4"),
        ("/mnt/share/comcen.db", "cifs"),
        ("/mnt/share/local/comcen.db", None),  # a local disk mounted inside the share
        ("/home/op/remote/a/comcen.db", "fuse.sshfs"),
        ("/mnt/ruang kontrol/comcen.db", "smb3"),
        ("/home/op/comcen.db", None),
        ("/mnt/nfsx/comcen.db", None),  # a prefix of a mount point is not inside it
        ("/tmp/comcen.db", None),
    ],
)
def test_linux_mounts(path, expected):
    assert db_location.network_share_linux(path, MOUNTS) == expected


def test_mount_of_picks_the_longest_mount_point():
    assert db_location.mount_of("/mnt/share/local/x.db", MOUNTS) == ("/mnt/share/local", "ext4")


@pytest.mark.parametrize(
    ("path", "drive_type", "expected"),
    [
        (r"\\nas\comcen\comcen.db", 3, "UNC"),
        (r"Z:\comcen\comcen.db", db_location.DRIVE_REMOTE, "remote drive"),
        (r"C:\Users\op\AppData\Local\Comcen\comcen.db", 3, None),
    ],
)
def test_windows_paths(path, drive_type, expected):
    assert db_location.network_share_windows(path, lambda root: drive_type) == expected


def test_sqlite_path_of_urls(tmp_path):
    assert db_location.sqlite_path(f"sqlite:///{tmp_path}/a.db") == tmp_path / "a.db"
    assert db_location.sqlite_path("sqlite:///file:/x/b.db?mode=ro&uri=true").as_posix() == (
        "/x/b.db"
    )
    assert db_location.sqlite_path("sqlite://") is None
    assert db_location.sqlite_path("postgresql+psycopg://u@127.0.0.1/comcen") is None


def test_no_warning_for_a_local_file_or_postgresql(tmp_path):
    assert db_location.warning(f"sqlite:///{tmp_path}/a.db") is None
    assert db_location.warning("postgresql+psycopg://u@127.0.0.1/comcen") is None


def test_warning_names_the_share(monkeypatch):
    monkeypatch.setattr(db_location, "network_share", lambda url: "nfs4")
    text = db_location.warning("sqlite:////mnt/nfs/comcen.db")
    assert text.startswith("Database SQLite ada di folder jaringan (nfs4)")
    assert "PostgreSQL" in text
