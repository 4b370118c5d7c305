"""Writing: an idea (or the user's own script) to a storyboard project, and one prompt made concrete."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from pipelines.make import SEED_RANGE, MakeOptions, build_project
from pipelines.script.contract import Cancel, EnhanceResult, Progress, ScriptRequest, ScriptResult
from pipelines.services import Services
from studio.backends import ScriptBackendName
from studio.errors import ProjectValidationError
from studio.project.model import Bible, EntryKind, Project


@dataclass(frozen=True)
class Storyboarded:
    project: Project  # the storyboard as a project: a seed per shot, reference pictures on the first shots
    script: ScriptResult  # which backend wrote it, and its notes


def write_storyboard(services: Services, request: ScriptRequest, options: MakeOptions = MakeOptions(), *,
                     progress: Progress | None = None, cancel: Cancel | None = None) -> Storyboarded:
    """A new project from an idea: the storyboard, each shot's seed (from ``request.seed``, else a fresh one),
    the look (``options.caption_style``, music, label) and the reference pictures on the first shots."""
    script = services.scripts.write(request, backend=options.script_backend, progress=progress, cancel=cancel)
    seed = request.seed % SEED_RANGE if request.seed is not None else secrets.randbelow(SEED_RANGE)
    return Storyboarded(build_project(request, script, options, seed), script)


def enhance_prompt(services: Services, prompt: str, bible: Bible = Bible(), *,
                   backend: ScriptBackendName | str | None = None, cancel: Cancel | None = None) -> EnhanceResult:
    """One user-written shot prompt made concrete for a video model, carrying the bible (``backend``: the
    settings' script writer unless named)."""
    return services.scripts.enhance(prompt, bible, backend=backend, cancel=cancel)


def move_shot(project: Project, shot_id: str | None, offset: int) -> Project:
    """The shot moved ``offset`` places (negative: earlier), stopping at either end; the only way shots are
    reordered, shared by the storyboard's buttons and cards."""
    ids = [s.id for s in project.shots]
    if shot_id not in ids:
        raise ProjectValidationError("choose a shot first")
    i = ids.index(shot_id)
    j = max(0, min(len(ids) - 1, i + int(offset)))
    shots = list(project.shots)
    shots.insert(j, shots.pop(i))
    return project.with_shots(shots)


def move_shot_onto(project: Project, shot_id: str | None, onto_id: str | None) -> Project:
    """The shot dragged onto another card takes that card's place (the cards between shift by one): ``move_shot``
    by the distance between the two, so a drag and the buttons are one way of reordering. Ids, not positions, so
    a drop on a strip the browser drew before another change still moves the shots the user saw."""
    ids = [s.id for s in project.shots]
    if shot_id not in ids or onto_id not in ids:
        raise ProjectValidationError("choose a shot first")
    return move_shot(project, shot_id, ids.index(onto_id) - ids.index(shot_id))


def set_entry_kind(project: Project, name: str, kind: EntryKind | str | None) -> Project:
    """Say what the bible entry ``name`` is (person, creature, object, place; blank: not said). A person's uploaded
    reference picture must show a face, so the kind is the user's word, never guessed from a picture."""
    from studio.values import choice

    said = choice(what="character kind", kind=EntryKind, value=kind, default=None)
    entries = project.storyboard.bible.characters
    wanted = (name or "").strip().casefold()
    index = next((i for i, e in enumerate(entries) if e.name.strip().casefold() == wanted), None)
    if index is None:
        known = ", ".join(e.name for e in entries) or "none yet"
        raise ProjectValidationError(f"{name!r} is not in the storyboard's bible (its characters: {known}); "
                                     "add it first")
    characters = list(entries)
    characters[index] = entries[index].model_copy(update={"kind": said})
    bible = project.storyboard.bible.model_copy(update={"characters": tuple(characters)})
    return project.model_copy(update={"storyboard": project.storyboard.model_copy(update={"bible": bible})})
