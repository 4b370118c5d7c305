"""Shots on a Ray cluster (``STUDIO_RAY_ADDRESS``): the only module of the studio that imports Ray.

    GPU backends (LTX, Wan)  one ``ShotWorker`` actor per (backend, models) and replica, ``num_gpus=1`` and an
                             explicit ``num_cpus``, holding the backend with its loaded pipelines (loaded once per
                             actor); restarted when its process dies, the interrupted shot retried on the new one
    still drafts (CPU)       one Ray task per shot, ``max_retries`` when its worker process dies
    clips                    written by the worker into the shot cache on storage every worker shares
                             (``STUDIO_SHARED_DIR``), atomically; only the path comes back. A retried shot whose
                             first attempt finished finds it there and is not rendered again
    progress and cancel      workers report steps to a small board actor, fire-and-forget; the driver reads it
                             ten times a second and hands each step to the caller. Cancel sets the board's flag
                             for the run (checked before a shot starts and at every step) and ``ray.cancel``s the
                             running calls. Nothing is ever queued on a busy actor: the driver hands a shot only to
                             an idle one (a call queued on an actor still runs after ``ray.cancel``)

How the recipes measured it, and why each choice: ``shared/recipes/ray_cluster/REPORT.md``.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import hashlib
import json
import logging
import os
import socket
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import ray

from pipelines.cluster.contract import JobProgress, ShotJob, StoredShot, process_label, render_and_store
from pipelines.shot_cache import ShotCache
from pipelines.video.backends import VideoBackends
from pipelines.video.contract import Cancel, VideoBackend, VideoOptions
from studio.backends import VideoBackendName
from studio.errors import (
    ClusterAuthError,
    ClusterError,
    ClusterUnreachable,
    GenerationError,
    RenderCancelled,
    SharedStorageError,
    StudioError,
    WorkerLost,
)
from studio.settings import Settings

logger = logging.getLogger("pipelines.cluster")

NAMESPACE = "shortstudio"
ACTOR_RESTARTS = 2  # a GPU worker whose process dies is started again this often (the pipeline loads again) ...
ACTOR_CALL_RETRIES = 2  # ... and the shot it was rendering is tried again on it this often
TASK_RETRIES = 3  # a still shot whose worker process dies is run again this often
POLL_S = 0.1  # how often the driver reads progress and the caller's cancel
SETTLE_S = 60.0  # how long a cancelled run waits for its running shots to stop before giving their actors back
PLACE_S = 900  # how long a new GPU worker may wait for a GPU (a node added on demand takes minutes) and start
BOARD_S = 30  # the board answers in milliseconds; longer means it is gone
PROBE_PREFIX = ".cluster-probe-"


# -- connecting ----------------------------------------------------------------------------------------

def _host_port(address: str) -> tuple[str, int]:
    rest = address.removeprefix("ray://")
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit():
        raise ClusterError(f"STUDIO_RAY_ADDRESS {address!r} is not an address: give local, auto, HOST:PORT or "
                           "ray://HOST:PORT")
    return host.strip("[]"), int(port)


def connect(address: str, timeout_s: float) -> None:
    """Join the cluster at ``address`` (or start one on this machine for ``local``), failing within seconds.

    Ray's own connect retries for minutes when the head does not answer (or answers from an address this machine
    cannot reach), and reports a refused token only in its log, as a "Failed to connect" after 20 s of retries. So a
    remote address is first knocked on with a plain TCP connection, then joined in a thread bounded by
    ``timeout_s`` while Ray's log is read for a refused token."""
    if ray.is_initialized():
        return
    kwargs: dict[str, Any] = {"namespace": NAMESPACE, "log_to_driver": False}
    if address == "local":
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # a cluster on this machine: loopback only
        ray.init(address="local", include_dashboard=False, **kwargs)
        return
    if address != "auto":
        host, port = _host_port(address)
        try:
            socket.create_connection((host, port), timeout=timeout_s).close()
        except OSError as err:
            reason = err.strerror or type(err).__name__
            raise ClusterUnreachable(f"cannot reach the Ray cluster at {address} ({reason}): check "
                                     "STUDIO_RAY_ADDRESS and that the cluster's head is running") from None
    outcome: dict[str, BaseException] = {}

    def join() -> None:
        try:
            ray.init(address=address, **kwargs)
        except BaseException as err:  # noqa: BLE001 -- handed to the caller's thread below
            outcome["error"] = err

    with tempfile.TemporaryFile() as log:
        saved = os.dup(2)
        os.dup2(log.fileno(), 2)  # Ray's core logs to fd 2: a refused token shows only there
        try:
            thread = threading.Thread(target=join, name="ray-connect", daemon=True)
            thread.start()
            deadline = time.monotonic() + timeout_s
            while thread.is_alive() and time.monotonic() < deadline and not _refused(log):
                thread.join(0.2)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        refused = _refused(log)
        logger.debug("Ray's connect log: %s", _read(log))
    if refused or isinstance(outcome.get("error"), ray.exceptions.AuthenticationError):
        raise ClusterAuthError(f"the Ray cluster at {address} refused this studio's token: set RAY_AUTH_MODE=token "
                               "and RAY_AUTH_TOKEN (or RAY_AUTH_TOKEN_PATH) to the cluster's token")
    if thread.is_alive():
        raise ClusterUnreachable(f"the Ray cluster at {address} did not answer within {timeout_s} s "
                                 "(STUDIO_RAY_CONNECT_TIMEOUT_S): check that its head is running and that this "
                                 "machine reaches the address the head gives out")
    error = outcome.get("error")
    if error is not None:
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ClusterUnreachable(f"cannot connect to the Ray cluster at {address}: {text}") from None


