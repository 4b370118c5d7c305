"""The time effects of a shot (``MultiplySpeed``, ``TimeMirror``, ``Freeze``) as one map from shot time to source time.

The compositor asks it which source moment each frame shows, and the mix asks it where each sample of the clip's
own sound comes from, so picture and sound cannot drift apart. Semantics are MoviePy's, effect by effect and in
list order (``clip.with_effects([...])``): ``MultiplySpeed(f)`` shows source time ``f * t``, ``TimeMirror`` shows
``D - t - 1/fps`` (D, the duration of what it reverses), ``Freeze(t, d)`` holds the frame at ``t`` for ``d``.

What the "source" is: the footage the shot uses, from ``clip_start_ms`` on. Its length is solved so that the
effects' result is exactly as long as the shot (a 3 s shot at 2x uses 6 s of clip; reversed, it shows those same
3 s backwards); the shot shows the result's first ``span`` ms. A clip that runs out before that would hold its last
frame under a speed or time effect: that is refused with one sentence, never shown silently. A still picture's
"footage" is its camera move over the shot, so a speed change speeds the move (and holds at its end).

Every time here is in milliseconds; effect parameters are seconds, as in MoviePy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from studio.errors import ProjectValidationError
from studio.project.effects import SPEED_RANGE, Effect, Freeze, Kind, MultiplySpeed, TimeMirror
from studio.project.model import Shot

TOLERANCE_FRAMES = 1  # footage this close to enough is enough (probe durations are rounded)


@dataclass(frozen=True)
class Segment:
    """Shot times [out_start, out_end) show source time ``src_start + slope * (t - out_start)``."""

    out_start: float
    out_end: float
    src_start: float
    slope: float  # > 0 forward (at that speed), < 0 backward, 0 frozen

    def source(self, t: float) -> float:
        return self.src_start + self.slope * (t - self.out_start)


# One piece of one effect's map: stage time tau in [lo, hi) -> previous stage time a + b * tau.
_Piece = tuple[float, float, float, float]


@dataclass(frozen=True)
class TimeMap:
    effects: tuple[Effect, ...]  # the shot's whole chain (only the time effects move time)
    span_ms: float  # how long the shot is on screen
    source_ms: float  # how much source the shot uses, from its start
    durations: tuple[float, ...]  # length of each stage: 0 = the source, k = after effect k
    segments: tuple[Segment, ...]  # shot time -> source time, covering [0, span_ms)
    fps: int
    _pieces: tuple[tuple[_Piece, ...] | None, ...] = ()  # per effect (None: does not move time)

    @property
    def identity(self) -> bool:
        return all(p is None for p in self._pieces)

    @property
    def speed(self) -> float:
        """How fast the source plays where it moves (the product of the speed factors)."""
        moving = [abs(s.slope) for s in self.segments if s.slope]
        return moving[0] if moving else 1.0

    def stage_time(self, stage: int, t_ms: float) -> float:
        """Shot time ``t_ms`` as the time of stage ``stage`` (0 = the source, len(effects) = the shot itself)."""
        tau = max(0.0, min(t_ms, self.durations[-1]))
        for index in range(len(self.effects) - 1, stage - 1, -1):
            tau = self.previous_time(index, tau)
        return tau

    def previous_time(self, index: int, tau: float) -> float:
        """The time before effect ``index`` that shows what stage ``index + 1`` shows at ``tau``."""
        pieces = self._pieces[index]
        tau = _apply(pieces, tau) if pieces is not None else tau
        return max(0.0, min(tau, self.durations[index]))

    def source_time(self, t_ms: float) -> float:
        return self.stage_time(0, t_ms)

    def source_times(self, t_ms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Source times for many shot times at once, and where the source is frozen (no sound there)."""
        src = np.zeros_like(t_ms, dtype=np.float64)
        frozen = np.zeros(t_ms.shape, dtype=bool)
        for seg in self.segments:
            last = seg is self.segments[-1]
            inside = (t_ms >= seg.out_start) & ((t_ms < seg.out_end) | last)
            src[inside] = seg.src_start + seg.slope * (t_ms[inside] - seg.out_start)
            frozen[inside] = seg.slope == 0
        return np.clip(src, 0.0, self.source_ms), frozen


