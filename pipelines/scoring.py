"""Scoring takes: likeness to the character sheet and agreement with the prompt.

- ``Embedder``: a CLIP/SigLIP/SigLIP2 model (``AutoModel`` + ``AutoProcessor``; a hub id or a ``save_pretrained``
  folder) that turns pictures and texts into unit vectors (``STUDIO_SCORER_MODEL``).
- ``ImageEmbedder``: a DINOv2 model (``AutoModel`` + ``AutoImageProcessor``): pictures only, the CLS token after the
  final layernorm (``pooler_output``), L2-normalised. Self-supervised image features tell *who* is shown better than
  CLIP's, which mostly see colour, style and clothing; used for likeness when ``STUDIO_CONSISTENCY_MODEL`` names it
  (a CLIP/SigLIP model is accepted there too).
- ``VQAScoreJudge``: a learned judge of prompt adherence (``STUDIO_REWARD_MODEL``): VQAScore (Lin et al.,
  "Evaluating Text-to-Visual Generation with Image-to-Text Generation", 2024), the probability that a
  vision-language model (``AutoModelForImageTextToText``, e.g. Qwen2.5-VL) answers "Yes" to
  'Does this figure show "{prompt}"? Please answer yes or no.', read from the next-token logits after the chat
  template's assistant prefix, with no sampling, so the same take always scores the same.
- ``Scorers`` (on ``pipelines.services.Services``) loads each model once per process; ``Scorers.for_takes`` bundles
  the ones configured into a ``TakeScorer``.
- ``score_take``: consistency = how alike the take's sampled frames are to the shot's reference pictures (the mean
  over frames of the best reference's cosine, and the least alike frame); adherence = the judge's VQAScore averaged
  over the frames, else the cosine of the frames to the prompt. Neither tracks what people judge closely enough
  (text-image similarity least of all): they **rank** takes, they never veto one.
- ``rank_takes``: within one shot, each measure is turned into z-scores and summed, so cosines and probabilities of
  different scales add up; the best take first, ties by take order (deterministic).
- ``flag_drift``: over the storyboard, a shot whose chosen take is much less like its references than the others'
  (below the median by ``k`` median absolute deviations, and at least ``min_gap``) is flagged for a retake.

The logic takes any object with ``embed_images``/``embed_texts`` (and ``judge``): tests drive it with embeddings
whose right answer is known, and drive the real classes with tiny random models. No torch at import.
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
_IMAGE_KINDS = ("dinov2",)
VQA_QUESTION = 'Does this figure show "{prompt}"? Please answer yes or no.'  # the VQAScore paper's wording
VQA_ANSWER = "Yes"


class EmbedsImages(Protocol):
    name: str

    def embed_images(self, images: Sequence[Any]) -> Any: ...


class Embeds(EmbedsImages, Protocol):
    def embed_texts(self, texts: Sequence[str]) -> Any: ...


class Judges(Protocol):
    name: str

    def judge(self, images: Sequence[Any], prompt: str) -> float: ...


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
            raise KeyframeError(f"the scoring model {_shown(model_ref)!r} is a {kind or 'model of unknown kind'}; "
                                "name a CLIP or SigLIP model (e.g. openai/clip-vit-base-patch32)")
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


def _shown(model_ref: str) -> str:
    """A model as a message names it: a folder by its name only (no server path reaches a user)."""
    return Path(model_ref).expanduser().name if Path(model_ref).expanduser().is_dir() else model_ref


def _local(model_ref: str) -> tuple[str, bool]:
    """The reference as ``from_pretrained`` reads it, and whether it is a folder on this machine."""
    path = Path(model_ref).expanduser()
    return (str(path), True) if path.is_dir() else (model_ref, False)


class ImageEmbedder:
    """One DINOv2 model: pictures to L2-normalised rows of its CLS token after the final layernorm."""

    def __init__(self, model_ref: str, device: str = "cpu"):
        from transformers import AutoImageProcessor, AutoModel

        from studio.safety.inputs import check_model_ref

        check_model_ref(model_ref, what="consistency model")
        ref, local = _local(model_ref)
        try:
            model = AutoModel.from_pretrained(ref)
            processor = AutoImageProcessor.from_pretrained(ref)
        except (OSError, ValueError) as err:
            raise _likeness_load_error(model_ref, local, err) from None
        kind = getattr(model.config, "model_type", "")
        if kind not in _IMAGE_KINDS:
            raise KeyframeError(f"the consistency model {_shown(model_ref)!r} is a {kind or 'model of unknown kind'}; "
                                "name a DINOv2, CLIP or SigLIP model (e.g. facebook/dinov2-small)")
        self.name = model_ref
        self.kind = kind
        self.device = device
        self.model = model.to(device).eval()
        self.processor = processor

    def embed_images(self, images: Sequence[Any]) -> Any:
        import torch

        with torch.inference_mode():
            batch = self.processor(images=[i.convert("RGB") for i in images], return_tensors="pt")
            pixels = batch["pixel_values"].to(self.device, self.model.dtype)
            feats = self.model(pixel_values=pixels).pooler_output  # CLS after the final layernorm
            return torch.nn.functional.normalize(feats.float(), dim=-1).cpu().numpy()


def _likeness_load_error(model_ref: str, local: bool, err: Exception) -> KeyframeError:
    if local:
        return KeyframeError(f"the consistency model folder {Path(model_ref).name!r} is not a saved DINOv2, CLIP or "
                             "SigLIP model")
    if isinstance(err, OSError):
        return KeyframeError(f"the consistency model {model_ref} is not on this machine: fetch it with python -m "
                             f"studio models download {model_ref}, or set STUDIO_CONSISTENCY_MODEL")
    return KeyframeError(f"the consistency model {model_ref} is a model of unknown kind; name a DINOv2, CLIP or "
                         "SigLIP model (e.g. facebook/dinov2-small)")


def load_likeness(model_ref: str, device: str = "cpu") -> EmbedsImages:
    """The likeness model ``model_ref`` names: DINOv2 (``ImageEmbedder``) or CLIP/SigLIP (``Embedder``), told apart by
    its config before any weights load."""
    from transformers import AutoConfig

    from studio.safety.inputs import check_model_ref

    check_model_ref(model_ref, what="consistency model")
    ref, local = _local(model_ref)
    try:
        kind = getattr(AutoConfig.from_pretrained(ref), "model_type", "")
    except (OSError, ValueError) as err:
        raise _likeness_load_error(model_ref, local, err) from None
    if kind in _KINDS:
        return Embedder(model_ref, device)
    if kind in _IMAGE_KINDS:
        return ImageEmbedder(model_ref, device)
    raise KeyframeError(f"the consistency model {_shown(model_ref)!r} is a {kind or 'model of unknown kind'}; "
                        "name a DINOv2, CLIP or SigLIP model (e.g. facebook/dinov2-small)")


class VQAScoreJudge:
    """A vision-language model as a judge of prompt adherence: the probability of "Yes" (VQAScore) for each picture.

    Frames are judged one by one as pictures and averaged, rather than fed as one video: VQAScore was defined and
    validated on pictures, every image-text-to-text model takes pictures (few take video, each differently), and
    keyframe candidates are pictures anyway, so one path scores both and a take's score is comparable to a still's.
    """

    def __init__(self, model_ref: str, device: str = "cpu"):
        import torch
        from transformers import AutoModelForImageTextToText, AutoProcessor

        from studio.safety.inputs import check_model_ref

        check_model_ref(model_ref, what="judge model")
        ref, local = _local(model_ref)
        try:
            model = AutoModelForImageTextToText.from_pretrained(
                ref, dtype=torch.bfloat16 if device == "cuda" else torch.float32)
            processor = AutoProcessor.from_pretrained(ref)
        except ImportError as err:
            if "torchvision" in str(err).lower():  # transformers' video processors (Qwen2-VL's too) need it
                raise KeyframeError(f"the judge model {_shown(model_ref)} needs "
                                    "torchvision on this machine; install it, or unset STUDIO_REWARD_MODEL") from None
            raise KeyframeError(f"the judge model {_shown(model_ref)} needs a Python "
                                "package this machine lacks; install it, or unset STUDIO_REWARD_MODEL") from None
        except (OSError, ValueError, KeyError) as err:
            if local:
                raise KeyframeError(f"the judge folder {Path(model_ref).name!r} is not a saved vision-language model "
                                    "(image-text-to-text, e.g. Qwen2.5-VL)") from None
            if isinstance(err, OSError):
                raise KeyframeError(f"the judge model {model_ref} is not on this machine: fetch it with python -m "
                                    f"studio models download {model_ref}, or unset STUDIO_REWARD_MODEL") from None
            raise KeyframeError(f"the judge model {model_ref} does not answer questions about pictures; name a "
                                "vision-language model (e.g. Qwen/Qwen2.5-VL-7B-Instruct)") from None
        tokenizer = getattr(processor, "tokenizer", None)
        template = getattr(processor, "chat_template", None) or getattr(tokenizer, "chat_template", None)
        yes = tokenizer.encode(VQA_ANSWER, add_special_tokens=False) if tokenizer is not None else []
        if not template or len(yes) != 1:  # the answer is read from one next-token distribution
            raise KeyframeError(f"the judge model {_shown(model_ref)} has no chat "
                                "template with a one-token Yes; name a chat vision-language model")
        self.name = model_ref
        self.device = device
        self.model = model.to(device).eval()
        self.processor = processor
        self.yes_id = yes[0]

    def prompt(self, prompt: str) -> str:
        """The chat text for one picture and the question, ending with the assistant prefix."""
        messages = [{"role": "user", "content": [{"type": "image"},
                                                 {"type": "text", "text": VQA_QUESTION.format(prompt=prompt)}]}]
        return self.processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)

    def yes_probability(self, image: Any, prompt: str) -> float:
        """P("Yes") as the model's next token after the assistant prefix, for one picture."""
        import torch

        with torch.inference_mode():
            batch = self.processor(text=[self.prompt(prompt)], images=[image.convert("RGB")], return_tensors="pt")
            batch = {k: (v.to(self.device, self.model.dtype) if v.is_floating_point() else v.to(self.device))
                     for k, v in batch.items()}
            logits = self.model(**batch, logits_to_keep=1).logits[0, -1]
            return float(torch.softmax(logits.float(), dim=-1)[self.yes_id])

    def judge(self, images: Sequence[Any], prompt: str) -> float:
        """The mean VQAScore over the pictures (a take's sampled frames), in [0, 1]."""
        return sum(self.yes_probability(i, prompt) for i in images) / len(images)