_REFUSED = ("InvalidAuthToken", "Unauthenticated", "AuthenticationError")


def _read(log: Any) -> str:
    log.seek(0)
    return log.read().decode("utf-8", "replace")


def _refused(log: Any) -> bool:
    return any(word in _read(log) for word in _REFUSED)


def shared_cache_root(settings: Settings) -> Path:
    """The shot cache on storage every worker shares: ``$STUDIO_SHARED_DIR/shots``; for a cluster on this
    machine (``local``) the studio's own shot cache is shared already."""
    if settings.shared_dir is None:
        if settings.ray_address == "local":
            return Path(settings.shot_cache_dir or settings.data_dir / "shots")
        raise SharedStorageError("STUDIO_RAY_ADDRESS points at a cluster but STUDIO_SHARED_DIR is not set: give a "
                                 "folder that every Ray worker and the studio see at the same path")
    if not settings.shared_dir.is_dir():
        raise SharedStorageError(f"the shared folder {settings.shared_dir} (STUDIO_SHARED_DIR) does not exist "
                                 "here: mount the storage every Ray worker shares at that path")
    return settings.shared_dir / "shots"


_CHECKED: set[tuple[str, str]] = set()  # (cache root, probe) pairs a worker process has checked


def check_storage(root: Path, probe: str) -> None:
    """On a worker: the shot cache is the studio's (its probe file is there) and this worker can write to it."""
    if (str(root), probe) in _CHECKED:
        return
    where = f"the Ray worker on {os.uname().nodename}"
    if not (root / probe).is_file():
        raise SharedStorageError(f"the shot cache {root} on {where} is not the studio's: mount the shared storage "
                                 "at the same path on every node (STUDIO_SHARED_DIR)")
    scratch = root / f".{probe}.{os.getpid()}.partial"
    try:
        scratch.write_bytes(b"ok")
        scratch.unlink()
    except OSError as err:
        raise SharedStorageError(f"the shot cache {root} is not writable on {where}: "
                                 f"{err.strerror or type(err).__name__}") from None
    _CHECKED.add((str(root), probe))


def _worker_cache(root: Path, sweep: bool) -> ShotCache:
    if not sweep:  # scratch names carry a pid of their node: another node must not judge them (see close())
        ShotCache._swept.add(Path(root))
    return ShotCache(root)


# -- what runs on the cluster -------------------------------------------------------------------------

