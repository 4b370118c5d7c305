"""Fitting the story to its voice: shot lengths from narration lengths, and an exact pitch-preserving tempo change.

Pure arithmetic first (``fit_shots``): each narrated shot must hold its line plus a breath, measured from where its
voice starts (the middle of an overlapping transition, where the compositor places it) to where the next shot's
voice starts. When the clip's total must hold (a chosen length, beat sync) or may not grow past a ceiling (the
platform's longest clip), time moves from shots with room to spare to the shots that need it; when that is not
enough the caller speaks faster (``RATE_STEPS``: 1.0 to 1.25x, quantised so a re-run hits the voice cache), then
stretches the speech with ffmpeg's ``atempo`` (``TEMPO_STEPS``, pitch kept), and only then lengthens shots.

``stretch`` is that tempo change, made exact: atempo's output is padded or trimmed to the sample so the file lasts
``round(duration / factor)`` ms, and the word times scale by the same factor (``scale_words``).
"""

from __future__ import annotations

import math
import subprocess
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from studio.errors import RenderError

BREATH_MS = 250  # silence after a line before the next shot's voice
MIN_RATE, MAX_RATE = 0.85, 1.25  # the natural speaking-rate range the fitter stays in
RATE_STEP = 0.05
MAX_TEMPO = 1.15  # the most the speech is stretched after the speaking rate: 1.25 x 1.15 = 1.44x in all
TEMPO_STEP = 0.01
MIN_SILENT_SHOT_MS = 1000  # a shot without a line is not squeezed below this (or below what it was)


@dataclass(frozen=True)
class ShotNeed:
    """One shot as the fitter sees it. ``speech_ms`` 0: no line. ``lead_ms``: from the shot's start to where its
    voice starts; ``tail_ms``: from where the next shot's voice starts to this shot's end (overlapping transitions)."""

    duration_ms: int
    speech_ms: int = 0
    lead_ms: int = 0
    tail_ms: int = 0
    fixed: bool = False  # speech that is not spoken again (another shot's, kept as it is): never sped up

    def minimum_ms(self, factor: float = 1.0) -> int:
        """The shortest this shot may be with its line spoken ``factor`` times faster."""
        if self.speech_ms <= 0:
            return min(self.duration_ms, MIN_SILENT_SHOT_MS)
        speech = self.speech_ms if self.fixed else math.ceil(self.speech_ms / factor)
        return self.lead_ms + speech + BREATH_MS + self.tail_ms


@dataclass(frozen=True)
class ShotFit:
    durations: tuple[int, ...]
    factor: float  # how much faster than measured the lines must be (1.0: as they are)
    lengthened: bool = False  # the total could not hold: shots were made longer than it allows


def rate_steps(base: float, top: float = MAX_RATE) -> tuple[float, ...]:
    """Speed-up factors over ``base`` speed, 1.0 first, in ``RATE_STEP`` steps while base x factor <= ``top``."""
    steps, k = [1.0], 1
    while round(base * (1 + k * RATE_STEP), 4) <= top + 1e-9:
        steps.append(round(1 + k * RATE_STEP, 4))
        k += 1
    return tuple(steps)


def tempo_steps(top: float = MAX_TEMPO) -> tuple[float, ...]:
    return tuple(round(1 + k * TEMPO_STEP, 4) for k in range(round((top - 1) / TEMPO_STEP) + 1))