def _apply(pieces: Sequence[_Piece], tau: float) -> float:
    for _lo, hi, a, b in pieces:
        if tau < hi:
            return a + b * tau
    lo, hi, a, b = pieces[-1]
    return a + b * tau


def _pieces(effect: Effect, d_in: float, frame_ms: float) -> tuple[_Piece, ...]:
    inf = float("inf")
    if isinstance(effect, MultiplySpeed):
        factor = effect.factor if effect.factor is not None else d_in / (effect.final_duration * 1000)
        return ((-inf, inf, 0.0, factor),)
    if isinstance(effect, TimeMirror):
        return ((-inf, inf, d_in - frame_ms, -1.0),)
    assert isinstance(effect, Freeze)
    at = _freeze_at(effect, d_in, frame_ms)
    hold = _freeze_ms(effect, d_in)
    return ((-inf, at, 0.0, 1.0), (at, at + hold, at, 0.0), (at + hold, inf, -hold, 1.0))


def _freeze_at(effect: Freeze, d_in: float, frame_ms: float) -> float:
    return d_in - effect.padding_end * 1000 - frame_ms if effect.t == "end" else float(effect.t) * 1000


def _freeze_ms(effect: Freeze, d_in: float) -> float:
    if effect.freeze_duration is not None:
        return effect.freeze_duration * 1000
    return effect.total_duration * 1000 - d_in


def _forward(effect: Effect, d_in: float) -> float:
    """The length after ``effect`` of a stage ``d_in`` long."""
    if isinstance(effect, MultiplySpeed):
        return effect.final_duration * 1000 if effect.factor is None else d_in / effect.factor
    if isinstance(effect, Freeze):
        return d_in + _freeze_ms(effect, d_in)
    return d_in


def _affine(effect: Effect, a: float, b: float) -> tuple[float, float]:
    """``_forward`` on a length ``a * L + b`` (L unknown): the new (a, b)."""
    if isinstance(effect, MultiplySpeed):
        return (0.0, effect.final_duration * 1000) if effect.factor is None else (a / effect.factor, b / effect.factor)
    if isinstance(effect, Freeze):
        return (0.0, effect.total_duration * 1000) if effect.freeze_duration is None \
            else (a, b + effect.freeze_duration * 1000)
    return a, b


def _compose(segments: list[Segment], pieces: Sequence[_Piece]) -> list[Segment]:
    """Segments that map shot time to the stage after an effect, followed by that effect's pieces."""
    out = []
    for seg in segments:
        if seg.slope == 0:
            tau = seg.src_start
            for lo, hi, a, b in pieces:
                if lo <= tau < hi:
                    out.append(Segment(seg.out_start, seg.out_end, a + b * tau, 0.0))
                    break
            continue
        for lo, hi, a, b in pieces:
            # shot times where the stage time lies in [lo, hi)
            t_lo = seg.out_start + (lo - seg.src_start) / seg.slope
            t_hi = seg.out_start + (hi - seg.src_start) / seg.slope
            start, end = max(seg.out_start, min(t_lo, t_hi)), min(seg.out_end, max(t_lo, t_hi))
            if end - start <= 1e-9:
                continue
            tau = seg.source(start)
            out.append(Segment(start, end, a + b * tau, b * seg.slope))
    return out


