"""Shots to footage: pick a backend, build each shot's request, reuse the shot cache, write clips.

    1. backend   from the services (``auto`` is LTX on a CUDA GPU and the still-image draft elsewhere);
                 everything backend-specific is asked of the backend (``pipelines.video.contract``)
    2. plan      per shot: its source (text, user image, user clip, previous shot's last frame,
                 bridge; a keyframe that ends on the next shot's picture is a bridge from it), the prompt
                 with the storyboard's bible, size, frames, steps and seed, and the characters' reference
                 pictures for a backend that reads them
    3. cache     the key hashes everything that affects the pixels (backend, model, prompt, negative
                 prompt, size, frames, fps, steps, guidance, seed, the source (a picture's pixels, a
                 clip's bytes, the next shot's picture's pixels, the references' pixels), device and
                 dtype; a still parallax title card's move) and nothing else: a caption, a voice-over
                 or the music never re-render a shot
    4. generate  progress per denoising step, cancel between steps, ZeroGPU wrapping
    5. store     clip (or still) written atomically into the shot cache, then linked into the project

Finished shots are in the cache as soon as they are written, so a crash or a cancel loses only
the shot in progress. The UI and the CLI call these functions; nothing here formats for display.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.cluster.contract import ShotJob
from pipelines.shot_cache import ShotCache
from pipelines.video.contract import (
    Cancel,
    ShotSpec,
    VideoBackend,
    VideoDefaults,
    VideoOptions,
    VideoRequest,
    VideoTask,
    frames_for,
)
from studio.errors import GenerationError, KeyframeError, ProjectValidationError, RenderCancelled, StudioError
from studio.media import MediaKind, load_image, probe_shot_media
from studio.project.files import resolve_media
from studio.project.model import (
    MAX_SHOT_MS,
    BibleEntry,
    Project,
    Shot,
    ShotCandidate,
    ShotRender,
    ShotSource,
    ShotStatus,
    Transition,
)
from studio.project.presets import get_preset
from studio.safety.prompts import check_generation
from studio.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pipelines.cluster.contract import ShotRunner
    from pipelines.services import Services

logger = logging.getLogger("pipelines.video")

CACHE_VERSION = 2  # bump when a change changes the pixels of a cached shot (2: DRAFT tag, raised card text)


@dataclass(frozen=True)
class GenerationProgress:
    shot_index: int  # 0-based position in the storyboard
    shot_count: int
    shot_id: str
    step: int
    total_steps: int


ShotsProgress = Callable[[GenerationProgress], None]


@dataclass(frozen=True)
class ShotOutcome:
    index: int
    shot_id: str
    status: str  # "generated", "cached" or "kept" (the user's own media, nothing to generate)
    media: Path | None = None
    cache_key: str | None = None
    elapsed_s: float = 0.0
    notes: tuple[str, ...] = ()
    worker: str = ""  # where it was generated: "this process", or a Ray node and process


@dataclass(frozen=True)
class ShotsResult:
    project: Project
    outcomes: tuple[ShotOutcome, ...]
    backend: str
    model: str
    draft: bool
    elapsed_s: float
    notes: tuple[str, ...] = field(default=())

    @property
    def generated(self) -> list[str]:
        return [o.shot_id for o in self.outcomes if o.status == "generated"]

    @property
    def cached(self) -> list[str]:
        return [o.shot_id for o in self.outcomes if o.status == "cached"]


# -- 2. plan ----------------------------------------------------------------------------------------

def shot_prompt(project: Project, shot: Shot) -> str:
    """The shot's visual prompt with the storyboard's bible carried in (characters, then the look)."""
    bible = project.storyboard.bible
    parts = [shot.visual_prompt.strip()]
    if bible.characters:
        parts.append(" ".join(f"{c.name}: {c.description.strip()}" for c in bible.characters))
    if bible.look.strip():
        parts.append(f"Style: {bible.look.strip()}")
    return "\n".join(p for p in parts if p)


def effective_source(shot: Shot) -> ShotSource | None:
    """What a shot is generated from; ``None`` when it shows the user's own media as is."""
    if shot.source is not None:
        return shot.source
    return ShotSource.TEXT if shot.media is None else None


