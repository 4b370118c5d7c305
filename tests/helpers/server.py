"""The studio as a real process: ``python app.py --port P`` with its own data folder, in its own process
group (so it can be SIGKILLed whole, ffmpeg children included), and the summed RSS of its process tree
sampled from ``/proc`` (used by tests/test_crash.py, tests/test_concurrency.py and bench/load.py)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from tests.helpers.net import free_port

ROOT = Path(__file__).resolve().parents[2]
_PAGE = os.sysconf("SC_PAGE_SIZE")


def studio_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The offline studio: template script writer, no hub, no analytics, one thread per torch op."""
    env = dict(os.environ)
    for name in ("STUDIO_LLM_URL", "STUDIO_SHOT_CACHE_DIR", "STUDIO_VIDEO_BACKEND", "STUDIO_HOST", "STUDIO_PORT"):
        env.pop(name, None)
    env.update(HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", STUDIO_DATA_DIR=str(data_dir),
               STUDIO_SCRIPT_BACKEND="template", STUDIO_SCRIPT_MODEL=str(data_dir / "no-model"),
               OMP_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1", **extra)
    return env


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a command from the repository root in a new process group, its output into ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def kill_group(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal the process group we started (the process and every child it spawned), then reap it."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class AppProcess:
    """``python app.py --port P`` on ``data_dir``; ``url`` answers once ``start`` returns."""

    def __init__(self, data_dir: Path, log: Path, **env: str):
        self.data_dir = Path(data_dir)
        self.log = log
        self.env = studio_env(self.data_dir, **env)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout_s: float = 90.0) -> AppProcess:
        self.proc = spawn([sys.executable, "app.py", "--port", str(self.port)], self.env, self.log)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as reply:
                    if reply.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"app.py did not serve {self.url} within {timeout_s:g} s")

    def kill(self) -> None:
        """kill -9 of the whole process group: no clean-up code of ours runs."""
        if self.proc is not None:
            kill_group(self.proc, signal.SIGKILL)

    def stop(self) -> None:
        if self.proc is not None:
            kill_group(self.proc, signal.SIGTERM)

    def __enter__(self) -> AppProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def process_table() -> dict[int, tuple[int, str, int]]:
    """pid -> (ppid, comm, rss bytes), read from /proc/<pid>/stat (this kernel has no /proc/.../children).
    Shared with bench/compose.py, which names the processes in its memory split."""
    table: dict[int, tuple[int, str, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                raw = handle.read()
        except OSError:
            continue
        close = raw.rindex(b")")
        comm = raw[raw.index(b"(") + 1:close].decode("utf-8", "replace")
        fields = raw[close + 2:].split()
        table[int(entry.name)] = (int(fields[1]), comm, int(fields[21]) * _PAGE)
    return table


def process_tree(root_pid: int, table: dict[int, tuple[int, str, int]]) -> list[int]:
    """``root_pid`` and all its descendants that are in ``table`` (from ``process_table``)."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    tree, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        if pid in table:
            tree.append(pid)
            todo.extend(children.get(pid, ()))
    return tree


def _pss(pid: int, rss: int) -> int:
    """A process's proportional set size in bytes (``Pss`` of /proc/<pid>/smaps_rollup), its RSS where unreadable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return rss


def _address_space(pid: int) -> tuple[bytes, ...] | None:
    """Where a process's code and stack start and end (fields 26-28 of /proc/<pid>/stat): equal for a child that
    still runs in its parent's address space (forked or vforked, not yet exec'd)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            raw = handle.read()
    except OSError:
        return None
    fields = raw[raw.rindex(b")") + 2:].split()
    return tuple(fields[23:26])


def tree_pss(root_pid: int) -> int:
    """The memory of ``root_pid`` and all its descendants (ffmpeg children included), in bytes: each process's
    proportional set size, so pages two processes share count once, and a child still in its parent's address
    space not at all. Summed RSS counted the server twice whenever it had started a child (ffmpeg) that had not
    yet exec'd: subprocess vforks, so the child reports the server's whole memory as its own, and on a loaded
    machine that window is long enough to be sampled (a 700 MiB server read as 1.1-1.4 GiB)."""
    table = process_table()
    tree = process_tree(root_pid, table)
    total = 0
    for pid in tree:
        ppid, comm = table[pid][0], table[pid][1]
        if pid != root_pid and ppid in table and table[ppid][1] == comm and \
                _address_space(pid) == _address_space(ppid) is not None:
            continue  # its parent's memory, not its own: it has not exec'd its program yet
        total += _pss(pid, table[pid][2])
    return total


class MemorySampler(threading.Thread):
    """The peak of ``tree_pss(root_pid)`` sustained over ``window`` samples (every ``interval_s``) until ``stop``.

    A sample is the smallest of the last ``window`` readings, so a reading that lasts less than the window (a child
    caught between starting and exec'ing its program, which on a loaded machine can still count the server twice)
    is not a peak; jobs escaping their queue or a leak hold their memory for seconds and are."""

    def __init__(self, root_pid: int, interval_s: float = 0.05, window: int = 5):
        super().__init__(name="memory-sampler", daemon=True)
        self.root_pid, self.interval_s, self.window = root_pid, interval_s, window
        self.peak_bytes = self.samples = 0
        self._done = threading.Event()

    def run(self) -> None:
        recent: list[int] = []
        while not self._done.is_set():
            recent = [*recent[1 - self.window:], tree_pss(self.root_pid)]
            if len(recent) == self.window:
                self.peak_bytes = max(self.peak_bytes, min(recent))
            self.samples += 1
            self._done.wait(self.interval_s)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak_bytes

    @property
    def peak_mb(self) -> float:
        return self.peak_bytes / 2**20
