"""SD-Turbo and SDXL-Turbo through diffusers: the CPU draft tier for keyframes.

1-4 steps without guidance. On a CPU the VAE decode costs more than the UNet step (4.4 TFLOP at 512x896), so the
tiny TAESD decoder (``AutoencoderTiny``, MIT) replaces it when its weights are here: about 83 s instead of 250 s
per keyframe on two cores (``recipes/keyframes/REPORT.md``). The weights of both Turbo models are non-commercial
(``sai-nc-community``): this backend is chosen, never the default, and refused with ``STUDIO_COMMERCIAL_USE=on``.
References go through an IP-Adapter in the ``h94/IP-Adapter`` layout when one is configured
(``STUDIO_IP_ADAPTER``); without one the character is carried by its description.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.image.base import DiffusersImageBackend
from pipelines.image.contract import ImageLimits, ImageRequest, ReferenceMode
from pipelines.video.runtime import local_model_dir, model_fingerprint
from studio.backends import ImageBackendName
from studio.errors import KeyframeError, StudioError

DEFAULT_MODEL = "stabilityai/sd-turbo"
TAESD = {"StableDiffusionPipeline": "madebyollin/taesd", "StableDiffusionXLPipeline": "madebyollin/taesdxl"}
IP_ADAPTER_FILES = {"StableDiffusionPipeline": ("models", "ip-adapter_sd15.safetensors"),
                    "StableDiffusionXLPipeline": ("sdxl_models", "ip-adapter_sdxl.safetensors")}


def load_ip_adapter(pipe: Any, ref: str | None, subfolder: str | None, weight_name: str, **kwargs: Any) -> None:
    """``pipe.load_ip_adapter`` once per pipeline (``ref`` None: unloaded, so a backend without an adapter shares the
    process's one copy of the model); an adapter that cannot load is one sentence."""
    loaded = getattr(pipe, "_studio_ip_adapter", None)
    if loaded == ref:
        return
    if loaded is not None:
        pipe.unload_ip_adapter()
        pipe._studio_ip_adapter = None
    if ref is None:
        return
    try:
        pipe.load_ip_adapter(ref, subfolder=subfolder, weight_name=weight_name, **kwargs)
    except (OSError, ValueError, KeyError, RuntimeError) as err:
        raise KeyframeError(f"cannot load the IP-Adapter {ref!r} ({' '.join(str(err).split())[:160]}); name a "
                            "folder or hub id in the adapter's own layout") from None
    pipe._studio_ip_adapter = ref


def ip_adapter_kwargs(pipe: Any, request: ImageRequest, who: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The first reference at ``reference_scale``; with none, the adapter at strength 0 (the same picture as no
    adapter at all, measured bit-identical) fed a grey picture, since a loaded adapter needs an input."""
    from PIL import Image

    if not request.references:
        pipe.set_ip_adapter_scale(0.0)
        return {"ip_adapter_image": Image.new("RGB", (224, 224), (128, 128, 128))}, ()
    pipe.set_ip_adapter_scale(request.reference_scale)
    notes = ()
    if len(request.references) > 1:
        notes = (f"{who}: an IP-Adapter takes one reference; the shot's first character is used",)
    return {"ip_adapter_image": request.references[0]}, notes


class SDTurboBackend(DiffusersImageBackend):
    name = ImageBackendName.SD_TURBO
    classes = ("StableDiffusionPipeline", "StableDiffusionXLPipeline")
    default_model = DEFAULT_MODEL
    limits = ImageLimits(size_multiple=8, native_long_side=896)
    default_steps = 1
    default_guidance = 0.0
    who = "SD-Turbo"
    cpu_size_check = False  # made for the CPU: the opt-in is choosing it

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.references = ReferenceMode.IP_ADAPTER if self.options.ip_adapter else ReferenceMode.NONE
        self.notes: tuple[str, ...] = ()
        self.decoder = self._decoder()

    def _decoder(self) -> str | None:
        """The tiny decoder on a CPU, when it is on this machine (a folder, or in the HF cache); else the VAE."""
        if self.policy.device != "cpu":
            return None
        ref = self.options.tiny_decoder or TAESD.get(self.class_name)
        if ref is None:
            return None
        if Path(ref).expanduser().is_dir():
            return str(Path(ref).expanduser())
        try:
            here = local_model_dir(ref) is not None
        except StudioError:  # a folder that is not there
            here = False
        if not here:
            self.notes = (f"{self.who}: the tiny decoder {ref} is not on this machine, so the model's own VAE "
                          "decodes (about 3x slower on a CPU; fetch it with python -m studio models download "
                          f"{TAESD.get(self.class_name, ref)})",)
        return ref if here else None

    def check_inputs(self, request: ImageRequest) -> tuple[ImageRequest, tuple[str, ...]]:
        request, notes = super().check_inputs(request)
        return request, notes + self.notes

    def extra_identity(self) -> dict[str, Any]:
        return {"decoder": model_fingerprint(self.decoder) if self.decoder else "vae",
                "ip_adapter": model_fingerprint(self.options.ip_adapter) if self.options.ip_adapter else None}

    def prepare_pipeline(self, pipe: Any) -> None:
        if getattr(pipe, "_studio_decoder", None) != self.decoder:
            if not hasattr(pipe, "_studio_vae"):
                pipe._studio_vae = pipe.vae  # the model's own VAE, for a backend that asks for it
            vae = pipe._studio_vae
            if self.decoder:
                from diffusers import AutoencoderTiny

                try:
                    vae = AutoencoderTiny.from_pretrained(self.decoder, dtype=self.policy.dtype).to(self.policy.device)
                except OSError as err:
                    raise KeyframeError(f"cannot load the tiny decoder {self.decoder!r} "
                                        f"({str(err).splitlines()[0]})") from None
            pipe.vae = vae
            pipe._studio_decoder = self.decoder
        subfolder, weight = IP_ADAPTER_FILES.get(type(pipe).__name__, ("models", "ip-adapter_sd15.safetensors"))
        load_ip_adapter(pipe, self.options.ip_adapter, subfolder, weight)

    def reference_kwargs(self, pipe: Any, request: ImageRequest) -> tuple[dict[str, Any], tuple[str, ...]]:
        if self.references is ReferenceMode.IP_ADAPTER:
            return ip_adapter_kwargs(pipe, request, self.who)
        return super().reference_kwargs(pipe, request)
