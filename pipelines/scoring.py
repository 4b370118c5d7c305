"""Scoring takes: likeness to the character sheet and to the prompt, with one CLIP or SigLIP model.

- ``Embedder``: a CLIP/SigLIP/SigLIP2 model (``AutoModel`` + ``AutoProcessor``; a hub id or a ``save_pretrained``
  folder) that turns pictures and texts into unit vectors; ``Scorers`` (on ``pipelines.services.Services``) loads
  each model once per process.
- ``score_take``: consistency = how alike the take's sampled frames are to the shot's reference pictures (the mean
  over frames of the best reference's cosine, and the least alike frame); adherence = cosine of the frames to the
  prompt. Text-image similarity is known to track what people judge poorly: it **ranks** takes, it never vetoes one.
- ``rank_takes``: within one shot, each measure is turned into z-scores and summed, so cosines of different scales
  add up; the best take first, ties by take order (deterministic).
- ``flag_drift``: over the storyboard, a shot whose chosen take is much less like its references than the others'
  (below the median by ``k`` median absolute deviations, and at least ``min_gap``) is flagged for a retake.

The logic takes any object with ``embed_images``/``embed_texts``: tests drive it with embeddings whose right answer
is known, and drive the real classes with tiny random CLIP/SigLIP models. No torch at import.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from studio.errors import KeyframeError
from studio.project.model import TakeScore
from studio.settings import Settings

FRAMES_PER_TAKE = 4  # first and last included; CLIP-B/32 embeds 8 frames in ~1.8 s on two cores
DRIFT_K = 3.0
DRIFT_MIN_GAP = 0.05  # cosine: below this a difference is noise for any CLIP/SigLIP model
_KINDS = ("clip", "siglip", "siglip2")


class Embeds(Protocol):
    name: str

    def embed_images(self, images: Sequence[Any]) -> Any: ...

    def embed_texts(self, texts: Sequence[str]) -> Any: ...


class Embedder:
    """One CLIP/SigLIP model on the CPU or the GPU; features are L2-normalised numpy rows."""

    def __init__(self, model_ref: str, device: str = "cpu"):
        from transformers import AutoModel, AutoProcessor

        from studio.safety.inputs import check_model_ref

        check_model_ref(model_ref, what="scoring model")
        ref = str(Path(model_ref).expanduser()) if Path(model_ref).expanduser().is_dir() else model_ref
        try:
            model = AutoModel.from_pretrained(ref)
            processor = AutoProcessor.from_pretrained(ref)
        except (OSError, ValueError) as err:
            if Path(model_ref).expanduser().is_dir():
                raise KeyframeError(f"the scoring model folder {Path(model_ref).name!r} is not a saved CLIP or "
                                    "SigLIP model") from None
            if isinstance(err, OSError):
                raise KeyframeError(f"the scoring model {model_ref} is not on this machine: fetch it with python -m "
                                    f"studio models download {model_ref}, or set STUDIO_SCORER_MODEL") from None
            raise KeyframeError(f"the scoring model {model_ref} is a model of unknown kind; name a CLIP or SigLIP "
                                "model (e.g. openai/clip-vit-base-patch32)") from None
        kind = getattr(model.config, "model_type", "")
        if kind not in _KINDS:
            raise KeyframeError(f"the scoring model {model_ref!r} is a {kind or 'model of unknown kind'}; name a "
                                "CLIP or SigLIP model (e.g. openai/clip-vit-base-patch32)")
        self.name = model_ref
        self.kind = kind
        self.device = device
        self.model = model.to(device).eval()
        self.processor = processor

    @staticmethod
    def _features(out: Any) -> Any:
        return out.pooler_output if hasattr(out, "pooler_output") else out  # transformers 5: an output object

    def embed_images(self, images: Sequence[Any]) -> Any:
        import torch

        with torch.inference_mode():
            batch = self.processor(images=[i.convert("RGB") for i in images], return_tensors="pt")
            batch = {k: v.to(self.device) for k, v in batch.items()}
            feats = self._features(self.model.get_image_features(**batch))
            return torch.nn.functional.normalize(feats.float(), dim=-1).cpu().numpy()

    def embed_texts(self, texts: Sequence[str]) -> Any:
        import torch

        siglip = self.kind.startswith("siglip")
        # SigLIP pools the last token and was trained on max-length padding without a mask
        kw = dict(padding="max_length", max_length=64) if siglip else dict(padding=True, max_length=77)
        with torch.inference_mode():
            batch = self.processor(text=list(texts), return_tensors="pt", truncation=True, **kw)
            keep = ("input_ids", "position_ids") if siglip else ("input_ids", "attention_mask", "position_ids")
            batch = {k: v.to(self.device) for k, v in batch.items() if k in keep}
            feats = self._features(self.model.get_text_features(**batch))
            return torch.nn.functional.normalize(feats.float(), dim=-1).cpu().numpy()


class Scorers:
    """The scoring models of one process, each loaded on first use and kept (``Services.scorers``)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._loaded: dict[str, Embedder] = {}
        self.loads = 0

    def get(self, model_ref: str | None = None) -> Embedder:
        ref = model_ref or self.settings.scorer_model
        with self._lock:
            if ref not in self._loaded:
                from pipelines.video.backends import cuda_present

                self._loaded[ref] = Embedder(ref, "cuda" if cuda_present() else "cpu")
                self.loads += 1
            return self._loaded[ref]


