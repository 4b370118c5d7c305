"""What one process holds and every action needs: the settings, the script writers and every loaded model.

Built once per process (the app, one CLI run, a batch, later a Ray worker) and passed down explicitly, never
kept in a global: a local script model or a 10 GB video model loads once however many storyboards, prompts,
batch items and shots use it. Voice, image and scoring services join here as they arrive, each one a service
of its kind built on a registry of backends (``pipelines.registry``).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from pipelines.script.writers import ScriptWriters
from pipelines.video.backends import VideoBackends
from pipelines.voice.backends import VoiceBackends
from studio.settings import Settings

if TYPE_CHECKING:
    from pathlib import Path

    from pipelines.cluster.contract import ShotRunner
    from pipelines.image.backends import ImageBackends
    from pipelines.scoring import Scorers
    from pipelines.transcribe.service import Transcribers


class Services:
    """The process's services. ``scripts`` writes storyboards and prompts; ``video`` builds video backends on
    its one registry of loaded pipelines; ``voice`` speaks narration lines (each engine built once)."""

    def __init__(self, settings: Settings, *, scripts: ScriptWriters | None = None,
                 video: VideoBackends | None = None, voice: VoiceBackends | None = None,
                 runner: ShotRunner | None = None, transcriber: Transcribers | None = None):
        self.settings = settings
        self.scripts = scripts if scripts is not None else ScriptWriters(settings)
        self.video = video if video is not None else VideoBackends(settings)
        # cheap: engines load on their first line; estimated word times are aligned when an aligner is here
        self.voice = voice if voice is not None else VoiceBackends(settings, align=self._align)
        self._runner = runner
        self._runner_lock = threading.Lock()
        self._transcriber = transcriber
        self._transcriber_lock = threading.Lock()
        self._image: ImageBackends | None = None
        self._scorers: Scorers | None = None
        self._kinds_lock = threading.Lock()  # image and scoring services, built on first use

    @property
    def runner(self) -> ShotRunner:
        """Where shots render (``pipelines.cluster``): this process, or the Ray cluster of ``STUDIO_RAY_ADDRESS``,
        connected on the first shot, not at start-up."""
        with self._runner_lock:
            if self._runner is None:
                from pipelines.cluster import make_runner

                self._runner = make_runner(self.settings, self.video)
            return self._runner

    def _align(self, audio: Path, text: str, language: str):
        """The forced aligner of the transcription service for the voice service (None without its weights)."""
        from pipelines.transcribe.align import align

        return align(audio, text, language, settings=self.settings, aligner=self.transcriber.aligner)

    @property
    def transcriber(self) -> Transcribers:
        """Speech to text (captions from the creator's voice) and the forced aligner (``pipelines.transcribe``),
        built on first use so start-up imports none of it; each model loads once, on its first recording."""
        with self._transcriber_lock:
            if self._transcriber is None:
                from pipelines.transcribe.service import Transcribers

                self._transcriber = Transcribers(self.settings)
            return self._transcriber

    @property
    def image(self) -> ImageBackends:
        """Keyframe backends (``pipelines.image``), built on first use; they share the video service's registry, so
        a model loads once per process whichever kind of backend asks for it."""
        with self._kinds_lock:
            if self._image is None:
                from pipelines.image.backends import ImageBackends

                self._image = ImageBackends(self.settings, self.video.pipelines)
            return self._image

    @property
    def scorers(self) -> Scorers:
        """The CLIP/SigLIP models that score takes (``pipelines.scoring``), each loaded once, on first use."""
        with self._kinds_lock:
            if self._scorers is None:
                from pipelines.scoring import Scorers

                self._scorers = Scorers(self.settings)
            return self._scorers
