"""Scratch files of unfinished work: named after the process that owns them, swept after a crash.

Every render writes under a dot-name beside its final path (``.NAME.<owner>.XXXX.partial.mp4``, a
``.OUT.mp4.<owner>.XXXX.render`` job folder) and moves the finished file into place, so a killed process
leaves at most such scratch, never half a file at a path a project points to. ``<owner>`` is ``p<pid>s<start>``
(the process's start time in clock ticks since boot, from ``/proc``), so after a restart scratch whose owner is
gone is told apart from scratch that a live process is still writing, even when the pid was reused. Scratch
without an owner (``write_atomic``'s, ``link_or_copy``'s) is swept once it is older than ``STALE_AGE_S``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import time
from pathlib import Path

STALE_AGE_S = 3600.0  # scratch without an owner: no writer takes this long over one small file
_OWNER = re.compile(r"\.p(\d+)s(\d+)\.")


def _start_ticks(pid: int) -> int | None:
    """The process's start time (field 22 of /proc/<pid>/stat), None when it does not exist (or no /proc)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    return int(raw[raw.rindex(b")") + 2:].split()[19])


def owner_tag() -> str:
    """This process as a name part: ``p<pid>s<start ticks>`` (``s0`` where /proc is missing)."""
    pid = os.getpid()
    return f"p{pid}s{_start_ticks(pid) or 0}"


def _owner_alive(pid: int, start: int) -> bool:
    ticks = _start_ticks(pid)
    if ticks is not None:
        return start == 0 or ticks == start
    if Path("/proc/self/stat").exists():
        return False  # /proc works and has no such process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def is_scratch(name: str) -> bool:
    return name.startswith(".") and (".partial" in name or name.endswith(".render"))


def is_stale(path: Path, now: float | None = None, max_age_s: float = STALE_AGE_S) -> bool:
    """Scratch whose owner process is gone, or ownerless scratch older than ``max_age_s``."""
    if not is_scratch(path.name):
        return False
    match = _OWNER.search(path.name)
    if match is not None:
        return not _owner_alive(int(match[1]), int(match[2]))
    try:
        return (now or time.time()) - path.lstat().st_mtime > max_age_s
    except OSError:
        return False


def sweep_stale(folder: Path, *, prefix: str = ".", recursive: bool = False,
                max_age_s: float = STALE_AGE_S) -> list[Path]:
    """Remove the stale scratch in ``folder`` (and below it with ``recursive``) whose name starts with
    ``prefix``; returns what went. In a folder that is not the studio's own (an output folder), pass the
    output's ``.<stem>.`` so nobody else's hidden files are looked at.

    Final files are never touched: only dot-names marked as scratch. A missing folder sweeps nothing."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    now, removed = time.time(), []
    pattern = f"{glob.escape(prefix)}*"
    entries = folder.rglob(pattern) if recursive else folder.glob(pattern)
    for path in list(entries):
        if not is_stale(path, now, max_age_s):
            continue
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
    return removed


def fsync_file(path: Path) -> None:
    """Flush a finished file's bytes to disk before it is renamed into place (a rename can outlive them)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable; best effort (some file systems refuse directory fsync)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


__all__ = ["STALE_AGE_S", "fsync_dir", "fsync_file", "is_scratch", "is_stale", "owner_tag", "sweep_stale"]
