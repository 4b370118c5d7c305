"""LTX-Video through diffusers: the GPU default, the fastest open video model.

- text-to-video: ``LTXPipeline``
- image-to-video (a user picture or the previous shot's last frame): ``LTXImageToVideoPipeline``
- extend forward / backward and bridge two shots: ``LTXConditionPipeline`` with ``LTXVideoCondition``
  (the last frames of the clip at frame 0; its first frame at the last index; shot A's last frame at
  frame 0 and shot B's first frame at the last index; a keyframe that ends on the next shot's picture is
  the same bridge, from the keyframe to that picture)
- video-to-video restyle: the condition pipeline with the source clip at ``strength`` < 1

All kinds share one set of weights (``from_pipe``). Sizes are multiples of 32, frame counts 8k+1. An
extension is generated with the clip's edge as its condition and returned joined to the clip.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pipelines.video.contract import (
    ALL_TASKS,
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
from studio.project.presets import PlatformPreset
from studio.settings import Settings

DEFAULT_MODEL = "Lightricks/LTX-Video-0.9.7-distilled"
DEFAULT_SIZE = (576, 1024)  # 9:16, multiples of 32
DEFAULT_FPS = 24.0
LIMITS = ModelLimits(size_multiple=32, frame_step=8, max_frames=257)
EXTEND_CONTEXT_FRAMES = 9  # the last 8k+1 frames of a clip condition its continuation

_CLASS = {
    VideoTask.TEXT: "LTXPipeline",
    VideoTask.IMAGE: "LTXImageToVideoPipeline",
    VideoTask.CLIP: "LTXConditionPipeline",
    VideoTask.EXTEND_FORWARD: "LTXConditionPipeline",
    VideoTask.EXTEND_BACKWARD: "LTXConditionPipeline",
    VideoTask.BRIDGE: "LTXConditionPipeline",
}


def default_steps_and_guidance(model: str) -> tuple[int, float]:
    """Distilled checkpoints run 8 steps without classifier-free guidance; the others need both."""
    return (8, 1.0) if "distilled" in model.lower() else (30, 3.0)


class LTXVideoBackend:
    name = VideoBackendName.LTX
    draft = False
    tasks = ALL_TASKS
    limits = LIMITS

    def __init__(self, model: str, policy: DevicePolicy, registry: PipelineRegistry | None = None):
        self.model = model
        self.policy = policy
        self.registry = registry if registry is not None else PipelineRegistry()

    @classmethod
    def from_options(cls, options: VideoOptions, settings: Settings, pipelines: PipelineRegistry) -> LTXVideoBackend:
        model = options.model or settings.ltx_model
        policy = device_policy(settings)
        check_device_allows(model, policy, settings, "LTX")
        return cls(model, policy, pipelines)

    def defaults(self, preset: PlatformPreset) -> VideoDefaults:
        return VideoDefaults(*DEFAULT_SIZE, fps=DEFAULT_FPS, steps=default_steps_and_guidance(self.model)[0])

    def cache_identity(self) -> dict[str, Any]:
        return {"backend": self.name.value, "models": [model_fingerprint(self.model)], "device": self.policy.device,
                "dtype": self.policy.dtype_name}

    def prepare(self, request: VideoRequest, shot: ShotSpec) -> tuple[VideoRequest, dict[str, Any]]:
        return request, {}

    def uses_references(self, request: VideoRequest) -> bool:
        return False  # LTX 0.9 has no reference-image input; its keyframe carries the characters

    def check_inputs(self, request: VideoRequest) -> tuple[VideoRequest, tuple[str, ...]]:
        request, notes = check_size_and_frames(request, LIMITS, "LTX")
        if request.task in (VideoTask.IMAGE, VideoTask.BRIDGE) and request.image is None:
            raise ValueError(f"LTX: a {request.task.value} shot needs a first frame (image)")
        if request.task is VideoTask.BRIDGE and request.last_image is None:
            raise ValueError("LTX: a bridge needs the next shot's first frame (last_image)")
        if request.task in (VideoTask.CLIP, VideoTask.EXTEND_FORWARD, VideoTask.EXTEND_BACKWARD) and not request.video:
            raise ValueError(f"LTX: a {request.task.value} shot needs the source clip's frames (video)")
        if request.task is VideoTask.CLIP and not 0.0 < request.strength <= 1.0:
            raise ValueError(f"LTX: restyle strength must be in (0, 1], got {request.strength}")
        return request, notes

    def pipeline(self, task: VideoTask) -> Any:
        return self.registry.get(self.model, _CLASS[task], self.policy)

    def _conditions(self, request: VideoRequest) -> dict[str, Any]:
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

        last = request.num_frames - 1
        if request.task is VideoTask.EXTEND_FORWARD:
            context = _context_frames(request.video, request.num_frames)
            return {"conditions": [LTXVideoCondition(video=request.video[-context:], frame_index=0, strength=1.0)]}
        if request.task is VideoTask.EXTEND_BACKWARD:
            return {"conditions": [LTXVideoCondition(video=request.video[:1], frame_index=last, strength=1.0)]}
        if request.task is VideoTask.BRIDGE:
            return {"conditions": [LTXVideoCondition(image=request.image, frame_index=0, strength=1.0),
                                   LTXVideoCondition(video=[request.last_image], frame_index=last, strength=1.0)]}
        # restyle: the whole source clip as a soft condition
        frames = request.video[: request.num_frames]
        frames = frames[: (len(frames) - 1) // 8 * 8 + 1]
        return {"conditions": [LTXVideoCondition(video=frames, frame_index=0, strength=request.strength)]}

    def __call__(self, request: VideoRequest, *, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> VideoResult:
        """One shot, inside ``spaces.GPU`` on Hugging Face ZeroGPU (a plain call elsewhere)."""
        seconds = gpu_seconds(request.width, request.height, request.num_frames, request.num_inference_steps)
        if request.task in (VideoTask.EXTEND_FORWARD, VideoTask.EXTEND_BACKWARD):
            return on_gpu(lambda: self._extend(request, progress, cancel), seconds)
        return on_gpu(lambda: self._generate(request, progress, cancel), seconds)

    def _extend(self, request: VideoRequest, progress: Progress | None, cancel: Cancel | None) -> VideoResult:
        """``num_frames`` new frames conditioned on the clip's last frames (forward) or leading into its first
        frame (backward), joined to the clip: the result is the whole longer clip."""
        clip = request.video or []
        forward = request.task is VideoTask.EXTEND_FORWARD
        context = _context_frames(clip, request.num_frames + EXTEND_CONTEXT_FRAMES) if forward else 1
        result = self._generate(request.with_(num_frames=request.num_frames + context), progress, cancel)
        if forward:
            joined = clip + result.frames[_context_frames(clip, len(result.frames)):]
        else:
            joined = result.frames[:-1] + clip
        return replace(result, frames=joined)

    def _generate(self, request: VideoRequest, progress: Progress | None, cancel: Cancel | None) -> VideoResult:
        import torch

        # 1. check and round the request to what LTX accepts
        request, notes = self.check_inputs(request)
        steps, guidance = default_steps_and_guidance(self.model)
        guidance = request.guidance_scale if request.guidance_scale is not None else guidance
        # 2. the pipeline for this kind of shot (loaded once per process)
        pipe = self.pipeline(request.task)
        # 3. arguments shared by every LTX pipeline
        kwargs: dict[str, Any] = dict(
            prompt=request.prompt, negative_prompt=request.negative_prompt or None, width=request.width,
            height=request.height, num_frames=request.num_frames, frame_rate=int(round(request.fps)),
            num_inference_steps=request.num_inference_steps, guidance_scale=guidance,
            generator=torch.Generator("cpu").manual_seed(request.seed), output_type="np",
        )
        if request.task is VideoTask.IMAGE:
            kwargs["image"] = request.image
        elif request.task is not VideoTask.TEXT:
            kwargs.update(self._conditions(request))
        # 4. denoise with progress and cancel between steps
        reporter = StepReporter(request.num_inference_steps, progress, cancel)
        kwargs["callback_on_step_end"] = reporter
        with translate_oom(f"LTX {request.width}x{request.height}, {request.num_frames} frames"):
            output = reporter.run(lambda: pipe(**kwargs))
        frames = frames_to_pil(output.frames[0])
        return VideoResult(frames=frames, fps=request.fps, width=request.width, height=request.height,
                           seed=request.seed, backend=self.name, model=self.model, steps=request.num_inference_steps,
                           notes=notes)


def _context_frames(video: list[Any], num_frames: int) -> int:
    """How many of a clip's last frames condition its continuation: 8k+1, at most the clip and the output."""
    n = min(EXTEND_CONTEXT_FRAMES, len(video), num_frames - 8)
    return max(1, (n - 1) // 8 * 8 + 1)
