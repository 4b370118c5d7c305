"""The video service: which backend makes a shot, built on the process's one set of loaded pipelines.

``auto`` is LTX on a CUDA GPU and the still-image draft elsewhere (``STUDIO_VIDEO_BACKEND`` can fix it).
Adding a backend: one file with one class that follows ``pipelines.video.contract.VideoBackend``, its name
in ``studio.backends.VideoBackendName`` and one line in ``VIDEO_BACKENDS``. ``pipelines.services.Services``
holds the one ``VideoBackends`` of a process.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipelines.registry import BackendRegistry
from pipelines.video.contract import VideoBackend, VideoOptions
from pipelines.video.runtime import PipelineRegistry
from studio.backends import VideoBackendName
from studio.settings import Settings

VIDEO_BACKENDS: BackendRegistry[VideoBackendName] = BackendRegistry("video", {
    VideoBackendName.LTX: "pipelines.video.ltx:LTXVideoBackend",
    VideoBackendName.WAN: "pipelines.video.wan:WanVideoBackend",
    VideoBackendName.STILL: "pipelines.video.still:StillMotionBackend",
})


def cuda_present() -> bool:
    """Whether CUDA is usable, without importing torch on machines that obviously have no NVIDIA GPU."""
    if "torch" not in sys.modules and not (Path("/proc/driver/nvidia").exists() or Path("/dev/nvidia0").exists()):
        return False
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def resolve(name: VideoBackendName, settings: Settings) -> VideoBackendName:
    """The backend ``name`` stands for here: ``auto`` follows the settings, then the hardware."""
    if name is VideoBackendName.AUTO:
        name = VideoBackendName(settings.video_backend)
    if name is VideoBackendName.AUTO:
        name = VideoBackendName.LTX if cuda_present() else VideoBackendName.STILL
    return name


class VideoBackends:
    """Builds backends for video options; every backend it builds shares ``pipelines`` (loaded once each)."""

    def __init__(self, settings: Settings, pipelines: PipelineRegistry | None = None):
        self.settings = settings
        self.pipelines = pipelines if pipelines is not None else PipelineRegistry()

    def backend(self, options: VideoOptions) -> VideoBackend:
        """The backend for ``options``; a real model this machine cannot run is refused here, before loading."""
        name = resolve(VideoBackendName(options.backend), self.settings)
        return VIDEO_BACKENDS.load(name).from_options(options, self.settings, self.pipelines)
