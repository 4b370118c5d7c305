"""The clip's sound: music and the shots' own audio, mixed in numpy into one 48 kHz stereo track.

Decoding goes through ffmpeg (any container ffprobe accepted), straight to float32 at the
delivery rate, so nothing downstream resamples. The mix follows the timeline: a clip's sound
fades with its picture (crossfades overlap, fades through black dip), music loops with a short
equal-power crossfade at the seam and fades in and out. Only a gain *reduction* is applied to keep
peaks below -1 dBFS; loudness mastering belongs to the audio stage, not here. A project with no
sound gets a silent track, because platforms expect an audio stream.
"""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np

from studio.errors import CorruptMediaError, MediaError
from studio.media import MediaInfo, MediaKind
from studio.project import MusicTrack, Transition
from studio.settings import Settings
from studio.timeline import Timeline

SAMPLE_RATE = 48_000
CHANNELS = 2
PEAK_CEILING = 10 ** (-1.0 / 20)  # -1 dBFS
LOOP_SEAM_MS = 60


def db_to_gain(db: float) -> float:
    return float(10 ** (db / 20))


def decode_audio(path: Path, settings: Settings, *, start_ms: int = 0, duration_ms: int | None = None) -> np.ndarray:
    """Decode to float32 (frames, 2) at 48 kHz; mono is duplicated, surround is downmixed by ffmpeg."""
    cmd = [settings.ffmpeg_exe(), "-nostdin", "-v", "error", "-ss", f"{start_ms / 1000:.3f}"]
    if duration_ms is not None:
        cmd += ["-t", f"{duration_ms / 1000:.3f}"]
    cmd += ["-i", str(path), "-map", "0:a:0", "-vn", "-ac", str(CHANNELS), "-ar", str(SAMPLE_RATE),
            "-f", "f32le", "-acodec", "pcm_f32le", "-"]
    timeout = 60 + (duration_ms or 600_000) / 1000
    try:
        result = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise CorruptMediaError(f"{path.name}: decoding its audio took longer than {timeout:.0f} s") from None
    if result.returncode != 0:
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CorruptMediaError(f"{path.name}: its audio cannot be decoded ({reason[-1] if reason else 'unknown'})")
    usable = len(result.stdout) // 4 // CHANNELS * CHANNELS
    samples = np.frombuffer(result.stdout[: usable * 4], dtype="<f4").reshape(-1, CHANNELS)
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


def loop_to_length(song: np.ndarray, length: int, seam: int = _ms(LOOP_SEAM_MS)) -> np.ndarray:
    """Repeat ``song`` until ``length`` samples, crossfading each seam so it does not click."""
    if len(song) >= length:
        return song[:length].copy()
    seam = min(seam, len(song) // 4)
    out = np.zeros((length, CHANNELS), dtype=np.float32)
    step = len(song) - seam
    fade_in = np.sin(np.linspace(0, np.pi / 2, seam, dtype=np.float32))[:, None] if seam else None
    pos = 0
    first = True
    while pos < length:
        piece = song[: min(len(song), length - pos)].copy()
        if not first and seam:
            k = min(seam, len(piece))
            piece[:k] *= fade_in[:k]
            out[pos: pos + k] *= np.cos(np.linspace(0, np.pi / 2, seam, dtype=np.float32))[:k, None]
        out[pos: pos + len(piece)] += piece
        first = False
        pos += step
    return out


def music_bed(music: MusicTrack, path: Path, settings: Settings, total: int) -> np.ndarray:
    song = decode_audio(path, settings, start_ms=music.start_ms,
                        duration_ms=None if music.loop else int(total * 1000 / SAMPLE_RATE) + 1000)
    if len(song) == 0:
        raise MediaError(f"music {path.name} has no sound after {music.start_ms} ms")
    if music.loop:
        bed = loop_to_length(song, total)
    else:
        bed = np.zeros((total, CHANNELS), dtype=np.float32)
        bed[: min(total, len(song))] = song[:total]
    bed *= db_to_gain(music.gain_db)
    return apply_fades(bed, _ms(music.fade_in_ms), _ms(min(music.fade_out_ms, total * 1000 // SAMPLE_RATE)))


def mix_timeline(timeline: Timeline, media: dict[int, MediaInfo], settings: Settings,
                 music: MusicTrack | None, music_path: Path | None) -> np.ndarray:
    """The full mix, exactly as long as the timeline, float32 (frames, 2)."""
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
    if music is not None and music_path is not None:
        mix += music_bed(music, music_path, settings, total)
    peak = float(np.max(np.abs(mix))) if total else 0.0
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
