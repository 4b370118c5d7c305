"""The compositor: a project with media in, a postable MP4 and its sidecars out.

    1. check     preset, every media file (errors name the shot), music fitted and, with beat sync,
                 the cuts moved onto its beats; then the timeline and total length
    2. overlays  captions (with word-highlight states), hook title and visible AI label, pre-rendered once
    3. audio     clip sound, voice-over and fitted, ducked music mixed at 48 kHz, mastered to the
                 preset's loudness (e.g. -14 LUFS, true peak <= -1 dBTP)
    4. frames    each frame composed in Pillow and streamed to one ffmpeg encoder (progress, cancel); shots
                 with effects (studio.compose.effects) and transitions (studio.compose.transitions) on the way
    5. sidecars  SRT, VTT (phrase cues), ASS with karaoke word timing when words are timed, cover JPEG, project JSON
    6. publish   everything moved into place, the MP4 last; on any failure nothing is left behind

Frames are composed directly (shot frame, transition blend, overlay pastes) instead of through
nested MoviePy composites: that keeps a 1080x1920 frame at a few milliseconds of work on top of
the scale/crop, and memory flat however long the clip is (see bench/compose.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from studio.compose.c2pa import build_manifest, load_material, sign_mp4
from studio.compose.effects import EffectFrames, ShotEffects, dim, effect_notes, project_effects
from studio.compose.encode import EncodeJob, Encoder
from studio.compose.frames import ImageShotFrames, VideoShotFrames, open_shot_frames
from studio.compose.labels import COMMENT, MIN_LABEL_TEXT_FRACTION, aigc_json, aigc_metadata, label_text
from studio.compose.transitions import compose as compose_transition
from studio.errors import CaptionError, MissingMediaError, ProjectValidationError, RenderCancelled
from studio.media import MediaInfo, MediaKind, probe_for, probe_shot_media
from studio.project.files import project_json, resolve_media, save_project
from studio.project.limits import check_project_limits
from studio.project.model import (
    CaptionPosition,
    LabelPosition,
    Project,
    Transition,
    WordMode,
    transition_problem,
)
from studio.project.presets import PlatformPreset, get_preset
from studio.project.timeline import Timeline, build_timeline, frame_count, frame_time_ms
from studio.scratch import fsync_file, owner_tag, sweep_stale
from studio.settings import Settings
from studio.sound.beat_sync import BeatSyncReport, snap_to_beats
from studio.sound.beats import music_beats
from studio.sound.decode import SAMPLE_RATE, write_wav
from studio.sound.library import library_track
from studio.sound.loudness import MasterReport, master
from studio.sound.mix import SoundSources, mix_timeline
from studio.sound.music import fit_music
from studio.text.subtitles import subtitle_text

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]

HOOK_FADE_MS = 300


@dataclass(frozen=True)
class Overlay:
    image: Image.Image  # RGBA
    x: int
    y: int
    start_ms: int
    end_ms: int
    fade_out_ms: int = 0

    def mask_at(self, t_ms: float) -> Image.Image:
        """The paste mask: the RGBA image itself (Pillow reads its alpha), faded near the end if asked."""
        if self.fade_out_ms and t_ms > self.end_ms - self.fade_out_ms:
            k = max(0.0, (self.end_ms - t_ms) / self.fade_out_ms)
            return self.image.getchannel("A").point(lambda v: int(v * k))
        return self.image


@dataclass(frozen=True)
class ComposeResult:
    video: Path
    cover: Path
    project_file: Path
    srt: Path | None
    vtt: Path | None
    duration_ms: int
    frames: int
    preset: str
    elapsed_s: float
    aigc: dict[str, str] = field(default_factory=dict)
    loudness: MasterReport | None = None
    beat_sync: str | None = None  # what beat sync did, in one sentence
    project: Project | None = None  # as rendered: with beat sync, the snapped durations
    warnings: tuple[str, ...] = ()  # one sentence each, for the user to read before posting (e.g. label off)
    signed: bool = False  # carries a signed C2PA manifest (STUDIO_C2PA_CERT and STUDIO_C2PA_KEY set)
    ass: Path | None = None  # captions for editors, with karaoke word timing where the shots have word timings


@dataclass(frozen=True)
class RenderPlan:
    """Everything checked and pre-rendered that frames are composed from; also used for previews."""

    project: Project  # as rendered (beat sync may have moved cuts)
    preset: PlatformPreset
    timeline: Timeline
    media: dict[int, MediaInfo]
    sound: SoundSources
    overlays: list[Overlay]
    beat_sync: BeatSyncReport | None = None
    effects: dict[int, ShotEffects] = field(default_factory=dict)  # shot index -> its checked effects, if any


# -- 1. check ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckedProject:
    project: Project  # with beat sync on, the cuts moved onto the beat
    preset: PlatformPreset
    timeline: Timeline
    media: dict[int, MediaInfo]
    sound: SoundSources
    beat_sync: BeatSyncReport | None
    effects: dict[int, ShotEffects] = field(default_factory=dict)


def check_sound(project: Project, settings: Settings, root: Path | None) -> tuple[Project, SoundSources,
                                                                                   BeatSyncReport | None]:
    """Resolve and probe music and voice-over; fit the music to the clip; snap cuts when asked. Editor hand-offs
    (studio.export) call it too, so their cuts and music land where the compositor puts them."""
    voice_path = None
    if project.voiceover is not None:
        voice_path = resolve_media(project.voiceover.path, root)
        probe_for(voice_path, settings, "voice-over", expect=MediaKind.AUDIO)
    shot_voices = {}
    for i, shot in enumerate(project.shots):
        if shot.voiceover_audio:
            shot_voices[i] = resolve_media(shot.voiceover_audio, root)
            probe_for(shot_voices[i], settings, f"shot {i + 1} voice-over", expect=MediaKind.AUDIO)
    music = project.music
    if music is None:
        return project, SoundSources(voiceover=project.voiceover, voiceover_path=voice_path,
                                           shot_voices=shot_voices), None
    if music.library is not None:
        track = library_track(music.library)
        music_path, song_ms = track.path, track.duration_ms
    else:
        music_path = resolve_media(music.path, root)
        song_ms = probe_for(music_path, settings, "music", expect=MediaKind.AUDIO).duration_ms
    total_ms = build_timeline(project).duration_ms
    beats = music_beats(project, settings, music_path)
    fit = fit_music(music, song_ms, total_ms, beats)
    report = None
    if music.beat_sync:
        project, report = snap_to_beats(project, beats, fit)
    sound = SoundSources(music=music, music_path=music_path, music_fit=fit, voiceover=project.voiceover,
                               voiceover_path=voice_path, shot_voices=shot_voices)
    return project, sound, report


def check_project(project: Project, settings: Settings, root: Path | None) -> CheckedProject:
    check_project_limits(project, settings)  # however the project arrived: CLI, API, UI or Python
    preset = get_preset(project.preset)
    if not project.shots:
        build_timeline(project)  # raises the "no shots" error
    problem = transition_problem(project.shots)  # before beat sync moves any cut
    if problem:
        raise ProjectValidationError(problem)
    project, sound, beat_sync = check_sound(project, settings, root)
    timeline = build_timeline(project)
    if timeline.duration_ms > preset.max_duration_s * 1000:
        raise ProjectValidationError(
            f"the clip is {timeline.duration_ms / 1000:.1f} s long; {preset.label} takes at most "
            f"{preset.max_duration_s} s: shorten or remove shots"
        )
    media: dict[int, MediaInfo] = {}
    for span in timeline.spans:
        shot = span.shot
        where = f"shot {span.index + 1}"
        if not shot.media:
            raise MissingMediaError(f"{where} has no image or clip yet: add one or render the shot first")
        info = probe_shot_media(resolve_media(shot.media, root), settings, where)
        if info.kind is MediaKind.VIDEO and shot.clip_start_ms >= info.duration_ms:
            raise ProjectValidationError(
                f"{where}: clip start {shot.clip_start_ms} ms is past the end of the clip ({info.duration_ms} ms)"
            )
        media[span.index] = info
    effects = project_effects(project, timeline, media, preset.fps, root)
    return CheckedProject(project, preset, timeline, media, sound, beat_sync, effects)


# -- 2. overlays ------------------------------------------------------------------------------------

def _fonts(settings: Settings):
    from studio.text.fonts import default_font_book

    return default_font_book(settings.font_dirs)


def build_overlays(project: Project, preset: PlatformPreset, timeline: Timeline, settings: Settings) -> list[Overlay]:
    from studio.text.captions import render_caption, render_hook_title, render_label
    from studio.text.layout import word_spans

    fonts = _fonts(settings)
    W, H = preset.width, preset.height
    left, top, right, bottom = preset.safe_rect
    pad = round(0.02 * W)
    max_width = right - left - 2 * pad
    style = project.caption_style
    overlays: list[Overlay] = []

    label_box = None
    if project.label.visible:
        glyph_px = MIN_LABEL_TEXT_FRACTION * min(W, H)
        label = render_label(label_text(project), glyph_px=glyph_px, fonts=fonts).image
        margin = round(0.015 * W)
        pos = project.label.position
        on_left = pos in (LabelPosition.TOP_LEFT, LabelPosition.BOTTOM_LEFT)
        on_top = pos in (LabelPosition.TOP_LEFT, LabelPosition.TOP_RIGHT)
        x = left + margin if on_left else right - margin - label.width
        y = top + margin if on_top else bottom - margin - label.height
        end = timeline.duration_ms if project.label.visible_ms is None else min(project.label.visible_ms,
                                                                                  timeline.duration_ms)
        overlays.append(Overlay(label, x, y, 0, end))
        label_box = (x, y, x + label.width, y + label.height)

    hook = project.storyboard.hook
    if hook:
        title = render_hook_title(hook, style, max_width_px=max_width, scale=preset.scale, fonts=fonts).image
        if style.position is CaptionPosition.TOP:  # captions own the top: the title takes the middle
            y = (top + bottom - title.height) // 2
        else:
            y = top + round(0.10 * (bottom - top))
            if label_box and on_top:
                y = max(y, label_box[3] + pad)
        x = left + (right - left - title.width) // 2
        overlays.append(Overlay(title, x, y, 0, min(project.hook_ms, timeline.duration_ms), HOOK_FADE_MS))

    def placed(image: Image.Image) -> tuple[int, int]:
        x = left + (right - left - image.width) // 2
        if style.position is CaptionPosition.BOTTOM:
            return x, bottom - pad - image.height
        if style.position is CaptionPosition.TOP:
            return x, top + pad
        return x, (top + bottom - image.height) // 2

    def caption_image(text: str, where: str, highlight: tuple[int, int] | None = None, scale: float = 1.0):
        try:
            return render_caption(text, style, max_width_px=max_width, scale=preset.scale * scale, fonts=fonts,
                                  highlight=highlight).image
        except CaptionError as err:
            raise CaptionError(f"{where} {err}") from None

    for cue in timeline.captions:
        shot = timeline.spans[cue.index].shot
        where = f"shot {cue.index + 1} caption"
        timed: list[tuple[int, int, tuple[int, int]]] = []  # (start, end, character span) of each word on screen
        if shot.caption_words:
            try:
                spans = word_spans(cue.text, [w.text for w in shot.caption_words])
            except ValueError as err:
                raise ProjectValidationError(f"{where}: word timings do not match the caption ({err})") from None
            shot_start = timeline.spans[cue.index].start_ms
            cursor = cue.start_ms
            for word, span in zip(shot.caption_words, spans, strict=True):
                w_start = max(cue.start_ms, shot_start + word.start_ms)
                w_end = min(cue.end_ms, shot_start + word.end_ms)
                if w_end <= w_start or w_start < cursor or span[1] <= span[0]:
                    continue
                timed.append((w_start, w_end, span))
                cursor = w_end
        if timed and style.word_mode is WordMode.POP:
            overlays.extend(_pop_overlays(cue, timed, caption_image, placed, where))
            continue
        img = caption_image(cue.text, where)
        x, y = placed(img)
        segments: list[tuple[int, int, Image.Image]] = []
        cursor = cue.start_ms
        for w_start, w_end, span in timed:
            if w_start > cursor:
                segments.append((cursor, w_start, img))
            segments.append((w_start, w_end, caption_image(cue.text, where, span)))
            cursor = w_end
        if cursor < cue.end_ms:
            segments.append((cursor, cue.end_ms, img))
        overlays.extend(Overlay(image, x, y, start, end) for start, end, image in segments)
    return overlays


POP_MS = 90  # a popped word starts this long at POP_SCALE, then settles
POP_SCALE = 1.15
POP_WORD_SCALE = 1.4  # one word alone has the room: drawn this much larger than the style's caption size


def _pop_overlays(cue, timed, caption_image, placed, where: str) -> list[Overlay]:
    """The ``pop`` word mode: one word at a time, each from when it is spoken until the next one is (the last until
    the caption ends), starting slightly larger so it pops in; in the highlight colour."""
    overlays = []
    for k, (w_start, _w_end, span) in enumerate(timed):
        end = timed[k + 1][0] if k + 1 < len(timed) else cue.end_ms
        if end <= w_start:
            continue
        word = cue.text[span[0]:span[1]].strip()
        if not word:
            continue
        whole = (0, len(word))
        settled = caption_image(word, where, whole, POP_WORD_SCALE)
        popped = caption_image(word, where, whole, POP_WORD_SCALE * POP_SCALE)
        pop_end = min(end, w_start + POP_MS)
        overlays.append(Overlay(popped, *placed(popped), w_start, pop_end))
        if pop_end < end:
            overlays.append(Overlay(settled, *placed(settled), pop_end, end))
    return overlays


# -- 4. frames --------------------------------------------------------------------------------------

class FrameRenderer:
    """Composes frame images in time order; opens each shot's source when it starts, closes it after."""

    def __init__(self, plan: RenderPlan, settings: Settings):
        self.plan = plan
        self.settings = settings
        self.size = (plan.preset.width, plan.preset.height)
        self.sources: dict[int, ImageShotFrames | VideoShotFrames | EffectFrames] = {}
        self.black = Image.new("RGB", self.size, (0, 0, 0))
        # Shots whose effects place them over what is under them (cross-fades, slides): composed with ``over``.
        self.layered = {index for index, chain in plan.effects.items() if chain.layered}

    def _source(self, index: int):
        if index not in self.sources:
            span = self.plan.timeline.spans[index]
            self.sources[index] = open_shot_frames(self.plan.media[index], span.shot, index, self.size,
                                                   self.plan.preset.fps, span.duration_ms, self.settings,
                                                   self.plan.effects.get(index))
        return self.sources[index]

    def frame_at(self, t_ms: float) -> Image.Image:
        active = self.plan.timeline.active(t_ms) or [self.plan.timeline.spans[-1]]
        images = []
        for span in active:
            local = t_ms - span.start_ms
            source = self._source(span.index)
            image = source.frame(local)
            if span.transition_in is Transition.FADE and span.fade_in_ms and local < span.fade_in_ms:
                image = dim(image, local / span.fade_in_ms)
            if span.fade_out_ms and t_ms > span.end_ms - span.fade_out_ms:
                image = dim(image, max(0.0, (span.end_ms - t_ms) / span.fade_out_ms))
            if span.index in self.layered:
                image = source.over(images[-1] if images else self.black, image, local)
            images.append(image)
        frame = images[0]
        if len(images) > 1:
            incoming = active[-1]
            k = min(max((t_ms - incoming.start_ms) / max(incoming.fade_in_ms, 1), 0.0), 1.0)
            if incoming.transition_in is Transition.CROSSFADE:
                frame = Image.blend(images[0], images[-1], k)
            else:
                frame = compose_transition(incoming.transition_in, images[0], images[-1], k)
        for overlay in self.plan.overlays:
            if overlay.start_ms <= t_ms < overlay.end_ms:
                frame.paste(overlay.image, (overlay.x, overlay.y), overlay.mask_at(t_ms))
        for index in [i for i in self.sources if self.plan.timeline.spans[i].end_ms <= t_ms]:
            self._close(index)
        return frame

    def _close(self, index: int) -> None:
        source = self.sources.pop(index)
        if isinstance(source, VideoShotFrames | EffectFrames):
            source.close()

    def close(self) -> None:
        for index in list(self.sources):
            self._close(index)