@ray.remote(num_cpus=0)
class Board:
    """Progress and the cancel flag of every run of one studio process: a few bytes per step."""

    def __init__(self) -> None:
        self.events: dict[str, list[tuple[str, int, int, str]]] = {}
        self.cancelled: set[str] = set()

    def report(self, run_id: str, key: str, done: int, total: int, worker: str) -> None:
        if run_id not in self.cancelled:
            self.events.setdefault(run_id, []).append((key, done, total, worker))

    def drain(self, run_id: str) -> list[tuple[str, int, int, str]]:
        return self.events.pop(run_id, [])

    def cancel(self, run_id: str) -> None:
        self.cancelled.add(run_id)

    def is_cancelled(self, run_id: str) -> bool:
        return run_id in self.cancelled

    def forget(self, run_id: str) -> None:
        self.events.pop(run_id, None)
        self.cancelled.discard(run_id)


def _hooks(board: Any, run_id: str, key: str):
    ctx = ray.get_runtime_context()
    worker = process_label()

    def cancel() -> bool:  # ray.cancel reaches a running call; the board's flag reaches everything else
        return ctx.is_canceled() or ray.get(board.is_cancelled.remote(run_id), timeout=BOARD_S)

    def progress(done: int, total: int) -> None:
        board.report.remote(run_id, key, done, total, worker)

    return progress, cancel, worker


@ray.remote(max_restarts=ACTOR_RESTARTS, max_task_retries=ACTOR_CALL_RETRIES)
class ShotWorker:
    """One GPU backend with its pipelines, loaded on the first shot and kept for every shot after it."""

    def __init__(self, settings: Settings, options: VideoOptions, sweep: bool):
        self.settings = settings
        self.options = options
        self.sweep = sweep
        self.video = VideoBackends(settings)
        self._backend: VideoBackend | None = None  # built on the first call: its errors then reach the caller

    def backend(self) -> VideoBackend:
        if self._backend is None:
            self._backend = self.video.backend(self.options)
        return self._backend

    def describe(self, cache_root: str, probe: str) -> dict[str, Any]:
        """The backend's planning half (no pipelines), its cache identity as this machine sees it, and where."""
        check_storage(Path(cache_root), probe)
        backend = self.backend()
        planner = copy.copy(backend)
        if hasattr(planner, "registry"):
            planner.registry = None  # the loaded pipelines stay here
        return {"planner": planner, "identity": backend.cache_identity(), "worker": process_label(),
                "pid": os.getpid(), "gpu_ids": ray.get_gpu_ids()}

    def render(self, job: ShotJob, cache_root: str, probe: str, run_id: str, board: Any) -> StoredShot:
        check_storage(Path(cache_root), probe)
        progress, cancel, worker = _hooks(board, run_id, job.key)
        if cancel():  # handed over just before a cancel
            raise RenderCancelled("generation was cancelled; finished shots are kept in the shot cache")
        return render_and_store(self.backend(), job, _worker_cache(Path(cache_root), self.sweep), self.settings,
                                progress=progress, cancel=cancel, worker=worker)

    def stats(self) -> dict[str, Any]:
        return {"pid": os.getpid(), "loads": self.video.pipelines.loads, "gpu_ids": ray.get_gpu_ids(),
                "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES")}


@ray.remote(num_cpus=1, max_retries=TASK_RETRIES)
def render_still(settings: Settings, options: VideoOptions, job: ShotJob, cache_root: str, probe: str,
                 run_id: str, board: Any, sweep: bool) -> StoredShot:
    """A still-image draft shot: CPU work, a task that Ray runs again when its worker process dies."""
    check_storage(Path(cache_root), probe)
    progress, cancel, worker = _hooks(board, run_id, job.key)
    if cancel():
        raise RenderCancelled("generation was cancelled; finished shots are kept in the shot cache")
    backend = VideoBackends(settings).backend(options)
    return render_and_store(backend, job, _worker_cache(Path(cache_root), sweep), settings, progress=progress,
                            cancel=cancel, worker=worker)


# -- the driver's side ---------------------------------------------------------------------------------

