"""The models the studio names (its defaults and the documented alternatives) and the terms of their weights,
declared once: the Shots tab shows the licence of the model a shot would use, the README's licence table must
agree (``tests/test_docs.py``), and a model the studio does not know says "check its model card".

Sources are in the README's "Licence and third-party terms" table. ``commercial`` is what a creator needs to know
before posting for money: ``yes``, ``conditions`` (a licence of the maker's own with limits on commercial use) or
``no`` (non-commercial weights, never chosen by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Commercial(StrEnum):
    YES = "yes"
    CONDITIONS = "conditions"
    NO = "no"


@dataclass(frozen=True)
class KnownModel:
    id: str
    licence: str
    commercial: Commercial


KNOWN_MODELS: dict[str, KnownModel] = {m.id: m for m in (
    KnownModel("Qwen/Qwen2.5-1.5B-Instruct", "Apache-2.0", Commercial.YES),
    KnownModel("Lightricks/LTX-Video-0.9.7-distilled", "LTXV Open Weights License", Commercial.CONDITIONS),
    KnownModel("Wan-AI/Wan2.2-TI2V-5B-Diffusers", "Apache-2.0", Commercial.YES),
    KnownModel("Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers", "Apache-2.0", Commercial.YES),
    KnownModel("Wan-AI/Wan2.1-T2V-1.3B-Diffusers", "Apache-2.0", Commercial.YES),
)}


def model_terms(model_id: str) -> KnownModel | None:
    """What the studio knows of a model's weights; None for a model it does not know (read its model card)."""
    return KNOWN_MODELS.get(model_id)