def _render_frames(plan: RenderPlan, settings: Settings, encoder: Encoder, total: int, fps: int,
                   progress: Progress | None, cancel: Cancel | None) -> None:
    """Compose frames on a worker thread (Pillow releases the GIL) while this thread feeds ffmpeg."""
    frames: queue.Queue = queue.Queue(maxsize=4)
    stop = threading.Event()

    def produce() -> None:
        renderer = FrameRenderer(plan, settings)
        try:
            for n in range(total):
                if stop.is_set():
                    return
                frames.put(renderer.frame_at(frame_time_ms(n, fps)).tobytes())
            frames.put(None)
        except BaseException as err:  # handed to the consumer, which re-raises it
            frames.put(err)
        finally:
            renderer.close()

    worker = threading.Thread(target=produce, name="compose-frames", daemon=True)
    worker.start()
    done = 0
    try:
        while True:
            if cancel is not None and cancel():
                raise RenderCancelled("the render was cancelled; nothing was written")
            item = frames.get()
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            encoder.write(item)
            done += 1
            if progress is not None:
                progress(done, total)
    finally:
        stop.set()
        while worker.is_alive():
            with contextlib.suppress(queue.Empty):
                frames.get(timeout=0.05)
        worker.join()


def plan_render(project: Project, settings: Settings, project_root: Path | None = None) -> RenderPlan:
    """Stages 1 and 2: check the project and its media, pre-render the overlays."""
    checked = check_project(project, settings, project_root)
    overlays = build_overlays(checked.project, checked.preset, checked.timeline, settings)
    return RenderPlan(checked.project, checked.preset, checked.timeline, checked.media, checked.sound, overlays,
                      checked.beat_sync, checked.effects)


