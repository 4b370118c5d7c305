"""What this machine can do, and the models: the doctor's report, the recommended models with their state here, and
fetching or removing one. The command line (``doctor``, ``models list|download|remove``) and the UI's status and
Models panels call these; progress and cancel are parameters, the answers typed dataclasses.

The Hub's variables (``HF_ENDPOINT``, ``HF_TOKEN``, ``HF_HOME``, ``HF_HUB_OFFLINE``) are read when an action runs
(``studio.settings.HubEnvironment``); ``hub`` replaces them (tests, a panel that points elsewhere). ``gpu_probe``
replaces the look at the NVIDIA driver.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from pipelines import machine as machine_service
from pipelines import models as model_service
from pipelines.machine import GpuProbeFn, probe_gpus
from pipelines.models import CachedModel, Cancel, Downloaded, FreeBytes, Progress, Removed, disk_free
from pipelines.services import Services
from studio.errors import ModelError
from studio.machine import DoctorReport
from studio.models import (
    KNOWN_MODELS,
    STAGES_IN_THIS_VERSION,
    Commercial,
    KnownModel,
    Tier,
    commercial_refusal,
    recommended,
)
from studio.safety.inputs import check_model_ref
from studio.settings import HubEnvironment


@dataclass(frozen=True)
class ModelRow:
    """A recommended model and where it stands here."""

    model: KnownModel
    cached: CachedModel
    fits: bool  # this machine's tier can run it
    in_this_version: bool  # its stage has a backend in this version
    refused: str | None  # why it may not be fetched here (STUDIO_COMMERCIAL_USE), else None


@dataclass(frozen=True)
class ModelsListing:
    tier: Tier  # this machine's
    cache_dir: Path
    free_bytes: int | None  # on the cache's disk
    rows: tuple[ModelRow, ...]  # every recommended model, smallest tier first
    others: tuple[CachedModel, ...]  # models in the cache the studio does not recommend
    commercial_use: bool


def doctor(services: Services, *, hub: HubEnvironment | None = None,
           gpu_probe: GpuProbeFn | None = None) -> DoctorReport:
    """What this machine can do, stage by stage (answers in well under a second, without importing torch)."""
    return machine_service.doctor(services.settings, hub, gpu_probe=gpu_probe or probe_gpus)


def list_models(services: Services, *, hub: HubEnvironment | None = None,
                gpu_probe: GpuProbeFn | None = None) -> ModelsListing:
    """The recommended models for every tier, each with its state in the HF cache, and the other cached models."""
    hub = hub if hub is not None else HubEnvironment.from_env()
    tier = (gpu_probe or probe_gpus)().tier
    index = model_service.cached_models(hub)
    commercial = services.settings.commercial_use == "on"
    rows = tuple(ModelRow(m, model_service.cached_model(m.id, hub, index), m.tier.rank <= tier.rank,
                          m.stage in STAGES_IN_THIS_VERSION, commercial_refusal(m.id, commercial))
                 for m in recommended())
    others = tuple(c for mid, c in sorted(index.items()) if mid not in {m.id for m in recommended()})
    return ModelsListing(tier, hub.cache_dir, disk_free(hub.cache_dir), rows, others, commercial)


def download_notes(model_id: str, known: dict[str, KnownModel] | None = None) -> tuple[str, ...]:
    """What to know about a model before using what was fetched: its licence's conditions, an unused stage."""
    terms = (KNOWN_MODELS if known is None else known).get(model_id)
    if terms is None:
        return (f"the studio does not know the licence of {model_id}: check its model card, especially for "
                "commercial use",)
    notes = []
    if terms.commercial is Commercial.CONDITIONS:
        notes.append(f"{model_id} comes under the {terms.licence}, which sets conditions on commercial use: read it "
                     "on the model card before publishing for money")
    if terms.commercial is Commercial.NO:
        notes.append(f"{model_id} has non-commercial weights ({terms.licence}): not for work you publish for money")
    if terms.stage not in STAGES_IN_THIS_VERSION:
        notes.append(f"the {terms.stage.value} stage is not in this version: nothing uses {model_id} yet")
    return tuple(notes)


def download_model(services: Services, model_id: str, *, revision: str | None = None,
                   hub: HubEnvironment | None = None, progress: Progress | None = None, cancel: Cancel | None = None,
                   free_bytes: FreeBytes | None = None, known: dict[str, KnownModel] | None = None) -> Downloaded:
    """Fetch a model into the HF cache with progress, cancel and resume; refuses non-commercial weights when
    ``STUDIO_COMMERCIAL_USE=on``. ``known`` replaces the studio's table of models (tests)."""
    model_id = check_model_ref(model_id, what="model")
    if Path(model_id).expanduser().exists():
        raise ModelError(f"{model_id!r} is a folder on this machine; a folder of yours needs no download")
    refusal = commercial_refusal(model_id, services.settings.commercial_use == "on", known)
    if refusal:
        raise ModelError(refusal)
    hub = hub if hub is not None else HubEnvironment.from_env()
    done = model_service.download(model_id, hub, revision=revision, progress=progress, cancel=cancel,
                                  free_bytes=free_bytes or disk_free)
    return dataclasses.replace(done, notes=download_notes(model_id, known))


def remove_model(services: Services, model_ref: str, *, hub: HubEnvironment | None = None) -> Removed:
    """Delete a downloaded model from the HF cache; a folder of yours is refused, never deleted."""
    hub = hub if hub is not None else HubEnvironment.from_env()
    return model_service.remove(model_ref.strip(), hub)


__all__ = ["ModelRow", "ModelsListing", "doctor", "download_model", "download_notes", "list_models", "remove_model"]