def _spread(durations: Sequence[int], minimums: Sequence[int], total: int) -> list[int]:
    """Durations at least ``minimums``, summing to ``total`` (>= sum(minimums)): shots below their minimum get it,
    the time comes from the others in proportion to their room, and any time left over goes to them likewise."""
    grown = [max(d, m) for d, m in zip(durations, minimums, strict=True)]
    excess = sum(grown) - total  # > 0: take from room; < 0: give back
    room = [g - m for g, m in zip(grown, minimums, strict=True)]
    if excess > 0:
        pool = sum(room)
        cut = [excess * r // pool if pool else 0 for r in room]
        grown = [g - c for g, c in zip(grown, cut, strict=True)]
    elif excess < 0:  # the total is longer than the shots: the ones with room (or all) get the rest
        takers = [i for i, r in enumerate(room) if r > 0] or list(range(len(grown)))
        for k, i in enumerate(takers):
            grown[i] += -excess // len(takers) + (1 if k < -excess % len(takers) else 0)
    left = total - sum(grown)  # rounding: a few ms, to the shots with the most room
    for i in sorted(range(len(grown)), key=lambda j: grown[j] - minimums[j], reverse=left < 0):
        if left == 0:
            break
        step = 1 if left > 0 else -1
        if grown[i] + step >= minimums[i]:
            grown[i] += step
            left -= step
    return grown


def fit_shots(shots: Sequence[ShotNeed], *, factors: Sequence[float] = (1.0,), hold_ms: int | None = None,
              cap_ms: int | None = None, lengthen: bool = False) -> ShotFit | None:
    """Shot lengths for the first factor in ``factors`` that fits, or None.

    ``hold_ms``: the shots' lengths must add up to exactly this (time moves between shots); ``cap_ms``: they may
    not add up to more. Without either, a shot only ever grows to its minimum. ``lengthen``: when nothing fits
    under ``hold_ms``, grow shots past it (still under ``cap_ms``) at the last factor.
    """
    durations = [s.duration_ms for s in shots]
    for factor in factors:
        minimums = [s.minimum_ms(factor) for s in shots]
        if hold_ms is not None:
            if sum(minimums) <= hold_ms and (cap_ms is None or hold_ms <= cap_ms):
                return ShotFit(tuple(_spread(durations, minimums, hold_ms)), factor)
            continue
        grown = [max(d, m) for d, m in zip(durations, minimums, strict=True)]
        if cap_ms is None or sum(grown) <= cap_ms:
            return ShotFit(tuple(grown), factor)
        if sum(minimums) <= cap_ms:  # growing every short shot is too much: take from the ones with room
            return ShotFit(tuple(_spread(durations, minimums, cap_ms)), factor)
    if lengthen and factors:
        minimums = [s.minimum_ms(factors[-1]) for s in shots]
        grown = [max(d, m) for d, m in zip(durations, minimums, strict=True)]
        if cap_ms is None or sum(grown) <= cap_ms:
            return ShotFit(tuple(grown), factors[-1], lengthened=True)
    return None


# -- the tempo change -------------------------------------------------------------------------------------------

def wav_duration_ms(path: Path) -> int:
    with wave.open(str(path)) as w:
        return round(w.getnframes() * 1000 / w.getframerate())


def stretched_ms(duration_ms: int, factor: float) -> int:
    """How long a sound of ``duration_ms`` lasts played ``factor`` times faster."""
    return round(duration_ms / factor)


def stretch(source: Path, out: Path, factor: float, ffmpeg: str = "ffmpeg") -> int:
    """``source`` (a WAV) played ``factor`` times faster with its pitch kept (ffmpeg ``atempo``, 0.5..2.0), written
    to ``out`` (a WAV at the source's rate) lasting exactly ``stretched_ms`` of the source, to the sample. Returns
    that length in ms."""
    if not 0.5 <= factor <= 2.0:
        raise ValueError(f"tempo factor {factor} is outside atempo's 0.5..2.0")
    with wave.open(str(source)) as w:
        rate, width, channels, frames = w.getframerate(), w.getsampwidth(), w.getnchannels(), w.getnframes()
    target = round(frames / factor)
    temp = out.with_name(f".{out.name}.part")
    done = subprocess.run([ffmpeg, "-v", "error", "-y", "-i", str(source), "-filter:a", f"atempo={factor:.6f}",
                           "-ar", str(rate), "-ac", str(channels), "-c:a", f"pcm_s{8 * width}le", "-f", "wav",
                           str(temp)], capture_output=True, text=True)
    if done.returncode != 0:
        temp.unlink(missing_ok=True)
        raise RenderError(f"ffmpeg could not change the narration's tempo: {done.stderr.strip()[-300:]}")
    with wave.open(str(temp)) as w:
        pcm = w.readframes(w.getnframes())
    temp.unlink(missing_ok=True)
    frame_bytes = width * channels
    pcm = pcm[: target * frame_bytes].ljust(target * frame_bytes, b"\0")  # atempo's edges: exact to the sample
    with wave.open(str(temp), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(pcm)
    temp.replace(out)
    return round(target * 1000 / rate)


def scale_ms(t_ms: int, factor: float) -> int:
    return round(t_ms / factor)


__all__ = ["BREATH_MS", "MAX_RATE", "MAX_TEMPO", "MIN_RATE", "ShotFit", "ShotNeed", "fit_shots", "rate_steps",
           "scale_ms", "stretch", "stretched_ms", "tempo_steps", "wav_duration_ms"]
