"""What every image (keyframe) backend takes and returns, with diffusers' argument names everywhere.

An image backend is one class in one file that follows ``ImageBackend``: it says how it carries a character's
reference picture (``references``), its defaults for a 9:16 keyframe, what identifies its pixels
(``cache_identity``), validates (``check_inputs``) and runs (``__call__(request, *, progress=None,
cancel=None)``). It is registered by name in ``pipelines.image.backends``. The keyframe flow
(``pipelines.keyframes``) builds requests from shots and never compares backend names. No torch here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from pipelines.video.contract import Cancel, Progress, round_to_multiple
from studio.backends import ImageBackendName
from studio.errors import ProjectValidationError
from studio.settings import Settings

if TYPE_CHECKING:
    from pipelines.video.runtime import PipelineRegistry

logger = logging.getLogger("pipelines.image")


class ReferenceMode(StrEnum):
    """How a backend lets a character's reference picture shape a keyframe."""

    EDITING = "editing"  # the model's own multi-reference editing (FLUX.2 [klein]: ``image=[...]``)
    IP_ADAPTER = "ip_adapter"  # an IP-Adapter loaded on the pipeline (SD, SDXL, FLUX.1)
    NONE = "none"  # the description in the prompt only


@dataclass(frozen=True)
class ImageOptions:
    """How to draw keyframes. ``None`` means the backend's (or the settings') default."""

    backend: ImageBackendName = ImageBackendName.AUTO
    model: str | None = None  # hub id or diffusers folder
    ip_adapter: str | None = None  # hub id or folder (SD: h94/IP-Adapter layout; FLUX.1: XLabs layout)
    tiny_decoder: str | None = None  # SD/SDXL on a CPU: the TAESD(-XL) decoder (hub id or folder)
    width: int | None = None
    height: int | None = None
    steps: int | None = None
    guidance_scale: float | None = None
    reference_scale: float = 0.6  # IP-Adapter strength

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "backend", ImageBackendName(self.backend or ImageBackendName.AUTO))
        except ValueError:
            raise ProjectValidationError(f"unknown image backend {self.backend!r}; choose one of: "
                                         f"{', '.join(ImageBackendName)}") from None
        for name in ("width", "height", "steps"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value <= 0):
                raise ProjectValidationError(f"{name} must be a positive number, not {value}")
        if (self.width is None) != (self.height is None):
            raise ProjectValidationError("give both the width and the height of the keyframe, or neither")
        if not 0.0 <= self.reference_scale <= 1.5:
            raise ProjectValidationError(
                f"the reference strength must be between 0 and 1.5, not {self.reference_scale}")

    @classmethod
    def from_settings(cls, settings: Settings, **changes: Any) -> ImageOptions:
        base = cls(backend=settings.image_backend, model=settings.image_model, ip_adapter=settings.ip_adapter)
        return replace(base, **{k: v for k, v in changes.items() if v is not None})


@dataclass(frozen=True)
class ImageRequest:
    """One keyframe. ``references`` are RGB PIL images (the characters this shot shows)."""

    prompt: str
    negative_prompt: str = ""
    width: int = 768
    height: int = 1344
    num_inference_steps: int = 4
    guidance_scale: float | None = None  # None: the model's own default
    seed: int = 0
    references: tuple[Any, ...] = ()
    reference_scale: float = 0.6

    def with_(self, **changes: Any) -> ImageRequest:
        return replace(self, **changes)


@dataclass(frozen=True)
class ImageResult:
    image: Any  # RGB PIL image at width x height
    width: int
    height: int
    seed: int
    backend: str
    model: str
    steps: int
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class ImageDefaults:
    width: int
    height: int
    steps: int
    guidance_scale: float | None


@dataclass(frozen=True)
class ImageLimits:
    """Sizes a model accepts: a multiple, the long side it draws at natively, and the sides it accepts."""

    size_multiple: int
    native_long_side: int  # a keyframe's long side when the user names no size (the model's training scale)
    max_side: int = 2048
    min_side: int = 64


def keyframe_size(aspect: tuple[int, int], limits: ImageLimits) -> tuple[int, int]:
    """The preset's aspect (e.g. 1080x1920) at the model's native long side, the short side rounded to the model's
    multiple: 504x896 for SD-Turbo, 752x1344 for FLUX.2 [klein] at 9:16. The compositor scales it to the frame."""
    w, h = aspect
    long_side = limits.native_long_side
    short = round_to_multiple(int(round(long_side * min(w, h) / max(w, h))), limits.size_multiple)
    return (short, long_side) if h >= w else (long_side, short)


def check_image_inputs(request: ImageRequest, limits: ImageLimits, who: str) -> tuple[ImageRequest, tuple[str, ...]]:
    """Validate and round a request to what the model accepts; every rounding is logged with before/after."""
    for name in ("width", "height", "num_inference_steps"):
        value = getattr(request, name)
        if not isinstance(value, int) or value <= 0:
            raise ValueError(f"{who}: {name} must be a positive integer, got {value!r}")
    if max(request.width, request.height) > limits.max_side or min(request.width, request.height) < limits.min_side:
        raise ValueError(f"{who}: a {request.width}x{request.height} keyframe is outside this model's "
                         f"{limits.min_side}-{limits.max_side} px sides")
    if not request.prompt.strip():
        raise ValueError(f"{who}: a keyframe needs a visual prompt")
    width = round_to_multiple(request.width, limits.size_multiple)
    height = round_to_multiple(request.height, limits.size_multiple)
    notes: tuple[str, ...] = ()
    if (width, height) != (request.width, request.height):
        notes = (f"{who}: size {request.width}x{request.height} -> {width}x{height} "
                 f"(multiples of {limits.size_multiple})",)
        logger.info(notes[0])
    return request.with_(width=width, height=height), notes


class ImageBackend(Protocol):
    """One image backend. ``pipelines.keyframes`` talks to every backend through these members only."""

    name: ImageBackendName
    model: str
    references: ReferenceMode

    @classmethod
    def from_options(cls, options: ImageOptions, settings: Settings, pipelines: PipelineRegistry) -> ImageBackend:
        """Build it; refuse (a StudioError) a model this machine cannot or may not run, before loading."""
        ...

    def defaults(self, aspect: tuple[int, int]) -> ImageDefaults: ...

    def cache_identity(self) -> dict[str, Any]:
        """What identifies its pixels besides the request: weights, adapters, decoder, device, dtype."""
        ...

    def check_inputs(self, request: ImageRequest) -> tuple[ImageRequest, tuple[str, ...]]: ...

    def __call__(self, request: ImageRequest, *, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> ImageResult: ...


__all__ = ["Cancel", "ImageBackend", "ImageDefaults", "ImageLimits", "ImageOptions", "ImageRequest", "ImageResult",
           "Progress", "ReferenceMode", "check_image_inputs", "keyframe_size"]