def render_sound(plan: RenderPlan, settings: Settings) -> tuple[np.ndarray, MasterReport]:
    """Stage 3: the mix, mastered to the preset's loudness target and true-peak ceiling."""
    mix = mix_timeline(plan.timeline, plan.media, settings, plan.sound, fps=plan.preset.fps)
    return master(mix, SAMPLE_RATE, target_lufs=plan.preset.loudness_lufs,
                  ceiling_dbtp=plan.preset.true_peak_dbtp)


def as_videoclip(plan: RenderPlan, settings: Settings):
    """The composite as a MoviePy ``VideoClip`` with its mixed sound, for Python users who edit further.

    Frames come from the same FrameRenderer as an export. MoviePy may ask for frames out of order
    (previews, ``save_frame``), so each request that goes backwards starts a fresh renderer.
    """
    from moviepy import AudioArrayClip, VideoClip

    state: dict[str, object] = {"renderer": None, "t": -1.0}

    def frame_function(t: float):
        renderer = state["renderer"]
        if renderer is None or t < state["t"]:
            if renderer is not None:
                renderer.close()
            renderer = state["renderer"] = FrameRenderer(plan, settings)
        state["t"] = t
        return np.asarray(renderer.frame_at(t * 1000))

    mix, _ = render_sound(plan, settings)
    clip = VideoClip(frame_function=frame_function, duration=plan.timeline.duration_ms / 1000)
    return clip.with_fps(plan.preset.fps).with_audio(AudioArrayClip(mix, fps=SAMPLE_RATE))


