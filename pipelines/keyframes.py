"""Keyframes first: a character sheet, one drawn keyframe per shot, then takes scored and the best one kept.

    1. sheet      each bible character gets a reference picture: uploaded (checked: a still picture of sensible
                  size, and for a person a face, ``pipelines.faces``) or drawn from its description and the look
                  line (a drawn person without a face found gets a note: the user can redraw)
    2. keyframes  each shot generated from text gets a keyframe drawn with the characters it shows as references
                  (``Shot.characters``, else the names its visual prompt mentions); ``candidates`` > 1 draws more
                  seeds and keeps the one the scorer ranks first. The keyframe becomes the shot's source
                  (``source=image``, ``source_media=keyframes/...``), so image-to-video (LTX, Wan) animates it and
                  the still draft shows it with its camera move
    3. takes      N takes of a shot (``pipelines.shots.render_variations``) scored for likeness to the references
                  (DINOv2 or CLIP/SigLIP) and for the prompt (a learned judge, else CLIP/SigLIP; see
                  ``pipelines.scoring``); the best is chosen, every score is kept on the shot's candidates, the user
                  can choose another (``choose_variation``)
    4. drift      shots whose chosen take is much less like its references than the rest are flagged, and
                  ``retake_flagged`` renders new takes of those shots only (a retake must beat the take it replaces)

The cache has two levels in the one shot cache folder: a keyframe is keyed by the image model (weights, class,
adapter, decoder, device, dtype), prompt, size, steps, guidance, seed and the **pixel** hashes of its references; a
clip made from a keyframe by the keyframe's pixel hash (``pipelines.shots.build_request``), so saving the same
picture again never re-renders the clip and replacing it always does.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from pipelines.image.contract import ImageBackend, ImageOptions, ImageRequest
from pipelines.shot_cache import ShotCache
from pipelines.shots import (
    GenerationProgress,
    ShotsProgress,
    _image_digest,
    choose_variation,
    effective_source,
    render_variations,
    shot_characters,
    shot_prompt,
)
from pipelines.video.contract import Cancel, VideoOptions, VideoResult
from studio.errors import KeyframeError, LimitError, MediaError, ProjectValidationError, ReferenceImageError
from studio.project.files import resolve_media
from studio.project.model import BibleEntry, EntryKind, Project, Shot, ShotSource, ShotStatus, TakeScore
from studio.project.presets import get_preset
from studio.safety.prompts import check_generation
from studio.settings import Settings

if TYPE_CHECKING:
    from pipelines.faces import FaceFinder
    from pipelines.services import Services

KEYFRAME_VERSION = 1  # bump when a change changes the pixels of a cached keyframe
KEYFRAME_DIR = "keyframes"
SHEET_DIR = "characters"
REFERENCE_MIN_SIDE = 64  # smaller shows no face or outfit worth keeping
REFERENCE_MAX_SIDE = 1024  # stored at most this large: the models read references at 224-1024 px
SHEET_PROMPT = ("Character reference sheet of {name}: {description}. One figure, full body, front view, even light, "
                "plain light background.")


def pixel_digest(image: Any) -> str:
    """The hash of a picture's decoded pixels (and size): the same picture saved again hashes the same."""
    return _image_digest(image)


# -- 1. the character sheet ---------------------------------------------------------------------------------------

def check_reference(path: Path, settings: Settings) -> Any:
    """A character's reference picture as an RGB image at most ``REFERENCE_MAX_SIDE`` a side; anything else (not a
    picture, corrupt, animated, tiny, huge) is one sentence of ``ReferenceImageError``."""
    from PIL import Image

    from studio.media import load_image, probe_image

    path = Path(path)
    try:
        info = probe_image(path, settings)
        with Image.open(path) as opened:
            frames = getattr(opened, "n_frames", 1)
        image = load_image(path, settings)
    except ReferenceImageError:
        raise
    except MediaError as err:
        raise ReferenceImageError(f"the reference picture cannot be used: {err}") from None
    if frames > 1:
        raise ReferenceImageError(f"{path.name} is animated ({frames} frames); a reference must be a still picture")
    if min(info.width, info.height) < REFERENCE_MIN_SIDE:
        raise ReferenceImageError(f"{path.name} is {info.width}x{info.height}; a reference needs at least "
                                  f"{REFERENCE_MIN_SIDE} px on each side to show a character")
    if max(image.size) > REFERENCE_MAX_SIDE:
        scale = REFERENCE_MAX_SIDE / max(image.size)
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                             Image.LANCZOS)
    return image


