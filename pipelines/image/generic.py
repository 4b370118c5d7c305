"""Any other diffusers text-to-image model: a ``save_pretrained`` folder or a hub id whose ``model_index.json``
names a pipeline that draws from a prompt (Qwen-Image, Z-Image, SD3, Sana, ...). Loaded as saved; references
are carried by the description in the prompt only (the family backends know how each model takes one)."""

from __future__ import annotations

from pipelines.image.base import DiffusersImageBackend
from pipelines.image.contract import ImageLimits
from studio.backends import ImageBackendName


class GenericImageBackend(DiffusersImageBackend):
    name = ImageBackendName.DIFFUSERS
    classes = None
    default_model = "black-forest-labs/FLUX.2-klein-4B"
    limits = ImageLimits(size_multiple=16, native_long_side=1344)
    default_steps = 20  # a middle count for an unknown model; --steps sets it
    default_guidance = None
    who = "diffusers"