@dataclass
class _Context:
    project: Project
    root: Path | None
    options: VideoOptions
    settings: Settings
    backend: VideoBackend
    defaults: VideoDefaults
    identity: dict[str, Any]
    cache: ShotCache
    media_dir: Path | None
    progress: ShotsProgress | None
    cancel: Cancel | None
    runner: ShotRunner


def _size(ctx: _Context) -> tuple[int, int]:
    if ctx.options.width and ctx.options.height:
        return ctx.options.width, ctx.options.height
    return ctx.defaults.width, ctx.defaults.height


def _steps(ctx: _Context) -> int:
    return ctx.options.steps or ctx.defaults.steps


def _task(source: ShotSource) -> VideoTask:
    return {ShotSource.TEXT: VideoTask.TEXT, ShotSource.IMAGE: VideoTask.IMAGE, ShotSource.CLIP: VideoTask.CLIP,
            ShotSource.PREVIOUS: VideoTask.IMAGE, ShotSource.BRIDGE: VideoTask.BRIDGE}[source]


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _image_digest(image: Any) -> str:
    return hashlib.sha256(f"{image.size}".encode() + image.convert("RGB").tobytes()).hexdigest()


def _where(index: int) -> str:
    return f"shot {index + 1}"


def _source_media(ctx: _Context, shot: Shot, index: int, kind: MediaKind) -> Path:
    if not shot.source_media:
        raise ProjectValidationError(f"{_where(index)} is generated from the user's {kind.value} but has none: "
                                     "add one as its source")
    path = resolve_media(shot.source_media, ctx.root)
    info = probe_shot_media(path, ctx.settings, f"{_where(index)} source")
    if info.kind is not kind:
        raise ProjectValidationError(f"{_where(index)} source {path.name} is a {info.kind.value}; "
                                     f"a {shot.source.value} shot needs a {kind.value}")
    return path


def last_frame(ctx: _Context, project: Project, index: int) -> Any:
    """The frame a shot ends on, as the compositor shows it (the end of its camera move for a photo)."""
    return _edge_frame(ctx, project, index, last=True)


def first_frame(ctx: _Context, project: Project, index: int) -> Any:
    return _edge_frame(ctx, project, index, last=False)


def _edge_frame(ctx: _Context, project: Project, index: int, *, last: bool) -> Any:
    from studio.compose.frames import ImageShotFrames

    shot = project.shots[index]
    if not shot.media:
        raise ProjectValidationError(f"{_where(index)} has no picture yet, so the next shot cannot continue from it")
    if shot.render is not None:  # our own clip: the exact frame was kept losslessly beside it
        edge = ctx.cache.path(shot.render.cache_key, ".last.png" if last else ".first.png")
        if edge.is_file():
            from PIL import Image

            with Image.open(edge) as image:
                return image.convert("RGB")
    path = resolve_media(shot.media, ctx.root)
    info = probe_shot_media(path, ctx.settings, _where(index))
    size = _size(ctx)
    if info.kind is MediaKind.IMAGE:
        frames = ImageShotFrames(load_image(path, ctx.settings), shot, index, size, shot.duration_ms)
        return frames.frame(shot.duration_ms if last else 0)
    from pipelines.video.io import clip_frame_at

    t_ms = shot.clip_start_ms + (shot.duration_ms if last else 0)
    return clip_frame_at(path, ctx.settings, t_ms)


def ends_on_next(project: Project, index: int, notes: list[str] | None = None) -> bool:
    """Whether shot ``index`` is made to end on the next shot's picture; why not, when it asked to, goes to ``notes``.

    Shots get reordered, so a flag that no longer fits (the last shot, a next shot that starts from this one's last
    frame anyway) is not an error: the shot is made from its keyframe alone and the note says so."""
    shot = project.shots[index]
    if not shot.ends_on_next:
        return False
    notes = notes if notes is not None else []
    source = effective_source(shot)
    if source is not ShotSource.IMAGE:
        notes.append(f"{_where(index)}: only a shot made from a picture (its keyframe) can end on the next shot's "
                     "picture; it is made as before")
        return False
    if index + 1 >= len(project.shots):
        notes.append(f"{_where(index)} is the last shot, so there is no next picture to end on; it is made from its "
                     "keyframe alone")
        return False
    if effective_source(project.shots[index + 1]) in (ShotSource.PREVIOUS, ShotSource.BRIDGE):
        notes.append(f"{_where(index + 1)} starts from the last frame of {_where(index)} already, so {_where(index)} "
                     "is made from its keyframe alone")
        return False
    return True