# -- scores ---------------------------------------------------------------------------------------------------

def score_take(embedder: Embeds, frames: Sequence[Any], prompt: str, references: Any = None) -> TakeScore:
    """A take's frames against the prompt and the reference features (``embed_images`` of the references, computed
    once per shot); consistency is None without references."""
    import numpy as np

    if not frames:
        raise ValueError("a take needs at least one frame to score")
    feats = np.asarray(embedder.embed_images(frames))
    text = np.asarray(embedder.embed_texts([prompt]))[0]
    adherence = float((feats @ text).mean())
    consistency = consistency_min = None
    if references is not None and len(references):
        per_frame = (feats @ np.asarray(references).T).max(axis=1)
        consistency, consistency_min = float(per_frame.mean()), float(per_frame.min())
    clip = lambda v: None if v is None else max(-1.0, min(1.0, v))  # noqa: E731 -- float error past +-1
    return TakeScore(consistency=clip(consistency), consistency_min=clip(consistency_min),
                     adherence=clip(adherence), scorer=embedder.name)


def _z(values: Sequence[float]) -> list[float]:
    mean = sum(values) / len(values)
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return [(v - mean) / spread if spread > 1e-9 else 0.0 for v in values]


def rank_takes(scores: Sequence[TakeScore], *, w_adherence: float = 1.0, w_consistency: float = 1.0,
               w_worst_frame: float = 0.5) -> tuple[list[TakeScore], list[int]]:
    """The scores with ``combined`` set, and the take indexes best first (ties: the earlier take)."""
    if not scores:
        return [], []
    combined = [w_adherence * z for z in _z([s.adherence for s in scores])]
    if all(s.consistency is not None for s in scores):
        likeness, worst = _z([s.consistency for s in scores]), _z([s.consistency_min for s in scores])
        combined = [c + w_consistency * a + w_worst_frame * b
                    for c, a, b in zip(combined, likeness, worst, strict=True)]
    scored = [s.model_copy(update={"combined": round(c, 6)}) for s, c in zip(scores, combined, strict=True)]
    order = sorted(range(len(scored)), key=lambda i: (-scored[i].combined, i))
    return scored, order


@dataclass(frozen=True)
class Drift:
    shot_id: str
    consistency: float
    median: float
    threshold: float

    @property
    def sentence(self) -> str:
        return (f"likeness to its character reference is {self.consistency:.2f}, well below the storyboard's "
                f"{self.median:.2f}")


def flag_drift(consistency: Mapping[str, float], *, k: float = DRIFT_K, min_gap: float = DRIFT_MIN_GAP) -> list[Drift]:
    """Shots whose consistency falls well below the rest: under ``median - max(k * MAD, min_gap)``. Needs three
    shots with references (with fewer there is no "rest" to compare with)."""
    if len(consistency) < 3:
        return []
    values = sorted(consistency.values())
    median = _median(values)
    mad = _median(sorted(abs(v - median) for v in values))
    threshold = median - max(k * mad, min_gap)
    return [Drift(shot_id, value, median, threshold) for shot_id, value in consistency.items() if value < threshold]


def _median(values: Sequence[float]) -> float:
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


# -- frames of a take -------------------------------------------------------------------------------------------

def take_frames(path: Path, settings: Settings, count: int = FRAMES_PER_TAKE, max_side: int = 448) -> list[Any]:
    """A still as itself; a clip as ``count`` evenly spaced frames (first and last included), downscaled (the
    processors resize to 224 anyway)."""
    from studio.media import MediaKind, load_image, probe_shot_media

    info = probe_shot_media(path, settings, path.name)
    if info.kind is MediaKind.IMAGE:
        return [load_image(path, settings)]
    from PIL import Image

    from studio.compose.clips import ClipDecoder
    from studio.project.model import Fit

    scale = min(1.0, max_side / max(info.width, info.height))
    size = (max(2, int(info.width * scale) // 2 * 2), max(2, int(info.height * scale) // 2 * 2))
    span = max(0, info.duration_ms - 60)
    times = [span * i / max(1, count - 1) for i in range(count)]
    decoder = ClipDecoder(settings.ffmpeg_exe(), info, fit=Fit.COVER, focus=(0.5, 0.5), size=size,
                          fps=max(1, int(round(info.fps or 24))), start_ms=0, max_ms=info.duration_ms + 1000)
    try:
        return [Image.frombytes("RGB", size, decoder.frame_bytes_at(t)) for t in times]
    finally:
        decoder.close()


__all__ = ["Drift", "Embedder", "Scorers", "flag_drift", "rank_takes", "score_take", "take_frames"]
