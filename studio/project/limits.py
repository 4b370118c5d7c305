"""Server limits that sit above the file format's own ceilings: shots per project, total length, jobs per user.

The project model caps what a file may hold (``MAX_SHOTS``, ``MAX_SHOT_MS``); these limits are the operator's
(``STUDIO_MAX_SHOTS``, ``STUDIO_MAX_TOTAL_S``, ``STUDIO_MAX_JOBS_PER_USER``), so they take ``Settings`` and are
checked where a project enters the studio (a project file, the quick media path) and before a job starts.
Media limits (size, pixels, clip seconds) are in ``studio.media``, where every file is probed.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from studio.errors import LimitError
from studio.project.model import Project
from studio.settings import Settings


def check_project_limits(project: Project, settings: Settings) -> Project:
    """The project, unchanged, when its shot count and total length are within the settings; else LimitError."""
    shots = project.shots
    if len(shots) > settings.max_shots:
        raise LimitError(f"the project has {len(shots)} shots; this studio takes at most {settings.max_shots} "
                         "(STUDIO_MAX_SHOTS)")
    total_ms = sum(shot.duration_ms for shot in shots)
    if total_ms > settings.max_total_s * 1000:
        raise LimitError(f"the project's shots add up to {total_ms / 1000:.0f} s; this studio takes at most "
                         f"{settings.max_total_s} s (STUDIO_MAX_TOTAL_S)")
    return project


class JobQuota:
    """How many jobs each user (a browser or API session) runs at once; the next one is refused, not queued.

    ``with quota.hold(user):`` around a job; thread-safe, so Gradio's worker threads can share one quota.
    """

    def __init__(self, limit: int) -> None:
        if limit <= 0:
            raise ValueError("the job limit must be positive")
        self.limit = limit
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> JobQuota:
        return cls(settings.max_jobs_per_user)

    def running(self, user: str) -> int:
        with self._lock:
            return self._running.get(user, 0)

    @contextlib.contextmanager
    def hold(self, user: str) -> Iterator[None]:
        with self._lock:
            count = self._running.get(user, 0)
            if count >= self.limit:
                raise LimitError(f"you already have {count} job(s) running; wait for one to finish or stop it "
                                 f"(at most {self.limit} at once, STUDIO_MAX_JOBS_PER_USER)")
            self._running[user] = count + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._running.get(user, 1) - 1
                if left > 0:
                    self._running[user] = left
                else:
                    self._running.pop(user, None)


__all__ = ["JobQuota", "check_project_limits"]
