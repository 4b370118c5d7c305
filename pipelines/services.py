"""What one process holds and every action needs: the settings, the script writers and every loaded model.

Built once per process (the app, one CLI run, a batch, later a Ray worker) and passed down explicitly, never
kept in a global: a local script model or a 10 GB video model loads once however many storyboards, prompts,
batch items and shots use it. Voice, image and scoring services join here as they arrive, each one a service
of its kind built on a registry of backends (``pipelines.registry``).
"""

from __future__ import annotations

from pipelines.script.writers import ScriptWriters
from pipelines.video.backends import VideoBackends
from studio.settings import Settings


class Services:
    """The process's services. ``scripts`` writes storyboards and prompts; ``video`` builds video backends on
    its one registry of loaded pipelines."""

    def __init__(self, settings: Settings, *, scripts: ScriptWriters | None = None,
                 video: VideoBackends | None = None):
        self.settings = settings
        self.scripts = scripts if scripts is not None else ScriptWriters(settings)
        self.video = video if video is not None else VideoBackends(settings)