class RemoteBackend:
    """A GPU backend as the driver plans with it: the worker's own planning half and cache identity (its
    device and dtype, not this process's), and the pool of actors that render for it."""

    def __init__(self, planner: VideoBackend, identity: dict[str, Any], pool: _Pool):
        self.planner = planner
        self.identity = identity
        self.pool = pool
        self.name, self.model, self.draft, self.tasks = planner.name, planner.model, planner.draft, planner.tasks

    def defaults(self, preset: Any) -> Any:
        return self.planner.defaults(preset)

    def cache_identity(self) -> dict[str, Any]:
        return dict(self.identity)

    def prepare(self, request: Any, shot: Any) -> Any:
        return self.planner.prepare(request, shot)

    def uses_references(self, request: Any) -> bool:
        return self.planner.uses_references(request)

    def check_inputs(self, request: Any) -> Any:
        return self.planner.check_inputs(request)

    def __call__(self, request: Any, *, progress: Any = None, cancel: Any = None) -> Any:
        raise GenerationError("a shot of a Ray backend renders through its runner, not in the studio's process")


@dataclasses.dataclass
class _Pool:
    """The actors of one (backend, models): at most one call in flight on each (``busy``)."""

    key: str
    options: VideoOptions
    actors: list[Any] = dataclasses.field(default_factory=list)
    busy: set[int] = dataclasses.field(default_factory=set)  # indexes into actors
    pids: dict[int, int] = dataclasses.field(default_factory=dict)
    backend: RemoteBackend | None = None