def build_timemap(effects: Sequence[Effect], span_ms: float, fps: int, *, available_ms: float,
                  is_clip: bool, where: str) -> TimeMap:
    """The time map of one shot. ``available_ms``: the clip's footage from the shot's start (a still: the span).

    Raises ProjectValidationError (naming ``where``) when the effects leave no footage, need more clip than
    there is (the shot would hold its last frame), or play it outside the speed range.
    """
    effects = tuple(effects)
    frame_ms = 1000 / fps
    timed = [i for i, e in enumerate(effects) if e.KIND is Kind.TIME]
    if not timed:
        pieces: tuple = (None,) * len(effects)
        return TimeMap(effects, span_ms, span_ms, (float(span_ms),) * (len(effects) + 1),
                       (Segment(0.0, span_ms, 0.0, 1.0),), fps, pieces)
    # 1. how much source: solve length(L) == span, the result's length being affine in L
    a, b = 1.0, 0.0
    for index in timed:
        a, b = _affine(effects[index], a, b)
    source = (span_ms - b) / a if a > 0 else available_ms
    if source <= 0:
        raise ProjectValidationError(f"{where}: its time effects leave no footage to show (a freeze as long as "
                                     "the shot?): shorten the freeze or lengthen the shot")
    if is_clip and source > available_ms + TOLERANCE_FRAMES * frame_ms:
        raise ProjectValidationError(
            f"{where}: its time effects need {source / 1000:.1f} s of the clip, which has {available_ms / 1000:.1f} s "
            "from the shot's start, so the shot would hold its last frame: shorten the shot, start the clip "
            "earlier or lower the speed")
    source = min(source, available_ms) if is_clip else source
    # 2. every stage's length, checking what depends on it
    durations = [source]
    for effect in effects:
        d_in = durations[-1]
        if isinstance(effect, MultiplySpeed) and effect.factor is None:
            factor = d_in / (effect.final_duration * 1000)
            if not SPEED_RANGE[0] <= factor <= SPEED_RANGE[1]:
                raise ProjectValidationError(
                    f"{where}: MultiplySpeed final_duration {effect.final_duration:g} s plays {d_in / 1000:.1f} s of "
                    f"footage at {factor:.2g}x; the speed must stay between {SPEED_RANGE[0]:g}x and "
                    f"{SPEED_RANGE[1]:g}x")
        if isinstance(effect, Freeze):
            at = _freeze_at(effect, d_in, frame_ms)
            if not 0 <= at < d_in:
                raise ProjectValidationError(f"{where}: Freeze t {effect.t} is outside its {d_in / 1000:.2f} s of "
                                             "footage")
            if _freeze_ms(effect, d_in) <= 0:
                raise ProjectValidationError(f"{where}: Freeze total_duration {effect.total_duration:g} s is not "
                                             f"longer than its {d_in / 1000:.2f} s of footage")
        durations.append(_forward(effect, d_in) if effect.KIND is Kind.TIME else d_in)
    if is_clip and durations[-1] < span_ms - TOLERANCE_FRAMES * frame_ms:
        raise ProjectValidationError(
            f"{where}: with its time effects the clip lasts {durations[-1] / 1000:.1f} s, shorter than the shot "
            f"({span_ms / 1000:.1f} s), so the shot would hold its last frame: shorten the shot")
    for index in range(timed[-1] + 1, len(durations)):
        durations[index] = float(span_ms)  # after the last time effect the shot is cut to its length
    # 3. the map, composed from the last effect back to the source
    all_pieces = tuple(_pieces(e, durations[i], frame_ms) if e.KIND is Kind.TIME else None
                       for i, e in enumerate(effects))
    segments = [Segment(0.0, float(span_ms), 0.0, 1.0)]
    for index in reversed(timed):
        segments = _compose(segments, all_pieces[index])
    return TimeMap(effects, span_ms, source, tuple(durations), tuple(segments), fps, all_pieces)


def shot_timemap(shot: Shot, span_ms: float, fps: int, *, clip_ms: int | None, where: str) -> TimeMap:
    """The time map of ``shot`` on the timeline: ``clip_ms`` is its clip's length, None for a still picture."""
    if clip_ms is None:
        return build_timemap(shot.effects, span_ms, fps, available_ms=span_ms, is_clip=False, where=where)
    return build_timemap(shot.effects, span_ms, fps, available_ms=max(0, clip_ms - shot.clip_start_ms),
                         is_clip=True, where=where)
