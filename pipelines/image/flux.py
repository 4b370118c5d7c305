"""FLUX.1 through diffusers (schnell: Apache-2.0; dev: non-commercial), with an XLabs-layout IP-Adapter for the
character reference when ``STUDIO_IP_ADAPTER`` names one. Sizes are multiples of 16; schnell runs 4 steps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.image.base import DiffusersImageBackend
from pipelines.image.contract import ImageLimits, ImageRequest, ReferenceMode
from pipelines.image.sd import ip_adapter_kwargs, load_ip_adapter
from pipelines.video.runtime import model_fingerprint
from studio.backends import ImageBackendName

DEFAULT_MODEL = "black-forest-labs/FLUX.1-schnell"
IMAGE_ENCODER = "openai/clip-vit-large-patch14"  # the encoder XLabs' adapter was trained with


class FluxBackend(DiffusersImageBackend):
    name = ImageBackendName.FLUX
    classes = ("FluxPipeline",)
    default_model = DEFAULT_MODEL
    limits = ImageLimits(size_multiple=16, native_long_side=1344)
    default_steps = 4
    default_guidance = 3.5
    who = "FLUX.1"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.references = ReferenceMode.IP_ADAPTER if self.options.ip_adapter else ReferenceMode.NONE

    def extra_identity(self) -> dict[str, Any]:
        return {"ip_adapter": model_fingerprint(self.options.ip_adapter) if self.options.ip_adapter else None}

    def prepare_pipeline(self, pipe: Any) -> None:
        if not self.options.ip_adapter:
            load_ip_adapter(pipe, None, None, "")
            return
        folder = Path(self.options.ip_adapter).expanduser() / "image_encoder"
        encoder = str(folder) if folder.is_dir() else IMAGE_ENCODER
        load_ip_adapter(pipe, self.options.ip_adapter, None, "ip_adapter.safetensors",
                        image_encoder_pretrained_model_name_or_path=encoder,
                        image_encoder_dtype=self.policy.dtype)

    def reference_kwargs(self, pipe: Any, request: ImageRequest) -> tuple[dict[str, Any], tuple[str, ...]]:
        if self.references is ReferenceMode.IP_ADAPTER:
            return ip_adapter_kwargs(pipe, request, self.who)
        return super().reference_kwargs(pipe, request)
