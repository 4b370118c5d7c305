"""From a project to what an editor hand-off holds, in three steps that write nothing:

    1. check     every file the timeline plays is inside the project folder and readable (named by its path in the
                 project); the music fitted and, with beat sync, the cuts moved exactly as the compositor moves
                 them (``studio.compose.compositor.check_sound``); shots without media are gaps, not errors
    2. media     one decision per file (``studio.export.media``): link, tag, stereo or fit, and its facts
    3. timeline  the editor timeline in frames (``studio.export.timeline``): shots, texts, music with its fades
                 and ducking, narration, and the notes on what no format carries

The folder writer (``studio.export.folder``) then writes the media, the format's file and the README.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from studio.errors import MissingMediaError, ProjectValidationError
from studio.export.media import (
    FitJob,
    MediaItem,
    MediaPlan,
    Stage,
    StreamFacts,
    picture_stage,
    sound_stage,
    stream_facts,
)
from studio.export.texts import lay_out_texts
from studio.export.timeline import (
    Canvas,
    Clip,
    EditAudio,
    EditShot,
    EditText,
    EditTimeline,
    MusicBed,
    Role,
    editor_text,
    fade_in_ramp,
    fade_out_ramp,
    level_keyframes,
)
from studio.media import MediaInfo, MediaKind
from studio.project.files import resolve_media
from studio.project.model import Project, Shot, Transition
from studio.project.presets import PlatformPreset
from studio.project.timeline import Timeline, build_timeline, first_frame, frame_count, frame_time_ms
from studio.settings import Settings
from studio.sound.mix import SoundSources

# Fields every exporter reads or that do not change what is seen or heard. A field outside these sets (a new
# effect, a speed, a look) that differs from its default is never dropped silently: the shot is rendered with it
# as the studio shows it and the README says so; a project-level one is listed as not carried.
READ_SHOT_FIELDS = frozenset({
    "id", "visual_prompt", "caption", "caption_words", "voiceover", "duration_ms", "camera_move", "transition",
    "transition_ms", "fit", "focus_x", "focus_y", "media", "clip_start_ms", "clip_audio_gain_db", "seed", "status",
    "voiceover_audio", "voiceover_gain_db", "narration", "source", "source_media", "render", "candidates",
    "characters",  # who a shot's keyframe shows: nothing an editor sees
    "effects", "speed_audio",  # baked into the shot's rendered clip (studio.compose.effects), like a look below
})
READ_PROJECT_FIELDS = frozenset({
    "schema_version", "id", "language", "preset", "storyboard", "caption_style", "music", "voiceover", "label",
    "hook_ms", "cover_time_ms", "negative_prompt", "effects",
})
READ_STORYBOARD_FIELDS = frozenset({"title", "hook", "bible", "shots", "description", "hashtags"})
NATIVE_TRANSITIONS = frozenset({"cut", "crossfade", "fade"})


def untranslated(model, read: frozenset[str]) -> tuple[str, ...]:
    """Names of the fields of ``model`` no exporter reads that differ from their defaults."""
    changed = []
    for name, info in type(model).model_fields.items():
        if name in read:
            continue
        default = info.get_default(call_default_factory=True)
        if getattr(model, name) != default:
            changed.append(name.replace("_", " "))
    return tuple(changed)


@dataclass(frozen=True)
class ExportSources:
    """A project checked for a hand-off: the timeline as the compositor renders it and the shots' pictures."""

    project: Project  # with beat sync on, the cuts moved onto the beat
    preset: PlatformPreset
    timeline: Timeline
    media: dict[int, MediaInfo]  # shot index -> picture; a shot without media is a gap
    sound: SoundSources
    root: Path | None
    facts: dict[Path, StreamFacts] = field(default_factory=dict)  # every clip and sound file, probed once


def _require(path: str, root: Path | None, what: str) -> Path:
    resolved = resolve_media(path, root)  # raises UnsafePathError for a path that leaves the folder
    if not resolved.is_file():
        raise MissingMediaError(f"{what}: {path} is missing from the project folder; add it again or remove it")
    return resolved


