"""What every video backend takes and returns, with the same argument names everywhere (the diffusers way).

A backend is one class in one file with ``check_inputs(request) -> request`` and
``__call__(request, *, progress=None, cancel=None) -> VideoResult``. The orchestration in
``pipelines.shots`` builds requests from shots and never needs to know which backend it talks to.
This module imports no torch: the still-image backend and the shot cache use it on machines
without one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from studio.errors import RenderCancelled

Progress = Callable[[int, int], None]  # (steps done, steps in all), like the compositor's frames
Cancel = Callable[[], bool]

logger = logging.getLogger("pipelines.video")


class VideoTask(StrEnum):
    TEXT = "text"  # text-to-video
    IMAGE = "image"  # image-to-video: ``image`` is the first frame
    CLIP = "clip"  # video-to-video restyle of ``video``
    EXTEND_FORWARD = "extend_forward"  # ``video`` is the clip so far; new frames follow its end
    EXTEND_BACKWARD = "extend_backward"  # ``video`` is the clip so far; new frames lead into its start
    BRIDGE = "bridge"  # from ``image`` (first frame) to ``last_image`` (last frame)


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
