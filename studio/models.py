"""The models the studio names (its defaults, the documented alternatives and what ``models list`` recommends) and
what a creator needs to know before fetching one, declared once: the stage it serves, the smallest machine it is
meant for, how much it downloads, and the terms of its weights. The Shots tab shows the licence of the model a
shot would use, ``python -m studio models`` and the doctor read the rest, the README's licence table must agree
(``tests/test_docs.py``), and a model the studio does not know says "check its model card".

Sources are in the README's "Licence and third-party terms" table. ``commercial`` is what a creator needs to know
before posting for money: ``yes``, ``conditions`` (a licence of the maker's own with limits on commercial use) or
``no`` (non-commercial weights, never chosen by default, refused with ``STUDIO_COMMERCIAL_USE=on``).

Sizes are what the Hub's file listings showed (decimal GB, as the Hub shows them), with the listing named in
``Size.source``; where a listing could not be read the size is unknown or a lower bound, never a guess. The HF cache
keeps files as downloaded, so a model takes on disk what it downloads. ``models download`` reads the exact sizes
from the Hub before it starts and checks the free disk against them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath


class Commercial(StrEnum):
    YES = "yes"
    CONDITIONS = "conditions"
    NO = "no"


class Stage(StrEnum):
    """The stages of making a short, in the order they run (the doctor reports each one)."""

    SCRIPT = "script"
    KEYFRAMES = "keyframes"
    VIDEO = "video"
    VOICE = "voice"
    TRANSCRIPTION = "transcription"
    MUSIC = "music"
    SCALE_OUT = "scale-out"


class Tier(StrEnum):
    """The machine a model is meant for: a CPU, a GPU of about 24 GB, a GPU of about 80 GB."""

    CPU = "cpu"
    GPU_24GB = "24gb"
    GPU_80GB = "80gb"

    @property
    def label(self) -> str:
        return {"cpu": "CPU", "24gb": "24 GB GPU", "80gb": "80 GB GPU"}[self.value]

    @property
    def rank(self) -> int:
        return list(Tier).index(self)


LARGE_GPU_MB = 70 * 1024  # an 80 GB card reports about 80 GiB; 40-48 GB cards still count as the 24 GB tier


def tier_for_gpu(memory_mb: int | None) -> Tier:
    """The tier of a machine from its largest GPU's memory (None: no GPU); a GPU of unknown memory counts as 24 GB."""
    if memory_mb is None:
        return Tier.CPU
    return Tier.GPU_80GB if memory_mb >= LARGE_GPU_MB else Tier.GPU_24GB


@dataclass(frozen=True)
class Size:
    """A download size in decimal GB: ``None`` when unknown, ``at_least`` when only some files could be looked up."""

    gb: float | None
    source: str
    at_least: bool = False

    def __str__(self) -> str:
        if self.gb is None:
            return "unknown"
        return f"{'≥ ' if self.at_least else ''}{self.gb:.1f} GB"


@dataclass(frozen=True)
class KnownModel:
    id: str
    licence: str
    commercial: Commercial
    stage: Stage
    tier: Tier  # the smallest machine it is meant for
    download: Size  # also its size on disk: the HF cache keeps files as downloaded
    adds: str  # what having it changes, in a creator's words
    recommended: bool = True  # shown by ``models list`` for its tier

    @property
    def disk(self) -> Size:
        return self.download


# Stages the studio has a backend for in this version; the others are being built.
STAGES_IN_THIS_VERSION = frozenset({Stage.SCRIPT, Stage.KEYFRAMES, Stage.VIDEO, Stage.VOICE, Stage.TRANSCRIPTION,
                                   Stage.MUSIC})

_QWEN_LISTING = ("the Hub's file listing of Qwen/Qwen2.5-1.5B-Instruct (commit f73cfd5): model.safetensors 3.09 GB,"
                 " tokenizer.json, vocab.json and merges.txt 11.5 MB")
_WAN13_LISTING = ("the Hub's file listing of Wan-AI/Wan2.1-T2V-1.3B-Diffusers (commit 5af5c01): transformer 5.68 GB,"
                  " text encoder 22.7 GB (float32), tokenizer 21.5 MB; the VAE folder's listing was not found")