def check_export(project: Project, settings: Settings, root: Path | None) -> ExportSources:
    """Step 1. Raises a StudioError naming the shot or file when something the timeline plays is missing."""
    from studio.compose.compositor import check_sound
    from studio.media import probe_shot_media
    from studio.project.limits import check_project_limits
    from studio.project.presets import get_preset

    check_project_limits(project, settings)
    preset = get_preset(project.preset)
    build_timeline(project)  # no shots: one sentence, before any file is touched
    for i, shot in enumerate(project.shots, start=1):
        if shot.media:
            _require(shot.media, root, f"shot {i}")
        if shot.voiceover_audio:
            _require(shot.voiceover_audio, root, f"shot {i} narration")
    if project.music is not None and project.music.path:
        _require(project.music.path, root, "music")
    if project.voiceover is not None:
        _require(project.voiceover.path, root, "voice-over")
    project, sound, _ = check_sound(project, settings, root)
    timeline = build_timeline(project)
    media: dict[int, MediaInfo] = {}
    probed: dict[Path, MediaInfo] = {}  # a clip many shots share is probed once
    for span in timeline.spans:
        shot, where = span.shot, f"shot {span.index + 1}"
        if not shot.media:
            continue
        path = resolve_media(shot.media, root)
        if path not in probed:
            probed[path] = probe_shot_media(path, settings, where)
        info = probed[path]
        if info.kind is MediaKind.VIDEO and shot.clip_start_ms >= info.duration_ms:
            raise ProjectValidationError(
                f"{where}: clip start {shot.clip_start_ms} ms is past the end of the clip ({info.duration_ms} ms)")
        media[span.index] = info
    # What the media step decides from (codec, colour tags, channels): probed here, once per file, so that planning
    # and writing never wait on ffprobe.
    sounds = [sound.music_path, sound.voiceover_path, *sound.shot_voices.values()]
    files = {info.path for info in media.values() if info.kind is MediaKind.VIDEO} | {p for p in sounds if p}
    facts = {path: stream_facts(path, settings) for path in sorted(files)}
    return ExportSources(project, preset, timeline, media, sound, root, facts)


@dataclass(frozen=True)
class EditPlan:
    edit: EditTimeline
    media: MediaPlan
    fits: dict[int, FitJob]
    pictures: dict[str, Image.Image] = field(default_factory=dict)


def _shot_name(index: int, shot: Shot) -> str:
    words = " ".join(editor_text(shot.caption or shot.visual_prompt or shot.id).split())
    return f"{index + 1:02d} {words[:40]}".rstrip()


def _clip(item: MediaItem) -> Clip:
    return Clip(item.target, item.kind, item.frames, item.has_audio, item.width, item.height, item.channels)


def _shots(sources: ExportSources, canvas: Canvas, total: int, plan: MediaPlan,
           settings: Settings) -> tuple[list[EditShot], dict[int, FitJob]]:
    fps, spans = canvas.fps, sources.timeline.spans
    shots, fits = [], {}
    for span in spans:
        i, shot = span.index, span.shot
        start = min(first_frame(span.start_ms, fps), total)
        end = min(first_frame(span.end_ms, fps), total)
        overlap = max(0, min(first_frame(spans[i - 1].end_ms, fps), total) - start) if i else 0
        fade_in = fade_in_ramp(span.start_ms, span.fade_in_ms, fps) \
            if span.transition_in is Transition.FADE else None
        fade_out = fade_out_ramp(span.end_ms, span.fade_out_ms, fps, total)
        info = sources.media.get(i)
        clip, source_in, gain, baked = None, 0, None, ()
        if info is not None:
            chain = _effects(sources, span, info, fps)
            extra = untranslated(shot, READ_SHOT_FIELDS)
            if chain is not None:
                extra = (f"its effects ({', '.join(dict.fromkeys(type(e).__name__ for e in chain.effects))})",
                         *extra)
            facts = sources.facts.get(info.path)
            stage, reason = picture_stage(info, facts, shot, span.duration_ms, (canvas.width, canvas.height, fps),
                                          extra)
            suffix = ".mp4" if stage is Stage.FIT else info.path.suffix.lower()
            if stage is Stage.FIT:
                item = plan.add(MediaItem(f"media/shot-{i + 1:02d}{suffix}", stage, info.path, reason, i,
                                          end - start, info.kind is MediaKind.VIDEO and info.has_audio, 2,
                                          canvas.width, canvas.height))
                fits[i] = FitJob(info, shot, i, span.start_ms, span.duration_ms, start, end - start, chain, span)
                baked = (reason,)
                if chain is not None and chain.layered:
                    baked += ("its cross-fade or slide over the previous shot is drawn over black in the clip: "
                              "redo it in the editor",)
            else:
                clip_ms = info.duration_ms
                item = plan.add(MediaItem(f"media/shot-{i + 1:02d}{suffix}", stage, info.path, reason, i,
                                          max(1, math.floor(clip_ms * fps / 1000)), info.has_audio,
                                          facts.channels if facts else 2, info.width, info.height))
                # The clip's frame on the shot's first visible frame: its start plus how far into the shot that is.
                source_in = round((shot.clip_start_ms + frame_time_ms(start, fps) - span.start_ms) * fps / 1000)
            clip = _clip(item)
            if info.kind is MediaKind.VIDEO and info.has_audio and shot.clip_audio_gain_db is not None:
                gain = shot.clip_audio_gain_db
        shots.append(EditShot(i, shot.id, _shot_name(i, shot), start, end, clip, source_in,
                              span.transition_in, overlap, fade_in, fade_out, gain, baked))
    return shots, fits


