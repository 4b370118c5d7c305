"""The export folder's ``media/``: every file the timeline plays, hard-linked where the editor can use it as it is.

Each source gets one decision (``Stage``), made from its probed facts before anything is written:

- ``link``: the file itself, hard-linked (a copy across file systems): a 9:16 H.264/HEVC clip in MP4/MOV whose
  colours are tagged and which covers its shot, a stereo WAV/MP3/M4A/AAC sound;
- ``tag``: an untagged clip, its streams copied with colour tags added. The studio decodes untagged video as
  BT.601 (ffmpeg's default); melt and most editors guess BT.709 at HD sizes and shift every colour, so the
  file says what it is (the MP4's colours, in the editor);
- ``stereo``: mono or a container editors do not all read (ogg, opus, flac, a video's sound), as a 48 kHz stereo
  WAV. Mono goes to both channels at full level, as the studio's mix has it (melt would play it 3 dB down);
- ``fit``: a still (with its camera move), a clip of another shape (cropped around its focus point, or shown
  whole over the blurred fill), a clip shorter than its shot (held on its last frame) or one in a codec editors
  may not read: rendered by the compositor's own shot source at the canvas size, so the editor shows the MP4's
  picture. Its in-point is 0 and its length the shot's;
- ``image``: the MP4's picture of a caption, the title or the label, as a PNG (formats without text).

Source paths are resolved inside the project folder (``resolve_media``), so nothing outside it is read.
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from PIL import Image

from studio.compose.labels import COMMENT
from studio.errors import EnvironmentProblem, RenderCancelled, RenderError
from studio.media import MediaInfo, MediaKind, ffprobe
from studio.project.files import link_or_copy
from studio.project.model import Fit, Shot
from studio.project.presets import EncoderSettings
from studio.settings import Settings

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]

LINKABLE_VIDEO = {"h264", "hevc"}
LINKABLE_VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v"}
LINKABLE_AUDIO_SUFFIXES = {".wav", ".mp3", ".m4a", ".aac"}
ASPECT_TOLERANCE = 0.005  # 576x1024 and 1080x1920 are the same shape; 480x832 (0.577) is not 9:16 (0.5625)
FIT_ENCODER = EncoderSettings(x264_preset="veryfast", crf=14, maxrate_kbps=60_000, audio_bitrate_kbps=256)


class Stage(StrEnum):
    LINK = "link"
    TAG = "tag"
    STEREO = "stereo"
    FIT = "fit"
    IMAGE = "image"


@dataclass(frozen=True)
class MediaItem:
    target: str  # path inside the export folder, POSIX
    stage: Stage
    source: Path | None = None
    reason: str = ""  # why it is not a plain link, for the README
    shot_index: int | None = None  # FIT: which shot
    frames: int = 0  # FIT: how many frames (the shot's); others: the source's playable length
    has_audio: bool = False
    channels: int = 2
    width: int = 0
    height: int = 0
    kind: MediaKind = MediaKind.VIDEO
    picture: str = ""  # IMAGE: the name of the text whose picture it is


@dataclass
class MediaPlan:
    items: list[MediaItem] = field(default_factory=list)

    def add(self, item: MediaItem) -> MediaItem:
        """Plan ``item`` under a free name; a file already planned the same way (a clip two shots share) is reused."""
        if item.stage in (Stage.LINK, Stage.TAG, Stage.STEREO):
            same = next((i for i in self.items if i.source == item.source and i.stage is item.stage), None)
            if same is not None:
                return same
        taken = {i.target for i in self.items}
        stem, dot, ext = item.target.rpartition(".")
        target, n = item.target, 2
        while target in taken:
            target, n = f"{stem}-{n}{dot}{ext}", n + 1
        if target != item.target:
            item = MediaItem(**{**item.__dict__, "target": target})
        self.items.append(item)
        return item

    def of_stage(self, stage: Stage) -> list[MediaItem]:
        return [i for i in self.items if i.stage is stage]


@dataclass(frozen=True)
class StreamFacts:
    """What the link-or-convert decision needs beyond ``MediaInfo``: codec, colour tags, channels, length."""

    duration_ms: int
    video_codec: str | None
    colour_tagged: bool
    channels: int
    has_video: bool


def stream_facts(path: Path, settings: Settings) -> StreamFacts:
    """One ffprobe of an accepted file (studio.media's hardened call): its first video and audio streams."""
    data = ffprobe(path, settings)
    streams = data.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not s.get("disposition", {}).get("attached_pic")), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    try:
        duration_ms = int(float(data.get("format", {}).get("duration") or (audio or {}).get("duration") or 0) * 1000)
    except ValueError:
        duration_ms = 0
    return StreamFacts(duration_ms, (video or {}).get("codec_name"),
                       (video or {}).get("color_space") not in (None, "", "unknown"),
                       int((audio or {}).get("channels") or 2), video is not None)


