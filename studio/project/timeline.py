"""The timeline: when each shot, caption and overlay is on screen, in milliseconds.

Transitions belong to the shot they lead into. A crossfade of d ms overlaps the two shots by d
(the clip gets d shorter), and so does every other transition that joins two pictures (slides, zooms,
whips, the flash through white: ``Transition.overlaps``); a fade through black does not overlap: the
outgoing shot fades out over the first half and the incoming one fades in over the second half.
Captions change at the middle of a transition, so subtitle cues never overlap and never leave a gap.
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.errors import ProjectValidationError
from studio.project.model import Project, Shot, Transition

# -- milliseconds and frames: one rule for the compositor and every exporter --------------------------------
# Frame n of a clip shows the picture at n * 1000 / fps ms, and a clip of d ms has round(d * fps / 1000) frames;
# so a cut (a span's start) at t ms lands on the first frame at or after t. An editor hand-off that puts a cut on
# first_frame(t) shows the new shot on exactly the frame our MP4 does.

def frame_time_ms(frame: int, fps: int) -> float:
    """When frame ``frame`` is shown, in ms from the start."""
    return frame * 1000 / fps


def frame_count(duration_ms: int, fps: int) -> int:
    """How many frames a clip of ``duration_ms`` has at ``fps`` (at least one)."""
    return max(1, round(duration_ms * fps / 1000))


def first_frame(t_ms: int, fps: int) -> int:
    """The first frame shown at or after ``t_ms`` (exact integer arithmetic: no float rounding at a cut)."""
    return -(-int(t_ms) * int(fps) // 1000)


@dataclass(frozen=True)
class ShotSpan:
    index: int
    shot: Shot
    start_ms: int  # first moment any of the shot is visible
    end_ms: int  # last moment (exclusive)
    fade_in_ms: int  # crossfade overlap or fade-from-black length at the start
    fade_out_ms: int  # fade-to-black length at the end (crossfades are owned by the next shot)
    transition_in: Transition

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


@dataclass(frozen=True)
class CaptionSpan:
    index: int  # shot index
    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Timeline:
    spans: tuple[ShotSpan, ...]
    captions: tuple[CaptionSpan, ...]
    duration_ms: int

    def active(self, t_ms: float) -> list[ShotSpan]:
        """Spans visible at ``t_ms`` (two during a crossfade), in timeline order."""
        return [s for s in self.spans if s.start_ms <= t_ms < s.end_ms]


def effective_transition_ms(previous: Shot, shot: Shot) -> int:
    """A transition may take at most half of either neighbouring shot, so no shot vanishes into one."""
    if shot.transition is Transition.CUT:
        return 0
    return min(shot.transition_ms, previous.duration_ms // 2, shot.duration_ms // 2)


def build_timeline(project: Project) -> Timeline:
    shots = project.shots
    if not shots:
        raise ProjectValidationError("the project has no shots; add at least one image or clip")
    spans: list[ShotSpan] = []
    cursor = 0
    overlaps = [0] * len(shots)
    fades = [0] * len(shots)
    for i in range(1, len(shots)):
        length = effective_transition_ms(shots[i - 1], shots[i])
        if shots[i].transition.overlaps:
            overlaps[i] = length
        elif shots[i].transition is Transition.FADE:
            fades[i] = length
    for i, shot in enumerate(shots):
        start = cursor - overlaps[i]
        end = start + shot.duration_ms
        fade_in = overlaps[i] or fades[i] // 2
        fade_out = fades[i + 1] - fades[i + 1] // 2 if i + 1 < len(shots) else 0
        spans.append(ShotSpan(i, shot, start, end, fade_in, fade_out, shot.transition if i else Transition.CUT))
        cursor = end
    duration = cursor
    captions = []
    for i, span in enumerate(spans):
        text = span.shot.caption
        if not text:
            continue
        start = span.start_ms + (overlaps[i] // 2 if i else 0)
        end = span.end_ms - (overlaps[i + 1] - overlaps[i + 1] // 2 if i + 1 < len(spans) else 0)
        captions.append(CaptionSpan(i, text, start, end))
    return Timeline(tuple(spans), tuple(captions), duration)
