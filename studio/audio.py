"""The clip's sound: shot audio, voice-over and music, mixed in numpy into one 48 kHz stereo track.

Decoding goes through ffmpeg (any container ffprobe accepted), straight to float32 at the
delivery rate, so nothing downstream resamples. The mix follows the timeline: a clip's sound
fades with its picture (crossfades overlap, fades through black dip); voice-over plays from its
shot's cut (or from its start time for a whole-clip recording); music is fitted to the clip on
bar boundaries (looped from a downbeat to a bar line, with a crossfade only where the join would
click; a long song ends on a beat), fades in and out, and dips under the voice with a
sidechain-style gain (look-ahead attack, slower release). Mastering to the platform's loudness is
studio/loudness.py; a project with no sound gets a silent track, because platforms expect one.
"""

from __future__ import annotations

import subprocess
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from studio.errors import CorruptMediaError, MediaError
from studio.media import MediaInfo, MediaKind
from studio.project.model import MusicTrack, Transition, VoiceOver
from studio.project.timeline import Timeline
from studio.settings import Settings

if TYPE_CHECKING:
    from studio.beats import BeatAnalysis

SAMPLE_RATE = 48_000
CHANNELS = 2
PEAK_CEILING = 10 ** (-1.0 / 20)  # -1 dBFS, for unmastered mixes
LOOP_SEAM_MS = 60
CLICK_FADE_MS = 5
END_ON_BEAT_WINDOW_MS = 500
MIN_MUSIC_MS = 1000
VOICE_FRAME_MS = 10
VOICE_FLOOR_DB = -45.0  # quieter than this is not voice
VOICE_RANGE_DB = 30.0  # ... nor is anything 30 dB under the recording's loudest frames
DUCK_ATTACK_MS = 60.0
DUCK_RELEASE_MS = 400.0
DUCK_HOLD_MS = 150.0


def db_to_gain(db: float) -> float:
    return float(10 ** (db / 20))


def decode_audio(path: Path, settings: Settings, *, start_ms: int = 0, duration_ms: int | None = None,
                 rate: int = SAMPLE_RATE, channels: int = CHANNELS) -> np.ndarray:
    """Decode to float32 (frames, channels) at ``rate``; mono is duplicated, surround downmixed by ffmpeg."""
    cmd = [settings.ffmpeg_exe(), "-nostdin", "-v", "error", "-ss", f"{start_ms / 1000:.3f}"]
    if duration_ms is not None:
        cmd += ["-t", f"{duration_ms / 1000:.3f}"]
    cmd += ["-i", str(path), "-map", "0:a:0", "-vn", "-ac", str(channels), "-ar", str(rate),
            "-f", "f32le", "-acodec", "pcm_f32le", "-"]
    timeout = 60 + (duration_ms or 600_000) / 1000
    try:
        result = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise CorruptMediaError(f"{path.name}: decoding its audio took longer than {timeout:.0f} s") from None
    if result.returncode != 0:
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CorruptMediaError(f"{path.name}: its audio cannot be decoded ({reason[-1] if reason else 'unknown'})")
    usable = len(result.stdout) // 4 // channels * channels
    samples = np.frombuffer(result.stdout[: usable * 4], dtype="<f4").reshape(-1, channels)
    return np.nan_to_num(samples.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)


def _ms(ms: float) -> int:
    return int(round(ms * SAMPLE_RATE / 1000))


def apply_fades(samples: np.ndarray, fade_in: int, fade_out: int) -> np.ndarray:
    """Equal-power (sine) fades, lengths in samples, clamped to the signal."""
    n = len(samples)
    fade_in, fade_out = min(fade_in, n), min(fade_out, n)
    if fade_in:
        samples[:fade_in] *= np.sin(np.linspace(0, np.pi / 2, fade_in, dtype=np.float32))[:, None]
    if fade_out:
        samples[n - fade_out:] *= np.cos(np.linspace(0, np.pi / 2, fade_out, dtype=np.float32))[:, None]
    return samples


# -- music: fit to length -----------------------------------------------------------------------------

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
            k = min(_ms(CLICK_FADE_MS), n, at)
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
    end = min(total, _ms(fit.end_ms))
    # Pieces go back to back by their real sample counts (segment lengths are whole ms); a looped
    # fit repeats its last segment until the bed is full.
    cursor, previous_end, i = 0, None, 0
    while cursor < end and (i < len(fit.segments) or len(fit.segments) > 1):
        segment = fit.segments[min(i, len(fit.segments) - 1)]
        a = _ms(segment.song_ms - first)
        piece = song[a: a + _ms(segment.length_ms)]
        if len(piece) == 0:
            break
        tail = song[previous_end: previous_end + _ms(LOOP_SEAM_MS)] if previous_end is not None else None
        _join(bed, cursor, piece, tail)
        cursor += len(piece)
        previous_end = a + len(piece)
        i += 1
    bed[end:] = 0.0
    bed *= db_to_gain(music.gain_db)
    apply_fades(bed[:end], _ms(music.fade_in_ms), _ms(min(music.fade_out_ms, fit.end_ms)))
    return bed


# -- voice-over and ducking -------------------------------------------------------------------------

