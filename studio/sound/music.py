"""Music fitted to the clip: a long song trimmed so its fade-out ends on a beat, a short one looped from a bar
line back to a downbeat, with a crossfade only where the join would click."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.errors import MediaError
from studio.project.model import MusicTrack
from studio.settings import Settings
from studio.sound.beats import BeatAnalysis
from studio.sound.decode import CHANNELS, apply_fades, db_to_gain, decode_audio, to_samples

LOOP_SEAM_MS = 60
CLICK_FADE_MS = 5
END_ON_BEAT_WINDOW_MS = 500
MIN_MUSIC_MS = 1000



@dataclass(frozen=True)
class MusicSegment:
    clip_ms: int  # where it starts in the clip
    song_ms: int  # where it starts in the song
    length_ms: int


@dataclass(frozen=True)
class MusicFit:
    """Which parts of the song play when: the first pass, then whole-bar repeats."""

    segments: tuple[MusicSegment, ...]
    end_ms: int  # where the music has faded out, in clip time
    note: str = ""

    def to_clip(self, song_times_ms) -> np.ndarray:
        """Song times (e.g. beats) as clip times, for every pass of the loop."""
        times = np.asarray(song_times_ms, dtype=np.int64)
        out = [times[(times >= s.song_ms) & (times < s.song_ms + s.length_ms)] - s.song_ms + s.clip_ms
               for s in self.segments]
        merged = np.concatenate(out) if out else np.zeros(0, dtype=np.int64)
        return np.unique(merged[merged <= self.end_ms])


def fit_music(music: MusicTrack, song_ms: int, total_ms: int, beats: BeatAnalysis | None) -> MusicFit:
    """Trim or loop the song to ``total_ms``: loops jump from a bar line back to a downbeat."""
    available = song_ms - music.start_ms
    if available < MIN_MUSIC_MS:
        raise MediaError(f"music: only {max(available, 0)} ms of the song is left after its start "
                         f"({music.start_ms} ms); music needs at least {MIN_MUSIC_MS} ms")
    has_beat = beats is not None and beats.has_beat
    if available >= total_ms or not music.loop:
        length = min(available, total_ms)
        fit = MusicFit((MusicSegment(0, music.start_ms, length),), length)
        if has_beat and length == total_ms:  # a trimmed song: let its last beat be the end
            grid = fit.to_clip(beats.beats_ms)
            near_end = grid[(grid >= total_ms - END_ON_BEAT_WINDOW_MS) & (grid > total_ms // 2)]
            if len(near_end):
                return MusicFit(fit.segments, int(near_end.max()), "ends on a beat")
        return fit
    loop_back, loop_end, note = music.start_ms, song_ms, "loops the whole song"
    if has_beat and len(beats.downbeats_ms) >= 2:
        downbeats = np.asarray(beats.downbeats_ms)
        bar = float(np.median(np.diff(downbeats)))
        grid = np.concatenate([downbeats, downbeats[-1] + bar * np.arange(1, 64)])
        after_start = grid[grid >= music.start_ms]
        lines = grid[grid <= song_ms + 2]  # 2 ms of slack: grids from tempo metadata are rounded
        if len(after_start) and len(lines) and lines.max() - after_start[0] >= bar - 2:
            loop_back, loop_end = int(after_start[0]), int(min(round(lines.max()), song_ms))
            note = f"loops {round((loop_end - loop_back) / bar)} bars"
    segments = [MusicSegment(0, music.start_ms, loop_end - music.start_ms)]
    cursor = segments[0].length_ms
    period = loop_end - loop_back
    while cursor < total_ms:
        segments.append(MusicSegment(cursor, loop_back, min(period, total_ms - cursor)))
        cursor += period
    return MusicFit(tuple(segments), total_ms, note)


def _join(out: np.ndarray, at: int, piece: np.ndarray, tail: np.ndarray | None) -> None:
    """Place ``piece`` at ``at`` after an earlier piece: crossfade with the song's continuation
    (``tail``) when there is one; otherwise fade briefly only where a butt-join would click."""
    n = len(piece)
    if tail is not None and len(tail):
        k = min(len(tail), n, len(out) - at)
        ramp = np.linspace(0, np.pi / 2, k, dtype=np.float32)[:, None]
        out[at: at + k] += tail[:k] * np.cos(ramp)
        piece = piece.copy()
        piece[:k] *= np.sin(ramp)
    elif at > 0 and n:
        jump = float(np.max(np.abs(out[at - 1] - piece[0])))
        local = float(np.max(np.abs(np.diff(out[max(0, at - 48): at], axis=0)), initial=0.0))
        if jump > 2 * local + 1e-4:
            k = min(to_samples(CLICK_FADE_MS), n, at)
            out[at - k: at] *= np.cos(np.linspace(0, np.pi / 2, k, dtype=np.float32))[:, None]
            piece = piece.copy()
            piece[:k] *= np.sin(np.linspace(0, np.pi / 2, k, dtype=np.float32))[:, None]
    out[at: at + n] += piece[: len(out) - at]


def music_bed(music: MusicTrack, path: Path, settings: Settings, total: int, fit: MusicFit) -> np.ndarray:
    """The fitted, faded music at its gain, ``total`` samples long."""
    first = min(s.song_ms for s in fit.segments)
    last = max(s.song_ms + s.length_ms for s in fit.segments) + LOOP_SEAM_MS
    song = decode_audio(path, settings, start_ms=first, duration_ms=last - first)
    if len(song) == 0:
        raise MediaError(f"music {path.name} has no sound after {music.start_ms} ms")
    bed = np.zeros((total, CHANNELS), dtype=np.float32)
    end = min(total, to_samples(fit.end_ms))
    # Pieces go back to back by their real sample counts (segment lengths are whole ms); a looped
    # fit repeats its last segment until the bed is full.
    cursor, previous_end, i = 0, None, 0
    while cursor < end and (i < len(fit.segments) or len(fit.segments) > 1):
        segment = fit.segments[min(i, len(fit.segments) - 1)]
        a = to_samples(segment.song_ms - first)
        piece = song[a: a + to_samples(segment.length_ms)]
        if len(piece) == 0:
            break
        tail = song[previous_end: previous_end + to_samples(LOOP_SEAM_MS)] if previous_end is not None else None
        _join(bed, cursor, piece, tail)
        cursor += len(piece)
        previous_end = a + len(piece)
        i += 1
    bed[end:] = 0.0
    bed *= db_to_gain(music.gain_db)
    apply_fades(bed[:end], to_samples(music.fade_in_ms), to_samples(min(music.fade_out_ms, fit.end_ms)))
    return bed
