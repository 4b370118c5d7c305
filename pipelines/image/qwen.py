"""Qwen-Image through diffusers (Apache-2.0), with Qwen-Image-Edit-Plus for shots that show characters.

Two models behind one backend. ``QwenImagePipeline`` draws a keyframe from text; a shot with character references
is drawn by ``QwenImageEditPlusPipeline`` (``STUDIO_QWEN_EDIT_MODEL``, default Qwen/Qwen-Image-Edit-2509), which
takes the character sheet's pictures as ``image=[...]``: they reach its Qwen2.5-VL text encoder as pictures and its
transformer as extra latent tokens, so no adapter is loaded. Both come from the process's one ``PipelineRegistry``.

The numbers are the model cards': 50 steps (the Edit-2509 card runs 40; one count serves both, as the user sets
one), ``true_cfg_scale=4.0`` with a negative prompt (``" "`` when there is nothing to remove: true classifier-free
guidance runs only when one is given), and 928x1664 for 9:16. Qwen-Image is not guidance-distilled, so its pipeline
ignores ``guidance_scale``; this backend's guidance is ``true_cfg_scale``. Edit-Plus reads at most three pictures:
the 2509 release's multi-image editing is for one to three.
"""

from __future__ import annotations

from typing import Any

from pipelines.image.base import DiffusersImageBackend, refuse_non_commercial
from pipelines.image.contract import ImageLimits, ImageOptions, ImageRequest, ReferenceMode
from pipelines.video.runtime import (
    PipelineRegistry,
    check_device_allows,
    model_class_name,
    model_fingerprint,
)
from studio.backends import ImageBackendName
from studio.errors import GenerationError, KeyframeError
from studio.settings import Settings

DEFAULT_MODEL = "Qwen/Qwen-Image"
EDIT_CLASS = "QwenImageEditPlusPipeline"
EDIT_CLASSES = ("QwenImageEditPipeline", "QwenImageEditPlusPipeline", "QwenImageEditInpaintPipeline")
MAX_REFERENCES = 3
EMPTY_NEGATIVE = " "  # the cards' negative prompt when there is nothing to remove; it switches true CFG on


def torchvision_ready() -> bool:
    """Whether torchvision imports here. transformers loads Edit-Plus's ``Qwen2VLProcessor`` only with it (the
    processor always loads its video part, which requires torchvision); a torchvision built for another torch
    fails at import, not at the check transformers makes, so it is imported to find out."""
    try:
        import torchvision  # noqa: F401
    except Exception:  # noqa: BLE001 -- absent, or built against another torch (RuntimeError at import)
        return False
    return True


def _is_edit_model(model: str, saved_as: str | None) -> bool:
    if saved_as is not None:
        return saved_as in EDIT_CLASSES
    return "edit" in model.lower()


def _accepts_reference_editing(pipe: Any) -> None:
    """The edit model must be one that reads pictures: a text-to-image folder reached through ``from_pipe`` has no
    processor to read them with."""
    if getattr(pipe, "processor", None) is None:
        raise KeyframeError("the Qwen-Image-Edit-Plus model has no picture processor, so it cannot read the "
                            "character references; set STUDIO_QWEN_EDIT_MODEL to a Qwen-Image-Edit-Plus model "
                            "(such as Qwen/Qwen-Image-Edit-2509)")


class QwenImageBackend(DiffusersImageBackend):
    name = ImageBackendName.QWEN
    classes = ("QwenImagePipeline",)
    default_model = DEFAULT_MODEL
    limits = ImageLimits(size_multiple=16, native_long_side=1664)  # 928x1664 at 9:16, the card's size
    default_steps = 50
    default_guidance = 4.0  # true_cfg_scale
    who = "Qwen-Image"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.references = ReferenceMode.EDITING
        self.edit_model = "Qwen/Qwen-Image-Edit-2509"

    @classmethod
    def from_options(cls, options: ImageOptions, settings: Settings, pipelines: PipelineRegistry):
        model = options.model or cls.default_model
        if _is_edit_model(model, model_class_name(model)):
            raise KeyframeError("the keyframe model is a Qwen-Image-Edit model, which draws only shots with "
                                "character references; set it as STUDIO_QWEN_EDIT_MODEL and name a Qwen-Image model "
                                "(such as Qwen/Qwen-Image) for keyframes")
        backend = super().from_options(options, settings, pipelines)
        backend.edit_model = cls._check_edit_model(settings.qwen_edit_model, settings, backend.policy)
        return backend

    @classmethod
    def _check_edit_model(cls, edit_model: str, settings: Settings, policy: Any) -> str:
        """The same refusals as the keyframe model's, made before anything loads."""
        refuse_non_commercial(edit_model, settings)
        saved_as = model_class_name(edit_model)
        if saved_as is not None and saved_as != EDIT_CLASS:
            raise KeyframeError(f"STUDIO_QWEN_EDIT_MODEL names a {saved_as}; it must be a Qwen-Image-Edit-Plus "
                                "model (such as Qwen/Qwen-Image-Edit-2509)")
        try:
            check_device_allows(edit_model, policy, settings, "Qwen-Image-Edit-Plus keyframe")
        except GenerationError as err:
            raise KeyframeError(str(err).replace("use --video-backend still for a draft",
                                                 "use --keyframes off")) from None
        return edit_model

    def extra_identity(self) -> dict[str, Any]:
        return {"edit_model": model_fingerprint(self.edit_model), "edit_class": EDIT_CLASS}

    # -- which pipeline draws a shot ----------------------------------------------------------------------------

    def edit_pipeline(self) -> Any:
        if not torchvision_ready():
            raise KeyframeError("Qwen-Image-Edit-Plus reads the character references through a processor that "
                                "needs the torchvision package, which does not load here; install the torchvision "
                                "build that matches torch, or draw keyframes without references")
        return self.registry.get(self.edit_model, EDIT_CLASS, self.policy, accept=_accepts_reference_editing)

    def pipeline_for(self, request: ImageRequest) -> Any:
        return self.edit_pipeline() if request.references else self.pipeline()

    def guidance_kwargs(self, request: ImageRequest, guidance: float | None) -> dict[str, Any]:
        if guidance is None or guidance <= 1.0:  # true CFG off: a negative prompt would only be ignored
            return {"true_cfg_scale": 1.0 if guidance is None else guidance, "negative_prompt": None}
        return {"true_cfg_scale": guidance, "negative_prompt": request.negative_prompt or EMPTY_NEGATIVE}

    def reference_kwargs(self, pipe: Any, request: ImageRequest) -> tuple[dict[str, Any], tuple[str, ...]]:
        if not request.references:
            return {}, ()
        notes = ()
        if len(request.references) > MAX_REFERENCES:
            notes = (f"{self.who}: the shot shows {len(request.references)} characters; the first "
                     f"{MAX_REFERENCES} references are used",)
        return {"image": list(request.references[:MAX_REFERENCES])}, notes