def _frames(duration_ms: float, fps: int) -> int:
    return max(1, math.floor(duration_ms * fps / 1000 + 1e-6))


def picture_stage(info: MediaInfo, facts: StreamFacts | None, shot: Shot, span_ms: int,
                  canvas: tuple[int, int, int], untranslated: tuple[str, ...]) -> tuple[Stage, str]:
    """How a shot's picture reaches the editor, and why (for the README). ``facts``: the clip's (None for a still)."""
    from studio.project.timeline import frame_count

    width, height, fps = canvas
    if info.kind is MediaKind.IMAGE or facts is None:
        return Stage.FIT, "a still: rendered with its camera move"
    if untranslated:
        return Stage.FIT, f"rendered with {', '.join(untranslated)} as the studio shows it"
    if abs(info.width / info.height - width / height) > ASPECT_TOLERANCE * width / height:
        how = "cropped around its focus point" if shot.fit is Fit.COVER else "shown whole over a blurred fill"
        return Stage.FIT, f"{info.width}x{info.height} is not {width}x{height}'s shape: rendered {how}"
    if info.rotation:
        return Stage.FIT, f"rotated {info.rotation} degrees by its metadata: rendered upright"
    if _frames(info.duration_ms - shot.clip_start_ms, fps) < frame_count(span_ms, fps):
        return Stage.FIT, "shorter than its shot: rendered holding its last frame, as the MP4 does"
    if facts.video_codec not in LINKABLE_VIDEO or info.path.suffix.lower() not in LINKABLE_VIDEO_SUFFIXES:
        return Stage.FIT, f"{facts.video_codec} in {info.path.suffix}: rendered as H.264"
    if not facts.colour_tagged:
        return Stage.TAG, "untagged colours: tagged BT.601, as the studio decodes them"
    return Stage.LINK, ""


def sound_stage(path: Path, facts: StreamFacts) -> tuple[Stage, str]:
    """How a music or voice file reaches the editor, and why."""
    if facts.has_video:
        return Stage.STEREO, "the sound of a video file, as a stereo WAV"
    if facts.channels == 1:
        return Stage.STEREO, "mono, as a stereo WAV at the mix's level"
    if facts.channels != 2:
        return Stage.STEREO, f"{facts.channels} channels, mixed down to a stereo WAV"
    if path.suffix.lower() not in LINKABLE_AUDIO_SUFFIXES:
        return Stage.STEREO, f"{path.suffix} is not read by every editor: a stereo WAV"
    return Stage.LINK, ""


# -- writing ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FitJob:
    """What ``fit`` needs to render one shot: its picture and where its frames fall."""

    info: MediaInfo
    shot: Shot
    index: int
    span_start_ms: int
    span_ms: int
    first_frame: int  # timeline frame the rendered clip starts on
    frames: int
    effects: object = None  # studio.compose.effects.ShotEffects: the shot's effects, baked into the clip
    span: object = None  # the shot's studio.project.timeline.ShotSpan (its sound through its time effects)


def _run(cmd: list[str], what: str) -> None:
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=600, check=False)
    except FileNotFoundError:
        raise EnvironmentProblem(f"ffmpeg was not found ({cmd[0]}); install it or set STUDIO_FFMPEG") from None
    except subprocess.TimeoutExpired:
        raise RenderError(f"{what}: ffmpeg took longer than 10 minutes") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(f"{what}: ffmpeg failed ({reason[-1] if reason else done.returncode})")