@dataclass(frozen=True)
class TakeScorer:
    """The models that score one batch of takes: likeness from ``likeness``, adherence from ``judge`` when there is
    one, else from ``adherence`` (text-image cosine)."""

    likeness: EmbedsImages
    adherence: Embeds | None = None
    judge: Judges | None = None

    def references(self, images: Sequence[Any]) -> Any:
        """The references' features, computed once per shot; None without references."""
        return self.likeness.embed_images(images) if images else None

    def __call__(self, frames: Sequence[Any], prompt: str, references: Any = None) -> TakeScore:
        return score_take(self.adherence, frames, prompt, references, likeness=self.likeness, judge=self.judge)


class Scorers:
    """The scoring models of one process, each loaded on first use and kept (``Services.scorers``)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._loaded: dict[str, Any] = {}  # by model reference: CLIP/SigLIP ``Embedder`` or DINOv2 ``ImageEmbedder``
        self._judges: dict[str, Judges] = {}
        self.loads = 0

    @staticmethod
    def _device() -> str:
        from pipelines.video.backends import cuda_present

        return "cuda" if cuda_present() else "cpu"

    def get(self, model_ref: str | None = None) -> Embedder:
        """The CLIP/SigLIP model for text-image and image-image cosines (default ``STUDIO_SCORER_MODEL``)."""
        ref = model_ref or self.settings.scorer_model
        with self._lock:
            loaded = self._loaded.get(ref)
            if loaded is None or not hasattr(loaded, "embed_texts"):
                loaded = Embedder(ref, self._device())  # a DINOv2 kept for likeness is refused here, in a sentence
                self._loaded[ref] = loaded
                self.loads += 1
            return loaded

    def likeness(self, scorer: str | None = None) -> EmbedsImages:
        """The model that measures likeness: ``STUDIO_CONSISTENCY_MODEL``, else the scorer model."""
        ref = self.settings.consistency_model
        if not ref:
            return self.get(scorer)
        with self._lock:
            if ref not in self._loaded:  # a CLIP model named for both jobs is loaded once
                self._loaded[ref] = load_likeness(ref, self._device())
                self.loads += 1
            return self._loaded[ref]

    def judge(self) -> Judges | None:
        """The learned judge of prompt adherence (``STUDIO_REWARD_MODEL``), or None."""
        ref = self.settings.reward_model
        if not ref:
            return None
        with self._lock:
            if ref not in self._judges:
                self._judges[ref] = VQAScoreJudge(ref, self._device())
                self.loads += 1
            return self._judges[ref]

    def for_takes(self, scorer: str | None = None) -> TakeScorer:
        """Every model the settings ask for, loaded (so one that cannot load refuses before any take renders); the
        CLIP/SigLIP model only when a judge or the likeness needs it."""
        judge = self.judge()
        likeness = self.likeness(scorer)
        adherence = None if judge is not None else self.get(scorer)
        return TakeScorer(likeness=likeness, adherence=adherence, judge=judge)


# -- scores ---------------------------------------------------------------------------------------------------

def score_take(embedder: Embeds | None, frames: Sequence[Any], prompt: str, references: Any = None, *,
               likeness: EmbedsImages | None = None, judge: Judges | None = None) -> TakeScore:
    """A take's frames against the prompt and the reference features (``embed_images`` of the references by the
    likeness model, computed once per shot); consistency is None without references. ``likeness`` defaults to
    ``embedder``; with a ``judge``, adherence is its VQAScore and ``embedder`` may be None."""
    import numpy as np

    if not frames:
        raise ValueError("a take needs at least one frame to score")
    likeness = likeness if likeness is not None else embedder
    feats = None
    if judge is not None:
        adherence = float(judge.judge(frames, prompt))
    elif embedder is not None:
        feats = np.asarray(embedder.embed_images(frames))
        text = np.asarray(embedder.embed_texts([prompt]))[0]
        adherence = float((feats @ text).mean())
    else:
        raise ValueError("adherence needs a scorer model or a judge")
    consistency = consistency_min = None
    if references is not None and len(references):
        if likeness is None:
            raise ValueError("likeness needs a model that embeds pictures")
        like = feats if likeness is embedder and feats is not None else np.asarray(likeness.embed_images(frames))
        per_frame = (like @ np.asarray(references).T).max(axis=1)
        consistency, consistency_min = float(per_frame.mean()), float(per_frame.min())
    own_likeness = consistency is not None and likeness is not embedder
    used_scorer = embedder is not None and (judge is None or (consistency is not None and not own_likeness))
    clip = lambda v: None if v is None else max(-1.0, min(1.0, v))  # noqa: E731 -- float error past +-1
    return TakeScore(consistency=clip(consistency), consistency_min=clip(consistency_min),
                     adherence=clip(adherence), scorer=embedder.name if used_scorer else "",
                     likeness_model=likeness.name if own_likeness else "",
                     judge=judge.name if judge is not None else "")


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


__all__ = [
    "Drift", "Embedder", "ImageEmbedder", "Scorers", "TakeScorer", "VQAScoreJudge", "flag_drift", "load_likeness",
    "rank_takes", "score_take", "take_frames",
]
