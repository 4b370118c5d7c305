"""Wan 2.x through diffusers: the quality tier.

- text-to-video: ``WanPipeline`` (Wan2.2-TI2V-5B at 704x1280 and 24 fps; Wan2.1-T2V-1.3B at 480x832
  and 16 fps for small GPUs)
- image-to-video: ``WanImageToVideoPipeline`` (TI2V-5B does both from one set of weights)
- first-last-frame bridge: ``WanImageToVideoPipeline(image=..., last_image=...)`` on a first-last-frame
  model (Wan2.1-FLF2V); TI2V-5B ignores ``last_image``, so it is refused for bridges instead of
  silently making a clip that does not land on the next shot
- video-to-video restyle of a user clip: ``WanVideoToVideoPipeline`` on the text model's weights
- reference-to-video (``STUDIO_WAN_VACE_MODEL``, e.g. Wan2.1-VACE-1.3B): a text, image or bridge shot that shows
  characters with reference pictures is made by ``WanVACEPipeline(reference_images=...)`` instead, so the
  character sheet reaches the footage and not only the keyframe. Known frames are pinned the VACE way: the
  conditioning video holds the keyframe at frame 0 (and the next picture at the last frame for a bridge) with
  neutral grey between, and the mask is black (keep) on those frames and white (generate) elsewhere. The pipeline
  letterboxes each reference onto a white canvas of the video's size and strips the extra latent frames it adds.
  Setting the model changes the backend's cache identity, so Wan shots made before render again once.

Sizes are multiples of 16 (32 for the 5B model's 16x VAE), frame counts 4k+1.
"""

from __future__ import annotations

from typing import Any

from pipelines.video.contract import (
    Cancel,
    ModelLimits,
    Progress,
    ShotSpec,
    StepReporter,
    VideoDefaults,
    VideoOptions,
    VideoRequest,
    VideoResult,
    VideoTask,
    check_size_and_frames,
    frames_to_pil,
)
from pipelines.video.runtime import (
    DevicePolicy,
    PipelineRegistry,
    check_device_allows,
    device_policy,
    gpu_seconds,
    model_fingerprint,
    on_gpu,
    translate_oom,
)
from studio.backends import VideoBackendName
from studio.errors import GenerationError
from studio.project.presets import PlatformPreset
from studio.settings import Settings

DEFAULT_MODEL = "Wan-AI/Wan2.2-TI2V-5B-Diffusers"
DEFAULT_BRIDGE_MODEL = "Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers"
DEFAULT_SIZE = (704, 1280)
DEFAULT_FPS = 24.0
DEFAULT_STEPS = 40
DEFAULT_GUIDANCE = 5.0
LIMITS = ModelLimits(size_multiple=16, frame_step=4, max_frames=121)
LIMITS_5B = ModelLimits(size_multiple=32, frame_step=4, max_frames=121)
LIMITS_21 = ModelLimits(size_multiple=16, frame_step=4, max_frames=81)

_VACE_CLASS = "WanVACEPipeline"  # any shot in _VACE_TASKS that comes with references
_VACE_TASKS = frozenset({VideoTask.TEXT, VideoTask.IMAGE, VideoTask.BRIDGE})
NEUTRAL_GREY = (128, 128, 128)  # a frame VACE is to generate (the mask says so); the known frames are pinned

_CLASS = {
    VideoTask.TEXT: "WanPipeline",
    VideoTask.IMAGE: "WanImageToVideoPipeline",
    VideoTask.BRIDGE: "WanImageToVideoPipeline",
    VideoTask.CLIP: "WanVideoToVideoPipeline",
}


def limits_for(model: str) -> ModelLimits:
    """Per-model limits from the name; the loaded pipeline's own checks catch anything else."""
    name = model.lower()
    if "ti2v-5b" in name:
        return LIMITS_5B
    if "wan2.1" in name:
        return LIMITS_21
    return LIMITS


