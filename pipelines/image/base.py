"""What every diffusers text-to-image backend shares: the refusals made before loading, loading through the video
runtime's one ``PipelineRegistry`` (a hub id or a ``save_pretrained`` folder, once per process), and one seeded,
cancellable call. Each family (``klein``, ``sd``, ``flux``, ``generic``) is a subclass in its own file that
says which pipeline classes it serves and adds its own arguments (references, decoder, adapter).
"""

from __future__ import annotations

import inspect
import threading
from typing import Any, ClassVar

from pipelines.image.contract import (
    Cancel,
    ImageDefaults,
    ImageLimits,
    ImageOptions,
    ImageRequest,
    ImageResult,
    Progress,
    ReferenceMode,
    check_image_inputs,
    keyframe_size,
)
from pipelines.video.contract import StepReporter
from pipelines.video.runtime import (
    DevicePolicy,
    PipelineRegistry,
    check_device_allows,
    device_policy,
    model_class_name,
    model_fingerprint,
    on_gpu,
    translate_oom,
)
from studio.backends import ImageBackendName
from studio.errors import GenerationError, KeyframeError, NonCommercialModel
from studio.models import commercial_refusal
from studio.settings import Settings

# Pipelines that make videos, edit a given picture or need a mask: never a keyframe model. Anything else with a
# ``prompt``, ``height`` and ``width`` in its ``__call__`` draws a picture from text.
_NOT_TEXT_TO_IMAGE = ("Video", "Img2Img", "Inpaint", "Upscale", "Audio", "Music", "Kontext", "Edit", "Animate",
                      "Depth2Img", "ImageVariation", "Redux", "ControlNet")

_setup_lock = threading.Lock()  # the one-time changes of a shared pipeline (decoder swap, adapter) happen once


def refuse_non_commercial(model: str, settings: Settings) -> None:
    """A model with non-commercial weights, chosen while STUDIO_COMMERCIAL_USE is on: one sentence, nothing loaded."""
    why = commercial_refusal(model, settings.commercial_use == "on")
    if why is not None:
        raise NonCommercialModel(why)


def check_text_to_image_class(model: str, class_name: str | None, allowed: tuple[str, ...] | None) -> None:
    """Refuse a folder saved as a pipeline that does not draw a picture from text (or not of this family), from the
    class its ``model_index.json`` names, before loading any weights."""
    if class_name is None:
        return  # a hub id not on this machine: the loaded pipeline is checked instead
    if allowed is not None and class_name not in allowed:
        raise KeyframeError(f"{model} is a {class_name}; this image backend loads {', '.join(allowed)} "
                            "(choose the matching image backend, or auto)")
    import diffusers

    cls = getattr(diffusers, class_name, None)
    if cls is None or not _draws_from_text(cls):
        raise KeyframeError(f"{model} is a {class_name}, not a text-to-image pipeline; name an image model "
                            "(e.g. FLUX.2-klein or SD-Turbo) for keyframes")


def _draws_from_text(cls: Any) -> bool:
    """A pipeline class that draws one picture from a prompt: no frames, no mask, no picture to start from."""
    try:
        params = inspect.signature(cls.__call__).parameters
    except (TypeError, ValueError, AttributeError):
        return False
    if not {"prompt", "height", "width"} <= params.keys():
        return False
    if {"num_frames", "mask_image", "strength", "audio_length_in_s"} & params.keys():
        return False
    return not any(part in cls.__name__ for part in _NOT_TEXT_TO_IMAGE)


def _accepts_text_to_image(pipe: Any) -> None:
    if not _draws_from_text(type(pipe)):
        raise KeyframeError(f"the model loaded as {type(pipe).__name__}, which does not draw a picture from a prompt; "
                            "name a text-to-image model for keyframes")