def _entry_index(project: Project, name: str) -> int:
    wanted = name.strip().casefold()
    for i, entry in enumerate(project.storyboard.bible.characters):
        if entry.name.strip().casefold() == wanted:
            return i
    known = ", ".join(e.name for e in project.storyboard.bible.characters) or "none yet"
    raise KeyframeError(f"{name!r} is not in the storyboard's bible (its characters: {known}); add it first")


def _with_entry(project: Project, index: int, entry: BibleEntry) -> Project:
    bible = project.storyboard.bible
    characters = (*bible.characters[:index], entry, *bible.characters[index + 1:])
    storyboard = project.storyboard.model_copy(update={"bible": bible.model_copy(update={"characters": characters})})
    return project.model_copy(update={"storyboard": storyboard})


def _store_in_project(image: Any, root: Path, folder: str, stem: str) -> str:
    """Write a picture into the project's folder under a content-addressed name; the path relative to ``root``."""
    from pipelines.video.io import write_png

    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:40] or "picture"
    target = root / folder / f"{slug}-{pixel_digest(image)[:12]}.png"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        write_png(image, target)
    return target.relative_to(root).as_posix()


def _shows_no_face(entry: BibleEntry, image: Any, faces: FaceFinder | None) -> bool:
    """A person's picture in which no face is found (``pipelines.faces``); other kinds, and unsaid ones, are not
    checked: a creature, an object or a place has no face to find."""
    if entry.kind is not EntryKind.PERSON:
        return False
    if faces is None:
        from pipelines.faces import FaceFinder

        faces = FaceFinder()
    return not faces.has_face(image)


def set_reference(project: Project, root: Path, name: str, path: Path, settings: Settings, *,
                  faces: FaceFinder | None = None) -> Project:
    """The character ``name``'s reference picture from the user's file (checked, then copied into the project). A
    person's picture must show a face: it conditions every keyframe the person is in, and a picture without one
    would carry no likeness to keep."""
    index = _entry_index(project, name)
    path = Path(path)
    image = check_reference(path, settings)
    entry = project.storyboard.bible.characters[index]
    if _shows_no_face(entry, image, faces):
        raise ReferenceImageError(f"no face found in {path.name}: choose a picture that shows their face clearly")
    stored = _store_in_project(image, Path(root), SHEET_DIR, entry.name)
    return _with_entry(project, index, entry.model_copy(update={"reference_image": stored}))


@dataclass(frozen=True)
class SheetResult:
    project: Project
    made: tuple[str, ...]  # names whose picture was drawn now (or found in the cache)
    cached: tuple[str, ...]
    notes: tuple[str, ...] = ()


def make_character_sheet(project: Project, root: Path, options: ImageOptions, services: Services, *,
                         names: Sequence[str] | None = None, seed: int = 0, redraw: bool = False,
                         folder: str = "", progress: ShotsProgress | None = None,
                         cancel: Cancel | None = None) -> SheetResult:
    """Draw a reference picture for each named character (default: every one without a picture yet), into
    ``folder/characters`` of the project's folder."""
    entries = project.storyboard.bible.characters
    if not entries:
        raise ProjectValidationError("the storyboard's bible has no characters; add one with its description first")
    indexes = [_entry_index(project, n) for n in names] if names else \
        [i for i, e in enumerate(entries) if redraw or not e.reference_image]
    backend = services.image.backend(options)
    cache = ShotCache(services.runner.cache_root)
    identity = backend.cache_identity()
    defaults = backend.defaults((9, 16))  # a full figure, standing
    width, height = (options.width, options.height) if options.width else (defaults.width, defaults.height)
    look = project.storyboard.bible.look.strip()
    made, cached, notes = [], [], []
    faces = None
    for n, index in enumerate(indexes):
        entry = project.storyboard.bible.characters[index]
        prompt = SHEET_PROMPT.format(name=entry.name, description=entry.description.strip())
        prompt = f"{prompt} Style: {look}" if look else prompt
        check_generation(prompt, project.negative_prompt, services.settings, where=f"{entry.name}'s description")
        request = ImageRequest(prompt=prompt, negative_prompt=project.negative_prompt, width=width,
                               height=height, num_inference_steps=options.steps or defaults.steps,
                               guidance_scale=options.guidance_scale, seed=seed)
        image, status, more = _draw(backend, cache, identity, request, (), services.settings,
                                    _step(progress, n, len(indexes), f"bible-{index}"), cancel)
        notes += more
        if entry.kind is EntryKind.PERSON:  # a drawn picture is kept (the user can redraw), with a note
            if faces is None:
                from pipelines.faces import FaceFinder

                faces = FaceFinder()
            if _shows_no_face(entry, image, faces):
                notes.append(f"no face found in the drawn picture of {entry.name}: redraw it with another seed, or "
                             "upload a picture that shows their face")
        (cached if status == "cached" else made).append(entry.name)
        stored = _store_in_project(image, Path(root), _under(folder, SHEET_DIR), entry.name)
        project = _with_entry(project, index, entry.model_copy(update={"reference_image": stored}))
    return SheetResult(project, tuple(made), tuple(cached), tuple(dict.fromkeys(notes)))


