"""The in-process runner: every shot renders in this process, one after another (the studio without a cluster)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from pipelines.cluster.contract import JobProgress, ShotJob, StoredShot, render_and_store
from pipelines.shot_cache import ShotCache
from pipelines.video.backends import VideoBackends
from pipelines.video.contract import Cancel, VideoBackend, VideoOptions
from studio.settings import Settings


class InProcessRunner:
    """Shots on this machine, with the process's one set of loaded pipelines (``VideoBackends``)."""

    def __init__(self, settings: Settings, video: VideoBackends):
        self.settings = settings
        self.video = video
        self.cache_root = Path(settings.shot_cache_dir or settings.data_dir / "shots")

    def describe(self) -> str:
        return "every shot renders in this process"

    def backend(self, options: VideoOptions) -> VideoBackend:
        return self.video.backend(options)

    def run(self, backend: VideoBackend, jobs: Sequence[ShotJob], *, progress: JobProgress | None = None,
            cancel: Cancel | None = None) -> Iterator[tuple[ShotJob, StoredShot]]:
        cache = ShotCache(self.cache_root)
        for job in jobs:
            def step(done: int, total: int, job: ShotJob = job) -> None:
                if progress is not None:
                    progress(job, done, total)

            yield job, render_and_store(backend, job, cache, self.settings, progress=step, cancel=cancel)


__all__ = ["InProcessRunner"]