def _needs_next_rendered(project: Project, index: int) -> bool:
    """An ends-on-next shot whose next picture is that shot's first frame (not a keyframe): it renders after it."""
    return ends_on_next(project, index) and effective_source(project.shots[index + 1]) is not ShotSource.IMAGE


def _next_picture(ctx: _Context, project: Project, index: int) -> Any:
    """The picture shot ``index`` ends on: the next shot's keyframe pixels, else that shot's first frame."""
    following = project.shots[index + 1]
    if effective_source(following) is ShotSource.IMAGE:
        return load_image(_source_media(ctx, following, index + 1, MediaKind.IMAGE), ctx.settings)
    if not following.media:
        raise ProjectValidationError(f"{_where(index)} ends on the first frame of {_where(index + 1)}, which has no "
                                     f"picture yet: render {_where(index + 1)} first")
    return first_frame(ctx, project, index + 1)


def _shows_references(project: Project) -> bool:
    """Whether any character has a reference picture: without one, no shot has references to load."""
    return any(entry.reference_image for entry in project.storyboard.bible.characters)


def shot_characters(project: Project, index: int) -> list[BibleEntry]:
    """The bible entries a shot shows: its ``characters`` (each must be in the bible), else the ones its visual
    prompt names. The one rule for keyframes and footage alike (``pipelines.keyframes`` builds on this module, so
    it lives here, below both)."""
    shot = project.shots[index]
    entries = project.storyboard.bible.characters
    if shot.characters:
        by_name = {e.name.strip().casefold(): e for e in entries}
        missing = [n for n in shot.characters if n.strip().casefold() not in by_name]
        if missing:
            if len(missing) == 1:
                raise KeyframeError(f"shot {index + 1} shows {missing[0]}, who is not in the storyboard's bible; "
                                    "add the character to the bible or remove the name from the shot")
            raise KeyframeError(f"shot {index + 1} shows {', '.join(missing)}, who are not in the storyboard's "
                                "bible; add them to the bible or remove the names from the shot")
        return [by_name[n.strip().casefold()] for n in dict.fromkeys(shot.characters)]
    text = shot.visual_prompt.casefold()
    return [e for e in entries if _mentions(text, e.name.strip().casefold())]


def _mentions(text: str, name: str) -> bool:
    if not name:
        return False
    if name.isascii():
        return re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text) is not None
    return name in text  # Chinese names have no word boundaries


def _references(ctx: _Context, project: Project, index: int) -> tuple[Any, ...]:
    """The pictures of the characters shot ``index`` shows, in the bible's order of the shot (those that have one).
    They were checked when they joined the character sheet; here they are only decoded (a file broken since is a
    MediaError that names it)."""
    return tuple(load_image(resolve_media(entry.reference_image, ctx.root), ctx.settings)
                 for entry in shot_characters(project, index) if entry.reference_image)