class DiffusersImageBackend:
    """A text-to-image pipeline drawn at the preset's aspect, seeded on the CPU generator (reproducible anywhere)."""

    name: ClassVar[ImageBackendName]
    classes: ClassVar[tuple[str, ...] | None]  # pipeline classes this family loads (None: any text-to-image)
    default_model: ClassVar[str]
    limits: ClassVar[ImageLimits]
    default_steps: ClassVar[int]
    default_guidance: ClassVar[float | None]  # None: the pipeline's own default
    who: ClassVar[str]
    cpu_size_check: ClassVar[bool] = True  # refuse real-size weights on a CPU (STUDIO_CPU_MAX_MODEL_MB)

    def __init__(self, model: str, policy: DevicePolicy, registry: PipelineRegistry, options: ImageOptions,
                 class_name: str):
        self.model = model
        self.policy = policy
        self.registry = registry
        self.options = options
        self.class_name = class_name
        self.references = ReferenceMode.NONE

    @classmethod
    def from_options(cls, options: ImageOptions, settings: Settings, pipelines: PipelineRegistry):
        model = options.model or cls.default_model
        refuse_non_commercial(model, settings)
        saved_as = model_class_name(model)
        check_text_to_image_class(model, saved_as, cls.classes)
        policy = device_policy(settings)
        if cls.cpu_size_check:
            try:
                check_device_allows(model, policy, settings, f"{cls.who} keyframe")
            except GenerationError as err:
                raise KeyframeError(str(err).replace("use --video-backend still for a draft",
                                                     "use --keyframes off")) from None
        return cls(model, policy, pipelines, options, saved_as or (cls.classes or ("DiffusionPipeline",))[0])

    # -- what the flows ask -------------------------------------------------------------------------------------

    def defaults(self, aspect: tuple[int, int]) -> ImageDefaults:
        width, height = keyframe_size(aspect, self.limits)
        return ImageDefaults(width, height, self.default_steps, self.default_guidance)

    def cache_identity(self) -> dict[str, Any]:
        return {"image_backend": self.name.value, "model": model_fingerprint(self.model), "class": self.class_name,
                "device": self.policy.device, "dtype": self.policy.dtype_name, **self.extra_identity()}

    def extra_identity(self) -> dict[str, Any]:
        return {}

    def check_inputs(self, request: ImageRequest) -> tuple[ImageRequest, tuple[str, ...]]:
        return check_image_inputs(request, self.limits, self.who)

    # -- loading ----------------------------------------------------------------------------------------------

    def pipeline(self) -> Any:
        pipe = self.registry.get(self.model, self.class_name, self.policy, accept=_accepts_text_to_image)
        with _setup_lock:
            self.prepare_pipeline(pipe)
        return pipe

    def prepare_pipeline(self, pipe: Any) -> None:
        """A family's one-time change of the loaded pipeline (under a lock; must be idempotent)."""

    def pipeline_for(self, request: ImageRequest) -> Any:
        """The pipeline that draws ``request``: one model for every shot, unless a family draws shots with
        references with another (Qwen-Image-Edit-Plus)."""
        return self.pipeline()

    # -- one keyframe -------------------------------------------------------------------------------------------

    def guidance_kwargs(self, request: ImageRequest, guidance: float | None) -> dict[str, Any]:
        """The call's guidance arguments: ``guidance_scale``, unless the family's pipeline names it otherwise."""
        return {} if guidance is None else {"guidance_scale": guidance}

    def reference_kwargs(self, pipe: Any, request: ImageRequest) -> tuple[dict[str, Any], tuple[str, ...]]:
        """The call's arguments that carry the references, and notes for the user."""
        if request.references:
            return {}, (f"{self.who}: this model takes no reference picture; the character is carried by its "
                        "description in the prompt",)
        return {}, ()

    def __call__(self, request: ImageRequest, *, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> ImageResult:
        return on_gpu(lambda: self._generate(request, progress, cancel), 60)

    def _generate(self, request: ImageRequest, progress: Progress | None, cancel: Cancel | None) -> ImageResult:
        import torch

        # 1. check and round the request to what the model accepts
        request, notes = self.check_inputs(request)
        guidance = request.guidance_scale if request.guidance_scale is not None else self.default_guidance
        # 2. the pipeline (loaded once per process, shared with every backend of this model)
        pipe = self.pipeline_for(request)
        params = inspect.signature(type(pipe).__call__).parameters
        # 3. the arguments every text-to-image pipeline shares, then the family's references
        kwargs: dict[str, Any] = dict(
            prompt=request.prompt, width=request.width, height=request.height,
            num_inference_steps=request.num_inference_steps,
            generator=torch.Generator("cpu").manual_seed(request.seed), output_type="pil",
        )
        if request.negative_prompt and "negative_prompt" in params:
            kwargs["negative_prompt"] = request.negative_prompt
        kwargs.update(self.guidance_kwargs(request, guidance))
        extra, ref_notes = self.reference_kwargs(pipe, request)
        kwargs.update(extra)
        # 4. denoise with progress and cancel between steps
        reporter = StepReporter(request.num_inference_steps, progress, cancel)
        if "callback_on_step_end" in params:
            kwargs["callback_on_step_end"] = reporter
        with translate_oom(f"{self.who} keyframe {request.width}x{request.height}"):
            output = reporter.run(lambda: pipe(**kwargs))
        image = output.images[0].convert("RGB")
        return ImageResult(image=image, width=image.width, height=image.height, seed=request.seed,
                           backend=self.name.value, model=self.model, steps=request.num_inference_steps,
                           notes=notes + ref_notes)
