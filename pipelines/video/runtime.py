"""Where and how diffusion pipelines run: device and dtype, memory switches, loading, reuse, ZeroGPU.

- Device policy: CUDA with bf16 when present, else CPU with fp32. On GPUs under 24 GB, model CPU
  offload and VAE tiling turn on (``STUDIO_CPU_OFFLOAD`` / ``STUDIO_VAE_TILING`` force either way).
  On CPU, a model whose weights on disk exceed ``STUDIO_CPU_MAX_MODEL_MB`` is refused before
  loading, with a message that points at the still-image draft backend (tiny test models still run).
- Loading: ``load_video_pipeline(model_ref, class_name, policy)``; ``model_ref`` is a hub id or a
  folder written by ``save_pretrained`` and both go through ``from_pretrained``.
- Reuse: one pipeline per (model, kind) per process, loaded on first use. Kinds of one model share
  its weights through ``from_pipe`` (LTX text, image and condition pipelines are one set of weights).
  One ``PipelineRegistry`` per process, held by ``pipelines.services.Services`` and handed to every
  backend: a second copy of a 10 GB model is what runs a GPU out of memory, and Gradio handlers run
  on several threads.
- ZeroGPU: ``on_gpu(fn, seconds)`` wraps one shot's generation in ``spaces.GPU(duration=...)`` when
  the ``spaces`` package is installed (Hugging Face Spaces) and is a plain call elsewhere.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.errors import GenerationError, OutOfMemory
from studio.safety.inputs import check_model_ref
from studio.settings import Settings

logger = logging.getLogger("pipelines.video")

LARGE_GPU_BYTES = 24 * 1024**3
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf")


@dataclass(frozen=True)
class DevicePolicy:
    device: str  # "cuda" or "cpu"
    dtype_name: str  # "bfloat16" or "float32"
    cpu_offload: bool
    vae_tiling: bool
    gpu_bytes: int = 0

    @property
    def dtype(self):
        import torch

        return getattr(torch, self.dtype_name)


def device_policy(settings: Settings) -> DevicePolicy:
    """CUDA + bf16 when present; offload and tiling by the settings, ``auto`` by the GPU's memory."""
    import torch

    if not torch.cuda.is_available():
        return DevicePolicy("cpu", "float32", cpu_offload=False, vae_tiling=False)
    total = torch.cuda.get_device_properties(0).total_memory
    small = total < LARGE_GPU_BYTES
    dtype = "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    offload = settings.cpu_offload == "on" or (settings.cpu_offload == "auto" and small)
    tiling = settings.vae_tiling == "on" or (settings.vae_tiling == "auto" and small)
    return DevicePolicy("cuda", dtype, offload, tiling, total)


def local_model_dir(model_ref: str) -> Path | None:
    """The folder holding ``model_ref``: itself when it is a folder, else its snapshot in the HF cache."""
    check_model_ref(model_ref, what="video model")  # no URLs, files or folders that are not models
    path = Path(model_ref).expanduser()
    if path.is_dir():
        return path
    if path.is_absolute() or model_ref.startswith((".", "~")) or model_ref.count("/") != 1:
        raise GenerationError(f"model {model_ref!r} is neither a diffusers folder nor a hub id (owner/name)")
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model_ref, local_files_only=True))
    except Exception:  # noqa: BLE001 -- not in the cache (or no hub library): we simply do not know its size
        return None


def weights_megabytes(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.suffix in _WEIGHT_SUFFIXES and p.is_file()) / 2**20


def check_device_allows(model_ref: str, policy: DevicePolicy, settings: Settings, backend: str) -> None:
    """Refuse a real-size model on CPU before loading it (minutes of loading, then hours per shot)."""
    if policy.device != "cpu":
        return
    folder = local_model_dir(model_ref)
    limit = settings.cpu_max_model_mb
    size = weights_megabytes(folder) if folder is not None else math.inf
    if size > limit:
        what = f"{size / 1024:.1f} GB of weights" if folder is not None else "a model that is not on this machine"
        raise GenerationError(
            f"the {backend} backend needs a CUDA GPU for {model_ref} ({what}; this machine has no GPU and "
            f"runs at most {limit} MB on CPU): use --video-backend still for a draft, or run on a GPU"
        )


