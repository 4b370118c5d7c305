"""The image service: which backend draws keyframes, built on the process's one set of loaded pipelines.

``auto`` is FLUX.2 [klein] on a CUDA GPU. On a CPU there is no keyframe model unless one is chosen: the CPU tier
(SD-Turbo) has non-commercial weights, so it is an opt-in (``STUDIO_IMAGE_BACKEND=sd-turbo``, or naming a model).
Qwen-Image (``qwen``, 20B, with Qwen-Image-Edit-Plus for shots with references) is chosen or named, never
``auto``: FLUX.2 [klein] stays the GPU default.
A named model picks its family from the class its ``model_index.json`` names. Adding a backend: one file with a
class that follows ``pipelines.image.contract.ImageBackend``, its name in ``studio.backends.ImageBackendName`` and
one line in ``IMAGE_BACKENDS``. ``pipelines.services.Services.image`` holds the one ``ImageBackends``.
"""

from __future__ import annotations

from pipelines.image.contract import ImageBackend, ImageOptions
from pipelines.registry import BackendRegistry
from pipelines.video.backends import cuda_present
from pipelines.video.runtime import PipelineRegistry, model_class_name
from studio.backends import ImageBackendName
from studio.errors import KeyframeError
from studio.settings import Settings

IMAGE_BACKENDS: BackendRegistry[ImageBackendName] = BackendRegistry("image", {
    ImageBackendName.FLUX2: "pipelines.image.klein:Flux2KleinBackend",
    ImageBackendName.SD_TURBO: "pipelines.image.sd:SDTurboBackend",
    ImageBackendName.FLUX: "pipelines.image.flux:FluxBackend",
    ImageBackendName.QWEN: "pipelines.image.qwen:QwenImageBackend",
    ImageBackendName.DIFFUSERS: "pipelines.image.generic:GenericImageBackend",
})

# Qwen-Image-Edit folders go to the qwen backend too: it explains where an edit model belongs
_FAMILY_OF_CLASS = {"Flux2KleinPipeline": ImageBackendName.FLUX2, "StableDiffusionPipeline": ImageBackendName.SD_TURBO,
                    "StableDiffusionXLPipeline": ImageBackendName.SD_TURBO, "FluxPipeline": ImageBackendName.FLUX,
                    "QwenImagePipeline": ImageBackendName.QWEN, "QwenImageEditPlusPipeline": ImageBackendName.QWEN,
                    "QwenImageEditPipeline": ImageBackendName.QWEN}
_FAMILY_OF_NAME = (("flux.2", ImageBackendName.FLUX2), ("sd-turbo", ImageBackendName.SD_TURBO),
                   ("sdxl-turbo", ImageBackendName.SD_TURBO), ("flux.1", ImageBackendName.FLUX),
                   ("qwen-image", ImageBackendName.QWEN))

NO_MODEL_ON_CPU = ("there is no keyframe model on this machine: without a CUDA GPU, keyframes need an opt-in "
                   "(STUDIO_IMAGE_BACKEND=sd-turbo: non-commercial weights) or a model you name (--image-model)")


def family_of(model: str) -> ImageBackendName:
    """The backend for a named model: from the pipeline class it was saved as, else from its hub id."""
    saved_as = model_class_name(model)
    if saved_as is not None:
        return _FAMILY_OF_CLASS.get(saved_as, ImageBackendName.DIFFUSERS)
    lowered = model.lower()
    return next((family for part, family in _FAMILY_OF_NAME if part in lowered), ImageBackendName.DIFFUSERS)


def resolve(options: ImageOptions, settings: Settings) -> ImageBackendName | None:
    """The backend ``options`` stand for here; None when this machine has no keyframe model to use."""
    name = options.backend
    if name is ImageBackendName.AUTO:
        name = ImageBackendName(settings.image_backend)
    if name is not ImageBackendName.AUTO:
        return name
    if options.model:
        return family_of(options.model)
    return ImageBackendName.FLUX2 if cuda_present() else None


class ImageBackends:
    """Builds image backends; every backend shares ``pipelines`` (the video service's registry: one loaded copy
    of each model per process, whatever kind of backend asked for it)."""

    def __init__(self, settings: Settings, pipelines: PipelineRegistry | None = None):
        self.settings = settings
        self.pipelines = pipelines if pipelines is not None else PipelineRegistry()

    def options(self, **changes) -> ImageOptions:
        return ImageOptions.from_settings(self.settings, **changes)

    def available(self, options: ImageOptions) -> bool:
        return resolve(options, self.settings) is not None

    def backend(self, options: ImageOptions) -> ImageBackend:
        """The backend for ``options``; a model this machine cannot or may not run is refused here, before loading."""
        name = resolve(options, self.settings)
        if name is None:
            raise KeyframeError(NO_MODEL_ON_CPU)
        return IMAGE_BACKENDS.load(name).from_options(options, self.settings, self.pipelines)