class RayRunner:
    """Renders shots on the cluster at ``settings.ray_address``; one per studio process (``Services.runner``)."""

    def __init__(self, settings: Settings, video: VideoBackends | None = None, *, actor_cpus: float = 1.0,
                 max_replicas: int | None = None):
        address = settings.ray_address or "local"
        self.settings = settings
        self.address = address
        self.actor_cpus = actor_cpus  # explicit: an actor that names a GPU would otherwise hold a CPU for life
        connect(address, settings.ray_connect_timeout_s)
        self.cache_root = shared_cache_root(settings)
        self.cache_root.mkdir(parents=True, exist_ok=True)
        self.probe = f"{PROBE_PREFIX}{uuid.uuid4().hex[:12]}"  # workers look for it: the same storage, not a copy
        (self.cache_root / self.probe).write_bytes(b"shortstudio\n")
        self.sweep = address == "local"  # one machine: scratch owners are pids of this machine
        if not self.sweep:
            ShotCache._swept.add(self.cache_root)
        resources = ray.cluster_resources()
        self.gpus = int(resources.get("GPU", 0))
        self.cpus = int(resources.get("CPU", 0))
        # a GPU worker asks for a GPU, except on a cluster of this machine that has none (a tiny model on a laptop);
        # a cluster that adds GPU nodes on demand shows none until asked
        self.actor_gpus = 0 if address == "local" and not self.gpus else 1
        limit = max_replicas or settings.ray_gpu_workers
        self.max_replicas = limit if limit is not None else max(1, self.gpus)
        self._driver = uuid.uuid4().hex[:8]
        self._serial = 0
        self._board = Board.options(name=f"board:{self._driver}").remote()
        self._lock = threading.RLock()
        self._pools: dict[str, _Pool] = {}
        self._cpu_slots = threading.BoundedSemaphore(max(1, self.cpus))
        self.pids: dict[str, int] = {}  # shot id -> the process that last reported a step of it

    # -- what the studio shows ----------------------------------------------------------------------

    def describe(self) -> str:
        return (f"shots render on the Ray cluster at {self.address}: {self.gpus} GPUs and {self.cpus} CPUs, the "
                f"shot cache in {self.cache_root}")

    # -- planning -----------------------------------------------------------------------------------

    def _resolve(self, options: VideoOptions) -> VideoOptions:
        name = VideoBackendName(options.backend)
        if name is VideoBackendName.AUTO:
            name = VideoBackendName(self.settings.video_backend)
        if name is VideoBackendName.AUTO:  # the cluster's GPUs decide, not this process's
            name = VideoBackendName.LTX if self.gpus else VideoBackendName.STILL
        return dataclasses.replace(options, backend=name, media_dir=None)

    def backend(self, options: VideoOptions) -> VideoBackend:
        options = self._resolve(options)
        if options.backend is VideoBackendName.STILL:
            return VideoBackends(self.settings).backend(options)  # pure CPU: it plans here, renders as tasks
        pool = self._pool(options)
        return pool.backend

    def _pool(self, options: VideoOptions) -> _Pool:
        fields = {f.name: getattr(options, f.name) for f in dataclasses.fields(options)
                  if f.name in ("backend", "model", "image_model", "bridge_model")}
        key = hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()[:12]
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = _Pool(key, options)
            if pool.backend is None:
                actor = self._new_actor(pool)
                try:
                    info = ray.get(actor.describe.remote(str(self.cache_root), self.probe), timeout=PLACE_S)
                except ray.exceptions.RayError as err:
                    pool.actors.clear()
                    with contextlib.suppress(Exception):
                        ray.kill(actor)
                    if isinstance(err, ray.exceptions.GetTimeoutError):
                        raise ClusterError(f"no GPU of the Ray cluster came free for the {options.backend.value} "
                                           f"model within {PLACE_S} s: every GPU is busy") from None
                    raise _cause(err, None) from None
                pool.pids[0] = info["pid"]
                pool.backend = RemoteBackend(info["planner"], info["identity"], pool)
            return pool

    def _new_actor(self, pool: _Pool) -> Any:
        """Another replica of ``pool``; when every GPU is held, idle actors of other pools give theirs back."""
        if self.actor_gpus and ray.available_resources().get("GPU", 0) < 1:
            for other in self._pools.values():
                if other is not pool and other.actors and not other.busy:
                    for actor in other.actors:
                        ray.kill(actor)
                    other.actors.clear()  # its planner stays: a later shot of that model starts a worker again
                    other.pids.clear()
        self._serial += 1  # never a name reused: a killed actor's name is released later, not at once
        name = f"shots:{pool.options.backend.value}:{pool.key}:{self._serial}:{self._driver}"
        actor = ShotWorker.options(name=name, get_if_exists=True, num_gpus=self.actor_gpus,
                                   num_cpus=self.actor_cpus).remote(self.settings, pool.options, self.sweep)
        pool.actors.append(actor)
        return actor

    # -- rendering ----------------------------------------------------------------------------------

    def _acquire(self, backend: VideoBackend) -> tuple[str, Any] | None:
        """A free slot: ("task", None) for a still shot, ("actor", index) for an idle actor; None when none is."""
        if not isinstance(backend, RemoteBackend):
            return ("task", None) if self._cpu_slots.acquire(blocking=False) else None
        pool = backend.pool
        with self._lock:
            idle = [i for i in range(len(pool.actors)) if i not in pool.busy]
            if not idle and len(pool.actors) < self.max_replicas:
                self._new_actor(pool)
                idle = [len(pool.actors) - 1]
            if not idle:
                return None
            pool.busy.add(idle[0])
            return ("actor", idle[0])

    def _release(self, backend: VideoBackend, slot: tuple[str, Any]) -> None:
        if slot[0] == "task":
            self._cpu_slots.release()
            return
        with self._lock:
            backend.pool.busy.discard(slot[1])

    def _submit(self, backend: VideoBackend, slot: tuple[str, Any], job: ShotJob, run_id: str) -> Any:
        if slot[0] == "task":
            options = VideoOptions(backend=VideoBackendName.STILL)
            return render_still.remote(self.settings, options, job, str(self.cache_root), self.probe, run_id,
                                       self._board, self.sweep)
        actor = backend.pool.actors[slot[1]]
        return actor.render.remote(job, str(self.cache_root), self.probe, run_id, self._board)

    def _pump(self, run_id: str, progress: JobProgress | None, by_key: dict[str, list[ShotJob]]) -> None:
        try:
            events = ray.get(self._board.drain.remote(run_id), timeout=BOARD_S)
        except ray.exceptions.RayError as err:
            raise ClusterError(f"the studio lost its progress board on the Ray cluster ({type(err).__name__}); "
                               "finished shots are kept in the shot cache, so running again continues") from None
        for key, done, total, worker in events:
            for job in by_key.get(key, ()):
                self.pids[job.shot_id] = int(worker.rpartition(" ")[2])
                if progress is not None:
                    progress(job, done, total)

    def run(self, backend: VideoBackend, jobs: Sequence[ShotJob], *, progress: JobProgress | None = None,
            cancel: Cancel | None = None) -> Iterator[tuple[ShotJob, StoredShot]]:
        run_id = uuid.uuid4().hex
        by_key: dict[str, list[ShotJob]] = {}
        for job in jobs:  # two shots that would be the same pixels render once
            by_key.setdefault(job.key, []).append(job)
        pending = deque(group[0] for group in by_key.values())
        inflight: dict[Any, tuple[ShotJob, tuple[str, Any]]] = {}
        try:
            while pending or inflight:
                if cancel is not None and cancel():
                    raise RenderCancelled("generation was cancelled; finished shots are kept in the shot cache")
                while pending:
                    slot = self._acquire(backend)
                    if slot is None:
                        break
                    job = pending.popleft()
                    inflight[self._submit(backend, slot, job, run_id)] = (job, slot)
                if not inflight:
                    time.sleep(POLL_S)
                    continue
                ready, _ = ray.wait(list(inflight), num_returns=1, timeout=POLL_S)
                self._pump(run_id, progress, by_key)
                for ref in ready:
                    job, slot = inflight.pop(ref)
                    self._release(backend, slot)
                    stored = _result(ref, job)
                    for same in by_key[job.key]:
                        yield same, stored
        finally:
            if inflight:  # cancelled, failed, or the caller stopped reading: stop what still runs, then free it
                self._board.cancel.remote(run_id)
                for ref in inflight:
                    ray.cancel(ref)
                ray.wait(list(inflight), num_returns=len(inflight), timeout=SETTLE_S)
                for _job, slot in inflight.values():
                    self._release(backend, slot)
            self._board.forget.remote(run_id)

    # -- for tests, the bench and the doctor ------------------------------------------------------

    def actor_stats(self) -> list[dict[str, Any]]:
        with self._lock:
            actors = [a for pool in self._pools.values() for a in pool.actors]
        # an actor answers between shots: a busy one on a loaded machine may take minutes to finish its step
        return ray.get([a.stats.remote() for a in actors], timeout=PLACE_S)

    def close(self) -> None:
        """Stop this runner's actors (their GPUs go back to the cluster); the cluster itself stays."""
        with self._lock:
            for pool in self._pools.values():
                for actor in pool.actors:
                    with contextlib.suppress(Exception):
                        ray.kill(actor)
            self._pools.clear()
        with contextlib.suppress(Exception):
            ray.kill(self._board)
        with contextlib.suppress(OSError):
            (self.cache_root / self.probe).unlink()