def tag_colours(source: Path, target: Path, settings: Settings) -> None:
    """Copy the streams, saying the picture is BT.601 limited range (what swscale assumed when it was made)."""
    _run([settings.ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-i", str(source), "-map", "0:v:0", "-map", "0:a?",
          "-c", "copy", "-colorspace", "smpte170m", "-color_primaries", "bt709", "-color_trc", "bt709",
          "-color_range", "tv", "-movflags", "+faststart+write_colr", str(target)], f"{source.name}: tagging colours")


def to_stereo_wav(source: Path, target: Path, settings: Settings) -> None:
    _run([settings.ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-i", str(source), "-map", "0:a:0", "-vn",
          "-ac", "2", "-ar", "48000", "-c:a", "pcm_s16le", str(target)], f"{source.name}: converting to stereo")


def render_fit(job: FitJob, target: Path, canvas: tuple[int, int, int], settings: Settings,
               cancel: Cancel | None) -> None:
    """The shot's frames as the compositor draws them (before transitions and texts), with the clip's own sound."""
    import numpy as np

    from studio.compose.encode import EncodeJob, Encoder
    from studio.compose.frames import open_shot_frames
    from studio.project.timeline import frame_time_ms
    from studio.sound.decode import CHANNELS, decode_audio, to_samples, write_wav

    width, height, fps = canvas
    offset_ms = frame_time_ms(job.first_frame, fps) - job.span_start_ms  # the first frame's time in the shot
    wav = target.with_name(f".{target.name}.wav")
    length_ms = frame_time_ms(job.frames, fps)
    sound = None
    if job.info.kind is MediaKind.VIDEO and job.info.has_audio:
        if job.effects is not None and job.span is not None:  # speed, reverse, freeze: as the mix plays it
            from studio.sound.mix import clip_sound

            sound = clip_sound(job.span, job.info, settings, fps)
            if sound is not None:
                sound = sound[to_samples(offset_ms):]
        else:
            sound = decode_audio(job.info.path, settings, start_ms=job.shot.clip_start_ms + round(offset_ms),
                                 duration_ms=round(length_ms))
    if sound is None:
        sound = np.zeros((0, CHANNELS), dtype=np.float32)
    padded = np.zeros((to_samples(length_ms), CHANNELS), dtype=np.float32)
    padded[: min(len(sound), len(padded))] = sound[: len(padded)]
    write_wav(padded, wav)
    source = open_shot_frames(job.info, job.shot, job.index, (width, height), fps, job.span_ms, settings,
                              job.effects)
    try:
        encode = EncodeJob(target, width, height, fps, wav, FIT_ENCODER, {"comment": COMMENT})
        with Encoder(settings.ffmpeg_exe(), encode) as encoder:
            for n in range(job.frames):
                if cancel is not None and cancel():
                    raise RenderCancelled("the export was cancelled; nothing was written")
                encoder.write(source.frame(offset_ms + frame_time_ms(n, fps)).tobytes())
    finally:
        close = getattr(source, "close", None)  # clips hold an ffmpeg decoder; stills hold nothing
        if close is not None:
            close()
        wav.unlink(missing_ok=True)


def write_media(plan: MediaPlan, folder: Path, fits: dict[int, FitJob], pictures: dict[str, Image.Image],
                canvas: tuple[int, int, int], settings: Settings, *, progress: Progress | None = None,
                cancel: Cancel | None = None) -> None:
    """Put every planned file into ``folder`` (links first: they are instant; renders last, with progress)."""
    order = sorted(plan.items, key=lambda i: i.stage is Stage.FIT)
    for done, item in enumerate(order):
        if cancel is not None and cancel():
            raise RenderCancelled("the export was cancelled; nothing was written")
        target = folder / item.target
        target.parent.mkdir(parents=True, exist_ok=True)
        if item.stage is Stage.LINK:
            link_or_copy(item.source, target)
        elif item.stage is Stage.TAG:
            tag_colours(item.source, target, settings)
        elif item.stage is Stage.STEREO:
            to_stereo_wav(item.source, target, settings)
        elif item.stage is Stage.IMAGE:
            pictures[item.picture].save(target, "PNG")
        else:
            render_fit(fits[item.shot_index], target, canvas, settings, cancel)
        if progress is not None:
            progress(done + 1, len(order))
