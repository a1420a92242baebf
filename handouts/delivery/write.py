"""Write files atomically, never outside the output folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from handouts.errors import HandoutsError

PRIVATE = 0o600
"""Handouts, manifests and keys: readable by their owner only (the default)."""
GROUP_READABLE = 0o640
"""``--group-readable``: also readable by the owner's group (e.g. a clinic's print queue)."""
PUBLIC = 0o644
"""The online site's pages: published content, no patient's details; anyone may read."""


def write_atomic(path: Path, data: bytes, mode: int = PRIVATE) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename: all or nothing. The
    file is ``mode`` (narrowed by the umask), and private while it is being written."""
    try:
        make_folder(path.parent, mode)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise HandoutsError(f"could not write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as f:  # mkstemp made it 0600: private while written
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode != PRIVATE:
            os.chmod(tmp, mode & ~_UMASK)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise HandoutsError(f"could not write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def make_folder(folder: Path, mode: int = PRIVATE) -> None:
    """Make ``folder`` and any missing parents. Each folder made here is as private as the
    files it will hold: 0700, or 0750 for group-readable files (0755 for public pages). A
    folder that exists keeps its mode: it is the clinic's."""
    if folder.is_dir():
        return
    if folder.exists() or folder.is_symlink():  # red team: "File exists" said nothing
        raise HandoutsError(f"{folder} is a file, not a folder")
    make_folder(folder.parent, mode)
    folder.mkdir(mode=0o700 if mode == PRIVATE else 0o755 if mode & 0o004 else 0o750, exist_ok=True)


GROUP_CLOSED = (
    "the owner's group cannot open the folder {folder}, so it cannot read the handouts in "
    "it either: let it in with chmod g+rx {folder}"
)


def closed_to_group(folder: Path) -> bool:
    """Whether the owner's group cannot open ``folder`` (so group-readable files in it
    stay unread by the group)."""
    try:
        return os.name == "posix" and (folder.stat().st_mode & 0o050) != 0o050
    except OSError:
        return False


def permit(fd: int, mode: int) -> None:
    """Give the open file ``fd`` ``mode``, narrowed by the umask: a handout kept from an
    earlier run gets the mode this run was asked for."""
    os.fchmod(fd, mode & ~_UMASK)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()
"""Read once: setting the umask to read it is process-wide, and files are written from a
thread while the next handout renders."""


def inside(folder: Path, name: str) -> Path:
    """``folder/name``, refusing any name that would land outside ``folder``."""
    target = (folder / name).resolve()
    if not target.is_relative_to(folder.resolve()) or target == folder.resolve():
        raise HandoutsError(f"refusing to write '{name}': it would land outside {folder}")
    return folder / name
