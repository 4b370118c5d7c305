"""What every video backend takes and returns, with the same argument names everywhere (the diffusers way).

A backend is one class in one file that follows ``VideoBackend``: it says what it can make (``tasks``), its
defaults (size, fps, steps) and what identifies its pixels (``cache_identity``), may shape a shot's request
(``prepare``), validates (``check_inputs``) and runs (``__call__(request, *, progress=None, cancel=None)``).
It is registered by name in ``pipelines.video.backends``. The orchestration in ``pipelines.shots`` builds
requests from shots and never compares backend names. This module imports no torch: the still-image backend
and the shot cache use it on machines without one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from studio.backends import VideoBackendName
from studio.errors import ProjectValidationError, RenderCancelled
from studio.project.model import CameraMove, Language, ShotSource
from studio.project.presets import PlatformPreset
from studio.settings import Settings
from studio.values import choice, whole

if TYPE_CHECKING:
    from pipelines.video.runtime import PipelineRegistry

Progress = Callable[[int, int], None]  # (steps done, steps in all), like the compositor's frames
Cancel = Callable[[], bool]

logger = logging.getLogger("pipelines.video")


class VideoTask(StrEnum):
    TEXT = "text"  # text-to-video
    IMAGE = "image"  # image-to-video: ``image`` is the first frame
    CLIP = "clip"  # video-to-video restyle of ``video``
    # Extending: ``video`` is the clip so far and ``num_frames`` how many new frames to add; the result is the
    # whole longer clip, joined without a seam (how much of the clip conditions the new frames is the backend's).
    EXTEND_FORWARD = "extend_forward"  # new frames follow the clip's end
    EXTEND_BACKWARD = "extend_backward"  # new frames lead into the clip's start
    # From ``image`` (first frame) to ``last_image`` (last frame): a bridge shot between its neighbours, or an image
    # shot that ends on the next shot's picture (``Shot.ends_on_next``: its keyframe first, that picture last).
    BRIDGE = "bridge"


@dataclass(frozen=True)
class VideoOptions:
    """How to generate shots. ``None`` means the backend's (or the settings') default."""

    backend: VideoBackendName = VideoBackendName.AUTO
    model: str | None = None  # LTX: every kind of shot; Wan: text and restyle shots
    image_model: str | None = None  # Wan image-to-video model
    bridge_model: str | None = None  # Wan first-last-frame model
    width: int | None = None
    height: int | None = None
    frames: int | None = None  # overrides the count derived from each shot's length
    steps: int | None = None
    guidance_scale: float | None = None
    fps: float | None = None
    strength: float = 0.7  # restyle: how far from the user's clip
    media_dir: Path | None = None  # where the project links its generated files (default <root>/shots)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "backend", VideoBackendName(self.backend or VideoBackendName.AUTO))
        except ValueError:
            raise ProjectValidationError(f"unknown video backend {self.backend!r}; choose one of: "
                                         f"{', '.join(VideoBackendName)}") from None
        for name in ("width", "height", "frames", "steps"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value <= 0):
                raise ProjectValidationError(f"{name} must be a positive number, not {value}")
        if (self.width is None) != (self.height is None):
            raise ProjectValidationError("give both the width and the height of the video, or neither")

    @classmethod
    def from_values(cls, backend: Any = None, model: Any = None, steps: Any = None, width: Any = None,
                    height: Any = None, frames: Any = None, *, settings: Settings, visitor: bool,
                    media_dir: Path | None = None) -> VideoOptions:
        """The one parser of video options, for every face: form fields, API arguments and CLI flags alike.

        Blank, ``None`` and 0 mean the default. A model named by a visitor (the UI, the API) is checked as one
        (``STUDIO_VISITOR_MODELS``: by default they cannot name one; never a folder on the server); the
        operator's (the CLI) must be a hub id or a model folder.
        """
        from studio.safety.inputs import check_model_ref, visitor_model

        model = (model or "").strip() or None
        if visitor:
            model = visitor_model(model, settings)
        elif model is not None:
            check_model_ref(model, what="video model")
        def count(what: str, value: Any) -> int | None:
            return whole(what, value, zero_is_default=True)

        return cls(backend=choice("video backend", VideoBackendName, backend, VideoBackendName.AUTO), model=model,
                   steps=count("steps", steps), width=count("width", width), height=count("height", height),
                   frames=count("frames", frames), media_dir=media_dir)


ALL_TASKS = frozenset(VideoTask)


@dataclass(frozen=True)
class VideoRequest:
    """One generation. Images are PIL images; ``video`` is a list of them (the conditioning clip)."""

    task: VideoTask
    prompt: str
    negative_prompt: str = ""
    width: int = 576
    height: int = 1024
    num_frames: int = 97
    fps: float = 24.0
    num_inference_steps: int = 8
    guidance_scale: float | None = None  # None: the model's own default
    seed: int = 0
    image: Any = None
    last_image: Any = None
    video: list[Any] | None = None
    strength: float = 0.7  # how far a restyle may move from the source clip
    camera_move: str = "auto"  # still-image motion only
    title: str = ""  # still-image motion only: text of a title card
    # Pictures of the characters the shot shows (PIL images), for a backend whose ``uses_references`` says it
    # reads them; empty for every other backend, so they never reach a cache key they cannot change.
    references: tuple[Any, ...] = ()

    def with_(self, **changes: Any) -> VideoRequest:
        return replace(self, **changes)


@dataclass(frozen=True)
class VideoResult:
    """Frames as RGB PIL images at ``width`` x ``height``; a still backend returns one frame and ``still``."""

    frames: list[Any]
    fps: float
    width: int
    height: int
    seed: int
    backend: str
    model: str
    steps: int = 0
    still: bool = False
    draft: bool = False
    notes: tuple[str, ...] = field(default=())  # roundings and fallbacks, for the user


@dataclass(frozen=True)
class ModelLimits:
    """Sizes and frame counts one model accepts: multiples, the k*t+1 frame rule and the longest clip."""

    size_multiple: int
    frame_step: int  # frames must be k * frame_step + 1
    max_frames: int
    max_side: int = 2048


def round_to_multiple(value: int, multiple: int) -> int:
    return max(multiple, int(round(value / multiple)) * multiple)


def round_frames(value: int, step: int, max_frames: int) -> int:
    """The nearest k*step+1 frame count, at least step+1 and at most ``max_frames`` (itself k*step+1)."""
    top = (max_frames - 1) // step * step + 1
    k = max(1, int(round((value - 1) / step)))
    return min(k * step + 1, top)


def check_size_and_frames(request: VideoRequest, limits: ModelLimits,
                          who: str) -> tuple[VideoRequest, tuple[str, ...]]:
    """Validate and round a request to what the model accepts; every rounding is logged with before/after."""
    for name in ("width", "height", "num_frames", "num_inference_steps"):
        value = getattr(request, name)
        if not isinstance(value, int) or value <= 0:
            raise ValueError(f"{who}: {name} must be a positive integer, got {value!r}")
    if request.fps <= 0:
        raise ValueError(f"{who}: fps must be positive, got {request.fps!r}")
    if max(request.width, request.height) > limits.max_side:
        raise ValueError(f"{who}: {request.width}x{request.height} is larger than this model's "
                         f"{limits.max_side} px side; ask for a smaller --video-size")
    if not request.prompt.strip() and request.task is VideoTask.TEXT:
        raise ValueError(f"{who}: a text-to-video shot needs a visual prompt")
    width = round_to_multiple(request.width, limits.size_multiple)
    height = round_to_multiple(request.height, limits.size_multiple)
    frames = round_frames(request.num_frames, limits.frame_step, limits.max_frames)
    notes = []
    if (width, height) != (request.width, request.height):
        notes.append(f"{who}: size {request.width}x{request.height} -> {width}x{height} "
                     f"(multiples of {limits.size_multiple})")
    if frames != request.num_frames:
        notes.append(f"{who}: frames {request.num_frames} -> {frames} "
                     f"({limits.frame_step}k+1, at most {limits.max_frames})")
    for note in notes:
        logger.info(note)
    return request.with_(width=width, height=height, num_frames=frames), tuple(notes)


class _Cancelled(Exception):
    """Raised inside the denoising loop to stop at once (no VAE decode of a cancelled shot)."""


class StepReporter:
    """The ``callback_on_step_end`` of a diffusers pipeline: progress per step, cancel between steps.

    Cancelling sets the pipeline's documented ``_interrupt`` flag and raises, so the remaining
    steps and the VAE decode (seconds on a GPU) are skipped; ``run`` turns that into RenderCancelled.
    """

    def __init__(self, total: int, progress: Progress | None, cancel: Cancel | None):
        self.total = total
        self.progress = progress
        self.cancel = cancel
        self.steps = 0

    def __call__(self, pipe: Any, step: int, timestep: Any, callback_kwargs: dict) -> dict:
        self.steps = step + 1
        if self.progress is not None:
            self.progress(min(self.steps, self.total), self.total)
        if self.cancel is not None and self.cancel():
            pipe._interrupt = True
            raise _Cancelled
        return callback_kwargs

    def run(self, call: Callable[[], Any]) -> Any:
        if self.cancel is not None and self.cancel():
            raise RenderCancelled("generation was cancelled before it started; nothing was written")
        try:
            return call()
        except _Cancelled:
            raise RenderCancelled(f"generation was cancelled after step {self.steps} of {self.total}; "
                                  "nothing was written") from None


def frames_to_pil(frames: Any) -> list[Any]:
    """A pipeline's ``.frames[0]`` (numpy float array in 0..1, or PIL images) as RGB PIL images."""
    from PIL import Image

    if isinstance(frames, list) and frames and isinstance(frames[0], Image.Image):
        return [f.convert("RGB") for f in frames]
    import numpy as np

    array = np.asarray(frames)
    if array.dtype != np.uint8:
        array = (np.clip(array, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return [Image.fromarray(f) for f in array]


def frames_for(duration_ms: int, fps: float) -> int:
    """The frames that cover ``duration_ms`` at ``fps``, the first and the last included."""
    return max(1, int(round(duration_ms * fps / 1000))) + 1


@dataclass(frozen=True)
class VideoDefaults:
    """A backend's own choices when the user makes none: frame size, frame rate (0: a still) and steps."""

    width: int
    height: int
    fps: float
    steps: int


@dataclass(frozen=True)
class ShotSpec:
    """What a backend may want to know about the shot a request is for, beyond the request itself."""

    index: int  # 0-based position in the storyboard
    duration_ms: int
    camera_move: CameraMove
    visual_prompt: str  # the shot's own description, without the bible
    language: Language  # the project's (resolved): a draft's card is written in it
    source: ShotSource
    clip_fps: float  # the frame rate of the clip being made (the preset's, unless the user chose one)
    # An image shot that should end on the next shot's picture: its request comes as a BRIDGE (keyframe first, the
    # next picture last); a backend that cannot pin a last frame turns it back into an IMAGE shot in ``prepare``.
    ends_on_next: bool = False


class VideoBackend(Protocol):
    """One video backend. ``pipelines.shots`` talks to every backend through these members only."""

    name: VideoBackendName
    model: str  # what made the pixels, for the shot's render record
    draft: bool  # True: a draft (still-image motion), never footage
    tasks: frozenset[VideoTask]  # what it can make; a user clip it cannot restyle is kept as it is

    @classmethod
    def from_options(cls, options: VideoOptions, settings: Settings,
                     pipelines: PipelineRegistry) -> VideoBackend:
        """Build it for these options; refuse (a StudioError) a model this machine cannot run, before loading."""
        ...

    def defaults(self, preset: PlatformPreset) -> VideoDefaults: ...

    def cache_identity(self) -> dict[str, Any]:
        """What identifies its pixels besides the request: model weights, device, dtype."""
        ...

    def prepare(self, request: VideoRequest, shot: ShotSpec) -> tuple[VideoRequest, dict[str, Any]]:
        """Shape a shot's request for this backend; returns it and what to add to the shot's cache key."""
        ...

    def uses_references(self, request: VideoRequest) -> bool:
        """Whether this request would be made with the shot's character pictures (``references``): only then
        are they loaded and their pixels put in the cache key."""
        ...

    def check_inputs(self, request: VideoRequest) -> tuple[VideoRequest, tuple[str, ...]]: ...

    def __call__(self, request: VideoRequest, *, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> VideoResult: ...
