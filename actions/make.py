"""One idea to a clip (``make``), and many ideas to one draft each (``batch``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from pipelines.batch import BatchDefaults, BatchItem, BatchProgress, BatchResult, run_batch, run_batch_text
from pipelines.make import MakeOptions, MakeProgress, MakeResult, make_short
from pipelines.narration import NarrationOptions, NarrationResult
from pipelines.script.contract import Cancel, ScriptRequest
from pipelines.services import Services
from pipelines.video.contract import VideoOptions
from studio.project.model import Project


def make(services: Services, request: ScriptRequest, video: VideoOptions, options: MakeOptions,
         output: str | Path, *, progress: MakeProgress | None = None, cancel: Cancel | None = None) -> MakeResult:
    """Idea to ``output`` (an .mp4) and its sidecars: storyboard, project, shots, compose, in that order; the
    project file beside it is saved before any generation and after every stage (``pipelines.make``)."""
    return make_short(request, output, video, services, options=options, progress=progress, cancel=cancel)


def batch(services: Services, ideas: Sequence[BatchItem] | str, out_dir: str | Path, *,
          defaults: BatchDefaults = BatchDefaults(), video: VideoOptions | None = None,
          progress: BatchProgress | None = None, cancel: Cancel | None = None,
          ideas_in_flight: int = 1) -> BatchResult:
    """One draft per idea into ``out_dir``, resumable, with a summary; ``ideas`` is a parsed list (a file the
    operator named) or pasted text (one idea a line, or CSV with an ``idea`` header). ``ideas_in_flight`` ideas
    are made at once (on a Ray cluster)."""
    if isinstance(ideas, str):  # a visitor's text: its music column may name bundled tracks only
        return run_batch_text(ideas, out_dir, services, defaults=defaults, video_options=video, progress=progress,
                              cancel=cancel)
    return run_batch(ideas, out_dir, services, defaults=defaults, video_options=video, progress=progress,
                     cancel=cancel, ideas_in_flight=ideas_in_flight)


def narrate(services: Services, project: Project, root: str | Path, options: NarrationOptions, *,
            progress: Callable[[int, int], None] | None = None, cancel: Cancel | None = None) -> NarrationResult:
    """Speak the project's voice-over lines (every shot's, or ``options.only``), time their words on the captions
    and fit the shots to them; speech goes into ``root/<options.folder>`` and is cached there (``pipelines.
    narration``). The caller saves the returned project."""
    from pipelines.narration import narrate as narrate_project

    return narrate_project(services, project, Path(root), options, progress=progress, cancel=cancel)
