"""The project as an editor timeline: every shot, text and sound in whole frames of the canvas's rate.

Editors count frames; the studio counts milliseconds. Every exporter reads this one translation, made with the
compositor's own rule (``studio.project.timeline``: a moment at t ms is shown from ``first_frame(t)``), so a cut, a
caption window or a fade starts on the same frame in the editor as in our MP4:

- a shot is on screen from ``first_frame(span.start_ms)`` to ``first_frame(span.end_ms)`` (exclusive), the last
  one clipped to the MP4's ``frame_count``; during a crossfade two shots share frames (``overlap``);
- a fade through black is a linear ramp of brightness whose values at its first and last frame are the
  compositor's own (``local / fade_ms``), so a linear keyframe pair in the editor reproduces every frame;
- captions, the hook title and the AI label are text items with the same line breaks and font size as the MP4's
  images; the AI label runs the whole length, on its own track, whatever the on-screen setting (a creator sees it
  in the editor and keeps it);
- music is the fitted song (one piece per pass of its loop) with its gain, fades and the ducking under the voice
  as a level envelope in dB; narration per shot starts at its shot's cut, the whole-clip voice-over at its start.

Single-track formats (OTIO, FCPXML, FCP7, EDL, Jianying) cannot overlap two clips on one track: ``spine`` trims
each pair of crossfading shots to a cut in the middle of their overlap, with the transition centred on it; the
frames each side of the cut come from the shots' own spans, so no extra media handles are needed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import StrEnum

from studio.media import MediaKind
from studio.project.model import Transition
from studio.project.timeline import first_frame, frame_time_ms

SILENT_DB = -60.0  # the floor of a fade: editors' volume keyframes stop around here
FADE_STEPS = 8  # keyframes per equal-power fade, straight lines in dB between them (the MLT and FCP7 envelopes)


class Role(StrEnum):
    CAPTION = "caption"
    TITLE = "title"
    LABEL = "label"
    MUSIC = "music"
    NARRATION = "narration"  # one shot's recording
    VOICEOVER = "voiceover"  # the whole clip's recording


@dataclass(frozen=True)
class Canvas:
    width: int
    height: int
    fps: int


@dataclass(frozen=True)
class Clip:
    """A file in the export folder, as editors see it."""

    path: str  # relative to the export folder, POSIX ("media/shot-01.mp4")
    kind: MediaKind
    frames: int  # playable length in canvas frames
    has_audio: bool = False
    width: int = 0
    height: int = 0
    channels: int = 2

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Ramp:
    """A level going linearly from ``start_value`` on frame ``first`` to ``end_value`` on frame ``last``
    (timeline frames, both inclusive); every frame between is on the line."""

    first: int
    last: int
    start_value: float
    end_value: float

    @property
    def frames(self) -> int:
        return self.last - self.first + 1

    def at(self, frame: int) -> float:
        if self.last == self.first:
            return self.start_value
        k = (frame - self.first) / (self.last - self.first)
        return self.start_value + (self.end_value - self.start_value) * k


@dataclass(frozen=True)
class EditShot:
    index: int
    id: str
    name: str  # "03 <caption>": how the clip is named in the editor
    start: int  # first timeline frame it is visible on
    end: int  # exclusive
    clip: Clip | None  # None: not rendered yet, exported as a gap
    source_in: int  # the clip's frame shown on ``start``
    transition: Transition  # how it enters from the previous shot (CUT for the first)
    overlap: int  # frames shared with the previous shot (a crossfade)
    fade_in: Ramp | None  # brightness from black
    fade_out: Ramp | None  # brightness to black
    audio_gain_db: float | None  # the clip's own sound at this gain; None: muted
    baked: tuple[str, ...] = ()  # what the rendered clip holds that an editor cannot redo (camera move, fit)

    @property
    def frames(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class TextLook:
    family: str  # "sans" or "serif": each format names its platform's font
    bold: bool
    size_px: int  # font size in canvas pixels, after any shrinking to fit
    color: str  # "#RRGGBBAA"
    stroke_color: str
    stroke_px: int
    box_color: str | None  # "#RRGGBBAA" behind the text, or None
    box_padding_px: int = 0


@dataclass(frozen=True)
class EditText:
    role: Role
    name: str
    text: str  # with the MP4's line breaks ("\n")
    start: int
    end: int  # exclusive
    box: tuple[int, int, int, int]  # x, y, width, height in canvas pixels: where the MP4 draws it
    look: TextLook
    fade_out: int = 0  # frames of fade at the end (the hook title)
    image: str | None = None  # the MP4's own picture of it (PNG in the folder), where a format needs one

    @property
    def frames(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class EditAudio:
    role: Role
    name: str
    clip: Clip
    start: int
    end: int  # exclusive
    source_in: int
    gain_db: float

    @property
    def frames(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class MusicBed:
    """The music track: the pieces of the fitted song back to back, and one envelope over all of them."""

    pieces: tuple[EditAudio, ...]
    gain_db: float
    fade_in: int  # frames from the first piece's start
    fade_out: int  # frames before the last piece's end
    duck: tuple[tuple[int, float], ...]  # (timeline frame, dB added to the gain), linear in dB between
    duck_db: float

    @property
    def start(self) -> int:
        return self.pieces[0].start

    @property
    def end(self) -> int:
        return self.pieces[-1].end

    def level_db(self, frame: int) -> float:
        """The ducking envelope at ``frame`` (0 before the first and after the last keyframe's value)."""
        points = self.duck
        if not points:
            return 0.0
        if frame <= points[0][0]:
            return points[0][1]
        for (f0, v0), (f1, v1) in zip(points, points[1:], strict=False):
            if frame <= f1:
                return v0 + (v1 - v0) * (frame - f0) / max(1, f1 - f0)
        return points[-1][1]

    def levels_db(self) -> list[tuple[int, float]]:
        """The whole envelope as (timeline frame, dB) keyframes: gain, ducking and the equal-power fades of the
        mix (each sampled FADE_STEPS times, floored at SILENT_DB), for formats with one level curve per track."""
        start, end = self.start, self.end
        frames = {start, end - 1, *(f for f, _ in self.duck if start <= f < end)}
        for k in range(FADE_STEPS + 1):
            if self.fade_in:
                frames.add(start + round(k * self.fade_in / FADE_STEPS))
            if self.fade_out:
                frames.add(end - 1 - round(k * self.fade_out / FADE_STEPS))

        def level(frame: int) -> float:
            shape = 1.0
            if self.fade_in and frame - start < self.fade_in:
                shape *= math.sin((frame - start) / self.fade_in * math.pi / 2)
            if self.fade_out and end - 1 - frame < self.fade_out:
                shape *= math.sin((end - 1 - frame) / self.fade_out * math.pi / 2)
            fade = SILENT_DB if shape <= 0 else max(SILENT_DB, 20 * math.log10(shape))
            return round(max(SILENT_DB, self.gain_db + self.level_db(frame) + fade), 2)

        return [(f, level(f)) for f in sorted(f for f in frames if start <= f < end)]


@dataclass(frozen=True)
class EditTimeline:
    name: str
    canvas: Canvas
    frames: int  # the MP4's frame count
    shots: tuple[EditShot, ...]
    captions: tuple[EditText, ...]
    title: EditText | None
    label: EditText
    music: MusicBed | None
    voices: tuple[EditAudio, ...]
    label_on_screen: bool  # the project's own setting (the editor's label track is always there)
    notes: tuple[str, ...] = field(default=())  # project-specific things no format carries

    @property
    def gaps(self) -> tuple[EditShot, ...]:
        return tuple(s for s in self.shots if s.clip is None)

    @property
    def texts(self) -> tuple[EditText, ...]:
        return (*self.captions, *((self.title,) if self.title else ()), self.label)

    def seconds(self, frames: int) -> float:
        return frames / self.canvas.fps


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def editor_text(text: str) -> str:
    """Text as every format can hold it: the characters XML 1.0 forbids removed (project texts are cleaned of
    controls already; noncharacters such as U+FFFF are not), everything else kept as written."""
    return _NOT_XML.sub("", text)


# -- ms -> frames -----------------------------------------------------------------------------------

def frame_window(start_ms: float, end_ms: float, fps: int, total: int) -> tuple[int, int]:
    """The frames [first, end) on which something shown over [start_ms, end_ms) is visible."""
    return min(first_frame(math.ceil(start_ms), fps), total), min(first_frame(math.ceil(end_ms), fps), total)


def fade_in_ramp(start_ms: float, fade_ms: int, fps: int) -> Ramp | None:
    """Brightness from black over ``fade_ms`` from ``start_ms``: the compositor's ``local / fade_ms`` per frame."""
    if fade_ms <= 0:
        return None
    first = first_frame(math.ceil(start_ms), fps)
    last = first_frame(math.ceil(start_ms + fade_ms), fps) - 1
    if last < first:
        return None
    value = lambda n: (frame_time_ms(n, fps) - start_ms) / fade_ms  # noqa: E731
    return Ramp(first, last, value(first), value(last))


def fade_out_ramp(end_ms: float, fade_ms: int, fps: int, total: int) -> Ramp | None:
    """Brightness to black over the last ``fade_ms`` before ``end_ms``: ``(end - t) / fade_ms`` per frame."""
    if fade_ms <= 0:
        return None
    first = math.floor((end_ms - fade_ms) * fps / 1000) + 1  # first frame strictly after end - fade
    last = min(first_frame(math.ceil(end_ms), fps), total) - 1
    if last < first:
        return None
    value = lambda n: max(0.0, (end_ms - frame_time_ms(n, fps)) / fade_ms)  # noqa: E731
    return Ramp(first, last, value(first), value(last))


def level_keyframes(values_db: list[float], tolerance_db: float = 0.5) -> tuple[tuple[int, float], ...]:
    """Per-frame levels (dB) as the fewest keyframes whose straight lines stay within ``tolerance_db`` of every
    frame (Ramer-Douglas-Peucker), so a ducking curve becomes a handful of editable keyframes."""
    if not values_db:
        return ()
    keep = {0, len(values_db) - 1}
    stack = [(0, len(values_db) - 1)]
    while stack:
        a, b = stack.pop()
        worst, at = 0.0, -1
        for i in range(a + 1, b):
            line = values_db[a] + (values_db[b] - values_db[a]) * (i - a) / (b - a)
            if abs(values_db[i] - line) > worst:
                worst, at = abs(values_db[i] - line), i
        if worst > tolerance_db:
            keep.add(at)
            stack += [(a, at), (at, b)]
    return tuple((i, round(values_db[i], 2)) for i in sorted(keep))


# -- single-track formats ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Piece:
    """One clip of a single picture track: a shot trimmed at the middle of each crossfade it takes part in."""

    shot: EditShot
    start: int
    end: int  # exclusive
    source_in: int
    dissolve_before: int = 0  # frames of the centred transition before this piece's start (on the previous one)
    dissolve_after: int = 0  # ... after it (on this one)

    @property
    def frames(self) -> int:
        return self.end - self.start

    @property
    def dissolve(self) -> int:
        """Length of the transition into this piece (0: a cut or a fade through black)."""
        return self.dissolve_before + self.dissolve_after


def spine(edit: EditTimeline) -> tuple[Piece, ...]:
    """The picture as non-overlapping pieces; a crossfade of n frames becomes a cut at its middle with n // 2
    frames of transition before it and n - n // 2 after (the captions change there too)."""
    pieces: list[Piece] = []
    shots = edit.shots
    for i, shot in enumerate(shots):
        start, source_in, before, after = shot.start, shot.source_in, 0, 0
        if shot.overlap:
            before, after = shot.overlap // 2, shot.overlap - shot.overlap // 2
            start, source_in = shot.start + before, shot.source_in + before
        end = shot.end
        nxt = shots[i + 1] if i + 1 < len(shots) else None
        if nxt is not None and nxt.overlap:
            end = nxt.start + nxt.overlap // 2
        pieces.append(Piece(shot, start, end, source_in, before, after))
    return tuple(pieces)