KNOWN_MODELS: dict[str, KnownModel] = {m.id: m for m in (
    KnownModel("Qwen/Qwen2.5-1.5B-Instruct", "Apache-2.0", Commercial.YES, Stage.SCRIPT, Tier.CPU,
               Size(3.1, _QWEN_LISTING), "storyboards written for the idea by a chat model, offline"),
    KnownModel("Lightricks/LTX-Video-0.9.7-distilled", "LTXV Open Weights License", Commercial.CONDITIONS,
               Stage.VIDEO, Tier.GPU_24GB,
               Size(None, "no file listing of this repository was found here (its sibling LTX-Video-0.9.7-dev lists"
                          " a 26.1 GB transformer and a 19 GB text encoder); `models download` shows the exact size"
                          " before it starts"),
               "generated footage in 8 steps (text, image, extend and bridge shots); on GPUs under 24 GB with model"
               " CPU offload"),
    KnownModel("Wan-AI/Wan2.2-TI2V-5B-Diffusers", "Apache-2.0", Commercial.YES, Stage.VIDEO, Tier.GPU_24GB,
               Size(11.4, "the Hub's file listing of its text_encoder folder (commit 4c6ca6c): 11.4 GB; the"
                          " transformer and VAE listings were not found", at_least=True),
               "generated footage from text or an image, and restyled clips (the `wan` backend)"),
    KnownModel("Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers", "Apache-2.0", Commercial.YES, Stage.VIDEO, Tier.GPU_80GB,
               Size(None, "no file listing of this repository was found here"),
               "bridge shots from one shot's last frame to the next one's first (the `wan` backend)"),
    KnownModel("Wan-AI/Wan2.1-T2V-1.3B-Diffusers", "Apache-2.0", Commercial.YES, Stage.VIDEO, Tier.GPU_24GB,
               Size(28.4, _WAN13_LISTING, at_least=True),
               "generated footage from text on small GPUs (`STUDIO_WAN_MODEL`, with `STUDIO_WAN_IMAGE_MODEL` for"
               " image shots)"),
    KnownModel("stabilityai/sd-turbo", "Stability AI Non-Commercial Research Community License", Commercial.NO,
               Stage.KEYFRAMES, Tier.CPU,
               Size(4.8, "the Hub's file listing of stabilityai/sd-turbo (commit a07e586): unet 3.46 GB and text"
                         " encoder 1.36 GB in float32; the VAE listing was not found", at_least=True),
               "a drawn keyframe per shot on a CPU"),
    KnownModel("black-forest-labs/FLUX.2-klein-4B", "Apache-2.0", Commercial.YES, Stage.KEYFRAMES, Tier.GPU_24GB,
               Size(None, "no file listing of this repository was found here; `models download` shows the exact"
                          " size before it starts"),
               "a drawn keyframe per shot with the character sheet as reference (the `flux2` image backend)"),
    KnownModel("black-forest-labs/FLUX.1-schnell", "Apache-2.0", Commercial.YES, Stage.KEYFRAMES, Tier.GPU_80GB,
               Size(None, "no file listing of this repository was found here"),
               "keyframes from FLUX.1 (the `flux` image backend), with an XLabs IP-Adapter for the character",
               recommended=False),
    KnownModel("Qwen/Qwen-Image", "Apache-2.0", Commercial.YES, Stage.KEYFRAMES, Tier.GPU_80GB,
               Size(None, "no file listing of this repository was found here (a 20 B MMDiT and a Qwen2.5-VL-7B"
                          " text encoder per the keyframes study); `models download` shows the exact size before"
                          " it starts"),
               "keyframes from Qwen-Image, strong at legible text in the picture (the `qwen` image backend)",
               recommended=False),
    KnownModel("Qwen/Qwen-Image-Edit-2509", "Apache-2.0", Commercial.YES, Stage.KEYFRAMES, Tier.GPU_80GB,
               Size(None, "no file listing of this repository was found here; `models download` shows the exact"
                          " size before it starts"),
               "Qwen-Image keyframes that keep the character sheet's faces (up to 3 reference pictures per shot)",
               recommended=False),
    KnownModel("Wan-AI/Wan2.1-VACE-1.3B-diffusers", "Apache-2.0", Commercial.YES, Stage.VIDEO, Tier.GPU_24GB,
               Size(None, "no file listing of this repository was found here"),
               "`wan` shots that keep the character sheet's look (reference-to-video, `STUDIO_WAN_VACE_MODEL`)",
               recommended=False),
    KnownModel("facebook/dinov2-small", "Apache-2.0", Commercial.YES, Stage.KEYFRAMES, Tier.CPU,
               Size(None, "no file listing of this repository was found here (22 M parameters)"),
               "a finer measure of how alike a take is to the character sheet (`STUDIO_CONSISTENCY_MODEL`)",
               recommended=False),
    KnownModel("stabilityai/sdxl-turbo", "Stability AI Non-Commercial Research Community License", Commercial.NO,
               Stage.KEYFRAMES, Tier.CPU,
               Size(None, "no file listing of this repository was found here"),
               "larger drawn keyframes on a CPU (the `sd-turbo` image backend), slower than sd-turbo",
               recommended=False),
    KnownModel("madebyollin/taesd", "MIT", Commercial.YES, Stage.KEYFRAMES, Tier.CPU,
               Size(None, "no file listing of this repository was found here (about 10 MB per the keyframes study:"
                          " 2.4 M parameters)"),
               "the tiny decoder that makes SD-Turbo keyframes on a CPU about 3x faster"),
    KnownModel("openai/clip-vit-base-patch32", "MIT", Commercial.YES, Stage.KEYFRAMES, Tier.CPU,
               Size(None, "no file listing of this repository was found here (151 M parameters, 0.61 GB in float32"
                          " per the keyframes study)"),
               "takes ranked by likeness to the character sheet and the prompt, and drifting shots flagged"),
    KnownModel("Systran/faster-whisper-base", "MIT", Commercial.YES, Stage.TRANSCRIPTION, Tier.CPU,
               Size(0.15, "the Hub's file listing of Systran/faster-whisper-base (commit a80717a): model.bin 145 MB,"
                          " tokenizer.json 2.2 MB, vocabulary.txt 460 kB"),
               "captions typed for you from your own voice-over or a clip with speech (faster-whisper on a CPU)"),
    KnownModel("Qwen/Qwen3-ForcedAligner-0.6B-hf", "Apache-2.0", Commercial.YES, Stage.VOICE, Tier.CPU,
               Size(None, "no file listing of this repository was found here (the original"
                          " Qwen/Qwen3-ForcedAligner-0.6B lists model.safetensors 1.84 GB)"),
               "word timings for known narration text on audio that came without them (a forced aligner)"),
)}


