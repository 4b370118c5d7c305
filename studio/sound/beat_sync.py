"""Beat sync: shot boundaries moved onto the music's pulse.

Snapping is a pure function of the project and the analysis: each cut moves to the nearest beat
(or downbeat) within the tolerance, the clip keeps its length and no shot gets shorter than its
floor. Snapping an already snapped project changes nothing, so storing the snapped durations in
the project makes the result reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studio.project.model import BeatSnap, Project
from studio.project.timeline import build_timeline
from studio.sound.beats import BeatAnalysis
from studio.sound.music import MusicFit

MIN_SNAPPED_SHOT_MS = 1000  # a snap never makes a shot shorter than this (or than it already was)


@dataclass(frozen=True)
class BeatSyncReport:
    tempo_bpm: float
    cuts: int
    moved: int
    max_shift_ms: int
    message: str


def _cut_points(project: Project) -> list[int]:
    """Where the picture changes: a cut's frame, the middle of a crossfade (or slide, zoom, ...), a fade's black."""
    timeline = build_timeline(project)
    points = []
    for span in timeline.spans[1:]:
        overlap = span.fade_in_ms if span.transition_in.overlaps else 0
        points.append(span.start_ms + overlap // 2)
    return points


def snap_to_beats(project: Project, analysis: BeatAnalysis, fit: MusicFit) -> tuple[Project, BeatSyncReport]:
    """Move each cut onto the nearest beat (or downbeat) within the tolerance; total length holds.

    ``fit`` says where the song plays in the clip (its start offset and loop passes), so the grid
    is in clip time.
    """
    music = project.music
    if music is None:
        raise ValueError("beat sync needs music")
    cuts = _cut_points(project)
    if not analysis.has_beat:
        why = analysis.note or "no beat was found"
        return project, BeatSyncReport(0.0, len(cuts), 0, 0, f"beat sync: {why}; cuts left where they were")
    if not cuts:
        return project, BeatSyncReport(analysis.tempo_bpm, 0, 0, 0, "beat sync: one shot, no cuts to move")
    beats, downbeats = fit.to_clip(analysis.beats_ms), fit.to_clip(analysis.downbeats_ms)
    by_bar = music.snap_to is BeatSnap.DOWNBEAT and len(downbeats) > 0
    grid = downbeats if by_bar else beats
    period = 60_000 / analysis.tempo_bpm * (4 if by_bar else 1)
    tolerance = min(music.beat_tolerance_ms, int(period * 0.5))  # never past the nearest grid point

    snapped = project
    for _ in range(4):  # transitions shrink with their shots, so cut points can drift: settle them
        current = _cut_points(snapped)
        targets = []
        for cut, original in zip(current, cuts, strict=True):
            near = grid[np.abs(grid - original) <= tolerance] if len(grid) else grid
            targets.append(int(near[np.argmin(np.abs(near - original))]) if len(near) else cut)
        candidate = _apply_cuts(snapped, project, current, targets)
        if candidate is None or _cut_points(candidate) == current:
            break
        snapped = candidate
    final = _cut_points(snapped)
    shifts = [abs(a - b) for a, b in zip(final, cuts, strict=True)]
    moved = sum(1 for s in shifts if s > 0)
    on_grid = sum(1 for c in final if len(grid) and np.min(np.abs(grid - c)) <= 1)
    unit = "downbeat" if by_bar else "beat"
    message = (f"beat sync: {analysis.tempo_bpm:.0f} BPM; {on_grid} of {len(cuts)} cuts on a {unit}, "
               f"{moved} moved (at most {max(shifts, default=0)} ms)")
    if on_grid < len(cuts):
        message += f"; {len(cuts) - on_grid} had no {unit} within {tolerance} ms or would make a shot too short"
    return snapped, BeatSyncReport(analysis.tempo_bpm, len(cuts), moved, max(shifts, default=0), message)


def _apply_cuts(project: Project, original: Project, current: list[int], targets: list[int]) -> Project | None:
    """Shift each cut by (target - current) by trading length between the two shots beside it."""
    shots = list(project.shots)
    deltas = [t - c for t, c in zip(targets, current, strict=True)]
    durations = [s.duration_ms for s in shots]
    floors = [min(MIN_SNAPPED_SHOT_MS, s.duration_ms) for s in original.shots]
    for i, delta in enumerate(deltas):  # cut i sits between shot i and shot i + 1
        if not delta:
            continue
        left, right = durations[i] + delta, durations[i + 1] - delta
        if left < floors[i] or right < floors[i + 1] or _last_word_ms(shots[i]) >= left \
                or _last_word_ms(shots[i + 1]) >= right:
            continue  # this cut stays: moving it would squeeze a shot (or its timed words) too much
        durations[i], durations[i + 1] = left, right
    if durations == [s.duration_ms for s in shots]:
        return None
    return project.with_shots([s.model_copy(update={"duration_ms": d}) for s, d in zip(shots, durations,
                                                                                         strict=True)])


def _last_word_ms(shot) -> int:
    """Where the shot's last timed word ends: a cut never lands inside a spoken word (narration is fitted first)."""
    return max((w.end_ms for w in shot.caption_words), default=-1)