def build_request(ctx: _Context, project: Project, index: int,
                  seed: int) -> tuple[VideoRequest, dict[str, Any], tuple[str, ...]]:
    """The request for one shot, the source part of its cache key, and notes for the user about how it is made."""
    shot = project.shots[index]
    source = effective_source(shot)
    notes: list[str] = []
    to_next = ends_on_next(project, index, notes)
    width, height = _size(ctx)
    fps = float(ctx.options.fps or ctx.defaults.fps)
    frames = ctx.options.frames or (frames_for(shot.duration_ms, fps) if fps > 0 else 1)
    request = VideoRequest(
        task=VideoTask.BRIDGE if to_next else _task(source), prompt=shot_prompt(project, shot),
        negative_prompt=project.negative_prompt, width=width, height=height, num_frames=frames, fps=fps,
        num_inference_steps=_steps(ctx), guidance_scale=ctx.options.guidance_scale, seed=seed,
        strength=ctx.options.strength,
    )
    spec = ShotSpec(index=index, duration_ms=shot.duration_ms, camera_move=shot.camera_move,
                    visual_prompt=shot.visual_prompt, language=project.resolved_language(), source=source,
                    clip_fps=float(ctx.options.fps or get_preset(project.preset).fps), ends_on_next=to_next)
    request, key_extra = ctx.backend.prepare(request, spec)
    if to_next and (request.task is not VideoTask.BRIDGE or VideoTask.BRIDGE not in ctx.backend.tasks):
        # the backend cannot pin a last frame (the still draft): the keyframe shot as before, said once here
        to_next = False
        request = request.with_(task=VideoTask.IMAGE)
        notes.append(f"{_where(index)}: the {ctx.backend.name} backend cannot end a shot on the next shot's "
                     "picture, so it shows its keyframe alone (LTX or Wan make the seamless cut)")
    key_source: dict[str, Any] = {"kind": source.value, **key_extra}
    if source is ShotSource.IMAGE:
        path = _source_media(ctx, shot, index, MediaKind.IMAGE)
        request = request.with_(image=load_image(path, ctx.settings))
        # the picture's pixels, not its file: a keyframe saved again never re-renders; a new picture always does
        key_source["pixels"] = _image_digest(request.image)
        if to_next:  # likewise the picture it ends on: replacing the next keyframe re-renders this shot
            following = _next_picture(ctx, project, index)
            request = request.with_(last_image=following)
            key_source["next"] = _image_digest(following)
    elif source is ShotSource.CLIP:
        from pipelines.video.io import read_clip_frames

        path = _source_media(ctx, shot, index, MediaKind.VIDEO)
        key_source.update(sha256=_file_digest(path), start_ms=shot.clip_start_ms)
        video = read_clip_frames(path, ctx.settings, size=(request.width, request.height), fps=request.fps,
                                 count=request.num_frames, start_ms=shot.clip_start_ms)
        request = request.with_(video=video)
    elif source in (ShotSource.PREVIOUS, ShotSource.BRIDGE):
        if index == 0:
            raise ProjectValidationError(f"{_where(index)} starts from the previous shot, but it is the first shot")
        image = last_frame(ctx, project, index - 1)
        request = request.with_(image=image)
        key_source["previous"] = _image_digest(image)
        if source is ShotSource.BRIDGE:
            if index + 1 >= len(project.shots):
                raise ProjectValidationError(f"{_where(index)} bridges to the next shot, but it is the last shot")
            following = first_frame(ctx, project, index + 1)
            request = request.with_(last_image=following)
            key_source["next"] = _image_digest(following)
    if _shows_references(project) and ctx.backend.uses_references(request):
        references = _references(ctx, project, index)
        if references:  # their pixels, in order: a new character picture re-renders the shots that show it
            request = request.with_(references=references)
            key_source["references"] = [_image_digest(r) for r in references]
    return request, key_source, tuple(notes)


# -- 3. cache ---------------------------------------------------------------------------------------