class WanVideoBackend:
    name = VideoBackendName.WAN
    draft = False
    tasks = frozenset(_CLASS)

    def __init__(self, model: str, policy: DevicePolicy, registry: PipelineRegistry | None = None, *,
                 image_model: str | None = None, bridge_model: str = DEFAULT_BRIDGE_MODEL,
                 vace_model: str | None = None):
        self.model = model
        self.image_model = image_model or model
        self.bridge_model = bridge_model
        self.vace_model = vace_model
        self.policy = policy
        self.registry = registry if registry is not None else PipelineRegistry()
        self.limits = limits_for(model)

    @classmethod
    def from_options(cls, options: VideoOptions, settings: Settings, pipelines: PipelineRegistry) -> WanVideoBackend:
        model = options.model or settings.wan_model
        policy = device_policy(settings)
        check_device_allows(model, policy, settings, "Wan")
        return cls(model, policy, pipelines, image_model=options.image_model or settings.wan_image_model or model,
                   bridge_model=options.bridge_model or settings.wan_bridge_model,
                   vace_model=settings.wan_vace_model)

    def defaults(self, preset: PlatformPreset) -> VideoDefaults:
        return VideoDefaults(*DEFAULT_SIZE, fps=DEFAULT_FPS, steps=DEFAULT_STEPS)

    def cache_identity(self) -> dict[str, Any]:
        models = [self.model, self.image_model, self.bridge_model] + ([self.vace_model] if self.vace_model else [])
        return {"backend": self.name.value, "models": [model_fingerprint(m) for m in models],
                "device": self.policy.device, "dtype": self.policy.dtype_name}

    def prepare(self, request: VideoRequest, shot: ShotSpec) -> tuple[VideoRequest, dict[str, Any]]:
        return request, {}

    def uses_references(self, request: VideoRequest) -> bool:
        return self.vace_model is not None and request.task in _VACE_TASKS

    def model_for(self, task: VideoTask, references: bool = False) -> str:
        if references and self.vace_model is not None:
            return self.vace_model
        if task is VideoTask.IMAGE:
            return self.image_model
        if task is VideoTask.BRIDGE:
            return self.bridge_model
        return self.model

    def check_inputs(self, request: VideoRequest) -> tuple[VideoRequest, tuple[str, ...]]:
        if request.task not in _CLASS:
            raise ValueError(f"Wan: {request.task.value} shots are not supported; use the LTX backend to extend "
                             "a shot forward or backward")
        if request.references and not self.uses_references(request):
            raise ValueError(f"Wan: a {request.task.value} shot cannot take reference pictures"
                             + ("" if self.vace_model else " without a VACE model (STUDIO_WAN_VACE_MODEL)"))
        model = self.model_for(request.task, bool(request.references))
        request, notes = check_size_and_frames(request, limits_for(model), "Wan")
        if request.task in (VideoTask.IMAGE, VideoTask.BRIDGE) and request.image is None:
            raise ValueError(f"Wan: a {request.task.value} shot needs a first frame (image)")
        if request.task is VideoTask.BRIDGE and request.last_image is None:
            raise ValueError("Wan: a bridge needs the next shot's first frame (last_image)")
        if request.task is VideoTask.CLIP:
            if not request.video:
                raise ValueError("Wan: a restyle needs the source clip's frames (video)")
            if not 0.0 < request.strength <= 1.0:
                raise ValueError(f"Wan: restyle strength must be in (0, 1], got {request.strength}")
        return request, notes

    def _accept(self, task: VideoTask, model: str, references: bool = False):
        def accept(pipe: Any) -> None:
            if references:  # another Wan model loaded as VACE comes without a (VACE) transformer
                transformer = getattr(pipe, "transformer", None)
                if transformer is None or "vace_layers" not in transformer.config:
                    raise GenerationError(f"{model} is not a Wan VACE model; set STUDIO_WAN_VACE_MODEL to one "
                                          "(Wan-AI/Wan2.1-VACE-1.3B-diffusers) or leave it empty")
                return
            channels = pipe.transformer.config.in_channels
            expands = bool(getattr(pipe.config, "expand_timesteps", False))
            if task in (VideoTask.TEXT, VideoTask.CLIP) and channels != pipe.vae.config.z_dim:
                raise GenerationError(f"{model} is an image-to-video Wan model; set STUDIO_WAN_MODEL to a "
                                      "text-to-video one (Wan2.2-TI2V-5B or Wan2.1-T2V-1.3B)")
            if task in (VideoTask.IMAGE, VideoTask.BRIDGE) and channels == pipe.vae.config.z_dim and not expands:
                raise GenerationError(f"{model} is a text-only Wan model; set STUDIO_WAN_IMAGE_MODEL to an "
                                      "image-to-video one (Wan2.2-TI2V-5B) for image shots")
            if task is VideoTask.BRIDGE and expands:
                raise GenerationError(f"{model} ignores the last frame, so it cannot bridge two shots; set "
                                      f"STUDIO_WAN_BRIDGE_MODEL to a first-last-frame model ({DEFAULT_BRIDGE_MODEL})")
        return accept

    def pipeline(self, task: VideoTask, references: bool = False) -> Any:
        model = self.model_for(task, references)
        class_name = _VACE_CLASS if references else _CLASS[task]
        return self.registry.get(model, class_name, self.policy, accept=self._accept(task, model, references))

    @staticmethod
    def _vace_inputs(request: VideoRequest) -> dict[str, Any]:
        """The references, and for an image or bridge shot its known frames pinned: the conditioning video has the
        first (and last) picture fitted to the frame and grey between; the mask keeps (black) only those frames."""
        from PIL import Image

        kwargs: dict[str, Any] = {"reference_images": list(request.references)}
        pinned = {0: request.image, request.num_frames - 1: request.last_image}
        pinned = {index: image for index, image in pinned.items() if image is not None}
        if not pinned:  # text: everything is generated (the pipeline's own empty video and white mask)
            return kwargs
        size = (request.width, request.height)
        video = [Image.new("RGB", size, NEUTRAL_GREY)] * request.num_frames
        mask = [Image.new("L", size, 255)] * request.num_frames
        for index, image in pinned.items():
            video[index] = _cover(image, size)
            mask[index] = Image.new("L", size, 0)
        return {**kwargs, "video": video, "mask": mask}

    def __call__(self, request: VideoRequest, *, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> VideoResult:
        """One shot, inside ``spaces.GPU`` on Hugging Face ZeroGPU (a plain call elsewhere)."""
        seconds = gpu_seconds(request.width, request.height, request.num_frames, request.num_inference_steps)
        return on_gpu(lambda: self._generate(request, progress, cancel), seconds)

    def _generate(self, request: VideoRequest, progress: Progress | None, cancel: Cancel | None) -> VideoResult:
        import torch

        # 1. check and round the request to what this Wan model accepts
        request, notes = self.check_inputs(request)
        guidance = request.guidance_scale if request.guidance_scale is not None else DEFAULT_GUIDANCE
        # 2. the pipeline for this kind of shot (loaded once per process); VACE when it carries references
        references = bool(request.references)
        pipe = self.pipeline(request.task, references)
        # 3. arguments shared by every Wan pipeline
        kwargs: dict[str, Any] = dict(
            prompt=request.prompt, negative_prompt=request.negative_prompt or None, width=request.width,
            height=request.height, num_inference_steps=request.num_inference_steps, guidance_scale=guidance,
            generator=torch.Generator("cpu").manual_seed(request.seed), output_type="np",
        )
        total = request.num_inference_steps
        if request.task is VideoTask.CLIP:
            kwargs.update(video=request.video[: request.num_frames], strength=request.strength)
            total = max(1, min(total, int(total * request.strength)))
        else:
            kwargs["num_frames"] = request.num_frames
        if references:
            kwargs.update(self._vace_inputs(request))
        elif request.task in (VideoTask.IMAGE, VideoTask.BRIDGE):
            kwargs["image"] = request.image
            if request.task is VideoTask.BRIDGE:
                kwargs["last_image"] = request.last_image
        # 4. denoise with progress and cancel between steps
        reporter = StepReporter(total, progress, cancel)
        kwargs["callback_on_step_end"] = reporter
        with translate_oom(f"Wan {request.width}x{request.height}, {request.num_frames} frames"):
            output = reporter.run(lambda: pipe(**kwargs))
        frames = frames_to_pil(output.frames[0])
        return VideoResult(frames=frames, fps=request.fps, width=request.width, height=request.height,
                           seed=request.seed, backend=self.name, model=self.model_for(request.task, references),
                           steps=request.num_inference_steps, notes=notes)


def _cover(image: Any, size: tuple[int, int]) -> Any:
    """``image`` cropped to the frame's aspect around its centre and resized to ``size``: VACE takes its conditioning
    video at the frame size exactly (a stretched keyframe would pin a distorted first frame)."""
    from PIL import Image

    from studio.compose.frames import cover_box

    image = image.convert("RGB")
    box = cover_box(image.width, image.height, size[0], size[1], (0.5, 0.5))
    return image.resize(size, Image.BICUBIC, box=box)
