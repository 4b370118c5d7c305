"""The clip's sound: shot audio, voice-over and music, mixed in numpy into one 48 kHz stereo track.

The mix follows the timeline: a clip's sound fades with its picture (crossfades overlap, fades through
black dip) and follows its time effects (``studio.project.timemap``: faster is higher, reversed plays backwards, a
freeze is silent; or muted, the shot's ``speed_audio``); voice-over plays from its shot's cut (or from its start
time for a whole-clip recording); music (fitted to the clip by ``studio.sound.music``) fades in and out and dips
under the voice with a sidechain-style gain (look-ahead attack, slower release). Mastering to the platform's
loudness is ``studio.sound.loudness``; a project with no sound gets a silent track, because platforms expect one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from studio.media import MediaInfo, MediaKind
from studio.project.model import MusicTrack, SpeedAudio, Transition, VoiceOver
from studio.project.timeline import ShotSpan, Timeline
from studio.project.timemap import shot_timemap
from studio.settings import Settings
from studio.sound.decode import CHANNELS, SAMPLE_RATE, apply_fades, db_to_gain, decode_audio, to_samples
from studio.sound.music import MusicFit, music_bed

PEAK_CEILING = 10 ** (-1.0 / 20)  # -1 dBFS, for unmastered mixes
VOICE_FRAME_MS = 10
VOICE_FLOOR_DB = -45.0  # quieter than this is not voice
VOICE_RANGE_DB = 30.0  # ... nor is anything 30 dB under the recording's loudest frames
DUCK_ATTACK_MS = 60.0
DUCK_RELEASE_MS = 400.0
DUCK_HOLD_MS = 150.0


# -- voice-over and ducking -------------------------------------------------------------------------

def voice_activity(voice: np.ndarray) -> np.ndarray:
    """Per 10 ms frame, whether someone is speaking: energy above a floor and within 30 dB of the
    recording's loud frames, held briefly so the gaps between words do not pump the music."""
    frame = to_samples(VOICE_FRAME_MS)
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
    frame = to_samples(VOICE_FRAME_MS)
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
    start = to_samples(at_ms)
    if start >= len(track):
        return
    sound = sound[: len(track) - start]
    apply_fades(sound, 0, to_samples(30) if start + len(sound) >= len(track) else 0)
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
        cut = span.start_ms + (span.fade_in_ms // 2 if span.transition_in.overlaps else 0)
        sound = decode_audio(path, settings, duration_ms=timeline.duration_ms - cut)
        _place(track, sound * db_to_gain(span.shot.voiceover_gain_db), cut)
    return track


def clip_sound(span: ShotSpan, info: MediaInfo, settings: Settings, fps: int) -> np.ndarray | None:
    """A clip shot's own sound as the shot plays it: through its time effects (speed, reverse, freeze) when it has
    any, resampled so each sample comes from the source moment its frame shows; None when muted."""
    shot = span.shot
    timemap = shot_timemap(shot, span.duration_ms, fps, clip_ms=info.duration_ms, where=f"shot {span.index + 1}")
    if timemap.identity:
        return decode_audio(info.path, settings, start_ms=shot.clip_start_ms, duration_ms=span.duration_ms)
    if shot.speed_audio is SpeedAudio.MUTE:
        return None
    source = decode_audio(info.path, settings, start_ms=shot.clip_start_ms, duration_ms=round(timemap.source_ms) + 50)
    out_ms = np.arange(to_samples(span.duration_ms), dtype=np.float64) * (1000 / SAMPLE_RATE)
    src_ms, frozen = timemap.source_times(out_ms)
    position = src_ms * (SAMPLE_RATE / 1000)
    index = np.arange(len(source), dtype=np.float64)
    sound = np.stack([np.interp(position, index, source[:, c], left=0.0, right=0.0) for c in range(CHANNELS)],
                     axis=1).astype(np.float32)
    sound[frozen] = 0.0
    return sound


def mix_timeline(timeline: Timeline, media: dict[int, MediaInfo], settings: Settings,
                 sources: SoundSources | None = None, fps: int = 30) -> np.ndarray:
    """The full mix before mastering, exactly as long as the timeline, float32 (frames, 2). ``fps`` is the
    picture's (a reversed clip's sound is mirrored on the frame grid, as MoviePy does)."""
    sources = sources or SoundSources()
    total = to_samples(timeline.duration_ms)
    mix = np.zeros((total, CHANNELS), dtype=np.float32)
    for span in timeline.spans:
        info = media.get(span.index)
        shot = span.shot
        if info is None or info.kind is not MediaKind.VIDEO or not info.has_audio or shot.clip_audio_gain_db is None:
            continue
        sound = clip_sound(span, info, settings, fps)
        if sound is None:
            continue
        sound = sound[: total - to_samples(span.start_ms)] * db_to_gain(shot.clip_audio_gain_db)
        fade_in = to_samples(span.fade_in_ms) if span.transition_in is not Transition.CUT else to_samples(5)
        apply_fades(sound, fade_in, to_samples(span.fade_out_ms) or to_samples(5))
        start = to_samples(span.start_ms)
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
