"""Where shots render: in this process, or on a Ray cluster when ``STUDIO_RAY_ADDRESS`` is set.

``make_runner`` is the one place that decides; Ray is imported only when the setting asks for it (a studio without
the setting never loads it, whether it is installed or not). See ``pipelines.cluster.contract`` for the seam.
"""

from __future__ import annotations

import importlib.util

from pipelines.cluster.contract import ShotJob, ShotRunner, StoredShot
from pipelines.video.backends import VideoBackends
from studio.errors import ClusterError
from studio.settings import Settings


def ray_installed() -> bool:
    """Whether Ray could be used, without importing it (about a second and 70 MB)."""
    return importlib.util.find_spec("ray") is not None


def make_runner(settings: Settings, video: VideoBackends) -> ShotRunner:
    """The in-process runner, or the Ray runner connected to ``settings.ray_address``."""
    if not settings.ray_address:
        from pipelines.cluster.local import InProcessRunner

        return InProcessRunner(settings, video)
    if not ray_installed():
        raise ClusterError('STUDIO_RAY_ADDRESS is set but Ray is not installed: pip install "shortstudio[ray]"')
    from pipelines.cluster.ray_runner import RayRunner

    return RayRunner(settings, video)


__all__ = ["ShotJob", "ShotRunner", "StoredShot", "make_runner", "ray_installed"]
