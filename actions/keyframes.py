"""Keyframes first: the character sheet, one keyframe per shot, takes scored and ranked, retakes of drifting shots.

One function per user action, shared by the Keyframes tab, its API endpoints and the command line
(``make --keyframes``, ``render --takes``). Each returns the changed project unsaved (the face saves it) with what
a face shows: the pictures made, the scores, the notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines import keyframes as domain
from pipelines.image.contract import ImageOptions
from pipelines.services import Services
from pipelines.shots import ShotsProgress, effective_source
from pipelines.video.contract import Cancel, VideoOptions
from studio.backends import ImageBackendName
from studio.errors import ProjectValidationError
from studio.models import Commercial, model_terms
from studio.project.model import Project


def image_options(services: Services, *, backend: Any = None, model: Any = None, steps: Any = None,
                  width: Any = None, height: Any = None, visitor: bool = False) -> ImageOptions:
    """The one parser of keyframe options for every face: blank means the settings' choice. A visitor (the UI,
    the API) names a model only as ``STUDIO_VISITOR_MODELS`` allows; the operator (the CLI) a hub id or folder."""
    from studio.safety.inputs import Origin, check_model_ref
    from studio.values import choice, whole

    model = (str(model).strip() if model else "") or None
    if model is not None:
        model = check_model_ref(model, what="image model", settings=services.settings,
                                origin=Origin.VISITOR if visitor else Origin.OPERATOR)
    name = choice("image backend", ImageBackendName, backend, ImageBackendName.AUTO)
    sizes = {k: whole(k, v, zero_is_default=True) for k, v in (("steps", steps), ("width", width), ("height", height))}
    return services.image.options(backend=name if name is not ImageBackendName.AUTO else None, model=model, **sizes)


def licence_note(model: str) -> str:
    """What a face shows where an image model is chosen: its licence, and whether its weights are non-commercial."""
    terms = model_terms(model)
    if terms is None:
        return f"{model}: a model the studio does not know; check its model card for its licence"
    if terms.commercial is Commercial.NO:
        return f"{model}: {terms.licence}, non-commercial weights (refused when STUDIO_COMMERCIAL_USE is on)"
    return f"{model}: {terms.licence}"


def character_reference(services: Services, project: Project, root: Path, name: str, picture: str | Path) -> Project:
    """Use the user's picture as character ``name``'s reference (checked, copied into the project)."""
    return domain.set_reference(project, Path(root), name, Path(picture), services.settings)


def character_sheet(services: Services, project: Project, root: Path, image: ImageOptions, *,
                    names: list[str] | None = None, redraw: bool = False, progress: ShotsProgress | None = None,
                    cancel: Cancel | None = None) -> domain.SheetResult:
    """Draw reference pictures for the bible's characters (those without one, or ``names``)."""
    return domain.make_character_sheet(project, Path(root), image, services, names=names, redraw=redraw,
                                       progress=progress, cancel=cancel)


def keyframes(services: Services, project: Project, root: Path, image: ImageOptions, *,
              shot_ids: list[str] | None = None, candidates: int = 1, progress: ShotsProgress | None = None,
              cancel: Cancel | None = None) -> domain.KeyframesResult:
    """A keyframe for each shot drawn from text (or ``shot_ids``), ``candidates`` per shot, the best one kept."""
    return domain.make_keyframes(project, Path(root), image, services, shot_ids=shot_ids, candidates=int(candidates),
                                 progress=progress, cancel=cancel)


def choose_keyframe(project: Project, root: Path, shot_id: str, media: str) -> Project:
    return domain.choose_keyframe(project, Path(root), shot_id, media)


def check_takes(services: Services, count: int) -> int:
    """Refuse a take count above ``STUDIO_MAX_TAKES``, or a scorer that cannot load, before anything renders."""
    domain.check_take_count(count, services.settings, "takes")
    services.scorers.get()
    return count


def takes(services: Services, project: Project, root: Path | None, video: VideoOptions, count: int, *,
          shot_id: str | None = None, progress: ShotsProgress | None = None,
          cancel: Cancel | None = None) -> TakesRun:
    """``count`` takes of one shot (or of every generated shot), scored; the best is chosen for each."""
    ids = [shot_id] if shot_id is not None else [s.id for s in project.shots if effective_source(s) is not None]
    if not ids:
        raise ProjectValidationError("no shot is generated, so there are no takes to make; give a shot a source")
    results = []
    for sid in ids:
        result = domain.render_takes(project, root, sid, int(count), video, services, progress=progress,
                                     cancel=cancel)
        project = result.project
        results.append(result)
    return TakesRun(project, tuple(results), tuple(d.shot_id for d in domain.drift(project)),
                    tuple(n for r in results for n in r.notes))


@dataclass(frozen=True)
class TakesRun:
    project: Project
    shots: tuple[domain.TakesResult, ...]
    flagged: tuple[str, ...]  # shots whose chosen take drifts from its references
    notes: tuple[str, ...] = ()


def drift(project: Project) -> list[Any]:
    """The shots flagged by the drift check, with a sentence each (``pipelines.scoring.Drift``)."""
    return domain.drift(project)


def retake_flagged(services: Services, project: Project, root: Path | None, video: VideoOptions, count: int, *,
                   progress: ShotsProgress | None = None, cancel: Cancel | None = None) -> domain.RetakeResult:
    """New takes of the flagged shots only."""
    return domain.retake_flagged(project, root, int(count), video, services, progress=progress, cancel=cancel)


def choose_take(project: Project, shot_id: str, index: int) -> Project:
    """Keep take ``index`` (0 for the first): the user overrides the ranking; the scores stay."""
    from pipelines.shots import choose_variation

    return choose_variation(project, shot_id, int(index))