def cache_key(identity: dict[str, Any], request: VideoRequest, key_source: dict[str, Any]) -> str:
    """A hash of everything that affects a shot's pixels, and of nothing that does not."""
    payload = {
        "v": CACHE_VERSION, **identity, "task": request.task.value, "prompt": request.prompt,
        "negative": request.negative_prompt, "size": [request.width, request.height], "frames": request.num_frames,
        "fps": request.fps, "steps": request.num_inference_steps, "guidance": request.guidance_scale,
        "seed": request.seed, "strength": request.strength if request.task is VideoTask.CLIP else None,
        "title": request.title, "source": key_source,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def _link_into(source: Path, folder: Path) -> Path:
    """Hard-link (else copy) a cached file into the project's folder, atomically."""
    from studio.project.files import link_or_copy

    target = folder / source.name
    if not (target.is_file() and target.stat().st_size == source.stat().st_size):
        link_or_copy(source, target)
    return target


def _project_path(ctx: _Context, media: Path) -> str:
    if ctx.root is None or ctx.media_dir is None:
        return str(media)
    linked = _link_into(media, ctx.media_dir)
    return linked.resolve().relative_to(ctx.root.resolve()).as_posix()


# -- 4. generate, 5. store: by the services' runner (this process, or a Ray cluster) ----------------

Made = tuple[Path, ShotRender, str, tuple[str, ...], str]  # media, render, "generated"/"cached", notes, worker


@dataclass(frozen=True)
class _Planned:
    """One shot at one seed, planned: found already (``made``), or a job for the runner."""

    index: int
    seed: int
    job: ShotJob | None = None
    made: Made | None = None
    notes: tuple[str, ...] = ()  # how the plan differs from what the shot asked for (said with its outcome)


def _plan(ctx: _Context, project: Project, index: int, seed: int) -> _Planned:
    """The shot's request and key; the cache (or the project's own copy) when it has the shot already."""
    shot = project.shots[index]
    try:
        request, key_source, plan_notes = build_request(ctx, project, index, seed)
    except StudioError:
        raise
    except ValueError as err:
        raise GenerationError(f"{_where(index)}: {err}") from None
    key = cache_key(ctx.identity, request, key_source)
    hit = ctx.cache.lookup(key)
    if hit is not None:
        # What the backend would say about this request (a rounding, parallax over a flat photo) holds for the
        # cached shot too: check_inputs is pure, so say it again.
        hit_notes = tuple(f"{_where(index)}: {n}" for n in ctx.backend.check_inputs(request)[1])
        return _Planned(index, seed, made=(hit[0], hit[1], "cached", plan_notes + hit_notes, ""))
    if ctx.media_dir is not None and shot.render is not None and shot.render.cache_key == key and shot.media:
        existing = resolve_media(shot.media, ctx.root)
        if existing.is_file():  # the project travelled without the cache: its own copy is the shot
            return _Planned(index, seed, made=(existing, shot.render, "cached", plan_notes, ""))
    check_generation(request.prompt, request.negative_prompt, ctx.settings, where=f"{_where(index)} prompt")
    return _Planned(index, seed, job=ShotJob(index, shot.id, key, request), notes=plan_notes)


def _made(ctx: _Context, planned: list[_Planned]) -> Iterator[tuple[_Planned, Made, float]]:
    """Each planned shot with what was made of it and the seconds it took: the ones found first, then the
    runner's, as they finish (in any order: on a cluster independent shots render at once)."""
    for item in planned:
        if item.made is not None:
            yield item, item.made, 0.0
    todo = {id(item.job): item for item in planned if item.job is not None}
    if not todo:
        return
    if ctx.cancel is not None and ctx.cancel():
        raise RenderCancelled("generation was cancelled; finished shots are kept in the shot cache")

    def step(job: ShotJob, done: int, total: int) -> None:
        if ctx.progress is not None:
            ctx.progress(GenerationProgress(job.index, len(ctx.project.shots), job.shot_id, done, total))

    last = time.monotonic()
    for job, stored in ctx.runner.run(ctx.backend, [item.job for item in todo.values()], progress=step,
                                      cancel=ctx.cancel):
        item = todo[id(job)]
        notes = [*item.notes, *stored.notes]
        render, shot = stored.render, ctx.project.shots[item.index]
        made_s = render.num_frames / render.fps if render.fps else None  # None: a still, as long as its shot
        if stored.status == "generated" and made_s is not None and made_s * 1000 < shot.duration_ms - 100:
            notes.append(f"{_where(item.index)}: the model made {made_s:.1f} s of the shot's "
                         f"{shot.duration_ms / 1000:.1f} s; the last frame holds (extend the shot to continue it)")
        now = time.monotonic()
        yield item, (stored.media, render, stored.status, tuple(notes), stored.worker), now - last
        last = now


def _new_context(project: Project, project_root: Path | None, options: VideoOptions, services: Services,
                 progress: ShotsProgress | None, cancel: Cancel | None) -> _Context:
    settings = services.settings
    runner = services.runner
    backend = runner.backend(options)
    root = Path(project_root).resolve() if project_root is not None else None
    media_dir = None
    if root is not None:
        media_dir = Path(options.media_dir) if options.media_dir else root / "shots"
        media_dir = (media_dir if media_dir.is_absolute() else root / media_dir).resolve()
        if not media_dir.is_relative_to(root):
            raise ProjectValidationError(f"the shots folder {media_dir} must be inside the project folder {root}")
        from studio.scratch import sweep_stale

        sweep_stale(media_dir)  # links half-made by a stopped process (ownerless: only once they are old)
    return _Context(project, root, options, settings, backend, backend.defaults(get_preset(project.preset)),
                    backend.cache_identity(), ShotCache(runner.cache_root), media_dir, progress, cancel, runner)


def _seed_of(shot: Shot) -> int:
    return shot.seed if shot.seed is not None else secrets.randbelow(2**31)


def _keep(ctx: _Context, project: Project, index: int) -> tuple[Project, ShotOutcome] | None:
    """A shot with nothing to generate (the user's own media, or a clip this backend shows as it is)."""
    shot = project.shots[index]
    source = effective_source(shot)
    if source is not None and _task(source) in ctx.backend.tasks:
        return None
    if source is ShotSource.CLIP and shot.media is None:  # e.g. a draft shows the user's clip as it is
        shot = shot.model_copy(update={"media": shot.source_media, "status": ShotStatus.RENDERED})
        project = project.with_shots([*project.shots[:index], shot, *project.shots[index + 1:]])
    return project, ShotOutcome(index, shot.id, "kept", None)


def _render_wave(ctx: _Context, project: Project, indexes: list[int]) -> tuple[Project, list[ShotOutcome]]:
    """Shots that do not depend on each other: planned first, then rendered together by the runner."""
    outcomes, planned = [], []
    for index in indexes:
        kept = _keep(ctx, project, index)
        if kept is not None:
            project, outcome = kept
            outcomes.append(outcome)
            continue
        planned.append(_plan(ctx, project, index, _seed_of(project.shots[index])))
    ctx.project = project
    for item, (media, render, status, notes, worker), elapsed in _made(ctx, planned):
        shot = project.shots[item.index]
        updated = shot.model_copy(update={"media": _project_path(ctx, media), "render": render, "seed": item.seed,
                                          "source": effective_source(shot), "status": ShotStatus.RENDERED})
        project = project.with_shots([*project.shots[:item.index], updated, *project.shots[item.index + 1:]])
        ctx.project = project
        outcomes.append(ShotOutcome(item.index, shot.id, status, media, render.cache_key, elapsed, notes, worker))
    return project, outcomes


def _waves(project: Project, order: list[int]) -> list[list[int]]:
    """``order`` cut where a shot needs one before it in the same group: a shot that continues the previous
    shot's last frame, a bridge between its neighbours, or a keyframe that ends on the next shot's first frame,
    waits for them; the rest render at once."""
    waves: list[list[int]] = [[]]
    for index in order:
        source = effective_source(project.shots[index])
        needs = {index - 1} if source in (ShotSource.PREVIOUS, ShotSource.BRIDGE) else set()
        if source is ShotSource.BRIDGE or _needs_next_rendered(project, index):
            needs.add(index + 1)
        if needs & set(waves[-1]):
            waves.append([])
        waves[-1].append(index)
    return [wave for wave in waves if wave]


def _index_of(project: Project, shot_id: str) -> int:
    for i, shot in enumerate(project.shots):
        if shot.id == shot_id:
            return i
    raise ProjectValidationError(f"there is no shot with the id {shot_id!r}")


def _result(ctx: _Context, project: Project, outcomes: list[ShotOutcome], started: float) -> ShotsResult:
    notes = tuple(n for o in outcomes for n in o.notes)
    return ShotsResult(project, tuple(sorted(outcomes, key=lambda o: o.index)), ctx.backend.name,
                       ctx.backend.model, ctx.backend.draft, time.monotonic() - started, notes)


def render_shots(project: Project, project_root: Path | None, options: VideoOptions, services: Services, *,
                 progress: ShotsProgress | None = None, cancel: Cancel | None = None) -> ShotsResult:
    """Generate every shot that needs it, in storyboard order (so chaining sees the shot before), bridges and
    keyframes that end on the next shot's first frame last (they need the shot after them). Cached shots are
    reused; the user's own media is kept."""
    started = time.monotonic()
    if not project.shots:
        raise ProjectValidationError("the project has no shots; add at least one")
    if all(effective_source(s) is None for s in project.shots):  # the user's own media only: nothing to load
        kept = tuple(ShotOutcome(i, s.id, "kept") for i, s in enumerate(project.shots))
        return ShotsResult(project, kept, "none", "", False, time.monotonic() - started)
    for i, shot in enumerate(project.shots):  # prompt safety: every shot before the first is generated
        if effective_source(shot) is not None:
            check_generation(shot_prompt(project, shot), project.negative_prompt, services.settings,
                             where=f"{_where(i)} prompt")
    ctx = _new_context(project, project_root, options, services, progress, cancel)
    for i, shot in enumerate(project.shots[1:], start=1):
        after_bridge = effective_source(project.shots[i - 1]) is ShotSource.BRIDGE
        if effective_source(shot) is ShotSource.PREVIOUS and after_bridge:
            raise ProjectValidationError(f"{_where(i)} starts from the previous shot, which is a bridge that must end "
                                         f"on {_where(i)}'s first frame: give {_where(i)} another source")
    outcomes: list[ShotOutcome] = []
    # After the shots they need: keyframes that end on a shot's first frame (that shot is never one of these),
    # then bridges (whose next shot may be such a keyframe).
    to_next = [i for i in range(len(project.shots)) if _needs_next_rendered(project, i)]
    bridges = [i for i, s in enumerate(project.shots) if effective_source(s) is ShotSource.BRIDGE]
    first = [i for i in range(len(project.shots)) if i not in bridges and i not in to_next]
    for wave in _waves(project, first + to_next + bridges):
        project, done = _render_wave(ctx, project, wave)
        outcomes += done
    return _result(ctx, project, outcomes, started)


def render_shot(project: Project, project_root: Path | None, shot_id: str, options: VideoOptions,
                services: Services, *, progress: ShotsProgress | None = None,
                cancel: Cancel | None = None) -> ShotsResult:
    """Generate (or fetch from the cache) one shot; the others are left as they are."""
    started = time.monotonic()
    ctx = _new_context(project, project_root, options, services, progress, cancel)
    project, outcomes = _render_wave(ctx, project, [_index_of(project, shot_id)])
    return _result(ctx, project, outcomes, started)


def render_variations(project: Project, project_root: Path | None, shot_id: str, count: int,
                      options: VideoOptions, services: Services, *, progress: ShotsProgress | None = None,
                      cancel: Cancel | None = None) -> ShotsResult:
    """``count`` candidates of one shot with consecutive seeds from its own; the shot's media is unchanged
    until ``choose_variation``."""
    if not 1 <= count <= 16:
        raise ProjectValidationError(f"ask for 1 to 16 variations, not {count}")
    started = time.monotonic()
    ctx = _new_context(project, project_root, options, services, progress, cancel)
    index = _index_of(project, shot_id)
    shot = project.shots[index]
    if effective_source(shot) is None:
        raise ProjectValidationError(f"{_where(index)} shows the user's own media; give it a source to vary")
    base = _seed_of(shot)
    planned = [_plan(ctx, project, index, (base + k) % 2**63) for k in range(count)]
    made = {item.seed: (made, elapsed) for item, made, elapsed in _made(ctx, planned)}  # on a cluster, at once
    candidates, outcomes = [], []
    for item in planned:
        (media, render, status, notes, worker), elapsed = made[item.seed]
        candidates.append(ShotCandidate(media=_project_path(ctx, media), seed=item.seed, render=render))
        outcomes.append(ShotOutcome(index, shot.id, status, media, render.cache_key, elapsed, notes, worker))
    updated = shot.model_copy(update={"candidates": tuple(candidates), "seed": base})
    project = project.with_shots([*project.shots[:index], updated, *project.shots[index + 1:]])
    return ShotsResult(project, tuple(outcomes), ctx.backend.name, ctx.backend.model, ctx.backend.draft,
                       time.monotonic() - started)


def choose_variation(project: Project, shot_id: str, candidate: int) -> Project:
    """Keep candidate ``candidate`` (0-based) as the shot: its media, seed and render info."""
    index = _index_of(project, shot_id)
    shot = project.shots[index]
    if not 0 <= candidate < len(shot.candidates):
        raise ProjectValidationError(f"{_where(index)} has {len(shot.candidates)} variations; "
                                     f"there is no number {candidate + 1}")
    chosen = shot.candidates[candidate]
    updated = shot.model_copy(update={"media": chosen.media, "seed": chosen.seed, "render": chosen.render,
                                      "source": effective_source(shot), "status": ShotStatus.RENDERED})
    return project.with_shots([*project.shots[:index], updated, *project.shots[index + 1:]])


def extend_shot(project: Project, project_root: Path | None, shot_id: str, *, seconds: float,
                forward: bool = True, options: VideoOptions, services: Services,
                progress: ShotsProgress | None = None, cancel: Cancel | None = None) -> ShotsResult:
    """Make a generated shot longer without a seam: new frames conditioned on the clip's last frames
    (forward) or leading into its first frame (backward), joined into one clip. LTX only.

    The extended clip is a finished piece of footage: the shot keeps it (``source`` becomes null, like a
    user's clip), so a later ``render_shots`` does not regenerate it from the prompt.
    """
    from pipelines.video.io import read_clip_frames

    started = time.monotonic()
    ctx = _new_context(project, project_root, options, services, progress, cancel)
    index = _index_of(project, shot_id)
    shot = project.shots[index]
    task = VideoTask.EXTEND_FORWARD if forward else VideoTask.EXTEND_BACKWARD
    if task not in ctx.backend.tasks:
        raise GenerationError(f"extending a shot needs the LTX backend (the {ctx.backend.name} backend cannot "
                              "extend a shot)")
    if shot.render is None or not shot.media or shot.render.fps <= 0:
        raise ProjectValidationError(f"{_where(index)} has no generated clip to extend; render it first")
    if not 0.3 <= seconds <= 20:
        raise ProjectValidationError(f"extend by 0.3 to 20 s, not {seconds}")
    render = shot.render
    path = resolve_media(shot.media, ctx.root)
    clip = read_clip_frames(path, ctx.settings, size=(render.width, render.height), fps=render.fps,
                            count=render.num_frames)
    seed = _seed_of(shot)
    request = VideoRequest(
        task=task, prompt=shot_prompt(project, shot), negative_prompt=project.negative_prompt, width=render.width,
        height=render.height, num_frames=int(round(seconds * render.fps)), fps=render.fps,
        num_inference_steps=options.steps or render.steps or _steps(ctx), guidance_scale=options.guidance_scale,
        seed=seed, video=clip,
    )
    key = cache_key(ctx.identity, request, {"extends": render.cache_key, "forward": forward})
    hit = ctx.cache.lookup(key)
    status = "cached"
    if hit is None:  # the whole longer clip, joined by the backend
        check_generation(request.prompt, request.negative_prompt, ctx.settings, where=f"{_where(index)} prompt")
        job = _Planned(index, seed, job=ShotJob(index, shot.id, key, request))
        for _item, (media, made_render, made_status, _notes, _worker), _elapsed in _made(ctx, [job]):
            hit, status = (media, made_render), made_status
    media, new_render = hit
    duration = min(MAX_SHOT_MS, int(new_render.num_frames / new_render.fps * 1000))
    updated = shot.model_copy(update={"media": _project_path(ctx, media), "render": new_render, "seed": seed,
                                      "source": None, "duration_ms": max(shot.duration_ms, duration),
                                      "clip_start_ms": 0, "status": ShotStatus.RENDERED})
    project = project.with_shots([*project.shots[:index], updated, *project.shots[index + 1:]])
    outcome = ShotOutcome(index, shot.id, status, media, key, time.monotonic() - started)
    return _result(ctx, project, [outcome], started)


def bridge_shots(project: Project, project_root: Path | None, after_shot_id: str, options: VideoOptions,
                 services: Services, *, duration_ms: int = 2000, prompt: str = "",
                 progress: ShotsProgress | None = None, cancel: Cancel | None = None) -> ShotsResult:
    """Insert a shot after ``after_shot_id`` that starts on its last frame and ends on the next shot's first
    frame, and generate it: a seamless transition between two different shots (cuts on both sides)."""
    index = _index_of(project, after_shot_id)
    if index + 1 >= len(project.shots):
        raise ProjectValidationError(f"{_where(index)} is the last shot; a bridge needs a shot after it")
    a, b = project.shots[index], project.shots[index + 1]
    bridge = Shot(visual_prompt=prompt or f"{a.visual_prompt} Then: {b.visual_prompt}".strip(),
                  duration_ms=duration_ms, source=ShotSource.BRIDGE, transition=Transition.CUT,
                  camera_move=a.camera_move, fit=a.fit)
    b = b.model_copy(update={"transition": Transition.CUT})
    shots = [*project.shots[: index + 1], bridge, b, *project.shots[index + 2:]]
    project = project.with_shots(shots)
    return render_shot(project, project_root, bridge.id, options, services, progress=progress, cancel=cancel)


__all__ = [
    "GenerationProgress", "ShotCache", "ShotOutcome", "ShotsResult", "VideoOptions", "bridge_shots", "cache_key",
    "choose_variation", "effective_source", "extend_shot", "render_shot", "render_shots",
    "render_variations", "shot_characters", "shot_prompt",
]