def _cause(err: BaseException, job: ShotJob | None) -> BaseException:
    """What a failed remote call means for the user: the studio's own error as it was raised, else one sentence."""
    where = f"{job.where}: " if job is not None else ""
    if isinstance(err, ray.exceptions.RayTaskError):
        cause = err.cause
        if isinstance(cause, StudioError):
            return cause
        if isinstance(cause, KeyboardInterrupt | ray.exceptions.TaskCancelledError):
            return RenderCancelled("generation was cancelled; finished shots are kept in the shot cache")
        if isinstance(cause, ray.exceptions.RayError):
            return _cause(cause, job)
        return GenerationError(f"{where}the Ray worker failed: {type(cause).__name__}: {cause}")
    if isinstance(err, ray.exceptions.TaskCancelledError):
        return RenderCancelled("generation was cancelled; finished shots are kept in the shot cache")
    return WorkerLost(f"{where}the Ray worker rendering it died more often than its retries allow "
                      f"({type(err).__name__}); finished shots are kept in the shot cache, so running again "
                      "continues")


def _result(ref: Any, job: ShotJob) -> StoredShot:
    try:
        return ray.get(ref)
    except ray.exceptions.RayError as err:
        raise _cause(err, job) from None


__all__ = ["Board", "RayRunner", "RemoteBackend", "ShotWorker", "check_storage", "connect", "render_still",
           "shared_cache_root"]