def model_fingerprint(model_ref: str) -> str:
    """What identifies a model's weights for the shot cache: the hub id, or a folder's index and files."""
    check_model_ref(model_ref, what="video model")  # before walking a folder someone named
    path = Path(model_ref).expanduser()
    if not path.is_dir():
        return f"hub:{model_ref}"
    parts = [f"dir:{path.resolve()}"]
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        stat = file.stat()
        parts.append(f"{file.relative_to(path).as_posix()}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts)


def model_class_name(model_ref: str) -> str | None:
    """The pipeline class a model was saved as (``model_index.json``), when the model is on this machine."""
    folder = local_model_dir(model_ref) if not Path(model_ref).expanduser().is_dir() else Path(model_ref)
    if folder is None or not (folder / "model_index.json").is_file():
        return None
    return json.loads((folder / "model_index.json").read_text(encoding="utf-8")).get("_class_name")


def load_video_pipeline(model_ref: str, class_name: str | None, policy: DevicePolicy):
    """``from_pretrained`` for a hub id and a ``save_pretrained`` folder alike, then the memory switches."""
    import diffusers

    check_model_ref(model_ref, what="video model")
    cls = getattr(diffusers, class_name) if class_name else diffusers.DiffusionPipeline
    ref = str(Path(model_ref).expanduser()) if Path(model_ref).expanduser().is_dir() else model_ref
    try:
        pipe = cls.from_pretrained(ref, dtype=policy.dtype)
    except OSError as err:
        raise GenerationError(f"cannot load model {model_ref!r}: {str(err).splitlines()[0]}") from None
    return place(pipe, policy)


def place(pipe: Any, policy: DevicePolicy) -> Any:
    pipe.set_progress_bar_config(disable=True)
    if policy.device == "cuda" and policy.cpu_offload:
        pipe.enable_model_cpu_offload()
    else:
        pipe.to(policy.device)
    if policy.vae_tiling and hasattr(pipe.vae, "enable_tiling"):
        pipe.vae.enable_tiling()
    return pipe


class PipelineRegistry:
    """One loaded pipeline per (model, kind) per process, loaded lazily and reused."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._pipes: dict[tuple[str, str, str], Any] = {}
        self.loads = 0  # from_pretrained calls, for tests and logs

    def get(self, model_ref: str, class_name: str, policy: DevicePolicy,
            accept: Callable[[Any], None] | None = None) -> Any:
        """The ``class_name`` pipeline of ``model_ref``; other kinds of the same model share its weights.

        ``accept`` may raise GenerationError when the loaded model cannot do this kind of shot.
        """
        import diffusers

        key = (str(model_ref), class_name, policy.dtype_name)
        with self._lock:
            if key in self._pipes:
                return self._pipes[key]
            sibling = next((p for (m, _, d), p in self._pipes.items() if m == key[0] and d == key[2]), None)
            if sibling is None:
                saved_as = model_class_name(model_ref)
                base = load_video_pipeline(model_ref, saved_as or class_name, policy)
                self.loads += 1
                self._pipes[(key[0], type(base).__name__, key[2])] = base
                sibling = base
            pipe = sibling
            if type(sibling).__name__ != class_name:
                pipe = getattr(diffusers, class_name).from_pipe(sibling)
                pipe.set_progress_bar_config(disable=True)
            if accept is not None:
                accept(pipe)
            self._pipes[key] = pipe
            return pipe

    def clear(self) -> None:
        with self._lock:
            self._pipes.clear()



@contextlib.contextmanager
def translate_oom(what: str) -> Iterator[None]:
    """CUDA out-of-memory becomes an error that names the settings to lower."""
    try:
        yield
    except Exception as err:
        import torch

        if isinstance(err, torch.cuda.OutOfMemoryError) or "out of memory" in str(err).lower():
            with contextlib.suppress(Exception):
                torch.cuda.empty_cache()
            raise OutOfMemory(
                f"{what}: the GPU ran out of memory; lower --video-size or --frames, or set "
                "STUDIO_CPU_OFFLOAD=on and STUDIO_VAE_TILING=on"
            ) from None
        raise


def gpu_seconds(width: int, height: int, num_frames: int, steps: int, *, seconds_per_unit: float = 2.5e-8,
                floor: int = 30, ceiling: int = 300) -> int:
    """The ZeroGPU time to ask for: proportional to pixels x frames x steps, plus loading, within limits.

    2.5e-8 s per pixel-frame-step is about 12 s for a 576x1024, 97-frame, 8-step LTX shot with headroom
    for the VAE decode and the first load; Spaces cap a call at 300 s on the default tier.
    """
    estimate = 20 + width * height * num_frames * steps * seconds_per_unit
    return int(min(ceiling, max(floor, math.ceil(estimate))))


def on_gpu(fn: Callable[[], Any], seconds: int) -> Any:
    """Run ``fn`` inside ``spaces.GPU(duration=seconds)`` on Hugging Face ZeroGPU; a plain call elsewhere."""
    try:
        import spaces
    except ImportError:
        return fn()
    return spaces.GPU(duration=seconds)(fn)()