def _effects(sources: ExportSources, span, info: MediaInfo, fps: int):
    """The shot's effect chain as the compositor checks it (the clip-wide looks first), or None without effects."""
    from studio.compose.effects import shot_effects

    shot = span.shot
    return shot_effects(sources.project.effects, shot.effects, span_ms=span.duration_ms, fps=fps,
                        clip_ms=info.duration_ms if info.kind is MediaKind.VIDEO else None,
                        clip_start_ms=shot.clip_start_ms, root=sources.root, where=f"shot {span.index + 1}")


def _audio(sources: ExportSources, plan: MediaPlan, path: Path, target: str, fps: int) -> Clip:
    """The staged clip of a sound file."""
    facts = sources.facts[path]
    stage, reason = sound_stage(path, facts)
    suffix = ".wav" if stage is Stage.STEREO else path.suffix.lower()
    channels = 2 if stage is Stage.STEREO else facts.channels
    item = plan.add(MediaItem(f"{target}{suffix}", stage, path, reason, None,
                              max(1, math.floor(facts.duration_ms * fps / 1000)), True, channels,
                              kind=MediaKind.AUDIO))
    return _clip(item)


def _voices(sources: ExportSources, plan: MediaPlan, settings: Settings, fps: int, total: int) -> list[EditAudio]:
    voices, sound = [], sources.sound
    if sound.voiceover is not None and sound.voiceover_path is not None:
        clip = _audio(sources, plan, sound.voiceover_path, "media/voiceover", fps)
        start = min(first_frame(sound.voiceover.start_ms, fps), total)
        voices.append(EditAudio(Role.VOICEOVER, "Voice-over", clip, start, min(total, start + clip.frames), 0,
                                sound.voiceover.gain_db))
    spans = sources.timeline.spans
    for span in spans:
        path = sound.shot_voices.get(span.index)
        if path is None:
            continue
        clip = _audio(sources, plan, path, f"media/narration-{span.index + 1:02d}", fps)
        # Per-shot voice starts at its shot's cut (the middle of a transition that overlaps the shots), as
        # studio.sound.mix places it.
        overlaps = span.index > 0 and spans[span.index - 1].end_ms > span.start_ms
        cut = span.start_ms + (span.fade_in_ms // 2 if overlaps else 0)
        start = min(first_frame(cut, fps), total)
        if start >= total:
            continue
        voices.append(EditAudio(Role.NARRATION, f"Narration {span.index + 1:02d}", clip, start,
                                min(total, start + clip.frames), 0, span.shot.voiceover_gain_db))
    return voices


def _music(sources: ExportSources, plan: MediaPlan, settings: Settings, fps: int, total: int) -> MusicBed | None:
    sound = sources.sound
    music, fit = sound.music, sound.music_fit
    if music is None or sound.music_path is None or fit is None:
        return None
    clip = _audio(sources, plan, sound.music_path, "media/music", fps)
    end_frame = min(first_frame(fit.end_ms, fps), total)
    pieces = []
    for k, segment in enumerate(fit.segments):
        start = first_frame(segment.clip_ms, fps)
        end = min(first_frame(segment.clip_ms + segment.length_ms, fps), end_frame)
        if k + 1 < len(fit.segments):
            end = min(end, first_frame(fit.segments[k + 1].clip_ms, fps))
        if end <= start:
            continue
        source_in = round((segment.song_ms + frame_time_ms(start, fps) - segment.clip_ms) * fps / 1000)
        pieces.append(EditAudio(Role.MUSIC, "Music" if len(fit.segments) == 1 else f"Music {k + 1}", clip, start,
                                end, source_in, music.gain_db))
    if not pieces:
        return None
    fade_in = round(music.fade_in_ms * fps / 1000)
    fade_out = round(min(music.fade_out_ms, fit.end_ms) * fps / 1000)
    return MusicBed(tuple(pieces), music.gain_db, fade_in, fade_out, _ducking(sources, settings, total, fps),
                    music.duck_db)


def _ducking(sources: ExportSources, settings: Settings, total: int, fps: int) -> tuple[tuple[int, float], ...]:
    """The compositor's ducking gain (studio.sound.mix.duck_gain over the voice track) sampled on every frame, as
    the fewest dB keyframes within 0.5 dB of it."""
    import numpy as np

    from studio.sound.decode import to_samples
    from studio.sound.mix import duck_gain, voice_track

    sound = sources.sound
    if sound.music is None or (sound.voiceover_path is None and not sound.shot_voices) or sound.music.duck_db <= 0:
        return ()
    samples = to_samples(sources.timeline.duration_ms)
    voice = voice_track(sources.timeline, sound, settings, samples)
    gain = duck_gain(voice, sound.music.duck_db)
    at = np.minimum([to_samples(frame_time_ms(n, fps)) for n in range(total)], len(gain) - 1)
    values = (20 * np.log10(np.maximum(gain[at], 1e-6))).tolist()
    if max(values) - min(values) < 0.5:
        return ()
    return level_keyframes(values)


def _notes(sources: ExportSources, shots: list[EditShot], highlighted: tuple[int, ...]) -> list[str]:
    project, notes = sources.project, []
    gaps = [s.index + 1 for s in shots if s.clip is None]
    if gaps:
        notes.append(f"shot{'s' if len(gaps) > 1 else ''} {_numbers(gaps)} not rendered yet: "
                     f"{'gaps' if len(gaps) > 1 else 'a gap'} of the shot's length, named after it; render "
                     "in the studio and export again to fill them")
    if highlighted:
        which = _numbers([i + 1 for i in highlighted])
        notes.append(f"the captions of shot{'s' if len(highlighted) > 1 else ''} {which} light up word by word in "
                     "the MP4; here they are plain text")
    if project.caption_style.shadow_color:
        notes.append("caption shadows (simple text items in editors have no blurred shadow)")
    if sources.sound.music_fit is not None and len(sources.sound.music_fit.segments) > 1:
        notes.append(f"the music loops {len(sources.sound.music_fit.segments) - 1} time(s) on bar lines: the MP4 "
                     "crossfades 60 ms at each join, the editor butts the pieces together")
    notes.append("loudness mastering: the MP4 is brought to the platform's level (-14 LUFS, true peak under "
                 "-1 dBTP); the editor plays the unmastered mix, so normalise loudness when you export from it")
    if not project.label.visible:
        notes.append("the project hides the on-screen AI label; the label track is here so you see it: platforms "
                     "and GB 45438-2025 expect a visible label in the opening seconds")
    elif project.label.visible_ms is not None:
        notes.append(f"the MP4 shows the AI label for its first {project.label.visible_ms / 1000:g} s; its track "
                     "here runs the whole length: shorten it if you want the same")
    for name in untranslated(project, READ_PROJECT_FIELDS) + untranslated(project.storyboard,
                                                                         READ_STORYBOARD_FIELDS):
        notes.append(f"the project's {name}: not carried by editor hand-offs")
    for shot in shots:
        if shot.transition.value not in NATIVE_TRANSITIONS:
            notes.append(f"shot {shot.index + 1} enters with {shot.transition.value.replace('_', ' ')}: each "
                         "format writes its nearest transition (see below)")
    return notes


def _numbers(values: list[int]) -> str:
    return ", ".join(str(v) for v in values[:-1]) + (" and " if len(values) > 1 else "") + str(values[-1])


def plan_edit(sources: ExportSources, settings: Settings, *, pictures: bool = False) -> EditPlan:
    """Steps 2 and 3: the media plan and the editor timeline (probes files and decodes voices; writes nothing).
    ``pictures``: the format needs the texts as PNGs too."""
    preset = sources.preset
    canvas = Canvas(preset.width, preset.height, preset.fps)
    total = frame_count(sources.timeline.duration_ms, canvas.fps)
    plan = MediaPlan()
    shots, fits = _shots(sources, canvas, total, plan, settings)
    voices = _voices(sources, plan, settings, canvas.fps, total)
    music = _music(sources, plan, settings, canvas.fps, total)
    texts = lay_out_texts(sources.project, preset, sources.timeline, settings)
    captions, title, label = texts.captions, texts.title, texts.label
    if pictures:
        def with_image(text: EditText, target: str) -> EditText:
            item = plan.add(MediaItem(target, Stage.IMAGE, kind=MediaKind.IMAGE, picture=text.name))
            return EditText(**{**text.__dict__, "image": item.target})

        captions = tuple(with_image(c, f"media/text/caption-{c.name.rsplit(' ', 1)[-1]}.png") for c in captions)
        title = with_image(title, "media/text/title.png") if title else None
        label = with_image(label, "media/text/ai-label.png")
    name = editor_text(sources.project.storyboard.title) or "Short"
    edit = EditTimeline(name, canvas, total, tuple(shots), captions, title, label, music, tuple(voices),
                        sources.project.label.visible, tuple(_notes(sources, shots, texts.highlighted)))
    return EditPlan(edit, plan, fits, texts.pictures)


__all__ = ["EditPlan", "ExportSources", "check_export", "plan_edit", "untranslated"]