# -- 2. keyframes -----------------------------------------------------------------------------------------------

def shot_references(project: Project, root: Path | None, index: int, settings: Settings) -> list[Any]:
    """The reference pictures of the characters a shot shows (those that have one), checked and loaded."""
    refs = []
    for entry in shot_characters(project, index):
        if entry.reference_image:
            refs.append(check_reference(resolve_media(entry.reference_image, root), settings))
    return refs


def keyframe_key(identity: dict[str, Any], request: ImageRequest, reference_digests: Sequence[str]) -> str:
    """A hash of everything that affects a keyframe's pixels: the model, the request and the references' pixels."""
    payload = {
        "v": KEYFRAME_VERSION, "level": "keyframe", **identity, "prompt": request.prompt,
        "negative": request.negative_prompt, "size": [request.width, request.height],
        "steps": request.num_inference_steps, "guidance": request.guidance_scale, "seed": request.seed,
        "references": list(reference_digests),
        "reference_scale": request.reference_scale if reference_digests else None,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def _step(progress: ShotsProgress | None, index: int, count: int, shot_id: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(GenerationProgress(index, count, shot_id, done, total))


def _draw(backend: ImageBackend, cache: ShotCache, identity: dict[str, Any], request: ImageRequest,
          references: Sequence[Any], settings: Settings, progress: Callable[[int, int], None] | None,
          cancel: Cancel | None) -> tuple[Any, str, tuple[str, ...]]:
    """One keyframe from the cache, else drawn and stored there (complete or absent). Returns the picture, "cached"
    or "generated", and the backend's notes."""
    from PIL import Image

    request = request.with_(references=tuple(references))
    key = keyframe_key(identity, request, [pixel_digest(r) for r in references])
    hit = cache.lookup(key)
    notes = backend.check_inputs(request)[1]
    if hit is not None:
        with Image.open(hit[0]) as cached:
            return cached.convert("RGB"), "cached", notes
    try:
        result = backend(request, progress=progress, cancel=cancel)
    except ValueError as err:
        raise KeyframeError(str(err)) from None
    still = VideoResult(frames=[result.image], fps=0.0, width=result.width, height=result.height, seed=result.seed,
                        backend=result.backend.replace("-", "_"), model=result.model, steps=result.steps, still=True)
    cache.store(key, still, settings)
    return result.image, "generated", result.notes


@dataclass(frozen=True)
class KeyframeCandidate:
    media: str  # relative to the project folder
    seed: int
    score: TakeScore | None = None


@dataclass(frozen=True)
class KeyframeOutcome:
    index: int
    shot_id: str
    status: str  # "generated" or "cached" (the chosen candidate)
    media: str
    candidates: tuple[KeyframeCandidate, ...] = ()
    chosen: int = 0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyframesResult:
    project: Project
    outcomes: tuple[KeyframeOutcome, ...]
    backend: str
    model: str
    notes: tuple[str, ...] = field(default=())


def _under(folder: str, name: str) -> str:
    return f"{folder.strip('/')}/{name}" if folder.strip("/") else name


def is_keyframe(media: str | None) -> bool:
    """A path the studio wrote a keyframe to (in a ``keyframes`` folder of the project)."""
    return bool(media) and KEYFRAME_DIR in PurePosixPath(media).parts[:-1]


def needs_keyframe(shot: Shot) -> bool:
    """A shot drawn from text, or one whose source is a keyframe the studio drew (never the user's own media)."""
    source = effective_source(shot)
    return source is ShotSource.TEXT or (source is ShotSource.IMAGE and is_keyframe(shot.source_media))


def _index_of(project: Project, shot_id: str) -> int:
    for i, shot in enumerate(project.shots):
        if shot.id == shot_id:
            return i
    raise ProjectValidationError(f"there is no shot with the id {shot_id!r}")


def check_take_count(count: int, settings: Settings, what: str) -> int:
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= settings.max_takes:
        raise LimitError(f"ask for 1 to {settings.max_takes} {what} of a shot, not {count} "
                         "(STUDIO_MAX_TAKES sets the limit)")
    return count


def make_keyframes(project: Project, root: Path, options: ImageOptions, services: Services, *,
                   shot_ids: Sequence[str] | None = None, candidates: int = 1, scorer: str | None = None,
                   folder: str = "", progress: ShotsProgress | None = None,
                   cancel: Cancel | None = None) -> KeyframesResult:
    """A keyframe for each shot drawn from text (or the ``shot_ids`` asked for), with the characters it shows as
    references. Everything is checked (names, references, prompts, counts) before the first picture is drawn."""
    settings = services.settings
    check_take_count(candidates, settings, "keyframe candidates")
    if not project.shots:
        raise ProjectValidationError("the project has no shots; add at least one")
    if shot_ids:
        indexes = [_index_of(project, s) for s in shot_ids]
        for i in indexes:
            if not needs_keyframe(project.shots[i]):  # never replace the user's own picture, clip or chaining
                raise ProjectValidationError(f"shot {i + 1} starts from your own media or another shot, not from "
                                             "text; set its source to text to draw a keyframe for it")
    else:
        indexes = [i for i, s in enumerate(project.shots) if needs_keyframe(s)]
    root = Path(root).resolve()
    # 1. everything checked first: a bad name or picture changes nothing
    references = {i: shot_references(project, root, i, settings) for i in indexes}
    for i in indexes:
        check_generation(shot_prompt(project, project.shots[i]), project.negative_prompt, settings,
                         where=f"shot {i + 1} prompt")
    backend = services.image.backend(options)
    cache = ShotCache(services.runner.cache_root)
    identity = backend.cache_identity()
    preset = get_preset(project.preset)
    defaults = backend.defaults((preset.width, preset.height))
    width, height = (options.width, options.height) if options.width else (defaults.width, defaults.height)
    ranker = _ranker(services, scorer) if candidates > 1 else None
    outcomes, notes = [], []
    # 2. draw, shot by shot; each finished keyframe is in the cache at once
    for n, index in enumerate(indexes):
        shot = project.shots[index]
        base = shot.seed if shot.seed is not None else secrets.randbelow(2**31)
        refs = references[index]
        request = ImageRequest(prompt=shot_prompt(project, shot), negative_prompt=project.negative_prompt,
                               width=width, height=height, num_inference_steps=options.steps or defaults.steps,
                               guidance_scale=options.guidance_scale, reference_scale=options.reference_scale)
        drawn = []
        for k in range(candidates):
            seed = (base + k) % 2**63
            step = _step(progress, n, len(indexes), shot.id)
            image, status, more = _draw(backend, cache, identity, request.with_(seed=seed), refs, settings, step,
                                        cancel)
            notes += [f"shot {index + 1}: {m}" for m in more]
            drawn.append((image, seed, status))
        scores: list[TakeScore | None] = [None] * len(drawn)
        chosen = 0
        if ranker is not None:
            scores, chosen = ranker([d[0] for d in drawn], shot.visual_prompt or request.prompt, refs)
        where = _under(folder, KEYFRAME_DIR)
        kept = tuple(KeyframeCandidate(_store_in_project(img, root, where, f"{shot.id}-s{seed}"), seed, scores[k])
                     for k, (img, seed, _s) in enumerate(drawn))
        media = kept[chosen].media
        updated = shot.model_copy(update={"source": ShotSource.IMAGE, "source_media": media, "seed": base,
                                          "status": ShotStatus.PLANNED if shot.source_media != media else shot.status})
        project = project.with_shots([*project.shots[:index], updated, *project.shots[index + 1:]])
        outcomes.append(KeyframeOutcome(index, shot.id, drawn[chosen][2], media, kept, chosen))
    return KeyframesResult(project, tuple(outcomes), backend.name.value, backend.model,
                           tuple(dict.fromkeys(notes)))


def choose_keyframe(project: Project, root: Path, shot_id: str, media: str) -> Project:
    """Keep another keyframe (a candidate in the project's keyframes folder) as the shot's source."""
    index = _index_of(project, shot_id)
    if not is_keyframe(media) or not resolve_media(media, Path(root)).is_file():
        raise ProjectValidationError(f"{media!r} is not one of this project's keyframes")
    shot = project.shots[index]
    updated = shot.model_copy(update={"source": ShotSource.IMAGE, "source_media": media, "status": ShotStatus.PLANNED})
    return project.with_shots([*project.shots[:index], updated, *project.shots[index + 1:]])


def _ranker(services: Services, scorer: str | None):
    """Score pictures against a prompt and references with the process's scoring models; (scores, best index)."""
    from pipelines.scoring import rank_takes

    take_scorer = services.scorers.for_takes(scorer)

    def rank(images: list[Any], prompt: str, refs: list[Any]) -> tuple[list[TakeScore], int]:
        ref_feats = take_scorer.references(refs)
        scored, order = rank_takes([take_scorer([img], prompt, ref_feats) for img in images])
        return scored, order[0]

    return rank


# -- keyframes inside ``make`` (``--keyframes auto|on|off``) ------------------------------------------------------

class KeyframeMode(StrEnum):
    AUTO = "auto"  # when this machine has a keyframe model (a GPU, or one chosen): drafts then show pictures
    ON = "on"  # required: refused before anything is written when there is no keyframe model
    OFF = "off"  # shots start from text as before


def check_keyframes(mode: Any, options: ImageOptions, services: Services) -> ImageBackend | None:
    """The backend ``make`` will draw keyframes with, or None; every refusal (no model for ``on``, non-commercial
    weights, a folder that is not an image model) happens here, before anything is written."""
    from pipelines.image.backends import NO_MODEL_ON_CPU

    try:
        mode = KeyframeMode(str(mode or KeyframeMode.AUTO.value).strip().lower())
    except ValueError:
        raise ProjectValidationError(f"--keyframes must be one of {', '.join(KeyframeMode)}, not {mode!r}") from None
    if mode is KeyframeMode.OFF:
        return None
    if not services.image.available(options):
        if mode is KeyframeMode.ON:
            raise KeyframeError(NO_MODEL_ON_CPU)
        return None
    return services.image.backend(options)


def keyframes_for_make(project: Project, root: Path, mode: Any, options: ImageOptions, services: Services, *,
                       folder: str = "", progress: ShotsProgress | None = None,
                       cancel: Cancel | None = None) -> tuple[Project, tuple[str, ...]]:
    """``make``'s keyframes: the sheet of the characters the shots show, then a keyframe per text shot."""
    if check_keyframes(mode, options, services) is None:
        return project, ()
    shown = {e.name for i in range(len(project.shots)) for e in shot_characters(project, i)}
    missing = [e.name for e in project.storyboard.bible.characters if e.name in shown and not e.reference_image]
    notes: tuple[str, ...] = ()
    if missing:
        sheet = make_character_sheet(project, root, options, services, names=missing, folder=folder,
                                     progress=progress, cancel=cancel)
        project, notes = sheet.project, sheet.notes
    made = make_keyframes(project, root, options, services, folder=folder, progress=progress, cancel=cancel)
    drawn = sum(o.status == "generated" for o in made.outcomes)
    summary = (f"keyframes: {len(made.outcomes)} ({drawn} drawn, {len(made.outcomes) - drawn} from the cache) with "
               f"{made.model}; character sheet: {', '.join(missing) or 'already there'}")
    return made.project, (summary, *notes, *made.notes)


# -- 3. takes, 4. drift -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TakesResult:
    project: Project
    shot_id: str
    scores: tuple[TakeScore, ...]
    chosen: int
    backend: str
    draft: bool
    notes: tuple[str, ...] = ()


def score_shot_takes(project: Project, root: Path | None, shot_id: str, services: Services, *,
                     scorer: str | None = None, keep: int | None = None) -> TakesResult:
    """Score every candidate of a shot, keep the scores on the candidates and choose the best (or ``keep``)."""
    from pipelines.scoring import rank_takes, take_frames

    index = _index_of(project, shot_id)
    shot = project.shots[index]
    if not shot.candidates:
        raise ProjectValidationError(f"shot {index + 1} has no takes to score; render takes first")
    take_scorer = services.scorers.for_takes(scorer)
    refs = shot_references(project, root, index, services.settings)
    ref_feats = take_scorer.references(refs)
    prompt = shot.visual_prompt or shot_prompt(project, shot)
    raw = [take_scorer(take_frames(resolve_media(c.media, root), services.settings), prompt, ref_feats)
           for c in shot.candidates]
    scored, order = rank_takes(raw)
    chosen = order[0] if keep is None else keep
    candidates = tuple(c.model_copy(update={"score": s}) for c, s in zip(shot.candidates, scored, strict=True))
    project = project.with_shots([*project.shots[:index], shot.model_copy(update={"candidates": candidates}),
                                  *project.shots[index + 1:]])
    project = choose_variation(project, shot_id, chosen)
    render = candidates[chosen].render
    return TakesResult(project, shot_id, tuple(scored), chosen, render.backend, render.draft)


def render_takes(project: Project, root: Path | None, shot_id: str, count: int, options: VideoOptions,
                 services: Services, *, scorer: str | None = None, progress: ShotsProgress | None = None,
                 cancel: Cancel | None = None) -> TakesResult:
    """``count`` takes of one shot, scored; the best is chosen and every score kept on the shot's candidates."""
    check_take_count(count, services.settings, "takes")
    shot_references(project, root, _index_of(project, shot_id), services.settings)  # names and pictures, first
    services.scorers.for_takes(scorer)  # a scoring model that cannot load refuses before any take is rendered
    made = render_variations(project, root, shot_id, count, options, services, progress=progress, cancel=cancel)
    result = score_shot_takes(made.project, root, shot_id, services, scorer=scorer)
    return TakesResult(result.project, shot_id, result.scores, result.chosen, made.backend, made.draft, made.notes)


def chosen_score(shot: Shot) -> TakeScore | None:
    """The score of the take the shot shows (its media), when that take was scored."""
    return next((c.score for c in shot.candidates if c.media == shot.media and c.score is not None), None)


def drift(project: Project) -> list[Any]:
    """The shots whose chosen take is much less like its references than the rest's (``pipelines.scoring``)."""
    from pipelines.scoring import flag_drift

    likeness = {}
    for shot in project.shots:
        score = chosen_score(shot)
        if score is not None and score.consistency is not None:
            likeness[shot.id] = score.consistency
    return flag_drift(likeness)


@dataclass(frozen=True)
class RetakeResult:
    project: Project
    flagged: tuple[str, ...]  # shot ids flagged before the retake
    improved: tuple[str, ...]  # those whose new best take beat the one they had
    notes: tuple[str, ...] = ()


def retake_flagged(project: Project, root: Path | None, count: int, options: VideoOptions, services: Services, *,
                   scorer: str | None = None, progress: ShotsProgress | None = None,
                   cancel: Cancel | None = None) -> RetakeResult:
    """New takes of the flagged shots only, with seeds not tried before; a retake replaces the shown take only
    when it scores higher for likeness."""
    check_take_count(count, services.settings, "takes")
    flagged = [d.shot_id for d in drift(project)]
    improved = []
    for shot_id in flagged:
        index = _index_of(project, shot_id)
        shot = project.shots[index]
        before = chosen_score(shot)
        old = next((c for c in shot.candidates if c.media == shot.media), None)
        fresh_seed = (max(c.seed for c in shot.candidates) + 1) % 2**63 if shot.candidates else None
        moved = shot.model_copy(update={"seed": fresh_seed})
        project = project.with_shots([*project.shots[:index], moved, *project.shots[index + 1:]])
        result = render_takes(project, root, shot_id, count, options, services, scorer=scorer, progress=progress,
                              cancel=cancel)
        project = result.project
        best = result.scores[result.chosen]
        if before is not None and old is not None and (best.consistency or -1.0) <= (before.consistency or -1.0):
            shot = project.shots[index]  # keep the take it had, listed after the new ones
            kept = (*shot.candidates, old)[-16:]
            shot = shot.model_copy(update={"candidates": kept})
            project = project.with_shots([*project.shots[:index], shot, *project.shots[index + 1:]])
            project = choose_variation(project, shot_id, len(kept) - 1)
        else:
            improved.append(shot_id)
    return RetakeResult(project, tuple(flagged), tuple(improved))


__all__ = [
    "KeyframeMode", "KeyframesResult", "RetakeResult", "SheetResult", "TakesResult", "check_keyframes",
    "check_reference", "choose_keyframe", "drift", "keyframe_key", "keyframes_for_make", "make_character_sheet",
    "make_keyframes", "needs_keyframe", "pixel_digest", "render_takes", "retake_flagged", "score_shot_takes",
    "set_reference", "shot_characters", "shot_references",
]
