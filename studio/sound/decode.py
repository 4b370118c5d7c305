"""Sound in and out: any file ffmpeg reads, decoded straight to float32 at the delivery rate (48 kHz stereo),
so nothing downstream resamples; gains, equal-power fades and the 16-bit WAV the encoder takes."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np

from studio.errors import CorruptMediaError
from studio.settings import Settings

SAMPLE_RATE = 48_000
CHANNELS = 2


def to_samples(ms: float) -> int:
    """Milliseconds as a count of samples at the delivery rate."""
    return int(round(ms * SAMPLE_RATE / 1000))


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


def write_wav(samples: np.ndarray, path: Path) -> None:
    """16-bit PCM WAV (the encoder's input; AAC is made from it)."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(CHANNELS)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(pcm.tobytes())