def model_terms(model_id: str) -> KnownModel | None:
    """What the studio knows of a model's weights; None for a model it does not know (read its model card)."""
    return KNOWN_MODELS.get(model_id)


def recommended(tier: Tier | None = None, known: Iterable[KnownModel] | None = None) -> tuple[KnownModel, ...]:
    """The recommended models, every tier or those a machine of ``tier`` can run, smallest tier first."""
    models = [m for m in (KNOWN_MODELS.values() if known is None else known) if m.recommended]
    if tier is not None:
        models = [m for m in models if m.tier.rank <= tier.rank]
    return tuple(sorted(models, key=lambda m: (m.tier.rank, list(Stage).index(m.stage))))


def commercial_refusal(model_id: str, commercial_use: bool,
                       known: dict[str, KnownModel] | None = None) -> str | None:
    """Why ``model_id`` may not be fetched when the studio is used commercially (one sentence), or None."""
    terms = (KNOWN_MODELS if known is None else known).get(model_id)
    if not commercial_use or terms is None or terms.commercial is not Commercial.NO:
        return None
    return (f"{model_id} has non-commercial weights ({terms.licence}) and STUDIO_COMMERCIAL_USE is on; "
            "choose a model whose licence allows commercial use")


# -- which files of a repository the studio fetches ------------------------------------------------------------

_SKIPPED_SUFFIXES = (".gif", ".png", ".jpg", ".jpeg", ".webp", ".mp4", ".mov", ".webm")
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".h5", ".msgpack", ".onnx", ".onnx_data",
                    ".gguf", ".tflite", ".ot")
_VARIANT = re.compile(r"\.(fp16|bf16|fp32|fp8|int8|int4|ema|non_ema)(?=[.-])")


def _is_weights(name: str) -> bool:
    return name.endswith(_WEIGHT_SUFFIXES) or ".safetensors.index" in name or ".bin.index" in name


def files_to_fetch(files: Sequence[str], components: Iterable[str] | None = None) -> tuple[str, ...]:
    """The files of a repository that loading it needs, as ``from_pretrained`` reads them.

    ``components`` are the folders a diffusers ``model_index.json`` names (None for a transformers repository).
    Dropped: pictures and videos of the model card; weights in other formats when safetensors are there; in a
    diffusers repository, single-file checkpoints at the top and precision variants (``*.fp16.safetensors``)
    beside full-precision weights. What is left loads offline through ``from_pretrained(id)``.
    """
    kept = [f for f in files if not f.lower().endswith(_SKIPPED_SUFFIXES) and f != ".gitattributes"]
    if any(f.endswith(".safetensors") for f in kept):
        kept = [f for f in kept if not _is_weights(f) or f.endswith(".safetensors") or ".safetensors.index" in f]
    if components is None:
        return tuple(kept)
    folders = set(components)
    result = []
    for name in kept:
        path = PurePosixPath(name)
        if len(path.parts) == 1:
            if not _is_weights(name):
                result.append(name)
            continue
        if path.parts[0] not in folders:
            continue
        if _VARIANT.search(path.name) and _is_weights(path.name):
            plain = [f for f in kept if PurePosixPath(f).parent == path.parent and _is_weights(f)
                     and not _VARIANT.search(PurePosixPath(f).name)]
            if plain:
                continue
        result.append(name)
    return tuple(result)


def format_bytes(size: int | float | None) -> str:
    """A byte count for people: 1.2 GB, 35.0 MB, 812 kB (decimal, as the Hub shows sizes)."""
    if size is None:
        return "unknown"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{int(size)} B"
