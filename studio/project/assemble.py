"""Build a project from a list of media files and captions: the quick path of the CLI and the UI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.errors import LimitError, ProjectValidationError
from studio.media import MediaKind, probe_shot_media
from studio.project.effect_forms import effects_from_text
from studio.project.effects import Effect, Look, bundled_looks
from studio.project.files import validate_project
from studio.project.limits import check_project_limits
from studio.project.model import (
    MAX_SHOT_MS,
    MIN_SHOT_MS,
    AiLabel,
    BeatSnap,
    Fit,
    Language,
    MusicTrack,
    Project,
    Transition,
)
from studio.project.presets import PresetName
from studio.project.styles import DEFAULT_CAPTION_STYLE, caption_style
from studio.settings import Settings
from studio.values import blank, choice, number

DEFAULT_IMAGE_SECONDS = 3.0
DEFAULT_TRANSITION_MS = 500


def _no_files(path: str) -> str:
    raise ValueError(f"a look file cannot be named here ({path[:40]!r}); upload the .cube file instead")


def clip_effects(look: Any = None, effects: Any = None, *, look_file: Any = None,
                 visitor: bool = False) -> tuple[Effect, ...]:
    """The clip-wide effects a face was given: a look (a bundled name, or a .cube file: an upload, or a path on the
    command line) and effects typed as MoviePy calls or JSON. A visitor (the UI, the API) may not name files."""
    found: list[Effect] = []
    check_file = _no_files if visitor else None
    try:
        if not blank(look_file):
            found.append(Look(file=str(look_file)))
        elif not blank(look):
            look = str(look).strip()
            if look in bundled_looks():
                found.append(Look(look=look))
            elif look.lower().endswith(".cube") and not visitor:
                found.append(Look(file=str(Path(look).expanduser().resolve())))
            else:
                raise ValueError(f"no bundled look is called {look[:40]!r}; the bundled looks are "
                                 f"{', '.join(bundled_looks())}" + ("" if visitor else ", or give a .cube file"))
        texts = [effects] if isinstance(effects, str) or effects is None else list(effects)
        for text in texts:
            found += effects_from_text(text, clip_wide=True, check_file=check_file)
    except ValueError as err:
        raise ProjectValidationError(str(err)) from None
    return tuple(found)


@dataclass(frozen=True)
class QuickOptions:
    preset: PresetName = PresetName.DOUYIN
    shot_seconds: float | None = None  # None: 3 s per image, a clip's own length per clip
    transition: Transition = Transition.CROSSFADE
    transition_ms: int | None = None  # None: 0.5 s, or less where a shot is shorter
    effects: tuple[Effect, ...] = ()  # clip-wide: a look and colour effects on every shot
    fit: Fit = Fit.COVER
    title: str = ""
    caption_style: str = DEFAULT_CAPTION_STYLE
    language: Language = Language.AUTO
    music: Path | None = None  # a file ...
    music_library: str | None = None  # ... or a bundled track id
    music_gain_db: float = -8.0
    beat_sync: bool = False
    snap_to: BeatSnap = BeatSnap.BEAT
    voiceover: Path | None = None  # one recording for the whole clip
    keep_clip_audio: bool = False
    visible_label: bool = True

    @classmethod
    def from_values(cls, *, preset: Any = None, shot_seconds: Any = None, transition: Any = None, fit: Any = None,
                    title: Any = "", caption_style: Any = None, language: Any = None, music: Any = None,
                    music_library: Any = None, music_gain_db: Any = None, beat_sync: Any = False,
                    snap_to: Any = None, voiceover: Any = None, keep_clip_audio: Any = False,
                    visible_label: Any = True, transition_seconds: Any = None, look: Any = None,
                    effects: Any = None, look_file: Any = None, visitor: bool = False) -> QuickOptions:
        """The one parser of the quick path's options, for every face. A music file wins over a bundled track;
        ``visitor`` (the UI and the API) may give a look only as a bundled name or an upload, never a path."""
        seconds = number("transition length", transition_seconds)
        if seconds is not None and not 0 <= seconds <= 3:
            raise ProjectValidationError(f"the transition length must be 0 to 3 s, not {seconds:g}")
        return cls(
            preset=choice("platform preset", PresetName, preset, PresetName.DOUYIN),
            shot_seconds=number("shot length", shot_seconds) or None,
            transition=choice("transition", Transition, transition, Transition.CROSSFADE),
            transition_ms=None if seconds is None else round(seconds * 1000),
            effects=clip_effects(look, effects, look_file=look_file, visitor=visitor),
            fit=choice("fit", Fit, fit, Fit.COVER), title=str(title or "").strip(),
            caption_style=str(caption_style or DEFAULT_CAPTION_STYLE), language=choice("language", Language, language,
                                                                                  Language.AUTO),
            music=Path(music) if not blank(music) else None,
            music_library=None if not blank(music) or blank(music_library) else str(music_library),
            music_gain_db=number("music gain", music_gain_db, -8.0), beat_sync=bool(beat_sync),
            snap_to=choice("beat snap", BeatSnap, snap_to, BeatSnap.BEAT),
            voiceover=Path(voiceover) if not blank(voiceover) else None, keep_clip_audio=bool(keep_clip_audio),
            visible_label=bool(visible_label))


def project_from_media(media: Sequence[str | Path], captions: Sequence[str], options: QuickOptions,
                       settings: Settings) -> Project:
    """One shot per file, the i-th caption on the i-th shot. Errors name the shot and the file."""
    if not media:
        raise ProjectValidationError("add at least one image or clip")
    if len(media) > settings.max_shots:  # before probing each of them
        raise LimitError(f"{len(media)} files make {len(media)} shots; this studio takes at most "
                         f"{settings.max_shots} (STUDIO_MAX_SHOTS)")
    if len(captions) > len(media):
        raise ProjectValidationError(f"{len(captions)} captions for {len(media)} shots; give at most one per shot")
    if options.shot_seconds is not None and not MIN_SHOT_MS <= options.shot_seconds * 1000 <= MAX_SHOT_MS:
        raise ProjectValidationError(
            f"shot length {options.shot_seconds} s is outside {MIN_SHOT_MS / 1000:g}..{MAX_SHOT_MS / 1000:g} s"
        )
    shots: list[dict[str, Any]] = []
    for i, raw in enumerate(media):
        path = Path(raw).expanduser().resolve()
        info = probe_shot_media(path, settings, f"shot {i + 1}")
        if options.shot_seconds is not None:
            duration = round(options.shot_seconds * 1000)
        elif info.kind is MediaKind.VIDEO:
            duration = min(max(info.duration_ms, MIN_SHOT_MS), MAX_SHOT_MS)
        else:
            duration = round(DEFAULT_IMAGE_SECONDS * 1000)
        shots.append({
            "media": str(path),
            "caption": captions[i] if i < len(captions) else "",
            "duration_ms": duration,
            "transition": options.transition.value,
            "fit": options.fit.value,
            "clip_audio_gain_db": 0.0 if options.keep_clip_audio else None,
        })
    for i, shot in enumerate(shots):  # the default length fits the shorter neighbour; a chosen one is checked
        neighbours = min(shot["duration_ms"], shots[i - 1]["duration_ms"]) if i else shot["duration_ms"]
        shot["transition_ms"] = (min(DEFAULT_TRANSITION_MS, neighbours) if options.transition_ms is None
                                 else options.transition_ms)
    data = {
        "language": options.language.value,
        "preset": options.preset.value,
        "storyboard": {"title": options.title, "hook": options.title, "shots": shots},
        "caption_style": caption_style(options.caption_style).model_dump(mode="json"),
        "label": AiLabel(visible=options.visible_label).model_dump(mode="json"),
        "effects": list(options.effects),
    }
    if options.music is not None or options.music_library is not None:
        source = ({"path": str(Path(options.music).expanduser().resolve())} if options.music is not None
                  else {"library": options.music_library})
        data["music"] = MusicTrack(**source, gain_db=options.music_gain_db, beat_sync=options.beat_sync,
                                   snap_to=options.snap_to).model_dump(mode="json")
    elif options.beat_sync:
        raise ProjectValidationError("beat sync needs music: add --music FILE or a bundled track")
    if options.voiceover is not None:
        data["voiceover"] = {"path": str(Path(options.voiceover).expanduser().resolve())}
    return check_project_limits(validate_project(data), settings)
