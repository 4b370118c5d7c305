"""FLUX.2 [klein] through diffusers: the GPU default for keyframes (the 4B weights are Apache-2.0).

One model draws a keyframe from text and, given the character sheet, edits with several reference pictures at
once (``Flux2KleinPipeline(image=[ref, ...])``): no adapter to load, the references enter the transformer as
extra latent tokens. Sizes are multiples of 16; 4 steps at guidance 1 for the distilled checkpoints.
"""

from __future__ import annotations

from typing import Any

from pipelines.image.base import DiffusersImageBackend
from pipelines.image.contract import ImageLimits, ImageRequest, ReferenceMode
from studio.backends import ImageBackendName

DEFAULT_MODEL = "black-forest-labs/FLUX.2-klein-4B"
MAX_REFERENCES = 4  # each reference adds up to 1024x1024 worth of tokens: more costs time, not likeness


class Flux2KleinBackend(DiffusersImageBackend):
    name = ImageBackendName.FLUX2
    classes = ("Flux2KleinPipeline",)
    default_model = DEFAULT_MODEL
    limits = ImageLimits(size_multiple=16, native_long_side=1344)
    default_steps = 4
    default_guidance = 1.0
    who = "FLUX.2-klein"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.references = ReferenceMode.EDITING

    def reference_kwargs(self, pipe: Any, request: ImageRequest) -> tuple[dict[str, Any], tuple[str, ...]]:
        if not request.references:
            return {}, ()
        refs = list(request.references[:MAX_REFERENCES])
        notes = ()
        if len(request.references) > MAX_REFERENCES:
            notes = (f"{self.who}: the shot shows {len(request.references)} characters; the first "
                     f"{MAX_REFERENCES} references are used",)
        return {"image": refs}, notes