# -- the whole job ----------------------------------------------------------------------------------

_AI_WORDING = re.compile(r"(?i)\bai|aigc|人工智能|智能生成|合成")


def label_warnings(project: Project) -> tuple[str, ...]:
    """What the user should know about the AI label before posting; the metadata label is always written."""
    if not project.label.visible:
        return ("the on-screen AI label is off: this export is labelled only in its metadata, while platforms and "
                "GB 45438-2025 also expect a visible label in the opening seconds",)
    if project.label.text and not _AI_WORDING.search(project.label.text):
        return ("the on-screen label's own wording does not say AI (e.g. 'AI生成', 'AI-generated'), so viewers may "
                "not read it as the AI label",)
    return ()


def _fingerprint(project: Project, media: dict[int, MediaInfo]) -> str:
    digest = hashlib.sha256(project_json(project))
    for index in sorted(media):
        stat = media[index].path.stat()
        digest.update(f"{index}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def default_cover_time(project: Project, timeline: Timeline) -> int:
    """The cover frame: the user's pick, else one in the first shot with the hook title fully shown,
    never inside a transition (a cover must not be a blend of two pictures)."""
    if project.cover_time_ms is not None:
        return min(project.cover_time_ms, timeline.duration_ms - 1)
    preferred = project.hook_ms // 2 if project.storyboard.hook else 1000
    first = timeline.spans[0]
    next_start = timeline.spans[1].start_ms if len(timeline.spans) > 1 else first.end_ms
    clean_end = min(next_start, first.end_ms - first.fade_out_ms)  # before a crossfade or a dip to black
    return max(0, min(preferred, clean_end - 1, timeline.duration_ms // 2))


def sidecar_paths(output: Path) -> dict[str, Path]:
    stem = output.with_suffix("")
    return {
        "srt": stem.with_suffix(".srt"),
        "vtt": stem.with_suffix(".vtt"),
        "ass": stem.with_suffix(".ass"),
        "cover": Path(f"{stem}.cover.jpg"),
        "project": Path(f"{stem}.project.json"),
    }


def compose(project: Project, output: str | os.PathLike[str], *, settings: Settings, project_root: Path | None = None,
            progress: Progress | None = None, cancel: Cancel | None = None) -> ComposeResult:
    """Render ``project`` to ``output`` (an .mp4) with its sidecars. Raises a StudioError on bad input."""
    started = time.monotonic()
    output = Path(output)
    if output.suffix.lower() != ".mp4":
        raise ProjectValidationError(f"output {output.name!r} must end in .mp4")
    if output.is_dir():
        raise ProjectValidationError(f"output {output} is a folder; give a file name ending in .mp4")

    signing = load_material(settings)  # content credentials: a bad certificate or key fails before any work

    # 1. check, 2. overlays
    plan = plan_render(project, settings, project_root)
    project, preset, timeline, media = plan.project, plan.preset, plan.timeline, plan.media

    output.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(output.parent, prefix=f".{output.stem}.")  # what a render killed here left (owner gone)
    job_dir = Path(tempfile.mkdtemp(prefix=f".{output.name}.{owner_tag()}.", suffix=".render", dir=output.parent))
    published: list[Path] = []
    try:
        # 3. audio
        wav = job_dir / "mix.wav"
        mix, loudness = render_sound(plan, settings)
        write_wav(mix, wav)

        # 4. frames
        render_id = uuid.uuid4().hex[:12]
        aigc = aigc_metadata(project, producer=settings.content_producer, render_id=render_id,
                             fingerprint=_fingerprint(project, media))
        metadata = {"AIGC": aigc_json(aigc), "comment": COMMENT}
        if project.storyboard.title:
            metadata["title"] = project.storyboard.title
        fps = preset.fps
        total = frame_count(timeline.duration_ms, fps)
        video_tmp = job_dir / "video.mp4"
        job = EncodeJob(video_tmp, preset.width, preset.height, fps, wav, preset.encoder, metadata)
        with Encoder(settings.ffmpeg_exe(), job) as encoder:
            _render_frames(plan, settings, encoder, total, fps, progress, cancel)
        fsync_file(video_tmp)  # on disk before it is published: a crash after the rename never loses its bytes

        # 5. sidecars
        paths = sidecar_paths(output)
        staged: dict[str, Path] = {}
        if timeline.captions:
            timed = any(timeline.spans[cue.index].shot.caption_words for cue in timeline.captions)
            for fmt in ("srt", "vtt", "ass") if timed else ("srt", "vtt"):  # ASS: for karaoke word timing
                staged[fmt] = job_dir / f"captions.{fmt}"
                staged[fmt].write_text(subtitle_text(timeline, fmt, project.caption_style), encoding="utf-8")
        cover_renderer = FrameRenderer(plan, settings)
        try:
            staged["cover"] = job_dir / "cover.jpg"
            cover_renderer.frame_at(default_cover_time(project, timeline)).save(
                staged["cover"], "JPEG", quality=90, optimize=True, progressive=True)
        finally:
            cover_renderer.close()

        # 6. publish: sidecars first, the project file (which may bundle media), the MP4 last.
        if signing is not None:  # the staged MP4 signed (C2PA) in the job folder, before anything is published
            video_tmp = sign_mp4(video_tmp, job_dir / "signed.mp4", signing,
                                 build_manifest(project, aigc, title=project.storyboard.title or output.stem))
        for key, tmp in staged.items():
            os.replace(tmp, paths[key])
            published.append(paths[key])
        save_project(project, paths["project"], source_root=project_root)
        published.append(paths["project"])
        os.replace(video_tmp, output)
    except BaseException:
        for path in published:
            path.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)

    return ComposeResult(
        video=output, cover=paths["cover"], project_file=paths["project"], srt=paths.get("srt") if "srt" in staged
        else None, vtt=paths["vtt"] if "vtt" in staged else None, duration_ms=timeline.duration_ms, frames=total,
        preset=preset.name.value, elapsed_s=time.monotonic() - started, aigc=aigc, loudness=loudness,
        beat_sync=plan.beat_sync.message if plan.beat_sync else None, project=project,
        warnings=label_warnings(project) + effect_notes(plan.effects), signed=signing is not None,
        ass=paths["ass"] if "ass" in staged else None,
    )


__all__ = ["ComposeResult", "FrameRenderer", "RenderPlan", "as_videoclip", "compose", "plan_render"]
