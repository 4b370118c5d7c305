"""Where shots run: the one seam between the shot orchestration and the machines that render.

``pipelines.shots`` plans every shot (its request, its cache key, prompt safety) and hands the shots that are not in
the cache to a ``ShotRunner``, which renders them and returns where each finished clip is. Runners:

    in process  ``pipelines.cluster.local.InProcessRunner``: today's path, one shot after another
    Ray         ``pipelines.cluster.ray_runner.RayRunner`` (``STUDIO_RAY_ADDRESS``): GPU backends on one actor per
                (backend, models) that holds the loaded pipeline, still drafts as CPU tasks with retries

Both render a shot through ``render_and_store``: look in the cache first (a retried shot whose first attempt
finished is not rendered twice), generate with progress and cancel per step, store atomically, return the path.
Clips travel by path, never as bytes: the cache folder is on storage every worker shares.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pipelines.video.contract import Cancel, VideoBackend, VideoOptions, VideoRequest
from studio.errors import GenerationError, RenderCancelled
from studio.project.model import ShotRender
from studio.settings import Settings

if TYPE_CHECKING:
    from pipelines.shot_cache import ShotCache


@dataclass(frozen=True)
class ShotJob:
    """One shot to render: its request (already checked for safety) and its cache key."""

    index: int  # 0-based position in the storyboard, for messages and progress
    shot_id: str
    key: str
    request: VideoRequest

    @property
    def where(self) -> str:
        return f"shot {self.index + 1}"


@dataclass(frozen=True)
class StoredShot:
    """A finished shot in the cache: ``status`` is "generated", or "cached" when a retried attempt found the entry
    its first attempt had finished."""

    media: Path
    render: ShotRender
    status: str
    notes: tuple[str, ...] = ()
    worker: str = ""  # where it ran: "this process", or the Ray node and process


JobProgress = Callable[[ShotJob, int, int], None]  # (job, steps done, steps in all)


class ShotRunner(Protocol):
    """Renders shots somewhere. ``pipelines.shots`` talks to every runner through these members only."""

    cache_root: Path  # the shot cache's folder, as this process sees it

    def describe(self) -> str:
        """Where shots render, in one sentence (the doctor's report and the UI's This machine tab)."""
        ...

    def backend(self, options: VideoOptions) -> VideoBackend:
        """The backend to plan shots with: its defaults, cache identity, ``prepare`` and ``check_inputs`` are those
        of the machine that will render (a Ray worker's GPU, not this process's CPU)."""
        ...

    def run(self, backend: VideoBackend, jobs: Sequence[ShotJob], *, progress: JobProgress | None = None,
            cancel: Cancel | None = None) -> Iterator[tuple[ShotJob, StoredShot]]:
        """Render ``jobs`` (independent of each other), yielding each as it finishes, in any order. Cancel stops
        running shots at their next step and starts no more; it raises ``RenderCancelled``."""
        ...


def render_and_store(backend: VideoBackend, job: ShotJob, cache: ShotCache, settings: Settings, *,
                     progress: Callable[[int, int], None] | None = None, cancel: Cancel | None = None,
                     worker: str = "this process") -> StoredShot:
    """One shot on this machine: from the cache when an earlier attempt finished it, else generated and stored."""
    hit = cache.lookup(job.key)
    if hit is not None:
        return StoredShot(hit[0], hit[1], "cached", worker=worker)
    if cancel is not None and cancel():
        raise RenderCancelled("generation was cancelled; finished shots are kept in the shot cache")
    try:
        result = backend(job.request, progress=progress, cancel=cancel)
    except ValueError as err:  # check_inputs: bad size, frames, missing source
        raise GenerationError(f"{job.where}: {err}") from None
    media, render = cache.store(job.key, result, settings)
    return StoredShot(media, render, "generated", tuple(f"{job.where}: {n}" for n in result.notes), worker)


def process_label() -> str:
    return f"{os.uname().nodename} pid {os.getpid()}"


__all__ = ["JobProgress", "ShotJob", "ShotRunner", "StoredShot", "render_and_store"]
