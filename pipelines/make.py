"""``make``: one idea to a postable clip, the five stages in order, each one resumable from its files.

    0. check    every input (idea, length, caption style, music, reference pictures, video backend, output)
                before anything is written: bad input changes nothing
    1. script   the services' script writers: the storyboard, which backend wrote it and its notes
    2. project  the Project (storyboard with a seed per shot, preset, language, caption style, music,
                AI label, reference pictures on the first shots; the hook title is the storyboard's hook),
                saved as ``OUT.project.json`` before any generation, so a crash or a cancel never loses
                the storyboard
    3. narration  ``narrate``: every shot's voice-over line spoken into ``OUT.project.media/voice/`` (cached by
                text, voice, speed and backend), its words timed on the caption, the shots fitted to the voice with the
                chosen length held; before the shots, so they are generated at their fitted lengths; saved again.
                ``MakeOptions.voice`` None turns it off; ``auto`` (the default) narrates when this machine has a
                voice for the language and says so in a note when it has none
    4. shots    ``render_shots`` into ``OUT.project.media/shots/`` (cached shots are reused), saved again
    5. compose  ``compose`` to ``OUT.mp4`` with its sidecars; it writes the final ``OUT.project.json``
                itself (with beat sync, the snapped durations), so the file is the one the MP4 came from;
                ``MakeOptions.draft`` composes the fast 540x960 draft instead of the platform's size

The paths are the compositor's own (``sidecar_paths``), so ``python -m studio render OUT.project.json``
picks up where an interrupted ``make`` stopped. The UI, the API and the CLI call (through ``actions``)::

    result = make_short(ScriptRequest(idea="...", seconds=30), "out.mp4", VideoOptions(), services,
                        progress=MakeProgress(stage=..., shots=...), cancel=...)

Nothing here formats for display; ``MakeProgress.stage`` hands each finished stage's result to the caller.
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.backends import ScriptBackendName, VoiceBackendName
from studio.errors import MissingMediaError, ProjectValidationError, RenderCancelled
from studio.project.model import AiLabel, MusicTrack, Project, ShotSource
from studio.project.presets import PresetName
from studio.project.styles import DEFAULT_CAPTION_STYLE

if TYPE_CHECKING:
    from pipelines.narration import NarrationResult
    from pipelines.script.contract import ScriptRequest, ScriptResult
    from pipelines.services import Services
    from pipelines.shots import ShotsProgress, ShotsResult, VideoOptions
    from studio.compose.compositor import ComposeResult

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
SEED_RANGE = 2**31


class MakeStage(StrEnum):
    SCRIPT = "script"
    PROJECT = "project"
    NARRATION = "narration"
    SHOTS = "shots"
    COMPOSE = "compose"

    @property
    def number(self) -> int:
        return list(MakeStage).index(self) + 1


@dataclass(frozen=True)
class MakeOptions:
    """What ``make`` adds to the script request and the video options: the look and sound of the clip."""

    script_backend: ScriptBackendName | None = None  # None: the settings' (auto)
    caption_style: str = DEFAULT_CAPTION_STYLE
    music: Path | None = None  # a file ...
    music_library: str | None = None  # ... or a bundled track id
    music_gain_db: float = -8.0
    beat_sync: bool = False
    visible_label: bool = True
    references: tuple[str, ...] = ()  # pictures (a character, a product) that the first shots start from, in order
    draft: bool = False  # compose the fast 540x960 draft (the project keeps its platform preset)
    # narration: a voice backend (None: no narration; auto: when this machine has a voice), a voice, a speed
    voice: VoiceBackendName | None = VoiceBackendName.AUTO
    voice_name: str | None = None
    voice_speed: float = 1.0
    keyframes: str = "auto"  # auto|on|off: draw a keyframe per shot first (pipelines.keyframes.KeyframeMode)
    image_model: str | None = None  # the keyframe model (None: the settings')
    stop_after: MakeStage = MakeStage.COMPOSE

    @classmethod
    def from_values(cls, *, music: Any = None, music_library: Any = None, beat_sync: Any = False,
                    caption_style: Any = None, visible_label: Any = True, script_backend: Any = None,
                    references: Any = (), draft: bool = False, voice: Any = VoiceBackendName.AUTO.value,
                    voice_name: Any = None, voice_speed: Any = None, keyframes: Any = "auto",
                    image_model: Any = None) -> MakeOptions:
        """The one parser of make's options, for every face. ``music`` is a file; ``music_library`` a bundled
        track id (the CLI's ``--music FILE_OR_NAME`` is split by ``studio.sound.library.music_source``);
        ``voice`` a voice backend name, ``auto`` or ``none`` (blank: auto)."""
        from pipelines.narration import NarrationOptions

        try:
            backend = ScriptBackendName(script_backend) if script_backend else None
        except ValueError:
            raise ProjectValidationError(f"unknown script backend {script_backend!r}; choose one of: "
                                         f"{', '.join(ScriptBackendName)}") from None
        choice = str(voice or VoiceBackendName.AUTO.value).strip().lower()
        narration = None if choice == "none" else NarrationOptions.from_values(choice, voice_name, voice_speed)
        return cls(script_backend=backend, caption_style=caption_style or DEFAULT_CAPTION_STYLE,
                   music=Path(music) if music else None, music_library=music_library or None,
                   beat_sync=bool(beat_sync), visible_label=bool(visible_label),
                   references=tuple(str(r) for r in references or ()), draft=bool(draft),
                   voice=narration.backend if narration else None,
                   voice_name=narration.voice if narration else None,
                   voice_speed=narration.speed if narration else 1.0,
                   keyframes=str(keyframes or "auto").strip().lower(), image_model=str(image_model or "") or None)


@dataclass(frozen=True)
class MakePaths:
    """Where ``make`` writes, all named after the output the way the compositor names its sidecars."""

    video: Path
    project_file: Path
    shots_dir: Path

    @classmethod
    def for_output(cls, output: str | Path) -> MakePaths:
        from studio.compose.compositor import sidecar_paths

        video = Path(output).expanduser()
        project_file = sidecar_paths(video)["project"]
        return cls(video, project_file, project_file.resolve().parent / f"{project_file.stem}.media" / "shots")

    @property
    def root(self) -> Path:
        """The project folder: media paths in the project file are relative to it."""
        return self.project_file.resolve().parent


@dataclass(frozen=True)
class MakeResult:
    stage: MakeStage  # the last stage finished
    paths: MakePaths
    script: ScriptResult
    seed: int  # the first shot's seed; shot i has seed + i (pass it back to reproduce the shots)
    project: Project | None = None  # as saved in paths.project_file after the last finished stage
    shots: ShotsResult | None = None
    compose: ComposeResult | None = None
    narration: NarrationResult | None = None
    narration_notes: tuple[str, ...] = ()  # including why there was none (no voice here)
    elapsed_s: float = 0.0


@dataclass(frozen=True)
class MakeProgress:
    """Where progress goes; any of them may be None."""

    stage: Callable[[MakeResult], None] | None = None  # after each stage, with the result so far
    script: Progress | None = None  # tokens written
    narration: Progress | None = None  # lines spoken
    shots: ShotsProgress | None = None  # denoising steps, per shot
    compose: Progress | None = None  # frames encoded


# -- 0. check ---------------------------------------------------------------------------------------

def _check_inputs(request: ScriptRequest, paths: MakePaths, video: VideoOptions, options: MakeOptions,
                  services: Services) -> ScriptRequest:
    """Validate everything a later stage would refuse, so nothing is written for bad input."""
    from pipelines.script.storyboard import check_request
    from studio.media import MediaKind, probe_for
    from studio.project.styles import caption_style
    from studio.safety.prompts import check_script_request
    from studio.sound.library import library, library_track

    settings = services.settings
    checked = check_request(request)
    check_script_request(checked, settings)  # a refused idea writes nothing and loads no model
    if paths.video.suffix.lower() != ".mp4":
        raise ProjectValidationError(f"output {paths.video.name!r} must end in .mp4")
    if paths.video.is_dir():
        raise ProjectValidationError(f"output {paths.video} is a folder; give a file name ending in .mp4")
    caption_style(options.caption_style)
    if options.music is not None and options.music_library is not None:
        raise ProjectValidationError("give either a music file or a bundled track, not both")
    if options.music_library is not None:
        library_track(options.music_library)
    elif options.music is not None:
        music = Path(options.music).expanduser()
        if not music.exists():
            raise MissingMediaError(f"music {str(options.music)!r} is neither a file nor a bundled track "
                                    f"({', '.join(library())})")
        probe_for(music, settings, "music", expect=MediaKind.AUDIO)
    elif options.beat_sync:
        raise ProjectValidationError("beat sync needs music: add --music FILE or a bundled track")
    for index, picture in enumerate(options.references, start=1):
        probe_for(Path(picture), settings, f"reference picture {index}", expect=MediaKind.IMAGE)
    for name, value in (("frames", video.frames), ("steps", video.steps)):
        if value is not None and value <= 0:
            raise ProjectValidationError(f"{name} must be a positive number, not {value}")
    services.runner.backend(video)  # an unknown backend, or a real model refused where shots render
    from pipelines.keyframes import check_keyframes  # keyframes: no model for "on", non-commercial, not an image model

    check_keyframes(options.keyframes, services.image.options(model=options.image_model), services)
    if options.voice is not None and (options.voice is not VoiceBackendName.AUTO or options.voice_name):
        from pipelines.narration import NarrationOptions

        NarrationOptions.from_values(options.voice, options.voice_name, options.voice_speed)
        language = checked.language if checked.language.value != "auto" else None
        _voice_ready(services, options, language)  # a chosen voice that is not here: refused before any writing
    return checked


def _voice_ready(services: Services, options: MakeOptions, language: Any) -> str | None:
    """None when the chosen voice can speak here; else why not (``auto`` only: a chosen one raises)."""
    from studio.errors import VoiceError
    from studio.project.model import Language

    try:
        for lang in ([language] if language is not None else [Language.ZH, Language.EN]):
            services.voice.choose(lang, options.voice)
    except VoiceError as err:
        if options.voice is VoiceBackendName.AUTO:
            return str(err)
        raise
    if options.voice_name:  # a voice that is not here is refused now, not after the storyboard is written
        from pipelines.narration import voice_choice

        backend, name = voice_choice(options.voice_name, options.voice)
        voices = (services.voice.available() if backend is VoiceBackendName.AUTO
                  else services.voice.backend(backend).voices())
        if name not in {v.name for v in voices}:
            raise VoiceError(f"there is no voice {name!r} here; the voices here are: "
                             f"{', '.join(sorted(v.name for v in voices))}")
    return None


def _narrate(services: Services, project: Project, paths: MakePaths, options: MakeOptions,
             progress: Progress | None, cancel: Cancel | None) -> tuple[Project, NarrationResult | None,
                                                                        tuple[str, ...]]:
    """Stage 3: the lines spoken and the shots fitted to them, the chosen length held; with ``auto`` and no voice
    for the language on this machine, the project as it was and a note saying why."""
    from pipelines.narration import NarrationOptions, narrate

    if options.voice is None:
        return project, None, ()
    why = _voice_ready(services, options, project.resolved_language())
    if why is not None:
        notes: list[str] = []
        notes.append(f"no narration: {why}")
        return project, None, tuple(notes)
    folder = (paths.shots_dir.parent / "voice").relative_to(paths.root).as_posix()
    narration = narrate(services, project, paths.root, NarrationOptions(
        backend=options.voice, voice=options.voice_name, speed=options.voice_speed, hold_length=True,
        folder=folder), progress=progress, cancel=cancel)
    return narration.project, narration, narration.notes


# -- 2. project -------------------------------------------------------------------------------------

def build_project(request: ScriptRequest, script: ScriptResult, options: MakeOptions, seed: int) -> Project:
    """The storyboard as a project: every shot gets its own seed (``seed + i``) so it can be reproduced, and
    the reference pictures become the source images of the first shots, in order (image-to-video instead of
    text alone)."""
    from studio.project.styles import caption_style

    shots = [s if s.seed is not None else s.model_copy(update={"seed": (seed + i) % SEED_RANGE})
             for i, s in enumerate(script.storyboard.shots)]
    for i, picture in enumerate(options.references[:len(shots)]):
        shots[i] = shots[i].model_copy(update={"source": ShotSource.IMAGE, "source_media": picture})
    music = None
    if options.music is not None or options.music_library is not None:
        source = ({"path": str(Path(options.music).expanduser().resolve())} if options.music is not None
                  else {"library": options.music_library})
        music = MusicTrack(**source, gain_db=options.music_gain_db, beat_sync=options.beat_sync)
    project = Project(language=request.language, preset=request.preset, storyboard=script.storyboard,
                      caption_style=caption_style(options.caption_style), music=music,
                      label=AiLabel(visible=options.visible_label))
    return project.with_shots(shots)


def _check_cancel(cancel: Cancel | None, result: MakeResult) -> None:
    if cancel is not None and cancel():
        where = f"; the project so far is in {result.paths.project_file}" if result.project is not None else ""
        raise RenderCancelled(f"make was cancelled after the {result.stage.value} stage{where}")


def make_short(request: ScriptRequest, output: str | Path, video: VideoOptions, services: Services, *,
               options: MakeOptions = MakeOptions(), progress: MakeProgress | None = None,
               cancel: Cancel | None = None) -> MakeResult:
    """Idea to ``output`` (an .mp4) with its sidecars, stopping after ``options.stop_after``.

    Raises a StudioError on bad input (before anything is written) and ``RenderCancelled`` when cancelled;
    from stage 2 on, ``OUT.project.json`` always holds the last finished stage's project.
    """
    from pipelines.shots import render_shots
    from studio.compose.compositor import compose
    from studio.project.files import save_project

    started = time.monotonic()
    progress = progress or MakeProgress()
    paths = MakePaths.for_output(output)
    if video.media_dir is None:
        video = dataclasses.replace(video, media_dir=paths.shots_dir)

    def finish(result: MakeResult) -> MakeResult:
        result = dataclasses.replace(result, elapsed_s=time.monotonic() - started)
        if progress.stage is not None:
            progress.stage(result)
        return result

    # 0. check
    request = _check_inputs(request, paths, video, options, services)

    # 1. script
    script = services.scripts.write(request, backend=options.script_backend, progress=progress.script,
                              cancel=cancel)
    seed = request.seed % SEED_RANGE if request.seed is not None else secrets.randbelow(SEED_RANGE)
    result = finish(MakeResult(MakeStage.SCRIPT, paths, script, seed))
    if result.stage is options.stop_after:
        return result
    _check_cancel(cancel, result)

    # 2. project: saved before any generation (music outside the folder is linked in beside it)
    project = save_project(build_project(request, script, options, seed), paths.project_file)
    result = finish(dataclasses.replace(result, stage=MakeStage.PROJECT, project=project))
    if result.stage is options.stop_after:
        return result
    _check_cancel(cancel, result)

    # 3. narration: before the shots, so they are generated at the lengths fitted to the voice
    project, narration, voice_notes = _narrate(services, project, paths, options, progress.narration, cancel)
    if narration is not None:
        project = save_project(project, paths.project_file, source_root=paths.root)
    result = finish(dataclasses.replace(result, stage=MakeStage.NARRATION, project=project, narration=narration,
                                        narration_notes=voice_notes))
    if result.stage is options.stop_after:
        return result
    _check_cancel(cancel, result)

    # 4. shots (keyframes first, when there is a keyframe model: the character sheet, one picture per shot)
    from pipelines.keyframes import keyframes_for_make

    project, keyframe_notes = keyframes_for_make(
        project, paths.root, options.keyframes, services.image.options(model=options.image_model), services,
        folder=paths.shots_dir.parent.relative_to(paths.root).as_posix(), progress=progress.shots, cancel=cancel)
    shots = render_shots(project, paths.root, video, services, progress=progress.shots, cancel=cancel)
    shots = dataclasses.replace(shots, notes=keyframe_notes + shots.notes)
    project = save_project(shots.project, paths.project_file, source_root=paths.root)
    result = finish(dataclasses.replace(result, stage=MakeStage.SHOTS, project=project, shots=shots))
    if result.stage is options.stop_after:
        return result
    _check_cancel(cancel, result)

    # 5. compose: it rewrites OUT.project.json as rendered, and removes what it published when it fails; a draft
    #    is composed at the draft preset (so that file says draft) while the project keeps its platform's
    target = project.model_copy(update={"preset": PresetName.DRAFT}) if options.draft else project
    try:
        composed = compose(target, paths.video, settings=services.settings, project_root=paths.root,
                           progress=progress.compose, cancel=cancel)
    except BaseException:
        if not paths.project_file.exists():  # never lose the shots' project to compose's clean-up
            save_project(project, paths.project_file, source_root=paths.root)
        raise
    final = (composed.project or target).model_copy(update={"preset": project.preset})
    return finish(dataclasses.replace(result, stage=MakeStage.COMPOSE, project=final, compose=composed))


__all__ = ["MakeOptions", "MakePaths", "MakeProgress", "MakeResult", "MakeStage", "build_project", "make_short"]