def voice_activity(voice: np.ndarray) -> np.ndarray:
    """Per 10 ms frame, whether someone is speaking: energy above a floor and within 30 dB of the
    recording's loud frames, held briefly so the gaps between words do not pump the music."""
    frame = _ms(VOICE_FRAME_MS)
    frames = len(voice) // frame
    if frames == 0:
        return np.zeros(0, dtype=bool)
    power = np.mean(voice[: frames * frame].reshape(frames, frame, -1) ** 2, axis=(1, 2))
    level = 10 * np.log10(power + 1e-12)
    loud = np.percentile(level, 95)
    active = (level > VOICE_FLOOR_DB) & (level > loud - VOICE_RANGE_DB)
    hold = int(DUCK_HOLD_MS / VOICE_FRAME_MS)
    if hold and active.any():
        from scipy.ndimage import maximum_filter1d

        active = maximum_filter1d(active.astype(np.uint8), size=2 * hold + 1).astype(bool)
    return active


def duck_gain(voice: np.ndarray, duck_db: float) -> np.ndarray:
    """Per-sample music gain: down by ``duck_db`` while voice is present, with a look-ahead attack
    (the music is already down when the first word lands) and a slower release."""
    n = len(voice)
    active = voice_activity(voice)
    if duck_db <= 0 or not active.any():
        return np.ones(n, dtype=np.float32)
    lookahead = int(DUCK_ATTACK_MS / VOICE_FRAME_MS)
    ahead = active.copy()
    for k in range(1, lookahead + 1):
        ahead[:-k] |= active[k:]
    floor = db_to_gain(-duck_db)
    attack = 1 - np.exp(-VOICE_FRAME_MS / (DUCK_ATTACK_MS / 3))
    release = 1 - np.exp(-VOICE_FRAME_MS / DUCK_RELEASE_MS)
    gains = np.empty(len(ahead), dtype=np.float32)
    g = 1.0
    for i, on in enumerate(ahead):  # 100 frames per second: cheap
        target = floor if on else 1.0
        g += (target - g) * (attack if target < g else release)
        gains[i] = g
    frame = _ms(VOICE_FRAME_MS)
    centers = np.arange(len(gains)) * frame + frame / 2
    return np.interp(np.arange(n), centers, gains).astype(np.float32)


# -- the mix ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SoundSources:
    """Everything audible besides the shots' own clips, checked and resolved by the compositor."""

    music: MusicTrack | None = None
    music_path: Path | None = None
    music_fit: MusicFit | None = None
    voiceover: VoiceOver | None = None
    voiceover_path: Path | None = None
    shot_voices: dict[int, Path] = field(default_factory=dict)  # shot index -> recording


def _place(track: np.ndarray, sound: np.ndarray, at_ms: int) -> None:
    start = _ms(at_ms)
    if start >= len(track):
        return
    sound = sound[: len(track) - start]
    apply_fades(sound, 0, _ms(30) if start + len(sound) >= len(track) else 0)
    track[start: start + len(sound)] += sound


def voice_track(timeline: Timeline, sources: SoundSources, settings: Settings, total: int) -> np.ndarray | None:
    """All voice-over on one track: per-shot recordings start at their shot's cut."""
    if sources.voiceover_path is None and not sources.shot_voices:
        return None
    track = np.zeros((total, CHANNELS), dtype=np.float32)
    if sources.voiceover is not None and sources.voiceover_path is not None:
        sound = decode_audio(sources.voiceover_path, settings, duration_ms=timeline.duration_ms)
        _place(track, sound * db_to_gain(sources.voiceover.gain_db), sources.voiceover.start_ms)
    for span in timeline.spans:
        path = sources.shot_voices.get(span.index)
        if path is None:
            continue
        cut = span.start_ms + (span.fade_in_ms // 2 if span.transition_in is Transition.CROSSFADE else 0)
        sound = decode_audio(path, settings, duration_ms=timeline.duration_ms - cut)
        _place(track, sound * db_to_gain(span.shot.voiceover_gain_db), cut)
    return track


def mix_timeline(timeline: Timeline, media: dict[int, MediaInfo], settings: Settings,
                 sources: SoundSources | None = None) -> np.ndarray:
    """The full mix before mastering, exactly as long as the timeline, float32 (frames, 2)."""
    sources = sources or SoundSources()
    total = _ms(timeline.duration_ms)
    mix = np.zeros((total, CHANNELS), dtype=np.float32)
    for span in timeline.spans:
        info = media.get(span.index)
        shot = span.shot
        if info is None or info.kind is not MediaKind.VIDEO or not info.has_audio or shot.clip_audio_gain_db is None:
            continue
        sound = decode_audio(info.path, settings, start_ms=shot.clip_start_ms, duration_ms=span.duration_ms)
        sound = sound[: total - _ms(span.start_ms)] * db_to_gain(shot.clip_audio_gain_db)
        fade_in = _ms(span.fade_in_ms) if span.transition_in is not Transition.CUT else _ms(5)
        apply_fades(sound, fade_in, _ms(span.fade_out_ms) or _ms(5))
        start = _ms(span.start_ms)
        mix[start: start + len(sound)] += sound
    voice = voice_track(timeline, sources, settings, total)
    if sources.music is not None and sources.music_path is not None and sources.music_fit is not None:
        bed = music_bed(sources.music, sources.music_path, settings, total, sources.music_fit)
        if voice is not None:
            bed *= duck_gain(voice, sources.music.duck_db)[:, None]
        mix += bed
    if voice is not None:
        mix += voice
    return mix


def limit_peaks(mix: np.ndarray) -> np.ndarray:
    """For previews that skip mastering: only a gain reduction, so nothing clips."""
    peak = float(np.max(np.abs(mix))) if len(mix) else 0.0
    if peak > PEAK_CEILING:
        mix *= PEAK_CEILING / peak
    return mix


def write_wav(samples: np.ndarray, path: Path) -> None:
    """16-bit PCM WAV (the encoder's input; AAC is made from it)."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(CHANNELS)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(pcm.tobytes())
